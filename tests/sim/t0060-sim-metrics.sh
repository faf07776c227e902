#!/bin/sh
# GET /metrics counts what clients really did; POST /metrics/reset zeroes it.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"

a=$(chat_body "How do magnets work?" '{"n":2,"seed":1}')
b=$(chat_body "Why do cats purr?")
metric() { jq -r "$1" m; }

sim_start
test_case 'requests, generations, statuses and routes are counted' '
	curl -sS -X POST "$SIM_URL/metrics/reset" >/dev/null &&
	sim_post /v1/chat/completions "$a" >/dev/null &&
	sim_post /v1/chat/completions "$b" >/dev/null &&
	sim_post /v1/chat/completions "{oops" >/dev/null &&
	sim_post /pooling "{\"input\":\"x\"}" >/dev/null &&
	curl -sS "$SIM_URL/health" >/dev/null &&
	curl -sS "$SIM_URL/metrics" >m &&
	test "$(metric .requests_total)" = 5 &&
	test "$(metric .generations_total)" = 3 &&
	test "$(metric ".by_route[\"/v1/chat/completions\"]")" = 3 &&
	test "$(metric ".by_route[\"/pooling\"]")" = 1 &&
	test "$(metric ".by_route[\"/health\"]")" = 1 &&
	test "$(metric ".by_status[\"200\"]")" = 4 &&
	test "$(metric ".by_status[\"400\"]")" = 1 &&
	test "$(metric .answered_repeat_total)" = 0
'

test_case 'tokens add up to the usage of the answers' '
	curl -sS -X POST "$SIM_URL/metrics/reset" >/dev/null &&
	sim_post /v1/chat/completions "$a" >r1 &&
	sim_post /v1/chat/completions "$b" >r2 &&
	curl -sS "$SIM_URL/metrics" >m &&
	test "$(metric .completion_tokens_total)" = "$(jq -s "map(.usage.completion_tokens) | add" r1 r2)" &&
	test "$(metric .prompt_tokens_total)" = "$(jq -s "map(.usage.prompt_tokens) | add" r1 r2)"
'

test_case 'answered_repeat_total counts re-asked answered bodies' '
	curl -sS -X POST "$SIM_URL/metrics/reset" >/dev/null &&
	sim_post /v1/chat/completions "$a" >/dev/null &&
	sim_post /v1/chat/completions "$a" >/dev/null &&
	sim_post /v1/chat/completions "$b" >/dev/null &&
	sim_post /v1/chat/completions "$a" >/dev/null &&
	curl -sS "$SIM_URL/metrics" >m &&
	test "$(metric .answered_repeat_total)" = 2
'

test_case 'the canonical body ignores key order and whitespace' '
	curl -sS -X POST "$SIM_URL/metrics/reset" >/dev/null &&
	sim_post /v1/chat/completions "{\"seed\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}" >/dev/null &&
	sim_post /v1/chat/completions "{ \"messages\" : [ {\"content\":\"hi\", \"role\":\"user\"} ], \"seed\" : 4 }" >/dev/null &&
	curl -sS "$SIM_URL/metrics" >m &&
	test "$(metric .answered_repeat_total)" = 1
'

test_case 'reset zeroes the counters' '
	curl -sS -X POST "$SIM_URL/metrics/reset" >/dev/null &&
	curl -sS "$SIM_URL/metrics" >m &&
	test "$(metric .requests_total)" = 0 &&
	test "$(metric .generations_total)" = 0 &&
	test "$(metric .answered_repeat_total)" = 0 &&
	test "$(metric ".by_status | length")" = 0
'

sim_start --fault-429 0.8 --seed 3
c=$(chat_body "Where do rivers begin?")
test_case 'faulted answers are not answers: retries until 200 repeat nothing' '
	for body in "$a" "$b" "$c"; do
		for i in $(seq 60); do
			code=$(sim_code /v1/chat/completions "$body") &&
			echo "$code" &&
			test "$code" = 200 && break
		done
	done >codes &&
	test "$(grep -c "^200$" codes)" = 3 &&
	curl -sS "$SIM_URL/metrics" >m &&
	test "$(metric ".by_status[\"200\"]")" = 3 &&
	test "$(metric ".faults_by_kind[\"429\"]")" = "$(grep -c "^429$" codes)" &&
	test "$(metric ".by_status[\"429\"]")" = "$(grep -c "^429$" codes)" &&
	test "$(grep -c "^429$" codes)" -ge 1 &&
	test "$(metric .generations_total)" = 4 &&
	test "$(metric .answered_repeat_total)" = 0
'

sim_stop_all
test_case 'smelt-sim exits 0 on SIGTERM' 'sim_exited_cleanly'
test_done
