#!/bin/sh
# smelt-filter --report keeps to --image-root like the LLM stages: an
# image that leads out of the root is not embedded and is noted as
# image_outside_root (one note whether or not a file is there), absolute
# paths need --allow-absolute-images, and the page never prints a local
# absolute path: an absolute ref is shown relative to the root, or as a hash.
. "$(dirname "$0")/../lib.sh"
PNGTOOL="$SMELT_TOP/tests/reward/pngtool.py"

R=$test_root
mkdir -p $R/root $R/secret
python3 "$PNGTOOL" make $R/root/a.png 8 8 10 200 30
python3 "$PNGTOOL" make $R/secret/s.png 8 8 200 10 30
(cd $R/secret && tar cf shard.tar s.png)
ln -s ../secret/s.png $R/root/leak.png

# One record per ref, every one dropped by --min so that each gets a card.
records() {
	i=0
	for r in "$@"; do
		i=$((i + 1))
		jq -cn --arg r "$r" --arg id "r$i" '{id: $id, score: 1, images: [$r],
			messages: [{role: "user", content: "<image> what?"}, {role: "assistant", content: "a dot"}]}'
	done
}
report() { smelt-filter -q --score score --min 5 --samples 20 --image-root $R/root --report r.html \
	--dry-run "$@" in.jsonl; }
thumbs() { grep -o "<img class=\"thumb\" alt=\"[^\"]*\"" r.html | sed "s/.*alt=//" | sort | tr "\n" " "; }

test_case 'images outside the root are not embedded; no absolute path on the page' '
	records a.png ../secret/s.png ../secret/none.png leak.png "$R/secret/s.png" \
		"tar:$R/secret/shard.tar#s.png" "$R/root/a.png" >in.jsonl &&
	report &&
	test "$(thumbs)" = "\"a.png\" " &&
	for r in ../secret/s.png ../secret/none.png leak.png; do
		grep -qF "image &#39;$r&#39; is outside the image root" r.html || return 1
	done &&
	test "$(grep -o "&#39;: image_outside_root" r.html | wc -l)" = 3 &&
	! grep -F "$R" r.html
'

test_case 'with --allow-absolute-images they are, named by a hash or relative to the root' '
	records "$R/secret/s.png" "tar:$R/secret/shard.tar#s.png" "$R/root/a.png" >in.jsonl &&
	report --allow-absolute-images &&
	test "$(grep -o "<img class=\"thumb\"" r.html | wc -l)" = 3 &&
	thumbs >got && cat got &&
	grep -q "\"a.png\"" got &&
	grep -q "\"tar:(absolute path [0-9a-f]\{12\})#s.png\"" got &&
	grep -q "\"(absolute path [0-9a-f]\{12\})\"" got &&
	! grep -F "$R" r.html
'

test_done
