#!/bin/sh
# smelt-tree grow against smelt-sim: sub-topics from list replies, bounded
# breadth and depth, duplicates dropped (case-insensitively, against
# siblings), unparsable replies set aside with the raw reply, and a rerun
# from the cache asking nothing.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
S="$SMELT_TOP/schemas"
P="$SMELT_TOP/prompts/condor"
SMELT_SHARE=$SMELT_TOP
export SMELT_SHARE

sim_start || exit 1
GOOD=$SIM_URL
sim_start --condor-malformed 1 || exit 1
BAD=$SIM_URL
LLM="--model smelt-sim --concurrency 8"

small_tree() {
	echo "{\"Pets\": {\"Cats\": [\"cat food\", \"kittens\"], \"Dogs\": [\"dog walks\"]}, \"Travel\": {\"Trains\": [\"night trains\"]}}" >t.json
}

# child_names TREE: every node name under each old leaf, as "leaf<TAB>child".
no_bad_children() { # grown tree: no child equals an ancestor or a sibling of its parent
	jq -r "
		def walk_nodes(anc; sibs):
			if type == \"string\" then empty
			else . as \$n | (\$n.children // []) as \$kids |
				(\$kids[] | (if type == \"string\" then . else .name end) | ascii_downcase) as \$k |
				select(([anc[], sibs[]] | map(ascii_downcase)) | index(\$k)) | \"bad: \(\$n.name) > \(\$k)\"
			end;
		.root[] | walk_nodes([.name]; [])" "$1" >bad.txt
	test ! -s bad.txt
}

test_case 'grow adds one level under every leaf, at most --max-children each' '
	small_tree &&
	smelt-tree grow t.json --endpoint "$GOOD/v1" $LLM --max-children 3 --stats st.json -o g.json &&
	smelt-tree validate -q g.json &&
	validate "$S/knowledge-tree.schema.json" g.json &&
	smelt-tree stats g.json >s.json &&
	jq -e ".depth == 4 and .levels[0] == 2 and .levels[2] == 4 and .levels[3] >= 4 and .levels[3] <= 12" s.json >/dev/null &&
	smelt-tree flatten --plain g.json >paths.jsonl &&
	test "$(jq -r ".path[2]" paths.jsonl | sort -u | wc -l)" -eq 4 &&
	test "$(jq -r ".path[2]" paths.jsonl | sort | uniq -c | awk "\$1 > 3" | wc -l)" -eq 0 &&
	jq -e ".grow.asked == 4 and .grow.added == (.grow.proposed - .grow.dropped) and .records_in == 4" st.json >/dev/null &&
	no_bad_children g.json
'

test_case '--depth grows several levels; only new nodes are asked in later rounds' '
	small_tree &&
	smelt-tree grow t.json --endpoint "$GOOD/v1" $LLM --max-children 2 --depth 5 --stats st.json -o g.json &&
	smelt-tree stats g.json >s.json &&
	jq -e ".depth == 5 and .levels[3] == 8 and .levels[4] == 16" s.json >/dev/null &&
	jq -e ".grow.levels == 2 and .grow.asked == 12" st.json >/dev/null &&
	validate "$S/knowledge-tree.schema.json" g.json
'

test_case 'a rerun with the cache asks nothing and writes the same tree' '
	small_tree &&
	smelt-tree grow t.json --endpoint "$GOOD/v1" $LLM --depth 5 --max-children 3 --cache c -o a.json &&
	before=$(curl -sS "$GOOD/metrics" | jq ".by_route[\"/v1/chat/completions\"]") &&
	smelt-tree grow t.json --endpoint "$GOOD/v1" $LLM --depth 5 --max-children 3 --cache c --stats st.json -o b.json &&
	after=$(curl -sS "$GOOD/metrics" | jq ".by_route[\"/v1/chat/completions\"]") &&
	test "$before" -eq "$after" &&
	cmp a.json b.json &&
	jq -e ".llm.requests == 0 and .llm.cache_hits == .grow.asked" st.json >/dev/null
'

test_case 'proposals equal to a sibling (any case) are dropped' '
	echo "{\"Topics\": {\"Sub\": [\"x\", \"HISTORY OF X\", \"key concepts in x\", \"X in Everyday Life\", \"Applications of x\",
		\"Famous figures in x\", \"Tools and methods of x\", \"Ethics of x\", \"The future of x\", \"x for beginners\",
		\"Common myths about x\", \"x around the world\", \"Careers in x\"]}}" >t.json &&
	smelt-tree grow t.json --endpoint "$GOOD/v1" $LLM --stats st.json -o g.json &&
	jq -e ".root[0].children[0].children[] | select((if type == \"string\" then . else .name end) == \"x\")" g.json >x.json &&
	test "$(jq -r "if type == \"string\" then \"leaf\" else (.children | length) end" x.json)" = leaf &&
	jq -e ".grow.dropped >= 3" st.json >/dev/null &&
	no_bad_children g.json
'

test_case 'an empty tree grows domains first' '
	echo "{}" >e.json &&
	smelt-tree grow e.json --endpoint "$GOOD/v1" $LLM --depth 2 --max-children 4 -o g.json &&
	smelt-tree stats g.json >s.json &&
	jq -e ".levels[0] >= 3 and .levels[0] <= 4 and .depth == 2" s.json >/dev/null
'

test_case 'the zh tree grows with the zh prompt and zh names' '
	echo "{\"宠物\": {\"猫\": [\"猫粮\", \"小猫\"]}}" >z.json &&
	smelt-tree grow z.json --lang zh --endpoint "$GOOD/v1" $LLM -o g.json &&
	smelt-tree flatten --plain g.json >p.jsonl &&
	test "$(wc -l <p.jsonl)" -ge 6 &&
	jq -e ".path[3] | test(\"[\\\\x{4e00}-\\\\x{9fff}]\")" p.jsonl >/dev/null
'

test_case 'malformed replies: no crash, failures set aside with the raw reply, counted' '
	small_tree &&
	smelt-tree grow t.json --endpoint "$BAD/v1" $LLM --reparse 0 --rejects rej.jsonl --stats st.json -o g.json &&
	smelt-tree validate -q g.json &&
	n=$(jq ".grow.parse_errors" st.json) &&
	test "$(wc -l <rej.jsonl)" -eq "$n" &&
	jq -e ".grow.asked == 4 and .records_rejected == .grow.parse_errors" st.json >/dev/null &&
	if [ "$n" -gt 0 ]; then
		jq -e ".raw_reply and .error.kind == \"parse_error\" and (.path | length) == 3" rej.jsonl >/dev/null &&
		validate "$S/reject.schema.json" rej.jsonl
	fi &&
	test_status 3 smelt-tree grow t.json --endpoint "$BAD/v1" $LLM --reparse 0 -o g2.json 2>err ||
	test "$n" -eq 0
'

test_case 'a parse failure is re-sampled with another seed' '
	small_tree &&
	smelt-tree grow t.json --endpoint "$BAD/v1" $LLM --reparse 20 --rejects rej.jsonl --stats st.json -o g.json &&
	jq -e ".grow.reparses > 0 and .grow.parse_errors == 0" st.json >/dev/null && test ! -s rej.jsonl
'

test_case 'grow needs a model and an endpoint; bad values are usage errors' '
	small_tree &&
	test_status 2 env -u SMELT_ENDPOINTS -u OPENAI_BASE_URL smelt-tree grow t.json --model m 2>e1 && grep -q endpoint e1 &&
	test_status 1 smelt-tree grow t.json --endpoint "$GOOD/v1" 2>e2 && grep -q "model" e2 &&
	test_status 2 smelt-tree grow t.json --endpoint "$GOOD/v1" $LLM --max-children 0 2>e3 &&
	test_status 1 smelt-tree grow t.json --endpoint "$GOOD/v1" $LLM --prompt nope.prompt 2>e4 && grep -q nope.prompt e4
'

sim_stop_all
test_case 'the simulators exited cleanly' sim_exited_cleanly
test_done
