# tests/llm/lib-llm.sh — helpers for the LLM engine and smelt-gen tests.
# Source after tests/lib.sh and tests/sim/lib-sim.sh.
#
# The tests start smelt-sim with --threads 2: with a single server thread it
# now and then stops reading a burst of new connections (requests sit unread
# in its sockets until the client's timeout), which any client sees.

# make_records N [PREFIX]: N small records with distinct ids and texts.
make_records() {
	awk -v n="$1" -v p="${2:-r}" 'BEGIN {
		for (i = 1; i <= n; i++)
			printf "{\"id\":\"%s%d\",\"text\":\"Record %d asks about topic %d and detail %d.\"}\n", p, i, i, i % 97, i % 13
	}'
}

# A plain paraphrase prompt (text replies).
make_prompt() {
	printf -- '---\nparse: text\nmodel: smelt-sim\n---\n=== user ===\nParaphrase: {{text}}\n' >"${1:-p.prompt}"
}

# metric NAME: a counter from the current smelt-sim's /metrics.
metric() {
	curl -sS "$SIM_URL/metrics" | jq -r ".$1"
}

# The big runs (faults, resume): 5,000 records, under the sanitizers too
# (their time is mostly waiting on retries and latency, not CPU).
LLM_BIG=${LLM_BIG:-5000}
