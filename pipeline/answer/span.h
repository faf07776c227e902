/*
 * span.h — byte spans over borrowed text, and the byte tests every answer
 * rule shares.
 *
 * The rules in answer/ read the reply and the gold answer through spans: a
 * pointer and a length into text the caller owns, so that trimming,
 * unwrapping and splitting never copy. A span is not NUL-terminated; an
 * sbuf holds whatever a rule has to rewrite.
 *
 * The character tests are ASCII-only on purpose: a check must not depend
 * on the locale, and a byte of UTF-8 (>= 0x80) is never a letter, digit or
 * space here. Text outside ASCII is compared after span_casefold.
 */
#ifndef SMELT_ANSWER_SPAN_H
#define SMELT_ANSWER_SPAN_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "core/sbuf.h"

struct span {
	const char *p;	/* borrowed */
	size_t n;
};

static inline struct span span_of(const char *s)
{
	struct span r = { s, strlen(s) };
	return r;
}

static inline struct span span_make(const char *p, size_t n)
{
	struct span r = { p, n };
	return r;
}

static inline int is_sp(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static inline int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int is_alnum(int c)
{
	return is_alpha(c) || is_digit(c);
}

static inline int to_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static inline int to_upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c;
}

/* Does p[0..n) start with lit (exact bytes)? */
static inline bool span_starts(const char *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	return n >= k && !memcmp(p, lit, k);
}

/* The same, ignoring ASCII case. */
static inline bool span_starts_ci(const char *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);

	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++)
		if (to_lower((unsigned char)p[i]) != to_lower((unsigned char)lit[i]))
			return false;
	return true;
}

static inline bool span_ends_with(struct span s, const char *lit)
{
	size_t k = strlen(lit);
	return s.n >= k && !memcmp(s.p + s.n - k, lit, k);
}

/*
 * A comparison of two texts. The rules that compare parts of answers (set
 * elements, option texts) are handed the checker's whole comparison as
 * one of these, so they need not know the dispatcher; depth counts how
 * far the parts are nested, for the rules that bound it.
 */
struct span_equal {
	bool (*fn)(void *data, struct span a, struct span b, int depth);
	void *data;
};

/* s without leading and trailing white space, the ideographic space included. */
struct span span_trim(struct span s);

/* Does lit occur in s unescaped (not right after a backslash)? */
bool span_contains(struct span s, const char *lit);

/* Offset of the '}' closing the '{' at s[open] (\{ and \} do not count), or -1. */
long span_brace_close(const char *s, size_t n, size_t open);

/*
 * Append s case-folded (and with compat, NFKC: full-width forms to ASCII)
 * to out. Bytes that are not UTF-8 are kept, with their ASCII folded.
 */
void span_casefold(struct span s, struct sbuf *out, bool compat);

#endif
