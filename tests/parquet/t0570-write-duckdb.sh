#!/bin/sh
# Parquet writing, read back by an independent reader: JSON Lines of every
# shape in write_shapes.py -> smelt-cat -o X.parquet -> DuckDB
# (@duckdb/node-api) -> JSON, equal to the input after the normalisation
# write_compare.py documents (null == missing key, numbers by value, key
# order free). Then what the file says about itself: row groups, codecs,
# encodings (dictionary where it pays, PLAIN where not, the fallback),
# statistics, the schema's types (LIST, STRING, JSON for widened fields).
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/parquet/lib-write.sh"
# to_json FILE.parquet OUT.json: DuckDB's JSON of the file
to_json() { duckdb "COPY (SELECT * FROM read_parquet('$1')) TO '$2' (FORMAT JSON)"; }
# meta FILE.parquet SQL-TAIL OUT: one JSON line per parquet_metadata row
meta() { duckdb "COPY (SELECT $2 FROM parquet_metadata('$1') $3) TO '$4' (FORMAT JSON)"; }

make_shapes
if ! have_duckdb; then
	test_skip 'Parquet writing read back by DuckDB' \
		'tests/tools/node_modules/@duckdb/node-api is missing (make deps)'
	parquet_written_case
	test_done
	exit
fi

all="flat nested_structs lists unicode big_strings dictionary widening wide_map many_rows"
# One DuckDB run reads every shape back (node starts once).
test_case "every shape written, DuckDB reads each" '
	for shape in $all; do
		smelt-cat -q "$shapes/$shape.jsonl" -o "$shapes/$shape.parquet" &&
		head -c4 "$shapes/$shape.parquet" | grep -q PAR1 &&
		echo "COPY (SELECT * FROM read_parquet('"'"'$shapes/$shape.parquet'"'"')) TO '"'"'$shapes/$shape.back.json'"'"' (FORMAT JSON)" >>sql ||
		exit 1
	done &&
	duckdb -f sql
'
for shape in $all; do
	test_case "$shape: DuckDB's JSON of it equals the input" '
		/usr/bin/python3 "$here/write_compare.py" "$shapes/$shape.jsonl" "$shapes/$shape.back.json"
	'
done

for codec in zstd gzip none; do
	test_case "--parquet-codec $codec, 7 row groups" '
		smelt-cat -q --parquet-codec $codec --parquet-row-group-rows 800 "$shapes/many_rows.jsonl" \
			-o out.parquet &&
		to_json out.parquet back.json &&
		/usr/bin/python3 "$here/write_compare.py" "$shapes/many_rows.jsonl" back.json &&
		meta out.parquet "DISTINCT row_group_id, compression" "ORDER BY 1" m.json &&
		test "$(wc -l <m.json)" = 7 &&
		want=$(echo $codec | tr a-z A-Z | sed s/NONE/UNCOMPRESSED/) &&
		test "$(grep -c "\"compression\":\"$want\"" m.json)" = 7
	'
done

for codec in zstd none; do
	test_case "--parquet-page-v2 --parquet-codec $codec: nested shapes read back" '
		for shape in lists nested_structs dictionary; do
			smelt-cat -q --parquet-page-v2 --parquet-codec $codec --parquet-page-kb 8 \
				--parquet-row-group-rows 2000 "$shapes/$shape.jsonl" -o $shape.parquet &&
			echo "COPY (SELECT * FROM read_parquet('"'"'$shape.parquet'"'"')) TO '"'"'$shape.json'"'"' (FORMAT JSON)" >>sql ||
			exit 1
		done &&
		duckdb -f sql &&
		for shape in lists nested_structs dictionary; do
			/usr/bin/python3 "$here/write_compare.py" "$shapes/$shape.jsonl" $shape.json || exit 1
		done
	'
done

test_case '--to parquet writes Parquet to stdout and to a name without .parquet' '
	smelt-cat -q --to parquet "$shapes/flat.jsonl" >stdout.pq &&
	smelt-cat -q --to parquet "$shapes/flat.jsonl" -o named.bin &&
	cmp stdout.pq named.bin &&
	to_json named.bin back.json &&
	/usr/bin/python3 "$here/write_compare.py" "$shapes/flat.jsonl" back.json
'

test_case 'any stage writes Parquet when -o ends in .parquet (smelt-dedup, its rejects kept)' '
	cat >in.jsonl <<-\EOF &&
	{"id":"a","text":"Hello"}
	{"id":"b","text":"hello"}
	{"id":"c","text":"other"}
	EOF
	smelt-dedup -q --fields text --rejects dups.parquet in.jsonl -o out.parquet &&
	duckdb "COPY (SELECT id FROM read_parquet('"'"'out.parquet'"'"')) TO '"'"'ids.json'"'"' (FORMAT JSON)" \
		"COPY (SELECT id, error.kind AS kind FROM read_parquet('"'"'dups.parquet'"'"')) TO '"'"'dups.json'"'"' (FORMAT JSON)" &&
	printf "%s\n" "{\"id\":\"a\"}" "{\"id\":\"c\"}" >expect &&
	test_cmp expect ids.json &&
	grep -q "\"id\":\"b\"" dups.json
'

test_case 'dictionary where it pays, PLAIN where not, fallback when it outgrows its limit' '
	smelt-cat -q --parquet-page-kb 64 --parquet-dict-kb 256 "$shapes/dictionary.jsonl" -o d.parquet &&
	to_json d.parquet back.json &&
	/usr/bin/python3 "$here/write_compare.py" "$shapes/dictionary.jsonl" back.json &&
	meta d.parquet "path_in_schema, encodings, dictionary_page_offset IS NOT NULL AS dict" "" m.json &&
	grep -q "\"path_in_schema\":\"lang\",\"encodings\":\"PLAIN, RLE, RLE_DICTIONARY\",\"dict\":true" m.json &&
	grep -q "\"path_in_schema\":\"grows\",\"encodings\":\"PLAIN, RLE, RLE_DICTIONARY\",\"dict\":true" m.json &&
	grep -q "\"path_in_schema\":\"unique\",\"encodings\":\"PLAIN, RLE\",\"dict\":false" m.json &&
	smelt-cat -q --parquet-dict-kb 0 "$shapes/dictionary.jsonl" -o nodict.parquet &&
	meta nodict.parquet "path_in_schema, encodings" "WHERE path_in_schema = '"'"'lang'"'"'" n.json &&
	grep -q "\"encodings\":\"PLAIN, RLE\"" n.json
'

test_case 'statistics: min, max and null_count per column chunk; none with --parquet-no-statistics' '
	smelt-cat -q "$shapes/flat.jsonl" -o s.parquet &&
	meta s.parquet "path_in_schema, stats_min_value, stats_max_value, stats_null_count" "" m.json &&
	grep -q "\"path_in_schema\":\"n\",\"stats_min_value\":\"-300\",\"stats_max_value\":\"1793\",\"stats_null_count\":0" m.json &&
	grep -q "\"path_in_schema\":\"maybe\",.*\"stats_null_count\":225" m.json &&
	smelt-cat -q --parquet-no-statistics "$shapes/flat.jsonl" -o n.parquet &&
	meta n.parquet "path_in_schema, stats_null_count" "WHERE path_in_schema = '"'"'n'"'"'" o.json &&
	grep -q "\"stats_null_count\":null" o.json
'

test_case 'the schema: LIST (3-level), STRING, INT64, DOUBLE, BOOLEAN, JSON for widened fields' '
	smelt-cat -q "$shapes/lists.jsonl" -o l.parquet &&
	duckdb "COPY (SELECT name, type, repetition_type, converted_type FROM parquet_schema('"'"'l.parquet'"'"')) TO '"'"'l.json'"'"' (FORMAT JSON)" &&
	grep -q "\"name\":\"turns\",\"type\":null,\"repetition_type\":\"OPTIONAL\",\"converted_type\":\"LIST\"" l.json &&
	grep -q "\"name\":\"list\",\"type\":null,\"repetition_type\":\"REPEATED\"" l.json &&
	grep -q "\"name\":\"score\",\"type\":\"INT64\"" l.json &&
	smelt-cat -q "$shapes/widening.jsonl" -o w.parquet &&
	duckdb "COPY (SELECT name, type, converted_type FROM parquet_schema('"'"'w.parquet'"'"')) TO '"'"'w.json'"'"' (FORMAT JSON)" &&
	grep -q "\"name\":\"num\",\"type\":\"DOUBLE\"" w.json &&
	grep -q "\"name\":\"mixed\",\"type\":\"BYTE_ARRAY\",\"converted_type\":\"JSON\"" w.json &&
	grep -q "\"name\":\"big\",\"type\":\"BYTE_ARRAY\",\"converted_type\":\"JSON\"" w.json &&
	grep -q "\"name\":\"empty_obj\",\"type\":\"BYTE_ARRAY\",\"converted_type\":\"JSON\"" w.json &&
	grep -q "\"name\":\"extra\",\"type\":\"BYTE_ARRAY\",\"converted_type\":\"UTF8\"" w.json
'

test_case 'no records: a valid file DuckDB reads as empty' '
	: >empty.jsonl &&
	smelt-cat -q empty.jsonl -o e.parquet &&
	to_json e.parquet back.json &&
	test ! -s back.json
'

test_case 'atomic: a failed run leaves no file at the final name' '
	echo "{\"id\":\"a\"}" >in.jsonl &&
	TMPDIR=/nonexistent/dir test_status 1 smelt-cat -q in.jsonl -o out.parquet 2>err &&
	grep -q "spool" err &&
	test ! -e out.parquet &&
	test -z "$(ls -A)" -o "$(ls -A | sort | tr "\n" " ")" = "err in.jsonl "
'

test_done
