#!/bin/sh
# smelt-filter --control: on a length-confounded corpus (length_fixture.py:
# two sources mixing one-line and long answers, a reward that grows with
# log length, planted hallucinated/mismatched/empty answers scored low for
# their length), the per-source raw cut drops mostly short correct answers
# and the length-controlled cut drops the planted defects; both figures are
# printed. Then the residual in the rejects, a numeric field as the control,
# records without one, -j and stdin, the report's before/after charts.
. "$(dirname "$0")/../lib.sh"
S="$SMELT_TOP/schemas"
PRF="$SMELT_TOP/examples/rmfilter/prf.py"
FIX="$SMELT_TOP/tests/reward/length_fixture.py"
Q=0.08
# The controlled cut must beat the raw one by this many points in both
# precision and recall (measured: raw 35.0% / 43.8%, controlled 77.5% / 96.9%).
MARGIN=30

# the corpus is written once; each case copies it
python3 "$FIX" "$test_root/fixture" && python3 "$FIX" "$test_root/fixture200" --per-source 200
fixture() { cp "$test_root/fixture${1:-}/corpus.jsonl" "$test_root/fixture${1:-}/key.tsv" .; }

cut_both() { # writes raw.jsonl, ctl.jsonl, prf.md, prf.json from corpus.jsonl and key.tsv
	smelt-filter -q --plain --score scores.rm --by source --drop-quantile $Q \
		--rejects raw.jsonl corpus.jsonl >raw-kept.jsonl &&
	smelt-filter -q --plain --score scores.rm --by source --drop-quantile $Q --control length \
		--stats st.json --report r.html --rejects ctl.jsonl corpus.jsonl >ctl-kept.jsonl &&
	python3 "$PRF" key.tsv --cut raw=raw.jsonl length-controlled=ctl.jsonl --json prf.json >prf.md
}

test_case 'the length-controlled cut beats the raw cut on the planted defects' '
	fixture &&
	test "$(wc -l <corpus.jsonl)" -eq 1000 && d=$(($(wc -l <key.tsv) - 1)) && test "$d" -gt 50 && test "$d" -lt 100 &&
	cut_both &&
	cp prf.md "$test_root/prf.md" &&
	jq -e ".cuts | .raw.dropped == 80 and .[\"length-controlled\"].dropped == 80" prf.json &&
	jq -e --argjson m $MARGIN ".cuts | .[\"length-controlled\"].precision >= .raw.precision + \$m
		and .[\"length-controlled\"].recall >= .raw.recall + \$m" prf.json &&
	jq -e ".cuts[\"length-controlled\"] | .precision >= 75 and .recall >= 90" prf.json
'
if [ -s "$test_root/prf.md" ]; then
	echo "# drop-quantile $Q per source, 1000 records, 64 planted defects:"
	awk "/^[|] cut/ { p = 1 } p && /^\$/ { exit } p" "$test_root/prf.md" | sed "s/^/#   /"
fi

test_case 'the raw cut drops mostly short correct answers' '
	fixture && cut_both &&
	cut -f1 key.tsv | tail -n +2 >defects &&
	jq -r ".id" raw.jsonl | grep -vxFf defects >raw-clean &&
	jq -r "select(.id) | [.id, (.messages[1].content | length)] | @tsv" raw.jsonl | grep -Ff raw-clean >clean-len &&
	n=$(wc -l <clean-len) && short=$(awk "\$2 < 40" clean-len | wc -l) &&
	test "$n" -gt 40 && test "$short" -eq "$n" &&
	jq -r ".id" ctl.jsonl | grep -vxFf defects | wc -l >ctl-clean && test "$(cat ctl-clean)" -lt 20
'

test_case 'drops carry residual, fitted and control; stats carry the fit per group' '
	fixture && cut_both &&
	validate "$S/filter-reject.schema.json" ctl.jsonl &&
	validate "$S/filter-stats.schema.json" st.json &&
	jq -se "all(.[]; .filter | (.score - .fitted - .residual | fabs) < 1e-9 and .residual < .threshold)" ctl.jsonl >/dev/null &&
	jq -se "all(.[]; .filter.control == (.messages | map(select(.role == \"assistant\") | .content | length) | add))" ctl.jsonl >/dev/null &&
	jq -e ".filter.control == {by: \"length\", scale: \"log\"}" st.json &&
	jq -e "[.filter.groups[] | .fit | .from == \"group\" and .points == 500 and .sampled == false
		and .slope > 0.8 and .slope < 1.5] | all" st.json &&
	jq -e ".filter.groups[] | select(.group == \"llava_mix\") | .fit.slope - 1.3 | fabs < 0.15" st.json &&
	grep -q "fitted .*residual .* is below .*, the 0.08 quantile of group" ctl.jsonl &&
	test "$(($(wc -l <ctl-kept.jsonl) + $(wc -l <ctl.jsonl)))" -eq 1000
'

test_case 'same decisions with one thread, two, and from stdin' '
	fixture &&
	smelt-filter -q --plain -j 1 --score scores.rm --by source --drop-quantile $Q --control length \
		--rejects r1.jsonl corpus.jsonl >k1 &&
	smelt-filter -q --plain -j 2 --score scores.rm --by source --drop-quantile $Q --control length \
		--rejects r2.jsonl corpus.jsonl >k2 &&
	cat corpus.jsonl | smelt-filter -q --plain --score scores.rm --by source --drop-quantile $Q \
		--control length --rejects r3.jsonl >k3 &&
	test_cmp k1 k2 && test_cmp k1 k3 && test_cmp r1.jsonl r2.jsonl &&
	jq -c .filter r1.jsonl >f1 && jq -c .filter r3.jsonl >f3 && test_cmp f1 f3
'

test_case 'a numeric field as the control, linear; records without it' '
	awk "BEGIN { for (i = 0; i < 200; i++) {
		n = i % 50; s = 3 * n + (i % 7) / 10; if (i % 40 == 3) s -= 20;
		printf \"{\\\"id\\\":\\\"r%d\\\",\\\"tokens\\\":%d,\\\"s\\\":%s}\n\", i, n, s } }" >in.jsonl &&
	echo "{\"id\":\"none\",\"s\":5}" >>in.jsonl &&
	echo "{\"id\":\"str\",\"tokens\":\"many\",\"s\":5}" >>in.jsonl &&
	smelt-filter -q --plain --score s --control tokens --control-scale linear --robust-z 4 \
		--stats st.json --rejects rej.jsonl in.jsonl >out.jsonl &&
	jq -r "select(.filter.rule == \"robust_z\") | .id" rej.jsonl | tr "\n" " " >got &&
	test "$(cat got)" = "r3 r43 r83 r123 r163 " &&
	jq -e ".filter.global.fit | (.slope - 3 | fabs) < 0.01" st.json &&
	jq -r "select(.filter.rule == \"missing_control\") | [.id, .error.message] | @tsv" rej.jsonl >mc &&
	grep -q "^none	no control value at .tokens.$" mc &&
	grep -q "^str	the control .tokens. is not a number$" mc &&
	validate "$S/filter-reject.schema.json" rej.jsonl &&
	smelt-filter -q --plain --score s --control tokens --control-scale linear --robust-z 4 --missing keep \
		--rejects rej2.jsonl in.jsonl >out2.jsonl &&
	jq -r .id out2.jsonl | grep -qx none && jq -r .id out2.jsonl | grep -qx str &&
	test "$(wc -l <rej2.jsonl)" -eq 5
'

test_case 'under the log scale a negative control is no control value' '
	printf "%s\n" "{\"id\":\"a\",\"n\":-1,\"s\":1}" "{\"id\":\"b\",\"n\":3,\"s\":1}" >in.jsonl &&
	smelt-filter -q --plain --score s --control n --rejects rej.jsonl in.jsonl >out.jsonl &&
	test "$(jq -r .id out.jsonl)" = b &&
	jq -e ".filter.rule == \"missing_control\" and (.error.message | test(\"wants x >= 0\"))" rej.jsonl
'

test_case 'a small group is fitted by the line through all points' '
	fixture 200 &&
	head -20 corpus.jsonl | jq -c ".source = \"tiny\"" >tiny.jsonl && tail -n +21 corpus.jsonl >>tiny.jsonl &&
	smelt-filter -q --plain --score scores.rm --by source --drop-quantile 0.1 --control length \
		--stats st.json --rejects rej.jsonl tiny.jsonl >/dev/null &&
	jq -e ".filter.groups[] | select(.group == \"tiny\") | .fit.from == \"global\" and .statistics == \"global\"
		and .fit.points == 400" st.json &&
	jq -e ".filter.global.fit.points == 400" st.json
'

test_case 'the report plots score and residual against length' '
	fixture && cut_both &&
	test "$(grep -o "<svg class=\"scatter\"" r.html | wc -l)" -eq 4 &&
	test "$(grep -o "<line class=\"fit\"" r.html | wc -l)" -eq 2 &&
	grep -q "before: score against length" r.html && grep -q "after: residual" r.html &&
	grep -q "<h2>All residuals</h2>" r.html && grep -q "length control" r.html &&
	grep -q "fit: score = " r.html && grep -q " · residual " r.html &&
	! grep -q "<script" r.html
'

test_case 'usage errors' '
	echo "{}" >in.jsonl &&
	test_status 2 smelt-filter --score s --control-scale linear in.jsonl 2>err && grep -q "needs --control" err &&
	test_status 2 smelt-filter --score s --control length --control-scale cubic in.jsonl 2>err &&
	grep -q "log or linear" err &&
	test_status 2 smelt-filter --score s --control "a..b" in.jsonl 2>err
'

test_done
