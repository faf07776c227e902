/*
 * pq_write_scan.h — the few pieces of JSON lexing the Parquet writer
 * needs to walk a record's text without building a tree: both of its
 * passes (merging shapes, shredding into columns) read the spooled text
 * directly, which is about twice as fast as parsing it with jansson
 * twice. Records reach the writer already validated by the stage's
 * reader; anything unexpected is still caught here and reported, never
 * read past the end.
 */
#ifndef SMELT_PQ_WRITE_SCAN_H
#define SMELT_PQ_WRITE_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"

struct pqw_scan {
	const char *p, *end;
	int bad; /* set on malformed text; every function then returns quietly */
};

/* Skip blanks; the next byte, or 0 at the end. */
int pqw_scan_peek(struct pqw_scan *s);
/* Consume byte c (after blanks); 0, or -1 (bad) when it is not there. */
int pqw_scan_expect(struct pqw_scan *s, int c);
/* Consume literal "true", "false" or "null" starting at the current byte. */
int pqw_scan_literal(struct pqw_scan *s, const char *lit);
/* A string at the current byte, unescaped into `out` (reset first). */
int pqw_scan_string(struct pqw_scan *s, struct sbuf *out);
/* Skip a string at the current byte. */
int pqw_scan_skip_string(struct pqw_scan *s);
/*
 * A number at the current byte: its text in [*start, s->p); *is_real when
 * it has a fraction or exponent.
 */
int pqw_scan_number(struct pqw_scan *s, const char **start, int *is_real);
/* Skip any value (after blanks); [*start, s->p) is its text. */
int pqw_scan_skip_value(struct pqw_scan *s, const char **start);

#endif
