#!/bin/sh
# smelt-score against smelt-sim's /pooling and /classify (and a stub judge):
# planted defects score lower, per-turn scores and aggregates, images as
# parts, ShareGPT/LLaVA read directly, rejects, cache and resume, faults,
# several endpoints, fatal configurations, the field backend.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
S="$SMELT_TOP/schemas"
PNGTOOL="$SMELT_TOP/tests/reward/pngtool.py"

# conv ID QUESTION ANSWER: a two-turn canonical record
conv() {
	jq -cn --arg id "$1" --arg q "$2" --arg a "$3" \
		'{id: $id, source: "t", messages: [{role: "user", content: $q}, {role: "assistant", content: $a}]}'
}

Q1="Why do leaves change colour in autumn?"
A1="Leaves change colour in autumn because trees stop making chlorophyll, so the green fades and yellow pigments show."
Q2="What causes ocean tides along the coast?"
A2="Ocean tides along the coast are caused mainly by the gravity of the moon pulling on the water."

make_corpus() {
	conv clean1 "$Q1" "$A1" && conv clean2 "$Q2" "$A2" &&
	conv empty1 "$Q1" "" &&
	conv unrelated1 "$Q1" "The stock market closed higher today after strong earnings from banks." &&
	conv truncated1 "$Q2" "Ocean tides along the coast are caused mainly by the gravity of the moo"
}

score_of() { jq -r "select(.id == \"$1\") | .scores.${2:-rm}" "${3:-out.jsonl}"; }
lower() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# metric BASE_URL NAME: a counter from a smelt-sim's /metrics
metric() { curl -sS "$1/metrics" | jq -r ".$2"; }

sim_start --threads 2 && BASE=$SIM_URL && URL=$SIM_URL/v1
sim_start --threads 2 --pooling-shape scalar && SCALAR_URL=$SIM_URL/v1
sim_start --threads 2 --fault-429 0.3 --fault-5xx 0.2 --fault-drop 0.1 --fault-malformed 0.1 --retry-after 0 &&
	FAULTY=$SIM_URL
sim_start --threads 2 && U1=$SIM_URL
sim_start --threads 2 && U2=$SIM_URL

# the stub judge (tests/reward/judge_stub.py), stopped before the sims
python3 "$SMELT_TOP/tests/reward/judge_stub.py" "$test_root/requests.log" >"$test_root/judge.out" 2>"$test_root/judge.err" &
JUDGE_PID=$!
n=0
until grep -q "^port " "$test_root/judge.out" 2>/dev/null || [ $n -gt 200 ]; do n=$((n + 1)); sleep 0.05; done
JUDGE_URL="http://127.0.0.1:$(sed -n "s/^port //p" "$test_root/judge.out")/v1"

test_case 'pooling: planted defects score below the clean answers' '
	make_corpus >in.jsonl &&
	smelt-score -q --plain --backend pooling --name rm --endpoint "$URL" --stats st.json in.jsonl >out.jsonl &&
	test "$(wc -l <out.jsonl)" -eq 5 &&
	for d in empty1 unrelated1 truncated1; do
		lower "$(score_of $d)" "$(score_of clean1)" && lower "$(score_of $d)" "$(score_of clean2)" || return 1
	done &&
	validate "$S/scored.schema.json" out.jsonl &&
	jq -se "all(.provenance[-1].params == {backend: \"pooling\", name: \"rm\", target: \"conversation\", index: -1})" out.jsonl &&
	jq -e ".score.units == 5 and .llm.ok == 5 and .records_out == 5" st.json
'

test_case 'pooling: a scalar answer and a one-element list give the same score' '
	make_corpus >in.jsonl &&
	smelt-score -q --plain --backend pooling --name rm --endpoint "$URL" in.jsonl >a.jsonl &&
	smelt-score -q --plain --backend pooling --name rm --endpoint "$SCALAR_URL" in.jsonl >b.jsonl &&
	test_cmp a.jsonl b.jsonl
'

test_case 'classify: the probability is the sigmoid of the reward, --raw the logit' '
	make_corpus >in.jsonl &&
	smelt-score -q --plain --backend pooling --name rm --endpoint "$URL" in.jsonl >p.jsonl &&
	smelt-score -q --plain --backend classify --name c p.jsonl --endpoint "$URL" >c.jsonl &&
	smelt-score -q --plain --backend classify --raw --name l c.jsonl --endpoint "$URL" >l.jsonl &&
	jq -se "all(.scores | (.c - 1 / (1 + (-.rm | exp)) | fabs) < 1e-9 and (.l - .rm / 2 | fabs) < 1e-9)" l.jsonl &&
	test "$(jq -r ".provenance | length" l.jsonl | sort -u)" = 3
'

test_case 'turns: one score per assistant turn, aggregated min / mean / last' '
	jq -cn --arg q "$Q1" --arg a "$A1" --arg q2 "$Q2" --arg a2 "$A2" \
		"{id: \"m\", messages: [{role: \"system\", content: \"Be exact.\"}, {role: \"user\", content: \$q},
		  {role: \"assistant\", content: \$a}, {role: \"user\", content: \$q2}, {role: \"assistant\", content: \"\"}]}" >in.jsonl &&
	for a in min mean last; do
		smelt-score -q --plain --backend pooling --name rm --target turns --aggregate $a \
			--endpoint "$URL" in.jsonl >$a.jsonl || return 1
	done &&
	jq -e ".scores.rm_turns | length == 2" min.jsonl &&
	jq -e ".scores | .rm == (.rm_turns | min) and .rm_turns[1] < .rm_turns[0]" min.jsonl &&
	jq -e ".scores | .rm == (.rm_turns | add / 2)" mean.jsonl &&
	jq -e ".scores | .rm == .rm_turns[1]" last.jsonl &&
	jq -c "{id: \"p\", messages: .messages[0:3]}" in.jsonl >prefix.jsonl &&
	smelt-score -q --plain --backend pooling --name rm --endpoint "$URL" prefix.jsonl >p.jsonl &&
	test "$(jq .scores.rm p.jsonl)" = "$(jq ".scores.rm_turns[0]" min.jsonl)"
'

test_case 'LLaVA and ShareGPT records are read directly; images go as parts' '
	mkdir imgs && python3 "$PNGTOOL" make imgs/a.png 8 8 10 200 30 &&
	jq -cn --arg q "$Q1" --arg a "$A1" "{id: \"v\", image: \"a.png\",
		conversations: [{from: \"human\", value: (\"<image>\\n\" + \$q)}, {from: \"gpt\", value: \$a}]}" >in.jsonl &&
	jq -cn --arg q "$Q1" --arg a "$A1" "{id: \"s\", conversations: [{from: \"human\", value: \$q}, {from: \"gpt\", value: \$a}]}" >>in.jsonl &&
	smelt-score -q --plain --backend pooling --name rm --endpoint "$URL" --image-root imgs in.jsonl >out.jsonl &&
	jq -e "has(\"conversations\") and (has(\"messages\") | not)" out.jsonl >/dev/null &&
	lower "$(score_of v)" "$(awk -v s="$(score_of s)" "BEGIN { print s - 0.5 }")"
'

test_case 'records that cannot be scored are rejected with their reason' '
	make_corpus >in.jsonl &&
	echo "{\"id\":\"q\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}" >>in.jsonl &&
	echo "{\"id\":\"t\",\"text\":\"no conversation\"}" >>in.jsonl &&
	echo "{\"id\":\"i\",\"images\":[\"nope.png\"],\"messages\":[{\"role\":\"user\",\"content\":\"<image> x\"},{\"role\":\"assistant\",\"content\":\"y.\"}]}" >>in.jsonl &&
	echo "{\"id\":\"mm\",\"image\":\"a.png\",\"conversations\":[{\"from\":\"human\",\"value\":\"<image><image>\"},{\"from\":\"gpt\",\"value\":\"y.\"}]}" >>in.jsonl &&
	echo "{broken" >>in.jsonl &&
	smelt-score -q --plain --backend pooling --name rm --target turns --endpoint "$URL" \
		--rejects rej.jsonl --stats st.json in.jsonl >out.jsonl &&
	test "$(wc -l <out.jsonl)" -eq 5 &&
	jq -r "[.id // \"-\", .error.kind] | @tsv" rej.jsonl | LC_ALL=C sort >got &&
	printf "%s\t%s\n" - bad_json i missing_image mm image_mismatch q no_assistant_turn t no_conversation >expect &&
	test_cmp expect got &&
	validate "$S/reject.schema.json" rej.jsonl
'

test_case 'cache: a rerun asks nothing and writes the same; read-only misses are rejected' '
	make_corpus >in.jsonl &&
	curl -sS -X POST "$U1/metrics/reset" >/dev/null &&
	smelt-score -q --plain --backend pooling --name rm --endpoint "$U1/v1" --cache c in.jsonl >a.jsonl &&
	test "$(metric "$U1" requests_total)" -eq 5 &&
	smelt-score -q --plain --backend pooling --name rm --endpoint "$U1/v1" --cache c \
		--stats st.json in.jsonl >b.jsonl &&
	test "$(metric "$U1" requests_total)" -eq 5 && test_cmp a.jsonl b.jsonl &&
	jq -e ".llm.cache.hits == 5" st.json &&
	smelt-score -q --plain --backend classify --name rm --endpoint "$U1/v1" --cache c --cache-mode ro \
		--rejects rej.jsonl in.jsonl >ro.jsonl &&
	test "$(jq -r .error.kind rej.jsonl | sort -u)" = cache_miss
'

test_case 'faults are retried: every record scored, same scores as without faults' '
	for i in 1 2 3 4; do make_corpus | sed "s/\"id\":\"/\"id\":\"$i-/"; done >in.jsonl &&
	smelt-score -q --plain --backend pooling --name rm --endpoint "$FAULTY/v1" --retries 20 \
		--stats st.json in.jsonl >faulty.jsonl &&
	smelt-score -q --plain --backend pooling --name rm --endpoint "$URL" in.jsonl >clean.jsonl &&
	test_cmp clean.jsonl faulty.jsonl &&
	jq -e ".llm.retries.total > 0 and .llm.retries[\"429\"] > 0 and .llm.failed == 0" st.json
'

test_case '--rpm paces the reward requests' '
	awk "BEGIN { for (i = 0; i < 40; i++) printf \"{\\\"id\\\":\\\"%d\\\",\\\"messages\\\":[{\\\"role\\\":\\\"user\\\",\\\"content\\\":\\\"Question %d?\\\"},{\\\"role\\\":\\\"assistant\\\",\\\"content\\\":\\\"Answer %d.\\\"}]}\n\", i, i, i }" >in.jsonl &&
	smelt-score -q --plain --backend pooling --name rm --endpoint "$URL" --rpm 1200 --stats st.json in.jsonl >out.jsonl &&
	test "$(wc -l <out.jsonl)" -eq 40 &&
	jq -e ".wall_seconds > 0.8" st.json
'

test_case 'several endpoints share the work' '
	u1=$U1 && u2=$U2 && curl -sS -X POST "$u1/metrics/reset" >/dev/null && curl -sS -X POST "$u2/metrics/reset" >/dev/null &&
	awk "BEGIN { for (i = 0; i < 200; i++) printf \"{\\\"id\\\":\\\"%d\\\",\\\"messages\\\":[{\\\"role\\\":\\\"user\\\",\\\"content\\\":\\\"Question %d about rivers?\\\"},{\\\"role\\\":\\\"assistant\\\",\\\"content\\\":\\\"Rivers answer %d.\\\"}]}\n\", i, i, i }" >in.jsonl &&
	smelt-score -q --plain --backend pooling --name rm --endpoint "$u1/v1" --endpoint "$u2/v1" \
		--concurrency 16 --stats st.json in.jsonl >out.jsonl &&
	test "$(wc -l <out.jsonl)" -eq 200 &&
	n1=$(curl -sS "$u1/metrics" | jq .by_route[\"/pooling\"]) && n2=$(curl -sS "$u2/metrics" | jq .by_route[\"/pooling\"]) &&
	test "$n1" -gt 20 && test "$n2" -gt 20 && test $((n1 + n2)) -eq 200 &&
	jq -e ".llm.endpoints | length == 2" st.json
'

test_case 'a bad configuration stops at once with one line (exit 1)' '
	make_corpus >in.jsonl &&
	port=$(python3 -c "import socket; s = socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])") &&
	test_status 1 smelt-score -q --backend pooling --name rm --endpoint "http://127.0.0.1:$port/v1" \
		--retries 1 --rejects r.jsonl in.jsonl -o out.jsonl 2>err &&
	grep -q "fatal: cannot reach endpoint http://127.0.0.1:$port" err &&
	test_status 1 smelt-score -q --backend pooling --name rm --model other --endpoint "$URL" \
		--rejects r.jsonl in.jsonl -o out.jsonl 2>err &&
	grep -q "fatal: endpoint .*/pooling: HTTP 404" err
'

test_case 'usage errors exit 2' '
	echo "{}" >in.jsonl &&
	test_status 2 smelt-score --name rm --endpoint "$URL" in.jsonl 2>/dev/null &&
	test_status 2 smelt-score --backend pooling --endpoint "$URL" in.jsonl 2>/dev/null &&
	test_status 2 smelt-score --backend pool --name rm --endpoint "$URL" in.jsonl 2>/dev/null &&
	test_status 2 smelt-score --backend pooling --name a.b --endpoint "$URL" in.jsonl 2>/dev/null &&
	test_status 2 smelt-score --backend field --name rm in.jsonl 2>/dev/null &&
	test_status 2 smelt-score --backend pooling --name rm --field x --endpoint "$URL" in.jsonl 2>/dev/null &&
	test_status 2 smelt-score --backend pooling --name rm --target some --endpoint "$URL" in.jsonl 2>/dev/null &&
	test_status 2 env -u SMELT_ENDPOINTS -u OPENAI_BASE_URL smelt-score --backend pooling --name rm in.jsonl 2>err &&
	grep -q "no endpoint" err
'

test_case 'field: a score already in the record, a list as per-turn scores' '
	printf "%s\n" "{\"id\":\"a\",\"meta\":{\"r\":0.5}}" "{\"id\":\"b\",\"meta\":{\"r\":\"2.5\"}}" \
		"{\"id\":\"c\",\"meta\":{\"r\":[1,3,2]}}" "{\"id\":\"d\",\"meta\":{}}" "{\"id\":\"e\",\"meta\":{\"r\":\"high\"}}" >in.jsonl &&
	smelt-score -q --plain --backend field --field meta.r --name ext --aggregate mean --rejects rej.jsonl in.jsonl >out.jsonl &&
	jq -c "[.id, .scores]" out.jsonl >got &&
	printf "%s\n" "[\"a\",{\"ext\":0.5}]" "[\"b\",{\"ext\":2.5}]" "[\"c\",{\"ext\":2,\"ext_turns\":[1,3,2]}]" >expect &&
	test_cmp expect got &&
	jq -r "[.id, .error.kind] | @tsv" rej.jsonl >got &&
	printf "d\tmissing_field\ne\tbad_field_type\n" >expect && test_cmp expect got &&
	validate "$S/scored.schema.json" out.jsonl
'

test_case 'judge: a chat model rates each turn with prompts/reward, images as parts' '
	jurl=$JUDGE_URL && python3 "$PNGTOOL" make a.png 8 8 1 2 3 &&
	jq -cn "{id: \"j\", images: [\"a.png\"], messages: [{role: \"user\", content: \"<image>\\nWhat is it?\"},
		{role: \"assistant\", content: \"A small square of colour.\"}, {role: \"user\", content: \"Sure?\"},
		{role: \"assistant\", content: \"\"}]}" >in.jsonl &&
	conv u "$Q1" "UNPARSEABLE words here" >>in.jsonl &&
	smelt-score -q --plain --backend judge --model judge-7b --name judge --target turns --endpoint "$jurl" \
		--rejects rej.jsonl in.jsonl >out.jsonl &&
	jq -e ".scores == {judge: 0, judge_turns: [5, 0]}" out.jsonl &&
	jq -e ".provenance[-1] | .model == \"judge-7b\" and (.template_hash | length) == 32" out.jsonl &&
	jq -e ".error.kind == \"parse_error\" and .raw_reply == \"I would rather not say.\"" rej.jsonl &&
	jq -sc "map(select(.messages[1].content | type == \"array\"))" "$test_root/requests.log" >withimg &&
	jq -e "length == 2 and all(.messages[1].content | map(.type) == [\"text\", \"image_url\", \"text\"])" withimg &&
	jq -e "all(.messages[1].content[0].text | test(\"Rate the assistant\") | not)" withimg &&
	jq -e "all([.messages[1].content[] | .text // \"\"] | add | test(\"Score: N\"))" withimg
'

test_case 'several scores per record, each under its name' '
	make_corpus >in.jsonl &&
	smelt-score -q --backend pooling --name rm --endpoint "$URL" in.jsonl |
		smelt-score -q --plain --backend classify --name cls --endpoint "$URL" >out.jsonl &&
	jq -se "all(.scores | keys == [\"cls\", \"rm\"])" out.jsonl
'

kill "$JUDGE_PID"
wait "$JUDGE_PID" 2>/dev/null
sim_stop_all
test_case 'the simulators exited cleanly' 'sim_exited_cleanly'
test_done
