/*
 * stats_merge — one --stats document from the --stats documents of the
 * shards of a step (smelt-stats-merge), so a sharded build reports the
 * same counts as one process would have.
 *
 * Counts add up; the rest cannot, and is handled by name (the table in
 * stats_merge.c, listed in stages/README.md):
 *   - numbers: summed, except maxima and peaks (max, max_rss_kb,
 *     peak_in_flight, wall_seconds: the slowest shard) which take the
 *     maximum, the state of a shared cache (llm.cache.entries, segments)
 *     which takes the maximum too, settings (llm.concurrency,
 *     refine.always, histogram edges) which must be equal, and quantiles,
 *     means and shares (p50, p90, p99, mean, median, share, rate, ratio)
 *     which cannot be recomputed from the shards' summaries and are dropped;
 *   - arrays of numbers (histogram counts, by_rounds): summed element by
 *     element; "inputs": concatenated; other arrays, strings, booleans:
 *     must be equal;
 *   - objects: merged key by key (a key some shards lack is counted from
 *     the shards that have it).
 * A value that must be equal and is not, or whose type differs between
 * shards, is dropped too. Every dropped path is listed, with the number of
 * documents, under "merged": {"shards": N, "dropped": [...]}.
 */
#ifndef SMELT_STATS_MERGE_H
#define SMELT_STATS_MERGE_H

#include <jansson.h>

struct stats_merge {
	json_t *doc;     /* the merged document so far */
	json_t *dropped; /* {path: true}: paths dropped, never added back */
	int n;           /* documents added */
};

void stats_merge_init(struct stats_merge *m);
/* Merge one --stats document (an object; borrowed) into m. */
void stats_merge_add(struct stats_merge *m, const json_t *doc);
/* The merged document with its "merged" note (new reference); m is reset. */
json_t *stats_merge_finish(struct stats_merge *m);

#endif
