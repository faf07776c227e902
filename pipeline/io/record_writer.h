/*
 * record_writer.h — write JSON Lines, zstd-compressed or plain.
 *
 * A file is written under a temporary name beside it and renamed into
 * place by record_writer_close (core/atomic_file.h): until then the final
 * name keeps its previous content, or does not exist. Standard output
 * streams as it is written; there, compressed output ends a zstd frame
 * every few MiB and at least every couple of seconds, so a reader
 * downstream of a pipe gets the records as they come.
 *
 * Parquet: a file named *.parquet (or any output with opts.parquet = 1)
 * gets the records as one Parquet file instead, written whole when the
 * writer is closed (pq_write.h: the records are spooled until then).
 */
#ifndef SMELT_RECORD_WRITER_H
#define SMELT_RECORD_WRITER_H

#include <jansson.h>
#include <stddef.h>

#include "core/util.h"
#include "parquet/pq_write.h"

struct record_writer_opts {
	int compress;      /* 1 = zstd, 0 = plain, -1 = decide from path/tty */
	int level;         /* zstd level, default 3 */
	int workers;       /* zstd worker threads (0 = compress inline) */
	size_t frame_size; /* end a frame after this many input bytes */
	double frame_seconds; /* ... or this long after it began (stdout only) */
	size_t buffer_size;   /* records gathered before compressing (default 1 MiB) */
	int small_window;     /* cap zstd's window and tables (~0.7 MB a writer):
			       * for stages that keep many writers open */
	int parquet;          /* 1 = write Parquet (parquet/pq_write.h), 0 = JSON Lines,
			       * -1 = Parquet when a file's name ends in ".parquet" */
	const struct pq_write_opts *pq; /* Parquet's options (NULL: defaults) */
};

#define RECORD_WRITER_OPTS_INIT { -1, 3, 0, 8u << 20, 2.0, 1u << 20, 0, -1, NULL }

struct record_writer;

/*
 * Open `path` for writing; NULL or "-" is stdout. With compress = -1 a file
 * is compressed when its name ends in ".zst", stdout unless it is a
 * terminal. Returns NULL after printing an error.
 */
struct record_writer *record_writer_open(const char *path, const struct record_writer_opts *opts);

/* Append one record's text (no newline: the writer adds it). */
int record_writer_add(struct record_writer *w, const char *text, size_t len) MUST_CHECK;
/* Append `n` records already serialised as '\n'-terminated lines. */
int record_writer_add_lines(struct record_writer *w, const char *text, size_t len,
			    size_t n) MUST_CHECK;
/*
 * Append a complete zstd frame holding `n` records, compressed elsewhere
 * (the record loop's workers). The open frame, if any, is ended first.
 */
int record_writer_add_frame(struct record_writer *w, const void *frame, size_t len,
			    size_t n) MUST_CHECK;
/* 1 if the output is zstd-compressed. */
int record_writer_is_zstd(const struct record_writer *w);
/* Serialise `rec` compactly and append it. */
int record_writer_add_json(struct record_writer *w, const json_t *rec) MUST_CHECK;
/* End the current frame and push everything to the file descriptor. */
int record_writer_flush(struct record_writer *w) MUST_CHECK;
/* End the frame if it has been open longer than frame_seconds (call it
 * from a timer in slow stages so a kill leaves their work readable). */
int record_writer_tick(struct record_writer *w) MUST_CHECK;
/*
 * Flush, close, rename the file into place and free. Returns -1 if
 * anything failed on the way; the final name is then left as it was.
 */
int record_writer_close(struct record_writer *w) MUST_CHECK;
/* Free without committing: the temporary is removed (stdout is flushed). */
void record_writer_abort(struct record_writer *w);

uint64_t record_writer_count(const struct record_writer *w);
const char *record_writer_path(const struct record_writer *w);

#endif
