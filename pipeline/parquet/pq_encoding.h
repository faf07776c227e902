/*
 * pq_encoding.h — the value and level encodings of Parquet pages.
 *
 * Every decoder is given the bytes it may read and the number of values it
 * must produce, and fails (-1, the reason in err) when the bytes run out or
 * say something impossible; nothing is read past `len`.
 */
#ifndef SMELT_PQ_ENCODING_H
#define SMELT_PQ_ENCODING_H

#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"

/* One decoded value of any physical type. Byte arrays point into the page
 * (or the decoder's arena); they live as long as the page. */
struct pq_val {
	union {
		int32_t i32;
		int64_t i64;
		float f;
		double d;
		int b;
		uint8_t i96[12];
		struct {
			const uint8_t *ptr;
			uint32_t len;
		} s;
	};
};

/* Bits needed for values up to max (0 for 0). */
int pq_bit_width(uint32_t max);

/*
 * The RLE / bit-packed hybrid (levels, booleans, dictionary indices) of the
 * given bit width (0..32): exactly n values into out. *used (may be NULL)
 * is the bytes the runs took.
 */
int pq_rle_decode(const uint8_t *p, size_t len, int width, uint32_t *out, size_t n, size_t *used,
		  struct sbuf *err);

/*
 * Decode n non-null values of physical type `ptype` written with encoding
 * `enc` (not the dictionary ones: the caller maps their indices). Encodings
 * that build new byte strings (DELTA_BYTE_ARRAY) put them in *arena, which
 * the caller frees (free(NULL) when none was needed).
 */
int pq_decode_values(int enc, int ptype, int32_t type_len, const uint8_t *p, size_t len, size_t n,
		     struct pq_val *out, uint8_t **arena, struct sbuf *err);

/* Encoding names for messages ("PLAIN", ...). */
const char *pq_encoding_name(int enc);

#endif
