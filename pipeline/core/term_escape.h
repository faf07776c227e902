/*
 * term_escape.h — text that came from records, files or servers, made safe
 * to print on a terminal.
 *
 * A record can hold "\u001b[2J", a carriage return that overwrites the
 * line before it, or a newline that forges a line of its own; printed raw
 * in a reject message they repaint or mislead the terminal of whoever runs
 * the stage. What may reach stderr is escaped here, in C's notation:
 *
 *	newline, CR           \n  \r
 *	other C0 bytes, DEL   \xHH   (tab is kept: it cannot move the cursor back)
 *	bytes of invalid UTF-8 \xHH   (a lone 0x9b is CSI to some terminals)
 *	C1 controls U+0080..U+009F, U+2028, U+2029, the bidi embeddings,
 *	overrides and isolates (U+202A..U+202E, U+2066..U+2069)   \uHHHH
 *
 * Everything else, valid UTF-8 included, is copied as it is. A backslash is
 * not doubled: the result is for reading, not for parsing back, and paths
 * and messages stay as the user knows them.
 */
#ifndef SMELT_TERM_ESCAPE_H
#define SMELT_TERM_ESCAPE_H

#include <stddef.h>

#include "core/sbuf.h"

/* Append s[0..len) to `out`, escaped as above. */
void term_escape(struct sbuf *out, const char *s, size_t len);

/* 1 if term_escape would change s[0..len), else 0; allocates nothing. */
int term_escape_needed(const char *s, size_t len);

#endif
