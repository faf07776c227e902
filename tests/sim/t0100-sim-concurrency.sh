#!/bin/sh
# serial: measures how many requests are in flight at once
# Simulated latency suspends connections instead of occupying threads:
# 1100 requests held at once by one server thread all get answered.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"

N=1100
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt $((N + 200)) ]; then
	test_skip 'concurrency' "open-file hard limit $hard is below $((N + 200))"
	test_case 'placeholder: limit too low to test' 'true'
	test_done
	exit
fi
ulimit -n "$hard" 2>/dev/null || ulimit -n $((N + 200))

sim_start --latency-ms 2000 --threads 1

cat >"$test_root/flood.js" <<'JS'
// flood.js N URL: N simultaneous chat requests on separate connections;
// prints the number answered 200 with a parseable completion.
const http = require('http');
const n = Number(process.argv[2]), url = new URL(process.argv[3]);
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
let done = 0, ok = 0;
for (let i = 0; i < n; i++) {
	const body = JSON.stringify({ messages: [{ role: 'user', content: `request ${i}: why is the sea salty?` }] });
	const req = http.request({ agent, host: url.hostname, port: url.port, method: 'POST',
		path: '/v1/chat/completions',
		headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
		(res) => {
			let data = '';
			res.on('data', (c) => { data += c; });
			res.on('end', () => {
				try {
					if (res.statusCode === 200 && JSON.parse(data).choices.length === 1) ok++;
				} catch (e) { /* counted as not ok */ }
				if (++done === n) console.log(ok);
			});
		});
	req.on('error', (e) => { console.error(e.message); if (++done === n) console.log(ok); });
	req.end(body);
}
JS

test_case "$N concurrent slow requests are all answered" '
	node "$test_root/flood.js" $N "$SIM_URL" >answered &&
	test "$(cat answered)" = $N &&
	curl -sS "$SIM_URL/metrics" >m &&
	test "$(jq .connections_peak m)" -ge 1024 &&
	test "$(jq ".by_status[\"200\"]" m)" = $N
'

sim_start --latency-ms 300 --per-token-ms 1 --threads 2
test_case 'a thread pool serves suspended connections too' '
	node "$test_root/flood.js" 300 "$SIM_URL" >answered &&
	test "$(cat answered)" = 300
'

sim_stop_all
test_case 'smelt-sim exits 0 on SIGTERM' 'sim_exited_cleanly'
test_done
