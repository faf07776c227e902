/*
 * json_write.h — compact JSON serialisation into an sbuf.
 *
 * Why not json_dumpb: jansson prints reals with 17 significant digits, so
 * a corpus's 0.1 would come back as 0.10000000000000001. Here a real gets
 * the shortest form that reads back to the same double, strings are written
 * as UTF-8 (only '"', '\\' and control characters escaped), and object keys
 * keep their insertion order — the output is stable and byte-reproducible.
 */
#ifndef SMELT_JSON_WRITE_H
#define SMELT_JSON_WRITE_H

#include <jansson.h>
#include <stdint.h>

#include "core/sbuf.h"

/*
 * Non-zero if one of the 8 bytes of x is a control character, '"' or '\\'
 * (SWAR: strings are mostly long runs that need no escape, and testing a
 * word at a time is several times faster than a byte at a time; exact as
 * to "any", not as to which).
 */
static inline uint64_t json_word_needs_escape(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL;
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
	uint64_t control = (x - ones * 0x20) & ~x; /* some byte < 0x20 */
	uint64_t quote = (q - ones) & ~q;          /* some byte == '"' */
	uint64_t bslash = (b - ones) & ~b;         /* some byte == '\\' */

	return (control | quote | bslash) & 0x8080808080808080ULL;
}

/*
 * sbuf_addch without the call when there is room (json_write and
 * json_canon add most of their output a byte at a time).
 */
static inline void json_put_ch(struct sbuf *sb, char c)
{
	if (sb->len + 1 < sb->alloc) {
		sb->buf[sb->len++] = c;
		sb->buf[sb->len] = '\0';
	} else {
		sbuf_addch(sb, c);
	}
}

/* Append the compact form of `v` to `sb` (no newline). */
void json_write(struct sbuf *sb, const json_t *v);
/* Append a JSON string literal for s[0..len). */
void json_write_string(struct sbuf *sb, const char *s, size_t len);
/* Append the escape json_write uses for c (a control character, '"' or '\\'). */
void json_write_escape(struct sbuf *sb, unsigned char c);
/* Append an integer in decimal, as printf's "%lld" would. */
void json_write_int(struct sbuf *sb, long long v);
/* Append the shortest round-tripping form of a double. */
void json_write_real(struct sbuf *sb, double d);
/* Compact form as a new malloc'd C string (caller frees). */
char *json_to_string(const json_t *v);

#endif
