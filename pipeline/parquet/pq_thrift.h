/*
 * pq_thrift.h — a bounded reader of the Thrift compact protocol, the
 * encoding of every Parquet footer and page header.
 *
 * A cursor over [p, end): every length is checked against what is left,
 * nesting deeper than TC_MAX_DEPTH is refused, and the first failure sticks
 * (tc->err is set, later calls return zeros), so a caller may decode a whole
 * struct and look at tc->err once. Unknown fields are skipped by type.
 */
#ifndef SMELT_PQ_THRIFT_H
#define SMELT_PQ_THRIFT_H

#include <stddef.h>
#include <stdint.h>

#include "parquet/pq_format.h"

#define TC_MAX_DEPTH 32

struct tc {
	const uint8_t *p, *end;
	int depth;
	const char *err; /* static text of the first failure, or NULL */
};

void tc_init(struct tc *tc, const void *buf, size_t len);
/* Record a failure (the first one wins); returns -1. */
int tc_fail(struct tc *tc, const char *why);

uint64_t tc_varint(struct tc *tc);
int64_t tc_zigzag(struct tc *tc); /* i16, i32 and i64 alike */
int32_t tc_i32(struct tc *tc);     /* a zigzag varint that must fit 32 bits */
double tc_double(struct tc *tc);
/* A binary/string: points into the buffer; *len its length. NULL on error. */
const uint8_t *tc_binary(struct tc *tc, uint32_t *len);
/* The same, copied as a NUL-terminated string (caller frees). */
char *tc_string(struct tc *tc);

/*
 * Struct fields: call tc_struct_begin, then tc_field until it returns 0
 * (TC_STOP); for each field decode its value or tc_skip(type); then
 * tc_struct_end. *last carries the previous field id (delta encoding).
 */
int tc_struct_begin(struct tc *tc);
int tc_field(struct tc *tc, int16_t *last, int16_t *id, int *type);
void tc_struct_end(struct tc *tc);
/* List/set header: element type and count (checked against what is left). */
int tc_list(struct tc *tc, int *etype, uint32_t *n);
/* The value of a bool field (from its type nibble) or a bool list element. */
int tc_bool(struct tc *tc, int type);
/* Skip a value of this type (recursing into structs, lists and maps). */
void tc_skip(struct tc *tc, int type);

#endif
