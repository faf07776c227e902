/*
 * reservoir.c — the seeded generator and Algorithm R (see reservoir.h).
 *
 * Algorithm R draws one integer per item; Algorithm L would skip ahead
 * with a few floating-point draws instead, but its exp/log results may
 * differ in the last bit between libm versions, and a sample must not.
 * One draw costs a few nanoseconds next to parsing a record.
 */
#include "core/reservoir.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Lemire's multiply-and-reject: unbiased, rarely more than one draw. */
uint64_t rng_below(struct rng *r, uint64_t n)
{
	unsigned __int128 m = (unsigned __int128)rng_next(r) * n;
	uint64_t low = (uint64_t)m;

	if (low < n) {
		uint64_t threshold = -n % n;
		while (low < threshold) {
			m = (unsigned __int128)rng_next(r) * n;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

void rng_choose(struct rng *r, size_t *idx, size_t n, size_t k)
{
	for (size_t i = 0; i < k && i < n; i++) {
		size_t j = i + (size_t)rng_below(r, n - i), t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
	}
}

void reservoir_init(struct reservoir *r, uint64_t cap, uint64_t seed)
{
	r->cap = cap;
	r->seen = 0;
	rng_seed(&r->rng, seed);
}

int64_t reservoir_offer(struct reservoir *r)
{
	uint64_t j;

	r->seen++;
	if (r->seen <= r->cap)
		return (int64_t)(r->seen - 1);
	j = rng_below(&r->rng, r->seen);
	return j < r->cap ? (int64_t)j : -1;
}
