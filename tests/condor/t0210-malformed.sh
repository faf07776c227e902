#!/bin/sh
# examples/condor with malformed Condor replies (missing end markers, prose
# around the blocks, a missing level or block): no crash and no silent
# loss — every sampled pair ends as questions or as a reject with its raw
# reply, a reply missing a level keeps its other questions (the missing
# ones counted per level), and the count table adds up at every step.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/condor/lib-condor.sh"

test_case '10% malformed replies: the build finishes, every pair and record accounted for' '
	O="$test_root/o10" &&
	{ condor_make "$O" N=40 SEED=2 SIM_OPTS="--condor-malformed 0.1" >log 2>&1 || { cat log; false; }; } &&
	condor_validate "$O" &&
	condor_counts_add_up "$O" &&
	condor_pairs_accounted "$O" &&
	jq -e "[.steps[] | .figures[\"gen.reparses\"] // 0, .figures[\"refine.reparses\"] // 0] | add > 0" "$O/counts.json" >/dev/null &&
	grep -q "Pipeline counts" "$O/report.html"
'

test_case 'half malformed, no re-sampling: rejects carry the raw reply, partial replies are kept' '
	O="$test_root/o50" &&
	{ condor_make "$O" N=30 SIM_OPTS="--condor-malformed 0.5" LLM_OPTS="--reparse 0" >log 2>&1 ||
	  { cat log; false; }; } &&
	condor_validate "$O" &&
	condor_counts_add_up "$O" &&
	condor_pairs_accounted "$O" &&
	test -s "$O/critiques.rejects.jsonl" &&
	jq -e ".error.kind == \"parse_error\" and (.raw_reply | length) > 0" \
		"$O/critiques.rejects.jsonl" >/dev/null &&
	c=$(wc -l <"$O/critiques.rejects.jsonl") &&
	jq -e "(.steps[] | select(.step == \"critiques\") | .rejects_by_kind.parse_error) == $c" "$O/counts.json" >/dev/null &&
	grep -q "parse_error: $c" "$O/report.html" &&
	test "$(cat_any "$O/questions.raw.jsonl.zst" | jq -r ".question[].label" | sort -u | tr "\n" " ")" = "Easy Hard Medium " &&
	partial=$(cat_any "$O/questions.raw.jsonl.zst" | jq -s "map(select(.question | length == 2)) | length") &&
	test "$partial" -gt 0 &&
	jq -e ".partial_replies == $partial and .missing.medium == $partial and .missing.easy == 0" \
		"$O/shape.stats.json" >/dev/null
'
test_done
