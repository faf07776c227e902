#!/bin/sh
# serial: waits on connection timing
# The server's own limits: a request body over --max-body gets 413 without
# being held in memory (before, 8 uploads of 250 MiB took the server to 2 GB
# and were answered 400), idle connections are closed after --idle-timeout,
# --max-connections caps the connections open at once, and --api-key-env
# keeps the key off the command line that ps shows.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"

# hwm PID: the peak resident set of a process, in kB.
hwm() { sed -n 's/^VmHWM:[^0-9]*\([0-9]*\) kB$/\1/p' "/proc/$1/status"; }
# upload URL_PATH FILE [curl options]: POST FILE as the body, print the status.
upload() {
	up_path=$1 up_file=$2
	shift 2
	curl -sS -o body -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		-T "$up_file" "$@" "$SIM_URL$up_path"
}
# idle_close PORT [SECONDS]: open a TCP connection, send nothing, print after
# how many seconds the server closed it ("open" if it had not after SECONDS).
cat >"$test_root/idle.js" <<'JS'
const net = require('net');
const t0 = Date.now(), wait = Number(process.argv[3] || 10) * 1000;
const s = net.connect(Number(process.argv[2]), '127.0.0.1');
const give_up = setTimeout(() => { s.removeAllListeners('close'); console.log('open'); s.destroy(); }, wait);
s.on('close', () => { clearTimeout(give_up); console.log(((Date.now() - t0) / 1000).toFixed(1)); });
s.on('error', () => {});
JS
idle_close() { node "$test_root/idle.js" "$@"; }
# seconds_between T0 T1 (date +%s.%N values)
seconds_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f\n", b - a }'; }

# Servers start here, outside the cases (each case runs in a subshell):
# use NAME sets SIM_URL, SIM_PORT and SIM_PID to server NAME's.
start() { # NAME smelt-sim options...
	st_name=$1
	shift
	sim_start "$@" || exit 1
	eval "url_$st_name=\$SIM_URL port_$st_name=\$SIM_PORT pid_$st_name=\$SIM_PID"
}
use() { eval "SIM_URL=\$url_$1 SIM_PORT=\$port_$1 SIM_PID=\$pid_$1"; }

SIM_TEST_KEY=sk-sim-secret-0110
export SIM_TEST_KEY
start key --api-key-env SIM_TEST_KEY
unset SIM_TEST_KEY
start flood
start slow --idle-timeout 1 --latency-ms 2500
start forever --idle-timeout 0
start capped --threads 1 --max-connections 2 --idle-timeout 2
start small --max-body 1M --idle-timeout 1
big="$test_root/big"
truncate -s 100M "$big"

test_case 'a body announced over --max-body gets 413 before it is sent' '
	test "$(upload /v1/chat/completions "$big")" = 413 &&
	jq -e ".error.message == \"request body too large\"" body
'

test_case 'a body sent without waiting for 100-continue is dropped, then 413' '
	test "$(upload /v1/chat/completions "$big" -H "Expect:")" = 413 &&
	test "$(upload /pooling "$big" -H "Expect:")" = 413
'

test_case 'a chunked body over the limit is dropped as it arrives, then 413' '
	head -c 20000000 /dev/zero >chunks &&
	test "$(upload /v1/chat/completions - <chunks)" = 413 &&
	test "$(sim_code /v1/chat/completions "$(chat_body hello)")" = 200
'

test_case 'a body just under the limit is still served' '
	{ printf "{\"messages\":[{\"role\":\"user\",\"content\":\""
	  head -c 1000000 /dev/zero | tr "\0" x; printf "\"}]}"; } >req.json &&
	test "$(wc -c <req.json)" -lt 1048576 &&
	test "$(sim_code /v1/chat/completions @req.json)" = 200
'

test_case 'the checks above left the server small' '
	test "$(hwm "$SIM_PID")" -lt 65536
'

test_case 'an idle connection is closed after --idle-timeout' '
	t=$(idle_close "$SIM_PORT" 10) && echo "closed after $t s" &&
	test "$t" != open &&
	awk -v t="$t" "BEGIN { exit !(t >= 0.5 && t < 5) }"
'

test_case 'an answer delayed past the idle timeout is still sent' '
	use slow &&
	test "$(sim_code /v1/chat/completions "$(chat_body hello)")" = 200 &&
	jq -e ".choices[0].message.content | length > 0" body
'

test_case 'with --idle-timeout 0 an idle connection stays open' '
	use forever &&
	test "$(idle_close "$SIM_PORT" 3)" = open
'

test_case '8 concurrent 100 MiB uploads: 413 each, server stays under 64 MiB' '
	use flood &&
	pids="" &&
	for i in 1 2 3 4 5 6 7 8; do
		curl -sS -o /dev/null -w "%{http_code}\n" -X POST -H "Content-Type: application/json" \
			-T "$big" "$SIM_URL/v1/chat/completions" >code.$i &
		pids="$pids $!"
	done &&
	wait $pids &&
	cat code.* | sort -u >codes && echo 413 >want && test_cmp want codes &&
	echo "VmHWM $(hwm "$SIM_PID") kB" && test "$(hwm "$SIM_PID")" -lt 65536
'

test_case '--max-connections: a connection over the cap waits for a free slot' '
	use capped &&
	{ idle_close "$SIM_PORT" 10 >idle1 & } && { idle_close "$SIM_PORT" 10 >idle2 & } &&
	sleep 0.5 &&
	t0=$(date +%s.%N) &&
	curl -sS -m 10 "$SIM_URL/metrics" >metrics &&
	t1=$(date +%s.%N) && waited=$(seconds_between "$t0" "$t1") && echo "waited $waited s" &&
	awk -v t="$waited" "BEGIN { exit !(t >= 0.8) }" &&
	jq -e ".connections_peak <= 2" metrics &&
	wait &&
	cat idle1 idle2 && ! grep -q open idle1 idle2
'

test_case '--api-key-env: the key works and is not on the command line' '
	use key &&
	tr "\0" " " <"/proc/$SIM_PID/cmdline" >cmdline && cat cmdline &&
	grep -q -- "--api-key-env SIM_TEST_KEY" cmdline &&
	! grep -q sk-sim-secret-0110 cmdline &&
	test "$(curl -sS -o /dev/null -w "%{http_code}" "$SIM_URL/v1/models")" = 401 &&
	test "$(curl -sS -o /dev/null -w "%{http_code}" -H "Authorization: Bearer sk-sim-secret-0110" \
		"$SIM_URL/v1/models")" = 200
'

test_case 'bad limits and an unset key variable are usage errors' '
	test_status 2 smelt-sim --api-key-env SIM_NO_SUCH_VARIABLE_0110 2>err &&
	grep -q "variable .SIM_NO_SUCH_VARIABLE_0110. is not set" err &&
	test_status 2 smelt-sim --max-body 0 2>err && grep -q "bad size .0. for --max-body" err &&
	test_status 2 smelt-sim --max-body 12Q 2>err &&
	test_status 2 smelt-sim --idle-timeout -1 2>err &&
	test_status 2 smelt-sim --max-connections 0 2>err
'

sim_stop_all
test_case 'every smelt-sim exits 0 on SIGTERM' 'sim_exited_cleanly'
test_done
