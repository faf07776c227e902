#!/bin/sh
# t0200-dedup.sh — smelt-dedup keeps the first occurrence of each
# normalised text and sets the rest aside with the id they repeat: width,
# case, composition, ignorables and white space variants are caught;
# different roles, accents or structure are not.
. "$(dirname "$0")/../lib.sh"

golden="$SMELT_TOP/tests/plumbing/golden"
gen="$SMELT_TOP/tests/plumbing/gen-conversations.awk"
stats_schema="$SMELT_TOP/schemas/stage-stats.schema.json"

test_case 'first occurrences kept, NFKC/case/space variants rejected with the first id' '
	cp "$golden/dedup-in.jsonl" in.jsonl &&
	smelt-dedup -q in.jsonl --plain --rejects rej.jsonl --stats st.json >out.jsonl &&
	test_cmp "$golden/dedup-out.jsonl" out.jsonl &&
	test_cmp "$golden/dedup-rejects.jsonl" rej.jsonl &&
	validate "$stats_schema" st.json &&
	node -e "
		const s = require(\"./st.json\");
		const want = { records_in: 14, records_out: 7, records_rejected: 7, distinct: 7,
			       duplicates: 5, fields: \"messages\" };
		for (const k in want) if (s[k] !== want[k]) throw new Error(k + \": \" + s[k]);
		if (s.rejects_by_kind.duplicate !== 5 || s.rejects_by_kind.missing_field !== 1 ||
		    s.rejects_by_kind.missing_id !== 1) throw new Error(JSON.stringify(s.rejects_by_kind));
		if (!(s.bytes_per_distinct > 0)) throw new Error(\"bytes_per_distinct\");
	"
'

test_case 'fullwidth and composed/decomposed text collide on a plain string field' '
	printf "%s\n" "{\"id\":\"x1\",\"q\":\"abc caf\\u00e9\"}" "{\"id\":\"x2\",\"q\":\"\\uff21\\uff22\\uff23 cafe\\u0301\"}" \
		"{\"id\":\"x3\",\"q\":\"ABC  CAFE\\u0301 \"}" "{\"id\":\"x4\",\"q\":\"abc cafe\"}" >in.jsonl &&
	smelt-dedup -q --fields q in.jsonl --plain --rejects rej.jsonl >out.jsonl &&
	sed "s/.*\"id\":\"\\([^\"]*\\)\".*/\\1/" out.jsonl >kept &&
	printf "x1\nx4\n" >want && test_cmp want kept &&
	sed "s/.*\"duplicate_of\":\"\\([^\"]*\\)\".*/\\1/" rej.jsonl >firsts &&
	printf "x1\nx1\n" >want && test_cmp want firsts
'

test_case 'several fields: absent differs from empty, and values cannot run together' '
	printf "%s\n" \
		"{\"id\":\"1\",\"instruction\":\"Add\",\"input\":\"\",\"output\":\"2\"}" \
		"{\"id\":\"2\",\"instruction\":\"Add\",\"output\":\"2\"}" \
		"{\"id\":\"3\",\"instruction\":\"ADD \",\"input\":\" \",\"output\":\"2\"}" \
		"{\"id\":\"4\",\"instruction\":\"Add\",\"output\":\"2\",\"other\":1}" \
		"{\"id\":\"5\",\"instruction\":\"ab\",\"input\":\"c\",\"output\":\"\"}" \
		"{\"id\":\"6\",\"instruction\":\"a\",\"input\":\"bc\",\"output\":\"\"}" \
		"{\"id\":\"7\",\"instruction\":\"Add\",\"input\":\"\",\"output\":2}" >in.jsonl &&
	smelt-dedup -q --fields instruction,input,output in.jsonl --plain --rejects rej.jsonl >out.jsonl &&
	sed "s/.*\"id\":\"\\([^\"]*\\)\".*/\\1/" out.jsonl | tr "\n" " " >kept &&
	printf "1 2 5 6 7 " >want && test_cmp want kept &&
	sed "s/^{\"id\":\"\\([^\"]*\\)\".*\"duplicate_of\":\"\\([^\"]*\\)\".*/\\1>\\2/" rej.jsonl | tr "\n" " " >pairs &&
	printf "3>1 4>2 " >want && test_cmp want pairs
'

test_case 'objects compare with keys in any order; arrays keep their order' '
	printf "%s\n" \
		"{\"id\":\"1\",\"m\":[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Yo\"}]}" \
		"{\"id\":\"2\",\"m\":[{\"content\":\"hi\",\"role\":\"user\"},{\"content\":\"YO\",\"role\":\"assistant\"}]}" \
		"{\"id\":\"3\",\"m\":[{\"role\":\"assistant\",\"content\":\"Yo\"},{\"role\":\"user\",\"content\":\"Hi\"}]}" \
		"{\"id\":\"4\",\"m\":[{\"role\":\"user\",\"content\":\"Hi\",\"name\":null},{\"role\":\"assistant\",\"content\":\"Yo\"}]}" >in.jsonl &&
	smelt-dedup -q --fields m in.jsonl --plain --rejects rej.jsonl >out.jsonl &&
	sed "s/.*\"id\":\"\\([^\"]*\\)\".*/\\1/" out.jsonl | tr "\n" " " >kept &&
	printf "1 3 4 " >want && test_cmp want kept
'

test_case 'duplicates without a sink exit 3; --drop discards them and exits 0' '
	cp "$golden/dedup-in.jsonl" in.jsonl &&
	grep "\"id\"" in.jsonl | grep -v "\"e1\"" >ok.jsonl &&
	test_status 3 smelt-dedup -q ok.jsonl --plain >out.jsonl 2>err &&
	grep -q "ok.jsonl:2: duplicate: duplicate of .a1." err &&
	test_cmp "$golden/dedup-out.jsonl" out.jsonl &&
	smelt-dedup -q --drop ok.jsonl --plain --stats st.json >out2.jsonl &&
	test_cmp "$golden/dedup-out.jsonl" out2.jsonl &&
	grep -q "\"duplicates\": 5" st.json && grep -q "\"records_rejected\": 0" st.json
'

test_case '200,000 records plus 20,000 disguised copies: each copy names its original' '
	awk -v n=200000 -f "$gen" >base.jsonl &&
	awk "NR % 10 == 0" base.jsonl |
		sed "s/\"id\":\"r/\"id\":\"copy/; s/\"content\":\"answer/\"content\":\"  ANSWER/g" >copies.jsonl &&
	awk "NR % 10 == 3" copies.jsonl >copies2.jsonl &&
	cat base.jsonl copies.jsonl copies2.jsonl | zstd -q >all.jsonl.zst &&
	smelt-dedup -q all.jsonl.zst --rejects rej.jsonl.zst --stats st.json -o out.jsonl.zst &&
	cat_any out.jsonl.zst | cmp - base.jsonl &&
	cat_any rej.jsonl.zst | sed "s/^{\"id\":\"copy\\([0-9]*\\)\".*\"duplicate_of\":\"r\\([0-9]*\\)\".*/\\1 \\2/" >pairs &&
	test "$(wc -l <pairs)" -eq 22000 &&
	awk "\$1 != \$2 { bad++ } END { exit bad > 0 }" pairs &&
	validate "$stats_schema" st.json &&
	node -e "
		const s = require(\"./st.json\");
		if (s.distinct !== 200000 || s.duplicates !== 22000) throw new Error(JSON.stringify(s));
		if (s.bytes_per_distinct > 70) throw new Error(\"bytes per distinct: \" + s.bytes_per_distinct);
	"
'

test_case 'the same output for any number of threads' '
	awk -v n=30000 -f "$gen" >a.jsonl &&
	sed "s/\"id\":\"r/\"id\":\"s/; s/alpha/ALPHA/g" a.jsonl >b.jsonl &&
	cat a.jsonl b.jsonl a.jsonl >in.jsonl &&
	smelt-dedup -q -j1 in.jsonl --plain --rejects r1.jsonl >o1.jsonl &&
	smelt-dedup -q -j2 in.jsonl --plain --rejects r2.jsonl >o2.jsonl &&
	smelt-dedup -q -j5 in.jsonl --plain --rejects r5.jsonl >o5.jsonl &&
	test_cmp o1.jsonl o2.jsonl && test_cmp o1.jsonl o5.jsonl &&
	test_cmp r1.jsonl r2.jsonl && test_cmp r1.jsonl r5.jsonl &&
	test "$(wc -l <r1.jsonl)" -eq 60000
'

test_case 'dedup usage errors exit 2' '
	echo "{\"id\":\"a\"}" >in.jsonl &&
	test_status 2 smelt-dedup --fields "a[" in.jsonl &&
	test_status 2 smelt-dedup --fields "a,,b" in.jsonl &&
	test_status 2 smelt-dedup --bogus in.jsonl &&
	smelt-dedup --help >help && grep -q "Example:" help && grep -q "\-\-fields" help
'

test_done
