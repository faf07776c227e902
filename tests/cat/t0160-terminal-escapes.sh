#!/bin/sh
# Record content never reaches the terminal raw: an id, a field, an image
# ref or a file name holding ESC, CR, BEL, C1 controls or U+2028 is
# quoted on stderr in escaped form (\x1b, \r, \u009b, ...) — in reject
# lines, under --strict, and in error() messages alike — while the rejects
# file keeps the exact text.
. "$(dirname "$0")/../lib.sh"

# raw FILE: fails if FILE holds ESC, CR, BEL, a C1 control or U+2028/2029.
raw() {
	! LC_ALL=C grep -q "$(printf '[\033\r\007]')" "$1" &&
	! LC_ALL=C grep -q "$(printf '\302[\200-\237]')" "$1" &&
	! LC_ALL=C grep -q "$(printf '\342\200[\250\251]')" "$1"
}

BAD='x\u001b[31mred\r\u2028\u009b2J\u0007'

test_case 'a reject message quoting an id: smelt-dedup' '
	printf "{\"id\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"same\"}]}\n" "$BAD" >in.jsonl &&
	echo "{\"id\":\"y\",\"messages\":[{\"role\":\"user\",\"content\":\"same\"}]}" >>in.jsonl &&
	test_status 3 smelt-dedup --plain in.jsonl >out 2>err &&
	cat err && raw err &&
	grep -qF "duplicate of '\''x\\x1b[31mred\\r\\u2028\\u009b2J\\x07'\''" err &&
	test_status 0 smelt-dedup --plain in.jsonl --rejects rej.jsonl >out 2>err2 && raw err2 &&
	test "$(jq -r .duplicate_of rej.jsonl)" = "$(printf "x\033[31mred\r\342\200\250\302\2332J\007")"
'

test_case 'a file name, with and without --strict' '
	f=$(printf "in\033[2J\rx.jsonl") &&
	printf "{\"id\":\n" >"$f" &&
	test_status 3 smelt-cat --plain "$f" >out 2>err &&
	cat err && raw err && grep -qF "in\\x1b[2J\\rx.jsonl:1: bad_json" err &&
	test_status 1 smelt-cat --strict --plain "$f" >out 2>err2 &&
	cat err2 && raw err2 && grep -qF "fatal: in\\x1b[2J\\rx.jsonl:1: bad_json" err2
'

test_case 'an image ref in a reject message: smelt-gen' '
	mkdir cache &&
	printf -- "---\nmodel: m\n---\n=== user ===\n<image>\n{{id}}\n" >p.prompt &&
	printf "{\"id\":\"i\",\"images\":[\"%s.png\"]}\n" "$BAD" >in.jsonl &&
	test_status 3 smelt-gen --endpoint http://127.0.0.1:9/v1 --cache cache --cache-mode ro \
		--prompt p.prompt --into d --plain in.jsonl >out 2>err &&
	cat err && raw err && grep -qF "missing_image: cannot open image '\''x\\x1b[31m" err
'

test_done
