#!/bin/sh
# A record with a duplicate key — top level or in a nested object — is
# rejected as duplicate_key with its file and line, by every stage and on
# both JSON paths (the tree-less fast path and jansson), instead of
# silently keeping the last value (an id could change on the way).
. "$(dirname "$0")/../lib.sh"

# The input: good records around four with a repeated key.
cat >"$test_root/in.jsonl" <<'EOF_IN'
{"id":"a1","k":1,"messages":[{"role":"user","content":"one"}],"score":1}
{"id":"d1","id":"other","k":2,"messages":[{"role":"user","content":"two"}],"score":2}
{"id":"a2","k":3,"messages":[{"role":"user","content":"three"}],"score":3}
{"id":"d2","k":4,"meta":{"src":"x","src":"y"},"messages":[{"role":"user","content":"four"}],"score":4}
{"id":"d3","k":5,"messages":[{"role":"user","content":"five","role":"assistant"}],"score":5}
{"id":"d4","k":6,"a":{"b":[{"c":1,"d":{"e":1,"e":1}}]},"messages":[{"role":"user","content":"six"}],"score":6}
{"id":"a3","k":7,"messages":[{"role":"user","content":"seven"}],"score":7}
EOF_IN

# check STAGE ARGS...: under both paths, the four bad records are rejected
# with duplicate_key at lines 2, 4, 5 and 6 (cache misses aside).
check() {
	for slow in "" 1; do
		cp "$SCRATCH/../in.jsonl" in.jsonl &&
		test_status 0 env ${slow:+SMELT_NO_FAST_PATH=1} "$@" in.jsonl --rejects rej.jsonl 2>err || return 1
		cat err
		test "$(jq -r "select(.error.kind != \"cache_miss\") | [.error.kind, .error.file, .error.line] | join(\" \")" rej.jsonl)" = "$(printf "%s\n" \
			"duplicate_key in.jsonl 2" "duplicate_key in.jsonl 4" \
			"duplicate_key in.jsonl 5" "duplicate_key in.jsonl 6")" || return 1
		grep "in.jsonl:2: duplicate_key: duplicate object key" err || return 1
	done
}

test_case 'smelt-cat, both paths' '
	check smelt-cat --plain -o out.jsonl &&
	test "$(jq -r .id out.jsonl | tr "\n" " ")" = "a1 a2 a3 "
'

test_case 'a JSON array input' '
	{ echo "["; sed "\$!s/\$/,/" "$test_root/in.jsonl"; echo "]"; } >arr.json &&
	test_status 3 smelt-cat --plain arr.json >out 2>err &&
	test "$(jq -r .id out | tr "\n" " ")" = "a1 a2 a3 " &&
	grep "arr.json:3 (element 1): duplicate_key" err
'

test_case 'smelt-shard and smelt-merge' '
	check smelt-shard -n 2 --prefix part &&
	test "$(cat_any part-*.jsonl* | jq -r .id | sort | tr "\n" " ")" = "a1 a2 a3 " &&
	check smelt-merge --plain -o out.jsonl &&
	check smelt-merge --plain --by k -o out.jsonl &&
	test "$(jq -r .id out.jsonl | tr "\n" " ")" = "a1 a2 a3 "
'

test_case 'smelt-sample, smelt-dedup, smelt-stats, smelt-filter' '
	check smelt-sample --plain -n 10 -o out.jsonl &&
	test "$(jq -r .id out.jsonl | sort | tr "\n" " ")" = "a1 a2 a3 " &&
	check smelt-dedup --plain -o out.jsonl &&
	check smelt-stats -o st.json &&
	check smelt-filter --plain --score score --min 0 -o out.jsonl
'

test_case 'smelt-gen (the rest answered from an empty read-only cache)' '
	mkdir cache && printf -- "---\nmodel: m\n---\n=== user ===\n{{id}}\n" >p.prompt &&
	check smelt-gen --endpoint http://127.0.0.1:9/v1 --cache cache --cache-mode ro \
		--prompt p.prompt --into d --plain -o out.jsonl &&
	test "$(jq -r "select(.error.kind == \"cache_miss\") | .id" rej.jsonl | tr "\n" " ")" = "a1 a2 a3 "
'

test_done
