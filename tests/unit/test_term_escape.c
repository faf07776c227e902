/*
 * test_term_escape.c — unit tests of core/term_escape: what is escaped
 * (C0, DEL, C1, U+2028/2029, bidi controls, invalid UTF-8), what is kept
 * (printable ASCII, tab, other UTF-8, backslashes), and that the predicate
 * agrees with the escaper.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/sbuf.h"
#include "core/term_escape.h"

/* Escape in[0..len) and compare with `want`; the predicate must agree. */
static void check(const char *in, size_t len, const char *want)
{
	struct sbuf sb = SBUF_INIT;

	term_escape(&sb, in, len);
	assert_string_equal(sb.buf, want);
	assert_int_equal(term_escape_needed(in, len), strcmp(want, in) != 0 || strlen(in) != len);
	sbuf_release(&sb);
}

#define CHECK(in, want) check(in, sizeof(in) - 1, want)

static void test_kept(void **state)
{
	(void)state;
	CHECK("", "");
	CHECK("plain text: a.png, 42", "plain text: a.png, 42");
	CHECK("tab\tkept", "tab\tkept");
	CHECK("C:\\path\\x1b", "C:\\path\\x1b");       /* backslashes are not doubled */
	CHECK("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80");
	CHECK("\xc2\xa0nbsp", "\xc2\xa0nbsp");         /* U+00A0 is past C1 */
	CHECK("\xe2\x80\xa7", "\xe2\x80\xa7");         /* U+2027, next to U+2028 */
}

static void test_controls(void **state)
{
	(void)state;
	CHECK("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m");
	CHECK("a\rb\nc", "a\\rb\\nc");
	CHECK("bell\a", "bell\\x07");
	CHECK("del\x7f", "del\\x7f");
	check("nul\0x", 5, "nul\\x00x");
	CHECK("\xc2\x9b" "2J", "\\u009b2J");           /* C1 CSI as UTF-8 */
	CHECK("\xc2\x85", "\\u0085");
	CHECK("a\xe2\x80\xa8" "b\xe2\x80\xa9", "a\\u2028b\\u2029");
	CHECK("\xe2\x80\xae" "evil", "\\u202eevil");   /* right-to-left override */
	CHECK("\xe2\x81\xa6", "\\u2066");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	CHECK("\x9b" "2J", "\\x9b2J");                 /* a lone 8-bit CSI */
	CHECK("caf\xe9", "caf\\xe9");
	CHECK("\xc0\xaf", "\\xc0\\xaf");               /* overlong */
	CHECK("cut \xe6\x97", "cut \\xe6\\x97");        /* truncated sequence */
	CHECK("\xed\xa0\x80", "\\xed\\xa0\\x80");      /* surrogate */
}

static void test_appends(void **state)
{
	struct sbuf sb = SBUF_INIT;

	(void)state;
	sbuf_addstr(&sb, "id: ");
	term_escape(&sb, "a\x1b" "b", 3);
	assert_string_equal(sb.buf, "id: a\\x1bb");
	assert_int_equal(sb.len, strlen("id: a\\x1bb"));
	sbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kept),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_appends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
