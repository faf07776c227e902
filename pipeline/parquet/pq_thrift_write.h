/*
 * pq_thrift_write.h — the Thrift compact protocol, writing side: enough of
 * it for Parquet's page headers and footer (structs, lists, i32/i64,
 * bools, doubles, binary). The caller walks its struct and names each
 * field; the encoder keeps the last field id of every open struct, which
 * is what the compact protocol's field-id deltas need.
 *
 *	struct tc_writer tw;
 *	tcw_init(&tw, &buf);
 *	tcw_i32(&tw, PQ_PH_TYPE, PQ_PAGE_DATA);
 *	tcw_struct_begin(&tw, PQ_PH_DATA_PAGE_HEADER);
 *	...
 *	tcw_struct_end(&tw);
 *	tcw_struct_end(&tw);  // the outermost struct's STOP
 *
 * Values are appended to the caller's sbuf; nothing here fails (the
 * nesting is bounded by TCW_DEPTH, a programming error beyond it).
 */
#ifndef SMELT_PQ_THRIFT_WRITE_H
#define SMELT_PQ_THRIFT_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"

#define TCW_DEPTH 16

struct tc_writer {
	struct sbuf *out;
	int16_t last[TCW_DEPTH]; /* last field id written in each open struct */
	int depth;
};

/* Start writing one top-level struct into `out`. */
void tcw_init(struct tc_writer *w, struct sbuf *out);

/* Fields of the current struct, by id. */
void tcw_i32(struct tc_writer *w, int16_t id, int32_t v);
void tcw_i64(struct tc_writer *w, int16_t id, int64_t v);
void tcw_bool(struct tc_writer *w, int16_t id, int v);
void tcw_binary(struct tc_writer *w, int16_t id, const void *p, size_t n);
void tcw_string(struct tc_writer *w, int16_t id, const char *s);
/* A struct-valued field; its fields follow, then tcw_struct_end. */
void tcw_struct_begin(struct tc_writer *w, int16_t id);
/* End the current struct (writes its STOP). */
void tcw_struct_end(struct tc_writer *w);

/*
 * A list-valued field of `n` elements of compact type `elem` (TC_I32,
 * TC_BINARY, TC_STRUCT...). Its elements follow: tcw_elem_* for scalars,
 * tcw_elem_struct_begin ... tcw_struct_end for structs. A list needs no end.
 */
void tcw_list_begin(struct tc_writer *w, int16_t id, int elem, size_t n);
void tcw_elem_i32(struct tc_writer *w, int32_t v);
void tcw_elem_binary(struct tc_writer *w, const void *p, size_t n);
void tcw_elem_struct_begin(struct tc_writer *w);

/* Unsigned LEB128 varint, as the compact protocol and Parquet's RLE
 * hybrid encoding both write it. */
void tcw_put_uvarint(struct sbuf *out, uint64_t v);

#endif
