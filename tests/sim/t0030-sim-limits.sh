#!/bin/sh
# max_tokens, stop and continuation of a final assistant message.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"

sim_start

q="Explain how tides work and what role the moon and the sun play in them."

test_case 'max_tokens truncates to that many words with finish_reason length' '
	sim_post /v1/chat/completions "$(chat_body "$q")" | jq -r ".choices[0].message.content" >full &&
	test "$(wc -w <full)" -gt 12 &&
	sim_post /v1/chat/completions "$(chat_body "$q" "{\"max_tokens\":7}")" >out &&
	test "$(jq -r ".choices[0].finish_reason" out)" = length &&
	test "$(jq ".usage.completion_tokens" out)" = 7 &&
	jq -r ".choices[0].message.content" out >cut &&
	test "$(wc -w <cut)" -eq 7 &&
	tr -s "[:space:]" "\n" <cut >got &&
	tr -s "[:space:]" "\n" <full | head -n 7 >expect &&
	test_cmp expect got
'

test_case 'max_tokens larger than the reply changes nothing' '
	sim_post /v1/chat/completions "$(chat_body "$q")" | jq -c .choices >a &&
	sim_post /v1/chat/completions "$(chat_body "$q" "{\"max_tokens\":100000}")" | jq -c .choices >b &&
	test_cmp a b
'

test_case 'CJK characters count one token each' '
	sim_post /v1/chat/completions "$(chat_body "为什么天空是蓝色的？" "{\"max_tokens\":5}")" >out &&
	test "$(jq -r ".choices[0].finish_reason" out)" = length &&
	test "$(jq -r ".choices[0].message.content" out)" = "关于“为什"
'

test_case 'stop cuts at the first stop string with finish_reason stop' '
	sim_post /v1/chat/completions "$(chat_body "$q")" | jq -r ".choices[0].message.content" >full &&
	sim_post /v1/chat/completions "$(chat_body "$q" "{\"stop\":\"moon\"}")" >out &&
	test "$(jq -r ".choices[0].finish_reason" out)" = stop &&
	jq -j ".choices[0].message.content" out >cut &&
	! grep -q moon cut &&
	printf "%smoon" "$(cat cut)" >expect &&
	head -c "$(wc -c <expect)" full >got &&
	test_cmp expect got
'

test_case 'stop list: the earliest match wins' '
	sim_post /v1/chat/completions "$(chat_body "$q" "{\"stop\":[\"summary\",\"moon\"]}")" >a &&
	sim_post /v1/chat/completions "$(chat_body "$q" "{\"stop\":\"moon\"}")" >b &&
	test "$(jq -r ".choices[0].message.content" a)" = "$(jq -r ".choices[0].message.content" b)"
'

test_case 'stop before the token budget wins over length' '
	sim_post /v1/chat/completions "$(chat_body "$q" "{\"stop\":\"moon\",\"max_tokens\":1000}")" >out &&
	test "$(jq -r ".choices[0].finish_reason" out)" = stop
'

test_case 'continue_final_message returns only the continuation' '
	body=$(jq -cn --arg q "$q" "{messages:[{role:\"user\",content:\$q},{role:\"assistant\",content:\"Tides are\"}],
		continue_final_message:true, add_generation_prompt:false}") &&
	sim_post /v1/chat/completions "$body" >out &&
	jq -r ".choices[0].message.content" out >cont &&
	! grep -q "This question is about" cont &&
	test "$(head -c1 cont)" = " "
'

test_case 'continue_final_message needs add_generation_prompt false and an assistant prefix' '
	body=$(jq -cn "{messages:[{role:\"user\",content:\"hi\"},{role:\"assistant\",content:\"Hel\"}],continue_final_message:true}") &&
	test "$(sim_code /v1/chat/completions "$body")" = 400 &&
	body=$(jq -cn "{messages:[{role:\"user\",content:\"hi\"}],continue_final_message:true,add_generation_prompt:false}") &&
	test "$(sim_code /v1/chat/completions "$body")" = 400 &&
	jq -e ".error.param == \"continue_final_message\"" body
'

sim_stop_all
test_case 'smelt-sim exits 0 on SIGTERM' 'sim_exited_cleanly'
test_done
