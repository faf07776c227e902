/*
 * minhash.h — MinHash signatures, LSH band hashes and the similarity
 * figures that go with them.
 *
 * Permutation i is the universal hash h_i(x) = (a_i * x + b_i) mod p over
 * the shingle's 64-bit xxHash x, with p = 2^61 - 1 (a Mersenne prime, so
 * the reduction is two shifts and an add) and a_i, b_i drawn by XXH3_64 of
 * i under the signature seed. One xxHash per shingle and P multiply-adds
 * cost far less than P xxHash calls, and (a x + b) mod p is the pairwise
 * independent family MinHash's estimate needs. A signature keeps the low
 * 32 bits of each minimum: two different minima collide with probability
 * 2^-32, which moves the estimated similarity by nothing measurable.
 *
 * P(a pair with Jaccard s becomes a candidate) with B bands of R rows is
 * 1 - (1 - s^R)^B (minhash_scurve).
 */
#ifndef SMELT_NEARDUP_MINHASH_H
#define SMELT_NEARDUP_MINHASH_H

#include <stddef.h>
#include <stdint.h>

#define MINHASH_MAX_PERMS 1024

struct minhash {
	int perms;
	uint64_t seed;
	uint64_t *a, *b;
};

/* Draw the `perms` permutations for `seed`. */
void minhash_init(struct minhash *mh, int perms, uint64_t seed);
void minhash_release(struct minhash *mh);

/* sig[0..perms) = the minima over shingles[0..n) (n >= 1). */
void minhash_sign(const struct minhash *mh, const uint64_t *shingles, size_t n, uint32_t *sig);

/* The hash of band b (rows b*rows .. b*rows + rows - 1) of a signature. */
uint64_t minhash_band_hash(const uint32_t *sig, int band, int rows);

/* The share of equal positions of two signatures: the estimated Jaccard. */
double minhash_similarity(const uint32_t *x, const uint32_t *y, int perms);

/* Exact Jaccard of two sorted sets of distinct values. */
double minhash_jaccard(const uint32_t *x, size_t nx, const uint32_t *y, size_t ny);

/* 1 - (1 - s^rows)^bands. */
double minhash_scurve(double s, int bands, int rows);

#endif
