/*
 * test_pq_write.c — the byte-level pieces of the Parquet writer against
 * what the format documents say they must produce: the Thrift compact
 * protocol (field-id deltas, zigzag varints, lists, bools in the type
 * nibble), the RLE / bit-packed hybrid (parquet-format's Encodings.md
 * example among the rows), and the JSON lexing of both writer passes.
 * DuckDB reading whole files is tests/parquet/t0570-write-duckdb.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/sbuf.h"
#include "parquet/pq_format.h"
#include "parquet/pq_thrift_write.h"
#include "parquet/pq_write_column.h"
#include "parquet/pq_write_scan.h"

static void assert_bytes(const struct sbuf *got, const unsigned char *want, size_t n)
{
	if (got->len != n || memcmp(got->buf, want, n)) {
		for (size_t i = 0; i < got->len; i++)
			print_error("%02x ", (unsigned char)got->buf[i]);
		print_error("\n");
		fail_msg("got %zu bytes, want %zu", got->len, n);
	}
}

static void test_thrift_struct(void **state)
{
	struct sbuf b = SBUF_INIT;
	struct tc_writer tw;
	static const unsigned char want[] = {
		0x15, 0x0a,             /* 1: i32 5 (delta 1, zigzag 10) */
		0x18, 0x02, 'a', 'b',   /* 2: binary "ab" */
		0x06, 0x28, 0x01,       /* 20: delta 18 > 15: type, zigzag id 40; i64 -1 -> 1 */
		0x19, 0x35, 0x02, 0x04, 0x06, /* 21: list<i32> [1, 2, 3] */
		0x11,                   /* 22: bool true in the nibble */
		0x1c,                   /* 23: struct */
		0x12,                   /*   1: bool false */
		0x00,                   /*   stop */
		0x19, 0xf8, 0x10,       /* 24: list of 16 binaries: long form */
	};

	(void)state;
	tcw_init(&tw, &b);
	tcw_i32(&tw, 1, 5);
	tcw_string(&tw, 2, "ab");
	tcw_i64(&tw, 20, -1);
	tcw_list_begin(&tw, 21, TC_I32, 3);
	tcw_elem_i32(&tw, 1);
	tcw_elem_i32(&tw, 2);
	tcw_elem_i32(&tw, 3);
	tcw_bool(&tw, 22, 1);
	tcw_struct_begin(&tw, 23);
	tcw_bool(&tw, 1, 0);
	tcw_struct_end(&tw);
	tcw_list_begin(&tw, 24, TC_BINARY, 16);
	assert_bytes(&b, want, sizeof(want));
	sbuf_release(&b);
}

static void test_thrift_big_ids_and_varints(void **state)
{
	struct sbuf b = SBUF_INIT;
	struct tc_writer tw;
	static const unsigned char want[] = {
		0x05, 0x04, 0x80, 0x01, /* 2 again (delta 0): long form; i32 64 -> zigzag 128 */
		0x15, 0x01,             /* 3: i32 -1 */
		0x00,
	};

	(void)state;
	tcw_init(&tw, &b);
	tw.last[0] = 2;
	tcw_i32(&tw, 2, 64);
	tcw_i32(&tw, 3, -1);
	tcw_struct_end(&tw);
	assert_bytes(&b, want, sizeof(want));
	sbuf_release(&b);
}

static void rle(const uint32_t *v, size_t n, int width, const unsigned char *want, size_t wn)
{
	struct sbuf b = SBUF_INIT;

	pqw_rle_encode(&b, v, n, width);
	assert_bytes(&b, want, wn);
	sbuf_release(&b);
}

static void test_rle_hybrid(void **state)
{
	/* Encodings.md: 0..7 at bit width 3 bit-packed -> 10001000 11000110 11111010 */
	static const uint32_t seq[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	static const unsigned char seq_want[] = { 0x03, 0x88, 0xc6, 0xfa };
	/* ten 3s at width 2: one RLE run, value in one byte */
	static const uint32_t run[] = { 3, 3, 3, 3, 3, 3, 3, 3, 3, 3 };
	static const unsigned char run_want[] = { 0x14, 0x03 };
	/* 300 ones at width 9: varint run length, value in two bytes */
	static uint32_t long_run[300];
	static const unsigned char long_want[] = { 0xd8, 0x04, 0x01, 0x00 };
	/* 1, 0, 1 then twelve 2s at width 2: a bit-packed group of 8 (padded
	 * from the run), then the rest of the run (7 left: too short for RLE,
	 * another group with padding at the end) */
	static const uint32_t mixed[] = { 1, 0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2 };
	static const unsigned char mixed_want[] = { 0x05, 0x91, 0xaa, 0xaa, 0x2a };

	(void)state;
	for (size_t i = 0; i < 300; i++)
		long_run[i] = 1;
	rle(seq, 8, 3, seq_want, sizeof(seq_want));
	rle(run, 10, 2, run_want, sizeof(run_want));
	rle(long_run, 300, 9, long_want, sizeof(long_want));
	rle(mixed, 15, 2, mixed_want, sizeof(mixed_want));
}

static void test_scan_string(void **state)
{
	static const char text[] = "\"a\\\"b\\\\c\\/\\n\\u00e9\\ud83d\\ude00\" rest";
	struct pqw_scan s = { text, text + sizeof(text) - 1, 0 };
	struct sbuf out = SBUF_INIT;

	(void)state;
	assert_int_equal(pqw_scan_string(&s, &out), 0);
	assert_int_equal(out.len, strlen("a\"b\\c/\n\xc3\xa9\xf0\x9f\x98\x80"));
	assert_memory_equal(out.buf, "a\"b\\c/\n\xc3\xa9\xf0\x9f\x98\x80", out.len);
	assert_int_equal(pqw_scan_peek(&s), 'r');
	sbuf_release(&out);
}

static void test_scan_skip_and_bad(void **state)
{
	static const char text[] = " {\"a\":[1,{\"b\":\"}\"}],\"c\":null} ,";
	static const char cut[] = "{\"a\":[1,2";
	static const char lone[] = "\"\\udc00\"";
	struct pqw_scan s = { text, text + sizeof(text) - 1, 0 };
	struct sbuf out = SBUF_INIT;
	const char *start;

	(void)state;
	assert_int_equal(pqw_scan_skip_value(&s, &start), 0);
	assert_int_equal((int)(s.p - start), (int)strlen("{\"a\":[1,{\"b\":\"}\"}],\"c\":null}"));
	assert_int_equal(pqw_scan_peek(&s), ',');

	s = (struct pqw_scan){ cut, cut + sizeof(cut) - 1, 0 };
	assert_int_equal(pqw_scan_skip_value(&s, &start), -1);
	assert_true(s.bad);
	s = (struct pqw_scan){ lone, lone + sizeof(lone) - 1, 0 };
	assert_int_equal(pqw_scan_string(&s, &out), -1);
	sbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thrift_struct),
		cmocka_unit_test(test_thrift_big_ids_and_varints),
		cmocka_unit_test(test_rle_hybrid),
		cmocka_unit_test(test_scan_string),
		cmocka_unit_test(test_scan_skip_and_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
