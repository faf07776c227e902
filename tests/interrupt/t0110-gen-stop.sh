#!/bin/sh
# serial: signals a run at a moment and measures the grace period
# smelt-gen stopped mid-run against a slow smelt-sim: kill -9 and SIGTERM
# leave no out.jsonl.zst (and SIGTERM no temporary), SIGTERM exits 143
# after a graceful stop that says how to resume, a second SIGTERM exits at
# once, and a rerun with the same --cache equals an uninterrupted run.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
. "$SMELT_TOP/tests/llm/lib-llm.sh"

N=300
make_records "$N" >"$test_root/in.jsonl"
make_prompt "$test_root/p.prompt"
R=$test_root

sim_start --threads 2
REF=$SIM_URL
sim_start --threads 2 --latency-ms 20000
SLOW=$SIM_URL
sim_start --threads 2 --latency-ms 40

# gen ARGS...: the run every case makes, slow enough to be caught mid-way;
# gen_bg runs it in the background with its pid in $pid (not a subshell's:
# the signals must reach smelt-gen).
gen() {
	smelt-gen --prompt $R/p.prompt --into para --endpoint "$SIM_URL/v1" --concurrency 4 \
		--cache cache $R/in.jsonl "$@"
}
gen_bg() {
	smelt-gen --prompt $R/p.prompt --into para --endpoint "${URL:-$SIM_URL}/v1" --concurrency 4 \
		--cache cache $R/in.jsonl "$@" 2>err &
	pid=$!
}

# wait_answers N: until the simulator has answered N more requests than at start.
wait_answers() {
	wa_want=$(($(metric generations_total) + $1)) wa_tries=0
	until [ "$(metric generations_total)" -ge $wa_want ]; do
		wa_tries=$((wa_tries + 1)); [ $wa_tries -lt 600 ] || return 1; sleep 0.05
	done
}

no_temporaries() {
	if ls -A | grep -q "\.tmp-"; then
		echo "temporaries left:"; ls -A; return 1
	fi
}

test_case 'reference: an uninterrupted run' '
	smelt-gen --prompt $R/p.prompt --into para --endpoint "$REF/v1" $R/in.jsonl --plain -o $R/ref.jsonl &&
	test "$(wc -l <$R/ref.jsonl)" = "$N"
'

test_case 'kill -9 mid-run: no out.jsonl.zst; the rerun with the same cache equals the reference' '
	gen_bg -o out.jsonl.zst &&
	wait_answers 40 &&
	kill -9 $pid && { wait $pid; true; } &&
	test ! -e out.jsonl.zst &&
	gen -o out.jsonl.zst --stats st.json &&
	smelt-cat --plain out.jsonl.zst >got && test_cmp $R/ref.jsonl got &&
	jq -e ".llm.cache_hits >= 40" st.json
'

test_case 'SIGTERM mid-run: 143, the resume line, no output, no temporary; the rerun resumes' '
	gen_bg --stop-grace 1 --rejects rej.jsonl --stats st.json -o out.jsonl.zst &&
	wait_answers 40 &&
	kill -TERM $pid && { wait $pid; status=$?; } &&
	test "$status" = 143 &&
	grep -q "stopped by SIGTERM; to resume, rerun the same command with the same --cache" err &&
	test ! -e out.jsonl.zst && test ! -e rej.jsonl && test ! -e st.json &&
	no_temporaries &&
	asked=$(metric generations_total) &&
	gen --stats st.json -o out.jsonl.zst &&
	smelt-cat --plain out.jsonl.zst >got && test_cmp $R/ref.jsonl got &&
	jq -e ".llm.cache_hits >= 40 and .llm.cache_hits + .llm.requests == $N" st.json
'

test_case 'a second SIGTERM during the grace period exits at once' '
	URL=$SLOW gen_bg --stop-grace 60 -o out.jsonl.zst &&
	sleep 1 &&
	kill -TERM $pid && sleep 0.5 &&
	kill -0 $pid &&
	t0=$(date +%s) &&
	kill -TERM $pid && { wait $pid; status=$?; } &&
	test "$status" = 143 &&
	test $(($(date +%s) - t0)) -le 2 &&
	grep -q "stopped by SIGTERM (a second signal)" err &&
	test ! -e out.jsonl.zst && no_temporaries
'

test_case 'the grace period ends the wait: requests still in flight are abandoned' '
	URL=$SLOW gen_bg --stop-grace 1 -o out.jsonl.zst &&
	sleep 1 &&
	t0=$(date +%s) &&
	kill -TERM $pid && { wait $pid; status=$?; } &&
	test "$status" = 143 &&
	test $(($(date +%s) - t0)) -le 4 &&
	test ! -e out.jsonl.zst && no_temporaries
'

sim_stop_all
test_case 'smelt-sim exited cleanly' sim_exited_cleanly
test_done
