#!/bin/sh
# examples/condor as published: REFINE=always and PROMPT_SET=paper against
# smelt-sim. Every answered question is refined exactly once (also where
# the critique found no weakness), every refined answer gives a DPO pair,
# and the count table adds up from the sampled pairs to D_R. zh uses
# Condor's zh suggestion marker 改进意见.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/condor/lib-condor.sh"

# refined_once OUT: the refine step refined every record it took, once.
refined_once() {
	jq -e '
		(.steps | map({(.step): .}) | add) as $s |
		$s.refine.records_in == $s.critiques.records_out and
		$s.refine.records_out + $s.refine.records_rejected == $s.refine.records_in and
		$s.refine.figures["refine.always"] == 1 and
		$s.refine.figures["refine.unrefined"] == 0 and
		$s.refine.figures["refine.refined"] == $s.refine.records_out and
		$s.refine.figures["refine.refinements"] == $s.refine.records_out and
		$s.refine.figures["refine.no_weakness_seen"] > 0 and
		$s.dpo.records_out == $s.refine.records_out and
		$s.sft_r.records_out == $s.refine.records_out' "$1/counts.json" >/dev/null &&
	cat_any "$1/refined.jsonl.zst" |
		jq -e '.refine_rounds == 1 and (.rounds | length) == 1 and .refined != .answer and
		       (.provenance | last | .params.refine == "always")' >/dev/null
}

test_case 'en: REFINE=always PROMPT_SET=paper refines every answered question once; counts add up' '
	O="$test_root/en" &&
	{ condor_make "$O" N=6 REFINE=always PROMPT_SET=paper >log 2>&1 || { cat log; false; }; } &&
	grep -q "prompts/condor/en/paper/question.prompt" log &&
	grep -q -- "--always" log &&
	condor_validate "$O" &&
	condor_counts_add_up "$O" &&
	condor_pairs_accounted "$O" &&
	refined_once "$O" &&
	test "$(cat_any "$O/refined.jsonl.zst" | wc -l)" -eq "$(cat_any "$O/answers.jsonl.zst" | wc -l)" &&
	jq -e ".steps[] | select(.step == \"sample\") | .figures.examples_per_record == 3" "$O/counts.json" >/dev/null
'

test_case 'switching back to REFINE=if-weak reruns refinement only and stops at "no weakness" again' '
	O="$test_root/en" &&
	{ condor_make "$O" N=6 REFINE=if-weak PROMPT_SET=paper >log 2>&1 || { cat log; false; }; } &&
	! grep -q "smelt-gen" log && grep -q -- "--if-weak" log &&
	jq -e ".refine.always == 0 and .refine.unrefined == .refine.stop_no_weakness and .refine.unrefined > 0" \
		"$O/refine.stats.json" >/dev/null &&
	condor_counts_add_up "$O"
'

test_case 'zh: the paper set critiques with 优点/缺点/改进意见 and refines every answer once' '
	O="$test_root/zh" &&
	{ condor_make "$O" LANG=zh N=4 REFINE=always PROMPT_SET=paper >log 2>&1 || { cat log; false; }; } &&
	condor_validate "$O" &&
	condor_counts_add_up "$O" &&
	refined_once "$O" &&
	cat_any "$O/critiques.jsonl.zst" | jq -e ".critique | keys == [\"优点\", \"改进意见\", \"缺点\"]" >/dev/null
'

test_case 'PROMPT_SET and REFINE take only their values' '
	! condor_make "$test_root/x" PROMPT_SET=papr >log 2>&1 && grep -q "PROMPT_SET is default or paper" log &&
	! condor_make "$test_root/x" REFINE=never >log 2>&1 && grep -q "REFINE is always or if-weak" log
'
test_done
