/*
 * kt_draw.h — the random draws the knowledge-tree sampler is built from:
 * an index in proportion to weights, and largest-remainder quotas. Both
 * take the caller's generator (core/reservoir.h's xoshiro256**), so a
 * seed gives the same draws on every machine.
 */
#ifndef SMELT_KT_DRAW_H
#define SMELT_KT_DRAW_H

#include <stddef.h>

#include "core/reservoir.h"

/* Index drawn in proportion to w[0..n); at least one w must be > 0. */
size_t kt_draw_weighted(struct rng *r, const double *w, size_t n);

/*
 * Largest-remainder quotas: split n among k strata in proportion to w,
 * none above cap (SIZE_MAX = unbounded), into q[0..k). Strata whose exact
 * share reaches their cap are fixed at it and the rest re-divided. Equal
 * remainders are ordered randomly so the extra units do not always go to
 * the first strata. -1 if the caps cannot hold n.
 */
int kt_draw_quotas(struct rng *r, size_t n, const double *w, const size_t *cap, size_t k, size_t *q);

#endif
