#!/bin/sh
# Bad input never crashes a stage and never vanishes: each case checks the
# exit status, the message (file and line) and that every good record is
# still written, with and without a --rejects sink.
. "$(dirname "$0")/../lib.sh"

# good N PREFIX: N small valid records.
good() { awk -v n="$1" -v p="$2" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"id\":\"%s%d\",\"text\":\"record %d\"}\n", p, i, i }'; }

test_case 'malformed JSON line in the middle' '
	{ good 3 a; echo "{\"id\":\"bad\", \"text\": }"; good 3 b; } >in.jsonl &&
	test_status 3 smelt-cat --plain in.jsonl >out 2>err &&
	grep -q "in.jsonl:4: bad_json: malformed JSON" err &&
	{ good 3 a; good 3 b; } >expect && test_cmp expect out &&
	test_status 0 smelt-cat --plain --rejects rej.jsonl in.jsonl >out2 2>err2 &&
	test_cmp expect out2 &&
	jq -c "[.error.kind, .error.line, .raw]" rej.jsonl >r &&
	echo "[\"bad_json\",4,\"{\\\"id\\\":\\\"bad\\\", \\\"text\\\": }\"]" >want && test_cmp want r
'

test_case 'JSON array with a trailing comma' '
	printf "[\n  {\"id\":\"a\"},\n  {\"id\":\"b\"},\n]\n" >in.json &&
	test_status 3 smelt-cat --plain in.json >out 2>err &&
	grep -q "in.json:4 (element 2): bad_json_array: trailing comma" err &&
	printf "%s\n" "{\"id\":\"a\"}" "{\"id\":\"b\"}" >expect && test_cmp expect out
'

test_case 'invalid UTF-8' '
	{ good 2 a; printf "{\"id\":\"u\",\"text\":\"caf\\351\"}\n"; good 2 b; } >in.jsonl &&
	test_status 0 smelt-cat --plain --rejects rej.jsonl in.jsonl >out 2>err &&
	{ good 2 a; good 2 b; } >expect && test_cmp expect out &&
	grep -q "in.jsonl:3: bad_utf8: invalid UTF-8 at byte" err &&
	jq -r .raw rej.jsonl | grep -q "caf" &&
	jq -r .error.kind rej.jsonl | grep -qx bad_utf8
'

test_case 'truncated zstd stream: decoded prefix kept, truncation reported' '
	good 20000 z >all.jsonl && zstd -q -c all.jsonl >all.zst &&
	size=$(wc -c <all.zst) && head -c $((size / 2)) all.zst >cut.zst &&
	test_status 0 smelt-cat --plain --rejects rej.jsonl cut.zst >out 2>err &&
	n=$(wc -l <out) && test "$n" -gt 1000 && test "$n" -lt 20000 &&
	head -n "$n" all.jsonl >expect && test_cmp expect out &&
	jq -r .error.kind rej.jsonl | grep -qx truncated_input &&
	grep -q "cut.zst:$((n + 1)): truncated_input" err &&
	test_status 3 smelt-cat --plain cut.zst >/dev/null 2>err3 && grep -q truncated err3
'

test_case 'truncated gzip stream is reported too' '
	good 20000 g >all.jsonl && gzip -c all.jsonl >all.gz &&
	size=$(wc -c <all.gz) && head -c $((size / 2)) all.gz >cut.gz &&
	test_status 3 smelt-cat --plain cut.gz >out 2>err &&
	grep -q "truncated" err && test "$(wc -l <out)" -gt 100
'

test_case 'empty file: nothing out, exit 0' '
	: >empty.jsonl &&
	test_status 0 smelt-cat --plain --stats s.json empty.jsonl >out 2>err &&
	test ! -s out && test ! -s err &&
	jq -e ".records_in == 0 and .records_out == 0" s.json >/dev/null &&
	smelt-cat -o e.jsonl.zst empty.jsonl && zstd -dcq e.jsonl.zst >e.out && test ! -s e.out
'

test_case '50 MB single line passes through intact' '
	awk "BEGIN { printf \"{\\\"id\\\":\\\"big\\\",\\\"text\\\":\\\"\"; for (i = 0; i < 50 * 1024; i++) { s = sprintf(\"%01024d\", i) ; printf \"%s\", s } printf \"\\\"}\\n\" }" >big.jsonl &&
	test "$(wc -c <big.jsonl)" -gt 52428800 &&
	{ good 1 a; cat big.jsonl; good 1 b; } >in.jsonl &&
	smelt-cat in.jsonl | zstd -dcq >out && cmp in.jsonl out
'

test_case 'binary garbage between good records' '
	good 5 a >in.jsonl &&
	awk "BEGIN { srand(7); for (i = 0; i < 20000; i++) printf \"%c\", int(rand() * 256) }" >>in.jsonl &&
	printf "\n" >>in.jsonl && good 5 b >>in.jsonl &&
	test_status 0 smelt-cat --plain --rejects rej.jsonl in.jsonl >out 2>err &&
	{ good 5 a; good 5 b; } >expect && test_cmp expect out &&
	n=$(wc -l <rej.jsonl) && test "$n" -ge 1 &&
	jq -r .error.kind rej.jsonl | sort -u | grep -Eqv "^(bad_json|bad_utf8|not_object)$" && exit 1 || true &&
	jq -e "select(.error.line > 5) | .error.file" rej.jsonl >/dev/null
'

test_case '--require-ids: a missing id is rejected with its line' '
	{ good 2 a; echo "{\"text\":\"no id\"}"; good 1 b; } >in.jsonl &&
	test_status 3 smelt-cat --plain --require-ids in.jsonl >out 2>err &&
	grep -q "in.jsonl:3: missing_id" err &&
	{ good 2 a; good 1 b; } >expect && test_cmp expect out
'

test_case 'wrong field types are rejected with the field named' '
	{ good 1 a; echo "{\"id\":12,\"text\":\"x\"}"; echo "{\"id\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":42}]}";
	  echo "{\"id\":\"c\",\"conversations\":\"hello\"}"; good 1 b; } >in.jsonl &&
	test_status 0 smelt-cat --plain --require-ids --to sharegpt --rejects rej.jsonl in.jsonl >out 2>err &&
	jq -c "[.error.line, .error.kind]" rej.jsonl >r &&
	printf "%s\n" "[1,\"cannot_convert\"]" "[2,\"bad_field_type\"]" "[3,\"bad_field_type\"]" "[4,\"bad_field_type\"]" "[5,\"cannot_convert\"]" >want &&
	test_cmp want r &&
	grep -q "messages\[0\].content must be a string" err &&
	smelt-cat --plain --require-ids --rejects rej2.jsonl in.jsonl >out2 &&
	test "$(wc -l <out2)" -eq 4 && jq -r .error.message rej2.jsonl | grep -q "must be a string"
'

test_case 'placeholders and images that disagree' '
	printf "%s\n" "{\"id\":\"ok\",\"image\":\"a.jpg\",\"conversations\":[{\"from\":\"human\",\"value\":\"<image> Hi\"},{\"from\":\"gpt\",\"value\":\"Hello\"}]}" >in.jsonl &&
	echo "{\"id\":\"bad\",\"image\":\"a.jpg\",\"conversations\":[{\"from\":\"human\",\"value\":\"<image> vs <image>\"},{\"from\":\"gpt\",\"value\":\"?\"}]}" >>in.jsonl &&
	echo "{\"id\":\"bad2\",\"conversations\":[{\"from\":\"human\",\"value\":\"<image> what?\"},{\"from\":\"gpt\",\"value\":\"?\"}]}" >>in.jsonl &&
	test_status 0 smelt-cat --plain --to messages --rejects rej.jsonl in.jsonl >out 2>err &&
	jq -r .id out | grep -qx ok && test "$(wc -l <out)" -eq 1 &&
	jq -c "[.id, .error.kind, .error.message]" rej.jsonl >r &&
	printf "%s\n" "[\"bad\",\"image_mismatch\",\"2 <image> placeholder(s) but 1 image(s)\"]" "[\"bad2\",\"image_mismatch\",\"1 <image> placeholder(s) but 0 image(s)\"]" >want &&
	test_cmp want r
'

test_case 'nothing lost: records in = records out + rejected' '
	{ good 100 a; echo "oops"; good 100 b; printf "\377\n"; good 50 c; } >in.jsonl &&
	smelt-cat --plain --rejects rej.jsonl --stats s.json in.jsonl >out &&
	jq -e ".records_in == 252 and .records_out == 250 and .records_rejected == 2" s.json >/dev/null &&
	test "$(wc -l <out)" -eq 250 && test "$(wc -l <rej.jsonl)" -eq 2
'

test_case '--strict stops at the first bad record with exit 1' '
	{ good 2 a; echo "oops"; good 2 b; } >in.jsonl &&
	test_status 1 smelt-cat --plain --strict in.jsonl >out 2>err &&
	grep -q "in.jsonl:3: bad_json" err
'

test_case '--max-reject-ratio turns too many rejects into exit 3' '
	{ good 8 a; echo "x"; echo "y"; } >in.jsonl &&
	test_status 3 smelt-cat --plain --rejects r.jsonl --max-reject-ratio 0.1 in.jsonl >out 2>err &&
	grep -q "max-reject-ratio" err &&
	test_status 0 smelt-cat --plain --rejects r.jsonl --max-reject-ratio 0.5 in.jsonl >out
'

test_case 'missing input file and bad options' '
	test_status 1 smelt-cat --plain nope.jsonl 2>err && grep -q "cannot open .nope.jsonl." err &&
	test_status 2 smelt-cat --bogus 2>err2 && grep -q "unknown option" err2 &&
	test_status 2 smelt-cat --level x 2>err3 && grep -q "level" err3
'

test_case 'records read from stdin, in order, across several files' '
	good 3 a >a.jsonl && good 3 b >b.jsonl &&
	cat b.jsonl | smelt-cat --plain a.jsonl - >out &&
	cat a.jsonl b.jsonl >expect && test_cmp expect out
'
test_done
