#!/bin/sh
# JSON Lines -> smelt-cat -o X.parquet -> smelt-cat X.parquet -> JSON
# Lines, byte-identical, for the shapes of write_shapes.py whose fields
# keep one type and appear in every record (what a Parquet schema can say
# exactly; the others widen, README "Writing Parquet"). Needs smelt's
# Parquet reader: skipped with the reason when smelt-cat cannot read one.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/parquet/lib-write.sh"

make_shapes
echo '{"id":"a","n":1}' >"$test_root/probe.jsonl"
smelt-cat -q "$test_root/probe.jsonl" -o "$test_root/probe.parquet"
if ! smelt-cat -q --plain "$test_root/probe.parquet" >"$test_root/probe.out" 2>&1 ||
	! cmp -s "$test_root/probe.jsonl" "$test_root/probe.out"; then
	test_skip 'JSON Lines -> Parquet -> JSON Lines' "smelt-cat cannot read Parquet yet: $(head -c 200 "$test_root/probe.out")"
	parquet_written_case
	test_done
	exit
fi

for shape in flat nested_structs lists unicode big_strings dictionary many_rows; do
	test_case "$shape: JSON Lines -> Parquet -> JSON Lines is identical" '
		smelt-cat -q --plain "$shapes/$shape.jsonl" >expect &&
		smelt-cat -q --parquet-row-group-rows 700 --parquet-page-kb 16 "$shapes/$shape.jsonl" -o x.parquet &&
		smelt-cat -q --plain x.parquet >back &&
		test_cmp expect back
	'
done

test_case 'widened shapes (DOUBLE, JSON columns) read back equal after the normalisation' '
	for shape in widening wide_map; do
		smelt-cat -q "$shapes/$shape.jsonl" -o $shape.parquet &&
		smelt-cat -q --plain $shape.parquet >$shape.back &&
		/usr/bin/python3 "$here/write_compare.py" "$shapes/$shape.jsonl" $shape.back || exit 1
	done
'

test_case 'images: --embed-images -> Parquet -> --extract-images -> --embed-images gives the same rows' '
	/usr/bin/python3 -c "
import struct, zlib
def chunk(t, d):
    return struct.pack(\">I\", len(d)) + t + d + struct.pack(\">I\", zlib.crc32(t + d) & 0xffffffff)
raw = b\"\".join(b\"\\0\" + bytes((9, 99, 199)) * 2 for _ in range(2))
open(\"p.png\", \"wb\").write(b\"\\x89PNG\\r\\n\\x1a\\n\" + chunk(b\"IHDR\", struct.pack(\">IIBBBBB\", 2, 2, 8, 2, 0, 0, 0))
    + chunk(b\"IDAT\", zlib.compress(raw)) + chunk(b\"IEND\", b\"\"))
" &&
	printf "%s\n" "{\"id\":\"a\",\"images\":[\"p.png\",\"p.png\"],\"t\":1}" "{\"id\":\"b\",\"images\":[],\"t\":2}" >in.jsonl &&
	smelt-cat -q --embed-images in.jsonl -o one.parquet &&
	smelt-cat -q --extract-images shard.tar --plain one.parquet >refs.jsonl &&
	grep -q "tar:shard.tar#" refs.jsonl &&
	smelt-cat -q --embed-images refs.jsonl -o two.parquet &&
	smelt-cat -q --plain one.parquet >one.jsonl &&
	smelt-cat -q --plain two.parquet >two.jsonl &&
	test_cmp one.jsonl two.jsonl
'

test_case 'gzip and uncompressed pages, data pages v2 read back the same' '
	smelt-cat -q --plain "$shapes/lists.jsonl" >expect &&
	smelt-cat -q --parquet-page-v2 --parquet-page-kb 4 "$shapes/lists.jsonl" -o v2.parquet &&
	smelt-cat -q --plain v2.parquet >v2 &&
	test_cmp expect v2 &&
	smelt-cat -q --parquet-codec gzip "$shapes/lists.jsonl" -o g.parquet &&
	smelt-cat -q --parquet-codec none "$shapes/lists.jsonl" -o n.parquet &&
	smelt-cat -q --plain g.parquet >g &&
	smelt-cat -q --plain n.parquet >n &&
	test_cmp expect g &&
	test_cmp expect n
'

test_done
