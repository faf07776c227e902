#!/bin/sh
# examples/condor end to end against its own smelt-sim: D_V, D_R, DPO pairs
# and the report; a second run asks and rewrites nothing; outputs rebuilt
# from the cache ask nothing; an edited refine prompt reruns refinement and
# what follows only.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/condor/lib-condor.sh"
O="$test_root/out"

# listing DIR: names, sizes and modification times of every file.
listing() {
	find "$1" -type f -printf '%p %s %T@\n' | sort
}

test_case 'a first build writes D_V, D_R, DPO pairs and the report; every record validates' '
	condor_make "$O" N=20 >log 2>&1 &&
	for x in sft_v.jsonl.zst sft_r.jsonl.zst dpo.jsonl.zst report.html counts.json; do
		test -s "$O/$x" || { echo "missing $x"; exit 1; }
	done &&
	test "$(cat_any "$O/pairs.jsonl.zst" | wc -l)" -eq 20 &&
	test "$(cat_any "$O/sft_r.jsonl.zst" | wc -l)" -eq 60 &&
	test "$(cat_any "$O/sft_v.jsonl.zst" | wc -l)" -eq 60 &&
	test "$(cat_any "$O/dpo.jsonl.zst" | wc -l)" -gt 0 &&
	test "$(chat_requests "$O")" -gt 0 &&
	condor_validate "$O" &&
	condor_counts_add_up "$O" &&
	condor_pairs_accounted "$O" &&
	cat_any "$O/dpo.jsonl.zst" | jq -e ".chosen != .rejected and .lang == \"en\" and (.path | length) == 3" >/dev/null &&
	for step in sample questions length dedup answers critiques refine sft_v sft_r dpo; do
		grep -q "<td class=\"l\">$step</td>" "$O/report.html" || { echo "no row $step"; exit 1; }
	done &&
	grep -q "Dataset statistics" "$O/report.html"
'

test_case 'D_V and D_R convert to sharegpt and llava' '
	smelt-cat --plain --to sharegpt "$O/sft_v.jsonl.zst" >sg.jsonl &&
	test "$(wc -l <sg.jsonl)" -eq 60 &&
	jq -e "(.conversations | length) == 2 and .conversations[1].from == \"gpt\"" sg.jsonl >/dev/null &&
	smelt-cat --plain --to llava "$O/sft_r.jsonl.zst" >lv.jsonl &&
	test "$(wc -l <lv.jsonl)" -eq 60
'

test_case 'a second run starts no simulator and rewrites nothing' '
	listing "$O" >before &&
	condor_make "$O" N=20 >log 2>&1 &&
	grep -q "up to date" log &&
	listing "$O" >after &&
	test_cmp before after
'

test_case 'outputs removed and rebuilt from the cache: zero requests, the same records' '
	for x in sft_v sft_r dpo refined questions; do cat_any "$O/$x.jsonl.zst" >"$x.before"; done &&
	rm -f "$O"/*.jsonl.zst &&
	condor_make "$O" N=20 >log 2>&1 &&
	test "$(chat_requests "$O")" -eq 0 &&
	for x in sft_v sft_r dpo refined questions; do
		cat_any "$O/$x.jsonl.zst" >"$x.after" && cmp "$x.before" "$x.after" || exit 1
	done &&
	jq -e "[.steps[].figures[\"llm.requests\"] // 0] | add == 0" "$O/counts.json" >/dev/null
'

test_case 'an edited refine prompt reruns refinement and what follows, nothing before' '
	P2="$test_root/prompts" && O2="$test_root/out2" &&
	cp -R "$SMELT_TOP/prompts/condor/en" "$P2" &&
	{ condor_make "$O2" N=10 PROMPTS="$P2" >log 2>&1 || { cat log; exit 1; }; } &&
	listing "$O2" >before &&
	sleep 1 &&
	echo "Keep the improved answer short." >>"$P2/refine.prompt" &&
	{ condor_make "$O2" N=10 PROMPTS="$P2" >log2 2>&1 || { cat log2; exit 1; }; } &&
	listing "$O2" >after &&
	for x in pairs questions.raw questions answers critiques sft_v; do
		test "$(grep "/$x.jsonl.zst " before)" = "$(grep "/$x.jsonl.zst " after)" || { echo "$x was rebuilt"; exit 1; }
	done &&
	for x in refined sft_r dpo; do
		test "$(grep "/$x.jsonl.zst " before)" != "$(grep "/$x.jsonl.zst " after)" || { echo "$x was not rebuilt"; exit 1; }
	done &&
	refined=$(jq ".refine.refined" "$O2/refine.stats.json") &&
	asked=$(chat_requests "$O2") &&
	{ test "$asked" -eq "$refined" || { echo "asked $asked, refined $refined"; cat log2; exit 1; }; } &&
	{ ! grep -q "smelt-gen" log2 || { echo "smelt-gen ran again:"; cat log2; exit 1; }; }
'

test_case 'ROUNDS=2 refines again; N=12 samples again' '
	O2="$test_root/out2" && P2="$test_root/prompts" &&
	{ condor_make "$O2" N=10 PROMPTS="$P2" ROUNDS=2 >log 2>&1 || { cat log; false; }; } &&
	! grep "smelt-gen" log && grep -q "smelt-refine" log &&
	cat_any "$O2/refined.jsonl.zst" | jq -se "map(.refine_rounds) | max == 2" >/dev/null &&
	condor_make "$O2" N=12 PROMPTS="$P2" ROUNDS=2 >log 2>&1 &&
	test "$(cat_any "$O2/pairs.jsonl.zst" | wc -l)" -eq 12 &&
	condor_counts_add_up "$O2"
'

test_case 'GROW_DEPTH grows a small tree one level before sampling' '
	O3="$test_root/out3" &&
	echo "{\"Pets\": {\"Cats\": [\"cat food\", \"kittens\"]}, \"Travel\": {\"Trains\": [\"night trains\"]}}" >t.json &&
	condor_make "$O3" N=6 TREE="$PWD/t.json" GROW_DEPTH=4 GROW_CHILDREN=2 >log 2>&1 &&
	smelt-tree stats "$O3/tree.json" | jq -e ".depth == 4 and .levels[3] == 6" >/dev/null &&
	cat_any "$O3/pairs.jsonl.zst" | jq -e "(.path | length) == 4" >/dev/null &&
	jq -e ".steps[0].step == \"grow\" and .steps[0].figures[\"grow.asked\"] == 3" "$O3/counts.json" >/dev/null
'

test_case 'ENDPOINT without MODEL is an error before anything runs' '
	! condor_make "$test_root/out4" ENDPOINT=http://127.0.0.1:9/v1 >log 2>&1 &&
	grep -q "set MODEL" log && test ! -e "$test_root/out4/pairs.jsonl.zst"
'
test_done
