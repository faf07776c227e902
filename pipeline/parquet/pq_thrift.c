/*
 * pq_thrift.c — the Thrift compact protocol, read defensively: the bytes
 * come from a file that may be damaged or hostile.
 */
#include "parquet/pq_thrift.h"

#include <string.h>

#include "core/util.h"

void tc_init(struct tc *tc, const void *buf, size_t len)
{
	tc->p = buf;
	tc->end = tc->p + len;
	tc->depth = 0;
	tc->err = NULL;
}

int tc_fail(struct tc *tc, const char *why)
{
	if (!tc->err)
		tc->err = why;
	tc->p = tc->end; /* nothing more is read */
	return -1;
}

uint64_t tc_varint(struct tc *tc)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		if (tc->p >= tc->end) {
			tc_fail(tc, "metadata ends inside a number");
			return 0;
		}
		uint8_t b = *tc->p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	tc_fail(tc, "metadata number longer than 10 bytes");
	return 0;
}

int64_t tc_zigzag(struct tc *tc)
{
	uint64_t u = tc_varint(tc);
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

int32_t tc_i32(struct tc *tc)
{
	int64_t v = tc_zigzag(tc);
	if (v < INT32_MIN || v > INT32_MAX) {
		tc_fail(tc, "metadata i32 out of range");
		return 0;
	}
	return (int32_t)v;
}

double tc_double(struct tc *tc)
{
	double d = 0;
	if (tc->end - tc->p < 8) {
		tc_fail(tc, "metadata ends inside a double");
		return 0;
	}
	memcpy(&d, tc->p, 8); /* little-endian on the wire, as on every host we build for */
	tc->p += 8;
	return d;
}

const uint8_t *tc_binary(struct tc *tc, uint32_t *len)
{
	uint64_t n = tc_varint(tc);
	const uint8_t *s = tc->p;

	if (tc->err)
		return NULL;
	if (n > (uint64_t)(tc->end - tc->p)) {
		tc_fail(tc, "metadata string longer than the bytes left");
		return NULL;
	}
	tc->p += n;
	*len = (uint32_t)n;
	return s;
}

char *tc_string(struct tc *tc)
{
	uint32_t n = 0;
	const uint8_t *s = tc_binary(tc, &n);
	return s ? xstrndup((const char *)s, n) : NULL;
}

int tc_struct_begin(struct tc *tc)
{
	if (++tc->depth > TC_MAX_DEPTH)
		return tc_fail(tc, "metadata nested too deeply");
	return 0;
}

void tc_struct_end(struct tc *tc)
{
	tc->depth--;
}

int tc_field(struct tc *tc, int16_t *last, int16_t *id, int *type)
{
	if (tc->err)
		return 0;
	if (tc->p >= tc->end) {
		tc_fail(tc, "metadata ends inside a struct");
		return 0;
	}
	uint8_t b = *tc->p++;
	if (b == 0)
		return 0;
	*type = b & 0x0f;
	if (b >> 4) {
		*id = (int16_t)(*last + (b >> 4));
	} else {
		int64_t v = tc_zigzag(tc);
		if (v < INT16_MIN || v > INT16_MAX)
			return tc_fail(tc, "metadata field id out of range"), 0;
		*id = (int16_t)v;
	}
	if (*type < TC_TRUE || *type > TC_STRUCT)
		return tc_fail(tc, "metadata field of unknown type"), 0;
	*last = *id;
	return !tc->err;
}

int tc_list(struct tc *tc, int *etype, uint32_t *n)
{
	if (tc->p >= tc->end)
		return tc_fail(tc, "metadata ends inside a list header");
	uint8_t b = *tc->p++;
	uint64_t size = b >> 4;
	*etype = b & 0x0f;
	if (size == 15)
		size = tc_varint(tc);
	/* every element takes at least one byte (a bool, a varint, a struct's STOP) */
	if (size > (uint64_t)(tc->end - tc->p))
		return tc_fail(tc, "metadata list longer than the bytes left");
	*n = (uint32_t)size;
	return tc->err ? -1 : 0;
}

int tc_bool(struct tc *tc, int type)
{
	if (type == TC_TRUE)
		return 1;
	if (type == TC_FALSE)
		return 0;
	/* a list element: one byte */
	if (tc->p >= tc->end)
		return tc_fail(tc, "metadata ends inside a bool"), 0;
	return *tc->p++ == TC_TRUE;
}

void tc_skip(struct tc *tc, int type)
{
	int16_t last = 0, id;
	int ft, kt, vt;
	uint32_t n, len;

	if (tc->err)
		return;
	switch (type) {
	case TC_TRUE:
	case TC_FALSE:
		return; /* a struct field's value is its type */
	case TC_BYTE:
		if (tc->p >= tc->end)
			tc_fail(tc, "metadata ends inside a byte");
		else
			tc->p++;
		return;
	case TC_I16:
	case TC_I32:
	case TC_I64:
		tc_varint(tc);
		return;
	case TC_DOUBLE:
		tc_double(tc);
		return;
	case TC_BINARY:
		tc_binary(tc, &len);
		return;
	case TC_LIST:
	case TC_SET:
		if (tc_list(tc, &kt, &n) < 0 || tc_struct_begin(tc) < 0)
			return;
		for (uint32_t i = 0; i < n && !tc->err; i++) {
			if (kt == TC_TRUE || kt == TC_FALSE)
				tc_bool(tc, TC_BYTE); /* one byte each in a list */
			else
				tc_skip(tc, kt);
		}
		tc_struct_end(tc);
		return;
	case TC_MAP: {
		uint64_t m = tc_varint(tc);
		if (tc->err || m == 0)
			return;
		if (m > (uint64_t)(tc->end - tc->p)) {
			tc_fail(tc, "metadata map longer than the bytes left");
			return;
		}
		uint8_t kv = *tc->p++;
		kt = kv >> 4;
		vt = kv & 0x0f;
		if (tc_struct_begin(tc) < 0)
			return;
		for (uint64_t i = 0; i < m && !tc->err; i++) {
			tc_skip(tc, kt == TC_TRUE || kt == TC_FALSE ? TC_BYTE : kt);
			tc_skip(tc, vt == TC_TRUE || vt == TC_FALSE ? TC_BYTE : vt);
		}
		tc_struct_end(tc);
		return;
	}
	case TC_STRUCT:
		if (tc_struct_begin(tc) < 0)
			return;
		while (tc_field(tc, &last, &id, &ft))
			tc_skip(tc, ft);
		tc_struct_end(tc);
		return;
	default:
		tc_fail(tc, "metadata value of unknown type");
	}
}
