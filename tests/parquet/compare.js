#!/usr/bin/env node
// tests/parquet/compare.js SMELT.jsonl DUCKDB.jsonl [...] — for each pair, smelt-cat's JSON of a
// Parquet file equals DuckDB's JSON of the same file after this
// normalisation (types JSON cannot tell apart are written differently):
//   - smelt-cat's "id" (assigned by smelt-cat; fixtures have none) is dropped;
//   - timestamps: smelt's "YYYY-MM-DDTHH:MM:SS[.f][Z]" and DuckDB's
//     "YYYY-MM-DD HH:MM:SS[.f][+00]" compare equal (trailing zeros of the
//     fraction ignored);
//   - numbers compare equal within a relative 1e-6 (FLOAT: smelt writes the
//     shortest decimal of the float, DuckDB the double it widens to);
//     a string holding a decimal number equals that number (DECIMAL with
//     more than 15 digits is a string in smelt);
//   - byte strings: smelt's data: URI equals DuckDB's "\xHH" escaping of
//     the same bytes.
// Key order is compared. Exit 0 when every pair is equal, else 1 after
// printing each pair's first difference.
'use strict';
const fs = require('fs');

function lines(f) {
	return fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
}

const tsRe = /^(-?\d{4,}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d+)?(Z|\+00(:00)?)?$/;
function normTime(s) {
	const m = tsRe.exec(s);
	if (!m) return null;
	let frac = (m[3] || '').replace(/0+$/, '');
	if (frac === '.') frac = '';
	return `${m[1]} ${m[2]}${frac}${m[4] ? '+00' : ''}`;
}

function duckBlob(buf) {
	let s = '';
	for (const b of buf) s += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : '\\x' + b.toString(16).toUpperCase().padStart(2, '0');
	return s;
}

function norm(v) {
	if (typeof v === 'string') {
		const t = normTime(v);
		if (t) return t;
		const m = /^data:[^;,]+;base64,(.*)$/.exec(v);
		if (m) return duckBlob(Buffer.from(m[1], 'base64'));
		return v;
	}
	if (Array.isArray(v)) return v.map(norm);
	if (v && typeof v === 'object') {
		const o = {};
		for (const k of Object.keys(v)) o[k] = norm(v[k]);
		return o;
	}
	return v;
}

function numeric(v) {
	if (typeof v === 'number') return v;
	if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
	return null;
}

function same(a, b, where) {
	const na = numeric(a), nb = numeric(b);
	if (na !== null && nb !== null && (typeof a === 'number' || typeof b === 'number')) {
		if (na === nb || Math.abs(na - nb) <= 1e-6 * Math.max(Math.abs(na), Math.abs(nb))) return null;
		return `${where}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`;
	}
	if (Array.isArray(a) && Array.isArray(b)) {
		if (a.length !== b.length) return `${where}: arrays of ${a.length} and ${b.length}`;
		for (let i = 0; i < a.length; i++) {
			const d = same(a[i], b[i], `${where}[${i}]`);
			if (d) return d;
		}
		return null;
	}
	if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
		const ka = Object.keys(a), kb = Object.keys(b);
		if (ka.join(',') !== kb.join(',')) return `${where}: keys ${ka} != ${kb}`;
		for (const k of ka) {
			const d = same(a[k], b[k], `${where}.${k}`);
			if (d) return d;
		}
		return null;
	}
	return a === b ? null : `${where}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`;
}

function comparePair(a, b) {
	const [mine, theirs] = [lines(a), lines(b)];
	if (mine.length !== theirs.length) return `${a}: ${mine.length} records, DuckDB ${theirs.length}`;
	for (let i = 0; i < mine.length; i++) {
		delete mine[i].id;
		const d = same(norm(mine[i]), norm(theirs[i]), `row ${i}`);
		if (d) return `${a}: ${d}`;
	}
	return null;
}

let bad = 0;
const args = process.argv.slice(2);
for (let i = 0; i + 1 < args.length; i += 2) {
	const d = comparePair(args[i], args[i + 1]);
	if (d) {
		console.error(d);
		bad++;
	}
}
process.exit(bad || args.length < 2 ? 1 : 0);
