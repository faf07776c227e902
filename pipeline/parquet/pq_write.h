/*
 * pq_write.h — write JSON records as one Parquet file.
 *
 * The schema is the union of every record's shape, so it is known only
 * after the last record: records are spooled (zstd, in an unlinked
 * temporary under $TMPDIR) while their shapes are merged, and
 * pq_writer_finish replays the spool into row groups. Memory holds the
 * merged schema and one row group's encoded columns, never the input.
 *
 * The mapping (README "Writing Parquet"): objects -> groups, arrays ->
 * 3-level LISTs, strings -> BYTE_ARRAY STRING, integers -> INT64, reals ->
 * DOUBLE, booleans -> BOOLEAN; every field is optional, so null and a
 * missing key are both null. Shapes that disagree widen instead of being
 * refused: integers and reals in one field -> DOUBLE (integers beyond
 * 2^53 would not survive, so such a field becomes JSON); any other mix,
 * an object seen only as {}, or one with more than PQW_MAX_KEYS distinct
 * keys -> one BYTE_ARRAY column with the JSON logical type holding the
 * value's compact JSON. A field that is null in every record is an
 * all-null STRING column, and records with no field at all (or no
 * records) get one such column named "_", since DuckDB refuses a file
 * without columns. So every JSON object is writable: nothing is rejected
 * here.
 */
#ifndef SMELT_PQ_WRITE_H
#define SMELT_PQ_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

/* Objects with more distinct keys than this (maps keyed by ids, say)
 * are written as one JSON column rather than a column per key. */
#define PQW_MAX_KEYS 1000

struct pq_write_opts {
	int codec;                /* enum pq_codec: ZSTD, GZIP, SNAPPY (if built), UNCOMPRESSED */
	int level;                /* zstd / gzip level; 0: the library's default */
	uint64_t row_group_rows;  /* end a row group after this many rows ... */
	uint64_t row_group_bytes; /* ... or this many bytes of encoded, uncompressed pages */
	size_t page_bytes;        /* end a data page after about this many bytes */
	size_t dict_bytes;        /* a column chunk's dictionary stops growing here (PLAIN after) */
	int dictionary;           /* try RLE_DICTIONARY (1, default) or never (0) */
	int statistics;           /* null_count and min/max per column chunk (1, default) */
	int page_v2;              /* data pages v2 (levels uncompressed, counts in the header) */
	int hf_features;          /* the footer says the Hugging Face `datasets` features
				   * ("huggingface" metadata: Image for {bytes, path}) */
	/*
	 * Field paths ("image.bytes", "images[].bytes": [] steps into a list)
	 * whose strings are base64 to be written as raw BYTE_ARRAY (no STRING
	 * annotation): how --embed-images hands over image bytes. NULL-terminated;
	 * NULL for none.
	 */
	const char *const *base64_fields;
};

#define PQ_WRITE_OPTS_INIT { 6 /* PQ_CODEC_ZSTD */, 0, 1000000, 128u << 20, 1u << 20, 1u << 20, 1, 1, 0, 0, NULL }

struct pq_writer;

/*
 * A writer of `fd` (not closed here; `name` for messages). Returns NULL
 * after error() when the spool cannot be made or the codec is not built.
 */
struct pq_writer *pq_writer_open(int fd, const char *name, const struct pq_write_opts *opts);
/*
 * One record: the JSON text of an object (compact, as stages write it;
 * blanks and newlines are taken too). A text that is not a JSON object
 * is an error naming the output.
 */
int pq_writer_add_text(struct pq_writer *w, const char *text, size_t len) MUST_CHECK;
/* Write the whole file to the descriptor: magic, row groups, footer. */
int pq_writer_finish(struct pq_writer *w) MUST_CHECK;
/* Free (the spool goes with it). */
void pq_writer_free(struct pq_writer *w);

/* "zstd", "gzip", "snappy", "none"/"uncompressed" -> enum pq_codec; -1 otherwise. */
int pq_codec_parse(const char *name);

#endif
