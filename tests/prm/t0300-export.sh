#!/bin/sh
# smelt-cat --to visualprm400k | math-shepherd | prm-raw: labelled
# solutions exported as PRM training records, compared with outputs
# checked by hand: one turn pair per step with its label, images and
# placeholders, a first-error solution cut at its first unlabelled step,
# labels from scores when there are none; records that cannot be exported
# are rejected; the outputs match their schemas.
. "$(dirname "$0")/../lib.sh"

R=$test_root
cat >"$R/in.jsonl" <<'EOF'
{"id":"a","question":"<image>\nHow many apples?","answer":"3","images":["tar:s.tar#a.png"],"response":"I see 2.\n\nPlus 1 is 4.\n\nFinal answer: 3","steps_with_score":[{"step":"I see 2.","score":1,"num_mc_correct":16,"num_mc_total":16},{"step":"Plus 1 is 4.","score":0,"num_mc_correct":0,"num_mc_total":16},{"step":"Final answer: 3","score":0.5,"num_mc_correct":8,"num_mc_total":16}],"labels":["+","-","+"],"num_mc_sequences":16,"mc":{"mode":"full"},"data_source":"demo"}
{"id":"b","question":"Compare them.","answer":"A","images":["x.png","y.png"],"steps":["Left is bigger.","Final answer: A"],"steps_with_score":[{"step":"Left is bigger.","score":0.25,"num_mc_correct":4,"num_mc_total":16},{"step":"Final answer: A","score":1,"num_mc_correct":16,"num_mc_total":16}],"labels":["+","+"],"num_mc_sequences":16}
{"id":"c","question":"Q?","answer":"1","response":"p\n\nq\n\nr\n\ns","steps_with_score":[{"step":"p","score":null,"num_mc_correct":0,"num_mc_total":0},{"step":"q","score":0,"num_mc_correct":0,"num_mc_total":16},{"step":"r","score":null,"num_mc_correct":0,"num_mc_total":0},{"step":"s","score":null,"num_mc_correct":0,"num_mc_total":0}],"labels":["+","-",null,null],"num_mc_sequences":16}
{"id":"d","question":"Q?","answer":"1","steps_with_score":[{"step":"p","score":0.0625,"num_mc_correct":1,"num_mc_total":16},{"step":"q","score":0,"num_mc_correct":0,"num_mc_total":16}],"num_mc_sequences":16}
EOF
cat >"$R/want-visualprm400k" <<'EOF'
{"id":"a","image":"tar:s.tar#a.png","conversations":[{"from":"system","value":"You review a worked solution one step at a time. The first message holds the problem and the solution's first step; every later message holds the next step. After each step, reply \"+\" if everything so far is still correct, or \"-\" if a mistake has been made at or before this step. Reply with that single character and nothing else."},{"from":"human","value":"### Question:\n<image>\nHow many apples?\n\n### Solution Process:\nI see 2."},{"from":"gpt","value":"+"},{"from":"human","value":"Plus 1 is 4."},{"from":"gpt","value":"-"},{"from":"human","value":"Final answer: 3"},{"from":"gpt","value":"+"}],"answer":"3","data_source":"demo"}
{"id":"b","image":["x.png","y.png"],"conversations":[{"from":"system","value":"You review a worked solution one step at a time. The first message holds the problem and the solution's first step; every later message holds the next step. After each step, reply \"+\" if everything so far is still correct, or \"-\" if a mistake has been made at or before this step. Reply with that single character and nothing else."},{"from":"human","value":"### Question:\n<image>\n<image>\nCompare them.\n\n### Solution Process:\nLeft is bigger."},{"from":"gpt","value":"+"},{"from":"human","value":"Final answer: A"},{"from":"gpt","value":"+"}],"answer":"A"}
{"id":"c","conversations":[{"from":"system","value":"You review a worked solution one step at a time. The first message holds the problem and the solution's first step; every later message holds the next step. After each step, reply \"+\" if everything so far is still correct, or \"-\" if a mistake has been made at or before this step. Reply with that single character and nothing else."},{"from":"human","value":"### Question:\nQ?\n\n### Solution Process:\np"},{"from":"gpt","value":"+"},{"from":"human","value":"q"},{"from":"gpt","value":"-"}],"answer":"1"}
{"id":"d","conversations":[{"from":"system","value":"You review a worked solution one step at a time. The first message holds the problem and the solution's first step; every later message holds the next step. After each step, reply \"+\" if everything so far is still correct, or \"-\" if a mistake has been made at or before this step. Reply with that single character and nothing else."},{"from":"human","value":"### Question:\nQ?\n\n### Solution Process:\np"},{"from":"gpt","value":"+"},{"from":"human","value":"q"},{"from":"gpt","value":"-"}],"answer":"1"}
EOF
cat >"$R/want-math-shepherd" <<'EOF'
{"id":"a","input":"<image>\nHow many apples? I see 2. ки\nPlus 1 is 4. ки\nFinal answer: 3 ки","label":"<image>\nHow many apples? I see 2. +\nPlus 1 is 4. -\nFinal answer: 3 +","image":"tar:s.tar#a.png","answer":"3","data_source":"demo"}
{"id":"b","input":"Compare them. Left is bigger. ки\nFinal answer: A ки","label":"Compare them. Left is bigger. +\nFinal answer: A +","image":["x.png","y.png"],"answer":"A"}
{"id":"c","input":"Q? p ки\nq ки","label":"Q? p +\nq -","answer":"1"}
{"id":"d","input":"Q? p ки\nq ки","label":"Q? p +\nq -","answer":"1"}
EOF
cat >"$R/want-prm-raw" <<'EOF'
{"id":"a","question":"<image>\nHow many apples?","answer":"3","image":"tar:s.tar#a.png","response":"I see 2.\n\nPlus 1 is 4.\n\nFinal answer: 3","steps_with_score":[{"step":"I see 2.","score":1,"num_mc_correct":16,"num_mc_total":16},{"step":"Plus 1 is 4.","score":0,"num_mc_correct":0,"num_mc_total":16},{"step":"Final answer: 3","score":0.5,"num_mc_correct":8,"num_mc_total":16}],"num_mc_sequences":16,"data_source":"demo"}
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

test_done
