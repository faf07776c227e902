/*
 * verify_group.h — one prompt's K rollouts as GRPO sees them: the mean
 * and standard deviation of their total rewards, each rollout's advantage
 * (r − mean) / std, the pass rate, and the curation rule that keeps or
 * sets the prompt aside.
 *
 * A rollout passes when the reward chosen for passing (--pass-on; by
 * default the first scorer that is not format) is at least the threshold.
 * A group is uniform — no learning signal under GRPO, every advantage 0 —
 * when all its totals are within 1e-9 of each other (a single rollout is
 * uniform).
 */
#ifndef SMELT_VERIFY_GROUP_H
#define SMELT_VERIFY_GROUP_H

#include <jansson.h>
#include <stddef.h>

struct vgroup_rule {
	int keep_informative;     /* set uniform groups aside */
	double pass_lo, pass_hi;  /* keep pass rates in [lo, hi] (0..1: all) */
	double pass_threshold;    /* a rollout passes at or above it */
};

#define VGROUP_RULE_INIT { 0, 0, 1, 0.5 }

struct vgroup_stats {
	size_t n;
	double mean, std, min, max, pass_rate;
	int uniform;
	const char *drop_kind; /* NULL: kept; else "uniform_rewards" or "pass_rate_out_of_band" */
};

/* Figures of totals[0..n) and passes[0..n) (1/0), and the rule's verdict. */
void vgroup_decide(const struct vgroup_rule *rule, const double *totals, const int *passes, size_t n,
		   struct vgroup_stats *out);

/* (total − mean) / std, 0 for a uniform group. */
double vgroup_advantage(const struct vgroup_stats *g, double total);

/* {n, mean, std, min, max, pass_rate, uniform} (new). */
json_t *vgroup_json(const struct vgroup_stats *g);

/* "A..B" with 0 <= A <= B <= 1 into lo, hi; 0, or -1 when malformed. */
int vgroup_parse_band(const char *s, double *lo, double *hi);

#endif
