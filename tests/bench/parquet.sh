#!/bin/sh
# tests/bench/parquet.sh — Parquet beside DuckDB (@duckdb/node-api of
# tests/tools, driven by tests/parquet/write_duckdb.js), in the same run:
#
#   JSON Lines -> Parquet   smelt-cat -o X.parquet   vs  COPY (SELECT * FROM read_json(...)) TO '...parquet'
#   Parquet -> JSON Lines   smelt-cat X.parquet      vs  COPY (SELECT * FROM read_parquet(...)) TO '...json'
#   streaming memory        a generated BENCH_PQ_BIG_MB (default 2048) Parquet file to JSON Lines
#                           (beside DuckDB's COPY of it), and the writer's own peak RSS on the corpus
#
# The corpus is core.sh's (gen_corpus.py, BENCH_MB, default 300), plain
# JSON Lines for both tools. Rows needing smelt's Parquet reader are
# skipped with a note when smelt-cat cannot read Parquet. DuckDB's wall
# time includes starting node (about 0.3 s). Prints markdown tables.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/bin"
mb=${BENCH_MB:-300}
big_mb=${BENCH_PQ_BIG_MB:-2048}
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/smelt-bench}
duck="node $top/tests/parquet/write_duckdb.js"
mkdir -p "$dir"

if [ ! -d "$top/tests/tools/node_modules/@duckdb/node-api" ]; then
	echo "## Parquet"
	echo
	echo "(skipped: tests/tools/node_modules/@duckdb/node-api is missing; make deps)"
	exit 0
fi

corpus="$dir/corpus-$mb.jsonl"
if [ ! -s "$corpus" ]; then
	echo "generating a $mb MB corpus..." >&2
	/usr/bin/python3 "$top/tests/bench/gen_corpus.py" "$mb" 1 >"$corpus.tmp"
	mv "$corpus.tmp" "$corpus"
fi
records=$(wc -l <"$corpus")
raw_mb=$(wc -c <"$corpus" | awk '{ printf "%.0f", $1 / 1048576 }')

# run LABEL MB COMMAND: wall seconds, MB/s of MB, peak RSS of COMMAND.
run() {
	label=$1 size=$2
	shift 2
	/usr/bin/time -f "%e %M" -o "$dir/time" sh -c "$*" >/dev/null 2>"$dir/err" || {
		echo "benchmark command failed: $*" >&2; cat "$dir/err" >&2; exit 1; }
	read -r secs kb <"$dir/time"
	awk -v l="$label" -v s="$secs" -v kb="$kb" -v mb="$size" 'BEGIN {
		printf "| %s | %.2f | %.0f | %.0f |\n", l, s, mb / (s > 0 ? s : 0.01), kb / 1024 }'
}

# Can smelt-cat read Parquet (the reader of issue 16)?
echo '{"id":"a"}' >"$dir/probe.jsonl"
"$bin/smelt-cat" -q "$dir/probe.jsonl" -o "$dir/probe.parquet"
reads=0
"$bin/smelt-cat" -q --plain "$dir/probe.parquet" 2>/dev/null | cmp -s - "$dir/probe.jsonl" && reads=1

echo "## Parquet"
echo
echo "Corpus: $records records, $raw_mb MB of JSON Lines, $(nproc) cores; DuckDB $($duck --version 2>/dev/null || echo '(node-api)') with 2 threads; MB/s of the JSON Lines size."
echo
echo "| command | wall s | MB/s | peak RSS MB |"
echo "|---|---:|---:|---:|"
run "JSON Lines -> Parquet: \`smelt-cat -o X.parquet\` (zstd pages)" "$raw_mb" \
	"'$bin/smelt-cat' -q '$corpus' -o '$dir/smelt.parquet'"
run "JSON Lines -> Parquet: \`smelt-cat -o X.parquet --parquet-row-group-mb 16\` (memory follows the row group)" "$raw_mb" \
	"'$bin/smelt-cat' -q --parquet-row-group-mb 16 '$corpus' -o '$dir/smelt16.parquet'"
run "JSON Lines -> Parquet: DuckDB \`COPY (SELECT * FROM read_json(...)) TO ... (FORMAT parquet, COMPRESSION zstd)\`" "$raw_mb" \
	"$duck \"COPY (SELECT * FROM read_json('$corpus')) TO '$dir/duck.parquet' (FORMAT parquet, COMPRESSION zstd)\""
if [ $reads = 1 ]; then
	run "Parquet -> JSON Lines: \`smelt-cat --plain\` (DuckDB's file)" "$raw_mb" \
		"'$bin/smelt-cat' -q --plain '$dir/duck.parquet' >'$dir/smelt.jsonl'"
fi
run "Parquet -> JSON Lines: DuckDB \`COPY (SELECT * FROM read_parquet(...)) TO '....json'\` (its own file)" "$raw_mb" \
	"$duck \"COPY (SELECT * FROM read_parquet('$dir/duck.parquet')) TO '$dir/duck.json' (FORMAT json)\""
run "Parquet -> JSON Lines: DuckDB, smelt's file" "$raw_mb" \
	"$duck \"COPY (SELECT * FROM read_parquet('$dir/smelt.parquet')) TO '$dir/duck2.json' (FORMAT json)\""
echo
echo "File sizes: smelt $(du -m "$dir/smelt.parquet" | cut -f1) MB, DuckDB $(du -m "$dir/duck.parquet" | cut -f1) MB."
[ $reads = 1 ] || echo "Parquet -> JSON Lines by smelt: skipped (smelt-cat cannot read Parquet yet)."
rm -f "$dir/smelt.jsonl" "$dir/duck.json" "$dir/duck2.json" "$dir/smelt16.parquet"

# Streaming: a big generated file (DuckDB writes it: 1 M-row row groups of
# short and long strings, numbers, a list), read by smelt with bounded memory.
echo
if [ $reads = 1 ]; then
	big="$dir/big-$big_mb.parquet"
	if [ ! -s "$big" ]; then
		rows=$((big_mb * 1024 * 1024 / 600))
		echo "generating a ~$big_mb MB Parquet file ($rows rows)..." >&2
		$duck "COPY (SELECT i AS id, 'row ' || i AS name, repeat(md5(i::VARCHAR), 16) AS text,
			i * 0.5 AS score, [i, i + 1, i + 2] AS ids
			FROM range($rows) t(i)) TO '$big.tmp' (FORMAT parquet, COMPRESSION uncompressed, ROW_GROUP_SIZE 100000)"
		mv "$big.tmp" "$big"
	fi
	big_real=$(du -m "$big" | cut -f1)
	echo "| streaming | wall s | MB/s | peak RSS MB |"
	echo "|---|---:|---:|---:|"
	run "$big_real MB Parquet (100,000-row row groups) -> JSON Lines, \`smelt-cat\`" "$big_real" \
		"'$bin/smelt-cat' -q --plain '$big' >/dev/null"
	run "the same, DuckDB \`COPY (SELECT * FROM read_parquet(...)) TO '....json'\`" "$big_real" \
		"$duck \"COPY (SELECT * FROM read_parquet('$big')) TO '$dir/big.json' (FORMAT json)\""
	rm -f "$dir/big.json"
else
	echo "Streaming read of a ${big_mb} MB Parquet file: skipped (smelt-cat cannot read Parquet yet)."
fi
