#!/bin/sh
# t0300-sample.sh — smelt-sample: exact size, input order, the same bytes
# for the same seed (pinned), every record an equal chance, stratified
# quotas by largest remainder, --per-stratum, rejects and usage errors.
. "$(dirname "$0")/../lib.sh"

golden="$SMELT_TOP/tests/plumbing/golden"
gen="$SMELT_TOP/tests/plumbing/gen-conversations.awk"
stats_schema="$SMELT_TOP/schemas/stage-stats.schema.json"
corpus="$test_root/corpus.jsonl"
awk -v n=50000 -f "$gen" >"$corpus"

ids() { sed "s/.*\"id\":\"\\([^\"]*\\)\".*/\\1/" "$@"; }

test_case 'N records, a subset of the input in input order, same bytes for the same seed' '
	smelt-sample -q -n 500 --seed 42 "$corpus" --plain --stats st.json >a.jsonl &&
	smelt-sample -q -n 500 --seed 42 "$corpus" -o b.jsonl.zst &&
	smelt-sample -q -n 500 --seed 43 "$corpus" --plain >c.jsonl &&
	test "$(wc -l <a.jsonl)" -eq 500 &&
	cat_any b.jsonl.zst | cmp - a.jsonl &&
	! cmp -s a.jsonl c.jsonl &&
	grep -n -F -x -f a.jsonl "$corpus" | cut -d: -f1 >lines &&
	test "$(wc -l <lines)" -eq 500 &&
	sort -n lines | cmp - lines &&
	validate "$stats_schema" st.json &&
	grep -q "\"sampled\": 500" st.json && grep -q "\"seed\": 42" st.json
'

test_case 'the sample for a seed is pinned' '
	head -n 40 "$corpus" | smelt-sample -q -n 6 --seed 7 --plain | ids >got &&
	test_cmp "$golden/sample-seed7.txt" got
'

test_case 'the same sample for any thread count' '
	smelt-sample -q -j1 -n 300 --seed 5 "$corpus" --plain >1.jsonl &&
	smelt-sample -q -j2 -n 300 --seed 5 "$corpus" --plain >2.jsonl &&
	smelt-sample -q -j4 -n 300 --seed 5 --stratify task "$corpus" --plain >s4.jsonl &&
	smelt-sample -q -j1 -n 300 --seed 5 --stratify task "$corpus" --plain >s1.jsonl &&
	test_cmp 1.jsonl 2.jsonl && test_cmp s1.jsonl s4.jsonl
'

test_case 'a sample larger than the input is the whole input' '
	head -n 30 "$corpus" >in.jsonl &&
	smelt-sample -q -n 31 --seed 1 in.jsonl --plain >out.jsonl &&
	test_cmp in.jsonl out.jsonl &&
	smelt-sample -q -n 100 --seed 1 --stratify source in.jsonl --plain >out2.jsonl &&
	test_cmp in.jsonl out2.jsonl
'

test_case 'every record has the same chance (3 of 10, over 300 seeds)' '
	head -n 10 "$corpus" >in.jsonl &&
	for s in $(seq 1 300); do smelt-sample -q -n 3 --seed $s in.jsonl --plain; done | ids | sort | uniq -c >counts &&
	test "$(wc -l <counts)" -eq 10 &&
	awk "{ if (\$1 < 60 || \$1 > 120) bad++ } END { exit bad > 0 }" counts
'

test_case 'stratified: quotas by largest remainder, exact per stratum' '
	awk "BEGIN { for (i = 0; i < 1000; i++) printf \"{\\\"id\\\":\\\"%d\\\",\\\"g\\\":\\\"%s\\\"}\n\", i, (i % 10 < 6) ? \"a\" : (i % 10 < 9) ? \"b\" : \"c\" }" >in.jsonl &&
	smelt-sample -q -n 100 --seed 9 --stratify g in.jsonl --plain >out.jsonl &&
	sed "s/.*\"g\":\"\\(.\\)\".*/\\1/" out.jsonl | sort | uniq -c | tr -s " " >counts &&
	printf " 60 a\n 30 b\n 10 c\n" >want && test_cmp want counts &&
	smelt-sample -q -n 7 --seed 9 --stratify g in.jsonl --plain --stats st.json >out.jsonl &&
	sed "s/.*\"g\":\"\\(.\\)\".*/\\1/" out.jsonl | sort | uniq -c | tr -s " " >counts &&
	printf " 4 a\n 2 b\n 1 c\n" >want && test_cmp want counts &&
	validate "$stats_schema" st.json &&
	node -e "
		const s = require(\"./st.json\").strata;
		if (s.a.records !== 600 || s.a.sampled !== 4 || s.b.sampled !== 2 || s.c.sampled !== 1)
			throw new Error(JSON.stringify(s));
	"
'

test_case 'stratified on 50,000 records agrees with an independent largest-remainder count' '
	smelt-sample -q -n 333 --seed 11 --stratify source "$corpus" --plain --stats st.json >out.jsonl &&
	test "$(wc -l <out.jsonl)" -eq 333 &&
	sed "s/.*\"source\":\"\\([^\"]*\\)\".*/\\1/" out.jsonl | sort | uniq -c | awk "{ print \$2, \$1 }" >got &&
	sed "s/.*\"source\":\"\\([^\"]*\\)\".*/\\1/" "$corpus" | sort | uniq -c | awk "{ print \$2, \$1 }" >sizes &&
	node -e "
		const fs = require(\"fs\");
		const sizes = fs.readFileSync(\"sizes\", \"utf8\").trim().split(\"\n\").map(l => l.split(\" \"));
		const total = sizes.reduce((t, [, n]) => t + Number(n), 0), N = 333;
		const q = sizes.map(([k, n]) => ({ k, q: Math.floor(N * n / total), r: (N * n) % total }));
		let left = N - q.reduce((t, x) => t + x.q, 0);
		[...q].sort((a, b) => b.r - a.r).slice(0, left).forEach(x => x.q++);
		const want = q.map(x => x.k + \" \" + x.q).join(\"\n\") + \"\n\";
		if (want !== fs.readFileSync(\"got\", \"utf8\")) throw new Error(\"want\n\" + want);
	"
'

test_case '--per-stratum takes M from each stratum, all of a smaller one' '
	printf "%s\n" "{\"id\":\"1\",\"g\":\"x\"}" "{\"id\":\"2\",\"g\":\"y\"}" "{\"id\":\"3\",\"g\":\"x\"}" \
		"{\"id\":\"4\",\"g\":\"x\"}" "{\"id\":\"5\",\"g\":1}" "{\"id\":\"6\",\"g\":\"y\"}" "{\"id\":\"7\",\"g\":\"y\"}" >in.jsonl &&
	smelt-sample -q --per-stratum 2 --seed 3 --stratify g in.jsonl --plain >out.jsonl &&
	test "$(wc -l <out.jsonl)" -eq 5 &&
	grep -c "\"g\":\"x\"" out.jsonl | grep -qx 2 &&
	grep -c "\"g\":\"y\"" out.jsonl | grep -qx 2 &&
	grep -q "\"id\":\"5\"" out.jsonl
'

test_case 'records without the stratify field are rejected' '
	printf "%s\n" "{\"id\":\"1\",\"g\":\"x\"}" "{\"id\":\"2\"}" "{\"id\":\"3\",\"g\":\"x\"}" >in.jsonl &&
	test_status 3 smelt-sample -q -n 5 --stratify g in.jsonl --plain >out 2>err &&
	grep -q "in.jsonl:2: missing_field" err &&
	smelt-sample -q -n 5 --stratify g in.jsonl --plain --rejects rej.jsonl >out &&
	test "$(wc -l <out)" -eq 2 && grep -q "\"id\":\"2\",\"error\"" rej.jsonl
'

test_case 'sample usage errors exit 2' '
	echo "{\"id\":\"a\"}" >in.jsonl &&
	test_status 2 smelt-sample in.jsonl &&
	test_status 2 smelt-sample -n 0 in.jsonl &&
	test_status 2 smelt-sample -n 3 --seed -1 in.jsonl &&
	test_status 2 smelt-sample -n 3 --seed x in.jsonl &&
	test_status 2 smelt-sample --per-stratum 2 in.jsonl &&
	test_status 2 smelt-sample -n 2 --per-stratum 2 --stratify g in.jsonl &&
	smelt-sample --help >help && grep -q "Example:" help
'

test_done
