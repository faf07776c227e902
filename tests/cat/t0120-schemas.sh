#!/bin/sh
# smelt-cat's outputs validate against their schemas (ajv, a real validator).
. "$(dirname "$0")/../lib.sh"
F="$FIXTURES/formats"
S="$SMELT_TOP/schemas"

test_case 'converted records are canonical conversations' '
	smelt-cat --to messages --ids "$F/llava_mix.json" "$F/llamafactory_mllm.json" "$F/sharegpt.jsonl" "$F/alpaca.json" -o m.jsonl.zst &&
	validate "$S/conversation.schema.json" m.jsonl.zst
'

test_case 'the validator does fail on a bad record' '
	echo "{\"id\":\"x\",\"messages\":[{\"role\":\"robot\",\"content\":1}]}" >bad.jsonl &&
	! validate "$S/conversation.schema.json" bad.jsonl 2>err && grep -q "bad.jsonl:1" err
'

test_case 'rejects validate against the reject schema' '
	{ echo "{\"id\":\"a\",\"conversations\":\"x\"}"; echo "not json"; printf "\377\n"; echo "{\"id\":1}"; } >in.jsonl &&
	smelt-cat --plain --to messages --rejects rej.jsonl in.jsonl >out &&
	test "$(wc -l <rej.jsonl)" -eq 4 &&
	validate "$S/reject.schema.json" rej.jsonl
'

test_case '--stats validates against the stage-stats schema' '
	smelt-cat --plain --stats s.json "$F/sharegpt.jsonl" >out &&
	validate "$S/stage-stats.schema.json" s.json
'
test_done
