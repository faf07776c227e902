#!/bin/sh
# Strict rollouts: a continuation counts only when its answer is where the
# policy prompt says (its front matter's `extract:`, or --extract), never
# by a last-number fallback; a continuation cut at max_tokens is wrong;
# --stats counts both. smelt-sim --sloppy-ending 1 ends every solution in
# "... wait, let me recheck: …, so R" instead of "Final answer: R".
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
. "$SMELT_TOP/tests/llm/lib-llm.sh"
. "$SMELT_TOP/tests/prm/lib-prm.sh"

R=$test_root
# Right solutions, made by a server that writes "Final answer:" ...
sim_start --step-error 0 --seed 4
make_solutions 3 1 4 "$R/sol.jsonl" || exit 1
# ... labelled against one whose rollouts never commit to an answer.
sim_start --step-error 0 --seed 4 --sloppy-ending 1

steps=$(jq -s 'map(.response | split("\n\n") | length) | add' "$R/sol.jsonl")

test_case 'the sloppy server: the last number is the answer, no "Final answer:"' '
	body=$(jq -c "{messages: [{role: \"user\", content: .question}]}" $R/sol.jsonl | head -1) &&
	sim_post /v1/chat/completions "$body" | jq -r ".choices[0].message.content" >reply &&
	cat reply &&
	grep -q "wait, let me recheck" reply && ! grep -q "Final answer" reply &&
	test "$(grep -o "[0-9]*\$" reply)" = "$(jq -r .answer $R/sol.jsonl | head -1)"
'

test_case 'default (the prompt declares final-answer): no answer found, every rolled step "-"' '
	mc --rollouts 4 --stats st.json $R/sol.jsonl >out.jsonl &&
	jq_all "(.labels[:-1] | all(. == \"-\")) and .labels[-1] == \"+\"" out.jsonl &&
	jq -e ".mc.extract == \"final-answer\" and .mc.no_answer == 4 * ($steps - 3) and .mc.cut_by_length == 0" st.json &&
	jq -e ".provenance[-1].params.extract == \"final-answer\"" out.jsonl >/dev/null
'

test_case '--extract auto takes the last number: every step "+" (the lenient reading)' '
	mc --rollouts 4 --extract auto --stats st.json $R/sol.jsonl >out.jsonl &&
	jq_all ".labels | all(. == \"+\")" out.jsonl &&
	jq -e ".mc.extract == \"auto\" and .mc.no_answer == 0" st.json
'

test_case 'a continuation cut by max_tokens is wrong, even under auto, and counted' '
	mc --rollouts 4 --extract auto --max-tokens 3 --stats st.json $R/sol.jsonl >out.jsonl &&
	jq_all "(.labels[:-1] | all(. == \"-\"))" out.jsonl &&
	jq -e ".mc.cut_by_length == 4 * ($steps - 3)" st.json
'

test_case 'a prompt without extract: final-answer; a bad --extract or extract: is a usage error' '
	grep -v "^extract:" "$PRM_PROMPT" >plain.prompt &&
	smelt-mc --endpoint "$SIM_URL/v1" --model smelt-sim --prompt plain.prompt --rollouts 2 --plain -q \
		--stats st.json $R/sol.jsonl >/dev/null &&
	jq -e ".mc.extract == \"final-answer\"" st.json &&
	sed "s/^extract: final-answer/extract: nowhere/" "$PRM_PROMPT" >bad.prompt &&
	test_status 2 smelt-mc --endpoint "$SIM_URL/v1" --model smelt-sim --prompt bad.prompt $R/sol.jsonl 2>err &&
	grep -q "bad.prompt: extract wants" err &&
	test_status 2 mc --extract nowhere $R/sol.jsonl
'

test_case 'the boxed prompt declares boxed' '
	smelt-mc --endpoint "$SIM_URL/v1" --model smelt-sim --prompt $SMELT_TOP/prompts/visualprm/en/boxed.prompt \
		--rollouts 2 --plain -q --stats st.json $R/sol.jsonl >/dev/null &&
	jq -e ".mc.extract == \"boxed\"" st.json
'

test_case 'VisualPRM'"'"'s own instruction prompt declares final-answer' '
	smelt-mc --endpoint "$SIM_URL/v1" --model smelt-sim --prompt $SMELT_TOP/prompts/visualprm/en/visualprm.prompt \
		--rollouts 2 --extract auto --plain -q --stats st.json $R/sol.jsonl >/dev/null &&
	jq -e ".mc.extract == \"auto\"" st.json &&
	smelt-mc --endpoint "$SIM_URL/v1" --model smelt-sim --prompt $SMELT_TOP/prompts/visualprm/en/visualprm.prompt \
		--rollouts 2 --plain -q --stats st.json $R/sol.jsonl >/dev/null &&
	jq -e ".mc.extract == \"final-answer\"" st.json &&
	grep -qF "please use the format \"Final answer: ..\"" $SMELT_TOP/prompts/visualprm/en/visualprm.prompt
'

sim_stop_all
test_case 'the servers exited cleanly' sim_exited_cleanly
test_done
