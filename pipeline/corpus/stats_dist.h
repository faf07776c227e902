/*
 * stats_dist.h — one streaming distribution for smelt-stats: string
 * lengths, turn counts, scores.
 *
 * Count, min, max and mean are exact. Quantiles and the histogram come
 * from a uniform reservoir of at most `cap` values (core/reservoir.h):
 * exact while no more than `cap` values were seen, an estimate from a
 * uniform sample after that (the summary says which). One pass is all
 * stdin allows, and memory stays at `cap` doubles per distribution.
 */
#ifndef SMELT_STATS_DIST_H
#define SMELT_STATS_DIST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/reservoir.h"

struct stats_dist {
	uint64_t count;
	double min, max, sum;
	int all_integer;
	struct reservoir res;
	double *values; /* reservoir_size(&res) values, grown on demand */
	size_t alloc;
};

void stats_dist_init(struct stats_dist *d, size_t cap, uint64_t seed);
void stats_dist_release(struct stats_dist *d);
void stats_dist_add(struct stats_dist *d, double x);

/*
 * The summary as a new JSON object: count, min, max, mean, p50, p90, p99
 * (nearest rank), exact, sample_size and histogram {edges, counts} with
 * `bins` bins from min to max (one per integer when the values are
 * integers spanning fewer than `bins`). Counts are scaled to `count` when
 * not exact. An empty distribution gives {"count": 0}. Sorts the
 * reservoir in place.
 */
json_t *stats_dist_json(struct stats_dist *d, int bins);

#endif
