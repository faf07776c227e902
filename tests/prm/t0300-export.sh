#!/bin/sh
# smelt-cat --to visualprm400k | math-shepherd | prm-raw: labelled
# solutions exported as PRM training records, compared with outputs
# checked by hand: one turn pair per step with its label, images and
# placeholders, a first-error solution cut at its first unlabelled step,
# labels from scores when there are none; records that cannot be exported
# are rejected; the outputs match their schemas. VisualPRM400K carries
# VisualPRM's own strings (golden file in prm/golden/), every export keeps
# mc, and prm-raw refuses modes without Monte-Carlo scores unless asked.
. "$(dirname "$0")/../lib.sh"

R=$test_root
cat >"$R/in.jsonl" <<'EOF'
{"id":"a","question":"<image>\nHow many apples?","answer":"3","images":["tar:s.tar#a.png"],"response":"I see 2.\n\nPlus 1 is 4.\n\nFinal answer: 3","steps_with_score":[{"step":"I see 2.","score":1,"num_mc_correct":16,"num_mc_total":16},{"step":"Plus 1 is 4.","score":0,"num_mc_correct":0,"num_mc_total":16},{"step":"Final answer: 3","score":0.5,"num_mc_correct":8,"num_mc_total":16}],"labels":["+","-","+"],"num_mc_sequences":16,"mc":{"mode":"full"},"data_source":"demo"}
{"id":"b","question":"Compare them.","answer":"A","images":["x.png","y.png"],"steps":["Left is bigger.","Final answer: A"],"steps_with_score":[{"step":"Left is bigger.","score":0.25,"num_mc_correct":4,"num_mc_total":16},{"step":"Final answer: A","score":1,"num_mc_correct":16,"num_mc_total":16}],"labels":["+","+"],"num_mc_sequences":16}
{"id":"c","question":"Q?","answer":"1","response":"p\n\nq\n\nr\n\ns","steps_with_score":[{"step":"p","score":null,"num_mc_correct":0,"num_mc_total":0},{"step":"q","score":0,"num_mc_correct":0,"num_mc_total":16},{"step":"r","score":null,"num_mc_correct":0,"num_mc_total":0},{"step":"s","score":null,"num_mc_correct":0,"num_mc_total":0}],"labels":["+","-",null,null],"num_mc_sequences":16}
{"id":"d","question":"Q?","answer":"1","steps_with_score":[{"step":"p","score":0.0625,"num_mc_correct":1,"num_mc_total":16},{"step":"q","score":0,"num_mc_correct":0,"num_mc_total":16}],"num_mc_sequences":16}
EOF
cat >"$R/want-visualprm400k" <<'EOF'
{"id":"a","image":"tar:s.tar#a.png","conversations":[{"from":"system","value":"You are an advanced AI assistant, designed to serve as a process supervision model. In this task, I will provide a problem statement followed by the first step of the solution process. For each subsequent turn, I will give you a new step in the solution. Your role is to assess whether the solution process is correct up to the current step.\n\n- In the **first round**, I will input the problem and the first step of the solution process.\n- In **each subsequent round**, I will provide the next step in the solution.\n\nFor each step, you should:\n\n- Respond with **\"+\"** if you believe the solution process is correct up to this step.\n- Respond with **\"-\"** if you detect any issues or errors in the process up to this step.\n\nPlease note:\n- Only respond with **\"+\"** or **\"-\"**. Do not provide any additional explanations, comments, or justifications.\n\nYour task is to verify the accuracy and correctness of each step in the given solution process."},{"from":"human","value":"### Question:\n<image>\nHow many apples?\n\n### Solution Process:\nI see 2."},{"from":"gpt","value":"+"},{"from":"human","value":"Plus 1 is 4."},{"from":"gpt","value":"-"},{"from":"human","value":"Final answer: 3"},{"from":"gpt","value":"+"}],"answer":"3","mc":{"mode":"full"},"data_source":"demo"}
{"id":"b","image":["x.png","y.png"],"conversations":[{"from":"system","value":"You are an advanced AI assistant, designed to serve as a process supervision model. In this task, I will provide a problem statement followed by the first step of the solution process. For each subsequent turn, I will give you a new step in the solution. Your role is to assess whether the solution process is correct up to the current step.\n\n- In the **first round**, I will input the problem and the first step of the solution process.\n- In **each subsequent round**, I will provide the next step in the solution.\n\nFor each step, you should:\n\n- Respond with **\"+\"** if you believe the solution process is correct up to this step.\n- Respond with **\"-\"** if you detect any issues or errors in the process up to this step.\n\nPlease note:\n- Only respond with **\"+\"** or **\"-\"**. Do not provide any additional explanations, comments, or justifications.\n\nYour task is to verify the accuracy and correctness of each step in the given solution process."},{"from":"human","value":"### Question:\n<image>\n<image>\nCompare them.\n\n### Solution Process:\nLeft is bigger."},{"from":"gpt","value":"+"},{"from":"human","value":"Final answer: A"},{"from":"gpt","value":"+"}],"answer":"A"}
{"id":"c","conversations":[{"from":"system","value":"You are an advanced AI assistant, designed to serve as a process supervision model. In this task, I will provide a problem statement followed by the first step of the solution process. For each subsequent turn, I will give you a new step in the solution. Your role is to assess whether the solution process is correct up to the current step.\n\n- In the **first round**, I will input the problem and the first step of the solution process.\n- In **each subsequent round**, I will provide the next step in the solution.\n\nFor each step, you should:\n\n- Respond with **\"+\"** if you believe the solution process is correct up to this step.\n- Respond with **\"-\"** if you detect any issues or errors in the process up to this step.\n\nPlease note:\n- Only respond with **\"+\"** or **\"-\"**. Do not provide any additional explanations, comments, or justifications.\n\nYour task is to verify the accuracy and correctness of each step in the given solution process."},{"from":"human","value":"### Question:\nQ?\n\n### Solution Process:\np"},{"from":"gpt","value":"+"},{"from":"human","value":"q"},{"from":"gpt","value":"-"}],"answer":"1"}
{"id":"d","conversations":[{"from":"system","value":"You are an advanced AI assistant, designed to serve as a process supervision model. In this task, I will provide a problem statement followed by the first step of the solution process. For each subsequent turn, I will give you a new step in the solution. Your role is to assess whether the solution process is correct up to the current step.\n\n- In the **first round**, I will input the problem and the first step of the solution process.\n- In **each subsequent round**, I will provide the next step in the solution.\n\nFor each step, you should:\n\n- Respond with **\"+\"** if you believe the solution process is correct up to this step.\n- Respond with **\"-\"** if you detect any issues or errors in the process up to this step.\n\nPlease note:\n- Only respond with **\"+\"** or **\"-\"**. Do not provide any additional explanations, comments, or justifications.\n\nYour task is to verify the accuracy and correctness of each step in the given solution process."},{"from":"human","value":"### Question:\nQ?\n\n### Solution Process:\np"},{"from":"gpt","value":"+"},{"from":"human","value":"q"},{"from":"gpt","value":"-"}],"answer":"1"}
EOF
cat >"$R/want-math-shepherd" <<'EOF'
{"id":"a","input":"<image>\nHow many apples? I see 2. ки\nPlus 1 is 4. ки\nFinal answer: 3 ки","label":"<image>\nHow many apples? I see 2. +\nPlus 1 is 4. -\nFinal answer: 3 +","image":"tar:s.tar#a.png","answer":"3","mc":{"mode":"full"},"data_source":"demo"}
{"id":"b","input":"Compare them. Left is bigger. ки\nFinal answer: A ки","label":"Compare them. Left is bigger. +\nFinal answer: A +","image":["x.png","y.png"],"answer":"A"}
{"id":"c","input":"Q? p ки\nq ки","label":"Q? p +\nq -","answer":"1"}
{"id":"d","input":"Q? p ки\nq ки","label":"Q? p +\nq -","answer":"1"}
EOF
cat >"$R/want-prm-raw" <<'EOF'
{"id":"a","question":"<image>\nHow many apples?","answer":"3","image":"tar:s.tar#a.png","response":"I see 2.\n\nPlus 1 is 4.\n\nFinal answer: 3","steps_with_score":[{"step":"I see 2.","score":1,"num_mc_correct":16,"num_mc_total":16},{"step":"Plus 1 is 4.","score":0,"num_mc_correct":0,"num_mc_total":16},{"step":"Final answer: 3","score":0.5,"num_mc_correct":8,"num_mc_total":16}],"num_mc_sequences":16,"mc":{"mode":"full"},"data_source":"demo"}
{"id":"b","question":"Compare them.","answer":"A","image":["x.png","y.png"],"response":"Left is bigger.\n\nFinal answer: A","steps_with_score":[{"step":"Left is bigger.","score":0.25,"num_mc_correct":4,"num_mc_total":16},{"step":"Final answer: A","score":1,"num_mc_correct":16,"num_mc_total":16}],"num_mc_sequences":16}
{"id":"c","question":"Q?","answer":"1","response":"p\n\nq\n\nr\n\ns","steps_with_score":[{"step":"p","score":null,"num_mc_correct":0,"num_mc_total":0},{"step":"q","score":0,"num_mc_correct":0,"num_mc_total":16},{"step":"r","score":null,"num_mc_correct":0,"num_mc_total":0},{"step":"s","score":null,"num_mc_correct":0,"num_mc_total":0}],"num_mc_sequences":16}
{"id":"d","question":"Q?","answer":"1","response":"p\n\nq","steps_with_score":[{"step":"p","score":0.0625,"num_mc_correct":1,"num_mc_total":16},{"step":"q","score":0,"num_mc_correct":0,"num_mc_total":16}],"num_mc_sequences":16}
EOF

for f in visualprm400k math-shepherd prm-raw; do
	test_case "--to $f: the hand-checked records" "
		smelt-cat --to $f \$R/in.jsonl --plain >out &&
		test_cmp \$R/want-$f out &&
		validate \$SMELT_TOP/schemas/$f.schema.json out
	"
done

test_case 'records that cannot be exported are rejected with their kind' '
	cat >bad.jsonl <<-\EOF &&
	{"id":"nolabel","question":"Q","answer":"1","steps_with_score":[{"step":"p","score":null,"num_mc_correct":0,"num_mc_total":0}],"labels":[null]}
	{"id":"mismatch","question":"<image><image>Q","answer":"1","images":["a.png"],"steps_with_score":[{"step":"p","score":1,"num_mc_correct":1,"num_mc_total":1}],"labels":["+"]}
	{"id":"nosteps","question":"Q","answer":"1"}
	{"id":"badlabel","question":"Q","answer":"1","steps_with_score":[{"step":"p","score":1,"num_mc_correct":1,"num_mc_total":1}],"labels":["yes"]}
	{"id":"short","question":"Q","answer":"1","steps_with_score":[{"step":"p","score":1,"num_mc_correct":1,"num_mc_total":1}],"labels":["+","+"]}
	{"id":"noq","answer":"1","steps_with_score":[{"step":"p","score":1,"num_mc_correct":1,"num_mc_total":1}],"labels":["+"]}
	EOF
	test_status 0 smelt-cat --to visualprm400k bad.jsonl --rejects rej.jsonl --plain >out &&
	test ! -s out &&
	jq -r "[.id, .error.kind] | join(\" \")" rej.jsonl >got &&
	printf "%s\n" "nolabel cannot_convert" "mismatch image_mismatch" "nosteps missing_field" \
		"badlabel bad_field_type" "short bad_field_type" "noq missing_field" >want &&
	test_cmp want got &&
	validate $SMELT_TOP/schemas/reject.schema.json rej.jsonl
'

test_case 'math-shepherd refuses a step holding the tag; prm-raw keeps unlabelled steps' '
	echo "{\"id\":\"t\",\"question\":\"Q\",\"answer\":\"1\",\"steps_with_score\":[{\"step\":\"a ки b\",\"score\":1,\"num_mc_correct\":1,\"num_mc_total\":1}],\"labels\":[\"+\"]}" >tag.jsonl &&
	test_status 3 smelt-cat --to math-shepherd tag.jsonl --plain >out 2>err &&
	grep -q cannot_convert err &&
	smelt-cat --to visualprm400k tag.jsonl --plain >ok.out &&
	test "$(jq -r ".conversations[1].value" ok.out | tail -1)" = "a ки b" &&
	head -1 $R/in.jsonl | jq -c ".labels = [null, null, null]" >nolab.jsonl &&
	smelt-cat --to prm-raw nolab.jsonl --plain >raw.out &&
	test "$(jq ".steps_with_score | length" raw.out)" = 3
'

test_case 'the exports are targets only' '
	test_status 2 smelt-cat --from visualprm400k $R/in.jsonl &&
	test_status 2 smelt-cat --from prm-raw $R/in.jsonl &&
	test_status 2 smelt-cat --to visualprm $R/in.jsonl
'

G=$SMELT_TOP/tests/prm/golden

# The golden file holds VisualPRM's released shape and strings: its
# process-supervision system prompt, "### Question:\n…\n\n### Solution
# Process:\n<step 0>", one human/gpt pair per step, and the short-answer
# instructions cut from the end of the question.
test_case 'visualprm400k: VisualPRM'"'"'s own strings (golden file)' '
	smelt-cat --to visualprm400k $G/visualprm400k-in.jsonl --plain >out &&
	test_cmp $G/visualprm400k-want.jsonl out &&
	validate $SMELT_TOP/schemas/visualprm400k.schema.json out &&
	jq -e ".conversations[0].value | startswith(\"You are an advanced AI assistant, designed to serve as a process supervision model.\")
		and endswith(\"Your task is to verify the accuracy and correctness of each step in the given solution process.\")" out &&
	test "$(jq -r "select(.id == \"vqa\") | .conversations[1].value" out)" = \
		"$(printf "### Question:\n<image>\nWhat color is the bus?\n\n### Solution Process:\nThe bus in the picture is painted red.")" &&
	! grep -q "Answer the question using a single word or phrase" out &&
	! grep -q "Answer with the option" out &&
	jq -se "map(.mc.mode) == [\"full\", \"exact-binary\", \"visualprm\"]" out
'

test_case 'visualprm400k: the strings can be changed' '
	smelt-cat --to visualprm400k --prm-system-prompt "Judge each step." --prm-keep-suffixes \
		--prm-first-turn "Q: {question} | S: {step}" $G/visualprm400k-in.jsonl --plain >out &&
	jq -se ".[0] | .id == \"vqa\" and .conversations[0].value == \"Judge each step.\" and
		.conversations[1].value == \"Q: <image>\\nWhat color is the bus?\\nAnswer the question using a single word or phrase. | S: The bus in the picture is painted red.\"" out
'

test_case 'prm-raw keeps mc.mode and refuses a mode without Monte-Carlo scores unless asked' '
	smelt-cat --to prm-raw $G/visualprm400k-in.jsonl --rejects rej.jsonl --plain >out &&
	jq -r ".id + \" \" + .mc.mode" out >got &&
	printf "%s\n" "vqa full" "math visualprm" >want && test_cmp want got &&
	jq -r "[.id, .error.kind] | join(\" \")" rej.jsonl >got &&
	echo "choice cannot_convert" >want && test_cmp want got &&
	grep -q "exact-binary" rej.jsonl &&
	smelt-cat --to prm-raw --prm-raw-any-mode $G/visualprm400k-in.jsonl --plain >all &&
	jq -se ".[1] | .id == \"choice\" and .mc.mode == \"exact-binary\" and ([.steps_with_score[].score] == [null, null])" all &&
	validate $SMELT_TOP/schemas/prm-raw.schema.json all
'

test_done
