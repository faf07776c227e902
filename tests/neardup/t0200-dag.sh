#!/bin/sh
# t0200-dag.sh — the steps of smelt-minhash compose: sign per shard,
# bucket per band (with a sort that spills), cluster, filter per shard
# give the same kept records and rejects as smelt-dedup --near in one
# process; through a pipe too; every record ends in the output or the
# rejects; keep policies; mismatched or damaged files are refused.
. "$(dirname "$0")/../lib.sh"

here="$SMELT_TOP/tests/neardup"
py=/usr/bin/python3

ids() { sed 's/^{"id":"\([^"]*\)".*/\1/; s/^{"id": "\([^"]*\)".*/\1/' "$@"; }

test_case 'sign per shard, bucket per band, cluster, filter per shard = smelt-dedup --near' '
	$py "$here/gen_neardup.py" --families 400 --singles 400 --random-pairs 0 --shards 3 c &&
	smelt-dedup -q --near c.jsonl --plain -o near.jsonl --rejects near.rej.jsonl &&
	for k in 0 1 2; do smelt-minhash sign -q c.$k.jsonl -o s$k.sig || return 1; done &&
	for b in 0 1 2 3 4 5 6 7 8 9 10 11 12 13; do
		smelt-minhash bucket -q s0.sig s1.sig s2.sig --band $b --memory 100k -o p$b.pairs || return 1
	done &&
	smelt-minhash bucket -q s0.sig s1.sig s2.sig --band 0-13 --memory 100k --stats b.json -o all.pairs &&
	grep -q "\"sort_runs\": [1-9]" b.json &&
	smelt-minhash cluster -q s0.sig s1.sig s2.sig \
		--pairs p0.pairs,p1.pairs,p2.pairs,p3.pairs,p4.pairs,p5.pairs,p6.pairs \
		--pairs p7.pairs,p8.pairs,p9.pairs,p10.pairs,p11.pairs,p12.pairs,p13.pairs -o d.jsonl.zst &&
	for k in 0 1 2; do
		smelt-minhash filter -q c.$k.jsonl --decisions d.jsonl.zst --shard $k --plain \
			-o k$k.jsonl --rejects r$k.jsonl || return 1
	done &&
	cat k0.jsonl k1.jsonl k2.jsonl >dag.jsonl &&
	test_cmp near.jsonl dag.jsonl &&
	smelt-dedup -q --near --memory 64k c.jsonl --plain -o small.jsonl --rejects /dev/null \
		--stats small.json &&
	test_cmp near.jsonl small.jsonl && grep -q "\"sort_runs\": [1-9]" small.json &&
	cat r0.jsonl r1.jsonl r2.jsonl | sed "s/,\"file\":\"[^\"]*\",\"line\":[0-9]*//" >dag.rej &&
	sed "s/,\"file\":\"[^\"]*\",\"line\":[0-9]*//; s/\"smelt-dedup\"/\"smelt-minhash\"/" near.rej.jsonl >near.rej &&
	test_cmp near.rej dag.rej &&
	test -s near.rej &&
	smelt-minhash cluster -q s0.sig s1.sig s2.sig --pairs all.pairs -o d2.jsonl.zst &&
	zstd -dcq d.jsonl.zst >d.jsonl && zstd -dcq d2.jsonl.zst >d2.jsonl && test_cmp d.jsonl d2.jsonl
'

test_case 'the steps compose in a pipe; smelt-dedup --near reads stdin (copied, read twice)' '
	$py "$here/gen_neardup.py" --families 200 --singles 100 --random-pairs 0 c &&
	smelt-dedup -q --near c.jsonl --plain -o near.jsonl --rejects /dev/null &&
	smelt-minhash sign -q c.jsonl -o - >s.sig &&
	smelt-minhash bucket -q s.sig -o - | smelt-minhash cluster -q s.sig --pairs - --plain >d.jsonl &&
	smelt-minhash filter -q c.jsonl --decisions d.jsonl --plain --rejects /dev/null >kept.jsonl &&
	test_cmp near.jsonl kept.jsonl &&
	zstd -qc c.jsonl | smelt-dedup -q --near --plain --rejects /dev/null >stdin.jsonl &&
	test_cmp near.jsonl stdin.jsonl
'

test_case 'nothing lost: missing fields, bad JSON and missing ids are rejects of their kind' '
	printf "%s\n" \
		"{\"id\":\"a\",\"q\":\"one two three four five six seven eight nine ten\"}" \
		"{\"id\":\"b\",\"q\":\"one two three four five six seven eight nine ten\"}" \
		"{\"id\":\"c\",\"other\":1}" \
		"{\"id\":\"d\",\"q\":" \
		"{\"q\":\"no id here at all\"}" \
		"{\"id\":\"e\",\"q\":\"something else entirely, not like the others\"}" >in.jsonl &&
	test_status 0 smelt-dedup -q --near --fields q in.jsonl --plain -o kept.jsonl --rejects rej.jsonl \
		--stats st.json &&
	ids kept.jsonl >got && printf "a\ne\n" >want && test_cmp want got &&
	test $(wc -l <rej.jsonl) -eq 4 &&
	grep -q "\"near_duplicate_of\":\"a\"" rej.jsonl &&
	grep -q "\"kind\":\"missing_field\"" rej.jsonl &&
	grep -q "\"kind\":\"missing_id\"" rej.jsonl &&
	grep -q "\"records_in\": 6" st.json &&
	smelt-minhash sign -q --fields q in.jsonl -o s.sig --rejects sign.rej &&
	smelt-minhash bucket -q s.sig -o p && smelt-minhash cluster -q s.sig --pairs p --plain -o d.jsonl &&
	smelt-minhash filter -q in.jsonl --decisions d.jsonl --plain -o k2.jsonl --rejects r2.jsonl &&
	test_cmp kept.jsonl k2.jsonl && test $(wc -l <r2.jsonl) -eq 4 &&
	test_status 3 smelt-dedup -q --near --fields q in.jsonl --plain -o /dev/null
'

test_case 'keep policies: first, longest, highest:FIELD' '
	base="alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon" &&
	printf "%s\n" \
		"{\"id\":\"short\",\"score\":1,\"q\":\"$base\"}" \
		"{\"id\":\"long\",\"score\":2,\"q\":\"$base phi\"}" \
		"{\"id\":\"best\",\"score\":9,\"q\":\"$base chi\"}" >in.jsonl &&
	smelt-dedup -q --near --fields q in.jsonl --plain -o k1 --rejects /dev/null &&
	ids k1 >got && echo short >want && test_cmp want got &&
	smelt-dedup -q --near --fields q --keep longest in.jsonl --plain -o k2 --rejects /dev/null &&
	ids k2 >got && echo long >want && test_cmp want got &&
	smelt-dedup -q --near --fields q --keep highest:score in.jsonl --plain -o k3 --rejects r3 &&
	ids k3 >got && echo best >want && test_cmp want got &&
	grep -q "\"near_duplicate_of\":\"best\"" r3
'

test_case 'report: S-curve, cluster sizes, sources, a sample side by side' '
	$py "$here/gen_neardup.py" --families 200 --singles 100 --random-pairs 0 c &&
	smelt-dedup -q --near c.jsonl --plain -o /dev/null --rejects /dev/null --report r.html &&
	grep -q "<polyline" r.html && grep -q "Cluster sizes" r.html &&
	grep -q ">cjk<" r.html && grep -q "Sample of removals" r.html && grep -q "f[0-9]*-v[0-9]" r.html
'

test_case 'refused: pairs of other signature files, the wrong shard, damage, joined files' '
	printf "%s\n" "{\"id\":\"a\",\"q\":\"x y z\"}" "{\"id\":\"b\",\"q\":\"x y z\"}" >one.jsonl &&
	printf "%s\n" "{\"id\":\"c\",\"q\":\"x y z\"}" "{\"id\":\"d\",\"q\":\"x y z\"}" >two.jsonl &&
	smelt-minhash sign -q --fields q one.jsonl -o one.sig &&
	smelt-minhash sign -q --fields q two.jsonl -o two.sig &&
	smelt-minhash bucket -q one.sig -o one.pairs &&
	test_status 1 smelt-minhash cluster -q two.sig one.sig --pairs one.pairs -o d.jsonl 2>err &&
	grep -q "other signature files" err && ! test -e d.jsonl &&
	smelt-minhash bucket -q one.sig two.sig -o both.pairs &&
	smelt-minhash cluster -q one.sig two.sig --pairs both.pairs --plain -o d.jsonl &&
	test_status 1 smelt-minhash filter -q two.jsonl --decisions d.jsonl --shard 0 -o k --rejects r 2>err &&
	grep -q "not the input" err &&
	head -c 100 one.sig >cut.sig &&
	test_status 1 smelt-minhash bucket -q cut.sig -o p 2>err && grep -q "cut short" err &&
	cat one.sig two.sig >joined.sig &&
	test_status 1 smelt-minhash bucket -q joined.sig -o p 2>err && grep -q "data after the end" err &&
	test_status 1 smelt-minhash bucket one.sig --bands 20 --rows 8 -o p 2>err && grep -q "need 160" err &&
	test_status 2 smelt-minhash frobnicate 2>/dev/null
'

test_case 'smelt-dedup --near leaves no temporary behind, even after kill -9' '
	$py "$here/gen_neardup.py" --families 2000 --singles 2000 --random-pairs 0 c &&
	mkdir tmp &&
	cat c.jsonl c.jsonl c.jsonl >big.jsonl &&
	{ TMPDIR=$SCRATCH/tmp smelt-dedup -q --near --plain --rejects rej.jsonl -o out.jsonl <big.jsonl & } &&
	pid=$! && sleep 0.5 && kill -9 $pid; wait $pid;
	test -z "$(ls -A tmp)" &&
	TMPDIR=$SCRATCH/tmp smelt-dedup -q --near --plain --rejects rej.jsonl -o out.jsonl c.jsonl &&
	test -z "$(ls -A tmp)" && test -s out.jsonl
'

test_case 'examples/neardup: the make -j DAG checks itself against smelt-dedup --near' '
	make -s -C "$SMELT_TOP/examples/neardup" -j2 BIN="$SMELT_BIN" OUT="$SCRATCH/out" \
		FAMILIES=150 SHARDS=3 BANDS=14 >log 2>&1 &&
	grep -q "keep the same" "$SCRATCH/out/check.txt" &&
	test $(ls "$SCRATCH/out/pairs" | wc -l) -eq 14
'

test_done
