#!/bin/sh
# smelt-cat assigns missing ids by default (DESIGN, "Records"): a file in
# LLaMA-Factory's mllm_demo.json shape (a JSON array of {messages, images}
# with no id) converts as it is, every record gets a stable content-hash id,
# and --require-ids restores rejection. Later stages still require ids.
. "$(dirname "$0")/../lib.sh"
F="$FIXTURES/formats"

test_case 'mllm_demo without ids converts to sharegpt with ids assigned' '
	test_status 0 smelt-cat --plain --to sharegpt "$F/mllm_demo.json" >sg.jsonl 2>err &&
	test "$(wc -l <sg.jsonl)" -eq 3 &&
	jq -r .id sg.jsonl >ids &&
	test "$(grep -Ecx "[0-9a-f]{32}" ids)" -eq 3 &&
	test "$(sort -u ids | wc -l)" -eq 3 &&
	jq -c "[.conversations[].from]" sg.jsonl >roles &&
	printf "%s\n" "[\"human\",\"gpt\",\"human\",\"gpt\"]" "[\"human\",\"gpt\"]" \
		"[\"human\",\"gpt\",\"human\",\"gpt\"]" >want && test_cmp want roles &&
	head -c 7 sg.jsonl | grep -q "{\"id\":"
'

test_case 'assigned ids are stable across runs, wrappings and --ids' '
	smelt-cat --plain --to sharegpt "$F/mllm_demo.json" >a.jsonl &&
	smelt-cat --plain --to sharegpt "$F/mllm_demo.json" >b.jsonl &&
	test_cmp a.jsonl b.jsonl &&
	jq -c ".[]" "$F/mllm_demo.json" | zstd -q >in.jsonl.zst &&
	smelt-cat --plain --to sharegpt in.jsonl.zst >c.jsonl &&
	test_cmp a.jsonl c.jsonl &&
	smelt-cat --plain --ids --to sharegpt "$F/mllm_demo.json" >d.jsonl &&
	test_cmp a.jsonl d.jsonl &&
	smelt-cat --plain "$F/mllm_demo.json" | jq -r .id >plain-ids &&
	jq -r .id a.jsonl >sg-ids && test_cmp plain-ids sg-ids
'

test_case 'existing ids are kept; number ids become strings' '
	printf "%s\n" "{\"id\":\"keep\",\"text\":\"a\"}" "{\"id\":7,\"text\":\"b\"}" "{\"id\":null,\"text\":\"a\"}" \
		"{\"text\":\"a\"}" >in.jsonl &&
	smelt-cat --plain in.jsonl | jq -c .id >ids &&
	sed -n 1,2p ids >got && printf "%s\n" "\"keep\"" "\"7\"" >want && test_cmp want got &&
	test "$(sed -n 3p ids)" = "$(sed -n 4p ids)"
'

test_case 'ids assigned and number ids made strings on the fast path as on the jansson path' '
	printf "%s\n" "{\"a\":1,\"id\":-0,\"b\":[1, 2]}" "{\"id\":9007199254740993,\"x\":1.50}" \
		"{\"x\":{\"id\":3},\"id\" : -42 }" "{\"id\":1e3}" >in.jsonl &&
	test_status 3 smelt-cat --plain in.jsonl >fast 2>/dev/null &&
	SMELT_NO_FAST_PATH=1 test_status 3 smelt-cat --plain in.jsonl >slow 2>/dev/null &&
	test_cmp slow fast &&
	printf "%s\n" "{\"a\":1,\"id\":\"0\",\"b\":[1,2]}" "{\"id\":\"9007199254740993\",\"x\":1.5}" \
		"{\"x\":{\"id\":3},\"id\":\"-42\"}" >want && test_cmp want fast &&
	printf "%s\n" "{}" "{ \"t\" : \"caf\u00e9\", \"n\": [0.50, {\"id\":1}] }" "{\"id\":null,\"t\":\"x\"}" \
		"{\"t\":\"x\"}" >noid.jsonl &&
	smelt-cat --plain noid.jsonl >fast &&
	SMELT_NO_FAST_PATH=1 smelt-cat --plain noid.jsonl >slow &&
	test_cmp slow fast &&
	test "$(grep -c "^{\"id\":\"[0-9a-f]\{32\}\"[,}]" fast)" -eq 4 &&
	test "$(sed -n 3p fast)" = "$(sed -n 4p fast)"
'

test_case '--require-ids rejects records without an id' '
	test_status 3 smelt-cat --plain --require-ids --to sharegpt "$F/mllm_demo.json" >out 2>err &&
	test ! -s out &&
	test "$(grep -c "missing_id" err)" -eq 3 &&
	test_status 0 smelt-cat --plain --require-ids --to sharegpt --rejects rej.jsonl "$F/mllm_demo.json" >out &&
	jq -r .error.kind rej.jsonl | sort | uniq -c | tr -s " " >kinds &&
	echo " 3 missing_id" >want && test_cmp want kinds &&
	test_status 3 smelt-cat --plain --ids --require-ids "$F/mllm_demo.json" >out 2>/dev/null &&
	test ! -s out
'

test_case 'other stages still reject records without an id' '
	test_status 3 smelt-dedup --plain "$F/mllm_demo.json" >out 2>err &&
	test ! -s out && grep -q missing_id err &&
	smelt-cat --to messages "$F/mllm_demo.json" | smelt-dedup --plain >out &&
	test "$(wc -l <out)" -eq 3
'

test_done
