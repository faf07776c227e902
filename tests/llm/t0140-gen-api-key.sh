#!/bin/sh
# The API key is sent, and never shows: a marker key appears in no output,
# rejects, stats, stderr (progress included) or cache file. (A server that
# echoes the key in an error message is covered by tests/unit/test_llm_engine.c.)
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
test_case 'smelt-sim exited cleanly' sim_exited_cleanly
test_done
