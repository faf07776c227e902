#!/bin/sh
# smelt-verify: --keep-informative sets aside exactly the prompts whose
# rollouts all score the same (both layouts), --pass-rate keeps a band,
# --groups has a line per prompt, bad golds are rejected with a reason,
# unreadable box replies are counted, and nothing is lost.
. "$(dirname "$0")/../lib.sh"

R=$test_root
# Four prompts of four rollouts, one record each (smelt-gen --explode ids):
#   a: 1 0 1 0 (answer)   b: all 1 (uniform)   c: all 0 (uniform)   d: 1 1 1 0
awk 'BEGIN {
	split("1010 1111 0000 1110", pat, " "); split("a b c d", name, " ")
	for (p = 1; p <= 4; p++) for (k = 0; k < 4; k++) {
		right = substr(pat[p], k + 1, 1) == "1"
		printf "{\"id\":\"%s-%d\",\"answer\":\"7\",\"response\":\"<think>t</think><answer>%s</answer>\"}\n",
			name[p], k, right ? "7" : "8"
	}
}' >"$R/flat.jsonl"
# The same prompts as one record each with a list of replies (smelt-gen --samples 4).
jq -cs 'group_by(.id | sub("-[0-9]+$"; "")) | map({id: (.[0].id | sub("-[0-9]+$"; "")), answer: .[0].answer,
	response: map(.response)}) | .[]' "$R/flat.jsonl" >"$R/lists.jsonl"

test_case '--keep-informative removes exactly the uniform prompts (one record per rollout)' '
	smelt-verify --reward format,answer --keep-informative $R/flat.jsonl --plain -q \
		--rejects rej.jsonl --groups groups.jsonl --stats st.json >out.jsonl &&
	test "$(jq -r .id out.jsonl | tr "\n" " ")" = "a-0 a-1 a-2 a-3 d-0 d-1 d-2 d-3 " &&
	test "$(jq -r "[.id, .error.kind] | join(\" \")" rej.jsonl | sort -u | tr "\n" ,)" = \
		"b-0 uniform_rewards,b-1 uniform_rewards,b-2 uniform_rewards,b-3 uniform_rewards,c-0 uniform_rewards,c-1 uniform_rewards,c-2 uniform_rewards,c-3 uniform_rewards," &&
	test "$(jq -c "[.id, .n, .mean, .pass_rate, .kept]" groups.jsonl | tr "\n" " ")" = \
		"[\"a\",4,1.5,0.5,true] [\"b\",4,2,1,false] [\"c\",4,1,0,false] [\"d\",4,1.75,0.75,true] " &&
	jq -e ".verify.prompts == 4 and .verify.rollouts == 16 and .verify.kept_prompts == 2 and
		.verify.dropped_prompts.uniform_rewards == 2 and .records_in == 16" st.json &&
	jq -se "map(select(.id == \"a-0\"))[0] | .reward == {total: 2, format: 1, answer: 1, advantage: 1} and .group.std == 0.5" out.jsonl
'

test_case '--keep-informative on lists of replies: the same prompts, rewards in order' '
	smelt-verify --reward format,answer --keep-informative $R/lists.jsonl --plain -q --rejects rej.jsonl >out.jsonl &&
	test "$(jq -r .id out.jsonl | tr "\n" " ")" = "a d " &&
	test "$(jq -r .id rej.jsonl | tr "\n" " ")" = "b c " &&
	test "$(jq -c "[.rewards[].answer]" out.jsonl | tr "\n" " ")" = "[1,0,1,0] [1,1,1,0] " &&
	smelt-verify --reward format,answer $R/lists.jsonl --plain -q >all.jsonl &&
	test "$(wc -l <all.jsonl)" -eq 4
'

test_case '--pass-rate keeps a difficulty band' '
	smelt-verify --reward format,answer --pass-rate 0.25..0.75 $R/flat.jsonl --plain -q --rejects rej.jsonl >out.jsonl &&
	test "$(jq -r .id out.jsonl | sed "s/-.*//" | uniq | tr "\n" " ")" = "a d " &&
	test "$(jq -r .error.kind rej.jsonl | sort -u)" = pass_rate_out_of_band &&
	test_status 2 smelt-verify --reward answer --pass-rate 0.8..0.2 $R/flat.jsonl &&
	test_status 2 smelt-verify --reward answer --pass-on iou $R/flat.jsonl &&
	test_status 2 smelt-verify --reward answr $R/flat.jsonl
'

test_case 'detection rollouts: bad golds rejected, unreadable replies counted' '
	cat >det.jsonl <<-\END &&
	{"id":"x","answer":"[[0,0,10,10]]","response":["<answer>[[0,0,10,10]]</answer>","<answer>[[0,0,</answer>","boxes: none"]}
	{"id":"y","answer":"a cat","response":["<answer>[[0,0,10,10]]</answer>"]}
	{"id":"z","answer":[[0,0,10,10]],"response":["<answer>[{\"bbox_2d\":[0,0,10,10],\"score\":0.5}]</answer>"]}
	{"id":"w","answer":"[[0,0,10,10]]"}
	END
	test_status 0 smelt-verify --reward iou,confidence det.jsonl --plain -q --rejects rej.jsonl --stats st.json >out.jsonl &&
	test "$(jq -r .id out.jsonl | tr "\n" " ")" = "x z " &&
	test "$(jq -r "[.id, .error.kind] | join(\" \")" rej.jsonl | tr "\n" ,)" = "y bad_gold,w missing_field," &&
	jq -e ".verify.box_parse_failures == 2" st.json &&
	jq -se "map(select(.id == \"z\"))[0] | .rewards[0].iou == 1 and .rewards[0].confidence == 0.5" out.jsonl
'
test_case 'grounding: GIoU + 1, a pass is GIoU >= 0.5' '
	echo "{\"id\":\"g\",\"answer\":\"[0,0,10,10]\",\"response\":[\"<answer>[0,0,10,10]</answer>\",\"<answer>[5,0,15,10]</answer>\",\"<answer>[20,20,30,30]</answer>\"]}" >g.jsonl &&
	smelt-verify --reward giou g.jsonl --plain -q >out.jsonl &&
	jq -e "[.rewards[].giou * 1e6 | round] == [2000000, 1333333, 222222] and
		(.group.pass_rate * 3 | round) == 1" out.jsonl
'

test_case '--group-by, and a prompt whose rollouts are not adjacent is counted' '
	cat >g.jsonl <<-\END &&
	{"id":"1","q":"x","answer":"1","response":"<answer>1</answer>"}
	{"id":"2","q":"x","answer":"1","response":"<answer>2</answer>"}
	{"id":"3","q":"y","answer":"1","response":"<answer>1</answer>"}
	{"id":"4","q":"x","answer":"1","response":"<answer>1</answer>"}
	END
	smelt-verify --reward answer --group-by q g.jsonl --plain --groups groups.jsonl --stats st.json >out.jsonl 2>err &&
	test "$(jq -c "[.id, .n]" groups.jsonl | tr "\n" " ")" = "[\"x\",2] [\"y\",1] [\"x\",1] " &&
	jq -e ".verify.split_prompts == 1 and .verify.prompts == 3" st.json &&
	grep -q "prompt .x. comes back after other prompts" err
'
test_done
