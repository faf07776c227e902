#!/bin/sh
# Fault injection: with 20% 429s, 10% 5xx, 5% stalls past the timeout and
# 2% malformed bodies, a 5,000-record run ends with every record written,
# none twice, retries within bounds, and the same output bytes as a
# fault-free run. Each injected fault costs exactly one retry; a few more
# timeouts are tolerated for a loaded machine (a slow answer past 2 s).
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
. "$SMELT_TOP/tests/llm/lib-llm.sh"

N=$LLM_BIG
make_records "$N" >"$test_root/in.jsonl"
make_prompt "$test_root/p.prompt"

sim_start --threads 2
CLEAN=$SIM_URL
sim_start --threads 2 --fault-429 0.2 --fault-5xx 0.1 --fault-stall 0.05 --fault-malformed 0.02 --stall-seconds 3
FAULTY=$SIM_URL

test_case 'fault-free reference run' '
	smelt-gen --prompt "$test_root/p.prompt" --into para --endpoint "$CLEAN/v1" "$test_root/in.jsonl" \
		--plain -o "$test_root/clean.jsonl" &&
	test "$(wc -l <"$test_root/clean.jsonl")" = "$N"
'

test_case "$N records through faults: all written once, same bytes" '
	smelt-gen --prompt "$test_root/p.prompt" --into para --endpoint "$FAULTY/v1" "$test_root/in.jsonl" \
		--timeout 2 --retries 25 --concurrency 128 --rejects rej.jsonl --stats st.json -o out.zst &&
	test ! -s rej.jsonl &&
	zstd -dcq out.zst >out.jsonl &&
	test "$(jq -r .id out.jsonl | sort | uniq -d | wc -l)" = 0 &&
	test_cmp "$test_root/clean.jsonl" out.jsonl &&
	cp st.json "$test_root/st.json"
'

test_case 'every cause was retried, within bounds' '
	st=$test_root/st.json &&
	jq -e ".llm.retries | .[\"429\"] > 0 and .[\"5xx\"] > 0 and .timeout > 0 and .bad_body > 0" $st &&
	jq -e ".llm.failed == 0 and .llm.rejected == 0 and .llm.ok == $N" $st &&
	jq -e ".llm.requests == .llm.ok + .llm.retries.total" $st &&
	retries=$(jq .llm.retries.total $st) &&
	echo "retries: $retries" &&
	test "$retries" -gt $((N * 30 / 100)) && test "$retries" -lt $((N * 80 / 100)) &&
	jq -e ".llm.retries.timeout < $N * 12 / 100" $st &&
	faults=$(curl -sS "$FAULTY/metrics" | jq "[.faults_by_kind[]] | add") &&
	echo "faults injected: $faults" &&
	test "$retries" -ge "$faults" &&
	test "$retries" -le $((faults + N / 50))
'

sim_stop_all
test_case 'smelt-sim exited cleanly' sim_exited_cleanly
test_done
