# tests/llm/lib-endpoints.sh — helpers for the endpoints-file tests, local
# (t0190) and on the Slurm test cluster (tests/slurm/t0500). Source after
# tests/lib.sh and tests/llm/lib-llm.sh.
#
# The runs are driven in phases: records go into a FIFO the stage reads, and
# each phase waits for what the servers' /metrics (or the stage's messages)
# say has happened, so nothing depends on how fast the machine is. Each
# wait is bounded (60 s) only so that a broken build fails instead of hanging.

# wait_for WHAT CMD...: run CMD every 0.1 s until it succeeds (at most 60 s).
wait_for() {
	wf_what=$1
	shift
	wf_i=0
	until "$@"; do
		wf_i=$((wf_i + 1))
		if [ "$wf_i" -gt 600 ]; then
			echo "gave up waiting for $wf_what" >&2
			return 1
		fi
		sleep 0.1
	done
}

# chats URL: chat completions a smelt-sim at URL (no /v1) has received.
chats() {
	curl -sS "$1/metrics" | jq '.by_route["/v1/chat/completions"]'
}

# chats_over URL N: it has received more than N.
chats_over() {
	test "$(chats "$1")" -gt "$2"
}

# answered_over URL N: it has sent more than N successful chat answers.
answered_over() {
	test "$(curl -sS "$1/metrics" |
		jq '.by_status["200"] - .by_route["/health"] - .by_route["/v1/models"]')" -gt "$2"
}

# listed_up PORT FILE: the stage says the endpoint on PORT is up.
listed_up() {
	grep -q "endpoint http://[^ ]*:$1/v1 is up" "$2"
}

# records PREFIX N: N records with ids PREFIX1..PREFIXN.
records() {
	awk -v n="$2" -v p="$1" 'BEGIN {
		for (i = 1; i <= n; i++)
			printf "{\"id\":\"%s%d\",\"text\":\"Record %s%d asks about topic %d.\"}\n", p, i, p, i, i % 31
	}'
}

# drop_line FILE PATTERN: remove the lines holding PATTERN, by rename as a
# server job's exit trap does (grep -v into a temporary, then mv).
drop_line() {
	grep -v -- "$2" "$1" >"$1.tmp.$$"
	mv -f "$1.tmp.$$" "$1"
}

# ep_stat STATS PORT FIELD: a field of the stats of the endpoint on PORT.
ep_stat() {
	jq -r --arg p ":$2/v1" --arg f "$3" \
		'.llm.endpoints | to_entries[] | select(.key | endswith($p)) | .value[$f]' "$1"
}

# The run both tests make, in the current directory: smelt-gen
# --endpoints-file EPS reads 3 x 512 records from a FIFO (the stage loop
# hands records on in batches of 512), the servers' base URLs in U1, U2, U3.
#   1. the first 512; once all three have answered, the caller's `server_leaves`
#      makes server 3 go (killed, its line removed); what 1 and 2 had
#      answered then goes to ./at-leave;
#   2. the next 512; once 1 and 2 have answered that many more, `server_joins`
#      lists a fourth server and sets P4 and U4;
#   3. once the stage says it is up, the last 512; once it had traffic, EOF.
# Leaves gen.err, st.json, out.jsonl, rej.jsonl. On a failed wait the stage
# is killed, so that the test fails instead of hanging.
phased_run() {
	mkfifo in.fifo || return 1
	smelt-gen --prompt "$R/p.prompt" --into para --endpoints-file "$1" --concurrency 6 \
		--stats st.json --rejects rej.jsonl -o out.jsonl in.fifo 2>gen.err &
	pr_gen=$!
	# opened after the stage started, so that it holds no writer of its own input
	exec 3>in.fifo
	records a 512 >&3 &&
	wait_for "answers from all three" all_three_answered &&
	server_leaves &&
	echo "$(chats "$U1") $(chats "$U2")" >at-leave &&
	records b 512 >&3 &&
	wait_for "the two left to answer the next 512" two_left_answered 512 &&
	server_joins &&
	wait_for "the added server to be up" listed_up "$P4" gen.err &&
	records c 512 >&3 &&
	wait_for "traffic on the added server" chats_over "$U4" 0
	pr_ok=$?
	exec 3>&-
	[ "$pr_ok" = 0 ] || kill "$pr_gen"
	wait "$pr_gen" || pr_ok=1
	cat gen.err
	[ "$pr_ok" = 0 ] &&
	test "$(wc -l <out.jsonl)" = 1536 &&
	test "$(jq -r .id out.jsonl | sort -u | wc -l)" = 1536 &&
	test ! -s rej.jsonl
}

all_three_answered() {
	answered_over "$U1" 0 && answered_over "$U2" 0 && answered_over "$U3" 0
}

# two_left_answered N: servers 1 and 2 answered N more since ./at-leave.
two_left_answered() {
	read tl1 tl2 <at-leave &&
	test $(($(chats "$U1") + $(chats "$U2"))) -ge $((tl1 + tl2 + $1))
}

# spread_shown STATS AT_LEAVE: --stats of phased_run (ports P1..P4) shows
# every record answered, answers from all four servers, server 3 removed,
# and servers 1 and 2 answering after it left; the new server's count
# equals what it says it answered.
spread_shown() {
	jq -c ".llm.endpoints" "$1" &&
	jq -e ".llm.ok == 1536 and .llm.failed == 0 and .llm.rejected == 0" "$1" &&
	for p in $P1 $P2 $P3 $P4; do
		test "$(ep_stat "$1" $p ok)" -gt 0 || return 1
	done &&
	test "$(ep_stat "$1" $P3 state)" = removed &&
	for p in $P1 $P2 $P4; do
		test "$(ep_stat "$1" $p state)" = up || return 1
	done &&
	read sp1 sp2 <"$2" &&
	test "$(chats "$U1")" -gt "$sp1" && test "$(chats "$U2")" -gt "$sp2" &&
	test "$(ep_stat "$1" $P4 ok)" = "$(chats "$U4")"
}
