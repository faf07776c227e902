#!/bin/sh
# Parquet writing read by pyarrow (what the Hugging Face datasets viewer
# reads with): every shape of write_shapes.py, compared as in t0570.
# Skipped with the reason when /usr/bin/python3 has no pyarrow.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/parquet/lib-write.sh"

make_shapes
if ! /usr/bin/python3 -c 'import pyarrow.parquet' 2>/dev/null; then
	test_skip 'Parquet writing read back by pyarrow' '/usr/bin/python3 has no pyarrow (python3-pyarrow)'
	parquet_written_case
	test_done
	exit
fi

for shape in flat nested_structs lists unicode big_strings dictionary widening wide_map many_rows; do
	test_case "$shape: pyarrow reads back what went in" '
		smelt-cat -q --parquet-row-group-rows 1000 "$shapes/$shape.jsonl" -o x.parquet &&
		/usr/bin/python3 -c "
import json, sys, pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
with open(sys.argv[2], \"w\", encoding=\"utf-8\") as f:
    for row in t.to_pylist():
        f.write(json.dumps(row, ensure_ascii=False) + \"\\n\")
" x.parquet back.json &&
		/usr/bin/python3 "$here/write_compare.py" --json-strings "$shapes/$shape.jsonl" back.json
	'
done

test_done
