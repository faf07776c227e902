#!/bin/sh
# Partial question replies: a reply missing a difficulty level keeps the
# questions of the levels that parse; smelt-condor questions counts the
# missing ones per level in --stats, and rejects a reply whole only when
# it holds no question at all. smelt-sim --condor-drop-level makes such
# replies.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
S="$SMELT_TOP/schemas"
KT="$SMELT_TOP/knowledge_tree"
P="$SMELT_TOP/prompts/condor"
SMELT_SHARE=$SMELT_TOP
export SMELT_SHARE

# Whole replies as smelt-gen (without --explode) writes them for question.prompt.
M='"lang":"en","path":["Home","Garden","tomatoes"],"domain":"Home","theme":"tomatoes","task":"Daily Chat","task_description":"d","examples":["e"]'
R="$test_root/replies.jsonl"
cat >"$R" <<JSON
{"id":"r1",$M,"question":[{"label":"Easy","text":"Why are my tomato leaves turning yellow?"},{"label":"Hard","text":"Plan a watering schedule for six tomato plants on a sunny balcony during a two-week trip."}]}
{"id":"r2",$M,"question":[{"label":"Easy","text":"Do tomatoes need full sun?"},{"label":"Medium","text":"  "},{"label":"Hard","text":"Hi"}]}
{"id":"r3",$M,"question":[{"label":"Easy","text":""}]}
{"id":"r4",$M,"question":[{"label":"Easy","text":"Can I grow tomatoes indoors in winter?"},{"label":"Medium","text":"Which tomato varieties suit a small pot?"},{"label":"Hard","text":"Compare drip irrigation and self-watering pots for tomatoes."}]}
JSON

test_case 'a reply missing one level gives the other two questions (ids keep their level number) and a per-level missing count' '
	smelt-condor questions --rejects rej.jsonl --stats st.json "$R" --plain >q.jsonl &&
	test "$(jq -r "select(.pair == \"r1\") | .difficulty" q.jsonl | tr "\n" " ")" = "easy hard " &&
	test "$(jq -r .id q.jsonl | tr "\n" " ")" = "r1-0 r1-2 r2-0 r4-0 r4-1 r4-2 " &&
	jq -e ".replies == 4 and .partial_replies == 2 and .missing == {\"easy\": 1, \"medium\": 3, \"hard\": 1}" st.json >/dev/null &&
	test "$(jq -r "[.id, .error.kind] | join(\" \")" rej.jsonl | tr "\n" ",")" = "r2-2 too_short,r3 missing_field," &&
	jq -e ".records_in == 4 and .records_out == 6 and .records_rejected == 2 and .questions_in == .records_out + .records_rejected" st.json >/dev/null &&
	validate "$S/condor-question.schema.json" q.jsonl &&
	validate "$S/reject.schema.json" rej.jsonl
'

test_case 'exploded replies (smelt-gen --explode) still work, without per-level counts' '
	jq -c "{id: .id} + (del(.id, .question)) + {question: .question[0]} | .id += \"-0\"" "$R" |
		head -2 >ex.jsonl &&
	smelt-condor questions --stats st.json ex.jsonl --plain >q.jsonl &&
	test "$(jq -r .pair q.jsonl | tr "\n" " ")" = "r1 r2 " &&
	jq -e ".replies == 0 and .questions_in == 2" st.json >/dev/null
'

sim_start --condor-drop-level 0.5 || exit 1

test_case 'smelt-sim --condor-drop-level: partial replies parse, and the counts add up per level' '
	smelt-tree sample "$KT/en.json" --lang en -n 30 --seed 4 -o pairs.jsonl &&
	smelt-gen --endpoint "$SIM_URL/v1" --model smelt-sim --seed 1 -q --prompt "$P/en/question.prompt" \
		--into question --rejects grej.jsonl pairs.jsonl -o raw.jsonl &&
	test "$(wc -l <raw.jsonl)" -eq 30 && test ! -s grej.jsonl &&
	jq -s "map(.question | length)" raw.jsonl >lens &&
	short=$(jq "map(select(. == 2)) | length" lens) &&
	test "$short" -gt 0 && test "$(jq "map(select(. < 2)) | length" lens)" -eq 0 &&
	smelt-condor questions --min-chars 0 --stats st.json raw.jsonl --plain >q.jsonl &&
	test "$(wc -l <q.jsonl)" -eq $((90 - short)) &&
	for lv in Easy Medium Hard; do
		id=$(echo $lv | tr A-Z a-z) &&
		lacks=$(jq -s "map(select([.question[].label] | index(\"$lv\") | not)) | length" raw.jsonl) &&
		jq -e ".missing.$id == $lacks" st.json >/dev/null || exit 1
	done &&
	jq -e ".partial_replies == $short and (.missing | add) == $short" st.json >/dev/null
'

sim_stop_all
test_case 'the simulator exited cleanly' sim_exited_cleanly
test_done
