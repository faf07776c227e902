// openai-client.js CASE BASE_URL — one conformance case of smelt-sim
// against the official `openai` npm client: the SDK must accept every
// reply shape and map error statuses to its error classes. Exits 0 when
// the case holds; prints what went wrong otherwise.
'use strict';
const assert = require('assert');
const OpenAI = require(process.env.SMELT_TOP + '/tests/tools/node_modules/openai');

const [, , name, baseURL] = process.argv;
const client = new OpenAI({ baseURL, apiKey: 'conformance-key', maxRetries: 0, timeout: 20000 });
const model = 'sim-model';
const ask = (extra) => client.chat.completions.create({
	model, messages: [{ role: 'user', content: 'Why do onions make people cry?' }], ...extra,
});
const TINY_PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

async function rejects(promise, cls, status) {
	try {
		await promise;
	} catch (e) {
		assert.ok(e instanceof cls, `expected ${cls.name}, got ${e.constructor.name}: ${e.message}`);
		assert.strictEqual(e.status, status);
		return e;
	}
	assert.fail(`expected ${cls.name}, the call succeeded`);
}

const cases = {
	async models() {
		const ids = [];
		for await (const m of client.models.list()) ids.push(m.id);
		assert.deepStrictEqual(ids, [model]);
	},
	async plain() {
		const r = await ask();
		assert.strictEqual(r.object, 'chat.completion');
		assert.strictEqual(r.model, model);
		assert.strictEqual(r.choices.length, 1);
		assert.strictEqual(r.choices[0].message.role, 'assistant');
		assert.ok(r.choices[0].message.content.length > 0);
		assert.strictEqual(r.choices[0].finish_reason, 'stop');
		assert.strictEqual(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
	},
	async n() {
		const r = await ask({ n: 3, seed: 10 });
		assert.deepStrictEqual(r.choices.map((c) => c.index), [0, 1, 2]);
		for (let i = 0; i < 3; i++) {
			const one = await ask({ seed: 10 + i });
			assert.strictEqual(one.choices[0].message.content, r.choices[i].message.content);
		}
	},
	async seed() {
		const a = await ask({ seed: 123, temperature: 1.0 });
		const b = await ask({ seed: 123, temperature: 1.0 });
		assert.strictEqual(a.choices[0].message.content, b.choices[0].message.content);
	},
	async limits() {
		const r = await ask({ max_tokens: 3, stop: ['zzz'] });
		assert.strictEqual(r.choices[0].finish_reason, 'length');
		assert.strictEqual(r.usage.completion_tokens, 3);
	},
	async image() {
		const r = await client.chat.completions.create({
			model,
			messages: [{ role: 'user', content: [
				{ type: 'text', text: 'What colour is this pixel?' },
				{ type: 'image_url', image_url: { url: TINY_PNG } },
			] }],
		});
		assert.ok(r.choices[0].message.content.length > 0);
		assert.ok(r.usage.prompt_tokens >= 16);
	},
	async continuation() {
		const r = await client.chat.completions.create({
			model,
			messages: [
				{ role: 'user', content: 'Leo has 9 coins. He buys 4 more. He doubles them. He loses 5. How many coins does he have now?' },
				{ role: 'assistant', content: 'Step 1: He buys 4 more, so 9 + 4 = 13.' },
			],
			continue_final_message: true,
			add_generation_prompt: false,
		});
		assert.ok(r.choices[0].message.content.startsWith('\n\nStep 2: '), r.choices[0].message.content);
	},
	async not_found() {
		const e = await rejects(client.chat.completions.create({
			model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }],
		}), OpenAI.NotFoundError, 404);
		assert.strictEqual(e.code, 'model_not_found');
		assert.strictEqual(e.param, 'model');
	},
	async bad_request() {
		await rejects(client.chat.completions.create({
			model,
			messages: [{ role: 'user', content: [
				{ type: 'image_url', image_url: { url: 'data:image/png;base64,bm90IGFuIGltYWdl' } },
			] }],
		}), OpenAI.BadRequestError, 400);
	},
	async unauthorized() {
		const other = new OpenAI({ baseURL, apiKey: 'wrong-key', maxRetries: 0 });
		await rejects(other.chat.completions.create({
			model, messages: [{ role: 'user', content: 'hi' }],
		}), OpenAI.AuthenticationError, 401);
	},
	async rate_limited() {
		const e = await rejects(ask(), OpenAI.RateLimitError, 429);
		assert.strictEqual(e.headers['retry-after'], '1');
	},
	async server_error() {
		try {
			await ask();
		} catch (e) {
			assert.ok(e instanceof OpenAI.InternalServerError, `got ${e.constructor.name}`);
			assert.ok([500, 502, 503].includes(e.status), `status ${e.status}`);
			return;
		}
		assert.fail('expected a 5xx error');
	},
	async retried() {
		// The SDK's own retries get through a 50% 5xx rate (the k-th arrival rule).
		const retrying = new OpenAI({ baseURL, apiKey: 'conformance-key', maxRetries: 10 });
		const r = await retrying.chat.completions.create({
			model, messages: [{ role: 'user', content: 'Retry me until I succeed.' }],
		});
		assert.ok(r.choices[0].message.content.length > 0);
	},
};

if (!cases[name]) {
	console.error(`unknown case ${name}`);
	process.exit(2);
}
cases[name]().then(() => process.exit(0), (e) => {
	console.error(e && e.stack ? e.stack : e);
	process.exit(1);
});
