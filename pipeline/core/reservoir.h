/*
 * reservoir.h — seeded random sampling of a stream of unknown length.
 *
 * `struct rng` is xoshiro256** seeded through splitmix64: the same seed
 * gives the same draws on every machine (integers only, no libm), which is
 * what makes `smelt-sample --seed S` byte-reproducible.
 *
 * `struct reservoir` is Vitter's Algorithm R: after n offers each of them is
 * held with probability cap/n. It only decides *where* an item goes; the
 * caller keeps the items in an array of `cap` slots of its own type.
 */
#ifndef SMELT_RESERVOIR_H
#define SMELT_RESERVOIR_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t s[4];
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n) without modulo bias; n must be > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Reorder idx[0..n) so that idx[0..k) is a uniform random k-subset. */
void rng_choose(struct rng *r, size_t *idx, size_t n, size_t k);

struct reservoir {
	uint64_t cap;  /* slots */
	uint64_t seen; /* items offered so far */
	struct rng rng;
};

void reservoir_init(struct reservoir *r, uint64_t cap, uint64_t seed);
/*
 * Offer the next item. Returns the slot (0 <= slot < cap) where it must be
 * stored, replacing the slot's previous item, or -1 if it is not kept.
 * Slots fill in order 0, 1, 2... while fewer than cap items were seen.
 */
int64_t reservoir_offer(struct reservoir *r);
/* Items currently held: min(seen, cap). */
static inline uint64_t reservoir_size(const struct reservoir *r)
{
	return r->seen < r->cap ? r->seen : r->cap;
}

#endif
