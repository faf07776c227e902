/*
 * pq_thrift_write.c — Thrift compact protocol encoder (see the header).
 *
 * A field header is one byte when the id is 1..15 above the previous
 * field's: (delta << 4) | type; otherwise the type byte is followed by
 * the id as a zigzag varint. Integers are zigzag varints, binary is a
 * varint length and the bytes, a bool field carries its value in the
 * type nibble (1 true, 2 false), a list header is (n << 4) | type for
 * n < 15 and 0xF<type> followed by a varint n otherwise.
 */
#include "parquet/pq_thrift_write.h"

#include <string.h>

#include "core/util.h"
#include "parquet/pq_format.h"

void tcw_put_uvarint(struct sbuf *out, uint64_t v)
{
	unsigned char b[10];
	size_t n = 0;

	while (v >= 0x80) {
		b[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	b[n++] = (unsigned char)v;
	sbuf_add(out, b, n);
}

static uint64_t zigzag64(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

void tcw_init(struct tc_writer *w, struct sbuf *out)
{
	w->out = out;
	w->depth = 0;
	w->last[0] = 0;
}

static void field_header(struct tc_writer *w, int16_t id, int type)
{
	int delta = id - w->last[w->depth];

	if (delta > 0 && delta <= 15) {
		sbuf_addch(w->out, (delta << 4) | type);
	} else {
		sbuf_addch(w->out, type);
		tcw_put_uvarint(w->out, zigzag64(id));
	}
	w->last[w->depth] = id;
}

void tcw_i32(struct tc_writer *w, int16_t id, int32_t v)
{
	field_header(w, id, TC_I32);
	tcw_put_uvarint(w->out, zigzag64(v));
}

void tcw_i64(struct tc_writer *w, int16_t id, int64_t v)
{
	field_header(w, id, TC_I64);
	tcw_put_uvarint(w->out, zigzag64(v));
}

void tcw_bool(struct tc_writer *w, int16_t id, int v)
{
	field_header(w, id, v ? TC_TRUE : TC_FALSE);
}

void tcw_binary(struct tc_writer *w, int16_t id, const void *p, size_t n)
{
	field_header(w, id, TC_BINARY);
	tcw_elem_binary(w, p, n);
}

void tcw_string(struct tc_writer *w, int16_t id, const char *s)
{
	tcw_binary(w, id, s, strlen(s));
}

static void push(struct tc_writer *w)
{
	if (w->depth + 1 >= TCW_DEPTH)
		die("thrift writer: structs nested deeper than %d", TCW_DEPTH);
	w->last[++w->depth] = 0;
}

void tcw_struct_begin(struct tc_writer *w, int16_t id)
{
	field_header(w, id, TC_STRUCT);
	push(w);
}

void tcw_elem_struct_begin(struct tc_writer *w)
{
	push(w);
}

void tcw_struct_end(struct tc_writer *w)
{
	sbuf_addch(w->out, TC_STOP);
	if (w->depth > 0)
		w->depth--;
}

void tcw_list_begin(struct tc_writer *w, int16_t id, int elem, size_t n)
{
	field_header(w, id, TC_LIST);
	if (n < 15) {
		sbuf_addch(w->out, (int)(n << 4) | elem);
	} else {
		sbuf_addch(w->out, 0xf0 | elem);
		tcw_put_uvarint(w->out, n);
	}
}

void tcw_elem_i32(struct tc_writer *w, int32_t v)
{
	tcw_put_uvarint(w->out, zigzag64(v));
}

void tcw_elem_binary(struct tc_writer *w, const void *p, size_t n)
{
	tcw_put_uvarint(w->out, n);
	sbuf_add(w->out, p, n);
}
