#!/bin/sh
# The shipped trees at Condor's scale: at least 4,000 leaves per language,
# three levels, no duplicate or near-duplicate leaves, and a seeded
# stratified sample of 10x leaves that gives every domain and every task
# type its share within 20%.
. "$(dirname "$0")/../lib.sh"
KT="$SMELT_TOP/knowledge_tree"

# One record per leaf: {id, theme} with the merged trending tags of LANG.
leaves() {
	smelt-tree flatten --plain "$KT/$1.json" --trending "$KT/trending.$1.json" |
		jq -c '{id, theme: .path[2]}'
}

# A key that ignores what makes two English topics the same one written
# twice: case, punctuation, little words, plural -s and word order.
EN_KEY='.theme | ascii_downcase | [scan("[\\p{L}\\p{N}'"'"']+")]
	| map(select(IN("a","an","the","of","for","and","in","on","to","with","your","you",
	                "at","by","from","as","vs","versus","or","into","about","its","their") | not)
	      | if length > 4 and endswith("ies") then .[:-3] + "y"
	        elif length > 3 and endswith("s") and (endswith("ss") | not) then .[:-1]
	        else . end)
	| sort | join(" ")'
# The same for Chinese: punctuation, spaces and the linking characters
# 的 与 和 及 之 ("X的Y" and "XY" are one topic).
ZH_KEY='.theme | gsub("[\\p{P}\\p{S}\\s的与和及之]"; "")'

# check_shares WANT GOT [SLACK]: both "name<TAB>number" lines; WANT holds
# weights. Every name in WANT must have a count in GOT within 20% of its
# share and, if SLACK is given, less than SLACK away from it.
check_shares() {
	awk -F '\t' -v slack="${3:-0}" '
		NR == FNR { w[$1] = $2; total_w += $2; next }
		{ got[$1] = $2; n += $2 }
		END {
			bad = 0
			for (k in w) {
				want = n * w[k] / total_w
				d = got[k] - want
				if (got[k] < want * 0.8 || got[k] > want * 1.2 || (slack > 0 && (d >= slack || -d >= slack))) {
					printf "off: %s got %d, want %.1f\n", k, got[k], want
					bad = 1
				}
			}
			for (k in got) if (!(k in w)) { print "unexpected: " k; bad = 1 }
			exit bad
		}' "$1" "$2"
}

# tally < records: got.dom and got.task, "value<TAB>count" per domain and task.
tally() {
	jq -r '"dom\t\(.domain)", "task\t\(.task)"' |
		awk -F '\t' '{ c[$1 FS $2]++ } END { for (k in c) { split(k, p, FS); print p[2] FS c[k] > ("got." p[1]) } }'
}

for lang in en zh; do
	test_case "$lang: valid, three levels, at least 4,000 leaves" '
		smelt-tree validate "$KT/$lang.json" &&
		validate "$SMELT_TOP/schemas/knowledge-tree.schema.json" "$KT/$lang.json" &&
		smelt-tree validate "$KT/$lang.json" --trending "$KT/trending.$lang.json" &&
		smelt-tree stats "$KT/$lang.json" >s.json &&
		jq -e ".depth == 3 and (.levels | length) == 3 and .leaves >= 4000 and .empty == 0" s.json &&
		smelt-tree flatten --plain "$KT/$lang.json" >paths.jsonl &&
		test "$(wc -l <paths.jsonl)" -eq "$(jq .leaves s.json)" &&
		jq -e "(.path | length) == 3" paths.jsonl >/dev/null
	'

	test_case "$lang: no two leaves equal after NFKC and case folding" '
		leaves $lang >l.jsonl &&
		smelt-dedup --fields theme l.jsonl --rejects dups.jsonl --plain -q >uniq.jsonl &&
		test ! -s dups.jsonl && test "$(wc -l <uniq.jsonl)" -eq "$(wc -l <l.jsonl)"
	'

	test_case "$lang: no near-duplicate leaves (plural, word order, linking words)" '
		if test $lang = en; then key=$EN_KEY; else key=$ZH_KEY; fi &&
		leaves $lang | jq -c "{id, theme, key: ($key)}" >k.jsonl &&
		smelt-dedup --fields key k.jsonl --rejects near.jsonl --plain -q >/dev/null &&
		{ jq -r "\"near duplicate: \" + .id + \" ~ \" + .duplicate_of" near.jsonl; test ! -s near.jsonl; }
	'

	# Leaves are a few words long, too short for the corpus defaults (word
	# 5-grams): character 3-grams at Jaccard 0.85 separate a topic written
	# twice from neighbours such as "port operations" / "airport operations"
	# (0.80), the closest pair in en.
	test_case "$lang: no near-duplicate leaves by MinHash LSH (character 3-grams, Jaccard >= 0.85)" '
		leaves $lang >l.jsonl &&
		smelt-minhash sign -q --fields theme --shingle chars --ngram 3 --perms 64 l.jsonl -o l.sig &&
		smelt-minhash bucket -q --bands 16 --rows 4 l.sig -o l.pairs &&
		smelt-minhash cluster -q --threshold 0.85 l.sig --pairs l.pairs -o l.dec &&
		smelt-minhash filter -q --decisions l.dec --shard 0 l.jsonl --rejects mh.jsonl --plain -o kept.jsonl &&
		{ jq -r "\"near duplicate: \" + .id + \" ~ \" + .near_duplicate_of" mh.jsonl; test ! -s mh.jsonl; } &&
		test "$(wc -l <kept.jsonl)" -eq "$(wc -l <l.jsonl)"
	'

	for mode in per-level per-leaf; do
		test_case "$lang, $mode: stratified 10x leaves, each domain and task type within 20%" '
			smelt-tree stats "$KT/$lang.json" >s.json &&
			n=$(($(jq .leaves s.json) * 10)) &&
			flag= && if test $mode = per-leaf; then flag=--per-leaf; fi &&
			smelt-tree sample "$KT/$lang.json" --lang $lang -n $n --seed 11 --stratify $flag --plain >r.jsonl &&
			test "$(wc -l <r.jsonl)" -eq $n &&
			if test $mode = per-leaf
			then jq -r ".domains[] | \"\(.name)\t\(.leaves)\"" s.json >want.dom
			else jq -r ".domains[] | \"\(.name)\t1\"" s.json >want.dom
			fi &&
			jq -r ".tasks[] | \"\(.name)\t\(.weight // 1)\"" "$KT/tasks.$lang.json" >want.task &&
			tally <r.jsonl && check_shares want.dom got.dom && check_shares want.task got.task &&
			# stratified means quotas, not luck: each count is its share rounded
			check_shares want.dom got.dom 1 && check_shares want.task got.task 1
		'
	done
done

test_case 'the near-duplicate keys catch what they are meant to' '
	printf "%s\n" "{\"id\":\"1\",\"theme\":\"Choosing a Tent\"}" "{\"id\":\"2\",\"theme\":\"tents: choosing\"}" \
		"{\"id\":\"3\",\"theme\":\"夫妻共同理财\"}" "{\"id\":\"4\",\"theme\":\"夫妻的共同理财\"}" >t.jsonl &&
	head -2 t.jsonl | jq -c "{id, key: ($EN_KEY)}" >en.jsonl &&
	tail -2 t.jsonl | jq -c "{id, key: ($ZH_KEY)}" >zh.jsonl &&
	test_status 3 smelt-dedup --fields key en.jsonl -q --plain >/dev/null 2>&1 &&
	test_status 3 smelt-dedup --fields key zh.jsonl -q --plain >/dev/null 2>&1
'
test_done
