#!/bin/sh
# smelt-check: one case per answer format the checker knows (extraction:
# Final answer en/zh, boxed, answer tags, option letters, last number;
# equivalence: exact, vqa, options vs text, numbers with separators,
# percent, units, degrees, scientific notation, tolerances, LaTeX
# fractions, roots and pi, expressions, intervals and sets, ANLS), lists
# of replies, --into, modes by option and per record, rejects, and the
# LLM judge for what the rules leave undecided.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
. "$SMELT_TOP/tests/llm/lib-llm.sh"
. "$SMELT_TOP/tests/prm/lib-prm.sh"

R=$test_root
# want: correct; want_method / want_ex / want_by: the rule that decides,
# the extracted answer and how it was found, where the case is about them.
cat >"$R/cases.jsonl" <<'EOF'
{"id":"fa-en","answer":"42","response":"Step 1: 40 + 2 = 42.\nFinal answer: 42","want":true,"want_ex":"42","want_by":"final-answer"}
{"id":"fa-last","answer":"7","response":"Final answer: 3\n\nWait, let me redo it.\nFinal answer: 7","want":true,"want_ex":"7","want_by":"final-answer"}
{"id":"fa-case","answer":"7","response":"so it is\nFINAL ANSWER: 7.","want":true,"want_ex":"7","want_by":"final-answer"}
{"id":"fa-zh","answer":"15","response":"第一步：10 + 5 = 15。\n最终答案：15","want":true,"want_ex":"15","want_by":"final-answer"}
{"id":"fa-wrong","answer":"15","response":"Final answer: 16","want":false,"want_ex":"16","want_by":"final-answer","want_method":"numeric"}
{"id":"boxed","answer":"12","response":"Thus the total is \\boxed{12}.","want":true,"want_ex":"12","want_by":"boxed"}
{"id":"boxed-nested","answer":"0.5","response":"We get \\boxed{\\frac{1}{2}} in the end.","want":true,"want_ex":"\\frac{1}{2}","want_by":"boxed"}
{"id":"boxed-last","answer":"9","response":"First \\boxed{8}, then corrected: \\boxed{9}","want":true,"want_ex":"9","want_by":"boxed"}
{"id":"boxed-open","answer":"9","response":"\\boxed{9} and then \\boxed{1","want":true,"want_ex":"9","want_by":"boxed"}
{"id":"tag","answer":"Paris","response":"<think>hmm</think><answer>paris</answer>","want":true,"want_ex":"paris","want_by":"answer-tag"}
{"id":"opt-bare","answer":"B","response":"B","want":true,"want_ex":"B","want_by":"option","want_method":"exact"}
{"id":"opt-paren","answer":"B","response":"(B)","want":true,"want_by":"option","want_method":"exact"}
{"id":"opt-dot","answer":"B","response":"B.","want":true,"want_by":"option","want_method":"exact"}
{"id":"opt-bold","answer":"B","response":"**B**","want":true,"want_by":"option","want_method":"exact"}
{"id":"opt-text","answer":"B","response":"B) a dog","want":true,"want_by":"option","want_method":"mc"}
{"id":"opt-phrase","answer":"B","response":"Looking at the picture, the answer is B.","want":true,"want_by":"option","want_method":"exact"}
{"id":"opt-wrong","answer":"B","response":"The correct option is (C).","want":false,"want_by":"option","want_method":"mc"}
{"id":"opt-vs-text","answer":"B","question":"Which animal?\nA. cat\nB. dog\nC. bird","response":"Final answer: dog","want":true,"want_method":"mc"}
{"id":"opt-list","answer":"C","options":["red","green","blue"],"response":"Final answer: blue","want":true,"want_method":"mc"}
{"id":"opt-list-wrong","answer":"C","options":["red","green","blue"],"response":"Final answer: green","want":false,"want_method":"mc"}
{"id":"exact-ci","answer":"Blue Whale","response":"Final answer: blue whale","want":true,"want_method":"exact"}
{"id":"vqa-article","answer":"the cat","response":"Final answer: A cat.","want":true,"want_method":"vqa"}
{"id":"vqa-words","answer":"3","response":"Final answer: three","want":true}
{"id":"vqa-wrong","answer":"cat","response":"Final answer: dog","want":false,"want_method":"vqa"}
{"id":"num-thousands","answer":"1234567","response":"Final answer: 1,234,567","want":true,"want_method":"numeric"}
{"id":"num-comma","answer":"3.5","response":"Final answer: 3,5","want":true,"want_method":"numeric"}
{"id":"num-percent","answer":"50","response":"Final answer: 50%","want":true,"want_method":"numeric"}
{"id":"num-percent-frac","answer":"0.5","response":"Final answer: 50%","want":true,"want_method":"numeric"}
{"id":"num-units","answer":"12","response":"Final answer: 12 cm","want":true,"want_method":"numeric"}
{"id":"num-degree","answer":"90","response":"Final answer: 90°","want":true,"want_method":"numeric"}
{"id":"num-degree-tex","answer":"45","response":"Final answer: $45^\\circ$","want":true,"want_method":"numeric"}
{"id":"num-sci","answer":"1500","response":"Final answer: 1.5e3","want":true,"want_method":"numeric"}
{"id":"num-sci-tex","answer":"1500","response":"Final answer: $1.5 \\times 10^{3}$","want":true,"want_method":"numeric"}
{"id":"num-tol-in","answer":"1000","response":"Final answer: 1000.9","want":true,"want_method":"numeric"}
{"id":"num-tol-out","answer":"1000","response":"Final answer: 1002","want":false,"want_method":"numeric"}
{"id":"num-money","answer":"25","response":"Final answer: $25.00","want":true,"want_method":"numeric"}
{"id":"relaxed-in","answer":"100","answer_mode":"relaxed","response":"Final answer: 104","want":true,"want_method":"relaxed"}
{"id":"relaxed-out","answer":"100","answer_mode":"relaxed","response":"Final answer: 106","want":false,"want_method":"relaxed"}
{"id":"frac","answer":"0.75","response":"Final answer: \\frac{3}{4}","want":true,"want_method":"numeric"}
{"id":"dfrac","answer":"\\dfrac{1}{3}","response":"Final answer: 0.3333","want":true,"want_method":"numeric"}
{"id":"tfrac","answer":"2.5","response":"Final answer: \\tfrac{5}{2}","want":true,"want_method":"numeric"}
{"id":"sqrt","answer":"1.41421","response":"Final answer: \\sqrt{2}","want":true,"want_method":"numeric"}
{"id":"pi","answer":"6.2832","response":"Final answer: 2\\pi","want":true,"want_method":"numeric"}
{"id":"left-right","answer":"6","response":"Final answer: \\left(2+1\\right) \\times 2","want":true,"want_method":"numeric"}
{"id":"text","answer":"5","response":"Final answer: 5\\text{ cm}","want":true,"want_method":"numeric"}
{"id":"expr","answer":"14","response":"Final answer: 2*(3+4)","want":true,"want_method":"numeric"}
{"id":"interval","answer":"(1, 2]","response":"Final answer: (1,2]","want":true,"want_method":"set"}
{"id":"interval-kind","answer":"(1, 2]","response":"Final answer: [1,2]","want":false,"want_method":"set"}
{"id":"set","answer":"{1,2,3}","response":"Final answer: \\{3, 2, 1\\}","want":true,"want_method":"set"}
{"id":"anls-close","answer":"hello world","answer_mode":"anls","response":"<answer>helo world</answer>","want":true,"want_method":"anls"}
{"id":"anls-far","answer":"hello world","answer_mode":"anls","response":"<answer>goodbye moon</answer>","want":false,"want_method":"anls"}
{"id":"last-number","answer":"17","response":"I added them all.\nThe total comes to 17 apples\nthat is all","want":true,"want_by":"last-number"}
{"id":"nothing","answer":"17","response":"","want":false,"want_method":"none","want_ex":null}
EOF

# misses FILE: the ids of checked cases that disagree with their expectations
misses() {
	jq -r 'select((.correct != .want) or (has("want_method") and .want_method != .method)
		or (has("want_ex") and .want_ex != .extracted) or (has("want_by") and .want_by != .extracted_by))
		| [.id, .extracted, .correct, .method, .extracted_by] | @json' "$1"
}

test_case 'every answer format: extraction and equivalence as documented' '
	smelt-check $R/cases.jsonl --plain -q >out.jsonl &&
	test "$(wc -l <out.jsonl)" = "$(wc -l <$R/cases.jsonl)" &&
	misses out.jsonl >bad && test_cmp /dev/null bad &&
	jq_all "(.provenance[-1].stage == \"smelt-check\")" out.jsonl &&
	jq_all "(has(\"score\") == (.method == \"anls\"))" out.jsonl &&
	validate $SMELT_TOP/schemas/check.schema.json out.jsonl
'

test_case 'options change the verdicts they are about' '
	printf "%s\n" "{\"id\":\"tol\",\"answer\":\"1000\",\"response\":\"Final answer: 1002\"}" \
		"{\"id\":\"pct\",\"answer\":\"0.5\",\"response\":\"Final answer: 50%\"}" \
		"{\"id\":\"sep\",\"answer\":\"1234567\",\"response\":\"Final answer: 1,234,567\"}" \
		"{\"id\":\"box\",\"answer\":\"9\",\"response\":\"\\\\boxed{9}\nFinal answer: 8\"}" >in.jsonl &&
	smelt-check in.jsonl --plain -q | jq -c .correct | tr "\n" " " >plain &&
	test "$(cat plain)" = "false true true false " &&
	test "$(smelt-check --rel-tol 0.01 in.jsonl --plain -q | jq -c .correct | head -1)" = true &&
	test "$(smelt-check --percent strip in.jsonl --plain -q | jq -c .correct | sed -n 2p)" = false &&
	test "$(smelt-check --mode exact in.jsonl --plain -q | jq -c .correct | sed -n 3p)" = false &&
	smelt-check --extract boxed in.jsonl --plain -q | jq -c "select(.id == \"box\") | [.correct, .extracted_by]" >b &&
	test "$(cat b)" = "[true,\"boxed\"]"
'

test_case 'a list of replies gives lists; --into nests; other paths' '
	printf "%s\n" "{\"id\":\"k\",\"gold\":{\"a\":7},\"samples\":[\"Final answer: 7\",\"Final answer: 8\",\"\"]}" >in.jsonl &&
	smelt-check --gold gold.a --pred samples --into chk in.jsonl --plain -q >out.jsonl &&
	jq -e ".chk.correct == [true, false, false] and .chk.extracted == [\"7\", \"8\", null] and
		.chk.method == [\"exact\", \"numeric\", \"none\"] and (has(\"correct\") | not)" out.jsonl
'

test_case 'records that cannot be checked are rejected with their kind' '
	printf "%s\n" "{\"id\":\"ok\",\"answer\":\"1\",\"response\":\"1\"}" \
		"{\"id\":\"nogold\",\"response\":\"1\"}" \
		"{\"id\":\"noreply\",\"answer\":\"1\"}" \
		"{\"id\":\"objgold\",\"answer\":{},\"response\":\"1\"}" \
		"{\"id\":\"numreply\",\"answer\":\"1\",\"response\":1}" \
		"{\"id\":\"badlist\",\"answer\":\"1\",\"response\":[\"1\",2]}" \
		"{\"id\":\"badmode\",\"answer\":\"1\",\"response\":\"1\",\"answer_mode\":\"fuzzy\"}" >in.jsonl &&
	test_status 0 smelt-check in.jsonl --rejects rej.jsonl --plain -q >out.jsonl &&
	test "$(jq -r .id out.jsonl)" = ok &&
	jq -r "[.id, .error.kind] | join(\" \")" rej.jsonl >got &&
	printf "%s\n" "nogold missing_field" "noreply missing_field" "objgold bad_field_type" \
		"numreply bad_field_type" "badlist bad_field_type" "badmode bad_field_type" >want &&
	test_cmp want got &&
	test_status 3 smelt-check in.jsonl --plain -q >out.jsonl 2>/dev/null &&
	test_status 2 smelt-check --mode fuzzy in.jsonl &&
	test_status 2 smelt-check --rel-tol 2 in.jsonl
'

sim_start
# A judge prompt the simulator can play: it answers about the words it is
# given, so "correct" comes back as a reply about "correct".
printf -- '---\nparse: regex\nregex: {"pattern": "\\\\b(?<verdict>correct|incorrect)\\\\b", "flags": "i"}\ntemperature: 0\n---\n=== user ===\n{{extracted}}\n' >"$R/judge.prompt"

test_case '--judge asks only about undecided replies and takes their verdict' '
	printf "%s\n" "{\"id\":\"j1\",\"answer\":\"Paris\",\"response\":\"Final answer: correct\"}" \
		"{\"id\":\"j2\",\"answer\":\"Paris\",\"response\":\"Final answer: incorrect\"}" \
		"{\"id\":\"j3\",\"answer\":\"12\",\"response\":\"Final answer: 13\"}" \
		"{\"id\":\"j4\",\"answer\":\"Paris\",\"response\":\"Final answer: paris\"}" \
		"{\"id\":\"j5\",\"answer\":\"Paris\",\"response\":\"Final answer: banana\"}" >in.jsonl &&
	reset_metrics &&
	smelt-check --judge --judge-prompt $R/judge.prompt --endpoint "$SIM_URL/v1" --model smelt-sim \
		--rejects rej.jsonl --stats st.json in.jsonl --plain -q >out.jsonl &&
	test "$(metric requests_total)" = 3 &&
	jq -c "[.id, .correct, .method]" out.jsonl >got &&
	printf "%s\n" "[\"j1\",true,\"judge\"]" "[\"j2\",false,\"judge\"]" "[\"j3\",false,\"numeric\"]" \
		"[\"j4\",true,\"exact\"]" >want &&
	test_cmp want got &&
	test "$(jq -r .error.kind rej.jsonl)" = judge_unparsed &&
	jq -e ".raw_reply | test(\"banana\")" rej.jsonl &&
	jq -e ".check.judged == 2 and .check.replies == 4" st.json &&
	jq -e ".provenance[-1].template_hash and .provenance[-1].model == \"smelt-sim\"" out.jsonl >/dev/null
'

test_case '--judge with the shipped prompt: decided records ask nothing' '
	printf "%s\n" "{\"id\":\"d\",\"answer\":\"12\",\"response\":\"Final answer: 13\"}" >in.jsonl &&
	reset_metrics &&
	smelt-check --judge --endpoint "$SIM_URL/v1" --model smelt-sim in.jsonl --plain -q >out.jsonl &&
	test "$(metric requests_total)" = 0 &&
	test "$(jq -c "[.correct, .method]" out.jsonl)" = "[false,\"numeric\"]"
'

sim_stop_all
test_case 'smelt-sim exited cleanly' sim_exited_cleanly
test_done
