#!/bin/sh
# examples/condor with LANG=zh: the Chinese tree, task types and prompts
# give Chinese records at every step, and every record validates.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/condor/lib-condor.sh"
O="$test_root/zh"
CJK="[\\\\x{4e00}-\\\\x{9fff}]"

test_case 'LANG=zh builds D_V, D_R, DPO pairs and the report' '
	{ condor_make "$O" LANG=zh N=20 >log 2>&1 || { cat log; false; }; } &&
	condor_validate "$O" &&
	condor_counts_add_up "$O" &&
	condor_pairs_accounted "$O" &&
	test "$(cat_any "$O/dpo.jsonl.zst" | wc -l)" -gt 0
'

test_case 'every record is Chinese: tree path, task, question, answer, critique, refinement' '
	cat_any "$O/questions.jsonl.zst" >q.jsonl &&
	jq -e ".lang == \"zh\" and (.question | test(\"$CJK\")) and (.theme | test(\"$CJK\")) and (.task | test(\"$CJK\"))" q.jsonl >/dev/null &&
	test "$(jq -r .difficulty q.jsonl | sort -u | tr "\n" " ")" = "easy hard medium " &&
	cat_any "$O/refined.jsonl.zst" >r.jsonl &&
	jq -e "(.answer | test(\"$CJK\")) and (.critique | has(\"优点\") and has(\"缺点\") and has(\"建议\")) and (.refined | test(\"$CJK\"))" r.jsonl >/dev/null &&
	jq -se "map(select(.critique[\"缺点\"] == \"无\")) | length > 0 and all(.refine_rounds == 0)" r.jsonl >/dev/null &&
	cat_any "$O/sft_r.jsonl.zst" | jq -e ".lang == \"zh\" and (.messages[1].content | test(\"$CJK\"))" >/dev/null &&
	cat_any "$O/dpo.jsonl.zst" | jq -e ".lang == \"zh\" and (.chosen | test(\"$CJK\")) and (.rejected | test(\"$CJK\"))" >/dev/null
'
test_done
