/*
 * test_parquet.c — the Parquet decoders on hand-built bytes, for what
 * DuckDB's files never hold: DELTA_BYTE_ARRAY, page CRCs, the format's
 * own RLE and DELTA_BINARY_PACKED examples, BYTE_STREAM_SPLIT of FLOAT,
 * and hostile page headers. (DuckDB-written files: tests/parquet/.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parquet/pq_codec.h"
#include "parquet/pq_column.h"
#include "parquet/pq_encoding.h"
#include "parquet/pq_format.h"
#include "parquet/pq_meta.h"
#include "parquet/pq_reader.h"

#include <jansson.h>
#include <unistd.h>

/* The RLE example of the format's docs: a bit-packed run of 0..7 at width 3, then a run of five 2s. */
static void test_rle_hybrid(void **state)
{
	static const uint8_t in[] = { 0x03, 0x88, 0xc6, 0xfa, 0x0a, 0x02 };
	uint32_t out[13];
	struct sbuf err = SBUF_INIT;
	size_t used;

	(void)state;
	assert_int_equal(pq_rle_decode(in, sizeof(in), 3, out, 13, &used, &err), 0);
	for (uint32_t i = 0; i < 8; i++)
		assert_int_equal(out[i], i);
	for (int i = 8; i < 13; i++)
		assert_int_equal(out[i], 2);
	assert_int_equal(used, sizeof(in));
	/* one value more than the data holds */
	uint32_t more[14];
	assert_int_equal(pq_rle_decode(in, sizeof(in), 3, more, 14, NULL, &err), -1);
	assert_non_null(strstr(err.buf, "RLE data ends"));
	sbuf_release(&err);
}

/* 7 5 3 1 2 3 4 5: deltas -2 -2 -2 1 1 1 1, min -2, width 2. */
static void test_delta_binary_packed(void **state)
{
	static const uint8_t in[] = { 0x80, 0x01, 0x04, 0x08, 0x0e, 0x03, 0x02, 0x00, 0x00, 0x00,
				      0xc0, 0xff, 0, 0, 0, 0, 0, 0 };
	static const int32_t want[] = { 7, 5, 3, 1, 2, 3, 4, 5 };
	struct pq_val v[8];
	uint8_t *arena;
	struct sbuf err = SBUF_INIT;

	(void)state;
	assert_int_equal(pq_decode_values(PQ_ENC_DELTA_BINARY_PACKED, PQ_INT32, 0, in, sizeof(in), 8, v, &arena, &err), 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(v[i].i32, want[i]);
	free(arena);
	/* the page says 9 values: the encoding holds 8 */
	struct pq_val w[9];
	assert_int_equal(pq_decode_values(PQ_ENC_DELTA_BINARY_PACKED, PQ_INT32, 0, in, sizeof(in), 9, w, &arena, &err), -1);
	free(arena);
	/* cut inside the miniblock */
	assert_int_equal(pq_decode_values(PQ_ENC_DELTA_BINARY_PACKED, PQ_INT32, 0, in, 11, 8, v, &arena, &err), -1);
	free(arena);
	sbuf_release(&err);
}

/* axis axle babble babyhood: prefixes 0 2 0 3, suffixes axis le babble yhood. */
static void test_delta_byte_array(void **state)
{
	static const uint8_t in[] = {
		/* prefix lengths: first 0; min delta -2; width 3; 4 0 5 */
		0x80, 0x01, 0x04, 0x04, 0x00, 0x03, 0x03, 0x00, 0x00, 0x00,
		0x44, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		/* suffix lengths: first 4; min delta -2; width 3; 0 6 1 */
		0x80, 0x01, 0x04, 0x04, 0x08, 0x03, 0x03, 0x00, 0x00, 0x00,
		0x70, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		'a', 'x', 'i', 's', 'l', 'e', 'b', 'a', 'b', 'b', 'l', 'e', 'y', 'h', 'o', 'o', 'd',
	};
	static const char *const want[] = { "axis", "axle", "babble", "babyhood" };
	struct pq_val v[4];
	uint8_t *arena;
	struct sbuf err = SBUF_INIT;

	(void)state;
	assert_int_equal(pq_decode_values(PQ_ENC_DELTA_BYTE_ARRAY, PQ_BYTE_ARRAY, 0, in, sizeof(in), 4, v, &arena, &err), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(v[i].s.len, strlen(want[i]));
		assert_memory_equal(v[i].s.ptr, want[i], v[i].s.len);
	}
	free(arena);
	/* suffix bytes cut short */
	assert_int_equal(pq_decode_values(PQ_ENC_DELTA_BYTE_ARRAY, PQ_BYTE_ARRAY, 0, in, sizeof(in) - 3, 4, v, &arena, &err), -1);
	free(arena);
	sbuf_release(&err);
}

static void test_byte_stream_split(void **state)
{
	static const uint8_t in[] = { 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x3f, 0x40 };
	struct pq_val v[2];
	uint8_t *arena;
	struct sbuf err = SBUF_INIT;

	(void)state;
	assert_int_equal(pq_decode_values(PQ_ENC_BYTE_STREAM_SPLIT, PQ_FLOAT, 0, in, sizeof(in), 2, v, &arena, &err), 0);
	assert_true(v[0].f == 1.0f && v[1].f == 2.0f);
	free(arena);
	assert_int_equal(pq_decode_values(PQ_ENC_BYTE_STREAM_SPLIT, PQ_FLOAT, 0, in, 7, 2, v, &arena, &err), -1);
	free(arena);
	sbuf_release(&err);
}

static size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* A v1 data page of two required PLAIN INT32 values (7, 9) with a CRC. */
static size_t crc_chunk(uint8_t *buf, int damage)
{
	static const uint8_t data[8] = { 7, 0, 0, 0, 9, 0, 0, 0 };
	int32_t crc = (int32_t)pq_crc32(data, sizeof(data));
	size_t n = 0;

	buf[n++] = 0x15; buf[n++] = 0x00;                /* type DATA_PAGE */
	buf[n++] = 0x15; buf[n++] = 0x10;                /* uncompressed 8 */
	buf[n++] = 0x15; buf[n++] = 0x10;                /* compressed 8 */
	buf[n++] = 0x15;                                 /* crc */
	n += put_varint(buf + n, ((uint64_t)(int64_t)crc << 1) ^ (uint64_t)((int64_t)crc >> 63));
	buf[n++] = 0x1c;                                 /* data_page_header */
	buf[n++] = 0x15; buf[n++] = 0x04;                /* num_values 2 */
	buf[n++] = 0x15; buf[n++] = 0x00;                /* PLAIN */
	buf[n++] = 0x15; buf[n++] = 0x06;                /* RLE levels */
	buf[n++] = 0x15; buf[n++] = 0x06;
	buf[n++] = 0x00;
	buf[n++] = 0x00;
	memcpy(buf + n, data, sizeof(data));
	if (damage)
		buf[n + 4] ^= 1;
	return n + sizeof(data);
}

static void test_page_crc(void **state)
{
	uint8_t buf[64];
	struct sbuf err = SBUF_INIT;
	int rep, def;
	const struct pq_val *v;

	(void)state;
	size_t n = crc_chunk(buf, 0);
	struct pq_column *c = pq_column_open(buf, n, PQ_CODEC_UNCOMPRESSED, PQ_INT32, 0, 0, 0);
	assert_int_equal(pq_column_next(c, &rep, &def, &v, &err), 1);
	assert_int_equal(v->i32, 7);
	assert_int_equal(pq_column_next(c, &rep, &def, &v, &err), 1);
	assert_int_equal(v->i32, 9);
	assert_int_equal(pq_column_next(c, &rep, &def, &v, &err), 0);
	pq_column_close(c);

	n = crc_chunk(buf, 1);
	c = pq_column_open(buf, n, PQ_CODEC_UNCOMPRESSED, PQ_INT32, 0, 0, 0);
	assert_int_equal(pq_column_next(c, &rep, &def, &v, &err), -1);
	assert_non_null(strstr(err.buf, "page CRC mismatch"));
	pq_column_close(c);

	/* the page claims more bytes than the chunk has */
	n = crc_chunk(buf, 0);
	c = pq_column_open(buf, n - 1, PQ_CODEC_UNCOMPRESSED, PQ_INT32, 0, 0, 0);
	sbuf_reset(&err);
	assert_int_equal(pq_column_next(c, &rep, &def, &v, &err), -1);
	assert_non_null(strstr(err.buf, "runs past the end of the column chunk"));
	pq_column_close(c);
	sbuf_release(&err);
}


/* ---- a hand-built file ---------------------------------------------------
 * What DuckDB never writes: a bare repeated field (no LIST annotation), a
 * legacy two-level list (repeated child named "array"), INT96, a
 * DELTA_BYTE_ARRAY data page, and a page CRC; written with a tiny Thrift
 * compact writer.
 */
struct tw {
	uint8_t buf[8192];
	size_t n;
	int16_t last[16];
	int depth;
};

static void tw_byte(struct tw *w, uint8_t b) { w->buf[w->n++] = b; }
static void tw_bytes(struct tw *w, const void *p, size_t len) { memcpy(w->buf + w->n, p, len); w->n += len; }
static void tw_varint(struct tw *w, uint64_t v) { w->n += put_varint(w->buf + w->n, v); }
static uint64_t zz(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }

static void tw_field(struct tw *w, int id, int type)
{
	int d = id - w->last[w->depth];
	if (d > 0 && d <= 15) {
		tw_byte(w, (uint8_t)(d << 4 | type));
	} else {
		tw_byte(w, (uint8_t)type);
		tw_varint(w, zz(id));
	}
	w->last[w->depth] = (int16_t)id;
}
static void tw_int(struct tw *w, int id, int type, int64_t v) { tw_field(w, id, type); tw_varint(w, zz(v)); }
static void tw_str(struct tw *w, int id, const char *s)
{
	tw_field(w, id, TC_BINARY);
	tw_varint(w, strlen(s));
	tw_bytes(w, s, strlen(s));
}
static void tw_begin(struct tw *w) { w->last[++w->depth] = 0; }
static void tw_struct(struct tw *w, int id) { tw_field(w, id, TC_STRUCT); tw_begin(w); }
static void tw_end(struct tw *w) { tw_byte(w, 0); w->depth--; }
static void tw_list(struct tw *w, int id, int etype, int n) { tw_field(w, id, TC_LIST); tw_byte(w, (uint8_t)(n << 4 | etype)); }

/* A v1 data page (uncompressed): header then body, a CRC when asked. */
static void tw_page(struct tw *w, const uint8_t *body, size_t len, int nvalues, int enc, int crc)
{
	w->depth = 0;
	w->last[0] = 0;
	tw_int(w, PQ_PH_TYPE, TC_I32, PQ_PAGE_DATA);
	tw_int(w, PQ_PH_UNCOMPRESSED_SIZE, TC_I32, (int64_t)len);
	tw_int(w, PQ_PH_COMPRESSED_SIZE, TC_I32, (int64_t)len);
	if (crc)
		tw_int(w, PQ_PH_CRC, TC_I32, (int32_t)pq_crc32(body, len));
	tw_struct(w, PQ_PH_DATA_PAGE_HEADER);
	tw_int(w, PQ_DPH_NUM_VALUES, TC_I32, nvalues);
	tw_int(w, PQ_DPH_ENCODING, TC_I32, enc);
	tw_int(w, PQ_DPH_DEF_LEVEL_ENCODING, TC_I32, PQ_ENC_RLE);
	tw_int(w, PQ_DPH_REP_LEVEL_ENCODING, TC_I32, PQ_ENC_RLE);
	tw_end(w);
	tw_byte(w, 0);
	tw_bytes(w, body, len);
}

struct col { const char *path[2]; int npath, type, nvalues; int64_t offset, size; };

static void tw_schema(struct tw *w, const char *name, int type, int rep, int nchildren, int converted)
{
	tw_begin(w);
	if (type >= 0)
		tw_int(w, PQ_SE_TYPE, TC_I32, type);
	if (rep >= 0)
		tw_int(w, PQ_SE_REPETITION, TC_I32, rep);
	tw_str(w, PQ_SE_NAME, name);
	if (nchildren)
		tw_int(w, PQ_SE_NUM_CHILDREN, TC_I32, nchildren);
	if (converted >= 0)
		tw_int(w, PQ_SE_CONVERTED_TYPE, TC_I32, converted);
	tw_end(w);
}

/* Two rows: {x:[1,2], l:[5], t:2020-01-01T00:00:01.5, s:"axis"}, {x:[], l:null, t:1970-01-01, s:"axle"}. */
static size_t build_file(uint8_t *out, int bad_crc, int bad_utf8)
{
	static struct tw w;
	struct col cols[4] = {
		{ { "x" }, 1, PQ_INT32, 3, 0, 0 },
		{ { "l", "array" }, 2, PQ_INT32, 2, 0, 0 },
		{ { "t" }, 1, PQ_INT96, 2, 0, 0 },
		{ { "s" }, 1, PQ_BYTE_ARRAY, 2, 0, 0 },
	};
	/* x: rep 0 1 0, def 1 1 0 (bit-packed, width 1), values 1 2 */
	static const uint8_t x[] = { 2, 0, 0, 0, 0x03, 0x02, 2, 0, 0, 0, 0x03, 0x03, 1, 0, 0, 0, 2, 0, 0, 0 };
	/* l.array: rep 0 0, def 2 0 (width 2), value 5 */
	static const uint8_t l[] = { 2, 0, 0, 0, 0x03, 0x00, 3, 0, 0, 0, 0x03, 0x02, 0x00, 5, 0, 0, 0 };
	uint8_t t[24];
	int64_t nanos = 1500000000;
	int32_t jd = 2458850;
	memcpy(t, &nanos, 8);
	memcpy(t + 8, &jd, 4);
	nanos = 0;
	jd = 2440588;
	memcpy(t + 12, &nanos, 8);
	memcpy(t + 20, &jd, 4);
	uint8_t s[] = { 0x80, 0x01, 0x04, 0x02, 0x00, 0x04, 0, 0, 0, 0,
				     0x80, 0x01, 0x04, 0x02, 0x08, 0x03, 0, 0, 0, 0,
				     'a', 'x', 'i', 's', 'l', 'e' };
	if (bad_utf8)
		s[23] = 0xff; /* "axis" -> "axi\xff": row 0 only */
	const uint8_t *bodies[4] = { x, l, t, s };
	size_t lens[4] = { sizeof(x), sizeof(l), sizeof(t), sizeof(s) };
	int encs[4] = { PQ_ENC_PLAIN, PQ_ENC_PLAIN, PQ_ENC_PLAIN, PQ_ENC_DELTA_BYTE_ARRAY };

	memset(&w, 0, sizeof(w));
	tw_bytes(&w, "PAR1", 4);
	for (int i = 0; i < 4; i++) {
		cols[i].offset = (int64_t)w.n;
		tw_page(&w, bodies[i], lens[i], cols[i].nvalues, encs[i], i == 3);
		cols[i].size = (int64_t)w.n - cols[i].offset;
	}
	if (bad_crc)
		w.buf[w.n - 1] ^= 1;
	size_t footer = w.n;
	w.depth = 0;
	w.last[0] = 0;
	tw_int(&w, PQ_FMD_VERSION, TC_I32, 1);
	tw_list(&w, PQ_FMD_SCHEMA, TC_STRUCT, 6);
	tw_schema(&w, "schema", -1, -1, 4, -1);
	tw_schema(&w, "x", PQ_INT32, PQ_REPEATED, 0, -1);
	tw_schema(&w, "l", -1, PQ_OPTIONAL, 1, PQ_CT_LIST);
	tw_schema(&w, "array", PQ_INT32, PQ_REPEATED, 0, -1);
	tw_schema(&w, "t", PQ_INT96, PQ_REQUIRED, 0, -1);
	tw_schema(&w, "s", PQ_BYTE_ARRAY, PQ_REQUIRED, 0, PQ_CT_UTF8);
	tw_int(&w, PQ_FMD_NUM_ROWS, TC_I64, 2);
	tw_list(&w, PQ_FMD_ROW_GROUPS, TC_STRUCT, 1);
	tw_begin(&w);
	tw_list(&w, PQ_RG_COLUMNS, TC_STRUCT, 4);
	for (int i = 0; i < 4; i++) {
		tw_begin(&w);
		tw_int(&w, PQ_CC_FILE_OFFSET, TC_I64, cols[i].offset);
		tw_struct(&w, PQ_CC_META_DATA);
		tw_int(&w, PQ_CMD_TYPE, TC_I32, cols[i].type);
		tw_list(&w, PQ_CMD_ENCODINGS, TC_I32, 1);
		tw_varint(&w, zz(encs[i]));
		tw_list(&w, PQ_CMD_PATH_IN_SCHEMA, TC_BINARY, cols[i].npath);
		for (int k = 0; k < cols[i].npath; k++) {
			tw_varint(&w, strlen(cols[i].path[k]));
			tw_bytes(&w, cols[i].path[k], strlen(cols[i].path[k]));
		}
		tw_int(&w, PQ_CMD_CODEC, TC_I32, PQ_CODEC_UNCOMPRESSED);
		tw_int(&w, PQ_CMD_NUM_VALUES, TC_I64, cols[i].nvalues);
		tw_int(&w, PQ_CMD_TOTAL_UNCOMPRESSED_SIZE, TC_I64, cols[i].size);
		tw_int(&w, PQ_CMD_TOTAL_COMPRESSED_SIZE, TC_I64, cols[i].size);
		tw_int(&w, PQ_CMD_DATA_PAGE_OFFSET, TC_I64, cols[i].offset);
		tw_end(&w);
		tw_end(&w);
	}
	tw_int(&w, PQ_RG_TOTAL_BYTE_SIZE, TC_I64, 100);
	tw_int(&w, PQ_RG_NUM_ROWS, TC_I64, 2);
	tw_end(&w);
	tw_byte(&w, 0);
	uint32_t flen = (uint32_t)(w.n - footer);
	tw_bytes(&w, &flen, 4);
	tw_bytes(&w, "PAR1", 4);
	memcpy(out, w.buf, w.n);
	return w.n;
}

/* Read a built file through pq_reader; the rows as compact JSON lines. */
static int read_built(const uint8_t *buf, size_t len, struct sbuf *rows, struct sbuf *err)
{
	char path[] = "/tmp/test_parquet.XXXXXX";
	int fd = mkstemp(path), ret, usage;
	json_t *row;
	const char *kind;

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	struct pq_reader *r = pq_reader_open(fd, path, len, NULL, err, &usage);
	assert_non_null(r);
	while ((ret = pq_reader_next(r, &row, &kind, err)) >= 1) {
		if (ret == 2) {
			sbuf_addf(rows, "%s: %s\n", kind, err->buf);
			sbuf_reset(err);
			continue;
		}
		char *s = json_dumps(row, JSON_COMPACT | JSON_PRESERVE_ORDER);
		sbuf_addstr(rows, s);
		sbuf_addch(rows, '\n');
		free(s);
		json_decref(row);
	}
	pq_reader_close(r);
	close(fd);
	return ret;
}

static void test_hand_built_file(void **state)
{
	static uint8_t buf[8192];
	struct sbuf rows = SBUF_INIT, err = SBUF_INIT;

	(void)state;
	size_t n = build_file(buf, 0, 0);
	assert_int_equal(pq_check_buffer(buf, n, &err), 0);
	assert_int_equal(read_built(buf, n, &rows, &err), 0);
	assert_string_equal(rows.buf,
			    "{\"x\":[1,2],\"l\":[5],\"t\":\"2020-01-01T00:00:01.5\",\"s\":\"axis\"}\n"
			    "{\"x\":[],\"l\":null,\"t\":\"1970-01-01T00:00:00\",\"s\":\"axle\"}\n");
	/* the same file with the last page's CRC broken */
	n = build_file(buf, 1, 0);
	sbuf_reset(&rows);
	assert_int_equal(read_built(buf, n, &rows, &err), -1);
	assert_non_null(strstr(err.buf, "row group 0 of 1, column 's': page CRC mismatch"));
	/* a STRING that is not UTF-8 rejects its row, and only it */
	n = build_file(buf, 0, 1);
	sbuf_reset(&rows);
	sbuf_reset(&err);
	assert_int_equal(read_built(buf, n, &rows, &err), 0);
	assert_string_equal(rows.buf,
			    "bad_utf8: column 's' holds a string that is not valid UTF-8\n"
			    "{\"x\":[],\"l\":null,\"t\":\"1970-01-01T00:00:00\",\"s\":\"axle\"}\n");
	sbuf_release(&rows);
	sbuf_release(&err);
}

/* Hostile headers: nesting past the limit, lists longer than the bytes. */
static void test_hostile_headers(void **state)
{
	uint8_t deep[200];
	struct pq_page_header h;
	struct pq_file_meta m;
	size_t used;
	struct sbuf err = SBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(deep); i++)
		deep[i] = 0x1c; /* a struct field, again and again */
	assert_int_equal(pq_page_header_parse(deep, sizeof(deep), &h, &used, &err), -1);
	assert_non_null(strstr(err.buf, "nested too deeply"));
	static const uint8_t long_list[] = { 0x19, 0xfc, 0xff, 0xff, 0xff, 0x0f }; /* schema: 2^32-1 structs */
	sbuf_reset(&err);
	assert_int_equal(pq_meta_parse(long_list, sizeof(long_list), &m, &err), -1);
	assert_non_null(strstr(err.buf, "longer than the bytes left"));
	sbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rle_hybrid),
		cmocka_unit_test(test_delta_binary_packed),
		cmocka_unit_test(test_delta_byte_array),
		cmocka_unit_test(test_byte_stream_split),
		cmocka_unit_test(test_page_crc),
		cmocka_unit_test(test_hostile_headers),
		cmocka_unit_test(test_hand_built_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
