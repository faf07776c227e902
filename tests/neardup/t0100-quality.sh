#!/bin/sh
# t0100-quality.sh — smelt-minhash finds planted near-duplicates: on a
# generated corpus (word edits, number swaps, reordered sentences, CJK
# character edits, far variants as hard negatives, unrelated singles),
# recall >= 0.95 of the pairs with exact Jaccard >= 0.85 and precision
# >= 0.95 of the removals at that threshold with verification on. Jaccard
# is computed by the generator (Python), not by smelt. The figures are
# printed as TAP comments.
. "$(dirname "$0")/../lib.sh"

here="$SMELT_TOP/tests/neardup"
py=/usr/bin/python3
figures="$test_root/figures"

if ! [ -x "$py" ]; then
	test_skip 'quality' "$py is missing"
	test_case 'nothing to run' 'true'
	test_done
	exit
fi

c="$test_root/c"
test_case 'generate the corpus, sign it and bucket it (14 x 8, 5-grams)' '
	$py "$here/gen_neardup.py" --families 1500 --singles 1500 --random-pairs 10000 "$c" &&
	smelt-minhash sign -q "$c.jsonl" -o "$c.sig" &&
	smelt-minhash bucket -q "$c.sig" -o "$c.pairs"
'

test_case 'recall and precision at 0.85 with verification' '
	smelt-minhash cluster -q "$c.sig" --pairs "$c.pairs" --threshold 0.85 --plain -o d.jsonl &&
	$py "$here/score_neardup.py" "$c.jsonl" "$c.truth.jsonl" d.jsonl 0.85 >score.json &&
	cp score.json "$figures.verified" &&
	$py -c "
import json, sys
s = json.load(open(\"score.json\"))
assert s[\"pairs_at_or_above\"] >= 300, s
assert s[\"recall\"] >= 0.95, s
assert s[\"precision\"] >= 0.95, s
"
'

test_case 'without verification the same candidates remove far more (precision drops)' '
	smelt-minhash cluster -q "$c.sig" --pairs "$c.pairs" --no-verify --plain -o d.jsonl &&
	$py "$here/score_neardup.py" "$c.jsonl" "$c.truth.jsonl" d.jsonl 0.85 >score.json &&
	cp score.json "$figures.unverified" &&
	$py -c "
import json
s = json.load(open(\"score.json\")); v = json.load(open(\"$figures.verified\"))
assert s[\"removals\"] > v[\"removals\"], (s, v)
assert s[\"recall\"] >= v[\"recall\"], (s, v)
"
'

test_case 'the CJK families are cut into characters and found' '
	grep "\"cjk\"" "$c.jsonl" >cjk.jsonl &&
	smelt-dedup -q --near --threshold 0.85 cjk.jsonl --plain --rejects rej.jsonl -o kept.jsonl &&
	test -s rej.jsonl &&
	! grep -v "near_duplicate_of" rej.jsonl &&
	grep -q "v[0-9]-cjk_chars_1\"" rej.jsonl
'

for f in verified unverified; do
	[ -f "$figures.$f" ] && echo "# $f: $(cat "$figures.$f")"
done
test_done
