#!/bin/sh
# smelt-cat conversions on real files in other projects' formats: to the
# canonical messages form and back, with content, images and placeholders kept.
. "$(dirname "$0")/../lib.sh"
F="$FIXTURES/formats"

# Sort keys so that a field moved within a record still compares equal.
norm() { jq -S -c . "$@"; }
# A JSON array file as JSON Lines.
lines() { jq -c '.[]' "$1"; }

test_case 'LLaVA array -> messages -> LLaVA keeps everything' '
	smelt-cat --plain --to messages "$F/llava_mix.json" >m.jsonl &&
	smelt-cat --plain --to llava m.jsonl >back.jsonl &&
	lines "$F/llava_mix.json" | norm >expect &&
	norm back.jsonl >actual &&
	test_cmp expect actual
'

test_case 'LLaVA -> messages: images list, placeholders, roles' '
	smelt-cat --plain --to messages "$F/llava_mix.json" >m.jsonl &&
	jq -c "[.id, (.images // []), [.messages[].role]]" m.jsonl >actual &&
	cat >expect <<-\EOT &&
	["000000033471",["coco/train2017/000000033471.jpg"],["user","assistant","user","assistant"]]
	["000000052846",["coco/train2017/000000052846.jpg"],["user","assistant"]]
	["textvqa_1_0021",["textvqa/train_images/0021.jpg","textvqa/train_images/0022.jpg"],["user","assistant"]]
	["sharegpt_text_only_7",[],["user","assistant"]]
	EOT
	test_cmp expect actual &&
	jq -r ".source // empty" m.jsonl >src && echo textvqa >want && test_cmp want src
'

test_case 'LLaMA-Factory messages+images array -> sharegpt -> messages round trip' '
	smelt-cat --plain --to sharegpt "$F/llamafactory_mllm.json" >sg.jsonl &&
	smelt-cat --plain --to messages sg.jsonl >back.jsonl &&
	lines "$F/llamafactory_mllm.json" | norm >expect &&
	norm back.jsonl >actual &&
	test_cmp expect actual &&
	jq -c "[.conversations[].from]" sg.jsonl >roles &&
	printf "%s\n" "[\"human\",\"gpt\",\"human\",\"gpt\"]" "[\"system\",\"human\",\"gpt\"]" >want &&
	test_cmp want roles
'

test_case 'LLaMA-Factory messages -> llava keeps two images in order' '
	smelt-cat --plain --to llava "$F/llamafactory_mllm.json" >l.jsonl &&
	jq -c ".image" l.jsonl >actual &&
	printf "%s\n" "[\"mllm_demo_data/1.jpg\",\"mllm_demo_data/1.jpg\"]" "\"mllm_demo_data/2.jpg\"" >expect &&
	test_cmp expect actual &&
	jq -c .meta l.jsonl | tail -1 >meta && echo "{\"split\":\"train\",\"weight\":0.5}" >want && test_cmp want meta
'

test_case 'ShareGPT JSONL -> messages -> sharegpt round trip' '
	smelt-cat --plain --to messages "$F/sharegpt.jsonl" >m.jsonl &&
	smelt-cat --plain --to sharegpt m.jsonl >back.jsonl &&
	norm "$F/sharegpt.jsonl" >expect &&
	norm back.jsonl >actual &&
	test_cmp expect actual
'

test_case 'zstd, gzip, xz and bzip2 inputs give the same records' '
	smelt-cat --plain "$F/sharegpt.jsonl" >plain.jsonl &&
	zstd -q -c "$F/sharegpt.jsonl" >s.zst && gzip -c "$F/sharegpt.jsonl" >s.gz &&
	xz -c "$F/sharegpt.jsonl" >s.xz && bzip2 -c "$F/sharegpt.jsonl" >s.bz2 &&
	for f in s.zst s.gz s.xz s.bz2; do
		smelt-cat --plain $f >out.$f && test_cmp plain.jsonl out.$f || exit 1
	done
'

test_case 'stdout is zstd unless --plain; -o picks by suffix' '
	smelt-cat "$F/sharegpt.jsonl" >out.zst &&
	zstd -dcq out.zst >a && smelt-cat --plain "$F/sharegpt.jsonl" >b && test_cmp a b &&
	smelt-cat -o x.jsonl.zst "$F/sharegpt.jsonl" && zstd -dcq x.jsonl.zst >c && test_cmp a c &&
	smelt-cat -o x.jsonl "$F/sharegpt.jsonl" && test_cmp a x.jsonl
'

test_case 'alpaca -> messages joins instruction and input; history becomes turns' '
	smelt-cat --plain --ids --to messages "$F/alpaca.json" >m.jsonl &&
	jq -c "[.messages[] | [.role, .content]]" m.jsonl >actual &&
	cat >expect <<-\EOT &&
	[["user","Give three tips for staying healthy."],["assistant","1. Eat a balanced diet.\n2. Exercise regularly.\n3. Get enough sleep."]]
	[["system","Be brief."],["user","Hi"],["assistant","Hello! How can I help?"],["user","Summarise the text.\nThe quick brown fox jumps over the lazy dog."],["assistant","A fox jumps over a dog."]]
	EOT
	test_cmp expect actual &&
	smelt-cat --plain --to alpaca m.jsonl | jq -c "[.system, .history, .output]" | tail -1 >a &&
	echo "[\"Be brief.\",[[\"Hi\",\"Hello! How can I help?\"]],\"A fox jumps over a dog.\"]" >want && test_cmp want a
'

test_case '--ids assigns stable content-hash ids, keeps existing ones' '
	printf "%s\n" "{\"text\":\"a\"}" "{\"id\":\"keep\",\"text\":\"b\"}" "{\"text\":\"a\"}" >in.jsonl &&
	smelt-cat --plain --ids in.jsonl >o1 && smelt-cat --plain --ids in.jsonl >o2 && test_cmp o1 o2 &&
	jq -r .id o1 >ids && sed -n 2p ids | grep -qx keep &&
	test "$(sed -n 1p ids)" = "$(sed -n 3p ids)" &&
	sed -n 1p ids | grep -Eqx "[0-9a-f]{32}" &&
	head -c 7 o1 | grep -q "{\"id\":"
'

test_case 'images without placeholders get one at the first user turn' '
	echo "{\"id\":\"n\",\"image\":\"x.jpg\",\"conversations\":[{\"from\":\"human\",\"value\":\"Describe.\"},{\"from\":\"gpt\",\"value\":\"A cat.\"}]}" >in.jsonl &&
	smelt-cat --plain --to messages in.jsonl | jq -r ".messages[0].content" >actual &&
	printf "<image>\nDescribe.\n" >expect && test_cmp expect actual
'

test_case 'unknown format names are usage errors (exit 2)' '
	test_status 2 smelt-cat --to yaml "$F/sharegpt.jsonl" 2>err &&
	grep -q "unknown format" err
'
test_done
