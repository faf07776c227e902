#!/bin/sh
# smelt-prm-score end to end against smelt-sim playing a PRM: solutions ->
# smelt-prm-score (chat logprobs, and step-tag pooling) -> smelt-prm-eval
# and -> smelt-bon, measured against gold step labels worked out here,
# independently of the simulator, from each step's arithmetic.
#
# Margins: random step predictions give a macro-F1 of about 0.5
# (VisualProcessBench's "random 50.0"); the test asks for >= 0.70. A
# random pick among a question's 8 responses is right as often as the
# first response is (pass@1); PRM Best-of-N must beat it by >= 0.15. An
# uninformative PRM (--prm-noise 50) must fall below 0.65, so the margin
# measures the scores, not the plumbing.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
. "$SMELT_TOP/tests/llm/lib-llm.sh"
. "$SMELT_TOP/tests/prm/lib-prm.sh"

R=$test_root
sim_start --seed 1 --step-error 0.1
make_solutions 30 8 3 "$R/sol.jsonl" || exit 1

# VisualProcessBench's shape; a step is correct (1) iff every "A op B = R"
# up to it holds (the solver's only slip is a wrong R), else -1.
jq -c '(.response | split("\n\n")) as $s
	| ([$s[] | capture("so (?<a>-?[0-9]+) (?<o>[-+*]) (?<b>[0-9]+) = (?<r>-?[0-9]+)\\.")
		| (.a | tonumber) as $a | (.b | tonumber) as $b | (.r | tonumber) as $r
		| (if .o == "+" then $a + $b elif .o == "-" then $a - $b else $a * $b end) == $r]) as $ok
	| {id, question, answer, data_source: "sim", response: {steps: $s,
		process_correctness: [range(0; $ok | length) as $i | if ($ok[0:$i + 1] | all) then 1 else -1 end]}}' \
	"$R/sol.jsonl" >"$R/bench.jsonl"

score() {
	smelt-prm-score --endpoint "$SIM_URL/v1" --model smelt-sim --plain -q "$@"
}

test_case 'the bench has both kinds of steps' '
	jq -e -s "map(.response.process_correctness[]) | (map(select(. == 1)) | length) > 100 and
		(map(select(. == -1)) | length) > 100" $R/bench.jsonl
'

test_case 'the simulated PRM: one token, logprobs when asked, the same answer twice' '
	q=$(jq -r .question $R/bench.jsonl | head -1) &&
	body=$(jq -cn --arg q "$q" "{messages: [{role: \"system\", content: \"s\"},
		{role: \"user\", content: (\"### Question:\\n\" + \$q + \"\\n\\n### Solution Process:\\nStep 1: x\")}],
		max_tokens: 1, logprobs: true, top_logprobs: 5}") &&
	sim_post /v1/chat/completions "$body" >a.json && sim_post /v1/chat/completions "$body" >b.json &&
	jq -e ".choices[0].message.content as \$c | (\$c == \"+\" or \$c == \"-\") and
		(.choices[0].logprobs.content[0].top_logprobs | map(.token) | sort == [\"+\", \"-\"]) and
		(.choices[0].logprobs.content[0].top_logprobs | map(.logprob | exp) | add | . > 0.999 and . < 1.001)" a.json &&
	jq -c .choices b.json >cb && jq -c .choices a.json >ca && test_cmp ca cb &&
	sim_post /v1/chat/completions "$(echo "$body" | jq -c "del(.logprobs)")" | jq -e ".choices[0].logprobs == null"
'

test_case 'chat: one request per step, a score per step in [0, 1]' '
	reset_metrics &&
	score --stats st.json $R/bench.jsonl >$R/chat.jsonl &&
	steps=$(jq -s "map(.response.steps | length) | add" $R/bench.jsonl) &&
	test "$(metric requests_total)" = "$steps" &&
	jq_all "(.step_scores | length) == (.response.steps | length) and
		(.step_scores | all(type == \"number\" and . >= 0 and . <= 1))" $R/chat.jsonl &&
	jq -e ".prm_score.steps == $steps and .prm_score.unscored_steps == 0" st.json &&
	jq -e ".provenance[-1].stage == \"smelt-prm-score\"" $R/chat.jsonl >/dev/null
'

test_case 'chat -> smelt-prm-eval: macro-F1 >= 0.70 (random: 0.5)' '
	smelt-prm-eval $R/chat.jsonl --plain >report.json &&
	jq -e ".overall.macro_f1 >= 0.70 and .overall.unpredicted_steps == 0" report.json
'

test_case 'pooling (step tags): one request per solution, the same F1 margin' '
	reset_metrics &&
	score --backend pooling $R/bench.jsonl >$R/pool.jsonl &&
	test "$(metric requests_total)" = "$(wc -l <$R/bench.jsonl)" &&
	smelt-prm-eval $R/pool.jsonl --plain -q >report.json &&
	jq -e ".overall.macro_f1 >= 0.70" report.json
'

test_case 'a cached rerun asks nothing and gives the same scores' '
	score --cache $R/cache $R/bench.jsonl >a.jsonl &&
	reset_metrics &&
	score --cache $R/cache $R/bench.jsonl >b.jsonl &&
	test "$(metric requests_total)" = 0 &&
	test_cmp a.jsonl b.jsonl
'

test_case 'solutions -> smelt-prm-score -> smelt-bon: PRM picks beat pass@1 by >= 0.15' '
	score $R/sol.jsonl >scored.jsonl &&
	smelt-bon --group-by question --stats bon.json scored.jsonl --plain -q >picked.jsonl &&
	test "$(wc -l <picked.jsonl)" = 30 &&
	jq -e ".bon.with_gold == 30 and .bon.accuracy >= .bon.first_accuracy + 0.15" bon.json
'

sim_stop_all
sim_start --seed 1 --step-error 0.1 --prm-noise 50

test_case 'an uninformative PRM stays near chance (the margin can fail)' '
	score $R/bench.jsonl >noise.jsonl &&
	smelt-prm-eval noise.jsonl --plain -q >report.json &&
	jq -e ".overall.macro_f1 < 0.65" report.json
'

test_case 'bad records are rejected with their kind' '
	printf "%s\n" "{\"id\":\"nq\",\"steps\":[\"a\"]}" "{\"id\":\"ns\",\"question\":\"Q\"}" \
		"{\"id\":\"bs\",\"question\":\"Q\",\"steps\":[1]}" "{\"id\":\"es\",\"question\":\"Q\",\"steps\":[]}" >bad.jsonl &&
	score bad.jsonl --rejects rej.jsonl >out &&
	test ! -s out &&
	jq -r "[.id, .error.kind] | join(\" \")" rej.jsonl >got &&
	printf "%s\n" "nq missing_field" "ns missing_field" "bs bad_field_type" "es no_steps" >want &&
	test_cmp want got
'

sim_stop_all
test_case 'the servers exited cleanly' sim_exited_cleanly
test_done
