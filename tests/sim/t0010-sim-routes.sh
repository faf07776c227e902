#!/bin/sh
# smelt-sim answers every route with the shapes vLLM / OpenAI clients expect.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"

sim_start --model test-model

test_case 'first stdout line is the port' '
	head -n1 "$test_root/sim1.out" | grep -Eq "^port [0-9]+$" &&
	test "$SIM_PORT" -gt 0
'

test_case 'GET /v1/models lists the served model' '
	curl -sS "$SIM_URL/v1/models" >out &&
	test "$(jq -r ".object" out)" = list &&
	test "$(jq -r ".data[0].id" out)" = test-model &&
	test "$(jq -r ".data[0].object" out)" = model
'

test_case 'GET /health answers 200' '
	test "$(curl -sS -o /dev/null -w "%{http_code}" "$SIM_URL/health")" = 200
'

test_case 'POST /v1/chat/completions has the OpenAI shape' '
	sim_post /v1/chat/completions "$(chat_body "Why is the sky blue during the day?" "{\"model\":\"test-model\"}")" >out &&
	jq -e ".object == \"chat.completion\" and .model == \"test-model\" and (.id | startswith(\"chatcmpl-\"))
		and (.created | type == \"number\")
		and (.choices | length == 1)
		and .choices[0].index == 0 and .choices[0].message.role == \"assistant\"
		and (.choices[0].message.content | type == \"string\" and length > 20)
		and .choices[0].finish_reason == \"stop\" and .choices[0].logprobs == null
		and .usage.total_tokens == .usage.prompt_tokens + .usage.completion_tokens
		and .usage.completion_tokens > 0" out
'

test_case 'completion tokens count words of the reply' '
	sim_post /v1/chat/completions "$(chat_body "Tell me about volcanoes and earthquakes.")" >out &&
	words=$(jq -r ".choices[0].message.content" out | wc -w) &&
	test "$(jq ".usage.completion_tokens" out)" -eq "$words"
'

test_case 'model may be omitted; unknown fields are ignored' '
	sim_post /v1/chat/completions "{\"messages\":[{\"role\":\"user\",\"content\":\"hi there\"}],\"frobnicate\":[1,2]}" >out &&
	jq -e ".choices[0].message.content | length > 0" out
'

test_case 'content parts: text and an image data URI' '
	body=$(jq -cn --arg u "$TINY_PNG" "{messages:[{role:\"user\",content:[{type:\"text\",text:\"Describe <image> this picture.\"},{type:\"image_url\",image_url:{url:\$u}}]}]}") &&
	test "$(sim_code /v1/chat/completions "$body")" = 200 &&
	jq -e ".usage.prompt_tokens > 16" body
'

test_case 'POST /pooling answers a list of pooling objects' '
	sim_post /pooling "{\"model\":\"test-model\",\"messages\":[{\"role\":\"user\",\"content\":\"Name a prime number.\"},{\"role\":\"assistant\",\"content\":\"Seven is a prime number.\"}]}" >out &&
	jq -e ".object == \"list\" and (.data | length == 1) and .data[0].object == \"pooling\"
		and .data[0].index == 0 and (.data[0].data | type == \"array\" and length == 1)
		and (.data[0].data[0] | type == \"number\") and .usage.prompt_tokens > 0" out
'

test_case 'POST /pooling with input strings scores each' '
	sim_post /pooling "{\"input\":[\"A complete sentence.\",\"cut off mid\"]}" >out &&
	jq -e "(.data | length == 2) and .data[1].index == 1" out
'

test_case 'POST /classify answers probabilities over two classes' '
	sim_post /classify "{\"input\":\"A good, complete answer.\"}" >out &&
	jq -e ".object == \"list\" and .data[0].num_classes == 2 and (.data[0].probs | length == 2)
		and ((.data[0].probs[0] + .data[0].probs[1]) - 1 | fabs < 1e-9)
		and (.data[0].label | type == \"string\")" out
'

test_case 'unknown path is 404, wrong method 405' '
	test "$(curl -sS -o body -w "%{http_code}" "$SIM_URL/v1/nothing")" = 404 &&
	jq -e ".error.message | type == \"string\"" body &&
	test "$(curl -sS -o body -w "%{http_code}" "$SIM_URL/v1/chat/completions")" = 405
'

test_case 'GET /metrics is JSON with the documented keys' '
	curl -sS "$SIM_URL/metrics" >out &&
	jq -e "(.requests_total | type == \"number\") and (.generations_total | type == \"number\")
		and (.answered_repeat_total | type == \"number\") and (.by_route | type == \"object\")
		and (.by_status | type == \"object\") and (.faults_by_kind | has(\"429\"))
		and (.prompt_tokens_total | type == \"number\") and (.completion_tokens_total | type == \"number\")" out
'

test_case 'usage errors exit 2; --help and --version exit 0' '
	test_status 2 smelt-sim --fault-429 1.5 &&
	test_status 2 smelt-sim --port 70000 &&
	test_status 2 smelt-sim --pooling-shape round &&
	test_status 2 smelt-sim --no-such-option &&
	test_status 2 smelt-sim extra-argument &&
	smelt-sim --help | grep -q "simulator" &&
	smelt-sim --version | grep -q "^smelt-sim "
'

test_case 'a port already in use is a fatal error (exit 1)' '
	test_status 1 smelt-sim --port "$SIM_PORT" </dev/null
'

sim_stop_all
test_case 'smelt-sim exits 0 on SIGTERM' 'sim_exited_cleanly'
test_done
