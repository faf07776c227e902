#!/bin/sh
# smelt-filter --report: a self-contained page (no network references, no
# scripts, images inline) with a histogram and cut per group and sampled
# dropped and borderline records; it renders in headless Chromium, whose
# DOM holds the charts and cards and whose screenshot is not blank.
. "$(dirname "$0")/../lib.sh"
PNGTOOL="$SMELT_TOP/tests/reward/pngtool.py"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

# Records in two sources with a picture each; the low scores of source b
# include one with a remote image and one with markup in its text.
make_corpus() {
	mkdir -p imgs &&
	for i in 0 1 2 3 4 5 6 7; do
		python3 "$PNGTOOL" make "imgs/p$i.png" 24 16 $((i * 30)) $((200 - i * 20)) 90 || return 1
	done &&
	awk 'BEGIN {
		for (i = 0; i < 60; i++) for (g = 0; g < 2; g++) {
			src = g ? "b" : "a"; s = (g ? 5 : 0) + i / 10
			img = "p" (i % 8) ".png"; text = "Answer number " i " of source " src "."
			if (g && i == 0) img = "http://images.example.com/remote.png"
			if (g && i == 1) text = "<script>alert(1)</script> & <b>bold</b>"
			printf "{\"id\":\"%s%d\",\"source\":\"%s\",\"scores\":{\"rm\":%s},\"images\":[\"%s\"],", src, i, src, s, img
			printf "\"messages\":[{\"role\":\"user\",\"content\":\"<image>\\nWhat is shown?\"},"
			printf "{\"role\":\"assistant\",\"content\":\"%s\"}]}\n", text
		}
		print "{\"id\":\"noscore\",\"source\":\"a\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
	}' >in.jsonl
}

run_filter() {
	make_corpus &&
	smelt-filter -q --score scores.rm --by source --drop-quantile 0.1 --samples 8 --seed 3 \
		--image-root imgs --report r.html --rejects rej.jsonl in.jsonl -o out.jsonl.zst
}

count() { grep -o "$1" "$2" | wc -l; }

test_case 'the page has charts, cut lines, counts and sampled cards' '
	run_filter &&
	test "$(count "<svg class=\"hist\"" r.html)" -eq 3 &&
	test "$(count "<line class=\"cut\"" r.html)" -eq 2 &&
	grep -q "rect class=\"dropped\"" r.html && grep -q "rect class=\"kept\"" r.html &&
	test "$(count "class=\"sample dropped\"" r.html)" -eq 13 &&
	test "$(count "class=\"sample kept\"" r.html)" -eq 6 &&
	grep -q "<h4>Dropped — all 7</h4>" r.html &&
	grep -q "<b>54 kept</b> · <b>7 dropped</b> (missing_score 1) (quantile 6)" r.html
'

test_case 'local images are thumbnails inline; nothing refers to the network' '
	run_filter &&
	grep -q "<img class=\"thumb\" alt=\"p0.png\" src=\"data:image/png;base64,iVBOR" r.html &&
	grep -q "remote image, not embedded" r.html &&
	! grep -Eiq "(src|href|action|poster|srcset)=\"?[a-z]*:?//" r.html &&
	! grep -Eiq "<(script|link|iframe|object|embed)|url\(|@import" r.html &&
	! grep -q "images.example.com" r.html
'

test_case 'text from the records is escaped' '
	run_filter &&
	grep -q "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" r.html
'

test_case 'the same input and seed draw the same samples; another seed others' '
	make_corpus &&
	for run in 1 2; do
		smelt-filter -q --score scores.rm --by source --drop-quantile 0.1 --samples 2 --seed 3 \
			--image-root imgs --report r$run.html --dry-run in.jsonl || return 1
	done &&
	smelt-filter -q --score scores.rm --by source --drop-quantile 0.1 --samples 2 --seed 4 \
		--image-root imgs --report r3.html --dry-run in.jsonl &&
	test_cmp r1.html r2.html && ! cmp -s r1.html r3.html &&
	grep -q "<h4>Dropped — a random 2 of 7</h4>" r1.html
'

chromium_run() { # ARGS... (prints what Chromium prints on stdout)
	profile=$(mktemp -d "$SCRATCH/profile.XXXXXX") &&
	timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" "$@" 2>chromium.err
}

if [ -x "$CHROMIUM" ]; then
	test_case 'Chromium renders it: charts, cards and thumbnails are in the DOM' '
		run_filter &&
		chromium_run --dump-dom "file://$SCRATCH/r.html" >dom.html &&
		test "$(count "<svg class=\"hist\"" dom.html)" -eq 3 &&
		test "$(count "<rect class=\"dropped\"" dom.html)" -ge 2 &&
		test "$(count "class=\"sample dropped\"" dom.html)" -eq 13 &&
		test "$(count "<img class=\"thumb\"" dom.html)" -ge 8 &&
		! grep -q "<script" dom.html
	'

	test_case 'Chromium screenshot of the report is not blank' '
		run_filter &&
		chromium_run --screenshot="$SCRATCH/shot.png" --window-size=1200,2000 "file://$SCRATCH/r.html" &&
		python3 "$PNGTOOL" check shot.png 40 >dims &&
		read w h colours ink <dims && test "$w" -eq 1200 && test "$h" -eq 2000
	'
else
	test_skip 'Chromium tests' "$CHROMIUM not installed (scripts/install-deps installs it)"
fi

test_done
