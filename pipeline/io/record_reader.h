/*
 * record_reader.h — read records from one input file, whatever its wrapping.
 *
 * The reader detects the compression from the first bytes (zstd, gzip, xz
 * or bzip2, each decoded by its own library with its checksums verified;
 * anything else is plain) and the layout from the first non-blank byte:
 * '[' means a single JSON array, read element by element so a 1 GB LLaVA
 * file is never held whole; otherwise JSON Lines, with no limit on line
 * length and blank lines skipped. Concatenated members (multi-member gzip,
 * several xz, bzip2 or zstd streams) read as one.
 *
 * It hands out the *text* of each record with its location; parsing is
 * separate (record_parse) so that it can run on worker threads.
 *
 * Damage found in the bytes is not a fatal error for the reader: it comes
 * back as a record whose `defect` says what is wrong, so that it goes to the
 * rejects with its file and line like any other bad record, after every
 * record that could be read before it. Two kinds are worse than a bad
 * record (record_defect_is_damage): a failed checksum or undecodable data
 * (the records already handed out from that member may be altered, and the
 * message names their lines) and garbage after the compressed data. A stage
 * must fail on those even when it has a rejects sink. Only I/O errors are
 * fatal to the reader (-1).
 */
#ifndef SMELT_RECORD_READER_H
#define SMELT_RECORD_READER_H

#include <jansson.h>
#include <stdint.h>

#include "core/sbuf.h"
#include "core/utf8.h"
#include "core/util.h"
#include "parquet/pq_reader.h"

struct record_loc {
	const char *file; /* borrowed from the reader; "-" is shown as "<stdin>" */
	uint64_t line;    /* 1-based line where the record starts */
	int64_t index;    /* element index in a JSON array, or -1 for JSON Lines */
};

/* Kinds of damage, as reject kinds. */
#define DEFECT_TRUNCATED "truncated_input"
#define DEFECT_BAD_ARRAY "bad_json_array"
#define DEFECT_CORRUPT "corrupt_input"
#define DEFECT_TRAILING "trailing_garbage"

/*
 * 1 if a defect of this kind means the input is damaged beyond one record
 * (DEFECT_CORRUPT, DEFECT_TRAILING): the run must exit 1 and the message be
 * shown, rejects sink or not. A truncated input is not: the records before
 * the cut are intact, and the truncation is an ordinary reject.
 */
int record_defect_is_damage(const char *kind);

struct raw_record {
	struct sbuf text;   /* the record's bytes (a line or an array element) */
	struct record_loc loc;
	const char *defect; /* NULL, or one of the DEFECT_ kinds (static) */
	const char *defect_msg; /* detail when defect is set; borrowed, valid until the
				 * reader is closed */
};

void raw_record_init(struct raw_record *rec);
void raw_record_release(struct raw_record *rec);

struct record_reader;

/*
 * A file starting with "PAR1" is Parquet (parquet/pq_reader.h): each row is
 * a record, its "line" the 1-based row number; damage anywhere in the file
 * is a DEFECT_CORRUPT record naming the row group and column. Parquet is
 * read from regular files only (the footer is at the end); stdin is
 * refused with a message. These options apply to every Parquet input
 * opened afterwards (copied; the pointers must outlive the readers).
 */
void record_reader_set_parquet(const struct pq_read_opts *o);

/* Open `path` ("-" = stdin). NULL after printing an error if it cannot be opened. */
struct record_reader *record_reader_open(const char *path);

/*
 * Fill `rec` with the next record. Returns 1 for a record (check
 * rec->defect), 0 at the end of input, -1 on an I/O error (already printed).
 */
int record_reader_next(struct record_reader *r, struct raw_record *rec) MUST_CHECK;

/* Compressed bytes consumed so far and the file's size (0 if unknown). */
uint64_t record_reader_bytes_read(const struct record_reader *r);
uint64_t record_reader_size(const struct record_reader *r);
/* "zstd", "gzip", "xz", "bzip2", "plain" or "parquet"; "jsonl", "array" or "parquet". */
const char *record_reader_compression(const struct record_reader *r);
const char *record_reader_layout(const struct record_reader *r);

void record_reader_close(struct record_reader *r);

/* Reject kinds for records that do not parse. */
#define REJECT_BAD_JSON "bad_json"
#define REJECT_BAD_UTF8 "bad_utf8"
#define REJECT_NOT_OBJECT "not_object"
#define REJECT_DUPLICATE_KEY "duplicate_key" /* at any depth */

/*
 * Parse a raw record into a JSON object. Returns a new reference, or NULL
 * with *kind set to a reject kind (static) and a message in `err`.
 * Thread-safe.
 */
json_t *record_parse(const struct raw_record *raw, const char **kind, struct sbuf *err);

#endif
