#!/bin/sh
# smelt-prm-eval against F1 figures worked out by hand: labels, scores
# with a threshold, booleans, neutral steps left out, unpredicted steps,
# two sources and the pooled overall; bad records rejected.
. "$(dirname "$0")/../lib.sh"

R=$test_root
# Source A: sol1 = TPc, FNc(+FPi), TPi, neutral; sol2 = TPc, FPc(+FNi), TPi
#   correct class: TP 2 FP 1 FN 1 -> F1 4/6; incorrect: TP 2 FP 1 FN 1 -> 4/6
# Source B: sol3 = TPc, TPc, FNc(+FPi), FPc(+FNi), neutral, neutral;
#   sol4 = unpredicted, TPi
#   correct: TP 2 FP 1 FN 1 -> 4/6; incorrect: TP 1 FP 1 FN 1 -> 2/4
# Overall: correct TP 4 FP 2 FN 2 -> 8/12; incorrect TP 3 FP 2 FN 2 -> 6/10
cat >"$R/bench.jsonl" <<'END'
{"id":"1","data_source":"A","response":{"steps":["a","b","c","d"],"process_correctness":[1,1,-1,0]},"labels":["+","-","-","+"]}
{"id":"2","data_source":"A","response":{"steps":["a","b","c"],"process_correctness":[1,-1,-1]},"labels":[0.9,0.7,0.2]}
{"id":"3","data_source":"B","response":{"steps":["a","b","c","d","e","f"],"process_correctness":[1,1,1,-1,0,0]},"labels":[true,true,false,true,null,"+"]}
{"id":"4","data_source":"B","response":{"steps":["a","b"],"process_correctness":[-1,-1]},"labels":[null,"-"]}
END

near() { # near VALUE WANT: equal to 1e-9
	awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; exit !(d < 1e-9 && d > -1e-9) }'
}

test_case 'macro-F1 per source and pooled, worked out by hand' '
	smelt-prm-eval $R/bench.jsonl --plain -q >report.json &&
	test "$(wc -l <report.json)" = 1 &&
	near "$(jq .sources.A.f1_correct report.json)" 0.6666666666666666 &&
	near "$(jq .sources.A.f1_incorrect report.json)" 0.6666666666666666 &&
	near "$(jq .sources.A.macro_f1 report.json)" 0.6666666666666666 &&
	near "$(jq .sources.B.f1_correct report.json)" 0.6666666666666666 &&
	near "$(jq .sources.B.f1_incorrect report.json)" 0.5 &&
	near "$(jq .sources.B.macro_f1 report.json)" 0.5833333333333333 &&
	near "$(jq .overall.f1_correct report.json)" 0.6666666666666666 &&
	near "$(jq .overall.f1_incorrect report.json)" 0.6 &&
	near "$(jq .overall.macro_f1 report.json)" 0.6333333333333333 &&
	near "$(jq .mean_over_sources report.json)" 0.625 &&
	jq -e ".overall.neutral_steps == 3 and .overall.unpredicted_steps == 1 and .overall.solutions == 4
		and .overall.correct_steps == 6 and .overall.incorrect_steps == 6 and .sources.A.neutral_steps == 1" report.json &&
	validate $SMELT_TOP/schemas/prm-eval.schema.json report.json
'

test_case 'the table on stderr; the report in --stats' '
	smelt-prm-eval $R/bench.jsonl --plain --stats st.json >report.json 2>table &&
	cat table &&
	grep -q "^| A | 2 | 6 | 1 | 0 | 66.7 | 66.7 | 66.7 |$" table &&
	grep -q "^| B | 2 | 6 | 2 | 1 | 66.7 | 50.0 | 58.3 |$" table &&
	grep -q "^| \*\*overall\*\* | 4 | 12 | 3 | 1 | 66.7 | 60.0 | 63.3 |$" table &&
	jq -e ".prm_eval.overall.macro_f1 > 0.63" st.json
'

test_case 'a threshold moves score predictions only' '
	smelt-prm-eval --threshold 0.8 $R/bench.jsonl --plain -q >r.json &&
	near "$(jq .sources.A.f1_correct r.json)" 0.8 &&
	near "$(jq .sources.B.macro_f1 r.json)" 0.5833333333333333
'

test_case 'other fields: smelt-mc scores against a gold list' '
	echo "{\"id\":\"m\",\"gold\":[1,-1],\"steps_with_score\":[{\"score\":0.5},{\"score\":0}]}" >m.jsonl &&
	smelt-prm-eval --gold gold --threshold 0 m.jsonl --plain -q >r.json &&
	jq -e ".overall.macro_f1 == 1 and .sources.unknown.solutions == 1" r.json &&
	smelt-prm-eval --gold gold --pred steps_with_score --threshold 0.5 m.jsonl --plain -q >r2.json &&
	jq -e ".overall.f1_correct == 0 and .overall.f1_incorrect == (2/3)" r2.json
'

test_case 'bad records are rejected; they count nowhere' '
	cat >bad.jsonl <<-\END &&
	{"id":"len","response":{"process_correctness":[1,1]},"labels":["+"]}
	{"id":"gold","response":{"process_correctness":[1,2]},"labels":["+","+"]}
	{"id":"pred","response":{"process_correctness":[1]},"labels":["yes"]}
	{"id":"none","response":{"process_correctness":[1]}}
	{"id":"ok","response":{"process_correctness":[1]},"labels":["+"]}
	END
	test_status 0 smelt-prm-eval bad.jsonl --rejects rej.jsonl --plain -q >r.json &&
	jq -r "[.id, .error.kind] | join(\" \")" rej.jsonl >got &&
	printf "%s\n" "len length_mismatch" "gold bad_field_type" "pred bad_field_type" "none missing_field" >want &&
	test_cmp want got &&
	jq -e ".overall.solutions == 1 and .overall.f1_correct == 1 and .overall.f1_incorrect == 0" r.json &&
	test_status 3 smelt-prm-eval bad.jsonl --plain -q >/dev/null 2>&1
'

test_done
