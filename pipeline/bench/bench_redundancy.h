/*
 * bench_redundancy.h — the three redundancies of "Redundancy Principles
 * for MLLM Benchmarks" (arXiv 2501.13953) over a results table:
 *
 *   dimensions  for each pair of dimensions, SRCC / PLCC / R² of the
 *               models' mean scores on them; each dimension's mean of each
 *               with all the others; pairs at or above the target
 *   instances   per benchmark, for subset sizes k% of its items: `draws`
 *               seeded random subsets, each model's mean on the subset
 *               against its mean on the whole benchmark — mean and least
 *               SRCC, mean PLCC and Kendall tau-b over the draws; the
 *               smallest k whose mean SRCC (and PLCC) reaches the target
 *   benchmarks  the dimension figures between whole benchmarks
 *
 * and, for curating evaluation sets, a k% subset of each benchmark that
 * keeps its ranking: the best of `draws` seeded subsets by SRCC with the
 * full ranking (PLCC breaks ties). Subset size is round(k% of n), at
 * least 1. Every figure is reproducible from the seed.
 */
#ifndef SMELT_BENCH_REDUNDANCY_H
#define SMELT_BENCH_REDUNDANCY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/bench_table.h"

struct redundancy_opts {
	double target;       /* SRCC / PLCC a subset or a pair must reach (0.95) */
	const double *sizes; /* subset sizes in percent, ascending */
	size_t nsizes;
	size_t draws;        /* random subsets per size (100) */
	uint64_t seed;
	double prune;        /* percent to keep, 0: no pruning */
};

/*
 * Every figure as one JSON document (new): models, items, dimensions,
 * benchmarks, instances, prune (stages/README.md describes the fields).
 * With opts->prune, *kept (new, may be NULL) lists the kept items as
 * [{benchmark, item}] in table order.
 */
json_t *redundancy_analyse(const struct bench_table *t, const struct redundancy_opts *opts, json_t **kept);

#endif
