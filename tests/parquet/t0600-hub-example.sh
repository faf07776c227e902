#!/bin/sh
# examples/hub end to end: Hub-style Parquet shards with embedded PNGs →
# smelt-cat --from cauldron --extract-images → smelt-score (smelt-sim) →
# smelt-filter → smelt-cat --embed-images → Parquet. Every input row is kept
# or set aside; DuckDB reads the output, and each kept row's image bytes
# equal the input's. Run twice: on the input the example writes with
# smelt-cat --embed-images, and on the same rows written by DuckDB.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-parquet.sh"
pq_require_duckdb
EX="$SMELT_TOP/examples/hub"
rows=$(wc -l <"$EX/corpus/hub.jsonl")

# check_run OUT 'INPUT GLOB': the counts add up, and DuckDB's md5 of every
# kept row's images equals that of the same row's images in the input.
check_run() {
	o=$1 in=$2
	n_cat=$(wc -l <"$o/cat-rejects.jsonl") && n_score=$(wc -l <"$o/score-rejects.jsonl") &&
	n_embed=$(wc -l <"$o/embed-rejects.jsonl") && n_drop=$(wc -l <"$o/dropped.jsonl") &&
	duck "SELECT count(*) AS n FROM read_parquet('$o/kept.parquet')" >kept-n &&
	n_kept=$(jq -r .n kept-n) &&
	echo "in=$rows kept=$n_kept dropped=$n_drop rejects=$n_cat+$n_score+$n_embed" &&
	test "$n_kept" -gt 0 && test "$n_drop" -gt 0 &&
	test "$rows" -eq $((n_kept + n_drop + n_cat + n_score + n_embed)) &&
	jq -e '.records_in' "$o/cat.stats.json" >/dev/null &&
	test "$(jq .records_in "$o/cat.stats.json")" -eq "$rows" &&
	duck "SELECT count(*) AS rows, count(*) FILTER (WHERE k.m = i.m) AS same,
		sum(len(k.m)) AS images, count(*) FILTER (WHERE k.m IS NULL OR len(k.m) = 0) AS none
	      FROM (SELECT id, [md5(x.bytes) FOR x IN images] AS m FROM read_parquet('$o/kept.parquet')) k
	      JOIN (SELECT id, [md5(x.bytes) FOR x IN images] AS m FROM read_parquet('$in')) i USING (id)" >same &&
	cat same &&
	jq -e --argjson n "$n_kept" 'map_values(tonumber) | .rows == $n and .same == $n and .none == 0 and .images > $n' same >/dev/null &&
	jq -r .id "$o/dropped.jsonl" >dropped-ids &&
	duck "SELECT id FROM read_parquet('$o/kept.parquet')" | jq -r .id | cat - dropped-ids | sort >ids &&
	jq -r .id "$EX/corpus/hub.jsonl" | sort >want-ids && test_cmp want-ids ids
}

test_case 'the example builds from its smelt-written shards; counts add up, images survive' '
	make -s -C "$EX" BIN="$SMELT_BIN" OUT="$test_root/smelt-out" >summary.md &&
	cat summary.md &&
	ls "$test_root/smelt-out/data" >shards && printf "%s\n" train-00000-of-00002.parquet train-00001-of-00002.parquet >want &&
	test_cmp want shards &&
	check_run "$test_root/smelt-out" "$test_root/smelt-out/data/train-*.parquet" &&
	grep -q "| $rows | $rows | 0 | 0 |" summary.md &&
	duck "SELECT DISTINCT [x.path FOR x IN images][1] LIKE '"'"'tar:images.tar#train-0000_-of-00002/%.png'"'"' AS ok
	      FROM read_parquet('"'"'$test_root/smelt-out/kept.parquet'"'"')" >paths &&
	echo "{\"ok\":true}" >want && test_cmp want paths &&
	duck "SELECT decode(key) AS k FROM parquet_kv_metadata('"'"'$test_root/smelt-out/kept.parquet'"'"')" >kv &&
	grep -q huggingface kv
'

test_case 'the same rows written by DuckDB (IN=glob) give the same kept rows and bytes' '
	make -s -C "$EX" BIN="$SMELT_BIN" OUT="$SCRATCH/src" "$SCRATCH/src/images/.done" >/dev/null &&
	mkdir duck && cd "$SCRATCH/src" &&
	duck "CREATE TABLE img AS SELECT '"'"'images/'"'"' || parse_filename(filename) AS name, content FROM read_blob('"'"'images/*.png'"'"')" \
	     "CREATE TABLE r AS SELECT * FROM read_json('"'"'$EX/corpus/hub.jsonl'"'"')" \
	     "CREATE TABLE u AS SELECT id, unnest(images) AS x, generate_subscripts(images, 1) AS k FROM r" \
	     "CREATE TABLE hub AS SELECT r.id, (SELECT list({'"'"'bytes'"'"': img.content, '"'"'path'"'"': u.x} ORDER BY u.k)
		FROM u JOIN img ON img.name = u.x WHERE u.id = r.id) AS images, r.texts FROM r ORDER BY r.id" \
	     "COPY (SELECT * FROM hub WHERE id < '"'"'hub-030'"'"' ORDER BY id) TO '"'"'$SCRATCH/duck/train-00000-of-00002.parquet'"'"' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 8)" \
	     "COPY (SELECT * FROM hub WHERE id >= '"'"'hub-030'"'"' ORDER BY id) TO '"'"'$SCRATCH/duck/train-00001-of-00002.parquet'"'"' (FORMAT parquet, COMPRESSION snappy)" >/dev/null &&
	cd "$SCRATCH" &&
	make -s -C "$EX" BIN="$SMELT_BIN" OUT="$SCRATCH/out" IN="$SCRATCH/duck/train-*.parquet" >summary.md &&
	cat summary.md &&
	check_run "$SCRATCH/out" "$SCRATCH/duck/train-*.parquet" &&
	zstd -dcq "$SCRATCH/out/kept.jsonl.zst" | jq -c "[.id, .messages, .scores.rm]" >duck-kept &&
	zstd -dcq "$test_root/smelt-out/kept.jsonl.zst" | jq -c "[.id, .messages, .scores.rm]" >mine-kept &&
	test_cmp mine-kept duck-kept
'

test_done
