#!/bin/sh
# t0100-shard-merge.sh — smelt-shard splits by a stable hash of the id (or
# --key) and smelt-merge puts the shards back: 200,000 conversations go
# through smelt-cat | smelt-shard -n 8 | smelt-merge and come back as the
# same multiset of records.
. "$(dirname "$0")/../lib.sh"

gen="$SMELT_TOP/tests/plumbing/gen-conversations.awk"
corpus="$test_root/corpus.jsonl"
awk -v n=200000 -f "$gen" >"$corpus"

test_case 'shard -n 8 then merge gives back the same 200,000 records' '
	smelt-cat -q "$corpus" -o corpus.jsonl.zst &&
	smelt-shard -q -n 8 --prefix part corpus.jsonl.zst --stats shard.json &&
	ls part-* >files &&
	printf "%s\n" part-00000-of-00008.jsonl.zst part-00001-of-00008.jsonl.zst \
		part-00002-of-00008.jsonl.zst part-00003-of-00008.jsonl.zst \
		part-00004-of-00008.jsonl.zst part-00005-of-00008.jsonl.zst \
		part-00006-of-00008.jsonl.zst part-00007-of-00008.jsonl.zst >expect-files &&
	test_cmp expect-files files &&
	smelt-merge -q part-*.jsonl.zst -o merged.jsonl.zst &&
	cat_any merged.jsonl.zst | LC_ALL=C sort >got &&
	LC_ALL=C sort "$corpus" >want &&
	test_cmp want got &&
	test "$(wc -l <got)" -eq 200000
'

test_case 'every shard gets a fair share and --stats counts them' '
	smelt-shard -q -n 8 --prefix part "$corpus" --stats shard.json &&
	validate "$SMELT_TOP/schemas/stage-stats.schema.json" shard.json &&
	for f in part-*; do cat_any "$f" | wc -l; done >counts &&
	node -e "
		const s = require(\"./shard.json\");
		const counts = require(\"fs\").readFileSync(\"counts\", \"utf8\").trim().split(\"\n\").map(Number);
		if (s.stage !== \"smelt-shard\" || s.shards !== 8) throw new Error(\"bad header\");
		if (s.records_in !== 200000 || s.records_out !== 200000) throw new Error(\"bad totals\");
		if (JSON.stringify(s.records_per_shard) !== JSON.stringify(counts))
			throw new Error(\"records_per_shard \" + s.records_per_shard + \" vs files \" + counts);
		for (const c of counts) if (c < 23000 || c > 27000) throw new Error(\"unbalanced: \" + c);
	"
'

test_case 'a record lands in the same shard whatever the input order' '
	smelt-shard -q -n 5 --prefix a --plain "$corpus" &&
	tac "$corpus" >reversed.jsonl &&
	smelt-shard -q -n 5 --prefix b --plain reversed.jsonl &&
	for i in 00000 00001 00002 00003 00004; do
		LC_ALL=C sort a-$i-of-00005.jsonl >a.sorted &&
		LC_ALL=C sort b-$i-of-00005.jsonl >b.sorted &&
		test_cmp a.sorted b.sorted || return 1
	done
'

test_case 'shard assignment is pinned (it must not change between versions)' '
	head -n 12 "$corpus" | smelt-shard -q -n 4 --prefix p --plain &&
	for f in p-*; do printf "%s:" "$f"; sed "s/.*\"id\":\"\\([^\"]*\\)\".*/\\1/" "$f" | tr "\n" " "; echo; done >got &&
	test_cmp "$SMELT_TOP/tests/plumbing/golden/shard-pinned.txt" got
'

test_case '--key keeps each source in one shard and merges back' '
	smelt-shard -q -n 3 --key source --prefix s "$corpus" &&
	for f in s-*; do
		cat_any "$f" | sed "s/.*\"source\":\"\\([^\"]*\\)\".*/\\1/" | sort -u
	done >sources &&
	test "$(sort sources | uniq -d | wc -l)" -eq 0 &&
	test "$(wc -l <sources)" -eq 8 &&
	smelt-merge -q --plain s-* | LC_ALL=C sort >got &&
	LC_ALL=C sort "$corpus" >want &&
	test_cmp want got
'

test_case '--key on a nested or non-string value' '
	printf "%s\n" "{\"id\":\"a\",\"m\":{\"n\":1}}" "{\"id\":\"b\",\"m\":{\"n\":1}}" \
		"{\"id\":\"c\",\"m\":{\"n\":[1,2]}}" "{\"id\":\"d\",\"m\":{\"n\":[1,2]}}" >in.jsonl &&
	smelt-shard -q -n 16 --key m.n --plain --prefix k in.jsonl &&
	for f in k-*; do if test -s "$f"; then wc -l <"$f"; fi; done >sizes &&
	printf "2\n2\n" >expect &&
	test_cmp expect sizes
'

test_case 'records without the key are rejected (exit 3 without a sink, 0 with one)' '
	printf "%s\n" "{\"id\":\"a\",\"k\":1}" "{\"k\":2}" "{\"id\":\"c\"}" >in.jsonl &&
	test_status 3 smelt-shard -q -n 2 --prefix x --plain in.jsonl 2>err &&
	grep -q "in.jsonl:2: missing_id" err &&
	smelt-shard -q -n 2 --prefix y --plain in.jsonl --rejects rej.jsonl &&
	test "$(cat y-*.jsonl | wc -l)" -eq 2 &&
	grep -q "\"kind\":\"missing_id\"" rej.jsonl &&
	smelt-shard -q -n 2 --key k --prefix z --plain in.jsonl --rejects rej2.jsonl --stats st.json &&
	grep -q "\"id\":\"c\",\"error\":{\"stage\":\"smelt-shard\",\"kind\":\"missing_field\",\"message\":\"no .k. to shard by\",\"file\":\"in.jsonl\",\"line\":3}" rej2.jsonl &&
	grep -q "\"missing_field\": 1" st.json &&
	validate "$SMELT_TOP/schemas/stage-stats.schema.json" st.json
'

test_case 'shard usage errors exit 2' '
	echo "{\"id\":\"a\"}" >in.jsonl &&
	test_status 2 smelt-shard --prefix p in.jsonl 2>err && grep -q "\-n N is required" err &&
	test_status 2 smelt-shard -n 0 --prefix p in.jsonl &&
	test_status 2 smelt-shard -n 100000 --prefix p in.jsonl &&
	test_status 2 smelt-shard -n 2 in.jsonl 2>err && grep -q "prefix" err &&
	test_status 2 smelt-shard -n 2 --prefix p -o out in.jsonl &&
	test_status 2 smelt-shard -n 2 --prefix p --key "a[" in.jsonl &&
	test ! -e p-00000-of-00002.jsonl.zst &&
	smelt-shard --help >help && grep -q "Example:" help && grep -q "smelt-shard -n 8" help
'

test_case 'an unwritable prefix is a fatal error (exit 1)' '
	echo "{\"id\":\"a\"}" >in.jsonl &&
	test_status 1 smelt-shard -n 2 --prefix no/such/dir/p in.jsonl 2>err &&
	grep -q "no/such/dir/p-00000-of-00002.jsonl.zst" err
'

test_case 'merge concatenates in argument order, from files and stdin' '
	printf "%s\n" "{\"id\":\"a\"}" "{\"id\":\"b\"}" >1.jsonl &&
	printf "%s\n" "{\"id\":\"c\"}" | zstd -q >2.jsonl.zst &&
	printf "[{\"id\":\"d\"},\n {\"id\":\"e\"}]" >3.json &&
	smelt-merge -q --plain 2.jsonl.zst 1.jsonl - <3.json >got &&
	printf "%s\n" "{\"id\":\"c\"}" "{\"id\":\"a\"}" "{\"id\":\"b\"}" "{\"id\":\"d\"}" "{\"id\":\"e\"}" >want &&
	test_cmp want got
'

test_done
