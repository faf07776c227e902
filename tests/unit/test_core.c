/*
 * test_core.c — unit tests of pipeline/'s core: sbuf, hashes, UTF-8,
 * base64, JSON paths, the canonical writer and its tree-less twin, the
 * record reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/base64.h"
#include "core/hash.h"
#include "core/image_magic.h"
#include "core/utf8.h"
#include "json/json_canon.h"
#include "json/json_path.h"
#include "json/json_write.h"
#include "io/record_reader.h"
#include "core/sbuf.h"

static void test_sbuf(void **state)
{
	struct sbuf sb = SBUF_INIT;

	(void)state;
	assert_string_equal(sb.buf, "");
	sbuf_addstr(&sb, "hello");
	sbuf_addch(&sb, ' ');
	sbuf_addf(&sb, "%d-%s", 42, "x");
	assert_string_equal(sb.buf, "hello 42-x");
	sbuf_consume(&sb, 6);
	assert_string_equal(sb.buf, "42-x");
	for (int i = 0; i < 10000; i++)
		sbuf_addch(&sb, 'a');
	assert_int_equal(sb.len, 10004);
	assert_int_equal(sb.buf[sb.len], '\0');
	size_t len;
	char *p = sbuf_detach(&sb, &len);
	assert_int_equal(len, 10004);
	assert_int_equal(sb.len, 0);
	free(p);
	sbuf_release(&sb);
}

static void test_hash(void **state)
{
	char hex[HASH128_HEX_LEN + 1];
	struct hash128 h, back;

	(void)state;
	/* XXH3-128 of the empty input, canonical form (xxHash's reference value). */
	hash128_hex(hash128("", 0), hex);
	assert_string_equal(hex, "99aa06d3014798d86001c324468d497f");
	h = hash128("smelt", 5);
	hash128_hex(h, hex);
	assert_int_equal(hash128_from_hex(hex, &back), 0);
	assert_true(hash128_eq(h, back));
	assert_int_equal(hash128_from_hex("xyz", &back), -1);

	struct hash128_state *st = hash128_state_new();
	hash128_state_update(st, "sm", 2);
	hash128_state_update(st, "elt", 3);
	assert_true(hash128_eq(hash128_state_digest(st), h));
	hash128_state_free(st);
}

static void test_json_path(void **state)
{
	json_t *r = json_loads("{\"a\":{\"b\":[1,{\"c\":\"x\"}]},\"m\":[{\"content\":\"q\"},{\"content\":\"z\"}]}", 0, NULL);

	(void)state;
	assert_string_equal(jpath_get_string(r, "a.b[1].c"), "x");
	assert_string_equal(jpath_get_string(r, "m[-1].content"), "z");
	assert_null(jpath_get(r, "a.b[2]"));
	assert_null(jpath_get(r, "a.nope.c"));
	assert_null(jpath_get(r, "a..b"));
	assert_int_equal(jpath_set(r, "scores.rm", json_real(0.5)), 0);
	assert_true(json_real_value(jpath_get(r, "scores.rm")) == 0.5);
	assert_int_equal(jpath_set(r, "a.b[2]", json_integer(7)), 0); /* append */
	assert_int_equal(json_integer_value(jpath_get(r, "a.b[2]")), 7);
	assert_int_equal(jpath_set(r, "a.b[9]", json_integer(7)), -1);
	assert_int_equal(jpath_del(r, "a.b[0]"), 0);
	assert_int_equal(json_array_size(jpath_get(r, "a.b")), 2);
	assert_int_equal(jpath_check("a.b[2].c"), 0);
	assert_int_equal(jpath_check("a.[2]"), -1);
	assert_int_equal(jpath_check("a.b[x]"), -1);
	assert_int_equal(jpath_check(""), -1);
	json_decref(r);
}

static void assert_written(json_t *v, const char *want)
{
	char *s = json_to_string(v);
	assert_string_equal(s, want);
	free(s);
	json_decref(v);
}

static void test_json_write(void **state)
{
	(void)state;
	assert_written(json_real(0.1), "0.1");
	assert_written(json_real(1.0), "1.0");
	assert_written(json_real(1e300), "1e+300");
	assert_written(json_real(2.0 / 3.0), "0.6666666666666666");
	assert_written(json_string("a\"b\\c\n\x01é"), "\"a\\\"b\\\\c\\n\\u0001é\"");
	assert_written(json_pack("{s:i,s:[b,n]}", "z", 1, "a", 1), "{\"z\":1,\"a\":[true,null]}");
	/* integers by hand, strings a word at a time: the edges of both */
	assert_written(json_integer(0), "0");
	assert_written(json_integer(-7), "-7");
	assert_written(json_integer(INT64_MIN), "-9223372036854775808");
	assert_written(json_integer(INT64_MAX), "9223372036854775807");
	assert_written(json_string("0123456789abcdef\"0123456\x1f"), "\"0123456789abcdef\\\"0123456\\u001f\"");
	assert_written(json_string("0123456\x7f\xc3\xa9" "0123456789"), "\"0123456\x7f\xc3\xa9" "0123456789\"");
	assert_written(json_stringn("abcdefgh\0ijklmnop", 17), "\"abcdefgh\\u0000ijklmnop\"");
}

/* json_write_real's printf-free path against the printf loop it shortcuts. */
static void reference_real(char *out, size_t cap, double d)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(out, cap, "%.*g", prec, d);
		if (strtod(out, NULL) == d)
			break;
	}
	if (!strpbrk(out, ".eEn"))
		strcat(out, ".0");
}

static void assert_real_as_reference(double d)
{
	char want[48];
	struct sbuf got = SBUF_INIT;

	reference_real(want, sizeof(want), d);
	json_write_real(&got, d);
	if (strcmp(got.buf, want))
		fail_msg("%.17g: wrote %s, printf says %s", d, got.buf, want);
	sbuf_release(&got);
}

static void test_json_write_real_fast(void **state)
{
	static const double edges[] = { 0.1, 0.5, 1.0, -2.0, 3.25, 1e-4, 0.00012, 9.9999e-5, 123456789012345.0,
		999999999999999.0, 999999999999999.9, 1e15, 1e15 + 2, 0.3, 2.0 / 3.0, 1.0 / 3.0, -0.0, 0.0,
		4503599627370496.5, 9007199254740993.0, 0.1 + 0.2, 1e-5, 12.5e-3, 5e-324, 1.7976931348623157e308 };
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	(void)state;
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		assert_real_as_reference(edges[i]);
		assert_real_as_reference(-edges[i]);
	}
	for (int i = 0; i < 50000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
		/* short decimals (the common case), and arbitrary doubles */
		long long m = (long long)(x % 100000000000ULL);
		int k = (int)(x >> 40) % 19;
		double d = (double)m;
		for (int j = 0; j < k; j++)
			d /= 10;
		assert_real_as_reference(d);
		assert_real_as_reference((double)(x >> 11) * 0x1p-40);
		double r;
		memcpy(&r, &x, sizeof(r));
		if (isfinite(r))
			assert_real_as_reference(r);
	}
}

/* The tree-less path must give the jansson path's bytes, or step aside. */
static void test_json_canon_agrees(void **state)
{
	static const char *const cases[] = {
		"{\"id\":\"a\",\"s\":\"\\u00e9\\/\\\"x\\ud83d\\ude00\",\"n\":[0,-0,1.0,1e2,1.5E-3,-12,0.1]}",
		"  { \"id\" : \"b\" , \"o\" : { \"p\" : [ ] } }  ",
		"{\"id\":\"c\",\"x\":\"tab\\there\",\"u\":\"\\u0000\"}",
		"{\"dup\":1,\"dup\":2}",
		"{\"big\":123456789012345678901234}",
		"{\"id\":-0,\"n\":[-0,9223372036854775807,-9223372036854775808,123456789012345678,-12345678901234567]}",
		"{\"n\":9223372036854775808}",
		"{\"id\":12,\"a\":1}",
		"{\"x\":\"\\ud800\"}",
		"{\"x\":1.}",
		"{\"x\":01}",
		"{\"x\":tru}",
		"{\"x\":\"caf\xe9\"}",
		"{\"x\":\"ctl\x01\"}",
		"[1,2]",
		"{\"a\":1} x",
		"{\"k\":\"\xf0\x9f\x98\x80 ok\"}",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sbuf fast = SBUF_INIT;
		struct json_canon_info info;
		json_t *v = json_loads(cases[i], JSON_ALLOW_NUL | JSON_DECODE_ANY, NULL);
		int r = json_canon(cases[i], strlen(cases[i]), &fast, &info);
		if (r == 0) {
			assert_non_null(v);
			char *slow = json_to_string(v);
			assert_string_equal(fast.buf, slow);
			free(slow);
		} else {
			assert_int_equal(fast.len, 0);
		}
		json_decref(v);
		sbuf_release(&fast);
	}
	/* And the cases that must be fast: */
	struct sbuf out = SBUF_INIT;
	struct json_canon_info info;
	assert_int_equal(json_canon(cases[0], strlen(cases[0]), &out, &info), 0);
	assert_int_equal(info.id_type, 1);
	assert_memory_equal(out.buf + info.id_off, "a", 1);
	/* an integer id: where its digits are, for smelt-cat's fast path */
	static const char int_id[] = "{\"x\":1.5,\"id\": -012}";
	sbuf_reset(&out);
	assert_int_equal(json_canon(int_id, strlen(int_id), &out, &info), -1); /* leading zero */
	static const char int_id2[] = "{\"x\":1.5, \"id\" : -12 }";
	assert_int_equal(json_canon(int_id2, strlen(int_id2), &out, &info), 0);
	assert_int_equal(info.id_type, 3);
	assert_int_equal(info.id_len, 3);
	assert_memory_equal(out.buf + info.id_off, "-12", 3);
	static const char real_id[] = "{\"id\":1e2}";
	sbuf_reset(&out);
	assert_int_equal(json_canon(real_id, strlen(real_id), &out, &info), 0);
	assert_int_equal(info.id_type, 2);
	sbuf_release(&out);
}

static char *write_temp(const char *content, size_t len)
{
	char *path = strdup("/tmp/smelt-unit-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	close(fd);
	return path;
}

static void test_reader_array_locations(void **state)
{
	const char *text = "\xef\xbb\xbf[\n {\"id\":\"a\",\"s\":\"]},\"},\n\n {\"id\":\"b\"}\n,{\"id\":\"c\"}]\n";
	char *path = write_temp(text, strlen(text));
	struct record_reader *r = record_reader_open(path);
	struct raw_record rec;

	(void)state;
	raw_record_init(&rec);
	assert_non_null(r);
	assert_int_equal(record_reader_next(r, &rec), 1);
	assert_string_equal(rec.text.buf, "{\"id\":\"a\",\"s\":\"]},\"}");
	assert_int_equal(rec.loc.line, 2);
	assert_int_equal(rec.loc.index, 0);
	assert_int_equal(record_reader_next(r, &rec), 1);
	assert_string_equal(rec.text.buf, "{\"id\":\"b\"}");
	assert_int_equal(rec.loc.line, 4);
	assert_int_equal(record_reader_next(r, &rec), 1);
	assert_int_equal(rec.loc.index, 2);
	assert_int_equal(rec.loc.line, 5);
	assert_int_equal(record_reader_next(r, &rec), 0);
	assert_string_equal(record_reader_layout(r), "array");
	record_reader_close(r);
	raw_record_release(&rec);
	unlink(path);
	free(path);
}

static void test_reader_lines(void **state)
{
	const char *text = "{\"id\":1}\r\n\n   \n{\"id\":2}\n{\"id\":3}";
	char *path = write_temp(text, strlen(text));
	struct record_reader *r = record_reader_open(path);
	struct raw_record rec;
	uint64_t lines[3];
	int n = 0;

	(void)state;
	raw_record_init(&rec);
	while (record_reader_next(r, &rec) == 1) {
		assert_null(rec.defect);
		lines[n++] = rec.loc.line;
	}
	assert_int_equal(n, 3);
	assert_int_equal(lines[0], 1);
	assert_int_equal(lines[1], 4);
	assert_int_equal(lines[2], 5);
	record_reader_close(r);
	raw_record_release(&rec);
	unlink(path);
	free(path);
}

/* One signature table for llm/ (MIME), parquet/ (extension) and sim/ (web). */
static void test_image_magic(void **state)
{
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0 };
	static const unsigned char jpeg[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F' };
	const struct image_magic *m;

	(void)state;
	assert_string_equal(image_magic_mime(png, sizeof(png)), "image/png");
	assert_string_equal(image_magic_mime(jpeg, sizeof(jpeg)), "image/jpeg");
	assert_string_equal(image_magic(jpeg, sizeof(jpeg))->ext, "jpg");
	assert_string_equal(image_magic_mime("GIF89a..", 8), "image/gif");
	assert_string_equal(image_magic_mime("RIFF\0\0\0\0WEBPVP8 ", 16), "image/webp");
	assert_true(image_magic(png, sizeof(png))->web);
	m = image_magic("BM\0\0\0\0\0\0\0\0\0\0\0\0", 14);
	assert_non_null(m);
	assert_string_equal(m->ext, "bmp");
	assert_false(m->web);
	assert_null(image_magic("BM too short", 12)); /* shorter than a BMP file header */
	m = image_magic("II*\0....", 8);
	assert_string_equal(m->mime, "image/tiff");
	assert_false(m->web);
	assert_null(image_magic_mime("hello", 5));
	assert_null(image_magic_mime(png, 4)); /* a signature cut short */
	assert_null(image_magic(NULL, 0));
}

static void test_utf8(void **state)
{
	(void)state;
	assert_int_equal(utf8_valid_prefix("abc", 3), 3);
	assert_int_equal(utf8_valid_prefix("a\xc3\xa9", 3), 3);
	assert_int_equal(utf8_valid_prefix("a\xc3", 2), 1);
	assert_int_equal(utf8_valid_prefix("\xed\xa0\x80", 3), 0); /* surrogate */
	assert_int_equal(utf8_valid_prefix("\xc0\xaf", 2), 0);     /* overlong */
	assert_int_equal(utf8_valid_prefix("ok\xf4\x90\x80\x80", 6), 2); /* > U+10FFFF */
}

static void test_utf8_encode(void **state)
{
	static const struct {
		uint32_t cp;
		const char *bytes;
	} cases[] = {
		{ 0x0, "\x00" },
		{ 0x41, "A" },
		{ 0x7f, "\x7f" },
		{ 0x80, "\xc2\x80" },
		{ 0xe9, "\xc3\xa9" },
		{ 0x7ff, "\xdf\xbf" },
		{ 0x800, "\xe0\xa0\x80" },
		{ 0xd7ff, "\xed\x9f\xbf" },
		{ 0xe000, "\xee\x80\x80" },
		{ 0xfffd, "\xef\xbf\xbd" },
		{ 0xffff, "\xef\xbf\xbf" },
		{ 0x10000, "\xf0\x90\x80\x80" },
		{ 0x1f600, "\xf0\x9f\x98\x80" },
		{ 0x10ffff, "\xf4\x8f\xbf\xbf" },
	};
	static const uint32_t refused[] = { 0xd800, 0xdbff, 0xdc00, 0xdfff, 0x110000, 0xffffffff };
	struct sbuf sb = SBUF_INIT;
	char b[4];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t want = cases[i].cp ? strlen(cases[i].bytes) : 1, n = utf8_encode(cases[i].cp, b);

		assert_int_equal(n, want);
		assert_memory_equal(b, cases[i].bytes, n);
		/* what is written reads back as one valid character */
		if (n > 1)
			assert_int_equal(utf8_sequence((const unsigned char *)b, n), n);
		sbuf_reset(&sb);
		utf8_add(&sb, cases[i].cp);
		assert_int_equal(sb.len, n);
		assert_memory_equal(sb.buf, b, n);
	}
	/* every scalar value round-trips through the validator */
	for (uint32_t cp = 0x80; cp <= UTF8_MAX; cp++) {
		size_t n = utf8_encode(cp, b);
		if (cp >= 0xd800 && cp <= 0xdfff) {
			assert_int_equal(n, 0);
			continue;
		}
		assert_int_equal(utf8_sequence((const unsigned char *)b, n), n);
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		assert_int_equal(utf8_encode(refused[i], b), 0);
		sbuf_reset(&sb);
		utf8_add(&sb, refused[i]);
		assert_string_equal(sb.buf, "\xef\xbf\xbd");
	}
	sbuf_release(&sb);
}

/* RFC 4648 section 10 */
static const char *const b64_plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
static const char *const b64_coded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };

static void test_base64_encode(void **state)
{
	struct sbuf sb = SBUF_INIT;
	const unsigned char bin[] = { 0x00, 0xff, 0xfe, 0x3e, 0x3f };

	(void)state;
	for (size_t i = 0; i < sizeof(b64_plain) / sizeof(b64_plain[0]); i++) {
		sbuf_reset(&sb);
		base64_encode(&sb, b64_plain[i], strlen(b64_plain[i]));
		assert_string_equal(sb.buf, b64_coded[i]);
	}
	sbuf_reset(&sb);
	sbuf_addstr(&sb, "data:,");
	base64_encode(&sb, bin, sizeof(bin));
	assert_string_equal(sb.buf, "data:,AP/+Pj8=");
	sbuf_release(&sb);
}

static void test_base64_decode(void **state)
{
	unsigned char out[16];

	(void)state;
	for (size_t i = 0; i < sizeof(b64_plain) / sizeof(b64_plain[0]); i++) {
		const char *in = b64_coded[i];
		size_t want = strlen(b64_plain[i]), len = strlen(in);

		memset(out, 0, sizeof(out));
		assert_int_equal(base64_decode(in, len, out, sizeof(out)), want);
		assert_memory_equal(out, b64_plain[i], want);
		/* padding is optional */
		while (len && in[len - 1] == '=')
			len--;
		memset(out, 0, sizeof(out));
		assert_int_equal(base64_decode(in, len, out, sizeof(out)), want);
		assert_memory_equal(out, b64_plain[i], want);
	}
	/* a short buffer gets the head; the size is still the whole */
	memset(out, 0, sizeof(out));
	assert_int_equal(base64_decode("Zm9vYmFy", 8, out, 2), 6);
	assert_memory_equal(out, "fo\0", 3);
	assert_int_equal(base64_decode("Zm9vYmFy", 8, NULL, 0), 6);
	assert_int_equal(base64_decode("AP/+Pj8=", 8, out, sizeof(out)), 5);
	assert_memory_equal(out, "\x00\xff\xfe\x3e\x3f", 5);

	/* outside the alphabet: URL-safe characters, white space, NUL */
	assert_int_equal(base64_decode("Zm9v-g==", 8, out, sizeof(out)), -1);
	assert_int_equal(base64_decode("Zm9v_g==", 8, out, sizeof(out)), -1);
	assert_int_equal(base64_decode("Zm9v\nYmFy", 9, out, sizeof(out)), -1);
	assert_int_equal(base64_decode("Zm9v\0mFy", 8, out, sizeof(out)), -1);
	/* padding in the wrong place, too much of it, a lone 6 bits */
	assert_int_equal(base64_decode("Zg=a", 4, out, sizeof(out)), -1);
	assert_int_equal(base64_decode("Zg===", 5, out, sizeof(out)), -1);
	assert_int_equal(base64_decode("Zm9=", 4, out, sizeof(out)), 2);
	assert_int_equal(base64_decode("Zm9vY", 5, out, sizeof(out)), -1);
	assert_int_equal(base64_decode("Zm9vYg=", 7, out, sizeof(out)), -1);
	assert_int_equal(base64_decode("=", 1, out, sizeof(out)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sbuf),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_json_path),
		cmocka_unit_test(test_json_write),
		cmocka_unit_test(test_json_write_real_fast),
		cmocka_unit_test(test_json_canon_agrees),
		cmocka_unit_test(test_reader_array_locations),
		cmocka_unit_test(test_reader_lines),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_utf8_encode),
		cmocka_unit_test(test_base64_encode),
		cmocka_unit_test(test_base64_decode),
		cmocka_unit_test(test_image_magic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
