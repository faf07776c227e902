/*
 * cluster.h — from candidate pairs to decisions: union-find over the pairs
 * (each verified, when asked, by the exact Jaccard of the two records'
 * shingle sets), one record kept per cluster by a policy, and a decision
 * for every other record.
 *
 * Memory: per signed record a u64 offset of its entry, and u32 parent,
 * size and kept-member arrays (20 bytes), plus a float key for `longest`
 * and `highest` (24 bytes): 10 million records take 200-240 MB. Pairs are
 * streamed; verification reads the two entries back from the signature
 * files (pread), so shingle sets are never all in memory.
 *
 * Decisions come out ordered by (shard, seq) — shard being the signature
 * file's place in the list — which is the order `filter` reads its input
 * in, so it merges them in constant memory. Each is a JSON object:
 *	{"shard":0,"seq":17,"id":"r17","kind":"near_duplicate","kept":"r3",
 *	 "similarity":0.91,"jaccard":0.88,"cluster_size":3}
 * similarity is MinHash's estimate against the kept record, jaccard the
 * exact figure on the stored shingles; or, for a record signing could not
 * use, {"shard","seq","id","kind":"missing_field"|"bad_text"}.
 */
#ifndef SMELT_NEARDUP_CLUSTER_H
#define SMELT_NEARDUP_CLUSTER_H

#include <jansson.h>
#include <stdint.h>

#include "core/util.h"

struct neardup_report;

enum keep_kind { KEEP_FIRST, KEEP_LONGEST, KEEP_HIGHEST };

struct keep_policy {
	enum keep_kind kind;
	const char *field; /* KEEP_HIGHEST: the field signing stored as score (borrowed) */
};

/* Parse "first", "longest" or "highest:FIELD". 0, or -1 (nothing printed). */
int keep_policy_parse(const char *arg, struct keep_policy *out) MUST_CHECK;

struct cluster_opts {
	double threshold; /* verify pairs by exact Jaccard >= this; <= 0: no verification */
	struct keep_policy keep;
	uint64_t memory;  /* only compared with what the arrays need, for a warning */
};

struct cluster_figures {
	uint64_t records, signed_ok, unusable, pairs, pairs_joined, pairs_refused, clusters, removed;
	uint64_t largest_cluster, array_bytes;
};

/* Called per decision in (shard, seq) order; `d` is borrowed. 0 or -1 to stop. */
typedef int (*cluster_emit_fn)(const json_t *d, void *ctx);

/* NULL `report`: none gathered. 0, or -1 after error(). */
int cluster_run(char *const *sigs, int nsigs, char *const *pairs, int npairs, const struct cluster_opts *o,
		cluster_emit_fn emit, void *ctx, struct neardup_report *report, struct cluster_figures *fig)
	MUST_CHECK;

#endif
