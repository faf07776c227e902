#!/bin/sh
# smelt-gen against smelt-sim: order, provenance, stats, samples (n and
# seeds give the same texts), explode, front-matter defaults, parse errors
# with re-sampling, other 4xx rejected while the run goes on.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
. "$SMELT_TOP/tests/llm/lib-llm.sh"

sim_start --threads 2
EP="--endpoint $SIM_URL/v1"

test_case 'every record answered, in input order, with provenance and stats' '
	make_records 300 >in.jsonl && make_prompt &&
	smelt-gen --prompt p.prompt --into para $EP in.jsonl --plain --stats st.json -o out.jsonl &&
	test "$(wc -l <out.jsonl)" = 300 &&
	jq -r .id out.jsonl >ids && jq -r .id in.jsonl >want && test_cmp want ids &&
	test "$(jq -r "select(.para | type == \"string\" and length > 20) | .id" out.jsonl | wc -l)" = 300 &&
	jq -e ".provenance[0] | .stage == \"smelt-gen\" and .model == \"smelt-sim\" and (.template_hash | length) == 32 and .params.into == \"para\"" out.jsonl >/dev/null &&
	jq -e ".records_out == 300 and .llm.requests == 300 and .llm.ok == 300 and .llm.tokens.completion > 0 and .llm.latency_seconds.p99 >= .llm.latency_seconds.p50" st.json &&
	jq -e ".llm.endpoints[\"$SIM_URL/v1\"].requests == 300" st.json
'

test_case '--unordered writes the same records' '
	make_records 300 >in.jsonl && make_prompt &&
	smelt-gen --prompt p.prompt --into para $EP in.jsonl --plain -o a.jsonl &&
	smelt-gen --prompt p.prompt --into para $EP in.jsonl --plain --unordered --concurrency 7 --window 20 -o b.jsonl &&
	sort a.jsonl >a.sorted && sort b.jsonl >b.sorted && test_cmp a.sorted b.sorted
'

test_case 'a small window keeps order' '
	make_records 200 >in.jsonl && make_prompt &&
	smelt-gen --prompt p.prompt --into para $EP in.jsonl --plain -o a.jsonl &&
	smelt-gen --prompt p.prompt --into para $EP in.jsonl --plain --window 3 --concurrency 2 -j 1 -o b.jsonl &&
	test_cmp a.jsonl b.jsonl
'

test_case '--samples 3: n=3 and three seeded requests give the same list' '
	make_records 20 >in.jsonl && make_prompt &&
	smelt-gen --prompt p.prompt --into s $EP --samples 3 --seed 7 --n-mode n in.jsonl --plain --stats n.json -o n.jsonl &&
	smelt-gen --prompt p.prompt --into s $EP --samples 3 --seed 7 --n-mode seeds in.jsonl --plain --stats s.json -o s.jsonl &&
	jq -e ".llm.requests == 20" n.json && jq -e ".llm.requests == 60" s.json &&
	jq -c .s n.jsonl >n.s && jq -c .s s.jsonl >s.s && test_cmp n.s s.s &&
	jq -e "(.s | length) == 3 and (.s | unique | length) == 3" n.jsonl >/dev/null
'

test_case '--explode: one record per list item, ids <parent>-<k>' '
	make_records 5 >in.jsonl &&
	printf -- "---\nparse: text\n---\nSay: {{text}}\n" >p.prompt &&
	smelt-gen --prompt p.prompt --into s $EP --model smelt-sim --samples 2 --explode in.jsonl --plain -o out.jsonl &&
	test "$(wc -l <out.jsonl)" = 10 &&
	jq -r .id out.jsonl | head -3 >ids && printf "r1-0\nr1-1\nr2-0\n" >want && test_cmp want ids &&
	jq -e "(.s | type) == \"string\" and (.provenance | length) == 1" out.jsonl >/dev/null
'

test_case '--explode with a list reply: one record per item' '
	make_records 3 >in.jsonl &&
	printf -- "---\nmodel: smelt-sim\nparse: list\n---\nGive sub-topics of {{text}} as a Python list.\n" >l.prompt &&
	smelt-gen --prompt l.prompt --into topic --explode $EP in.jsonl --plain --stats st.json -o out.jsonl &&
	n=$(wc -l <out.jsonl) && test "$n" -gt 3 &&
	jq -e ".gen.exploded_records == $n" st.json &&
	jq -e "(.topic | type) == \"string\" and (.id | test(\"^r[123]-[0-9]+$\"))" out.jsonl >/dev/null &&
	jq -r .id out.jsonl | sed -n 1p | grep -qx r1-0 &&
	test "$(jq -r .id out.jsonl | sort | uniq -d | wc -l)" = 0
'

test_case 'front matter defaults go into the body; options override them' '
	make_records 3 >in.jsonl &&
	printf -- "---\nmodel: smelt-sim\ntemperature: 0.5\nmax_tokens: 5\n---\nSay: {{text}}\n" >p.prompt &&
	smelt-gen --prompt p.prompt --into s $EP in.jsonl --plain -o a.jsonl &&
	jq -e "(.s | split(\" \") | length) <= 5" a.jsonl >/dev/null &&
	jq -e ".provenance[0].params | .temperature == 0.5 and .max_tokens == 5" a.jsonl >/dev/null &&
	smelt-gen --prompt p.prompt --into s $EP --max-tokens 12 --temperature 0 in.jsonl --plain -o b.jsonl &&
	jq -e ".provenance[0].params | .temperature == 0 and .max_tokens == 12" b.jsonl >/dev/null &&
	test "$(jq -r ".s | split(\" \") | length" b.jsonl | sort -n | tail -1)" -gt 5
'

test_case 'a reply that does not parse is re-sampled, then rejected with the raw reply' '
	make_records 10 >in.jsonl && make_prompt &&
	test_status 0 smelt-gen --prompt p.prompt --into j --parse json --reparse 2 $EP in.jsonl --plain \
		--rejects rej.jsonl --stats st.json -o out.jsonl &&
	test ! -s out.jsonl &&
	test "$(wc -l <rej.jsonl)" = 10 &&
	jq -e ".error.kind == \"parse_error\" and (.raw_reply | length) > 10 and .error.stage == \"smelt-gen\"" rej.jsonl >/dev/null &&
	jq -e ".gen.reparses == 20 and .gen.parse_errors == 10 and .llm.requests == 30" st.json
'

test_case 'a 4xx rejects that record only; the run goes on' '
	make_records 4 >in.jsonl &&
	echo "{\"id\":\"bad\",\"text\":\"x\",\"images\":[\"data:image/png;base64,AAAA\"]}" >>in.jsonl &&
	printf -- "---\nmodel: smelt-sim\n---\n=== user ===\n<image>{{text}}\n" >p.prompt &&
	sed -i "1,4s/\"}\$/\",\"images\":[\"https:\/\/example.com\/a.png\"]}/" in.jsonl &&
	test_status 0 smelt-gen --prompt p.prompt --into s $EP in.jsonl --plain --rejects rej.jsonl -o out.jsonl 2>err &&
	test "$(wc -l <out.jsonl)" = 4 &&
	jq -e "select(.id == \"bad\") | .error.kind == \"request_rejected\" and (.error.message | test(\"HTTP 400\"))" rej.jsonl
'

test_case 'records without the fields the template needs still get a request; bad JSON is rejected' '
	printf "{\"id\":\"a\"}\n{oops\n{\"id\":\"b\",\"text\":\"hello there\"}\n" >in.jsonl && make_prompt &&
	test_status 0 smelt-gen --prompt p.prompt --into s $EP in.jsonl --plain --rejects rej.jsonl -o out.jsonl &&
	test "$(wc -l <out.jsonl)" = 2 && jq -e ".error.kind == \"bad_json\"" rej.jsonl
'

test_case 'usage errors exit 2' '
	make_prompt &&
	test_status 2 smelt-gen --into x $EP </dev/null &&
	test_status 2 smelt-gen --prompt p.prompt --into x $EP --samples 0 </dev/null &&
	test_status 2 smelt-gen --prompt p.prompt --into x $EP --cache-mode bogus </dev/null &&
	test_status 2 smelt-gen --prompt p.prompt --into x --endpoint ftp://x </dev/null &&
	(unset SMELT_ENDPOINTS OPENAI_BASE_URL; test_status 2 smelt-gen --prompt p.prompt --into x </dev/null)
'

test_case 'endpoints from SMELT_ENDPOINTS, then OPENAI_BASE_URL' '
	make_records 3 >in.jsonl && make_prompt &&
	SMELT_ENDPOINTS="$SIM_URL/v1" smelt-gen --prompt p.prompt --into s in.jsonl --plain -o a.jsonl &&
	(unset SMELT_ENDPOINTS; OPENAI_BASE_URL="$SIM_URL/v1/" smelt-gen --prompt p.prompt --into s in.jsonl --plain -o b.jsonl) &&
	test "$(wc -l <a.jsonl)" = 3 && test_cmp a.jsonl b.jsonl
'

sim_stop_all
test_case 'smelt-sim exited cleanly' sim_exited_cleanly
test_done
