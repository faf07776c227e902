#!/bin/sh
# Parquet reading matrix: DuckDB writes every table (scalar types, nesting,
# strings) x codec (UNCOMPRESSED SNAPPY GZIP ZSTD BROTLI LZ4_RAW) x page
# version (v1: PLAIN + dictionaries, v2: DELTA_* and BYTE_STREAM_SPLIT),
# several row groups each; smelt-cat's JSON of each file equals DuckDB's
# JSON of it after compare.js's normalisation (tests/README.md).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-parquet.sh"
pq_require_duckdb

fx="$test_root/fx"
mkdir -p "$fx"
test_case 'DuckDB writes the fixture matrix' 'node "$PQ_DIR/gen-fixtures.js" "$fx" 300'

# One smelt-cat per file, one compare of all pairs (each mismatch named).
test_case 'smelt-cat = DuckDB for every file of the matrix' '
	pairs="" n=0 &&
	for f in "$fx"/*.parquet; do
		b=$(basename "$f" .parquet) &&
		smelt-cat --plain -q "$f" >"$b.jsonl" || { echo "smelt-cat failed on $b"; exit 1; }
		pairs="$pairs $b.jsonl $fx/$b.duck.jsonl" n=$((n + 1))
	done &&
	test "$n" -eq 36 &&
	node "$PQ_DIR/compare.js" $pairs
'

test_case 'the matrix holds every encoding DuckDB writes' '
	for e in PLAIN RLE_DICTIONARY DELTA_BINARY_PACKED DELTA_LENGTH_BYTE_ARRAY BYTE_STREAM_SPLIT; do
		grep -qx "$e" "$fx/encodings.txt" || { echo "no $e in the matrix"; exit 1; }
	done
'

test_case 'the compare catches a changed value' '
	smelt-cat --plain -q "$fx/nested-zstd-v1.parquet" | sed "s/\"x1\"/\"x9\"/" >out.jsonl &&
	! node "$PQ_DIR/compare.js" out.jsonl "$fx/nested-zstd-v1.duck.jsonl"
'

test_case '--columns: only the named columns, nested paths included' '
	smelt-cat --plain -q --columns k,s_list.tags,l_struct.b "$fx/nested-snappy-v2.parquet" >out.jsonl &&
	sed -n 2p out.jsonl | jq -c "del(.id)" >got &&
	echo "{\"k\":1,\"l_struct\":[{\"b\":\"x1\"},null,{\"b\":null}],\"s_list\":{\"tags\":[]}}" >want &&
	test_cmp want got
'

test_case '--columns naming no column is a usage error listing the columns' '
	test_status 1 smelt-cat --plain -q --columns nope "$fx/nested-zstd-v1.parquet" 2>err &&
	grep -q "no column .nope. (the columns are: k l_int" err
'

test_case 'several files (a shell glob of shards) read in order' '
	smelt-cat --plain -q "$fx"/strings-zstd-v*.parquet >out.jsonl &&
	test "$(wc -l <out.jsonl)" -eq 600
'

test_case 'Parquet on stdin is refused with a message' '
	! smelt-cat --plain -q - <"$fx/strings-zstd-v1.parquet" >out 2>err &&
	grep -q "is Parquet, which is read from a file" err
'
test_done
