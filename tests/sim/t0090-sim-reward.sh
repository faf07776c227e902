#!/bin/sh
# Reward scoring on /pooling and /classify: planted defects score lower
# than their clean twins; groups (images, answer length) differ in level.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"

sim_start --pooling-shape scalar
scalar_url=$SIM_URL
sim_start

q="Why do leaves change colour in autumn?"
clean="Leaves change colour in autumn because trees stop making chlorophyll, so the green fades and yellow and orange pigments show."

# score QUESTION ANSWER [IMAGE_PARTS]: the /pooling score of a two-turn chat.
score() {
	body=$(jq -cn --arg q "$1" --arg a "$2" --argjson k "${3:-0}" --arg u "$TINY_PNG" '
		{messages: [{role: "user", content: ([{type: "text", text: $q}]
			+ [range($k) | {type: "image_url", image_url: {url: $u}}])},
			{role: "assistant", content: $a}]}') &&
	sim_post /pooling "$body" | jq -r ".data[0].data[0]"
}
lower() { awk -v a="$1" -v b="$2" "BEGIN { exit !(a < b) }"; }

test_case 'an empty answer scores lower than its clean twin' '
	c=$(score "$q" "$clean") && e=$(score "$q" "") && w=$(score "$q" "   ") &&
	lower "$e" "$c" && lower "$w" "$c"
'

test_case 'an unrelated answer scores lower than its clean twin' '
	c=$(score "$q" "$clean") &&
	u=$(score "$q" "The stock market closed higher today after strong earnings from technology companies.") &&
	lower "$u" "$c"
'

test_case 'a truncated answer scores lower than its clean twin' '
	c=$(score "$q" "$clean") &&
	t=$(score "$q" "Leaves change colour in autumn because trees stop making chloro") &&
	lower "$t" "$c"
'

test_case 'an <image> count that differs from the image parts scores lower' '
	c=$(score "<image>
$q" "$clean" 1) &&
	m=$(score "<image>
<image>
$q" "$clean" 1) &&
	n=$(score "<image>
$q" "$clean" 0) &&
	lower "$m" "$c" && lower "$n" "$c"
'

test_case 'scores are deterministic' '
	a=$(score "$q" "$clean") && b=$(score "$q" "$clean") && test "$a" = "$b"
'

test_case 'groups differ in level: images lower, long answers higher' '
	long="$clean The same happens every year: as days shorten and nights cool, the tree seals each leaf stem, sugars trapped in the leaf turn red in some species, and the leaf finally falls." &&
	for i in 1 2 3 4 5 6; do
		echo "text $(score "$q (case $i)" "$clean")" &&
		echo "image $(score "<image>
$q (case $i)" "$clean" 1)" &&
		echo "long $(score "$q (case $i)" "$long")" || return 1
	done >scores &&
	awk "{ s[\$1] += \$2; n[\$1]++ }
		END { t = s[\"text\"] / n[\"text\"]; i = s[\"image\"] / n[\"image\"]; l = s[\"long\"] / n[\"long\"];
		      exit !(i < t - 0.5 && l > t + 0.2) }" scores
'

test_case '/classify: probabilities are the sigmoid of the pooling score' '
	body=$(jq -cn --arg q "$q" --arg a "$clean" "{messages:[{role:\"user\",content:\$q},{role:\"assistant\",content:\$a}]}") &&
	s=$(sim_post /pooling "$body" | jq ".data[0].data[0]") &&
	sim_post /classify "$body" >c &&
	jq -e --argjson s "$s" ".data[0].probs[1] - (1 / (1 + (-\$s | exp))) | fabs < 1e-9" c &&
	jq -e ".data[0].label == \"LABEL_1\"" c
'

test_case '/classify with activation false (or softmax false) returns raw logits' '
	body=$(jq -cn --arg q "$q" --arg a "" "{messages:[{role:\"user\",content:\$q},{role:\"assistant\",content:\$a}]}") &&
	s=$(sim_post /pooling "$body" | jq ".data[0].data[0]") &&
	for flag in activation softmax; do
		sim_post /classify "$(echo "$body" | jq -c ". + {$flag: false}")" >c &&
		jq -e --argjson s "$s" "(.data[0].probs[1] - .data[0].probs[0] - \$s | fabs < 1e-9) and .data[0].probs[0] > 0" c || return 1
	done &&
	jq -e ".data[0].label == \"LABEL_0\"" c
'

test_case '--pooling-shape scalar puts a bare number in data' '
	SIM_URL=$scalar_url &&
	sim_post /pooling "{\"input\":\"A fine sentence.\"}" >p &&
	jq -e ".data[0].data | type == \"number\"" p
'

sim_stop_all
test_case 'smelt-sim exits 0 on SIGTERM' 'sim_exited_cleanly'
test_done
