// tests/bench/client/openai_client.js — the official `openai` npm client
// sending the benchmark's requests: N chat completions, C at a time.
//   node openai_client.js BASE_URL RECORDS.jsonl C
'use strict';
const fs = require('fs');
const path = require('path');
const OpenAI = require(path.join(__dirname, '../../tools/node_modules/openai'));

async function main() {
	const [baseURL, file, conc] = process.argv.slice(2);
	const records = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
	const client = new OpenAI({ baseURL, apiKey: 'bench', maxRetries: 0, timeout: 600000 });
	let next = 0, ok = 0;
	async function worker() {
		while (next < records.length) {
			const r = records[next++];
			const c = await client.chat.completions.create({
				model: 'smelt-sim',
				messages: [{ role: 'user', content: 'Paraphrase: ' + r.text }],
			});
			if (c.choices.length && typeof c.choices[0].message.content === 'string')
				ok++;
		}
	}
	await Promise.all(Array.from({ length: Number(conc) }, worker));
	if (ok !== records.length) {
		console.error(`only ${ok} of ${records.length} answered`);
		process.exit(1);
	}
}
main().catch((e) => { console.error(e); process.exit(1); });
