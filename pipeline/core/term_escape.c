/*
 * term_escape.c — see term_escape.h. One scanner serves both calls: it
 * walks the text a code point at a time and says how long the next run
 * that is safe to copy is, and what to write for the one after it.
 */
#include "core/term_escape.h"

#include <stdint.h>

#include "core/utf8.h"

/* Code points a terminal treats as controls although they are printable UTF-8. */
static int unsafe_code_point(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static uint32_t decode(const unsigned char *p, size_t n)
{
	static const unsigned char lead_mask[] = { 0, 0, 0x1f, 0x0f, 0x07 };
	uint32_t cp = p[0] & lead_mask[n];

	for (size_t k = 1; k < n; k++)
		cp = cp << 6 | (p[k] & 0x3f);
	return cp;
}

/*
 * Whether the byte or code point at p is unsafe; *step is its length
 * either way. For an unsafe one, *cp is the code point to write as \uHHHH
 * (*step > 1) or the byte to write as \xHH or by name (*step == 1).
 */
static int unsafe_at(const unsigned char *p, size_t avail, size_t *step, uint32_t *cp)
{
	size_t n;

	if (p[0] < 0x80) {
		*step = 1;
		*cp = p[0];
		return (p[0] < 0x20 && p[0] != '\t') || p[0] == 0x7f;
	}
	n = utf8_sequence(p, avail);
	if (!n) {
		*step = 1;
		*cp = p[0];
		return 1;
	}
	*step = n;
	*cp = decode(p, n);
	return unsafe_code_point(*cp);
}

int term_escape_needed(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, step;
	uint32_t cp;

	while (i < len) {
		if (unsafe_at(p + i, len - i, &step, &cp))
			return 1;
		i += step;
	}
	return 0;
}

void term_escape(struct sbuf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, safe = 0, step;
	uint32_t cp;

	while (i < len) {
		if (!unsafe_at(p + i, len - i, &step, &cp)) {
			i += step;
			continue;
		}
		sbuf_add(out, s + safe, i - safe);
		if (step > 1)
			sbuf_addf(out, "\\u%04x", (unsigned)cp);
		else if (cp == '\n')
			sbuf_addstr(out, "\\n");
		else if (cp == '\r')
			sbuf_addstr(out, "\\r");
		else
			sbuf_addf(out, "\\x%02x", (unsigned)cp);
		i += step;
		safe = i;
	}
	sbuf_add(out, s + safe, i - safe);
}
