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

#include "core/sbuf.h"

/* Append the compact form of `v` to `sb` (no newline). */
void json_write(struct sbuf *sb, const json_t *v);
/* Append a JSON string literal for s[0..len). */
void json_write_string(struct sbuf *sb, const char *s, size_t len);
/* Append the escape json_write uses for c (a control character, '"' or '\\'). */
void json_write_escape(struct sbuf *sb, unsigned char c);
/* Append the shortest round-tripping form of a double. */
void json_write_real(struct sbuf *sb, double d);
/* Compact form as a new malloc'd C string (caller frees). */
char *json_to_string(const json_t *v);

#endif
