#!/bin/sh
# examples/rmfilter end to end: LLaVA + ShareGPT fixture corpus converted,
# scored on smelt-sim's /pooling, cut per source; the rejects compared with
# the answer key by the example's own script: per-source cutting catches the
# planted defects and beats one global cut that drops as many records.
. "$(dirname "$0")/../lib.sh"
EX="$SMELT_TOP/examples/rmfilter"

test_case 'the example builds; every record is kept or set aside' '
	make -s -C "$EX" BIN="$SMELT_BIN" OUT="$SCRATCH/out" >prf.md &&
	o=$SCRATCH/out &&
	n_in=$(($(jq length "$EX/corpus/llava_vqa.json") + $(cat "$EX"/corpus/*.jsonl | wc -l))) &&
	n_cat=$(cat "$o"/*.cat-rejects.jsonl | wc -l) &&
	n_scored=$(zstd -dcq "$o/scored.jsonl.zst" | wc -l) &&
	n_kept=$(zstd -dcq "$o/kept.jsonl.zst" | wc -l) &&
	n_drop=$(wc -l <"$o/dropped.jsonl") &&
	test "$n_in" -eq 360 && test $((n_cat + n_scored)) -eq "$n_in" &&
	test ! -s "$o/score-rejects.jsonl" &&
	test $((n_kept + n_drop)) -eq "$n_scored" &&
	jq -se "all(.[]; .filter.rule == \"quantile\")" "$o/dropped.jsonl" >/dev/null &&
	grep -q "| per-source |" prf.md
'

test_case 'per-source quantile cut catches the planted defects (answer key)' '
	make -s -C "$EX" BIN="$SMELT_BIN" OUT="$SCRATCH/out" >/dev/null &&
	j=$SCRATCH/out/prf.json &&
	jq -e ".planted == 37 and .caught_before_filter == 3 and .reaching_filter == 34" "$j" &&
	jq -e ".cuts[\"per-source\"] | .precision >= 90 and .recall >= 90" "$j" &&
	jq -e ".cuts[\"per-source\"].recall_by_kind | .empty == 100 and .unrelated == 100" "$j"
'

test_case 'per-source cutting beats one global cut at the same drop budget' '
	make -s -C "$EX" BIN="$SMELT_BIN" OUT="$SCRATCH/out" >/dev/null &&
	j=$SCRATCH/out/prf.json &&
	jq -e ".cuts | .global.dropped == .[\"per-source\"].dropped" "$j" &&
	jq -e ".cuts | .[\"per-source\"].true_positives > .global.true_positives" "$j" &&
	jq -e ".cuts | .[\"per-source\"].precision > .global.precision and .[\"per-source\"].recall > .global.recall" "$j"
'

test_case 'the report shows each source with its cut and samples' '
	make -s -C "$EX" BIN="$SMELT_BIN" OUT="$SCRATCH/out" >/dev/null &&
	r=$SCRATCH/out/report.html &&
	test "$(grep -o "<section class=\"group\">" "$r" | wc -l)" -eq 3 &&
	test "$(grep -o "<line class=\"cut\"" "$r" | wc -l)" -eq 3 &&
	grep -q "<img class=\"thumb\" alt=\"vqa_" "$r" &&
	! grep -Eq "(src|href)=\"https?:" "$r"
'

test_done
