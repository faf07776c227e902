#!/bin/sh
# smelt-sim as the OmniAlign-V judge, asked directly: 128 choices of one
# judge prompt, read by smelt-pairs pick, give picks of every answer, "none"
# about 15% of the time, unreadable and impossible picks sometimes, in every
# form the simulator writes; the same request gives the same replies; zh
# prompts get zh verdicts; a prompt without the markers is not judged.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"

sim_start

# judge_prompt LANG: a judge prompt with three numbered answers.
judge_prompt() {
	if [ "$1" = zh ]; then
		printf '[问题]\n图中有什么？\n\n[参考回答]\n一只猫。\n\n[回答1]\n一只狗。\n\n[回答2]\n一只猫。\n\n[回答3]\n一只鸟。\n\n结论写作 [[N]] 或 [[无]]。'
	else
		printf '[Question]\nWhat is shown?\n\n[Reference Answer]\nA cat.\n\n[Answer 1]\nA dog.\n\n[Answer 2]\nA cat.\n\n[Answer 3]\nA bird.\n\nEnd with [[N]] or [[none]].'
	fi
}

# replies LANG: the 128 choices' texts, one JSON string a line.
replies() {
	sim_post /v1/chat/completions "$(chat_body "$(judge_prompt "$1")" '{"n": 128, "seed": 7}')" |
		jq -c ".choices[].message.content"
}

# picked: replies on stdin -> smelt-pairs pick over 3 candidates, stats in st.json
picked() {
	jq -c '{id: "r\(input_line_number)", prompt: "What is shown?", chosen: "A cat.",
		candidates: [{n: 1, sample: 0, text: "A dog."}, {n: 2, sample: 1, text: "A kitten."},
			     {n: 3, sample: 2, text: "A bird."}], judge: .}' |
		smelt-pairs pick --plain --rejects rej.jsonl --stats st.json >pairs.jsonl
}

test_case 'en: picks of every answer, none ~15%, some unreadable or impossible, every form read' '
	replies en >r.jsonl &&
	test "$(wc -l <r.jsonl)" -eq 128 &&
	picked <r.jsonl &&
	jq -e ".records_in == 128 and .records_out + .records_rejected == 128" st.json >/dev/null &&
	none=$(jq ".rejects_by_kind.no_deviation // 0" st.json) &&
	odd=$(jq "(.rejects_by_kind.unparsed_pick // 0) + (.rejects_by_kind.pick_out_of_range // 0)" st.json) &&
	echo "none $none, unreadable or impossible $odd" &&
	test "$none" -ge 6 && test "$none" -le 34 &&
	test "$odd" -ge 3 && test "$odd" -le 28 &&
	jq -e ".rejects_by_kind | keys - [\"no_deviation\", \"unparsed_pick\", \"pick_out_of_range\"] == []" st.json >/dev/null &&
	test "$(jq -r .rejected pairs.jsonl | sort -u | wc -l)" -eq 3 &&
	jq -e "[.read_by[]] | all(. > 0)" st.json >/dev/null
'

test_case 'the same request gives the same replies; another seed others' '
	replies en >a.jsonl && replies en >b.jsonl && test_cmp a.jsonl b.jsonl &&
	sim_post /v1/chat/completions "$(chat_body "$(judge_prompt en)" "{\"n\": 128, \"seed\": 8}")" |
		jq -c ".choices[].message.content" >c.jsonl &&
	! cmp -s a.jsonl c.jsonl
'

test_case 'zh: Chinese verdicts, read alike' '
	replies zh >r.jsonl &&
	grep -q "回答" r.jsonl && grep -q "\\[\\[无\\]\\]\\|\"无\"" r.jsonl &&
	picked <r.jsonl &&
	test "$(jq .records_out st.json)" -ge 64 &&
	test "$(jq -r .rejected pairs.jsonl | sort -u | wc -l)" -eq 3
'

test_case 'without the verdict marker the prompt is not judged' '
	judge_prompt en | sed "s/\\[\\[none\\]\\]/nothing/" >p.txt &&
	sim_post /v1/chat/completions "$(chat_body "$(cat p.txt)")" | jq -r ".choices[0].message.content" >out &&
	! grep -q "\\[\\[" out && grep -q "In summary" out
'

sim_stop_all
test_case 'smelt-sim exits cleanly' 'sim_exited_cleanly'
test_done
