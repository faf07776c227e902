#!/bin/sh
# --embed-images: "image" and "images" refs (files, tar: shard members)
# become Hugging Face Image structs {bytes, path} in the Parquet file; DuckDB
# reads the bytes back equal to the files; a missing image is a reject
# with its reason, never a silent drop; the option wants Parquet output.
. "$(dirname "$0")/../lib.sh"
. "$SMELT_TOP/tests/parquet/lib-write.sh"

if ! have_duckdb; then
	test_skip 'embedded images read back by DuckDB' 'tests/tools/node_modules/@duckdb/node-api is missing (make deps)'
	test_case 'placeholder: --embed-images wants Parquet output' '
		echo "{\"id\":\"a\"}" >in.jsonl &&
		test_status 2 smelt-cat -q --embed-images in.jsonl -o out.jsonl 2>/dev/null
	'
	test_done
	exit
fi

# Three small PNGs of different colours, one in a tar shard.
img="$test_root/img"
mkdir -p "$img/sub"
/usr/bin/python3 - "$img" <<'PY'
import struct, sys, zlib
def png(rgb):
    def chunk(t, d):
        return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    raw = b''.join(b'\0' + bytes(rgb) * 4 for _ in range(4))
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 4, 4, 8, 2, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
for name, rgb in (('red.png', (255, 0, 0)), ('green.png', (0, 255, 0)), ('sub/blue.png', (0, 0, 255))):
    open(sys.argv[1] + '/' + name, 'wb').write(png(rgb))
PY
(cd "$img" && tar cf shard.tar sub/blue.png)

test_case 'image and images refs become {bytes, path}; DuckDB reads the same bytes' '
	cp "$img"/red.png "$img"/green.png "$img"/shard.tar . &&
	cat >in.jsonl <<-\EOF &&
	{"id":"one","image":"red.png","text":"a"}
	{"id":"many","images":["green.png","tar:shard.tar#sub/blue.png"],"text":"b"}
	{"id":"none","text":"c"}
	EOF
	smelt-cat -q --embed-images in.jsonl -o out.parquet &&
	duckdb "COPY (SELECT id, md5(image.bytes) AS one, [md5(i.bytes) FOR i IN images] AS many,
		image.path AS path, [i.path FOR i IN images] AS paths FROM read_parquet('"'"'out.parquet'"'"')) TO '"'"'got.json'"'"' (FORMAT JSON)" \
		"COPY (SELECT name, type, converted_type FROM parquet_schema('"'"'out.parquet'"'"') WHERE name IN ('"'"'bytes'"'"', '"'"'path'"'"')) TO '"'"'schema.json'"'"' (FORMAT JSON)" &&
	r=$(md5sum <red.png | cut -d" " -f1) && g=$(md5sum <green.png | cut -d" " -f1) &&
	b=$(md5sum <"$img/sub/blue.png" | cut -d" " -f1) &&
	cat >expect <<-EOF &&
	{"id":"one","one":"$r","many":null,"path":"red.png","paths":null}
	{"id":"many","one":null,"many":["$g","$b"],"path":null,"paths":["green.png","tar:shard.tar#sub/blue.png"]}
	{"id":"none","one":null,"many":null,"path":null,"paths":null}
	EOF
	test_cmp expect got.json &&
	grep -q "\"name\":\"bytes\",\"type\":\"BYTE_ARRAY\",\"converted_type\":null" schema.json &&
	grep -q "\"name\":\"path\",\"type\":\"BYTE_ARRAY\",\"converted_type\":\"UTF8\"" schema.json &&
	duckdb "COPY (SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata('"'"'out.parquet'"'"')) TO '"'"'kv.json'"'"' (FORMAT JSON)" &&
	/usr/bin/python3 -c "
import json, sys
kv = [json.loads(l) for l in open(\"kv.json\")]
assert [r[\"key\"] for r in kv] == [\"huggingface\"], kv
got = json.loads(kv[0][\"value\"])
v = lambda t: {\"dtype\": t, \"_type\": \"Value\"}
want = {\"info\": {\"features\": {\"id\": v(\"string\"), \"image\": {\"_type\": \"Image\"},
        \"text\": v(\"string\"), \"images\": [{\"_type\": \"Image\"}]}}}
assert got == want, got
assert list(got[\"info\"][\"features\"]) == [\"id\", \"image\", \"text\", \"images\"]
"
'

test_case 'a data: URI (a Parquet image read without --extract-images) is embedded with no path' '
	uri="data:image/png;base64,$(base64 -w0 <"$img/red.png")" &&
	echo "{\"id\":\"d\",\"image\":\"$uri\"}" >in.jsonl &&
	smelt-cat -q --embed-images in.jsonl -o out.parquet &&
	duckdb "COPY (SELECT image.path AS path, md5(image.bytes) AS m FROM read_parquet('"'"'out.parquet'"'"')) TO '"'"'got.json'"'"' (FORMAT JSON)" &&
	echo "{\"path\":null,\"m\":\"$(md5sum <"$img/red.png" | cut -d" " -f1)\"}" >expect &&
	test_cmp expect got.json
'

test_case 'a missing image is a reject with its reason; the others are written' '
	cp "$img"/red.png . &&
	cat >in.jsonl <<-\EOF &&
	{"id":"ok","image":"red.png"}
	{"id":"gone","image":"gone.png"}
	EOF
	test_status 0 smelt-cat -q --embed-images --rejects rej.jsonl in.jsonl -o out.parquet &&
	grep -q "\"id\":\"gone\"" rej.jsonl && grep -q "missing_image" rej.jsonl &&
	duckdb "COPY (SELECT id FROM read_parquet('"'"'out.parquet'"'"')) TO '"'"'ids.json'"'"' (FORMAT JSON)" &&
	echo "{\"id\":\"ok\"}" >expect &&
	test_cmp expect ids.json
'

test_case '--embed-images without Parquet output is a usage error' '
	echo "{\"id\":\"a\"}" >in.jsonl &&
	test_status 2 smelt-cat -q --embed-images in.jsonl -o out.jsonl 2>err &&
	grep -q "Parquet output" err
'

test_done
