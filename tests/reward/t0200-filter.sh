#!/bin/sh
# smelt-filter: per-group quantile, robust z, absolute bounds, the missing-
# score rule, the small-group fallback; every record ends kept or dropped
# with its reason; stdin is spooled and rejects keep their input location.
. "$(dirname "$0")/../lib.sh"
S="$SMELT_TOP/schemas"

# two groups, interleaved: a0..a99 score 0..99, b0..b99 score 100..199,
# with task alternating x/y
make_two_groups() {
	awk 'BEGIN { for (i = 0; i < 100; i++) for (g = 0; g < 2; g++)
		printf "{\"id\":\"%s%d\",\"source\":\"%s\",\"task\":\"%s\",\"scores\":{\"rm\":%d}}\n",
			g ? "b" : "a", i, g ? "b" : "a", i % 2 ? "y" : "x", g * 100 + i }'
}

ids() { jq -r .id "$@" | sort; }

test_case 'per-group quantile drops the bottom of each group' '
	make_two_groups >in.jsonl &&
	smelt-filter -q --plain --score scores.rm --by source --drop-quantile 0.05 \
		--rejects rej.jsonl in.jsonl >out.jsonl &&
	printf "a0\na1\na2\na3\na4\nb0\nb1\nb2\nb3\nb4\n" >expect &&
	ids rej.jsonl >got && test_cmp expect got &&
	test "$(wc -l <out.jsonl)" -eq 190 &&
	jq -se ".[] | select(.id == \"b0\") | .filter == {rule: \"quantile\", group: \"b\", score: 100, threshold: 105}
		and .error.kind == \"quantile\" and .error.stage == \"smelt-filter\"" rej.jsonl
'

test_case 'one global cut at the same budget drops only from the low group' '
	make_two_groups >in.jsonl &&
	smelt-filter -q --plain --score scores.rm --drop-quantile 0.05 --rejects rej.jsonl in.jsonl >out.jsonl &&
	awk "BEGIN { for (i = 0; i < 10; i++) print \"a\" i }" | sort >expect &&
	ids rej.jsonl >got && test_cmp expect got &&
	jq -se "all(.filter.group == \"all\" and .filter.threshold == 10)" rej.jsonl >/dev/null
'

test_case 'every input record is kept or dropped with its reason, in input order' '
	make_two_groups >in.jsonl &&
	echo "{\"id\":\"nos\",\"source\":\"a\"}" >>in.jsonl &&
	echo "{\"id\":\"str\",\"source\":\"b\",\"scores\":{\"rm\":\"high\"}}" >>in.jsonl &&
	echo "{not json" >>in.jsonl &&
	smelt-filter -q --plain --score scores.rm --by source --drop-quantile 0.1 --robust-z 3 \
		--rejects rej.jsonl --stats st.json in.jsonl >out.jsonl &&
	test "$(($(wc -l <out.jsonl) + $(wc -l <rej.jsonl)))" -eq 203 &&
	{ jq -r .id out.jsonl; jq -r "select(.id) | .id" rej.jsonl; } | sort >all &&
	grep -v "not json" in.jsonl | jq -r .id | sort >expect && test_cmp expect all &&
	jq -r .id out.jsonl >order && grep -v "not json" in.jsonl | jq -r .id | grep -Fxf order >expect_order &&
	test_cmp expect_order order &&
	jq -se "map(select(.error.kind != \"bad_json\")) | all(.filter.rule == .error.kind)" rej.jsonl >/dev/null &&
	jq -se ".[] | select(.id == \"nos\") | .error.message == \"no score at '"'"'scores.rm'"'"'\"" rej.jsonl &&
	jq -se ".[] | select(.id == \"str\") | .error.message | test(\"is a string, not a number\")" rej.jsonl &&
	jq -se ".[] | select(.error.kind == \"bad_json\") | .error.line == 203" rej.jsonl &&
	validate "$S/filter-reject.schema.json" rej.jsonl &&
	validate "$S/filter-stats.schema.json" st.json &&
	jq -e ".records_in == 203 and .records_out == 180 and .records_rejected == 23
		and .rejects_by_kind == {quantile: 20, missing_score: 2, bad_json: 1}
		and .filter.kept == 180 and .filter.dropped.quantile == 20" st.json
'

test_case 'the reject schema catches a wrong filter object' '
	make_two_groups >in.jsonl &&
	smelt-filter -q --plain --score scores.rm --drop-quantile 0.05 --rejects rej.jsonl in.jsonl >/dev/null &&
	head -1 rej.jsonl | jq -c ".filter.rule = \"bogus\"" >bad.jsonl &&
	! validate "$S/filter-reject.schema.json" bad.jsonl 2>err && grep -q "bad.jsonl:1" err
'

test_case 'records without a score: rejected by default, kept on request' '
	printf "%s\n" "{\"id\":\"1\",\"scores\":{\"rm\":1}}" "{\"id\":\"2\"}" "{\"id\":\"3\",\"scores\":{\"rm\":null}}" >in.jsonl &&
	smelt-filter -q --plain --score scores.rm --rejects rej.jsonl in.jsonl >out.jsonl &&
	test "$(jq -r .id out.jsonl)" = 1 &&
	test "$(jq -r .filter.rule rej.jsonl | sort -u)" = missing_score &&
	smelt-filter -q --plain --score scores.rm --missing keep --rejects rej2.jsonl in.jsonl >out2.jsonl &&
	test "$(jq -r .id out2.jsonl | tr "\n" " ")" = "1 2 3 " && ! test -s rej2.jsonl
'

test_case 'absolute bounds, checked before the relative rules' '
	make_two_groups >in.jsonl &&
	smelt-filter -q --plain --score scores.rm --min 3 --max 196 --drop-quantile 0.02 \
		--rejects rej.jsonl in.jsonl >out.jsonl &&
	jq -r "[.id, .filter.rule, .filter.threshold] | @tsv" rej.jsonl | sort >got &&
	printf "a0\tbelow_min\t3\na1\tbelow_min\t3\na2\tbelow_min\t3\na3\tquantile\t4\nb97\tabove_max\t196\nb98\tabove_max\t196\nb99\tabove_max\t196\n" >expect &&
	test_cmp expect got
'

test_case 'robust z: low outliers only, threshold median - z * 1.4826 * MAD' '
	awk "BEGIN { for (i = 0; i < 60; i++) printf \"{\\\"id\\\":\\\"n%d\\\",\\\"s\\\":%s}\n\", i, 10 + (i % 5) / 10;
		print \"{\\\"id\\\":\\\"low\\\",\\\"s\\\":1}\"; print \"{\\\"id\\\":\\\"high\\\",\\\"s\\\":99}\" }" >in.jsonl &&
	smelt-filter -q --plain --score s --robust-z 3.5 --rejects rej.jsonl --stats st.json in.jsonl >out.jsonl &&
	test "$(jq -r .id rej.jsonl)" = low &&
	jq -e ".filter.global | .median == 10.2 and .mad == 0.1" st.json &&
	jq -se ".[0].filter.threshold - (10.2 - 3.5 * 1.4826 * 0.1) | fabs < 1e-9" rej.jsonl
'

test_case 'a group below --min-group takes the global thresholds' '
	make_two_groups >in.jsonl &&
	awk "BEGIN { for (i = 0; i < 5; i++) printf \"{\\\"id\\\":\\\"c%d\\\",\\\"source\\\":\\\"c\\\",\\\"scores\\\":{\\\"rm\\\":%d}}\n\", i, 2 + i }" >>in.jsonl &&
	smelt-filter -q --plain --score scores.rm --by source --min-group 10 --drop-quantile 0.05 \
		--rejects rej.jsonl --stats st.json in.jsonl >out.jsonl &&
	jq -e ".filter.groups[] | select(.group == \"c\") | .statistics == \"global\" and .thresholds.quantile == 6" st.json &&
	test "$(jq -r "select(.filter.group == \"c\") | .id" rej.jsonl | tr "\n" " ")" = "c0 c1 c2 c3 " &&
	jq -e ".filter.groups[] | select(.group == \"a\") | .statistics == \"group\"" st.json
'

test_case 'several --by fields; a missing field is its own value' '
	make_two_groups >in.jsonl &&
	echo "{\"id\":\"notask\",\"source\":\"a\",\"scores\":{\"rm\":5}}" >>in.jsonl &&
	smelt-filter -q --plain --score scores.rm --by source,task --min-group 1 --stats st.json \
		--drop-quantile 0.1 --rejects rej.jsonl in.jsonl >out.jsonl &&
	jq -r ".filter.groups[].group" st.json | sort | tr "\n" " " >got &&
	test "$(cat got)" = "a/- a/x a/y b/x b/y " &&
	test "$(jq -r "select(.filter.group == \"a/x\") | .id" rej.jsonl | tr "\n" " ")" = "a0 a2 a4 a6 a8 "
'

test_case 'stdin is spooled: same decisions, locations of the input kept' '
	make_two_groups >in.jsonl &&
	smelt-filter -q --plain --score scores.rm --by source --drop-quantile 0.05 --rejects f.jsonl in.jsonl >out1 &&
	cat in.jsonl | gzip | smelt-filter -q --plain --score scores.rm --by source --drop-quantile 0.05 \
		--rejects s.jsonl >out2 &&
	test_cmp out1 out2 &&
	jq -r "[.id, .error.file, .error.line] | @tsv" s.jsonl | head -2 >got &&
	printf "a0\t<stdin>\t1\nb0\t<stdin>\t2\n" >expect && test_cmp expect got &&
	jq -r "[.id, .error.file, .error.line] | @tsv" f.jsonl | head -1 >got &&
	printf "a0\tin.jsonl\t1\n" >expect && test_cmp expect got &&
	ls "${TMPDIR:-/tmp}" | grep -c "^smelt-filter-" >left || true &&
	test "$(cat left)" = 0
'

test_case 'several inputs, a JSON array among them: locations are the inputs' '
	make_two_groups >in.jsonl &&
	head -100 in.jsonl >p1.jsonl && tail -n +101 in.jsonl | jq -s . >p2.json &&
	smelt-filter -q --plain --score scores.rm --by source --drop-quantile 0.05 --max 195 \
		--rejects r.jsonl p1.jsonl p2.json >out &&
	smelt-filter -q --plain --score scores.rm --by source --drop-quantile 0.05 --max 195 \
		--drop in.jsonl >expect &&
	test_cmp expect out &&
	jq -se ".[] | select(.id == \"a4\") | .error.file == \"p1.jsonl\" and .error.line == 9" r.jsonl &&
	jq -se ".[] | select(.id == \"b96\") | .error.file == \"p2.json\" and .error.index == 93" r.jsonl
'

test_case '--drop discards (counted); no sink and no --drop exits 3' '
	make_two_groups >in.jsonl &&
	smelt-filter -q --plain --score scores.rm --drop-quantile 0.1 --drop --stats st.json in.jsonl >out &&
	test "$(wc -l <out)" -eq 180 &&
	jq -e ".filter.discarded == 20 and .records_rejected == 0" st.json &&
	test_status 3 smelt-filter -q --plain --score scores.rm --drop-quantile 0.1 in.jsonl >out3 &&
	test "$(wc -l <out3)" -eq 180
'

test_case '--dry-run writes only the report and the stats' '
	make_two_groups >in.jsonl &&
	smelt-filter -q --score scores.rm --drop-quantile 0.1 --dry-run --report r.html --stats st.json in.jsonl >out &&
	! test -s out && test -s r.html &&
	jq -e ".records_out == 0 and .filter.dry_run and .filter.dropped.quantile == 20" st.json &&
	test_status 2 smelt-filter -q --score scores.rm --dry-run -o x.jsonl in.jsonl 2>err &&
	grep -q "dry-run" err
'

test_case 'usage errors exit 2' '
	echo "{}" >in.jsonl &&
	test_status 2 smelt-filter in.jsonl 2>e1 && grep -q -- "--score" e1 &&
	test_status 2 smelt-filter --score s --drop-quantile 1 in.jsonl 2>/dev/null &&
	test_status 2 smelt-filter --score s --drop-quantile x in.jsonl 2>/dev/null &&
	test_status 2 smelt-filter --score s --robust-z 0 in.jsonl 2>/dev/null &&
	test_status 2 smelt-filter --score s --min 2 --max 1 in.jsonl 2>/dev/null &&
	test_status 2 smelt-filter --score s --missing maybe in.jsonl 2>/dev/null &&
	test_status 2 smelt-filter --score "a..b" in.jsonl 2>/dev/null &&
	test_status 2 smelt-filter --score s --by "a,,b" in.jsonl 2>/dev/null
'

test_case 'an unreadable input is fatal (exit 1)' '
	test_status 1 smelt-filter -q --score s --drop nope.jsonl 2>err && grep -q nope.jsonl err
'

test_case 'the same on one thread as on many' '
	make_two_groups >in.jsonl &&
	smelt-filter -q --plain -j 1 --score scores.rm --by source,task --drop-quantile 0.07 --robust-z 1 \
		--rejects r1 in.jsonl >o1 &&
	smelt-filter -q --plain -j 4 --score scores.rm --by source,task --drop-quantile 0.07 --robust-z 1 \
		--rejects r4 in.jsonl >o4 &&
	test_cmp o1 o4 && test_cmp r1 r4
'

test_done
