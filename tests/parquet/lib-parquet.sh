# tests/parquet/lib-parquet.sh — sourced by the Parquet reading tests after
# tests/lib.sh: is DuckDB's npm package here (make deps installs it)?
PQ_DIR="$SMELT_TOP/tests/parquet"
pq_have_duckdb() {
	[ -d "$SMELT_TOP/tests/tools/node_modules/@duckdb/node-api" ] && command -v node >/dev/null 2>&1
}
# Skip the whole file (one placeholder case) when DuckDB is missing.
pq_require_duckdb() {
	if ! pq_have_duckdb; then
		test_skip 'parquet fixtures' 'tests/tools/node_modules/@duckdb/node-api is missing (make deps)'
		test_case 'placeholder: no DuckDB to write fixtures' 'true'
		test_done
		exit
	fi
}
# Run SQL statements with DuckDB (tests/parquet/duck.js).
duck() {
	node "$PQ_DIR/duck.js" "$@"
}
