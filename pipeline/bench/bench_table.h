/*
 * bench_table.h — a results table for smelt-redundancy: rows are models,
 * columns are items, each item of one benchmark and optionally one
 * dimension (capability) of it; a cell is one model's score on one item.
 *
 * An item is named by (benchmark, item id), so two benchmarks may both
 * have an item "0". Cells may be missing: every mean is over the cells a
 * model has. Scores are stored item-major (all models of item 0, then of
 * item 1 ...) because every figure sums a model's scores over a set of
 * items.
 */
#ifndef SMELT_BENCH_TABLE_H
#define SMELT_BENCH_TABLE_H

#include <jansson.h>
#include <stddef.h>

#include "core/sbuf.h"
#include "core/util.h"

struct hash_set;

struct bench_item {
	char *id;
	size_t bench;    /* index in benchmarks */
	long dim;        /* index in dims, -1 when the item names none */
};

/* A dimension belongs to a benchmark: its name is "benchmark/dimension". */
struct bench_dim {
	char *name;
	size_t bench;
};

struct bench_table {
	char **models;
	size_t nmodels, models_alloc;
	char **benchmarks;
	size_t nbench, bench_alloc;
	struct bench_dim *dims;
	size_t ndims, dims_alloc;
	struct bench_item *items;
	size_t nitems, items_alloc;

	/* cells before bench_table_seal: (model, item, score) triples */
	struct bench_cell { size_t model, item; double score; } *cells;
	size_t ncells, cells_alloc;

	/* after bench_table_seal: score[item * nmodels + model], NaN when missing */
	double *score;

	json_t *model_ix, *bench_ix, *dim_ix, *item_ix; /* name -> index */
	struct hash_set *seen;                         /* (model, item) pairs given */
};

void bench_table_init(struct bench_table *t);
void bench_table_release(struct bench_table *t);

/*
 * Add a cell. `benchmark` NULL or "" is the benchmark "all"; `dimension`
 * NULL or "" is none. Returns 0, or -1 with the reason in err (and a
 * reject kind in *kind): an item seen before with another dimension
 * (conflicting_item), or a second score of a model for an item
 * (duplicate_cell).
 */
int bench_table_add(struct bench_table *t, const char *model, const char *item, const char *benchmark,
		    const char *dimension, double score, const char **kind, struct sbuf *err) MUST_CHECK;

/* Lay the cells out as the score matrix (call once, after the last add). */
void bench_table_seal(struct bench_table *t);

/*
 * The mean score of each model over items[0..n) (item indexes), into
 * out[0..nmodels): NaN for a model with none of them.
 */
void bench_table_means(const struct bench_table *t, const size_t *items, size_t n, double *out);

#endif
