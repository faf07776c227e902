#!/bin/sh
# t0110-merge-by.sh — smelt-merge --by: a stable k-way merge of inputs each
# sorted by a key (bytes, or --numeric, or --reverse), and a clear error
# naming file and line when an input is not sorted.
. "$(dirname "$0")/../lib.sh"

golden="$SMELT_TOP/tests/plumbing/golden"
gen="$SMELT_TOP/tests/plumbing/gen-conversations.awk"

# Three inputs sorted by "k" (bytes) with ties inside and across files.
make_inputs() {
	printf "%s\n" "{\"id\":\"a1\",\"k\":\"apple\"}" "{\"id\":\"a2\",\"k\":\"cherry\"}" \
		"{\"id\":\"a3\",\"k\":\"cherry\"}" "{\"id\":\"a4\",\"k\":\"plum\"}" >a.jsonl &&
	printf "%s\n" "{\"id\":\"b1\",\"k\":\"banana\"}" "{\"id\":\"b2\",\"k\":\"cherry\"}" \
		"{\"id\":\"b3\",\"k\":\"zucchini\"}" | zstd -q >b.jsonl.zst &&
	printf "%s\n" "{\"id\":\"c1\",\"k\":\"Apple\"}" "{\"id\":\"c2\",\"k\":\"cherry\"}" >c.jsonl
}

test_case 'merge --by: sorted output, equal keys in argument order' '
	make_inputs &&
	smelt-merge -q --by k --plain a.jsonl b.jsonl.zst c.jsonl >got &&
	test_cmp "$golden/merge-by.jsonl" got &&
	smelt-merge -q --by k --plain c.jsonl a.jsonl b.jsonl.zst >got2 &&
	grep cherry got2 | sed "s/.*\"id\":\"\\([^\"]*\\)\".*/\\1/" | tr "\n" " " >ties &&
	printf "c2 a2 a3 b2 " >want && test_cmp want ties
'

test_case 'merge --by --numeric and --reverse' '
	printf "%s\n" "{\"id\":\"x1\",\"t\":1}" "{\"id\":\"x2\",\"t\":2.5}" "{\"id\":\"x3\",\"t\":10}" >x.jsonl &&
	printf "%s\n" "{\"id\":\"y1\",\"t\":-3}" "{\"id\":\"y2\",\"t\":\"2.5\"}" "{\"id\":\"y3\",\"t\":9}" >y.jsonl &&
	smelt-merge -q --by t --numeric --plain x.jsonl y.jsonl | sed "s/.*\"id\":\"\\([^\"]*\\)\".*/\\1/" | tr "\n" " " >got &&
	printf "y1 x1 x2 y2 y3 x3 " >want && test_cmp want got &&
	tac x.jsonl >xr.jsonl && tac y.jsonl >yr.jsonl &&
	smelt-merge -q --by t --numeric --reverse --plain xr.jsonl yr.jsonl | sed "s/.*\"id\":\"\\([^\"]*\\)\".*/\\1/" | tr "\n" " " >got &&
	printf "x3 y3 x2 y2 x1 y1 " >want && test_cmp want got
'

test_case 'merge --by of id-sorted parts gives back the whole file exactly' '
	awk -v n=50000 -f "$gen" >all.jsonl &&
	awk "NR % 3 == 0" all.jsonl >p0.jsonl && awk "NR % 3 == 1" all.jsonl | zstd -q >p1.jsonl.zst &&
	awk "NR % 3 == 2" all.jsonl >p2.jsonl &&
	smelt-merge -q --by id p2.jsonl p0.jsonl p1.jsonl.zst -o merged.jsonl.zst --stats st.json &&
	cat_any merged.jsonl.zst | cmp - all.jsonl &&
	validate "$SMELT_TOP/schemas/stage-stats.schema.json" st.json &&
	grep -q "\"records_out\": 50000" st.json
'

test_case 'an unsorted input stops the merge with file and line (exit 1)' '
	printf "%s\n" "{\"id\":\"1\",\"k\":\"a\"}" "{\"id\":\"2\",\"k\":\"c\"}" "{\"id\":\"3\",\"k\":\"b\"}" >bad.jsonl &&
	printf "%s\n" "{\"id\":\"4\",\"k\":\"a\"}" >good.jsonl &&
	test_status 1 smelt-merge -q --by k --plain good.jsonl bad.jsonl >out 2>err &&
	grep -q "bad.jsonl:3: input is not sorted by .k.: key .b. is out of order after .c." err &&
	printf "%s\n" "{\"id\":\"1\",\"t\":2}" "{\"id\":\"2\",\"t\":10}" >num.jsonl &&
	test_status 1 smelt-merge -q --by t --plain num.jsonl 2>err &&
	grep -q "num.jsonl:2: input is not sorted by .t.: key .10. is out of order after .2." err &&
	smelt-merge -q --by t --numeric --plain num.jsonl >/dev/null
'

test_case 'records without the key or unparsable are rejected, the rest merged' '
	printf "%s\n" "{\"id\":\"1\",\"k\":\"a\"}" "{\"id\":\"2\"}" "not json" "{\"id\":\"3\",\"k\":\"b\"}" >in.jsonl &&
	printf "%s\n" "{\"id\":\"4\",\"k\":\"ab\"}" "{\"id\":\"5\",\"k\":\"x\"}" >in2.jsonl &&
	test_status 3 smelt-merge -q --by k --plain in.jsonl in2.jsonl >out 2>err &&
	smelt-merge -q --by k --plain in.jsonl in2.jsonl --rejects rej.jsonl >out &&
	sed "s/.*\"id\":\"\\([^\"]*\\)\".*/\\1/" out | tr "\n" " " >got &&
	printf "1 4 3 5 " >want && test_cmp want got &&
	grep -q "\"kind\":\"missing_field\",\"message\":\"no .k. to merge by\",\"file\":\"in.jsonl\",\"line\":2" rej.jsonl &&
	grep -q "\"raw\":\"not json\",\"error\":{\"stage\":\"smelt-merge\",\"kind\":\"bad_json\"" rej.jsonl &&
	printf "%s\n" "{\"id\":\"1\",\"t\":\"soon\"}" >t.jsonl &&
	smelt-merge -q --by t --numeric --plain t.jsonl --rejects rej2.jsonl >out &&
	grep -q "\"kind\":\"bad_field_type\"" rej2.jsonl && test ! -s out
'

test_case 'merge usage and I/O errors' '
	echo "{\"id\":\"a\",\"k\":1}" >in.jsonl &&
	test_status 2 smelt-merge --numeric in.jsonl &&
	test_status 2 smelt-merge --by "x]" in.jsonl &&
	test_status 1 smelt-merge --by k in.jsonl missing.jsonl 2>err &&
	grep -q "missing.jsonl" err &&
	smelt-merge --help >help && grep -q "Example:" help
'

test_done
