/*
 * kt_draw.c — weighted picks and quota allocation over a seeded xoshiro256**.
 *
 * A weighted pick scales one uniform double in [0, 1) (53 random bits) by
 * the total weight and walks the weights; zero weights are never chosen,
 * even when rounding leaves the draw just past the end. Quotas give each
 * stratum the floor of its exact share, then hand the units left over to
 * the largest remainders, re-dividing whenever a stratum hits its cap.
 */
#include "condor/kt_draw.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/util.h"

/* Uniform in [0, 1). */
static double rng_double(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

size_t kt_draw_weighted(struct rng *r, const double *w, size_t n)
{
	double total = 0, x;
	size_t last = 0;

	for (size_t i = 0; i < n; i++)
		total += w[i];
	x = rng_double(r) * total;
	for (size_t i = 0; i < n; i++) {
		if (w[i] <= 0)
			continue;
		if (x < w[i])
			return i;
		x -= w[i];
		last = i; /* rounding can leave x just past the end */
	}
	return last;
}

/* A stratum's fractional share, and a random tie-break. */
struct remainder {
	size_t i;
	double frac;
	uint64_t tie;
};

static int remainder_cmp(const void *a, const void *b)
{
	const struct remainder *x = a, *y = b;

	if (x->frac != y->frac)
		return x->frac > y->frac ? -1 : 1;
	return x->tie < y->tie ? -1 : x->tie > y->tie;
}

int kt_draw_quotas(struct rng *r, size_t n, const double *w, const size_t *cap, size_t k, size_t *q)
{
	char *fixed = xcalloc(k ? k : 1, 1);
	struct remainder *rem = xmalloc((k ? k : 1) * sizeof(*rem));
	size_t left = n, nr_rem = 0, used = 0;
	double total;
	int changed, ret = 0;

	for (size_t i = 0; i < k; i++) {
		q[i] = 0;
		fixed[i] = !(w[i] > 0) || !cap[i];
	}
	do {
		changed = 0;
		total = 0;
		for (size_t i = 0; i < k; i++)
			if (!fixed[i])
				total += w[i];
		for (size_t i = 0; total > 0 && i < k; i++) {
			if (!fixed[i] && (double)left * (w[i] / total) >= (double)cap[i]) {
				q[i] = cap[i];
				left -= cap[i];
				fixed[i] = changed = 1;
			}
		}
	} while (changed);
	for (size_t i = 0; total > 0 && i < k; i++) {
		double share;
		if (fixed[i])
			continue;
		share = (double)left * (w[i] / total);
		q[i] = (size_t)floor(share);
		used += q[i];
		rem[nr_rem++] = (struct remainder){ i, share - floor(share), rng_next(r) };
	}
	qsort(rem, nr_rem, sizeof(*rem), remainder_cmp);
	for (size_t j = 0; used < left && j < nr_rem; j++) {
		if (q[rem[j].i] < cap[rem[j].i]) {
			q[rem[j].i]++;
			used++;
		}
	}
	/* floating point may overshoot by a unit; take it back from the least deserving */
	for (size_t j = nr_rem; used > left && j-- > 0;) {
		if (q[rem[j].i]) {
			q[rem[j].i]--;
			used--;
		}
	}
	if (used != left)
		ret = -1;
	free(fixed);
	free(rem);
	return ret;
}

