#!/bin/sh
# Cache modes: rw asks what is missing and stores it; ro answers from the
# cache only and rejects a miss (kind cache_miss) without asking; refresh
# asks everything again and its answers win afterwards; off ignores the
# directory. The key covers the request (model, messages, parameters,
# sample), never the endpoint or the key.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
. "$SMELT_TOP/tests/llm/lib-llm.sh"

R=$test_root
make_records 50 >$R/in.jsonl
make_records 60 >$R/more.jsonl
make_prompt $R/p.prompt

sim_start --threads 2
A=$SIM_URL
sim_start --threads 2
B=$SIM_URL
gen() { smelt-gen --prompt $R/p.prompt --into para --plain "$@"; }
asked() { curl -sS "$1/metrics" | jq .requests_total; }

test_case 'rw: a first run fills the cache' '
	gen --endpoint $A/v1 --cache $R/cache $R/in.jsonl -o $R/first.jsonl --stats st.json &&
	jq -e ".llm.requests == 50 and .llm.cache_misses == 50 and .llm.cache.writes == 50" st.json &&
	test "$(asked $A)" = 50
'

test_case 'rw against another endpoint with another key: all hits' '
	OPENAI_API_KEY=some-other-key gen --endpoint $B/v1 --cache $R/cache $R/in.jsonl -o out.jsonl --stats st.json &&
	test_cmp $R/first.jsonl out.jsonl &&
	test "$(asked $B)" = 0 && jq -e ".llm.cache_hits == 50 and .llm.cache.segments == 1" st.json
'

test_case 'rw: more records ask only the new ones' '
	gen --endpoint $A/v1 --cache $R/cache $R/more.jsonl -o out.jsonl --stats st.json &&
	test "$(asked $A)" = 60 && jq -e ".llm.cache_hits == 50 and .llm.requests == 10" st.json &&
	head -50 out.jsonl >head.jsonl && test_cmp $R/first.jsonl head.jsonl
'

test_case 'a changed parameter is a different request' '
	gen --endpoint $A/v1 --cache $R/cache --temperature 0.3 $R/in.jsonl -o out.jsonl --stats st.json &&
	jq -e ".llm.cache_hits == 0 and .llm.requests == 50" st.json &&
	test "$(asked $A)" = 110
'

test_case 'ro: hits answer, misses are rejected as cache_miss and nothing is asked' '
	make_records 70 >in70.jsonl &&
	test_status 0 gen --endpoint $B/v1 --cache $R/cache --cache-mode ro in70.jsonl -o out.jsonl \
		--rejects rej.jsonl --stats st.json &&
	test "$(wc -l <out.jsonl)" = 60 && test "$(wc -l <rej.jsonl)" = 10 &&
	jq -e ".error.kind == \"cache_miss\"" rej.jsonl >/dev/null &&
	test "$(asked $B)" = 0 &&
	test "$(ls $R/cache | wc -l)" = 3
'

test_case 'ro needs no endpoint at all' '
	(unset SMELT_ENDPOINTS OPENAI_BASE_URL; gen --cache $R/cache --cache-mode ro $R/in.jsonl -o out.jsonl) &&
	test_cmp $R/first.jsonl out.jsonl
'

test_case 'refresh: everything is asked again and stored' '
	before=$(asked $B) &&
	gen --endpoint $B/v1 --cache $R/cache --cache-mode refresh $R/in.jsonl -o out.jsonl --stats st.json &&
	test "$(asked $B)" = $((before + 50)) &&
	jq -e ".llm.cache_hits == 0 and .llm.cache.writes == 50" st.json &&
	test_cmp $R/first.jsonl out.jsonl &&
	test "$(ls $R/cache | wc -l)" = 4
'

test_case 'off: the directory is not touched' '
	before=$(asked $B) &&
	gen --endpoint $B/v1 --cache $R/cache --cache-mode off $R/in.jsonl -o out.jsonl --stats st.json &&
	test "$(asked $B)" = $((before + 50)) && test "$(ls $R/cache | wc -l)" = 4 &&
	jq -e ".llm.cache == null" st.json
'

test_case 'a torn segment tail is ignored and counted' '
	cp -r $R/cache c2 &&
	seg=$(ls c2/seg-* | head -1) &&
	size=$(wc -c <"$seg") &&
	truncate -s $((size - 7)) "$seg" &&
	gen --endpoint $A/v1 --cache c2 $R/in.jsonl -o out.jsonl --stats st.json &&
	test_cmp $R/first.jsonl out.jsonl &&
	jq -e ".llm.cache.torn_segments == 1" st.json
'

test_case 'segments are zstd JSON Lines with key and value' '
	for f in $R/cache/seg-*; do zstd -dcq "$f"; done >all.jsonl &&
	test "$(wc -l <all.jsonl)" = 160 &&
	jq -e "(.key | length) == 32 and (.value.choices | length) == 1" all.jsonl >/dev/null
'

sim_stop_all
test_case 'smelt-sim exited cleanly' sim_exited_cleanly
test_done
