#!/bin/sh
# smelt-bon picks as specified, checked by hand: PRM mean / min / max /
# last, ORM, self-consistency over normalised answers (12 and 12.0 are one
# answer), earliest on ties, accuracy against gold next to the first
# response and the oracle; one-response-per-record groups; rejects.
. "$(dirname "$0")/../lib.sh"

R=$test_root
#          steps             mean   min  max   last  orm   answer
# r0  .9 .9 .1              .633   .1   .9    .1    .2    11 (wrong)
# r1  .6 .7 .8              .7     .6   .8    .8    .9    12 (right)
# r2  .95 .3 .6             .617   .3   .95   .6    .5    12.0 (right)
# r3  .5 .5 .99             .663   .5   .99   .99   .95   13 (wrong)
cat >"$R/q.jsonl" <<'END'
{"id":"q1","answer":"12","responses":[{"response":"Final answer: 11","step_scores":[0.9,0.9,0.1],"score":0.2},{"response":"Final answer: 12","step_scores":[0.6,0.7,0.8],"score":0.9},{"response":"Final answer: 12.0","step_scores":[0.95,0.3,0.6],"score":0.5},{"response":"Final answer: 13","step_scores":[0.5,0.5,0.99],"score":0.95}]}
END

# pick ARGS...: "chosen correct" of q1
pick() { smelt-bon "$@" $R/q.jsonl --plain -q | jq -r '"\(.bon.chosen) \(.bon.correct)"'; }

test_case 'PRM aggregates, ORM and self-consistency pick as worked out' '
	test "$(pick --by prm)" = "1 true" &&
	test "$(pick --by prm --aggregate min)" = "1 true" &&
	test "$(pick --by prm --aggregate max)" = "3 false" &&
	test "$(pick --by prm --aggregate last)" = "3 false" &&
	test "$(pick --by orm)" = "3 false" &&
	test "$(pick --by self-consistency)" = "1 true" &&
	smelt-bon --by sc $R/q.jsonl --plain -q >out.jsonl &&
	jq -e ".bon == {method: \"self-consistency\", chosen: 1, votes: 2, n: 4, scored: 4, correct: true}" out.jsonl &&
	smelt-bon $R/q.jsonl --plain -q >out.jsonl &&
	jq -e "(.bon.score * 1000 | round) == 700 and .bon.method == \"prm-mean\" and .provenance[-1].stage == \"smelt-bon\"" out.jsonl &&
	validate $SMELT_TOP/schemas/bon.schema.json out.jsonl
'

test_case 'steps_with_score objects; ties go to the earliest response' '
	echo "{\"id\":\"t\",\"answer\":\"1\",\"responses\":[{\"response\":\"Final answer: 2\",\"steps_with_score\":[{\"score\":0.5},{\"score\":null}]},{\"response\":\"Final answer: 1\",\"steps_with_score\":[{\"score\":0.5}]}]}" >t.jsonl &&
	test "$(smelt-bon t.jsonl --plain -q | jq -c "[.bon.chosen, .bon.correct]")" = "[0,false]" &&
	echo "{\"id\":\"v\",\"answer\":\"B\",\"responses\":[\"The answer is A\",\"answer: C\",\"(B)\",\"B\",\"C.\"]}" >v.jsonl &&
	test "$(smelt-bon --by sc v.jsonl --plain -q | jq -c "[.bon.chosen, .bon.votes, .bon.correct]")" = "[1,2,false]"
'

test_case 'accuracy against gold, with pass@1 and oracle, in --stats and on stderr' '
	cat >many.jsonl <<-\END &&
	{"id":"a","answer":"1","responses":[{"response":"Final answer: 2","score":0.1},{"response":"Final answer: 1","score":0.9}]}
	{"id":"b","answer":"5","responses":[{"response":"Final answer: 5","score":0.3},{"response":"Final answer: 4","score":0.8}]}
	{"id":"c","answer":"7","responses":[{"response":"Final answer: 7","score":0.9},{"response":"Final answer: 8","score":0.1}]}
	{"id":"d","answer":"9","responses":[{"response":"Final answer: 1","score":0.9},{"response":"Final answer: 2","score":0.1}]}
	{"id":"e","responses":[{"response":"Final answer: 1","score":0.9,"correct":true}]}
	END
	smelt-bon --by orm many.jsonl --plain --stats st.json >out.jsonl 2>err &&
	jq -e ".bon.questions == 5 and .bon.with_gold == 5 and .bon.right == 3 and .bon.accuracy == 0.6 and
		.bon.first_accuracy == 0.6 and .bon.oracle_accuracy == 0.8" st.json &&
	grep -q "orm: 3/5 picks right (60.0%); first response 60.0%, oracle 80.0%" err
'

test_case '--group-by: one response per record, the picked record is written' '
	cat >flat.jsonl <<-\END &&
	{"id":"x-0","qid":"x","answer":"3","response":"Final answer: 4","step_scores":[0.2]}
	{"id":"x-1","qid":"x","answer":"3","response":"Final answer: 3","step_scores":[0.8]}
	{"id":"y-0","qid":"y","answer":"5","response":"Final answer: 5","step_scores":[0.7]}
	{"id":"y-1","qid":"y","answer":"5","response":"Final answer: 6","step_scores":[0.6]}
	{"id":"y-2","qid":"y","answer":"5","response":"Final answer: 6","step_scores":[0.65]}
	END
	smelt-bon --group-by qid flat.jsonl --plain -q >out.jsonl &&
	test "$(jq -c "[.id, .bon.chosen, .bon.n, .bon.correct]" out.jsonl | tr "\n" " ")" = "[\"x-1\",1,2,true] [\"y-0\",0,3,true] " &&
	smelt-bon --group-by qid --by sc flat.jsonl --plain -q | jq -r .id >sc &&
	test "$(tr "\n" " " <sc)" = "x-0 y-1 "
'

test_case 'questions that cannot be decided are rejected' '
	cat >bad.jsonl <<-\END &&
	{"id":"none","answer":"1","responses":["Final answer: 1"]}
	{"id":"missing","answer":"1"}
	{"id":"notlist","answer":"1","responses":"Final answer: 1"}
	{"id":"ok","answer":"1","responses":[{"response":"Final answer: 1","step_scores":[1]}]}
	END
	test_status 0 smelt-bon bad.jsonl --rejects rej.jsonl --plain -q >out.jsonl &&
	test "$(jq -r .id out.jsonl)" = ok &&
	jq -r "[.id, .error.kind] | join(\" \")" rej.jsonl >got &&
	printf "%s\n" "none no_scores" "missing missing_field" "notlist bad_field_type" >want &&
	test_cmp want got &&
	test_status 2 smelt-bon --by best bad.jsonl &&
	test_status 2 smelt-bon --aggregate median bad.jsonl
'

test_done
