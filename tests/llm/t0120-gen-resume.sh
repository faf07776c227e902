#!/bin/sh
# serial: kills the run when a third of the records are answered
# Crash and resume: kill -9 a 5,000-record run midway, rerun with the same
# cache: the output equals an uninterrupted run's, and the server answered
# no request twice beyond those in flight at the kill. A rerun of a
# finished stage asks nothing.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
. "$SMELT_TOP/tests/llm/lib-llm.sh"

N=$LLM_BIG
C=64
make_records "$N" >"$test_root/in.jsonl"
make_prompt "$test_root/p.prompt"
R=$test_root

sim_start --threads 2
REF=$SIM_URL
sim_start --threads 2 --latency-ms 60

test_case 'reference: an uninterrupted run' '
	smelt-gen --prompt $R/p.prompt --into para --endpoint "$REF/v1" $R/in.jsonl --plain -o $R/ref.jsonl &&
	test "$(wc -l <$R/ref.jsonl)" = "$N"
'

test_case 'kill -9 midway, rerun with the same cache' '
	smelt-gen --prompt $R/p.prompt --into para --endpoint "$SIM_URL/v1" --concurrency $C \
		--cache cache $R/in.jsonl -o killed.zst 2>killed.err &
	pid=$! &&
	tries=0 &&
	until [ "$(metric generations_total)" -ge $((N / 3)) ]; do
		tries=$((tries + 1)); [ $tries -lt 600 ] || return 1; sleep 0.05
	done &&
	kill -9 $pid && { wait $pid; true; } &&
	asked=$(metric generations_total) &&
	echo "killed after $asked answers" &&
	test "$asked" -lt "$N" &&
	smelt-gen --prompt $R/p.prompt --into para --endpoint "$SIM_URL/v1" --concurrency $C \
		--cache cache $R/in.jsonl --plain --stats st.json -o resumed.jsonl &&
	test_cmp $R/ref.jsonl resumed.jsonl &&
	repeats=$(metric answered_repeat_total) &&
	echo "answered twice: $repeats" &&
	test "$repeats" -le $C &&
	jq -e ".llm.cache_hits + .llm.requests == $N and .llm.cache_hits > 0" st.json &&
	test "$(metric generations_total)" -le $((N + C))
'

test_case 'a rerun of the finished stage asks nothing' '
	cp -r "$test_root/2/cache" cache &&
	before=$(metric requests_total) &&
	smelt-gen --prompt $R/p.prompt --into para --endpoint "$SIM_URL/v1" --cache cache \
		$R/in.jsonl --plain --stats st.json -o again.jsonl &&
	test "$(metric requests_total)" = "$before" &&
	test_cmp $R/ref.jsonl again.jsonl &&
	jq -e ".llm.requests == 0 and .llm.cache_hits == $N" st.json
'

sim_stop_all
test_case 'smelt-sim exited cleanly' sim_exited_cleanly
test_done
