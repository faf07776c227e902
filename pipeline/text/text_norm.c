/*
 * text_norm.c — NFKC_Casefold plus white-space folding (see text_norm.h).
 *
 * utf8proc decomposes into a buffer of code points (applying compatibility
 * mappings, case folding and the removal of ignorables on the way); the
 * white space is folded on those code points; utf8proc_reencode then
 * recomposes and writes UTF-8 into the same buffer. Short strings use a
 * buffer on the stack, so the common case allocates nothing.
 */
#include "text/text_norm.h"

#include <stdlib.h>
#include <utf8proc.h>

#define NORM_OPTIONS (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | \
		      UTF8PROC_IGNORE)
#define STACK_CODEPOINTS 1024

int text_norm_is_space(int32_t cp)
{
	if (cp < 0x80)
		return cp == ' ' || (cp >= 0x09 && cp <= 0x0d);
	switch (cp) {
	case 0x85: case 0xa0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202f: case 0x205f: case 0x3000:
		return 1;
	}
	return cp >= 0x2000 && cp <= 0x200a;
}

static int is_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] & 0x80)
			return 0;
	return 1;
}

/* ASCII is its own NFKC form and folds case by tolower. */
static void norm_ascii(struct sbuf *out, const char *s, size_t len)
{
	int pending_space = 0, any = 0;

	sbuf_grow(out, len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (text_norm_is_space(c)) {
			pending_space = any;
			continue;
		}
		if (pending_space)
			out->buf[out->len++] = ' ';
		pending_space = 0;
		any = 1;
		out->buf[out->len++] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
	}
	out->buf[out->len] = '\0';
}

/* Fold white-space runs in place; returns the new length. */
static utf8proc_ssize_t fold_space(utf8proc_int32_t *cp, utf8proc_ssize_t n)
{
	utf8proc_ssize_t o = 0;
	int pending_space = 0;

	for (utf8proc_ssize_t i = 0; i < n; i++) {
		if (text_norm_is_space(cp[i])) {
			pending_space = o > 0;
			continue;
		}
		if (pending_space)
			cp[o++] = ' ';
		pending_space = 0;
		cp[o++] = cp[i];
	}
	return o;
}

int text_norm_append(struct sbuf *out, const char *s, size_t len)
{
	utf8proc_int32_t stack_buf[STACK_CODEPOINTS];
	utf8proc_int32_t *buf = stack_buf;
	utf8proc_ssize_t cap = STACK_CODEPOINTS - 1, n;

	if (is_ascii(s, len)) {
		norm_ascii(out, s, len);
		return 0;
	}
	/* One slot is kept spare: utf8proc_reencode needs length + 1. */
	for (;;) {
		n = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, buf, cap,
				       NORM_OPTIONS);
		if (n < 0) {
			if (buf != stack_buf)
				free(buf);
			return error("cannot normalise text: %s", utf8proc_errmsg(n));
		}
		if (n <= cap)
			break;
		if (buf != stack_buf)
			free(buf);
		cap = n;
		buf = xmalloc(((size_t)n + 1) * sizeof(*buf));
	}
	n = fold_space(buf, n);
	n = utf8proc_reencode(buf, n, NORM_OPTIONS);
	if (n < 0) {
		if (buf != stack_buf)
			free(buf);
		return error("cannot normalise text: %s", utf8proc_errmsg(n));
	}
	sbuf_add(out, buf, (size_t)n);
	if (buf != stack_buf)
		free(buf);
	return 0;
}
