# tests/parquet/lib-write.sh — sourced by the Parquet writing tests
# (t057*-write-*.sh) after ../lib.sh.
here="$SMELT_TOP/tests/parquet"
shapes="$test_root/shapes"

# DuckDB (@duckdb/node-api of tests/tools): duckdb SQL... or duckdb -f FILE
duckdb() { node "$here/write_duckdb.js" "$@"; }
have_duckdb() { [ -d "$SMELT_TOP/tests/tools/node_modules/@duckdb/node-api" ]; }

# The JSON Lines shapes of write_shapes.py, in $shapes.
make_shapes() {
	mkdir -p "$shapes" && /usr/bin/python3 "$here/write_shapes.py" "$shapes"
}

# For a file whose read-back cases are skipped: still one real case.
parquet_written_case() {
	test_case 'placeholder: the files to read back are Parquet (PAR1 at both ends)' '
		smelt-cat -q "$shapes/lists.jsonl" -o x.parquet &&
		test "$(head -c4 x.parquet)" = PAR1 &&
		test "$(tail -c4 x.parquet)" = PAR1
	'
}
