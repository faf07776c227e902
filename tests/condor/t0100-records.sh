#!/bin/sh
# smelt-condor questions / sft / dpo / report on hand-written records:
# level labels in both languages, length bounds, placeholders for images,
# preference pairs only where the answer changed, schemas, exit codes.
. "$(dirname "$0")/../lib.sh"
S="$SMELT_TOP/schemas"
SMELT_SHARE=$SMELT_TOP
export SMELT_SHARE
fx="$test_root/fx"
mkdir -p "$fx"

# Exploded question replies as smelt-gen --explode writes them.
cat >"$fx/raw.jsonl" <<'JSON'
{"id":"p1-0","lang":"en","path":["Health","Sleep","naps"],"domain":"Health","theme":"naps","task":"Daily Chat","task_description":"d","examples":["e"],"question":{"label":"Easy","text":"Is a short nap after lunch good for me?"},"provenance":[{"stage":"smelt-gen","version":"0"}]}
{"id":"p1-1","lang":"en","path":["Health","Sleep","naps"],"domain":"Health","theme":"naps","task":"Daily Chat","task_description":"d","examples":["e"],"question":{"label":" medium ","text":"Hi?"},"provenance":[{"stage":"smelt-gen","version":"0"}]}
{"id":"p1-2","lang":"en","path":["Health","Sleep","naps"],"domain":"Health","theme":"naps","task":"Daily Chat","task_description":"d","examples":["e"],"question":{"label":"Extreme","text":"What is the longest nap anyone has taken?"},"provenance":[{"stage":"smelt-gen","version":"0"}]}
{"id":"z9-2","lang":"zh","path":["健康","睡眠","午睡"],"domain":"健康","theme":"午睡","task":"日常闲聊","question":{"label":"困难","text":"午睡时间过长为什么反而会让人更困？请结合睡眠周期解释。"},"images":["a.png"],"provenance":[{"stage":"smelt-gen","version":"0"}]}
{"id":"p2-0","lang":"en","path":["Travel","Trains","night trains"],"domain":"Travel","theme":"night trains","task":"Creation","question":{"label":"Hard","text":"Write a poem about a night train that crosses three countries, one stanza per border."},"provenance":[{"stage":"smelt-gen","version":"0"}]}
JSON

# Refined records as smelt-refine writes them.
cat >"$fx/refined.jsonl" <<'JSON'
{"id":"q1","pair":"p","lang":"en","path":["A","B","c"],"domain":"A","theme":"c","task":"View","difficulty":"easy","question":"Should I learn to cook?","answer":"Yes.","critique":{"Strength":"short","Weakness":"too short","Suggestion":"say why"},"refined":"Yes: it saves money and is fun.","rounds":[{"critique":{"Strength":"short","Weakness":"too short","Suggestion":"say why"},"refined":"Yes: it saves money and is fun."}],"refine_rounds":1,"refine_stop":"max_rounds","provenance":[{"stage":"smelt-gen","version":"0"}]}
{"id":"q2","pair":"p","lang":"en","path":["A","B","c"],"domain":"A","theme":"c","task":"View","difficulty":"hard","question":"Is cooking an art?","answer":"It can be.","critique":{"Strength":"ok","Weakness":"None","Suggestion":"none"},"refined":"It can be.","rounds":[{"critique":{"Strength":"ok","Weakness":"None","Suggestion":"none"}}],"refine_rounds":0,"refine_stop":"no_weakness","provenance":[{"stage":"smelt-gen","version":"0"}]}
{"id":"q3","pair":"p","lang":"en","path":["A","B","c"],"domain":"A","theme":"c","task":"View","difficulty":"medium","question":"<image>\nWhat dish is this?","images":["dish.jpg"],"answer":"Soup.","critique":{"Strength":"a","Weakness":"b","Suggestion":"c"},"refined":"It is a tomato soup with basil.","rounds":[{"critique":{"Strength":"a","Weakness":"b","Suggestion":"c"},"refined":"It is a tomato soup with basil."}],"refine_rounds":1,"refine_stop":"max_rounds","provenance":[{"stage":"smelt-gen","version":"0"}]}
{"id":"q4","pair":"p","lang":"en","path":["A","B","c"],"domain":"A","theme":"c","task":"View","difficulty":"medium","question":"What now?","answer":"   ","provenance":[]}
JSON

test_case 'questions: labels become level ids in both languages; bounds and unknown levels are rejected' '
	smelt-condor questions --plain --min-chars 5 --max-chars 60 --rejects rej.jsonl --stats st.json \
		"$fx/raw.jsonl" >q.jsonl &&
	test "$(jq -r .id q.jsonl | tr "\n" " ")" = "p1-0 z9-2 " &&
	test "$(jq -r .difficulty q.jsonl | tr "\n" " ")" = "easy hard " &&
	test "$(jq -r .pair q.jsonl | tr "\n" " ")" = "p1 z9 " &&
	jq -se ".[] | select(.id == \"z9-2\") | .lang == \"zh\" and .images == [\"a.png\"]" q.jsonl >/dev/null &&
	jq -e "has(\"examples\") or has(\"task_description\") | not" q.jsonl >/dev/null &&
	test "$(jq -r .error.kind rej.jsonl | tr "\n" " ")" = "too_short bad_level too_long " &&
	jq -e ".question.text" rej.jsonl >/dev/null &&
	jq -e ".records_in == 5 and .records_out == 2 and .records_rejected == 3" st.json >/dev/null &&
	validate "$S/condor-question.schema.json" q.jsonl &&
	validate "$S/reject.schema.json" rej.jsonl
'

test_case 'questions: provenance gains an entry; reshaped records pass through again' '
	smelt-condor questions --plain --rejects rej.jsonl "$fx/raw.jsonl" >q.jsonl &&
	jq -e "(.provenance | length) == 2 and .provenance[1].stage == \"smelt-condor\"" q.jsonl >/dev/null &&
	smelt-condor questions --plain q.jsonl >q2.jsonl &&
	test "$(jq -c "[.id, .question, .difficulty, .pair]" q.jsonl)" = "$(jq -c "[.id, .question, .difficulty, .pair]" q2.jsonl)"
'

test_case 'questions: a record rejected without a --rejects sink exits 3' '
	test_status 3 smelt-condor questions --plain "$fx/raw.jsonl" >q.jsonl 2>err &&
	grep -q "bad_level" err
'

test_case 'sft: D_V and D_R are canonical conversations with metadata; empty answers are rejected' '
	smelt-condor sft --plain --answer answer --rejects rv.jsonl "$fx/refined.jsonl" >v.jsonl &&
	smelt-condor sft --plain --rejects rr.jsonl "$fx/refined.jsonl" >r.jsonl &&
	test "$(wc -l <v.jsonl)" -eq 3 && test "$(wc -l <r.jsonl)" -eq 3 &&
	jq -se ".[] | select(.id == \"q1\") | .messages[1].content == \"Yes.\" and .set == \"D_V\"" v.jsonl >/dev/null &&
	jq -se ".[] | select(.id == \"q1\") | .messages[1].content == \"Yes: it saves money and is fun.\" and .set == \"D_R\"" r.jsonl >/dev/null &&
	jq -e ".path and .task and .difficulty and .lang and (.provenance | length) >= 1" r.jsonl >/dev/null &&
	test "$(jq -r .error.kind rv.jsonl)" = missing_field &&
	validate "$S/condor-sft.schema.json" v.jsonl r.jsonl &&
	validate "$S/conversation.schema.json" v.jsonl r.jsonl
'

test_case 'sft: images keep one placeholder each and convert to sharegpt and llava' '
	smelt-condor sft --plain --answer answer --rejects rv.jsonl "$fx/refined.jsonl" >v.jsonl &&
	jq -se ".[] | select(.id == \"q3\") | .messages[0].content == \"<image>\\nWhat dish is this?\"" v.jsonl >/dev/null &&
	smelt-cat --plain --to sharegpt v.jsonl >sg.jsonl &&
	test "$(jq -r ".conversations[0].from" sg.jsonl | sort -u)" = human &&
	smelt-cat --plain --to llava v.jsonl >lv.jsonl &&
	jq -se ".[] | select(.id == \"q3\") | .image == \"dish.jpg\"" lv.jsonl >/dev/null
'

test_case 'dpo: refined over original; unrefined answers give no pair but are counted' '
	smelt-condor dpo --plain --rejects rej.jsonl --stats st.json "$fx/refined.jsonl" >d.jsonl &&
	test "$(jq -r .id d.jsonl | tr "\n" " ")" = "q1 q3 " &&
	jq -se ".[] | select(.id == \"q1\") | .chosen == \"Yes: it saves money and is fun.\" and .rejected == \"Yes.\" and .prompt == \"Should I learn to cook?\"" d.jsonl >/dev/null &&
	jq -se ".[] | select(.id == \"q3\") | .images == [\"dish.jpg\"] and (.prompt | startswith(\"<image>\"))" d.jsonl >/dev/null &&
	jq -e ".unrefined == 1 and .records_rejected == 1 and .records_out == 2 and .records_in == 4" st.json >/dev/null &&
	validate "$S/condor-dpo.schema.json" d.jsonl &&
	validate "$S/dpo.schema.json" d.jsonl
'

test_case 'dpo: a question with more placeholders than images is an image_mismatch' '
	echo "{\"id\":\"x\",\"question\":\"<image><image> Compare\",\"images\":[\"a\"],\"answer\":\"a\",\"refined\":\"b\",\"refine_rounds\":1}" >in.jsonl &&
	smelt-condor dpo --plain --rejects rej.jsonl in.jsonl >d.jsonl &&
	test ! -s d.jsonl && test "$(jq -r .error.kind rej.jsonl)" = image_mismatch
'

test_case 'report: one row per stats file, figures flattened, an HTML table inside a page' '
	smelt-condor questions --plain --rejects rej.jsonl --stats q.stats.json "$fx/raw.jsonl" >q.jsonl &&
	smelt-condor dpo --plain --rejects rej2.jsonl --stats dpo.stats.json "$fx/refined.jsonl" >d.jsonl &&
	printf "<html><head></head><body class=\"x\">\n<h1>Dataset</h1></body></html>\n" >page.html &&
	smelt-condor report --page page.html --html r.html -o counts.json shape=q.stats.json dpo.stats.json &&
	jq -e ".steps[0].step == \"shape\" and .steps[1].step == \"dpo\" and .steps[1].figures.unrefined == 1" counts.json >/dev/null &&
	jq -e ".steps[0].rejects_by_kind.bad_level == 1 and .steps[0].records_in == 5" counts.json >/dev/null &&
	validate "$S/condor-report.schema.json" counts.json &&
	grep -q "<body class=\"x\">" r.html && grep -q "Pipeline counts" r.html && grep -q "<h1>Dataset</h1>" r.html &&
	grep -q "bad_level: 1" r.html &&
	smelt-condor report --html alone.html q.stats.json >c2.json && grep -q "<table>" alone.html &&
	jq -e ".steps[0].step == \"q\"" c2.json >/dev/null
'

test_case 'usage and input errors' '
	test_status 2 smelt-condor 2>e1 && grep -q "command is required" e1 &&
	test_status 2 smelt-condor frob x 2>e2 && grep -q "unknown command" e2 &&
	test_status 2 smelt-condor report 2>e3 &&
	echo "[1]" >bad.json && test_status 1 smelt-condor report bad.json 2>e4 && grep -q "bad.json" e4 &&
	test_status 1 smelt-condor questions --levels nope.json "$fx/raw.jsonl" 2>e5 && grep -q "nope.json" e5
'
test_done
