#!/bin/sh
# Replies are a pure function of the request (minus n and seed), the server
# seed and the choice seed; choice i of a request with seed s equals the
# single choice of the same request with seed s + i.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"

sim_start --seed 7
url7=$SIM_URL
sim_start --seed 8
url8=$SIM_URL
SIM_URL=$url7

q="How do bees make honey, and why do they store it for the winter?"

test_case 'the same request twice gives the same choices, byte for byte' '
	b=$(chat_body "$q" "{\"n\":2,\"seed\":3}") &&
	sim_post /v1/chat/completions "$b" | jq -c .choices >one &&
	sim_post /v1/chat/completions "$b" | jq -c .choices >two &&
	test_cmp one two
'

test_case 'n=3 equals three single requests with seeds s, s+1, s+2' '
	sim_post /v1/chat/completions "$(chat_body "$q" "{\"n\":3,\"seed\":40}")" |
		jq -c ".choices[] | [.message.content, .finish_reason]" >batch &&
	for s in 40 41 42; do
		sim_post /v1/chat/completions "$(chat_body "$q" "{\"seed\":$s}")" |
			jq -c ".choices[0] | [.message.content, .finish_reason]" || return 1
	done >singles &&
	test_cmp singles batch &&
	test "$(sort -u batch | wc -l)" -gt 1
'

test_case 'a missing seed means seed 0' '
	sim_post /v1/chat/completions "$(chat_body "$q" "{\"n\":2}")" | jq -c ".choices[1].message" >a &&
	sim_post /v1/chat/completions "$(chat_body "$q" "{\"seed\":1}")" | jq -c ".choices[0].message" >b &&
	test_cmp a b
'

test_case 'different request seeds give different replies' '
	for s in 1 2 3 4 5 6; do
		sim_post /v1/chat/completions "$(chat_body "$q" "{\"seed\":$s}")" | jq -r ".choices[0].message.content" || return 1
	done | sort -u | wc -l >count &&
	test "$(cat count)" -gt 1
'

test_case 'other generation fields are part of the request identity' '
	sim_post /v1/chat/completions "$(chat_body "$q" "{\"seed\":1,\"temperature\":0.7}")" | jq -c .choices >a &&
	sim_post /v1/chat/completions "$(chat_body "$q" "{\"seed\":1,\"temperature\":0.7}")" | jq -c .choices >b &&
	test_cmp a b
'

test_case 'the server seed changes replies' '
	b=$(chat_body "$q" "{\"n\":4}") &&
	sim_post /v1/chat/completions "$b" | jq -c .choices >a &&
	SIM_URL=$url8 &&
	sim_post /v1/chat/completions "$b" | jq -c .choices >b &&
	! cmp -s a b
'

sim_stop_all
test_case 'smelt-sim exits 0 on SIGTERM' 'sim_exited_cleanly'
test_done
