/*
 * minhash.c — signatures, bands and similarities (see minhash.h).
 */
#include "neardup/minhash.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/util.h"

#define MERSENNE61 ((1ULL << 61) - 1)

static inline uint64_t mod61(unsigned __int128 x)
{
	uint64_t r = (uint64_t)(x & MERSENNE61) + (uint64_t)(x >> 61);

	r = (r & MERSENNE61) + (r >> 61);
	return r >= MERSENNE61 ? r - MERSENNE61 : r;
}

void minhash_init(struct minhash *mh, int perms, uint64_t seed)
{
	mh->perms = perms;
	mh->seed = seed;
	mh->a = xmalloc((size_t)perms * sizeof(*mh->a));
	mh->b = xmalloc((size_t)perms * sizeof(*mh->b));
	for (int i = 0; i < perms; i++) {
		uint64_t k[2] = { (uint64_t)i, 0 };
		mh->a[i] = hash64(k, sizeof(k), seed) % (MERSENNE61 - 1) + 1;
		k[1] = 1;
		mh->b[i] = hash64(k, sizeof(k), seed) % MERSENNE61;
	}
}

void minhash_release(struct minhash *mh)
{
	free(mh->a);
	free(mh->b);
	mh->a = mh->b = NULL;
}

void minhash_sign(const struct minhash *mh, const uint64_t *shingles, size_t n, uint32_t *sig)
{
	uint64_t mins[MINHASH_MAX_PERMS];
	int p = mh->perms;

	for (int i = 0; i < p; i++)
		mins[i] = UINT64_MAX;
	for (size_t s = 0; s < n; s++) {
		uint64_t x = mod61(shingles[s]);
		for (int i = 0; i < p; i++) {
			uint64_t v = mod61((unsigned __int128)mh->a[i] * x + mh->b[i]);
			if (v < mins[i])
				mins[i] = v;
		}
	}
	for (int i = 0; i < p; i++)
		sig[i] = (uint32_t)mins[i];
}

uint64_t minhash_band_hash(const uint32_t *sig, int band, int rows)
{
	return hash64(sig + (size_t)band * (size_t)rows, (size_t)rows * sizeof(*sig), (uint64_t)band);
}

double minhash_similarity(const uint32_t *x, const uint32_t *y, int perms)
{
	int same = 0;

	for (int i = 0; i < perms; i++)
		same += x[i] == y[i];
	return perms ? (double)same / perms : 0;
}

double minhash_jaccard(const uint32_t *x, size_t nx, const uint32_t *y, size_t ny)
{
	size_t i = 0, j = 0, both = 0;

	if (!nx && !ny)
		return 1;
	while (i < nx && j < ny) {
		if (x[i] == y[j]) {
			both++;
			i++;
			j++;
		} else if (x[i] < y[j]) {
			i++;
		} else {
			j++;
		}
	}
	return (double)both / (double)(nx + ny - both);
}

double minhash_scurve(double s, int bands, int rows)
{
	return 1 - pow(1 - pow(s, rows), bands);
}
