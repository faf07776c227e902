#!/bin/sh
# Damaged Parquet is never silent: each case exits 3 (like a damaged
# compressed input) with a message naming the file and, where there is
# one, the row group and column. Files written by DuckDB, then damaged in
# one place by pqpatch.py. (Page CRCs and DELTA_BYTE_ARRAY are covered on
# hand-built pages in tests/unit/test_parquet.c: DuckDB writes neither.)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-parquet.sh"
pq_require_duckdb

fx="$test_root/fx"
mkdir -p "$fx"
# s: a dictionary column (its dictionary page is the file's first page); n: plain ints
rows="SELECT 'v' || (i % 3) AS s, i AS n FROM range(1000) t(i)"
test_case 'DuckDB writes the clean files' "
	duck \"COPY ($rows) TO '$fx/plain.parquet' (FORMAT parquet, COMPRESSION uncompressed)\" \
	     \"COPY ($rows) TO '$fx/gzip.parquet' (FORMAT parquet, COMPRESSION gzip)\" >/dev/null &&
	smelt-cat --plain -q '$fx/plain.parquet' >out && test \$(wc -l <out) -eq 1000
"

# damaged NAME FROM 'pqpatch args' 'expected message': exit 3, message, file named
damaged() {
	test_case "damaged: $1" "
		cp '$fx/$2.parquet' '$1.parquet' &&
		$3 &&
		test_status 3 smelt-cat --plain -q '$1.parquet' >out 2>err &&
		grep -q '$1.parquet:[0-9]*: corrupt_input: $4' err
	"
}

damaged truncated plain 'head -c 3000 "$fx/plain.parquet" >truncated.parquet' \
	'Parquet file does not end with PAR1: truncated or damaged'
damaged footer-beyond-file plain 'python3 "$PQ_DIR/pqpatch.py" footer-len footer-beyond-file.parquet 99999999' \
	'footer length 99999999 is beyond the file'
damaged bad-footer plain 'python3 "$PQ_DIR/pqpatch.py" footer-len bad-footer.parquet 20' \
	'bad footer'
damaged page-beyond-chunk plain 'python3 "$PQ_DIR/pqpatch.py" page page-beyond-chunk.parquet 3 8000 1' \
	"row group 0 of 1, column .s.: page of 8000 bytes runs past the end of the column chunk"
damaged bad-dictionary-index plain 'python3 "$PQ_DIR/pqpatch.py" page bad-dictionary-index.parquet 7.1 1' \
	"row group 0 of 1, column .s.: dictionary index 1 beyond the dictionary"
damaged corrupt-gzip-page gzip 'python3 "$PQ_DIR/pqpatch.py" flip-page corrupt-gzip-page.parquet' \
	"row group 0 of 1, column .s.: GZIP page does not decode"
damaged fewer-rows-than-levels plain 'python3 "$PQ_DIR/pqpatch.py" footer fewer-rows-than-levels.parquet 4.0.3 999' \
	"row group 0 of 1, column .s.: the column holds more rows than the row group.s 999"
damaged more-rows-than-levels plain 'python3 "$PQ_DIR/pqpatch.py" footer more-rows-than-levels.parquet 4.0.3 1500' \
	"row group 0 of 1, column .s.: the column ends after 1000 of the row group.s 1500 rows"
damaged chunk-beyond-data plain 'python3 "$PQ_DIR/pqpatch.py" footer chunk-beyond-data.parquet 4.0.1.1.3.7 8191' \
	"row group 0 of 1, column .n.: column chunk at"

test_case 'damage exits 3 even with a rejects sink; the rows before it are written' '
	cp "$fx/plain.parquet" x.parquet &&
	python3 "$PQ_DIR/pqpatch.py" footer x.parquet 4.0.3 999 &&
	test_status 3 smelt-cat --plain -q --rejects rej.jsonl x.parquet >out 2>err &&
	test "$(wc -l <out)" -eq 999 &&
	grep -q corrupt_input rej.jsonl
'
test_done
