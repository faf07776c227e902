#!/bin/sh
# What smelt-mc sends, seen by a recording server: the rendered prompt is
# byte-identical across a solution's steps (images included), the prefix
# is a final assistant message with vLLM's continuation fields, a
# solution's pending prefixes are in flight together, samples carry their
# fixed seeds, and a server that refuses n > 1 gets seeded requests.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
. "$SMELT_TOP/tests/prm/lib-prm.sh"

R=$test_root
# A server that logs every raw body with the number of requests it holds,
# holds each for 300 ms, and answers every choice "Final answer: 7"
# (argument "no-n": 400 for n > 1, as some servers do).
cat >"$R/record.js" <<'EOF'
'use strict';
const http = require('http');
const fs = require('fs');
const [log, mode] = process.argv.slice(2);
let held = 0;
const server = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const b = JSON.parse(body);
    const n = b.n || 1;
    held++;
    fs.appendFileSync(log, held + ' ' + body + '\n');
    const send = (code, obj) => {
      held--;
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    if (mode === 'no-n' && n > 1)
      return send(400, { error: { message: 'n must be 1', type: 'invalid_request_error' } });
    const choices = [];
    for (let i = 0; i < n; i++)
      choices.push({ index: i, message: { role: 'assistant', content: '\n\nFinal answer: 7' }, finish_reason: 'stop' });
    setTimeout(() => send(200, { id: 'r', object: 'chat.completion', created: 0, model: b.model, choices,
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }), 300);
  });
});
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
EOF

rec_pids=""
# rec_start LOG [no-n]: start a recording server, set REC_URL
# Each server writes its port to a file of its own: a shared file could
# still show the previous server's line (or a half-written one) when read.
rec_n=0
rec_start() {
	rec_n=$((rec_n + 1))
	rec_out="$R/rec-$rec_n.out"
	node "$R/record.js" "$@" >"$rec_out" 2>"$R/rec-$rec_n.err" &
	rec_pids="$rec_pids $!"
	tries=0
	until grep -q '^port [0-9][0-9]*$' "$rec_out" 2>/dev/null; do
		tries=$((tries + 1))
		[ "$tries" -gt 200 ] && return 1
		sleep 0.05
	done
	REC_URL="http://127.0.0.1:$(sed -n 's/^port //p' "$rec_out")/v1"
}
trap 'for p in $rec_pids; do kill $p 2>/dev/null; done; rm -rf "$test_root"' EXIT

rec_start "$R/log" || exit 1
rec_start "$R/log-no-n" no-n || exit 1
NO_N_URL=$REC_URL
rec_start "$R/log" || exit 1

# five steps, one image; gold 7 (every continuation right) or 8 (none)
jq -cn --arg img "$TINY_PNG" '{id: "s", question: "<image>\nWhat is shown?", images: [$img],
	answer: "7", response: "one\n\ntwo\n\nthree\n\nfour\n\nfive"}' >"$R/seven.jsonl"
jq -c '.id = "w" | .answer = "8"' "$R/seven.jsonl" >"$R/eight.jsonl"

# rmc LOG ARGS...: smelt-mc against the recorder, with a fresh log
rmc() {
	rmc_log=$1
	shift
	: >"$rmc_log"
	smelt-mc --endpoint "$REC_URL" --model m --prompt "$PRM_PROMPT" --plain -q "$@"
}

# bodies LOG: the bodies alone
bodies() { cut -d" " -f2- "$1"; }

test_case 'the prompt before the prefix is byte-identical across steps' '
	rmc $R/log --mode full $R/seven.jsonl >out.jsonl &&
	test "$(wc -l <$R/log)" = 5 &&
	bodies $R/log | sed "s/{\"role\":\"assistant\".*//" | sort -u >heads &&
	test "$(wc -l <heads)" = 1 &&
	grep -q "image_url" heads && grep -q "data:image/png;base64," heads
'

test_case 'the prefix is a final assistant message, continued vLLM-style' '
	rmc $R/log --mode full $R/seven.jsonl >out.jsonl &&
	bodies $R/log | jq -r ".messages[-1] | select(.role == \"assistant\") | .content | @json" | sort >got &&
	jq -r ".response | split(\"\n\n\") as \$p | range(1; 6) | \$p[:.] | join(\"\n\n\") | @json" $R/seven.jsonl | sort >want &&
	test_cmp want got &&
	bodies $R/log | jq -se "length == 5 and (map(.continue_final_message == true and .add_generation_prompt == false
		and .n == 16 and .seed == 0 and .model == \"m\" and .temperature == 1 and .top_k == 50) | all)" &&
	rmc $R/log --mode full --continuation plain --seed 100 --rollouts 3 $R/seven.jsonl >out.jsonl &&
	bodies $R/log | jq -se "length == 5 and (map(has(\"continue_final_message\") or has(\"add_generation_prompt\") | not) | all)
		and (map(.seed == 100 and .n == 3) | all)"
'

test_case 'full and exact-binary send every step of a solution at once' '
	rmc $R/log --mode full $R/seven.jsonl >out.jsonl &&
	test "$(cut -d" " -f1 $R/log | sort -n | tail -1)" = 5 &&
	rmc $R/log --mode exact-binary $R/seven.jsonl >out.jsonl &&
	test "$(cut -d" " -f1 $R/log | sort -n | tail -1)" = 5 &&
	test "$(wc -l <$R/log)" = 5 &&
	test "$(labels out.jsonl)" = "s +++++" &&
	rmc $R/log --mode visualprm $R/seven.jsonl >out.jsonl &&
	test "$(cut -d" " -f1 $R/log | sort -n | tail -1)" = 1
'

test_case 'exact-binary seeds: batches 1, 2, 4, 8, 1 with seeds 0, 1, 3, 7, 15' '
	rmc $R/log --mode exact-binary $R/eight.jsonl >out.jsonl &&
	test "$(labels out.jsonl)" = "w -----" &&
	test "$(wc -l <$R/log)" = 25 &&
	bodies $R/log | jq -r "[.messages[-1].content, (.n // 1), .seed] | @json" | sort -u >got &&
	test "$(wc -l <got)" = 25 &&
	bodies $R/log | jq -r "[(.n // 1), .seed] | @json" | sort | uniq -c | tr -s " " >pairs &&
	printf " 5 [1,0]\n 5 [1,15]\n 5 [2,1]\n 5 [4,3]\n 5 [8,7]\n" >want &&
	test_cmp want pairs
'

test_case 'a server that refuses n > 1: auto falls back to seeded requests' '
	REC_URL=$NO_N_URL &&
	rmc $R/log-no-n --mode full --rollouts 4 --stats st.json $R/eight.jsonl >out.jsonl &&
	test "$(labels out.jsonl)" = "w -----" &&
	jq -e ".mc.n_fallbacks == 1" st.json &&
	cut -d" " -f2- $R/log-no-n | jq -r "select((.n // 1) == 1) | .seed" | sort -n | uniq -c | tr -s " " >got &&
	printf " 5 0\n 5 1\n 5 2\n 5 3\n" >want && test_cmp want got &&
	rmc $R/log-no-n --mode full --rollouts 4 --n-mode n --rejects rej.jsonl $R/eight.jsonl >out2.jsonl &&
	test ! -s out2.jsonl &&
	test "$(jq -r .error.kind rej.jsonl)" = request_rejected
'

test_done
