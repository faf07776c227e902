#!/bin/sh
# serial: kills runs at request counts it waits for
# No answer is paid for twice beyond what was in flight: kill -9 a
# 20,000-record run at a random moment, rerun it with the same cache to
# the end, and the server (one smelt-sim across both runs) has received at
# most 20,000 + --concurrency requests in all; the output is the
# uninterrupted run's. Several rounds, each killed at a different moment.
# Replies are one token, so a round takes a few seconds.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
. "$SMELT_TOP/tests/llm/lib-llm.sh"

N=${LLM_KILL_N:-20000}
C=16
ROUNDS=${LLM_KILL_ROUNDS:-3}
R=$test_root
awk -v n=$N 'BEGIN { for (i = 1; i <= n; i++) printf "{\"id\":\"k%d\",\"text\":\"w%d\"}\n", i, i }' >$R/in.jsonl
printf -- '---\nparse: text\nmodel: smelt-sim\nmax_tokens: 1\n---\n=== user ===\n{{text}}\n' >$R/p.prompt

sim_start --threads 2

gen() {
	smelt-gen --prompt $R/p.prompt --into x --endpoint "$SIM_URL/v1" --concurrency $C "$@" $R/in.jsonl
}

test_case 'reference: an uninterrupted run' '
	gen --plain -o $R/ref.jsonl &&
	test "$(wc -l <$R/ref.jsonl)" = $N
'

# Kill after a random number of answers in [1, N/2], different each round.
seed=$$
round=1
while [ $round -le $ROUNDS ]; do
	at=$(awk -v s=$((seed + round)) -v n=$N 'BEGIN { srand(s); print 1 + int(rand() * n / 2) }')
	test_case "round $round: kill -9 after about $at answers, rerun: at most $N + $C requests" '
		curl -sS -X POST "$SIM_URL/metrics/reset" >/dev/null &&
		smelt-gen --prompt $R/p.prompt --into x --endpoint "$SIM_URL/v1" --concurrency $C \
			--cache cache $R/in.jsonl -o killed.zst 2>killed.err &
		pid=$! &&
		tries=0 &&
		until [ "$(metric generations_total)" -ge '$at' ]; do
			tries=$((tries + 1)); [ $tries -lt 2000 ] || return 1; sleep 0.01
		done &&
		kill -9 $pid && { wait $pid; true; } &&
		killed=$(metric requests_total) &&
		gen --cache cache --plain --stats st.json -o resumed.jsonl &&
		total=$(metric requests_total) &&
		echo "asked $killed before the kill, $total in all" &&
		test "$killed" -lt $N &&
		test "$total" -le $((N + C)) &&
		test_cmp $R/ref.jsonl resumed.jsonl &&
		jq -e ".llm.cache_hits + .llm.requests == $N" st.json
	'
	round=$((round + 1))
done

sim_stop_all
test_case 'smelt-sim exited cleanly' sim_exited_cleanly
test_done
