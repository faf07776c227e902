/*
 * pq_column.h — one column chunk of one row group, read page by page as
 * (repetition level, definition level, value) entries.
 *
 * The chunk's bytes are handed in whole (the reader reads only projected
 * chunks); one decompressed data page and the dictionary are held at a
 * time. Every page header, size, CRC, level and dictionary index is checked;
 * failures come back as -1 with the reason in err.
 */
#ifndef SMELT_PQ_COLUMN_H
#define SMELT_PQ_COLUMN_H

#include <stdint.h>

#include "core/sbuf.h"
#include "parquet/pq_encoding.h"
#include "parquet/pq_meta.h"

struct pq_column;

/*
 * A reader over chunk[0, len) (owned by the caller, kept until close) for a
 * leaf of physical type `ptype` with these maximum levels.
 */
struct pq_column *pq_column_open(const uint8_t *chunk, size_t len, int codec, int ptype,
				 int32_t type_len, int max_def, int max_rep);

/*
 * The next entry: *val is NULL when def < max_def. Returns 1, 0 at the end
 * of the chunk, -1 on damage (err).
 */
int pq_column_next(struct pq_column *c, int *rep, int *def, const struct pq_val **val,
		   struct sbuf *err);

/* The repetition level of the next entry without taking it: 1, 0 at the end, -1. */
int pq_column_peek(struct pq_column *c, int *rep, struct sbuf *err);

/* Entries read so far (for messages). */
uint64_t pq_column_position(const struct pq_column *c);

void pq_column_close(struct pq_column *c);

#endif
