#!/bin/sh
# Client errors come back as a real server sends them: status code plus an
# OpenAI-style {"error":{message,type,param,code}} body.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"

sim_start --api-key sekrit --model m1 --max-image-bytes 1k

auth="Authorization: Bearer sekrit"
is_error='(.error | (.message | type == "string") and (.type | type == "string") and has("param") and has("code"))'

test_case 'no or wrong API key: 401' '
	test "$(sim_code /v1/chat/completions "$(chat_body hi)")" = 401 &&
	jq -e "$is_error" body &&
	test "$(sim_code /v1/chat/completions "$(chat_body hi)" -H "Authorization: Bearer nope")" = 401 &&
	test "$(curl -sS -o /dev/null -w "%{http_code}" "$SIM_URL/v1/models")" = 401 &&
	test "$(sim_code /pooling "{\"input\":\"x\"}")" = 401
'

test_case 'the right API key: 200; /health and /metrics need none' '
	test "$(sim_code /v1/chat/completions "$(chat_body hi)" -H "$auth")" = 200 &&
	test "$(curl -sS -o /dev/null -w "%{http_code}" "$SIM_URL/health")" = 200 &&
	test "$(curl -sS -o /dev/null -w "%{http_code}" "$SIM_URL/metrics")" = 200
'

test_case 'unknown model: 404 model_not_found' '
	test "$(sim_code /v1/chat/completions "$(chat_body hi "{\"model\":\"m2\"}")" -H "$auth")" = 404 &&
	jq -e "$is_error and .error.code == \"model_not_found\" and .error.param == \"model\"" body &&
	test "$(sim_code /pooling "{\"model\":\"m2\",\"input\":\"x\"}" -H "$auth")" = 404
'

test_case 'bad JSON, non-object body, missing messages: 400' '
	test "$(sim_code /v1/chat/completions "{\"messages\": [" -H "$auth")" = 400 &&
	jq -e "$is_error and .error.type == \"invalid_request_error\"" body &&
	test "$(sim_code /v1/chat/completions "[1,2]" -H "$auth")" = 400 &&
	test "$(sim_code /v1/chat/completions "{}" -H "$auth")" = 400 &&
	test "$(sim_code /classify "{\"model\":\"m1\"}" -H "$auth")" = 400
'

test_case 'invalid generation fields: 400' '
	for x in "{\"n\":0}" "{\"n\":\"2\"}" "{\"max_tokens\":0}" "{\"seed\":1.5}" \
		"{\"stop\":[1]}" "{\"temperature\":-1}" "{\"stream\":true}"; do
		test "$(sim_code /v1/chat/completions "$(chat_body hi "$x")" -H "$auth")" = 400 || return 1
	done
'

image_body() {
	jq -cn --arg u "$1" "{messages:[{role:\"user\",content:[{type:\"text\",text:\"what is this?\"},{type:\"image_url\",image_url:{url:\$u}}]}]}"
}

test_case 'image part: a real PNG data URI is accepted' '
	test "$(sim_code /v1/chat/completions "$(image_body "$TINY_PNG")" -H "$auth")" = 200
'

test_case 'image part: malformed base64 is 400' '
	test "$(sim_code /v1/chat/completions "$(image_body "data:image/png;base64,iVBOR!!w0KGgo")" -H "$auth")" = 400 &&
	jq -e ".error.message | test(\"base64\")" body
'

test_case 'image part: bytes that are not an image are 400' '
	not_image=$(printf "hello, this is plain text" | base64 | tr -d "\n") &&
	test "$(sim_code /v1/chat/completions "$(image_body "data:image/png;base64,$not_image")" -H "$auth")" = 400 &&
	jq -e ".error.message | test(\"identify\")" body
'

test_case 'image part: over --max-image-bytes is 400' '
	big=$( { printf "\211PNG\r\n\032\n"; head -c 2000 /dev/zero; } | base64 | tr -d "\n") &&
	test "$(sim_code /v1/chat/completions "$(image_body "data:image/png;base64,$big")" -H "$auth")" = 400
'

test_case 'image part: http(s) URLs are accepted, other schemes are not' '
	test "$(sim_code /v1/chat/completions "$(image_body "https://example.com/cat.jpg")" -H "$auth")" = 200 &&
	test "$(sim_code /v1/chat/completions "$(image_body "file:///etc/passwd")" -H "$auth")" = 400
'

test_case 'unknown content part type is 400' '
	b="{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"video\",\"url\":\"x\"}]}]}" &&
	test "$(sim_code /v1/chat/completions "$b" -H "$auth")" = 400
'

sim_stop_all
test_case 'smelt-sim exits 0 on SIGTERM' 'sim_exited_cleanly'
test_done
