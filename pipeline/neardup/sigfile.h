/*
 * sigfile.h — signature files: what `smelt-minhash sign` writes for one
 * shard and bucket/cluster read back, sequentially or one entry at a time.
 *
 * Binary, little-endian, streamable (it can go through a pipe):
 *
 *	header  "SMELTMS1", u32 version (1), u32 perms, u32 ngram,
 *	        u32 mode (0 auto, 1 words, 2 chars), u64 seed      32 bytes
 *	entry   u32 size (of the whole entry, a multiple of 4), u32 status,
 *	        u64 seq, f64 length, f64 score, u32 nshingles,
 *	        u32 id_len, u16 snippet_len, u16 source_len,
 *	        id, snippet, source bytes (zero-padded to 4),
 *	        u32 shingles[nshingles] (sorted, distinct),
 *	        u32 sig[perms] (only when status is SIG_OK)
 *	end     u32 0, u32 0, u64 entries, u64 checksum
 *
 * `seq` is the record's 0-based position in the input the signing stage
 * read (what the filter stage sees again); `length` the byte length of
 * the normalised text (for --keep longest); `score` the --keep highest
 * field or NaN; the snippet is the first bytes of the normalised text and
 * the source the record's `source` (both only for the report). The
 * checksum is the low half of XXH3-128 over every entry's bytes; a reader
 * that reaches the end verifies it and the count.
 */
#ifndef SMELT_NEARDUP_SIGFILE_H
#define SMELT_NEARDUP_SIGFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/sbuf.h"
#include "core/util.h"

enum sig_status {
	SIG_OK = 0,
	SIG_MISSING_FIELD = 1, /* none of the fields: filter rejects it, missing_field */
	SIG_BAD_TEXT = 2,      /* not normalisable: filter rejects it, bad_text */
};

#define SIG_SNIPPET_MAX 240
#define SIG_SOURCE_MAX 120

struct sig_params {
	int perms, ngram, mode;
	uint64_t seed;
};

/* One decoded entry; the pointers point into the buffer it was decoded from. */
struct sig_entry {
	uint64_t seq;
	int status;
	double length, score;
	const char *id, *snippet, *source;
	size_t id_len, snippet_len, source_len;
	const uint32_t *shingles;
	size_t nshingles;
	const uint32_t *sig; /* perms values, NULL unless SIG_OK */
};

/* Append the encoded entry (sig: perms values when status is SIG_OK). */
void sig_entry_encode(struct sbuf *out, const struct sig_entry *e, int perms);
/* Decode buf[0..len) (one entry, aligned to 4). 0, or -1 if it is malformed. */
int sig_entry_decode(const char *buf, size_t len, int perms, struct sig_entry *e) MUST_CHECK;

struct sig_writer;
/*
 * Write to `path` ("-": stdout) atomically; or, `scratch` set, straight
 * into it with no fsync (a temporary of smelt-dedup --near). NULL after error().
 */
struct sig_writer *sig_writer_open(const char *path, const struct sig_params *p, int scratch);
/* Append one encoded entry. 0 or -1 after error(). */
int sig_writer_add(struct sig_writer *w, const char *entry, size_t len) MUST_CHECK;
/* Write the end, commit; frees w. 0 or -1 after error(). */
int sig_writer_close(struct sig_writer *w) MUST_CHECK;
/* Remove the temporary; frees w (NULL: no-op). */
void sig_writer_abort(struct sig_writer *w);

struct sig_reader;
/* Open `path` ("-": stdin, sequential only) and read its header. NULL after error(). */
struct sig_reader *sig_reader_open(const char *path);
const struct sig_params *sig_reader_params(const struct sig_reader *r);
/*
 * Next entry into *e (valid until the next call); *offset gets its byte
 * offset for sig_reader_at. 1 for an entry, 0 at the verified end, -1
 * after error() (a short file, a bad entry, a checksum that fails).
 */
int sig_reader_next(struct sig_reader *r, struct sig_entry *e, uint64_t *offset) MUST_CHECK;
/* The entry at `offset` (from sig_reader_next), decoded into *e with `buf` as storage. */
int sig_reader_at(struct sig_reader *r, uint64_t offset, struct sbuf *buf, struct sig_entry *e) MUST_CHECK;
/* Entries and checksum from the end (valid after next returned 0). */
uint64_t sig_reader_count(const struct sig_reader *r);
uint64_t sig_reader_checksum(const struct sig_reader *r);
const char *sig_reader_path(const struct sig_reader *r);
void sig_reader_close(struct sig_reader *r);

/* Write all of p[0..len) to fd (EINTR retried). 0, or -1 after error() naming `what`. */
int neardup_write_all(int fd, const void *p, size_t len, const char *what) MUST_CHECK;

/* 0 if the two files were signed with the same parameters, else -1 after error(). */
int sig_params_check(const struct sig_params *a, const struct sig_params *b, const char *path) MUST_CHECK;

#endif
