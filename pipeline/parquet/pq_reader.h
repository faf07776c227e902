/*
 * pq_reader.h — Parquet files as a stream of JSON records.
 *
 * Opens the footer, builds the JSON shape of the schema (pq_schema.h), then
 * reads one row group at a time: only the projected column chunks are read
 * (memory: those chunks plus one decompressed page each), and rows are
 * assembled from their repetition and definition levels into jansson
 * objects, one per call. Every inconsistency (sizes beyond the file or the
 * chunk, bad pages, CRCs, dictionary indices, levels out of step with the
 * row count) is an error naming the row group and column; the caller adds
 * the file.
 */
#ifndef SMELT_PQ_READER_H
#define SMELT_PQ_READER_H

#include <jansson.h>
#include <stdint.h>

#include "core/sbuf.h"
#include "parquet/pq_images.h"

struct pq_read_opts {
	const char *columns;      /* comma-separated dotted paths to read; NULL = all */
	struct pq_images *images; /* where Image bytes go; NULL = data: URIs in the record */
};

/* A STRING value that is not UTF-8 rejects its row with this kind. */
#define PQ_REJECT_BAD_UTF8 "bad_utf8"

struct pq_reader;

/*
 * Open the Parquet file on fd (seekable, `size` bytes; not closed here).
 * `shown` names it in image member names. NULL with the reason in err, and
 * *usage set when the file is fine but o->columns names no column.
 */
struct pq_reader *pq_reader_open(int fd, const char *shown, uint64_t size, const struct pq_read_opts *o,
				 struct sbuf *err, int *usage);

/*
 * The next row: 1 with a new reference in *row; 2 when the row is rejected
 * (*kind, reason in err); 0 at the end; -1 on damage (reason in err; the
 * reader is done).
 */
int pq_reader_next(struct pq_reader *r, json_t **row, const char **kind, struct sbuf *err);

/* Rows returned (or rejected) so far, and the file's row count. */
uint64_t pq_reader_row(const struct pq_reader *r);
uint64_t pq_reader_rows(const struct pq_reader *r);
/* File bytes read so far (footer and projected chunks). */
uint64_t pq_reader_bytes(const struct pq_reader *r);

void pq_reader_close(struct pq_reader *r);

/*
 * The footer and the pages of every column of an in-memory file, for the
 * fuzz target: 0 when all decode, -1 with the reason in err.
 */
int pq_check_buffer(const uint8_t *buf, size_t len, struct sbuf *err);

#endif
