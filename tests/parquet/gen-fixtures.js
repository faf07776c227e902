#!/usr/bin/env node
// tests/parquet/gen-fixtures.js OUTDIR [ROWS] — write the Parquet reading
// matrix with DuckDB (@duckdb/node-api, an independent writer and reader):
// every table below x every codec x both page versions, each file beside
// DuckDB's own JSON Lines of it (NAME.duck.jsonl) and a list of the
// encodings DuckDB used (encodings.txt, from parquet_metadata()).
'use strict';
const path = require('path');
const { DuckDBInstance } = require(path.join(__dirname, '../tools/node_modules/@duckdb/node-api'));

const out = process.argv[2];
const rows = Number(process.argv[3] || 300);
if (!out) {
	console.error('usage: gen-fixtures.js OUTDIR [ROWS]');
	process.exit(2);
}

// Tables: scalar types with nulls, and nesting (lists of structs, structs
// of lists, maps, nulls at every level, empty lists, lists of lists).
const tables = {
	scalars: `SELECT i::INTEGER AS i32, (i * 1000003 - 7000000)::BIGINT AS i64,
		(i % 100 - 50)::TINYINT AS i8, (i * 7 - 300)::SMALLINT AS i16,
		(i % 250)::UTINYINT AS u8, (i * 100000)::UINTEGER AS u32,
		(18446744073709551615 - i * 1000003)::UBIGINT AS u64,
		('e' || (i % 3))::ENUM('e0', 'e1', 'e2') AS en,
		CASE WHEN i % 11 = 0 THEN NULL ELSE (i / 7.0)::FLOAT END AS f32,
		(i / 3.0)::DOUBLE AS f64, i % 3 = 0 AS b,
		'str-' || i AS s,
		CASE WHEN i % 5 = 0 THEN NULL ELSE 'cat' || (i % 4) END AS s_dict,
		CASE WHEN i % 9 = 0 THEN '' ELSE repeat('ü', i % 6) || 'é€𝄞' END AS s_utf8,
		DATE '2020-02-27' + i::INTEGER AS dt,
		TIMESTAMP '2021-03-04 05:06:07.123456' + to_seconds(i * 3601) AS ts,
		(TIMESTAMP '1969-12-31 23:59:58' + to_milliseconds(i * 37))::TIMESTAMP_MS AS ts_ms,
		(TIMESTAMP '2000-01-01 00:00:00' + to_microseconds(i))::TIMESTAMP_NS AS ts_ns,
		(TIMESTAMPTZ '2022-06-01 10:00:00+00' + to_seconds(i)) AS tstz,
		TIME '12:34:56' + to_seconds(i) AS tm,
		(i * 1.25)::DECIMAL(9, 2) AS dec9, (i * 1.25 - 100)::DECIMAL(18, 3) AS dec18,
		(i * 1.25)::DECIMAL(38, 4) AS dec38,
		('00000000-0000-4000-8000-' || lpad(i::VARCHAR, 12, '0'))::UUID AS uuid,
		('{"a":' || i || ',"b":[1,"x"]}')::JSON AS js,
		CASE WHEN i % 4 = 0 THEN NULL ELSE ('\\x00\\xFF' || i)::BLOB END AS bin
		FROM range(${rows}) t(i)`,
	nested: `SELECT i AS k,
		CASE WHEN i % 4 = 0 THEN NULL WHEN i % 4 = 1 THEN [] ELSE [i, NULL, i + 1] END AS l_int,
		CASE WHEN i % 3 = 0 THEN NULL ELSE [{'a': i, 'b': 'x' || i}, NULL, {'a': NULL, 'b': NULL}] END AS l_struct,
		{'tags': CASE WHEN i % 2 = 0 THEN ['t' || i, 't2'] ELSE [] END, 'n': i,
		 'inner': {'z': CASE WHEN i % 5 = 0 THEN NULL ELSE i END}} AS s_list,
		CASE WHEN i % 6 = 0 THEN NULL ELSE MAP {'k' || i: i, 'kk': NULL} END AS m,
		[[1, 2], [], NULL, [i]] AS ll,
		CASE WHEN i % 7 = 0 THEN NULL ELSE {'x': NULL, 'y': [NULL]} END AS s_null,
		CASE WHEN i % 2 = 0 THEN [] ELSE [{'q': ['a', NULL], 'r': []}] END AS deep,
		CASE WHEN i % 5 = 0 THEN NULL ELSE [MAP {'a': i}, NULL, MAP {}] END AS l_map,
		CASE WHEN i % 4 = 0 THEN NULL ELSE MAP {'s' || i: {'p': i, 'q': [i, NULL]}} END AS m_struct,
		MAP {i: ['x', NULL], i + 1: NULL} AS m_intkey,
		{'a': [[{'z': i}, NULL], NULL, []]} AS s_deep,
		CASE WHEN i % 3 = 0 THEN [] ELSE [NULL::INTEGER[], [NULL], []] END AS ll_null
		FROM range(${rows}) t(i)`,
	strings: `SELECT 'prefix-shared-' || lpad(i::VARCHAR, 8, '0') AS sorted,
		CASE WHEN i % 13 = 0 THEN NULL ELSE md5(i::VARCHAR) END AS hash,
		repeat('x', i % 50) AS growing
		FROM range(${rows}) t(i)`,
};
const codecs = ['uncompressed', 'snappy', 'gzip', 'zstd', 'brotli', 'lz4_raw'];
const versions = ['v1', 'v2'];

(async () => {
	const db = await DuckDBInstance.create(':memory:');
	const c = await db.connect();
	await c.run("SET TimeZone = 'UTC'");
	const seen = new Set();
	for (const [name, sql] of Object.entries(tables)) {
		for (const codec of codecs) {
			for (const v of versions) {
				const base = `${out}/${name}-${codec}-${v}`;
				// small row groups: several per file
				await c.run(`COPY (${sql}) TO '${base}.parquet' (FORMAT parquet, COMPRESSION ${codec},
					PARQUET_VERSION ${v}, ROW_GROUP_SIZE ${Math.max(1, Math.floor(rows / 3))})`);
				await c.run(`COPY (SELECT * FROM read_parquet('${base}.parquet')) TO '${base}.duck.jsonl' (FORMAT json)`);
				const r = await c.runAndReadAll(`SELECT DISTINCT encodings FROM parquet_metadata('${base}.parquet')`);
				for (const row of r.getRows())
					for (const e of String(row[0]).split(','))
						seen.add(e.trim());
			}
		}
	}
	require('fs').writeFileSync(`${out}/encodings.txt`, [...seen].sort().join('\n') + '\n');
})().catch((e) => {
	console.error(e.message);
	process.exit(1);
});
