#!/bin/sh
# tests/bench/neardup/run.sh — near-duplicate removal at corpus scale:
# NEARDUP_N short records (default 10 million, generated once into
# $BENCH_DIR), through the smelt-minhash DAG (sign per shard, bucket per
# band group, cluster, filter per shard) with --memory NEARDUP_MEMORY
# (default 256M), beside smelt-dedup --near and exact smelt-dedup on the
# same input. Prints a markdown table: wall seconds, CPU seconds, records
# per second per core (records / CPU seconds) and the peak RSS of the
# largest process of each step. Measures, never passes or fails on a time;
# it fails if a step's peak RSS passes the bound.
set -eu
top=$(cd "$(dirname "$0")/../../.." && pwd)
n=${NEARDUP_N:-10000000}
mem=${NEARDUP_MEMORY:-256M}
shards=${NEARDUP_SHARDS:-4}
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/smelt-bench}/neardup-$n
mkdir -p "$dir"
if [ ! -s "$dir/c.$((shards - 1)).jsonl" ]; then
	echo "generating $n short records in $shards shards..." >&2
	rm -rf "$dir/gen"
	mkdir -p "$dir/gen"
	awk -v n="$n" -v shards="$shards" -v prefix="$dir/gen/c" -v seed=1 -f "$top/tests/bench/neardup/gen_short.awk"
	mv "$dir"/gen/c.*.jsonl "$dir/"
fi
# A copy of the binaries: a rebuild meanwhile must not mix versions.
bin="$dir/bin"
mkdir -p "$bin"
cp "$top/bin/smelt-minhash" "$top/bin/smelt-dedup" "$bin/"
mem_kb=$(awk -v m="$mem" 'BEGIN { u = substr(m, length(m)); v = m + 0;
	if (u == "G") v *= 1048576; else if (u == "M") v *= 1024; else if (u == "k" || u == "K") v *= 1; else v /= 1024;
	printf "%d", v }')
shard_files=""
sigs=""
for k in $(seq 0 $((shards - 1))); do
	shard_files="$shard_files $dir/c.$k.jsonl"
	sigs="$sigs $dir/s$k.sig"
done

# step LABEL COMMAND: add wall, CPU and peak RSS of COMMAND to the totals.
wall=0 cpu=0 rss=0
step() {
	/usr/bin/time -f "%e %U %S %M" -o "$dir/time" sh -c "$2" >/dev/null 2>"$dir/err" || {
		echo "benchmark command failed: $2" >&2; cat "$dir/err" >&2; exit 1; }
	read -r s u y kb <"$dir/time"
	echo "  $1: ${s}s wall, $(awk -v u="$u" -v y="$y" 'BEGIN { print u + y }')s CPU, $((kb / 1024)) MB" >&2
	wall=$(awk -v a="$wall" -v b="$s" 'BEGIN { print a + b }')
	cpu=$(awk -v a="$cpu" -v u="$u" -v y="$y" 'BEGIN { print a + u + y }')
	[ "$kb" -gt "$rss" ] && rss=$kb
	return 0
}
row() { # LABEL [BOUND_KB]
	awk -v l="$1" -v w="$wall" -v c="$cpu" -v kb="$rss" -v n="$n" 'BEGIN {
		printf "| %s | %.1f | %.1f | %.0f | %.0f |\n", l, w, c, n / c, kb / 1024 }'
	if [ -n "${2:-}" ] && [ "$rss" -gt "$2" ]; then
		echo "peak RSS $((rss / 1024)) MB passes the bound $mem" >&2
		exit 1
	fi
	wall=0 cpu=0 rss=0
}

echo "Near duplicates: $n short records in $shards shards, --memory $mem, $(nproc) cores."
echo
echo "| pipeline | wall s | CPU s | records/s/core | peak RSS MB |"
echo "|---|---:|---:|---:|---:|"
for k in $(seq 0 $((shards - 1))); do
	step "sign $k" "'$bin/smelt-minhash' sign -q --rejects /dev/null '$dir/c.$k.jsonl' -o '$dir/s$k.sig'"
done
step "bucket 0-6" "'$bin/smelt-minhash' bucket -q --band 0-6 --memory $mem $sigs -o '$dir/p0.pairs'"
step "bucket 7-13" "'$bin/smelt-minhash' bucket -q --band 7-13 --memory $mem $sigs -o '$dir/p1.pairs'"
step "cluster" "'$bin/smelt-minhash' cluster -q --memory $mem --pairs '$dir/p0.pairs,$dir/p1.pairs' \
	--stats '$dir/cluster.stats.json' $sigs -o '$dir/d.jsonl.zst'"
for k in $(seq 0 $((shards - 1))); do
	step "filter $k" "'$bin/smelt-minhash' filter -q --decisions '$dir/d.jsonl.zst' --shard $k \
		--rejects /dev/null '$dir/c.$k.jsonl' -o '$dir/k$k.jsonl.zst'"
done
removed=$(grep -o '"removed": [0-9]*' "$dir/cluster.stats.json" | grep -o '[0-9]*$')
row "\`smelt-minhash\` DAG (sign, bucket x2, cluster, filter; $removed removed)" "$mem_kb"
step "dedup --near" "'$bin/smelt-dedup' -q --near --memory $mem --rejects /dev/null $shard_files -o /dev/null"
row "\`smelt-dedup --near\` (one process)" "$mem_kb"
step "dedup exact" "'$bin/smelt-dedup' -q --rejects /dev/null $shard_files -o /dev/null"
row "\`smelt-dedup\` (exact)"
rm -f "$dir"/*.sig "$dir"/*.pairs "$dir"/k*.jsonl.zst "$dir"/d.jsonl.zst
