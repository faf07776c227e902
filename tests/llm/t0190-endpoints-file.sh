#!/bin/sh
# serial: kills and adds servers at moments it waits for
# --endpoints-file: three smelt-sim servers listed in a file share a run;
# one is killed mid-run (kill -9, requests in flight on it) and its line
# removed, a fourth is added mid-run, a bad line and a dead URL are there
# from the start. Every record comes out once, --stats shows requests on
# all three and then only on the two left, then on the new one too. An
# empty file makes the run wait (and say so) until a server is listed, and
# give up after --endpoints-wait.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
. "$SMELT_TOP/tests/llm/lib-llm.sh"
. "$SMELT_TOP/tests/llm/lib-endpoints.sh"

R=$test_root
make_prompt "$R/p.prompt"
unset OPENAI_API_KEY

sim_start --threads 2 --latency-ms 5
U1=$SIM_URL P1=$SIM_PORT
sim_start --threads 2 --latency-ms 5
U2=$SIM_URL P2=$SIM_PORT
# the one to be killed answers slowly, so it surely has requests in flight then
sim_start --threads 2 --latency-ms 300
U3=$SIM_URL P3=$SIM_PORT PID3=$SIM_PID
sim_start --threads 2 --latency-ms 5
U4=$SIM_URL P4=$SIM_PORT

# phased_run's hooks: server 3 dies with requests in flight and its line
# goes; server 4 is appended.
server_leaves() {
	kill -9 "$PID3" && drop_line eps ":$P3/"
}
server_joins() {
	echo "$U4/v1" >>eps
}

test_case 'three servers, one killed and one added mid-run: every record once' '
	{
		echo "# servers of this run"
		echo "$U1/v1"
		echo "http://user:hunter2@127.0.0.1:$P2/v1/   # credentials are never shown"
		echo "$U3/v1"
		echo "not-a-url"
		echo "http://127.0.0.1:1/v1"
	} >eps &&
	phased_run eps &&
	cp gen.err st.json out.jsonl at-leave "$R/"
'

test_case '--stats: requests on all three, then on the two left and the new one' '
	spread_shown "$R/st.json" "$R/at-leave" &&
	# each ok answer is one the server sent: the stats agree with the servers
	test "$(ep_stat "$R/st.json" $P1 ok)" = "$(chats "$U1")" &&
	jq -c .llm.endpoints_file "$R/st.json" &&
	jq -e ".llm.endpoints_file | .reads >= 2 and .bad_lines == 1 and .up == 3" "$R/st.json"
'

test_case 'the killed server: what failed on it was retried on the others' '
	st=$R/st.json &&
	test "$(ep_stat $st $P3 requests)" -gt "$(ep_stat $st $P3 ok)" &&
	jq -e ".llm.retries.connection > 0 and .llm.requests == .llm.ok + .llm.retries.total" $st &&
	grep -q "endpoint http://127.0.0.1:$P3/v1 left eps" "$R/gen.err"
'

test_case 'a bad line and a dead URL are reported, rested, not fatal' '
	st=$R/st.json &&
	grep -q "eps:5: not an http:// or https:// URL: .not-a-url.; line ignored" "$R/gen.err" &&
	grep -q "endpoint http://127.0.0.1:1/v1 (eps) failed its health check" "$R/gen.err" &&
	test "$(ep_stat $st 1 requests)" = 0 &&
	test "$(ep_stat $st 1 state)" = checking &&
	test "$(ep_stat $st 1 rests)" -ge 1 &&
	ep_stat $st 1 last_error | grep -q "Could.*connect"
'

test_case 'URL credentials are never shown' '
	! grep -l hunter2 "$R/gen.err" "$R/st.json" "$R/out.jsonl" &&
	test "$(ep_stat "$R/st.json" $P2 ok)" -gt 0
'

test_case 'an empty file: the run waits, says so, and goes on once a server is listed' '
	make_records 50 >in.jsonl &&
	: >eps || exit 1
	smelt-gen --prompt "$R/p.prompt" --into para --endpoints-file eps --endpoints-wait 120 \
		--stats st.json -o out.jsonl in.jsonl 2>gen.err &
	gen=$!
	wait_for "the waiting warning" grep -q "no usable endpoint in eps yet: the file lists no endpoint; requests wait up to 120 s" gen.err &&
	echo "$U1/v1" >>eps &&
	wait "$gen" &&
	cat gen.err &&
	test "$(wc -l <out.jsonl)" = 50 &&
	jq -e ".llm.endpoints_file.waited_seconds > 0" st.json
'

test_case 'no usable endpoint for --endpoints-wait: exit 1, one line saying why' '
	make_records 5 >in.jsonl &&
	echo "http://127.0.0.1:1/v1" >eps &&
	test_status 1 smelt-gen --prompt "$R/p.prompt" --into para --endpoints-file eps \
		--endpoints-wait 1 -o out.jsonl in.jsonl 2>err &&
	cat err &&
	grep -q "fatal: no usable endpoint in eps for 1 s (--endpoints-wait): http://127.0.0.1:1/v1 (.*connect" err &&
	test ! -e out.jsonl
'

test_case 'a missing folder for the endpoints file is a usage error' '
	make_records 1 >in.jsonl &&
	test_status 2 smelt-gen --prompt "$R/p.prompt" --into para --endpoints-file nodir/eps in.jsonl 2>err &&
	grep -q "endpoints-file nodir/eps: its folder does not exist" err
'

sim_stop_all
test_case 'the servers left exited cleanly' '
	cat "$test_root"/sim*.err &&
	# the killed one exits 137; the others 0
	test "$(grep -c "^0$" "$test_root/sim-status")" = 3
'
test_done
