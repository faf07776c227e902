// validate.js SCHEMA FILE... — validate every JSON Lines record (zstd or
// plain) or a single JSON document against a JSON Schema 2020-12 with ajv.
// Prints "FILE:LINE: <ajv error>" for each invalid record; exit 1 if any.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { execFileSync } = require('child_process');
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');

const [schemaPath, ...files] = process.argv.slice(2);
if (!schemaPath || files.length === 0) {
  console.error('usage: validate.js SCHEMA FILE...');
  process.exit(2);
}
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
// Load every schema beside the named one so $ref between them resolves.
const dir = path.dirname(schemaPath);
for (const f of fs.readdirSync(dir)) {
  if (f.endsWith('.schema.json') && path.join(dir, f) !== schemaPath)
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
}
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, 'utf8')));

function readText(f) {
  const buf = fs.readFileSync(f);
  if (buf.length >= 4 && buf.readUInt32LE(0) === 0xfd2fb528)
    return execFileSync('zstd', ['-dcq', f], { maxBuffer: 1 << 30 }).toString('utf8');
  return buf.toString('utf8');
}

let bad = 0, n = 0;
for (const f of files) {
  const text = readText(f);
  const trimmed = text.trimStart();
  const docs = [];
  if (f.endsWith('.json') && !f.endsWith('.jsonl')) {
    docs.push([1, JSON.parse(text)]);
  } else {
    text.split('\n').forEach((line, i) => { if (line.trim()) docs.push([i + 1, JSON.parse(line)]); });
  }
  for (const [line, doc] of docs) {
    n++;
    if (!validate(doc)) {
      bad++;
      console.error(`${f}:${line}: ${ajv.errorsText(validate.errors)}`);
    }
  }
  void trimmed;
}
if (n === 0) { console.error('validate.js: no records to validate'); process.exit(1); }
process.exit(bad ? 1 : 0);
