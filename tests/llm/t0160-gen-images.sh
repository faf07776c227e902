#!/bin/sh
# Images: record images with <image> placeholders become image_url parts —
# local files (under --image-root), tar shard members, URLs passed through,
# data: URIs kept — and a missing, oversized or non-image file rejects the
# record with a message naming the reference.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
. "$SMELT_TOP/tests/llm/lib-llm.sh"

R=$test_root
mkdir -p $R/imgs/sub
echo "${TINY_PNG#data:image/png;base64,}" | base64 -d >$R/imgs/a.png
cp $R/imgs/a.png $R/imgs/sub/b.png
(cd $R/imgs && tar cf $R/imgs/shard.tar a.png sub/b.png)
echo "not an image" >$R/imgs/notes.txt
printf -- '---\nmodel: smelt-sim\n---\n=== user ===\n<image>\nDescribe: {{text}}\n' >$R/img.prompt
printf -- '---\nmodel: smelt-sim\n---\n=== user ===\nDescribe: {{text}}\n' >$R/noimg.prompt

sim_start --threads 2
gen() { smelt-gen --endpoint "$SIM_URL/v1" --into d --plain "$@"; }

test_case 'a local PNG, a tar member and a URL are sent as image parts' '
	cat >in.jsonl <<-EOF &&
	{"id":"f","text":"one","images":["a.png"]}
	{"id":"t","text":"two","images":["tar:shard.tar#sub/b.png"]}
	{"id":"u","text":"three","images":["https://example.com/cat.png"]}
	{"id":"d","text":"four","images":["$TINY_PNG"]}
	EOF
	sed "s/,\"images\":\[[^]]*\]//" in.jsonl >plain.jsonl &&
	gen --prompt $R/img.prompt --image-root $R/imgs in.jsonl -o out.jsonl --stats st.json &&
	gen --prompt $R/noimg.prompt plain.jsonl -o plain.out --stats plain.json &&
	test "$(wc -l <out.jsonl)" = 4 &&
	with=$(jq .llm.tokens.prompt st.json) && without=$(jq .llm.tokens.prompt plain.json) &&
	echo "prompt tokens with images $with, without $without" &&
	test "$with" = $((without + 4 * 16))
'

test_case 'images without any placeholder go first in the user message' '
	echo "{\"id\":\"f\",\"text\":\"one\",\"images\":[\"a.png\",\"tar:shard.tar#a.png\"]}" >in.jsonl &&
	gen --prompt $R/noimg.prompt --image-root $R/imgs in.jsonl -o out.jsonl --stats st.json &&
	jq -e ".llm.ok == 1" st.json
'

test_case 'missing file, missing member, missing shard: missing_image naming the ref' '
	cat >in.jsonl <<-EOF &&
	{"id":"ok","text":"fine","images":["a.png"]}
	{"id":"m1","text":"x","images":["nope.png"]}
	{"id":"m2","text":"x","images":["tar:shard.tar#nope.png"]}
	{"id":"m3","text":"x","images":["tar:noshard.tar#a.png"]}
	EOF
	test_status 0 gen --prompt $R/img.prompt --image-root $R/imgs in.jsonl -o out.jsonl --rejects rej.jsonl &&
	test "$(jq -r .id out.jsonl)" = ok &&
	test "$(jq -r "select(.error.kind == \"missing_image\") | .id" rej.jsonl | tr "\n" " ")" = "m1 m2 m3 " &&
	jq -r .error.message rej.jsonl >msgs && cat msgs &&
	grep -q "nope.png" msgs && grep -q "noshard.tar" msgs &&
	jq -e ".error.file and .error.line" rej.jsonl >/dev/null
'

test_case 'too large, not an image, placeholder count mismatch' '
	cat >in.jsonl <<-EOF &&
	{"id":"big","text":"x","images":["a.png"]}
	EOF
	test_status 0 gen --prompt $R/img.prompt --image-root $R/imgs --max-image-bytes 20 in.jsonl -o out.jsonl --rejects rej.jsonl &&
	jq -e ".error.kind == \"image_too_large\"" rej.jsonl &&
	echo "{\"id\":\"txt\",\"text\":\"x\",\"images\":[\"notes.txt\"]}" >in.jsonl &&
	test_status 0 gen --prompt $R/img.prompt --image-root $R/imgs in.jsonl -o out.jsonl --rejects rej.jsonl &&
	jq -e ".error.kind == \"bad_image\" and (.error.message | test(\"notes.txt\"))" rej.jsonl &&
	echo "{\"id\":\"two\",\"text\":\"x\",\"images\":[\"a.png\",\"a.png\"]}" >in.jsonl &&
	test_status 0 gen --prompt $R/img.prompt --image-root $R/imgs in.jsonl -o out.jsonl --rejects rej.jsonl &&
	jq -e ".error.kind == \"bad_images\"" rej.jsonl
'

test_case 'without --rejects a missing image exits 3' '
	echo "{\"id\":\"m\",\"text\":\"x\",\"images\":[\"gone.png\"]}" >in.jsonl &&
	test_status 3 gen --prompt $R/img.prompt in.jsonl -o out.jsonl 2>err &&
	grep -q "gone.png" err
'

sim_stop_all
test_case 'smelt-sim exited cleanly' sim_exited_cleanly
test_done
