#!/usr/bin/env node
// tests/parquet/duck.js SQL... — run statements in one in-memory DuckDB
// (time zone UTC); the rows of the last one are printed as JSON Lines.
'use strict';
const path = require('path');
const { DuckDBInstance } = require(path.join(__dirname, '../tools/node_modules/@duckdb/node-api'));

(async () => {
	const db = await DuckDBInstance.create(':memory:');
	const c = await db.connect();
	await c.run("SET TimeZone = 'UTC'");
	let rows = [];
	for (const q of process.argv.slice(2)) rows = (await c.runAndReadAll(q)).getRowObjectsJson();
	for (const r of rows) console.log(JSON.stringify(r));
})().catch((e) => {
	console.error(e.message);
	process.exit(1);
});
