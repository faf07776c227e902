#!/bin/sh
# tests/bench/core.sh — record-stream throughput beside the tools a user
# would otherwise reach for. Prints a markdown table.
#
# BENCH_MB (default 300) sets the uncompressed corpus size; the corpus is
# generated once (deterministically) and cached in $BENCH_DIR.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/bin"
mb=${BENCH_MB:-300}
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/smelt-bench}
mkdir -p "$dir"
corpus="$dir/corpus-$mb.jsonl.zst"
if [ ! -s "$corpus" ]; then
	echo "generating a $mb MB corpus..." >&2
	/usr/bin/python3 "$top/tests/bench/gen_corpus.py" "$mb" 1 | zstd -q -3 -T2 -o "$corpus.tmp"
	mv "$corpus.tmp" "$corpus"
fi
records=$(zstd -dcq "$corpus" | wc -l)
raw_mb=$(zstd -dcq "$corpus" | wc -c | awk '{ printf "%.0f", $1 / 1048576 }')

# run LABEL COMMAND: wall seconds and peak RSS (largest process) of COMMAND.
floor=""
run() {
	label=$1
	shift
	/usr/bin/time -f "%e %M" -o "$dir/time" sh -c "$*" >/dev/null 2>"$dir/err" || {
		echo "benchmark command failed: $*" >&2; cat "$dir/err" >&2; exit 1; }
	read -r secs kb <"$dir/time"
	[ -n "$floor" ] || floor=$secs
	awk -v l="$label" -v s="$secs" -v kb="$kb" -v f="$floor" -v mb="$raw_mb" 'BEGIN {
		printf "| %s | %.2f | %.0f | %.2fx | %.0f |\n", l, s, mb / s, s / f, kb / 1024 }'
}

echo "Corpus: $records records, $raw_mb MB of JSON Lines ($(du -m "$corpus" | cut -f1) MB zstd), $(nproc) cores."
echo
echo "| command | wall s | MB/s | vs floor | peak RSS MB |"
echo "|---|---:|---:|---:|---:|"
run "(a) \`zstd -dc \| zstd -3\` (no parsing: the floor)" "zstd -dcq '$corpus' | zstd -q -3 -c"
run "(d) \`smelt-cat\` (parse, validate, re-serialise, zstd)" "'$bin/smelt-cat' -q '$corpus'"
run "(d') \`smelt-cat\`, jansson path forced" "SMELT_NO_FAST_PATH=1 '$bin/smelt-cat' -q '$corpus'"
run "(d'') \`smelt-cat --to messages\` (conversion)" "'$bin/smelt-cat' -q --to messages '$corpus'"
[ -x "$bin/smelt-dedup" ] && run "(e) \`smelt-dedup --fields conversations\`" \
	"'$bin/smelt-dedup' -q --fields conversations --rejects /dev/null '$corpus'"
[ -x "$bin/smelt-shard" ] && run "(e) \`smelt-shard -n 8\`" \
	"cd '$dir' && '$bin/smelt-shard' -q -n 8 --prefix '$dir/shard' '$corpus'"
run "(b) \`zstd -dc \| jq -c . \| zstd\`" "zstd -dcq '$corpus' | jq -c . | zstd -q -3 -c"
run "(c) Python \`json\` round trip" "zstd -dcq '$corpus' | /usr/bin/python3 -c 'import sys, json
w = sys.stdout.write
for line in sys.stdin:
    w(json.dumps(json.loads(line), ensure_ascii=False, separators=(\",\", \":\")) + \"\\n\")' | zstd -q -3 -c"
rm -f "$dir"/shard-*
