#!/bin/sh
# smelt-refine against smelt-sim: one and several rounds, the stop on a
# critique without weakness (en "None", zh "无") under --if-weak (the
# default), --always refining every answer (Condor's procedure), every
# round's critique kept, reruns from the cache, malformed replies set aside
# with the raw reply, usage errors.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
S="$SMELT_TOP/schemas"
KT="$SMELT_TOP/knowledge_tree"
P="$SMELT_TOP/prompts/condor"
SMELT_SHARE=$SMELT_TOP
export SMELT_SHARE

sim_start || exit 1
GOOD=$SIM_URL
sim_start --condor-malformed 0.5 || exit 1
BAD=$SIM_URL
LLM="--endpoint $GOOD/v1 --model smelt-sim --seed 3 -q"

# critiqued LANG: questions of 8 sampled pairs, answered and critiqued.
critiqued() {
	d="$test_root/chain-$1"
	mkdir -p "$d" &&
	smelt-tree sample "$KT/$1.json" --lang "$1" -n 8 --seed 5 -o "$d/pairs.jsonl" &&
	smelt-gen $LLM --prompt "$P/$1/question.prompt" --into question --explode "$d/pairs.jsonl" -o "$d/raw.jsonl" &&
	smelt-condor questions -q "$d/raw.jsonl" -o "$d/q.jsonl" &&
	smelt-gen $LLM --prompt "$P/$1/answer.prompt" --into answer "$d/q.jsonl" -o "$d/a.jsonl" &&
	smelt-gen $LLM --prompt "$P/$1/critique.prompt" --into critique "$d/a.jsonl" -o "$d/c.jsonl"
}
critiqued en || exit 1
critiqued zh || exit 1
EN="$test_root/chain-en/c.jsonl"
ZH="$test_root/chain-zh/c.jsonl"

test_case 'one round: refined unless the critique found no weakness' '
	smelt-refine $LLM --prompt "$P/en/refine.prompt" --stats st.json "$EN" --plain >r.jsonl &&
	test "$(wc -l <r.jsonl)" -eq 24 &&
	jq -e "(.rounds | length) == 1 and .rounds[0].critique == .critique" r.jsonl >/dev/null &&
	jq -se "map(select(.critique.Weakness == \"None\")) | length > 0 and all(.refine_rounds == 0 and .refine_stop == \"no_weakness\" and .refined == .answer and (.rounds[0] | has(\"refined\") | not))" r.jsonl >/dev/null &&
	jq -se "map(select(.critique.Weakness != \"None\")) | length > 0 and all(.refine_rounds == 1 and .refine_stop == \"max_rounds\" and .refined != .answer and .refined == .rounds[0].refined)" r.jsonl >/dev/null &&
	jq -e "(.provenance | last | .stage == \"smelt-refine\" and .params.rounds == 1)" r.jsonl >/dev/null &&
	jq -se "(map(select(.refine_rounds == 1)) | length) as \$n | \$n" r.jsonl >n &&
	jq -e ".refine.refined == $(cat n) and .refine.refined + .refine.unrefined == 24 and .llm.requests == $(cat n)" st.json >/dev/null &&
	validate "$S/condor-answer.schema.json" r.jsonl
'

test_case 'three rounds: critique the new answer, stop at no weakness, keep every critique' '
	smelt-refine $LLM --prompt "$P/en/refine.prompt" --critique-prompt "$P/en/critique.prompt" --rounds 3 \
		--stats st.json "$EN" --plain >r.jsonl &&
	test "$(wc -l <r.jsonl)" -eq 24 &&
	jq -e ".refine_rounds <= 3 and (.rounds | length) >= 1" r.jsonl >/dev/null &&
	jq -e "if .refine_stop == \"no_weakness\" then .rounds[-1].critique.Weakness == \"None\" and (.rounds[-1] | has(\"refined\") | not) and .refine_rounds == (.rounds | length) - 1 else .refine_rounds == 3 and (.rounds | length) == 3 and .rounds[-1].refined == .refined end" r.jsonl >/dev/null &&
	jq -e "[.rounds[:-1][] | has(\"refined\")] | all" r.jsonl >/dev/null &&
	jq -se "map(select(.refine_rounds >= 2)) | length > 0" r.jsonl >/dev/null &&
	total=$(jq -s "map(.rounds | length) | add" r.jsonl) &&
	made=$(jq -s "map(.refine_rounds) | add" r.jsonl) &&
	jq -e ".refine.critiques == $total - 24 and .refine.refinements == $made and .llm.requests == $made + $total - 24" st.json >/dev/null &&
	jq -e ".refine.by_rounds | add == 24" st.json >/dev/null &&
	validate "$S/condor-answer.schema.json" r.jsonl
'

test_case '--always: every answer refined once, also where the critique found no weakness' '
	smelt-refine $LLM --always --prompt "$P/en/refine.prompt" --stats st.json "$EN" --plain >r.jsonl &&
	test "$(wc -l <r.jsonl)" -eq 24 &&
	jq -e ".refine_rounds == 1 and .refine_stop == \"max_rounds\" and .refined != .answer and .refined == .rounds[0].refined" r.jsonl >/dev/null &&
	none=$(jq -s "map(select(.critique.Weakness == \"None\")) | length" r.jsonl) && test "$none" -gt 0 &&
	jq -e ".refine.always == 1 and .refine.refined == 24 and .refine.unrefined == 0 and .refine.refinements == 24 and .refine.no_weakness_seen == $none and .llm.requests == 24" st.json >/dev/null &&
	jq -e ".provenance | last | .params.refine == \"always\"" r.jsonl >/dev/null &&
	smelt-refine $LLM --if-weak --prompt "$P/en/refine.prompt" --stats st2.json "$EN" --plain >r2.jsonl &&
	jq -e ".refine.always == 0 and .refine.unrefined == $none and .refine.stop_no_weakness == $none" st2.json >/dev/null &&
	validate "$S/condor-answer.schema.json" r.jsonl
'

test_case '--always --rounds 3: three refinements for every answer, no early stop' '
	smelt-refine $LLM --always --prompt "$P/en/refine.prompt" --critique-prompt "$P/en/critique.prompt" --rounds 3 \
		--stats st.json "$EN" --plain >r.jsonl &&
	jq -e ".refine_rounds == 3 and (.rounds | length) == 3 and (.rounds | all(has(\"refined\")))" r.jsonl >/dev/null &&
	jq -e ".refine.refinements == 72 and .refine.critiques == 48 and .refine.stop_max_rounds == 24 and .refine.by_rounds == [0, 0, 0, 24]" st.json >/dev/null
'

test_case 'a rerun from the cache asks nothing and writes the same records' '
	smelt-refine $LLM --prompt "$P/en/refine.prompt" --critique-prompt "$P/en/critique.prompt" --rounds 3 \
		--cache c "$EN" -o a.jsonl.zst &&
	smelt-refine $LLM --prompt "$P/en/refine.prompt" --critique-prompt "$P/en/critique.prompt" --rounds 3 \
		--cache c --stats st.json "$EN" -o b.jsonl.zst &&
	test "$(cat_any a.jsonl.zst | jq -c "del(.provenance)" | md5sum)" = "$(cat_any b.jsonl.zst | jq -c "del(.provenance)" | md5sum)" &&
	cmp a.jsonl.zst b.jsonl.zst &&
	jq -e ".llm.requests == 0 and .llm.cache_hits > 0" st.json >/dev/null
'

test_case 'zh: the 缺点 block holding 无 ends the rounds; zh text in every round' '
	smelt-refine $LLM --prompt "$P/zh/refine.prompt" --critique-prompt "$P/zh/critique.prompt" --rounds 2 \
		"$ZH" --plain >r.jsonl &&
	test "$(wc -l <r.jsonl)" -eq 24 &&
	jq -e ".lang == \"zh\" and (.refined | test(\"[\\\\x{4e00}-\\\\x{9fff}]\"))" r.jsonl >/dev/null &&
	jq -se "map(select(.critique[\"缺点\"] == \"无\")) | length > 0 and all(.refine_rounds == 0)" r.jsonl >/dev/null &&
	jq -e "if .refine_stop == \"no_weakness\" then .rounds[-1].critique[\"缺点\"] == \"无\" else .refine_rounds == 2 end" r.jsonl >/dev/null &&
	validate "$S/condor-answer.schema.json" r.jsonl
'

test_case '--none KEY=WORD replaces the marker words' '
	smelt-refine $LLM --prompt "$P/en/refine.prompt" --none "Strength=never said" "$EN" --plain >r.jsonl &&
	jq -e ".refine_rounds == 1" r.jsonl >/dev/null &&
	jq -se "map(select(.critique.Weakness == \"None\" and .refine_rounds == 1)) | length > 0" r.jsonl >/dev/null
'

test_case 'malformed replies: every record is written or rejected with its raw reply' '
	smelt-refine --endpoint "$BAD/v1" --model smelt-sim -q --reparse 0 --prompt "$P/en/refine.prompt" \
		--critique-prompt "$P/en/critique.prompt" --rounds 3 --rejects rej.jsonl --stats st.json "$EN" --plain >r.jsonl &&
	test $(( $(wc -l <r.jsonl) + $(wc -l <rej.jsonl) )) -eq 24 &&
	test -s rej.jsonl &&
	jq -e ".error.kind == \"parse_error\" and (.raw_reply | length) > 0 and (.rounds | length) >= 1" rej.jsonl >/dev/null &&
	jq -e ".records_rejected == .refine.parse_errors" st.json >/dev/null &&
	validate "$S/reject.schema.json" rej.jsonl &&
	validate "$S/condor-answer.schema.json" r.jsonl
'

test_case 'records without an answer or critique are rejected before any request' '
	printf "%s\n" "{\"id\":\"a\",\"question\":\"q\",\"answer\":\"x\"}" "{\"id\":\"b\",\"question\":\"q\",\"critique\":{}}" \
		"{\"id\":\"c\",\"question\":\"q\",\"answer\":\"x\",\"critique\":\"bad\"}" >in.jsonl &&
	smelt-refine $LLM --prompt "$P/en/refine.prompt" --rejects rej.jsonl --stats st.json in.jsonl --plain >r.jsonl &&
	test ! -s r.jsonl &&
	test "$(jq -r .error.kind rej.jsonl | tr "\n" " ")" = "bad_critique missing_field bad_critique " &&
	jq -e ".llm.requests == 0" st.json >/dev/null
'

test_case 'usage errors' '
	test_status 2 smelt-refine $LLM "$EN" 2>e1 && grep -q -- "--prompt" e1 &&
	test_status 2 smelt-refine $LLM --prompt "$P/en/refine.prompt" --rounds 2 "$EN" 2>e2 && grep -q critique-prompt e2 &&
	test_status 2 smelt-refine $LLM --prompt "$P/en/refine.prompt" --rounds 0 "$EN" 2>e3 &&
	test_status 2 smelt-refine $LLM --prompt "$P/en/refine.prompt" --none nokey "$EN" 2>e4 &&
	test_status 1 smelt-refine $LLM --prompt "$P/en/refine.prompt" --markers nope.json "$EN" 2>e5 && grep -q nope.json e5 &&
	test_status 2 smelt-refine $LLM --prompt "$P/en/refine.prompt" --always --if-weak "$EN" 2>e6 && grep -q "one" e6
'

sim_stop_all
test_case 'the simulators exited cleanly' sim_exited_cleanly
test_done
