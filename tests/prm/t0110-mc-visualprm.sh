#!/bin/sh
# VisualPRM's splitting and early stop on hand-checked solutions: a
# 13-piece response becomes 7 steps (chunks of 2, the last alone), empty
# pieces are kept, --merge even gives 12; against an error-free solver the
# scores are worked out by hand for every mode.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
. "$SMELT_TOP/tests/llm/lib-llm.sh"
. "$SMELT_TOP/tests/prm/lib-prm.sh"

R=$test_root
sim_start --step-error 0

# Ann: 5 -> 8 -> 16 -> 12. Piece 2 gets step 2 wrong (17); piece 5 redoes it
# right, so a rollout from after piece 5 reaches 12 again. Piece 4 is empty.
# (bob, below, also gets step 3 wrong: the search probes steps 3 (-), 1 (-)
# and 0 (+), 4 + 4 + 1 generations.)
jq -cn '{id: "ann", question: "Ann has 5 apples. She buys 3 more. She doubles them. She loses 4. How many apples does she have now?",
	answer: "12",
	response: ([
		"Let me work through it.",
		"Step 1: She buys 3 more, so 5 + 3 = 8.",
		"Step 2: She doubles them, so 8 * 2 = 17.",
		"Hmm, let me check that again.",
		"",
		"Step 2: She doubles them, so 8 * 2 = 16.",
		"Step 3: She loses 4, so 16 - 4 = 12.",
		"Final answer: 12",
		"Let me double-check.",
		"5 + 3 = 8.",
		"8 * 2 = 16.",
		"16 - 4 = 12.",
		"Final answer: 12"] | join("\n\n"))}' >"$R/ann.jsonl"

# The expected steps: pieces (0,1) (2,3) (4,5) (6,7) (8,9) (10,11) (12).
jq -r '.response | split("\n\n") as $p |
	[range(0; 13; 2) | $p[.:.+2] | join("\n\n")] | .[]' "$R/ann.jsonl" >"$R/want-steps"

# scores [score, correct, total] per step, as one line
scores() { jq -c '[.steps_with_score[] | [.score, .num_mc_correct, .num_mc_total]]' "$1"; }

test_case '13 pieces -> 7 steps, each a chunk of 2 (the last alone), empty piece kept' '
	mc --mode full --rollouts 4 $R/ann.jsonl >out.jsonl &&
	test "$(jq ".steps_with_score | length" out.jsonl)" = 7 &&
	jq -r ".steps_with_score[].step" out.jsonl >got &&
	test_cmp $R/want-steps got &&
	test "$(jq -r ".steps_with_score[2].step" out.jsonl)" = "$(printf "\n\nStep 2: She doubles them, so 8 * 2 = 16.")"
'

test_case 'full by hand: only the step ending on the wrong 17 fails' '
	mc --mode full --rollouts 4 $R/ann.jsonl >out.jsonl &&
	test "$(scores out.jsonl)" = "[[1,4,4],[0,0,4],[1,4,4],[1,4,4],[1,4,4],[1,4,4],[1,4,4]]" &&
	test "$(labels out.jsonl)" = "ann +-+++++"
'

test_case 'visualprm by hand: stop after the zero step; later steps 0 of 0' '
	reset_metrics &&
	mc --mode visualprm --rollouts 4 $R/ann.jsonl >out.jsonl &&
	test "$(scores out.jsonl)" = "[[1,4,4],[0,0,4],[0,0,0],[0,0,0],[0,0,0],[0,0,0],[0,0,0]]" &&
	test "$(labels out.jsonl)" = "ann +------" &&
	test "$(metric generations_total)" = 8 &&
	test "$(jq .num_mc_sequences out.jsonl)" = 4
'

test_case 'exact-binary by hand: one generation per "+" step, all 16 for the "-"' '
	reset_metrics &&
	mc --mode exact-binary $R/ann.jsonl >out.jsonl &&
	test "$(scores out.jsonl)" = "[[null,1,1],[null,0,16],[null,1,1],[null,1,1],[null,1,1],[null,1,1],[null,1,1]]" &&
	test "$(labels out.jsonl)" = "ann +-+++++" &&
	test "$(metric generations_total)" = 22 &&
	test "$(metric requests_total)" = 11
'

test_case 'first-error by hand: a right final answer makes every step "+" unasked' '
	reset_metrics &&
	mc --mode first-error $R/ann.jsonl >out.jsonl &&
	test "$(labels out.jsonl)" = "ann +++++++" &&
	test "$(jq -c "[.steps_with_score[].score]" out.jsonl)" = "[null,null,null,null,null,null,null]" &&
	jq -e ".mc.final_correct == true and .mc.first_error == null" out.jsonl &&
	test "$(metric requests_total)" = 0
'

test_case 'first-error by hand: a wrong answer is searched for its first error' '
	jq -c ".id = \"bob\" | .response |= sub(\"16 - 4 = 12\"; \"16 - 4 = 11\") | .response |= gsub(\"Final answer: 12\"; \"Final answer: 11\")" \
		$R/ann.jsonl >bob.jsonl &&
	grep -q "16 - 4 = 11" bob.jsonl &&
	mc --mode full --rollouts 4 bob.jsonl >full.jsonl &&
	test "$(labels full.jsonl)" = "bob +-+----" &&
	reset_metrics &&
	mc --mode first-error --rollouts 4 bob.jsonl >out.jsonl &&
	test "$(jq .mc.first_error out.jsonl)" = 1 &&
	test "$(labels out.jsonl)" = "bob +-.-..." &&
	test "$(metric generations_total)" = 9
'

test_case '--merge even: 13 pieces -> 12 steps; --max-steps 0: 13' '
	mc --mode full --rollouts 1 --merge even $R/ann.jsonl >even.jsonl &&
	test "$(jq ".steps_with_score | length" even.jsonl)" = 12 &&
	test "$(jq -r ".steps_with_score[0].step" even.jsonl)" = "$(printf "Let me work through it.\n\nStep 1: She buys 3 more, so 5 + 3 = 8.")" &&
	test "$(jq -r ".steps_with_score[1].step" even.jsonl)" = "Step 2: She doubles them, so 8 * 2 = 17." &&
	mc --mode full --rollouts 1 --max-steps 0 $R/ann.jsonl >all.jsonl &&
	test "$(jq ".steps_with_score | length" all.jsonl)" = 13 &&
	test "$(jq -r ".steps_with_score[4].step" all.jsonl)" = ""
'

test_case 'a steps list is used as given, never merged' '
	jq -c "del(.response) | .steps = [range(0; 14) | \"Step 1: She buys 3 more, so 5 + 3 = 8.\"]" $R/ann.jsonl >steps.jsonl &&
	mc --mode full --rollouts 2 steps.jsonl >out.jsonl &&
	test "$(jq ".steps_with_score | length" out.jsonl)" = 14 &&
	test "$(labels out.jsonl)" = "ann ++++++++++++++"
'

test_case 'the \boxed prompt: boxed solutions are checked the same way' '
	jq -c ".response |= gsub(\"Final answer: 12\"; \"\\\\boxed{12}\")" $R/ann.jsonl >boxed.jsonl &&
	grep -q "boxed{12}" boxed.jsonl &&
	smelt-mc --endpoint "$SIM_URL/v1" --model smelt-sim --prompt $SMELT_TOP/prompts/visualprm/en/boxed.prompt \
		--plain -q --mode full --rollouts 2 boxed.jsonl >out.jsonl &&
	test "$(labels out.jsonl)" = "ann +-+++++"
'

sim_stop_all
test_case 'smelt-sim exited cleanly' sim_exited_cleanly
test_done
