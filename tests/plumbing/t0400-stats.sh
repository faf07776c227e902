#!/bin/sh
# t0400-stats.sh — smelt-stats: the JSON document (validated with ajv,
# values checked against hand counts on a small fixture), exact versus
# reservoir estimates on 200,000 records, groups, --fields, rejects, and
# the HTML report (self-contained: SVG charts, no network references,
# escaped data).
. "$(dirname "$0")/../lib.sh"

golden="$SMELT_TOP/tests/plumbing/golden"
gen="$SMELT_TOP/tests/plumbing/gen-conversations.awk"
schema="$SMELT_TOP/schemas/stats.schema.json"

test_case 'small fixture: the exact document, valid against the schema' '
	cp "$golden/stats-in.jsonl" in.jsonl &&
	smelt-stats -q --by source --bins 4 in.jsonl -o out.json --stats st.json &&
	test_cmp "$golden/stats-out.json" out.json &&
	validate "$schema" out.json &&
	validate "$SMELT_TOP/schemas/stage-stats.schema.json" st.json &&
	smelt-stats -q --by source --bins 4 <in.jsonl >stdin.json &&
	sed "s/\"-\"/\"in.jsonl\"/" stdin.json | cmp - out.json
'

test_case 'small fixture: values counted by hand' '
	cp "$golden/stats-in.jsonl" in.jsonl &&
	smelt-stats -q --by source in.jsonl >out.json &&
	node -e "
		const s = require(\"./out.json\"), eq = (what, got, want) => {
			if (JSON.stringify(got) !== JSON.stringify(want))
				throw new Error(what + \": got \" + JSON.stringify(got) + \", want \" + JSON.stringify(want));
		};
		const f = Object.fromEntries(s.fields.map(x => [x.path, x]));
		eq(\"records\", s.records, 5);
		eq(\"field order\", s.fields.map(x => x.path),
		   [\"id\", \"source\", \"messages\", \"scores\", \"scores.rm\", \"images\", \"conversations\", \"flag\", \"scores.len\", \"note\"]);
		eq(\"source presence\", [f.source.present, f.source.missing], [4, 1]);
		eq(\"types\", [f[\"scores.rm\"].types, f.flag.types, f.note.types, f.scores.types],
		   [{ integer: 2, real: 2 }, { boolean: 1 }, { null: 1 }, { object: 4 }]);
		const rm = f[\"scores.rm\"].value;
		eq(\"scores.rm\", [rm.count, rm.min, rm.max, rm.mean, rm.p50, rm.p90, rm.exact], [4, -1, 2, 0.75, 0.5, 2, true]);
		const items = f.messages.items;
		eq(\"messages items\", [items.min, items.max, items.mean, items.p50, items.p99], [0, 4, 2, 2, 4]);
		eq(\"messages histogram (one bin per integer)\", items.histogram, { edges: [0, 1, 2, 3, 4, 5], counts: [1, 0, 2, 0, 1] });
		const m = s.conversations.find(c => c.field === \"messages\");
		const roles = Object.fromEntries(m.roles.map(r => [r.role, r]));
		eq(\"user (characters, not bytes; text parts summed)\",
		   [roles.user.messages, roles.user.length.min, roles.user.length.max, roles.user.length.mean], [4, 2, 5, 3.25]);
		eq(\"assistant\", [roles.assistant.messages, roles.assistant.length.max, roles.assistant.length.p50], [3, 4, 4]);
		eq(\"system\", [roles.system.messages, roles.system.length.max], [1, 0]);
		const sg = s.conversations.find(c => c.field === \"conversations\");
		eq(\"sharegpt roles\", sg.roles.map(r => [r.role, r.messages, r.length.max]), [[\"human\", 1, 3], [\"gpt\", 1, 3]]);
		eq(\"groups\", [s.groups.count, s.groups.missing, s.groups.values.map(g => [g.key, g.records, g.share])],
		   [2, 1, [[\"a\", 2, 0.4], [\"b\", 2, 0.4]]]);
		eq(\"group a score mean\", s.groups.values[0].numeric.map(n => [n.path, n.mean]), [[\"scores.rm\", 1]]);
		eq(\"group b turns\", s.groups.values[1].turns.count, 2);
	"
'

test_case '200,000 records: exact counts, estimates flagged, exact with a big reservoir' '
	awk -v n=200000 -f "$gen" >corpus.jsonl &&
	smelt-stats -q --by task corpus.jsonl -o est.json &&
	smelt-stats -q --reservoir 300000 corpus.jsonl -o exact.json &&
	validate "$schema" est.json exact.json &&
	sed "s/.*\"rm\":\\([-0-9.]*\\)}}$/\\1/" corpus.jsonl | LC_ALL=C sort -g >rm.txt &&
	node -e "
		const est = require(\"./est.json\"), ex = require(\"./exact.json\");
		const fs = require(\"fs\");
		const v = fs.readFileSync(\"rm.txt\", \"utf8\").trim().split(\"\n\").map(Number);
		const rank = p => v[Math.ceil(p / 100 * v.length) - 1];
		const get = (s, p) => s.fields.find(f => f.path === p);
		const e = get(est, \"scores.rm\").value, x = get(ex, \"scores.rm\").value;
		if (est.records !== 200000 || e.count !== 200000 || x.count !== 200000) throw new Error(\"counts\");
		if (e.exact !== false || e.sample_size !== 10000) throw new Error(\"estimate not flagged\");
		if (x.exact !== true) throw new Error(\"not exact\");
		const mean = v.reduce((a, b) => a + b, 0) / v.length;
		for (const s of [e, x]) {
			if (s.min !== v[0] || s.max !== v[v.length - 1]) throw new Error(\"min/max\");
			if (Math.abs(s.mean - mean) > 1e-9) throw new Error(\"mean \" + s.mean + \" vs \" + mean);
		}
		for (const p of [50, 90, 99]) {
			if (x[\"p\" + p] !== rank(p)) throw new Error(\"exact p\" + p + \": \" + x[\"p\" + p] + \" vs \" + rank(p));
			if (Math.abs(e[\"p\" + p] - rank(p)) > 0.3) throw new Error(\"estimated p\" + p + \" far off\");
		}
		const sum = a => a.reduce((t, c) => t + c, 0);
		if (sum(x.histogram.counts) !== 200000) throw new Error(\"exact histogram sum\");
		if (Math.abs(sum(e.histogram.counts) - 200000) > 20) throw new Error(\"scaled histogram sum\");
		const groups = est.groups.values;
		if (groups.length !== 3 || sum(groups.map(g => g.records)) !== 200000) throw new Error(\"groups\");
		const turns = est.conversations[0].turns;
		if (turns.min !== 2 || turns.max !== 6 || turns.count !== 200000) throw new Error(\"turns\");
	"
'

test_case 'the same document for any thread count and every run' '
	awk -v n=20000 -f "$gen" >c.jsonl &&
	smelt-stats -q -j1 --by source --reservoir 500 c.jsonl >1.json &&
	smelt-stats -q -j2 --by source --reservoir 500 c.jsonl >2.json &&
	smelt-stats -q -j3 --by source --reservoir 500 c.jsonl >3.json &&
	test_cmp 1.json 2.json && test_cmp 1.json 3.json
'

test_case '--fields describes only the chosen paths, absent ones included' '
	cp "$golden/stats-in.jsonl" in.jsonl &&
	smelt-stats -q --fields "scores,messages[0].content,nope" in.jsonl >out.json &&
	validate "$schema" out.json &&
	node -e "
		const s = require(\"./out.json\");
		const got = s.fields.map(f => [f.path, f.present]);
		const want = [[\"scores\", 4], [\"scores.rm\", 4], [\"messages[0].content\", 3], [\"nope\", 0],
			      [\"scores.len\", 1]];
		if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(JSON.stringify(got));
		if (JSON.stringify(s.settings.fields) !== JSON.stringify([\"scores\", \"messages[0].content\", \"nope\"]))
			throw new Error(\"settings\");
	"
'

test_case 'caps: fields and groups past the limits are counted, not lost' '
	awk "BEGIN { for (i = 0; i < 50; i++) printf \"{\\\"id\\\":\\\"%d\\\",\\\"g\\\":\\\"%d\\\",\\\"k%d\\\":1}\n\", i, i % 10, i }" >in.jsonl &&
	smelt-stats -q --by g --max-groups 4 --max-fields 5 in.jsonl >out.json &&
	validate "$schema" out.json &&
	node -e "
		const s = require(\"./out.json\");
		if (s.fields.length !== 5 || s.fields_truncated !== 47) throw new Error(\"fields \" + s.fields.length + \" \" + s.fields_truncated);
		if (s.groups.count !== 4 || s.groups.other_records !== 30) throw new Error(JSON.stringify(s.groups));
	"
'

test_case 'unreadable records are rejected and counted (exit 3 without a sink)' '
	printf "%s\n" "{\"id\":\"1\",\"x\":1}" "{oops" "{\"id\":\"2\",\"x\":3}" >in.jsonl &&
	test_status 3 smelt-stats -q in.jsonl >out.json 2>err &&
	grep -q "in.jsonl:2: bad_json" err &&
	smelt-stats -q in.jsonl --rejects rej.jsonl >out.json &&
	validate "$schema" out.json &&
	grep -q "\"rejected\": 1" out.json && grep -q "\"records\": 2" out.json &&
	grep -q "\"raw\":\"{oops\"" rej.jsonl
'

test_case 'the schema refuses a document that breaks it' '
	cp "$golden/stats-out.json" good.json &&
	node -e "
		const fs = require(\"fs\"), s = JSON.parse(fs.readFileSync(\"good.json\"));
		delete s.records; fs.writeFileSync(\"bad1.json\", JSON.stringify(s));
		const t = JSON.parse(fs.readFileSync(\"good.json\"));
		t.fields[0].length.histogram.counts[0] = -1; fs.writeFileSync(\"bad2.json\", JSON.stringify(t));
	" &&
	test_status 1 validate "$schema" bad1.json 2>/dev/null &&
	test_status 1 validate "$schema" bad2.json 2>/dev/null
'

test_case 'HTML report: self-contained, SVG charts, data escaped' '
	cp "$golden/stats-in.jsonl" in.jsonl &&
	echo "{\"id\":\"x\",\"source\":\"<b>&\\\"evil\\\" it'"'"'s</b>\",\"scores\":{\"rm\":0}}" >>in.jsonl &&
	smelt-stats -q --by source --html report.html in.jsonl >out.json &&
	test -s report.html &&
	grep -q "<svg" report.html &&
	grep -q "<title>smelt-stats: in.jsonl</title>" report.html &&
	! grep -q "http://" report.html &&
	! grep -q "https://" report.html &&
	! grep -qi "<script" report.html &&
	! grep -qi "<link" report.html &&
	! grep -qiE "(href|src)=|url\(|@import" report.html &&
	! grep -q "\"evil\"" report.html &&
	! grep -q "<b>&\"" report.html &&
	grep -q "&lt;b&gt;&amp;&quot;evil&quot; it&#39;s&lt;/b&gt;" report.html &&
	grep -q "scores.rm" report.html &&
	test "$(grep -o "<svg" report.html | wc -l)" -eq "$(grep -o "</svg>" report.html | wc -l)" &&
	test "$(grep -o "<svg" report.html | wc -l)" -ge 10
'

test_case 'stats usage and I/O errors' '
	echo "{\"id\":\"a\"}" >in.jsonl &&
	test_status 2 smelt-stats --bins 0 in.jsonl &&
	test_status 2 smelt-stats --reservoir x in.jsonl &&
	test_status 2 smelt-stats --by "a[" in.jsonl &&
	test_status 2 smelt-stats --fields "a,,b" in.jsonl &&
	test_status 1 smelt-stats --html no/such/dir/r.html in.jsonl >/dev/null 2>err &&
	grep -q "no/such/dir/r.html" err &&
	smelt-stats --help >help && grep -q "Example:" help
'

test_done
