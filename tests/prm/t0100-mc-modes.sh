#!/bin/sh
# smelt-mc's modes against smelt-sim: exact-binary gives full's labels on
# the same seeds for a fraction of the generations (counted by the
# server), whatever the batching, and writes no score (null: its counts
# are early-stopped, no estimate); visualprm is full cut at the first zero
# step; first-error finds full's first "-" step; --dry-run bounds the cost
# without asking anything; a cached rerun asks nothing.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
. "$SMELT_TOP/tests/llm/lib-llm.sh"
. "$SMELT_TOP/tests/prm/lib-prm.sh"

R=$test_root
sim_start --step-error 0.08 --seed 3
make_solutions 30 2 5 "$R/sol.jsonl" || exit 1

# run_mode NAME ARGS...: label into $R/NAME.jsonl, server generations into $R/NAME.gen
run_mode() {
	rm_name=$1
	shift
	reset_metrics &&
	mc "$@" "$R/sol.jsonl" >"$R/$rm_name.jsonl" &&
	metric generations_total >"$R/$rm_name.gen" &&
	metric requests_total >"$R/$rm_name.req"
}

test_case 'full: N generations per step, scores are correct/N, labels score > 0' '
	run_mode full --mode full &&
	test "$(wc -l <$R/full.jsonl)" = 60 &&
	steps=$(jq -s "map(.steps_with_score | length) | add" $R/full.jsonl) &&
	test "$(cat $R/full.gen)" = $((steps * 16)) &&
	test "$(cat $R/full.req)" = "$steps" &&
	jq_all "([.steps_with_score[] | .num_mc_total == 16 and .score == .num_mc_correct / 16] | all)" $R/full.jsonl &&
	jq_all "([.steps_with_score, .labels] | transpose | map((.[0].score > 0) == (.[1] == \"+\")) | all)" $R/full.jsonl &&
	jq_all "(.num_mc_sequences == 16 and .mc.mode == \"full\" and (.provenance[-1].stage == \"smelt-mc\"))" $R/full.jsonl &&
	labels $R/full.jsonl >lab && grep -q -- "-" lab && grep -q "+" lab &&
	validate $SMELT_TOP/schemas/mc-labels.schema.json $R/full.jsonl
'

test_case 'exact-binary: the labels of full, at most 40% of its generations' '
	run_mode exact --mode exact-binary &&
	labels $R/full.jsonl >want && labels $R/exact.jsonl >got && test_cmp want got &&
	full=$(cat $R/full.gen) && exact=$(cat $R/exact.gen) &&
	echo "generations: full $full, exact-binary $exact" &&
	test $((exact * 100)) -le $((full * 40)) &&
	test "$(jq -s "map(.mc.generations) | add" $R/exact.jsonl)" = "$exact" &&
	jq_all "([.steps_with_score[] | .score == null] | all)" $R/exact.jsonl &&
	jq_all "([.steps_with_score, .labels] | transpose |
		map((.[0].num_mc_correct / .[0].num_mc_total > 0) == (.[1] == \"+\")) | all)" $R/exact.jsonl
'

test_case 'exact-binary agrees however samples are batched or requested' '
	labels $R/full.jsonl >want &&
	mc --mode exact-binary --first-batch 3 $R/sol.jsonl >b3.jsonl &&
	mc --mode exact-binary --n-mode seeds $R/sol.jsonl >seeds.jsonl &&
	mc --mode full --n-mode seeds $R/sol.jsonl >fullseeds.jsonl &&
	labels b3.jsonl >got1 && labels seeds.jsonl >got2 && labels fullseeds.jsonl >got3 &&
	test_cmp want got1 && test_cmp want got2 && test_cmp want got3 &&
	jq -c "[.steps_with_score[] | [.num_mc_correct, .num_mc_total]]" $R/exact.jsonl >c1 &&
	jq -c "[.steps_with_score[] | [.num_mc_correct, .num_mc_total]]" seeds.jsonl >c2 &&
	test_cmp c1 c2
'

test_case 'a threshold: exact-binary still agrees with full' '
	mc --mode full --threshold 0.5 $R/sol.jsonl >f.jsonl &&
	mc --mode exact-binary --threshold 0.5 $R/sol.jsonl >e.jsonl &&
	labels f.jsonl >want && labels e.jsonl >got && test_cmp want got &&
	jq_all "([.steps_with_score, .labels] | transpose | map((.[0].score > 0.5) == (.[1] == \"+\")) | all)" f.jsonl &&
	jq_all "([.steps_with_score, .labels] | transpose |
		map(.[0].score == null and (.[0].num_mc_correct / .[0].num_mc_total > 0.5) == (.[1] == \"+\")) | all)" e.jsonl &&
	! labels $R/full.jsonl | cmp -s - want
'

test_case 'visualprm: full up to the first zero step, then score 0 total 0' '
	run_mode vprm --mode visualprm &&
	jq -c "[.steps_with_score[] | [.score, .num_mc_total]]" $R/full.jsonl >f &&
	jq -c "[.steps_with_score[] | [.score, .num_mc_total]]" $R/vprm.jsonl >v &&
	paste -d"|" f v | while IFS="|" read -r a b; do
		jq -en --argjson f "$a" --argjson v "$b" "
			(([\$f[] | .[0]] | index(0)) // (\$f | length)) as \$z |
			\$v == (\$f[: \$z + 1] + [range(\$z + 1; \$f | length) | [0, 0]])" >/dev/null || exit 1
	done &&
	test "$(cat $R/vprm.gen)" -lt "$(cat $R/full.gen)" &&
	test "$(jq -s "map(.mc.generations) | add" $R/vprm.jsonl)" = "$(cat $R/vprm.gen)"
'

test_case 'first-error: right answers cost nothing; the search finds the first "-"' '
	run_mode fe --mode first-error &&
	jq -se "map(select(.mc.final_correct) | .mc.generations == 0 and (.labels | all(. == \"+\"))) | all" $R/fe.jsonl &&
	jq -se "map(select(.mc.final_correct | not) | .labels[.mc.first_error] == \"-\" and
		(.labels[: .mc.first_error] | all(. == \"+\"))) | all" $R/fe.jsonl &&
	jq -r "select(.mc.final_correct | not) | .id + \" \" + (.mc.first_error | tostring)" $R/fe.jsonl | sort >got &&
	jq -r "select(.labels | join(\"\") | test(\"^[+]*-+\$\")) | .id + \" \" + (.labels | index(\"-\") | tostring)" $R/full.jsonl | sort >want &&
	test -s want && join want got >both &&
	test "$(wc -l <both)" = "$(wc -l <want)" &&
	awk "\$2 != \$3 { bad = 1 } END { exit bad }" both &&
	test "$(cat $R/fe.gen)" -lt "$(cat $R/exact.gen)" &&
	validate $SMELT_TOP/schemas/mc-labels.schema.json $R/fe.jsonl $R/vprm.jsonl $R/exact.jsonl
'

test_case '--dry-run: bounds from the plan, nothing asked, no endpoint needed' '
	reset_metrics &&
	steps=$(jq -s "map(.steps_with_score | length) | add" $R/full.jsonl) &&
	env -u SMELT_ENDPOINTS -u OPENAI_BASE_URL smelt-mc --dry-run --mode full $R/sol.jsonl --plain -q >full.plan &&
	jq -e ".solutions == 60 and .steps == $steps and .generations.min == $steps * 16 and
		.generations.max == $steps * 16 and .requests.max == $steps" full.plan &&
	smelt-mc --dry-run --mode exact-binary $R/sol.jsonl --plain >exact.plan 2>err &&
	grep -q "dry run, mode exact-binary" err &&
	exact=$(cat $R/exact.gen) &&
	jq -e ".generations.min == $steps and .generations.max == $steps * 16 and
		.generations.min <= $exact and $exact <= .generations.max and .full_generations == $steps * 16" exact.plan &&
	smelt-mc --dry-run --mode first-error --n-mode seeds $R/sol.jsonl --plain -q >fe.plan &&
	fe=$(cat $R/fe.gen) &&
	jq -e ".generations.min <= $fe and $fe <= .generations.max and .requests.max == .generations.max" fe.plan &&
	test "$(metric requests_total)" = 0
'

test_case 'a cached rerun asks nothing and writes the same records' '
	mc --mode exact-binary --cache cache $R/sol.jsonl >one.jsonl &&
	reset_metrics &&
	mc --mode exact-binary --cache cache $R/sol.jsonl >two.jsonl &&
	test "$(metric generations_total)" = 0 &&
	test_cmp one.jsonl two.jsonl &&
	labels one.jsonl >got && labels $R/exact.jsonl >want && test_cmp want got
'

sim_stop_all
test_case 'smelt-sim exited cleanly' sim_exited_cleanly
test_done
