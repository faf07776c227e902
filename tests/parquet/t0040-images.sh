#!/bin/sh
# Hub-style Parquet with embedded images (the_cauldron's layout: images as
# a list of {bytes, path} structs, texts as [{user, assistant, source}]):
# smelt-cat --extract-images writes the bytes into a tar shard with stable
# member names and refers to them as tar:SHARD#MEMBER; without it they are
# data: URIs. Then smelt-score (images sent as parts, read back from the
# shard) and smelt-filter against smelt-sim.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-parquet.sh"
. "$SMELT_TOP/tests/sim/lib-sim.sh"
pq_require_duckdb
PNGTOOL="$SMELT_TOP/tests/reward/pngtool.py"

hub="$test_root/hub"
mkdir -p "$hub/imgs"
test_case 'DuckDB writes a Hub-style file with embedded PNGs' "
	cd '$hub' &&
	python3 '$PNGTOOL' make imgs/a.png 8 8 10 200 30 &&
	python3 '$PNGTOOL' make imgs/b.png 9 7 200 10 30 &&
	python3 '$PNGTOOL' make imgs/c.png 5 5 30 30 200 &&
	duck \"CREATE TABLE img AS SELECT parse_filename(filename) AS name, content FROM read_blob('imgs/*.png')\" \
	     \"COPY (SELECT * FROM (VALUES
		(0, [{'bytes': (SELECT content FROM img WHERE name = 'a.png'), 'path': 'a.png'}],
		    [{'user': 'Why do leaves change colour in autumn?', 'assistant': 'Trees stop making chlorophyll, so the green fades and yellow pigments show.', 'source': 'x'}]),
		(1, [{'bytes': (SELECT content FROM img WHERE name = 'b.png'), 'path': 'b.png'},
		     {'bytes': (SELECT content FROM img WHERE name = 'c.png'), 'path': 'c.png'}],
		    [{'user': 'What causes tides?', 'assistant': 'The gravity of the moon pulling on the water.', 'source': 'y'},
		     {'user': 'And the sun?', 'assistant': 'It adds a smaller pull.', 'source': 'y'}]),
		(2, [{'bytes': NULL, 'path': 'elsewhere.png'}],
		    [{'user': 'What is shown?', 'assistant': 'The stock market closed higher today.', 'source': 'z'}])
	) t(k, images, texts) ORDER BY k) TO 'hub.parquet' (FORMAT parquet, COMPRESSION zstd)\" >/dev/null
"

test_case '--extract-images: members named <stem>/<row>-<k>.<ext>, records refer to them' "
	cd '$hub' &&
	smelt-cat --plain -q --extract-images shard.tar hub.parquet >out.jsonl &&
	jq -c .images out.jsonl >got &&
	printf '%s\n' '[\"tar:shard.tar#hub/0-0.png\"]' '[\"tar:shard.tar#hub/1-0.png\",\"tar:shard.tar#hub/1-1.png\"]' '[\"elsewhere.png\"]' >want &&
	test_cmp want got &&
	tar tf shard.tar >members && printf '%s\n' hub/0-0.png hub/1-0.png hub/1-1.png >want && test_cmp want members &&
	mkdir x && tar xf shard.tar -C x &&
	cmp x/hub/0-0.png imgs/a.png && cmp x/hub/1-0.png imgs/b.png && cmp x/hub/1-1.png imgs/c.png
"

test_case 'the same input gives the same shard and records' "
	cd '$hub' &&
	smelt-cat --plain -q --extract-images shard2.tar hub.parquet | jq -c 'del(.id)' | sed 's/shard2.tar/shard.tar/g' >again.jsonl &&
	jq -c 'del(.id)' out.jsonl >first.jsonl &&
	cmp shard.tar shard2.tar && cmp first.jsonl again.jsonl
"

test_case 'without --extract-images an image is a data: URI of its bytes' "
	cd '$hub' &&
	smelt-cat --plain -q --columns images hub.parquet | jq -r '.images[0]' | sed -n 1p >uri &&
	grep -q '^data:image/png;base64,' uri &&
	sed 's/^data:image\/png;base64,//' uri | base64 -d >a2.png && cmp a2.png imgs/a.png
"

test_case 'a failed run leaves no shard' "
	cd '$hub' &&
	! smelt-cat --plain -q --columns nope --extract-images failed.tar hub.parquet >o 2>e &&
	test ! -e failed.tar && ! ls .failed.tar* 2>/dev/null | grep -q .
"

test_case '--from cauldron: texts become messages, images get placeholders' "
	cd '$hub' &&
	smelt-cat --plain -q --from cauldron --extract-images conv.tar hub.parquet >conv.jsonl &&
	jq -e -s 'length == 3 and .[1].messages[0].content == \"<image>\n<image>\nWhat causes tides?\" and
		(.[1].messages | length) == 4 and .[0].k == 0 and (.[0] | has(\"texts\") | not)' conv.jsonl >/dev/null
"

test_case 'LLaVA-OneVision layout: image struct + conversations -> messages' "
	cd '$hub' &&
	duck \"COPY (SELECT 'ov-1' AS id, {'bytes': content, 'path': 'a.png'} AS image,
		[{'from': 'human', 'value': '<image> What colour is it?'}, {'from': 'gpt', 'value': 'Green.'}] AS conversations,
		'ai2d' AS data_source FROM read_blob('imgs/a.png')) TO 'ov.parquet' (FORMAT parquet)\" >/dev/null &&
	smelt-cat --plain -q --to messages --extract-images ov.tar ov.parquet >ov.jsonl &&
	jq -e '.id == \"ov-1\" and .images == [\"tar:ov.tar#ov/0-0.png\"] and .data_source == \"ai2d\" and
		.messages[0].content == \"<image> What colour is it?\" and .messages[1].role == \"assistant\"' ov.jsonl >/dev/null
"

sim_start --threads 2
test_case 'cat --extract-images -> smelt-score -> smelt-filter against smelt-sim' "
	cd '$hub' &&
	head -n 2 conv.jsonl >two.jsonl &&
	smelt-score -q --plain --backend pooling --name rm --endpoint \"\$SIM_URL/v1\" two.jsonl >scored.jsonl &&
	test \$(jq -r '.scores.rm | type' scored.jsonl | sort -u) = number &&
	mid=\$(jq -s '(map(.scores.rm) | (min + max) / 2)' scored.jsonl) &&
	smelt-filter -q --plain --score scores.rm --min \$mid --rejects rej.jsonl scored.jsonl >kept.jsonl &&
	test \$(wc -l <kept.jsonl) -ge 1 &&
	test \$((\$(wc -l <kept.jsonl) + \$(wc -l <rej.jsonl))) -eq 2 &&
	jq -r '.images[]' kept.jsonl | grep -q '^tar:conv.tar#hub/'
"
sim_stop_all
test_done
