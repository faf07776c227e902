/*
 * pq_write_column.h — one leaf column of the row group being written:
 * its levels and values, encoded into data pages (v1 or v2) as they fill, with
 * a dictionary while it pays, compressed; at the end of the row group the
 * column chunk (dictionary page, then data pages) goes to the file.
 */
#ifndef SMELT_PQ_WRITE_COLUMN_H
#define SMELT_PQ_WRITE_COLUMN_H

#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"
#include "parquet/pq_thrift_write.h"
#include "parquet/pq_write.h"

struct pqw_codec;

/* What the footer says about one written column chunk. */
struct pqw_chunk_meta {
	int64_t num_values, uncompressed, compressed;
	int64_t data_page_offset, dict_page_offset; /* dict: -1 for none */
	unsigned encodings;  /* bit per enum pq_encoding used */
	int64_t null_count;
	char *min, *max;     /* statistics as Parquet stores them; NULL: none */
	size_t min_len, max_len;
};

struct pqw_column;

struct pqw_column *pqw_column_new(int type, int max_def, int max_rep, const struct pq_write_opts *o);
void pqw_column_free(struct pqw_column *c);

/* A value at levels (rep, def = max_def). BYTE_ARRAY: the bytes; INT64 and
 * DOUBLE: their 8 bytes, little-endian; BOOLEAN: one byte 0 or 1. */
void pqw_column_add(struct pqw_column *c, int rep, const void *v, size_t len);
/* A null (or an empty list) at levels (rep, def < max_def). */
void pqw_column_null(struct pqw_column *c, int rep, int def);
/* Encode and compress the current page if it is full (call between rows). */
int pqw_column_maybe_flush(struct pqw_column *c, struct pqw_codec *codec) MUST_CHECK;
/* Bytes the row group holds for the column (pages encoded so far, as
 * uncompressed, the page being filled, the dictionary): what the
 * row-group size limit, and so the writer's memory, is counted in. */
size_t pqw_column_buffered(const struct pqw_column *c);
/*
 * End the chunk: the last page, the dictionary page before the data
 * pages, all appended to `out`, whose first byte is at file offset
 * `offset`. Fills `meta` (its min/max are the caller's to free) and
 * readies the column for the next row group.
 */
int pqw_column_end_chunk(struct pqw_column *c, struct pqw_codec *codec, struct sbuf *out,
			 int64_t offset, struct pqw_chunk_meta *meta) MUST_CHECK;

/* Page compression (one context reused). NULL after error() when the
 * codec is not built in. */
struct pqw_codec *pqw_codec_new(int codec, int level);
void pqw_codec_free(struct pqw_codec *k);

/* The RLE / bit-packed hybrid encoding of n values of `bit_width` bits. */
void pqw_rle_encode(struct sbuf *out, const uint32_t *v, size_t n, int bit_width);

#endif
