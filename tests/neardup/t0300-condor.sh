#!/bin/sh
# examples/condor with NEARDUP=1: the questions are deduplicated with
# smelt-dedup --near (MinHash LSH) instead of exactly; the build still
# accounts for every record, and writes the near-duplicate report.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/condor/lib-condor.sh"
O="$test_root/out"

test_case 'NEARDUP=1: the question dedup step runs --near and the counts add up' '
	condor_make "$O" N=10 NEARDUP=1 >log 2>&1 &&
	jq -e ".near.bands == 14 and .near.rows == 8 and .records_in == (.records_out + .records_rejected)" \
		"$O/dedup.stats.json" >/dev/null &&
	grep -q "<polyline" "$O/neardup.html" &&
	test -s "$O/sft_r.jsonl.zst" &&
	condor_counts_add_up "$O"
'

test_case 'switching NEARDUP off reruns the dedup step exactly' '
	condor_make "$O" N=10 >log 2>&1 &&
	jq -e "has(\"near\") | not" "$O/dedup.stats.json" >/dev/null &&
	jq -e ".distinct >= 1" "$O/dedup.stats.json" >/dev/null
'

test_done
