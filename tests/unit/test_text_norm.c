/*
 * test_text_norm.c — the normalisation exact dedup relies on: width, case,
 * composition, ignorables and white space fold; the ASCII fast path agrees
 * with utf8proc's path; long inputs and bad UTF-8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/sbuf.h"
#include "text/text_norm.h"

static char *norm(const char *s, size_t len)
{
	struct sbuf sb = SBUF_INIT;

	assert_int_equal(text_norm_append(&sb, s, len), 0);
	return sbuf_detach(&sb, NULL);
}

static void assert_norm(const char *in, const char *want)
{
	char *got = norm(in, strlen(in));

	assert_string_equal(got, want);
	free(got);
}

static void test_width_and_case(void **state)
{
	(void)state;
	assert_norm("\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3", "abc"); /* fullwidth ABC */
	assert_norm("ABC", "abc");
	assert_norm("Stra\xc3\x9f" "e", "strasse");                 /* sharp s folds to ss */
	assert_norm("\xef\xac\x81le", "file");                       /* fi ligature */
	assert_norm("\xce\xa3\xce\x99\xce\xa3", "\xcf\x83\xce\xb9\xcf\x83"); /* Greek capitals */
}

static void test_composition(void **state)
{
	char *composed = norm("caf\xc3\xa9", 5), *decomposed = norm("cafe\xcc\x81", 6);

	(void)state;
	assert_string_equal(composed, decomposed);
	assert_string_equal(composed, "caf\xc3\xa9");
	free(composed);
	free(decomposed);
	assert_norm("CAFE\xcc\x81", "caf\xc3\xa9");
}

static void test_white_space(void **state)
{
	(void)state;
	assert_norm("  Hello\t\n  World  ", "hello world");
	assert_norm("Hello\xc2\xa0\xe3\x80\x80World", "hello world"); /* NBSP, ideographic space */
	assert_norm("a\xe2\x80\xa8" "b", "a b");                       /* line separator */
	assert_norm("", "");
	assert_norm(" \t\r\n ", "");
	assert_norm("\xe3\x80\x80", "");
}

static void test_ignorables(void **state)
{
	(void)state;
	assert_norm("a\xe2\x80\x8b" "b", "ab"); /* zero-width space */
	assert_norm("co\xc2\xad" "operate", "cooperate"); /* soft hyphen */
}

/* A trailing soft hyphen forces the utf8proc path and then vanishes, so
 * both paths must give the same bytes for every ASCII character. */
static void test_ascii_fast_path_agrees(void **state)
{
	(void)state;
	for (int c = 0; c < 128; c++) {
		char in[8] = { 'x', 'A', (char)c, (char)c, ' ', 'z' };
		char slow_in[8];
		memcpy(slow_in, in, 6);
		memcpy(slow_in + 6, "\xc2\xad", 2);
		char *fast = norm(in, 6), *slow = norm(slow_in, 8);
		assert_string_equal(fast, slow);
		free(fast);
		free(slow);
	}
}

static void test_nul_bytes_kept(void **state)
{
	struct sbuf sb = SBUF_INIT;

	(void)state;
	assert_int_equal(text_norm_append(&sb, "A\0B", 3), 0);
	assert_int_equal(sb.len, 3);
	assert_memory_equal(sb.buf, "a\0b", 3);
	sbuf_reset(&sb);
	assert_int_equal(text_norm_append(&sb, "\xc3\x89\0B", 4), 0);
	assert_int_equal(sb.len, 4);
	assert_memory_equal(sb.buf, "\xc3\xa9\0b", 4);
	sbuf_release(&sb);
}

/* Past the stack buffer (1024 code points) the heap path takes over. */
static void test_long_input(void **state)
{
	struct sbuf in = SBUF_INIT, want = SBUF_INIT;
	char *got;

	(void)state;
	for (int i = 0; i < 3000; i++) {
		sbuf_addstr(&in, "E\xcc\x81  ");
		sbuf_addstr(&want, i ? " \xc3\xa9" : "\xc3\xa9");
	}
	got = norm(in.buf, in.len);
	assert_string_equal(got, want.buf);
	free(got);
	sbuf_release(&in);
	sbuf_release(&want);
}

static void test_appends(void **state)
{
	struct sbuf sb = SBUF_INIT;

	(void)state;
	sbuf_addstr(&sb, "x|");
	assert_int_equal(text_norm_append(&sb, " \xef\xbc\xa1 ", 5), 0);
	assert_string_equal(sb.buf, "x|a");
	sbuf_release(&sb);
}

static void test_bad_utf8(void **state)
{
	struct sbuf sb = SBUF_INIT;

	(void)state;
	assert_int_equal(text_norm_append(&sb, "a\xff" "b", 3), -1);
	assert_int_equal(text_norm_append(&sb, "\xc3", 1), -1);
	sbuf_release(&sb);
}

static void test_is_space(void **state)
{
	(void)state;
	assert_true(text_norm_is_space(' '));
	assert_true(text_norm_is_space('\v'));
	assert_true(text_norm_is_space(0x2003));
	assert_true(text_norm_is_space(0x85));
	assert_false(text_norm_is_space('a'));
	assert_false(text_norm_is_space(0x200b)); /* ignorable, not white space */
	assert_false(text_norm_is_space(0x1c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width_and_case),
		cmocka_unit_test(test_composition),
		cmocka_unit_test(test_white_space),
		cmocka_unit_test(test_ignorables),
		cmocka_unit_test(test_ascii_fast_path_agrees),
		cmocka_unit_test(test_nul_bytes_kept),
		cmocka_unit_test(test_long_input),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_bad_utf8),
		cmocka_unit_test(test_is_space),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
