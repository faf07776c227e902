// tests/parquet/write_duckdb.js — run SQL statements in DuckDB (the
// @duckdb/node-api package of tests/tools), one argument each, in one
// in-memory database: how the Parquet writing tests and the bench have
// DuckDB read smelt's files back (COPY ... TO '...json') and write its own.
// `-f FILE` takes the statements from FILE, one a line; `--version`
// prints DuckDB's version. Prints nothing;
// exits 1 with DuckDB's message when a statement fails.
'use strict';
const fs = require('fs');
const path = require('path');
const { DuckDBInstance } = require(path.join(__dirname, '..', 'tools', 'node_modules', '@duckdb', 'node-api'));

async function main() {
	const db = await DuckDBInstance.create(':memory:', { threads: process.env.DUCKDB_THREADS || '2' });
	const con = await db.connect();
	const args = process.argv.slice(2);
	if (args[0] === '--version') { // the DuckDB library's version, for the bench's notes
		const r = await con.runAndReadAll('SELECT version()');
		process.stdout.write(`${r.getRows()[0][0]}\n`);
		return;
	}
	let sqls = [];
	for (let i = 0; i < args.length; i++) {
		if (args[i] === '-f')
			sqls = sqls.concat(fs.readFileSync(args[++i], 'utf8').split('\n').filter((l) => l.trim()));
		else
			sqls.push(args[i]);
	}
	for (const sql of sqls)
		await con.run(sql);
}

main().catch((e) => {
	process.stderr.write(`duckdb: ${e.message}\n`);
	process.exit(1);
});
