#!/bin/sh
# smelt-mc input handling: records it cannot label go to rejects with a
# kind and a location; images come from tar shards; the gold answer may
# be a number and the answer mode may be set per record; server faults
# are retried without changing a label; usage errors exit 2.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
. "$SMELT_TOP/tests/llm/lib-llm.sh"
. "$SMELT_TOP/tests/prm/lib-prm.sh"

R=$test_root
sim_start --step-error 0
clean=$SIM_URL
sim_start --step-error 0.1 --fault-5xx 0.3 --fault-429 0.2 --retry-after 0 --seed 4
faulty=$SIM_URL
sim_start --step-error 0.1 --seed 4
calm=$SIM_URL
SIM_URL=$clean

Q="Ann has 5 apples. She buys 3 more. She doubles them. She loses 4. How many apples does she have now?"
RESP="Step 1: She buys 3 more, so 5 + 3 = 8.

Step 2: She doubles them, so 8 * 2 = 16.

Step 3: She loses 4, so 16 - 4 = 12.
Final answer: 12"
ok_rec() { jq -cn --arg q "$Q" --arg r "$RESP" --arg id "$1" '{id: $id, question: $q, answer: "12", response: $r}'; }

mkdir -p "$R/img"
echo "${TINY_PNG#data:image/png;base64,}" | base64 -d >"$R/img/a.png"
cp "$R/img/a.png" "$R/img/b.png"
(cd "$R/img" && tar cf shard.tar a.png b.png)

test_case 'records that cannot be labelled are rejected with their kind' '
	{
		ok_rec good
		ok_rec noq | jq -c "del(.question)"
		ok_rec noa | jq -c "del(.answer)"
		ok_rec nosteps | jq -c "del(.response)"
		ok_rec badsteps | jq -c "del(.response) | .steps = [1, 2]"
		ok_rec empty | jq -c "del(.response) | .steps = []"
		ok_rec badmode | jq -c ".answer_mode = \"fuzzy\""
		ok_rec badq | jq -c ".question = [1]"
		ok_rec num | jq -c ".answer = 12"
	} >in.jsonl &&
	test_status 0 mc --rollouts 2 --rejects rej.jsonl in.jsonl >out.jsonl &&
	test "$(jq -r .id out.jsonl | tr "\n" " ")" = "good num " &&
	jq -r "[.id, .error.kind] | join(\" \")" rej.jsonl >got &&
	printf "%s\n" "noq missing_field" "noa missing_field" "nosteps missing_field" "badsteps bad_field_type" \
		"empty no_steps" "badmode bad_field_type" "badq bad_field_type" >want &&
	test_cmp want got &&
	jq -se "map(select(.id == \"noa\"))[0] | .error.line == 3 and (.error.message | test(\"answer\"))" rej.jsonl &&
	test_status 3 mc --rollouts 2 in.jsonl >out.jsonl 2>err &&
	test "$(wc -l <out.jsonl)" = 2
'

test_case 'images come from a tar shard; a missing member is rejected' '
	ok_rec a | jq -c ".images = [\"tar:shard.tar#a.png\"] | .question = \"<image>\n\" + .question" >in.jsonl &&
	ok_rec b | jq -c ".images = [\"tar:shard.tar#b.png\"]" >>in.jsonl &&
	ok_rec c | jq -c ".images = [\"tar:shard.tar#c.png\"]" >>in.jsonl &&
	test_status 0 mc --rollouts 2 --image-root $R/img --rejects rej.jsonl in.jsonl >out.jsonl &&
	test "$(labels out.jsonl)" = "$(printf "a +++\nb +++")" &&
	test "$(jq -r "[.id, .error.kind] | join(\" \")" rej.jsonl)" = "c missing_image" &&
	jq -r .error.message rej.jsonl | grep -q "c.png"
'

test_case 'answer mode per record: exact refuses 12.0 for 12, auto accepts it' '
	ok_rec auto | jq -c ".answer = \"12.0\"" >in.jsonl &&
	ok_rec exact | jq -c ".answer = \"12.0\" | .answer_mode = \"exact\"" >>in.jsonl &&
	mc --rollouts 2 in.jsonl >out.jsonl &&
	test "$(labels out.jsonl)" = "$(printf "auto +++\nexact ---")" &&
	jq -se ".[0].mc.final_correct and (.[1].mc.final_correct | not)" out.jsonl &&
	mc --rollouts 2 --answer-mode exact in.jsonl >out2.jsonl &&
	test "$(labels out2.jsonl)" = "$(printf "auto ---\nexact ---")"
'

test_case 'server faults are retried and change no label' '
	SIM_URL=$calm &&
	make_solutions 8 2 11 sol.jsonl &&
	test "$(wc -l <sol.jsonl)" = 16 &&
	SIM_URL=$faulty &&
	mc --mode exact-binary --stats st.json sol.jsonl >faulty.jsonl &&
	jq -e ".llm.retries.total > 0" st.json >/dev/null &&
	SIM_URL=$calm &&
	mc --mode exact-binary sol.jsonl >calm.jsonl &&
	labels calm.jsonl >want && labels faulty.jsonl >got && test_cmp want got &&
	grep -q -- - got
'

test_case 'usage errors exit 2' '
	ok_rec a >in.jsonl &&
	test_status 2 mc --mode nope in.jsonl &&
	test_status 2 mc --rollouts 0 in.jsonl &&
	test_status 2 mc --threshold 1.5 in.jsonl &&
	test_status 2 mc --n 4 in.jsonl &&
	test_status 2 mc --merge odd in.jsonl &&
	test_status 2 mc --continuation hf in.jsonl &&
	test_status 2 smelt-mc --endpoint "$SIM_URL/v1" --model smelt-sim in.jsonl
'

sim_stop_all
test_case 'smelt-sim exited cleanly' sim_exited_cleanly
test_done
