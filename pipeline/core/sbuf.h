/*
 * sbuf.h — a growable byte buffer (git's strbuf, trimmed).
 *
 * Invariants: after sbuf_init (or SBUF_INIT) `buf` is never NULL and
 * buf[len] == '\0', so the contents can always be used as a C string
 * (they may also hold NUL bytes: `len` is the truth). `alloc` is 0 while
 * `buf` points at a shared empty string; the first write allocates.
 */
#ifndef SMELT_SBUF_H
#define SMELT_SBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/util.h"

struct sbuf {
	char *buf;
	size_t len;
	size_t alloc;
};

extern char sbuf_empty[];
#define SBUF_INIT { sbuf_empty, 0, 0 }

void sbuf_init(struct sbuf *sb, size_t hint);
/* Free the memory; the buffer is left initialised and empty. */
void sbuf_release(struct sbuf *sb);
/* Make it empty, keeping the memory. */
static inline void sbuf_reset(struct sbuf *sb)
{
	sb->len = 0;
	if (sb->alloc)
		sb->buf[0] = '\0';
}
/* Make room for `extra` more bytes (plus the NUL). */
void sbuf_grow(struct sbuf *sb, size_t extra);
void sbuf_setlen(struct sbuf *sb, size_t len);
void sbuf_add(struct sbuf *sb, const void *data, size_t len);
void sbuf_addstr(struct sbuf *sb, const char *s);
void sbuf_addch(struct sbuf *sb, int c);
void sbuf_addf(struct sbuf *sb, const char *fmt, ...) PRINTF_LIKE(2, 3);
void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap);
/* Remove `n` bytes from the front. */
void sbuf_consume(struct sbuf *sb, size_t n);
/* Hand over the memory (NUL-terminated, caller frees); the buffer is reset. */
char *sbuf_detach(struct sbuf *sb, size_t *len);

#endif
