#!/bin/sh
# Fault injection: each kind at rate 1 as a client sees it, and the
# arrival rule (the k-th arrival of a body faults by a hash of (seed, body,
# k, kind)) that makes retries succeed and sequences order-independent.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"

q=$(chat_body "What makes a good cup of tea in the morning?")

sim_start --fault-429 1 --retry-after 3
test_case '429 with Retry-After' '
	code=$(curl -sS -o body -D headers -w "%{http_code}" --data-binary "$q" "$SIM_URL/v1/chat/completions") &&
	test "$code" = 429 &&
	grep -i "^retry-after: 3" headers &&
	jq -e ".error.type == \"rate_limit_error\"" body
'
test_case 'faults hit /pooling and /classify but never /health, /metrics, /v1/models' '
	test "$(sim_code /pooling "{\"input\":\"x\"}")" = 429 &&
	test "$(sim_code /classify "{\"input\":\"x\"}")" = 429 &&
	test "$(curl -sS -o /dev/null -w "%{http_code}" "$SIM_URL/health")" = 200 &&
	test "$(curl -sS -o /dev/null -w "%{http_code}" "$SIM_URL/metrics")" = 200 &&
	test "$(curl -sS -o /dev/null -w "%{http_code}" "$SIM_URL/v1/models")" = 200
'
test_case 'client errors are never faulted' '
	test "$(sim_code /v1/chat/completions "{bad json")" = 400
'

sim_start --fault-5xx 1
test_case '5xx: 500, 502 or 503 with an error body' '
	for i in 1 2 3 4 5 6; do
		sim_code /v1/chat/completions "$(chat_body "question number $i")" || return 1
		echo
	done >codes &&
	! grep -v -E "^50[023]$" codes &&
	jq -e ".error.type == \"server_error\"" body
'

sim_start --fault-stall 1 --stall-seconds 1
test_case 'stall: held, then closed without a response' '
	test_status 52 curl -sS -m 20 -o body --data-binary "$q" "$SIM_URL/v1/chat/completions" &&
	test ! -s body
'

sim_start --fault-stall 1 --stall-seconds 60
test_case 'a stalled connection does not block others' '
	curl -sS -m 90 -o /dev/null --data-binary "$q" "$SIM_URL/v1/chat/completions" 2>/dev/null &
	pid=$! &&
	sleep 0.3 &&
	test "$(curl -sS -m 10 -o /dev/null -w "%{http_code}" "$SIM_URL/v1/models")" = 200 &&
	test "$(curl -sS -m 10 -o /dev/null -w "%{http_code}" "$SIM_URL/metrics")" = 200 &&
	kill -0 $pid &&
	kill $pid
'

sim_start --fault-truncate 1
test_case 'truncate: 200 with a Content-Length longer than the body sent' '
	test_status 18 curl -sS -D headers -o body --data-binary "$q" "$SIM_URL/v1/chat/completions" &&
	grep -q "^HTTP/1.1 200" headers &&
	len=$(sed -n "s/^[Cc]ontent-[Ll]ength: *\([0-9]*\).*/\1/p" headers) &&
	test "$(wc -c <body)" -lt "$len" &&
	! jq . body >/dev/null 2>&1
'

sim_start --fault-malformed 1
test_case 'malformed: 200 whose body is not JSON' '
	test "$(sim_code /v1/chat/completions "$q")" = 200 &&
	test -s body &&
	! jq . body >/dev/null 2>&1
'

sim_start --fault-drop 1
test_case 'drop: connection closed without a response' '
	test_status 52 curl -sS -o body --data-binary "$q" "$SIM_URL/v1/chat/completions"
'
test_case 'faults are counted by kind' '
	curl -sS "$SIM_URL/metrics" >m &&
	jq -e ".faults_by_kind.drop == 1 and .faults_by_kind[\"429\"] == 0" m
'

sim_start --fault-429 0.5 --fault-5xx 0.2 --seed 11
# statuses BODY N: the status codes of N arrivals of BODY
statuses() {
	for i in $(seq "$2"); do
		sim_code /v1/chat/completions "$1" || return 1
		echo
	done
}
test_case 'retries of one body eventually succeed' '
	statuses "$q" 40 >seq &&
	grep -q "^200$" seq &&
	grep -q -v "^200$" seq
'
test_case 'the fault sequence of a body repeats after /metrics/reset' '
	curl -sS -X POST "$SIM_URL/metrics/reset" >/dev/null &&
	statuses "$q" 12 >a &&
	curl -sS -X POST "$SIM_URL/metrics/reset" >/dev/null &&
	statuses "$q" 12 >b &&
	test_cmp a b
'
test_case 'the sequence does not depend on other bodies arriving in between' '
	other=$(chat_body "Something else entirely, about trains.") &&
	curl -sS -X POST "$SIM_URL/metrics/reset" >/dev/null &&
	statuses "$q" 12 >a &&
	curl -sS -X POST "$SIM_URL/metrics/reset" >/dev/null &&
	for i in $(seq 12); do
		statuses "$other" 2 >/dev/null &&
		statuses "$q" 1 || return 1
	done >b &&
	test_cmp a b
'

sim_stop_all
test_case 'smelt-sim exits 0 on SIGTERM' 'sim_exited_cleanly'
test_done
