/*
 * stats_agg.h — what smelt-stats counts, one record at a time, in bounded
 * memory: field presence and JSON types, string lengths in characters
 * (code points), array sizes and numeric values (top-level fields and one
 * level into objects, e.g. scores.rm, or the chosen --fields), conversation
 * turns and per-role content lengths (`messages` or ShareGPT
 * `conversations`), and groups by the value at a path with per-group
 * counts, turns and numeric distributions.
 *
 * Every distribution is a stats_dist (exact count/min/max/mean, quantiles
 * and histogram from a bounded reservoir). Fields and groups are kept in
 * first-seen order up to a cap; what passes the cap is counted, not lost
 * silently. The result is deterministic for a given input.
 */
#ifndef SMELT_STATS_AGG_H
#define SMELT_STATS_AGG_H

#include <jansson.h>
#include <stddef.h>

#include "core/sbuf.h"

struct stats_opts {
	const char *by;          /* group by the value at this path, or NULL */
	char *const *fields;     /* only these paths (NULL: every top-level field) */
	size_t nfields;
	size_t reservoir;        /* values kept per distribution (quantiles, histograms) */
	size_t group_reservoir;  /* the same for per-group distributions */
	int bins;                /* histogram bins */
	size_t max_fields, max_groups;
};

#define STATS_OPTS_INIT { NULL, NULL, 0, 10000, 1000, 20, 256, 1000 }

struct stats_agg;

/* A new aggregate; `o` is copied, its strings borrowed (they must outlive it). */
struct stats_agg *stats_agg_new(const struct stats_opts *o);
void stats_agg_free(struct stats_agg *a);

/* Count one record (a JSON object; borrowed). */
void stats_agg_add(struct stats_agg *a, const json_t *rec);

/*
 * The same in two halves, so the JSON walk can run on worker threads:
 * stats_observe encodes what `rec` contributes into `obs` (reset first;
 * thread-safe, `o` and `rec` only read), and stats_agg_add_observed counts
 * it (main thread, in input order for reproducible reservoirs).
 */
void stats_observe(const struct stats_opts *o, const json_t *rec, struct sbuf *obs);
void stats_agg_add_observed(struct stats_agg *a, const char *obs, size_t len);

/*
 * The result as a new JSON object: records, settings, fields,
 * fields_truncated, conversations, and groups when `by` is set (see
 * schemas/stats.schema.json). Call once, at the end.
 */
json_t *stats_agg_result(struct stats_agg *a);


#endif
