#!/bin/sh
# A configuration that cannot work ends at once with exit 1 and one clear
# line naming the endpoint and the status — not with a reject per record.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
. "$SMELT_TOP/tests/llm/lib-llm.sh"

make_records 2000 >"$test_root/in.jsonl"
make_prompt "$test_root/p.prompt"
R=$test_root

# one line on stderr, containing each of the given patterns
one_line() {
	cat err &&
	test "$(wc -l <err)" = 1 &&
	for p in "$@"; do grep -q -- "$p" err || return 1; done
}

# a port nothing listens on: bind one, learn it, close it
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

test_case 'unreachable endpoint: exit 1, one line' '
	port=$(free_port) &&
	test_status 1 smelt-gen --prompt $R/p.prompt --into x --endpoint http://127.0.0.1:$port/v1 \
		$R/in.jsonl --rejects rej.jsonl -o out.zst 2>err &&
	one_line "127.0.0.1:$port/v1" "reach" &&
	test ! -s rej.jsonl
'

test_case 'two unreachable endpoints are both named' '
	p1=$(free_port) && p2=$(free_port) &&
	test_status 1 smelt-gen --prompt $R/p.prompt --into x --endpoint http://127.0.0.1:$p1/v1 \
		--endpoint http://127.0.0.1:$p2/v1 $R/in.jsonl -o out.zst 2>err &&
	one_line "127.0.0.1:$p1/v1" "127.0.0.1:$p2/v1"
'

test_case 'unreachable endpoint with --retries 0' '
	port=$(free_port) &&
	test_status 1 smelt-gen --prompt $R/p.prompt --into x --endpoint http://127.0.0.1:$port/v1 \
		--retries 0 $R/in.jsonl --rejects rej.jsonl -o out.zst 2>err &&
	one_line "127.0.0.1:$port/v1" && test ! -s rej.jsonl
'

sim_start --threads 2 --api-key right-key
test_case 'unknown model: 404, exit 1, one line' '
	OPENAI_API_KEY=right-key test_status 1 smelt-gen --prompt $R/p.prompt --into x \
		--endpoint "$SIM_URL/v1" --model no-such-model $R/in.jsonl --rejects rej.jsonl -o out.zst 2>err &&
	one_line "$SIM_URL/v1" "HTTP 404" "no-such-model" && test ! -s rej.jsonl
'

test_case 'wrong key: 401, exit 1, one line' '
	OPENAI_API_KEY=wrong-key test_status 1 smelt-gen --prompt $R/p.prompt --into x \
		--endpoint "$SIM_URL/v1" $R/in.jsonl --rejects rej.jsonl -o out.zst 2>err &&
	one_line "$SIM_URL/v1" "HTTP 401" && test ! -s rej.jsonl
'

test_case 'no key at all: 401 too' '
	(unset OPENAI_API_KEY; test_status 1 smelt-gen --prompt $R/p.prompt --into x \
		--endpoint "$SIM_URL/v1" $R/in.jsonl -o out.zst 2>err) &&
	one_line "HTTP 401"
'

test_case 'wrong path (no /v1): 404 names the endpoint' '
	OPENAI_API_KEY=right-key test_status 1 smelt-gen --prompt $R/p.prompt --into x \
		--endpoint "$SIM_URL" $R/in.jsonl -o out.zst 2>err &&
	one_line "$SIM_URL" "HTTP 404"
'

test_case 'the right key works' '
	make_records 20 >in.jsonl &&
	OPENAI_API_KEY=right-key smelt-gen --prompt $R/p.prompt --into x --endpoint "$SIM_URL/v1" in.jsonl --plain -o out.jsonl &&
	test "$(wc -l <out.jsonl)" = 20
'

test_case '--api-key-env naming an unset variable is an error' '
	test_status 1 smelt-gen --prompt $R/p.prompt --into x --endpoint "$SIM_URL/v1" \
		--api-key-env SMELT_NO_SUCH_VARIABLE_X in.jsonl -o out.zst 2>err </dev/null &&
	grep -q SMELT_NO_SUCH_VARIABLE_X err
'

sim_stop_all
test_case 'smelt-sim exited cleanly' sim_exited_cleanly
test_done
