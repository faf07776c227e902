#!/bin/sh
# Deep input never kills a run: replies that nest past the answer checker's
# limits (50,000 "\frac{", 200,000 "\sqrt") are rejected as too_deep with
# their file and line by smelt-check, smelt-bon --by self-consistency and
# smelt-mc; 300,000 "n't" suffixes are decided (a loop, no recursion); a
# record nested 2,000 levels deep and a knowledge tree of 100 levels get a
# result or a message. Every case also runs on a 1 MB stack (`ulimit -s
# 1024`), so the bound is real, not the default 8 MB hiding it.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
. "$SMELT_TOP/tests/llm/lib-llm.sh"
. "$SMELT_TOP/tests/prm/lib-prm.sh"

R=$test_root
sim_start --step-error 0

# rep N TEXT: TEXT N times, no newline (TEXT as JSON string content)
rep() { yes "$2" | head -n "$1" | tr -d '\n'; }
# reply_rec ID TAIL N UNIT: a check record whose reply is "Final answer: " UNIT x N TAIL
reply_rec() {
	printf '{"id":"%s","question":"What is 1?","answer":"1","response":"Final answer: %s' "$1" "$2"
	rep "$3" "$4"
	printf '%s"}\n' "$5"
}
{
	reply_rec frac '' 50000 '\\frac{' ''
	reply_rec sqrt '' 200000 '\\sqrt' '4'
	reply_rec nt can 300000 "n't" ''
	reply_rec ok '' 1 '1' ''
} >"$R/deep.jsonl"
# a record nested 2,000 levels deep (jansson's parser stops at 2,048)
{
	printf '{"id":"deepjson","question":"What is 1?","answer":"1","response":"Final answer: 1","x":'
	rep 2000 '['
	printf 1
	rep 2000 ']'
	printf '}\n'
} >"$R/deepjson.jsonl"

# small CMD...: CMD on a 1 MB stack (threads get the same)
small() (ulimit -s 1024 && "$@")

# kinds FILE: "line kind file" per reject
kinds() { jq -r '"\(.error.line) \(.error.kind) \(.error.file)"' "$1"; }

for stack in default small; do
	run=
	[ $stack = small ] && run=small

	test_case "smelt-check: too deep is a reject with file:line ($stack stack)" '
		$run smelt-check -j2 --plain -q "$R/deep.jsonl" --rejects rej.jsonl >out.jsonl &&
		kinds rej.jsonl >got &&
		printf "1 too_deep $R/deep.jsonl\n2 too_deep $R/deep.jsonl\n" >want &&
		test_cmp want got &&
		jq -r "\"\(.id) \(.correct) \(.method)\"" out.jsonl >got &&
		printf "nt false vqa\nok true exact\n" >want &&
		test_cmp want got &&
		test_status 3 $run smelt-check --plain -q "$R/deep.jsonl" >/dev/null 2>err &&
		grep -q "too_deep" err
	'

	test_case "smelt-bon --by self-consistency: too deep is a reject ($stack stack)" '
		jq -c "{id, answer, responses: [{response: \"Final answer: 1\"}, {response: .response}]}" \
			"$R/deep.jsonl" >q.jsonl &&
		$run smelt-bon --by self-consistency --plain -q q.jsonl --rejects rej.jsonl >out.jsonl &&
		kinds rej.jsonl >got &&
		printf "1 too_deep q.jsonl\n2 too_deep q.jsonl\n" >want &&
		test_cmp want got &&
		jq -r "\"\(.id) \(.bon.chosen)\"" out.jsonl >got &&
		printf "nt 0\nok 0\n" >want &&
		test_cmp want got &&
		grep -q "response 1 nests deeper" rej.jsonl
	'

	test_case "smelt-mc: a too deep response is a reject, the rest is labelled ($stack stack)" '
		$run mc --rollouts 2 "$R/deep.jsonl" --rejects rej.jsonl >out.jsonl &&
		kinds rej.jsonl >got &&
		printf "1 too_deep $R/deep.jsonl\n2 too_deep $R/deep.jsonl\n" >want &&
		test_cmp want got &&
		jq -r .id out.jsonl >got &&
		printf "nt\nok\n" >want &&
		test_cmp want got
	'

	test_case "a record nested 2,000 levels deep passes every walker ($stack stack)" '
		$run smelt-cat --plain -q "$R/deepjson.jsonl" >fast &&
		SMELT_NO_FAST_PATH=1 $run smelt-cat --plain -q "$R/deepjson.jsonl" >slow &&
		test_cmp fast slow &&
		test_cmp "$R/deepjson.jsonl" fast &&
		$run smelt-check --plain -q "$R/deepjson.jsonl" >out &&
		grep -q "\"correct\":true" out &&
		$run smelt-dedup --fields x --plain -q "$R/deepjson.jsonl" "$R/deepjson.jsonl" --drop >out &&
		test $(wc -l <out) = 1
	'
done

test_case 'a knowledge tree deeper than 64 levels is refused with its path' '
	{ rep 100 "{\"name\":\"t\",\"children\":["; printf "\"leaf\""; rep 100 "]}"; } >node &&
	printf "[%s]\n" "$(cat node)" >tree.json &&
	test_status 1 small smelt-tree validate tree.json 2>err &&
	grep -q "nested deeper than 64 levels" err &&
	{ rep 60 "{\"name\":\"t\",\"children\":["; printf "\"leaf\""; rep 60 "]}"; } >node &&
	printf "[%s]\n" "$(cat node)" >tree.json &&
	small smelt-tree stats tree.json >stats &&
	jq -e ".depth == 61" stats >/dev/null
'

test_done
