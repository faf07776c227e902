#!/bin/sh
# The API key is sent, and never shows: a marker key appears in no output,
# rejects, stats, stderr (progress included) or cache file. A server that
# echoes the key has it masked however short it is (a small node server
# plays that part; see also tests/unit/test_llm_engine.c). Credentials in
# an endpoint URL (http://user:password@host/v1) never show either.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
. "$SMELT_TOP/tests/llm/lib-llm.sh"

MARKER=sk-MARKER-7f3a9c1e5d
R=$test_root
make_records 200 >$R/in.jsonl
make_prompt $R/p.prompt

sim_start --threads 2 --api-key "$MARKER" --fault-5xx 0.2
test_case 'a run with the key in OPENAI_API_KEY works' '
	echo "{\"id\":\"bad\",\"text\":\"x\",\"images\":[\"data:image/png;base64,AAAA\"]}" >>$R/in.jsonl &&
	OPENAI_API_KEY=$MARKER smelt-gen --prompt $R/p.prompt --into para --endpoint "$SIM_URL/v1" \
		--cache $R/cache --stats $R/st.json --rejects $R/rej.jsonl --progress $R/in.jsonl \
		-o $R/out.zst 2>$R/stderr &&
	test "$(zstd -dc $R/out.zst | wc -l)" = 200 &&
	jq -e ".llm.retries[\"5xx\"] > 0" $R/st.json
'

test_case 'and with --api-key-env' '
	SMELT_TEST_KEY=$MARKER smelt-gen --api-key-env SMELT_TEST_KEY --prompt $R/p.prompt --into para \
		--endpoint "$SIM_URL/v1" $R/in.jsonl --stats $R/st2.json --rejects $R/rej2.jsonl -o $R/out2.zst 2>$R/stderr2
'

test_case 'a wrong key: 401 and the message does not show it' '
	OPENAI_API_KEY=${MARKER}-wrong test_status 1 smelt-gen --prompt $R/p.prompt --into para \
		--endpoint "$SIM_URL/v1" $R/in.jsonl --stats $R/st3.json -o $R/out3.zst 2>$R/stderr3 &&
	grep -q "HTTP 401" $R/stderr3
'

test_case 'the marker is nowhere in what smelt-gen wrote' '
	ls $R/cache/seg-*.zst >/dev/null &&
	for f in $R/out.zst $R/out2.zst $R/out3.zst $R/cache/seg-*.zst; do zstd -dcq "$f"; done >$R/all.txt &&
	test -s $R/all.txt &&
	! grep -r -- "$MARKER" $R/all.txt $R/cache $R/st.json $R/st2.json $R/st3.json $R/stderr $R/stderr2 \
		$R/stderr3 $R/rej.jsonl $R/rej2.jsonl $R/out.zst &&
	! grep -r -- "MARKER" $R/all.txt $R/st.json $R/stderr $R/stderr3
'

sim_stop_all

# A server answering every request 401 with the bearer token in its
# message, as hosted APIs do ("Incorrect API key provided: ...").
cat >$R/echo.js <<'JS'
const http = require('http');
const srv = http.createServer((req, res) => {
	const key = (req.headers['authorization'] || '').replace(/^Bearer /, '');
	req.resume();
	req.on('end', () => {
		res.writeHead(401, { 'Content-Type': 'application/json' });
		res.end(JSON.stringify({ error: { message: 'Incorrect API key provided: ' + key + '.' } }));
	});
});
srv.listen(0, '127.0.0.1', () => console.log('port ' + srv.address().port));
JS
echo_port=
if command -v node >/dev/null; then
	node $R/echo.js >$R/echo.out 2>$R/echo.err &
	echo_pid=$!
	tries=0
	until grep -q '^port ' $R/echo.out 2>/dev/null || [ $tries -gt 200 ]; do
		tries=$((tries + 1)); sleep 0.05
	done
	echo_port=$(sed -n '1s/^port //p' $R/echo.out)
fi
if [ -n "$echo_port" ]; then
	for key in Q QZ QZ7; do
		test_case "a ${#key}-character key echoed by the server is masked" '
			OPENAI_API_KEY='$key' test_status 1 smelt-gen --prompt $R/p.prompt --into para \
				--endpoint "http://127.0.0.1:'$echo_port'/v1" $R/in.jsonl --stats st.json \
				-o out.zst 2>err &&
			cat err &&
			grep -q "HTTP 401: Incorrect API key provided: \*\*\*\." err &&
			! grep -q "provided: '$key'" err &&
			! grep -q "provided: '$key'" st.json
		'
	done
	kill $echo_pid
else
	test_skip 'short keys echoed' 'node is missing or the echo server did not start'
fi

# Credentials in an endpoint URL are sent (curl uses them) but never shown.
sim_start --threads 2
CRED_URL=$(echo "$SIM_URL" | sed 's|://|://smeltuser:s3cretPW@|')
test_case 'a URL with user:password: not in stderr, stats, rejects or the cache' '
	echo "{\"id\":\"bad\",\"text\":\"x\",\"images\":[\"data:image/png;base64,AAAA\"]}" >in.jsonl &&
	head -50 $R/in.jsonl >>in.jsonl &&
	smelt-gen --prompt $R/p.prompt --into para --endpoint "$CRED_URL/v1" --cache cache \
		--stats st.json --rejects rej.jsonl --progress in.jsonl -o out.jsonl 2>err &&
	jq -e ".llm.endpoints[\"$SIM_URL/v1\"].ok == 50" st.json &&
	test "$(wc -l <rej.jsonl)" = 1 &&
	test_status 1 smelt-gen --prompt $R/p.prompt --into para --model nope --endpoint "$CRED_URL/v1" \
		--cache cache --stats st2.json in.jsonl -o out2.jsonl 2>err2 &&
	grep -q "fatal: endpoint $SIM_URL/v1: HTTP 404" err2 &&
	test_status 1 smelt-gen --prompt $R/p.prompt --into para \
		--endpoint "http://smeltuser:s3cretPW@127.0.0.1:9/v1" --retries 0 \
		--stats st3.json in.jsonl -o out3.jsonl 2>err3 &&
	grep -q "cannot reach endpoint http://127.0.0.1:9/v1" err3 &&
	test_status 2 smelt-gen --prompt $R/p.prompt --into para \
		--endpoint "ftp://smeltuser:s3cretPW@127.0.0.1/v1" in.jsonl -o out4.jsonl 2>err4 &&
	grep -q "endpoint .ftp://127.0.0.1/v1. is not" err4 &&
	for f in cache/seg-*.zst; do zstd -dcq "$f"; done >cache.txt &&
	cat err err2 err3 err4 &&
	! grep -r -e s3cretPW -e smeltuser err err2 err3 err4 st.json st2.json st3.json rej.jsonl \
		cache cache.txt out.jsonl
'

sim_stop_all
test_case 'smelt-sim exited cleanly' sim_exited_cleanly
test_done
