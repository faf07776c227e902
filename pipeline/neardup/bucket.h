/*
 * bucket.h — LSH banding: the candidate pairs of a set of signature files,
 * and the pair files that carry them from `bucket` to `cluster`.
 *
 * Every record signed SIG_OK gets a dense number: its place in the
 * signature files taken in the order given (file 0's entries first). For
 * each band in [band_from, band_to) its band hash (minhash_band_hash) goes
 * into one external sort (extsort.h) with the dense number; records with
 * the same band hash in a band form a bucket, and each member after the
 * first is paired with the first (a star: pairs grow linearly with the
 * bucket, and union-find joins the same records as all pairs would).
 * Band hashes are seeded by band, so one sort over several bands cannot
 * mix buckets of different bands except by a 2^-64 chance.
 *
 * Pair file, binary, little-endian, streamable:
 *	header  "SMELTNP1", u32 band_from, u32 band_to, u32 bands, u32 rows
 *	blocks  u32 n, then n pairs of u32 (first, member); n = 0 ends them
 *	end     u64 pairs, u64 fingerprint, u64 checksum
 * The fingerprint names the signature files the numbers refer to (their
 * counts and checksums, in order); cluster refuses pairs made from another
 * list. The checksum is the low half of XXH3-128 over the blocks' bytes.
 */
#ifndef SMELT_NEARDUP_BUCKET_H
#define SMELT_NEARDUP_BUCKET_H

#include <stdint.h>

#include "core/util.h"

struct bucket_opts {
	int bands, rows;          /* bands * rows <= perms */
	int band_from, band_to;   /* the bands to do */
	uint64_t memory;          /* the sort's buffer */
	int scratch;              /* write `out` directly, no fsync (a temporary) */
};

struct bucket_figures {
	uint64_t records, signed_ok, pairs, largest_bucket;
	unsigned runs;
};

/* Fold one signature file's count and checksum into a list fingerprint. */
uint64_t bucket_fingerprint(uint64_t fp, uint64_t count, uint64_t checksum);

/*
 * Read the signature files sigs[0..nsigs), write the pair file to `out`
 * ("-": stdout) atomically. 0, or -1 after error().
 */
int bucket_run(char *const *sigs, int nsigs, const struct bucket_opts *o, const char *out,
	       struct bucket_figures *fig) MUST_CHECK;

/* Reading a pair file. */
struct pair_reader;
struct pair_reader *pair_reader_open(const char *path);
/* Bands and rows of the pair file's header. */
void pair_reader_shape(const struct pair_reader *r, int *bands, int *rows);
/* 1 with *a, *b set; 0 at the verified end; -1 after error(). */
int pair_reader_next(struct pair_reader *r, uint32_t *a, uint32_t *b) MUST_CHECK;
/* The fingerprint of the end (after next returned 0). */
uint64_t pair_reader_fingerprint(const struct pair_reader *r);
void pair_reader_close(struct pair_reader *r);

#endif
