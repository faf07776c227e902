/*
 * sim_rng.h — the small deterministic random source behind every choice
 * smelt-sim makes (replies, faults, scores). It is a splitmix64 stream
 * seeded from two 64-bit words, so "the k-th draw for (body, seed, choice)"
 * is the same on every machine and in every run; nothing reads the clock.
 */
#ifndef SMELT_SIM_RNG_H
#define SMELT_SIM_RNG_H

#include <stddef.h>
#include <stdint.h>

struct sim_rng {
	uint64_t state;
};

/* splitmix64's finaliser: a bijective scramble of one word. */
static inline uint64_t sim_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Combine two words into one seed (order matters). */
static inline uint64_t sim_mix2(uint64_t a, uint64_t b)
{
	return sim_mix64(a ^ sim_mix64(b + 0x9e3779b97f4a7c15ULL));
}

static inline void sim_rng_init(struct sim_rng *r, uint64_t a, uint64_t b)
{
	r->state = sim_mix2(a, b);
}

static inline uint64_t sim_rng_next(struct sim_rng *r)
{
	r->state += 0x9e3779b97f4a7c15ULL;
	return sim_mix64(r->state);
}

/* Uniform in [0, 1). */
static inline double sim_rng_unit(struct sim_rng *r)
{
	return (double)(sim_rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n); n must be > 0. The modulo bias is irrelevant here. */
static inline size_t sim_rng_below(struct sim_rng *r, size_t n)
{
	return (size_t)(sim_rng_next(r) % n);
}

/* Uniform integer in [lo, hi]. */
static inline long sim_rng_range(struct sim_rng *r, long lo, long hi)
{
	return lo + (long)sim_rng_below(r, (size_t)(hi - lo + 1));
}

/* Draw `want` distinct indexes below n (want <= n) into idx, in draw order. */
static inline void sim_rng_pick_distinct(struct sim_rng *r, size_t n, size_t want, size_t *idx)
{
	for (size_t k = 0; k < want; k++) {
		size_t j;
		int dup;

		do {
			j = sim_rng_below(r, n);
			dup = 0;
			for (size_t m = 0; m < k; m++)
				dup |= idx[m] == j;
		} while (dup);
		idx[k] = j;
	}
}

/* A one-shot draw in [0, 1) from two words, for yes/no decisions. */
static inline double sim_unit2(uint64_t a, uint64_t b)
{
	return (double)(sim_mix2(a, b) >> 11) * 0x1.0p-53;
}

#endif
