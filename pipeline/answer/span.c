/*
 * span.c — the span helpers that are more than a line: trimming (ASCII
 * white space and the ideographic space zh replies pad with), unescaped
 * search, brace matching, and case folding through utf8proc.
 */
#include "answer/span.h"

#include <stdlib.h>
#include <utf8proc.h>

/* Bytes of the ideographic space, which zh replies pad with. */
#define IDEO_SPACE "\xe3\x80\x80"

struct span span_trim(struct span s)
{
	for (;;) {
		if (s.n && is_sp((unsigned char)s.p[0])) {
			s.p++;
			s.n--;
		} else if (span_starts(s.p, s.n, IDEO_SPACE)) {
			s.p += 3;
			s.n -= 3;
		} else {
			break;
		}
	}
	for (;;) {
		if (s.n && is_sp((unsigned char)s.p[s.n - 1]))
			s.n--;
		else if (span_ends_with(s, IDEO_SPACE))
			s.n -= 3;
		else
			break;
	}
	return s;
}

/* Does lit occur in s unescaped? An escaped dollar is no math delimiter. */
bool span_contains(struct span s, const char *lit)
{
	size_t k = strlen(lit);

	for (size_t i = 0; i + k <= s.n; i++)
		if (!memcmp(s.p + i, lit, k) && (!i || s.p[i - 1] != '\\'))
			return true;
	return false;
}

/* Offset of the '}' closing the '{' at s[open] (\{ and \} do not count), or -1. */
long span_brace_close(const char *s, size_t n, size_t open)
{
	long depth = 0;

	for (size_t i = open; i < n; i++) {
		if (s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] == '{')
			depth++;
		else if (s[i] == '}' && --depth == 0)
			return (long)i;
	}
	return -1;
}

/* Case fold (and with compat, NFKC: full-width forms to ASCII). */
void span_casefold(struct span s, struct sbuf *out, bool compat)
{
	utf8proc_uint8_t *dst = NULL;
	utf8proc_ssize_t r;
	int flags = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD;

	if (compat)
		flags |= UTF8PROC_COMPAT;
	r = utf8proc_map((const utf8proc_uint8_t *)s.p, (utf8proc_ssize_t)s.n, &dst,
			 (utf8proc_option_t)flags);
	if (r >= 0) {
		sbuf_add(out, dst, (size_t)r);
		free(dst);
		return;
	}
	free(dst);
	/* Not UTF-8: fold what ASCII there is and keep the rest as bytes. */
	for (size_t i = 0; i < s.n; i++)
		sbuf_addch(out, to_lower((unsigned char)s.p[i]));
}
