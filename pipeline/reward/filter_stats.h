/*
 * filter_stats.h — the statistics behind smelt-filter: scores gathered per
 * group in a first pass, cut thresholds per group (or from all scores when
 * a group is too small), and the keep/drop decision for each record in the
 * second pass.
 *
 * Memory is the scores themselves, 8 bytes per scored record, kept sorted
 * per group after filter_stats_finish; quantiles, the median and the MAD
 * are exact (order statistics of those arrays, across all arrays for the
 * global figures, found by bisecting the ordered bit patterns of doubles so
 * no merged copy is ever made).
 *
 * With a control (rules.control; filter_fit.h, filter_control.h), each
 * group also keeps the control's x beside each score (16 bytes a score);
 * finishing fits score against x per group (Theil–Sen; a group under
 * min_group by the line through all points) and turns every score into
 * its residual, score - fitted, so that the quantile and robust-z rules,
 * the summaries and the histograms are about residuals; the x are freed.
 * --min and --max stay bounds on the raw score.
 *
 * Rules, checked in this order; the first that applies names the drop
 * ("value" is the score, or its residual under a control):
 *
 *	missing_score    the record has no numeric score (unless keep_missing)
 *	missing_control  under a control, it has no control value (unless keep_missing)
 *	below_min        score < --min
 *	above_max        score > --max
 *	quantile         value < the k-th smallest value, k = floor(q * n)
 *	robust_z         (value - median) / (1.4826 * MAD) < -z
 *
 * A group with fewer than min_group scores takes its quantile and robust-z
 * thresholds from the global statistics. A robust-z rule over scores whose
 * MAD is 0 does not apply (there is no scale to measure outliers by).
 *
 * Not thread-safe: the stage calls it from its main thread.
 */
#ifndef SMELT_FILTER_STATS_H
#define SMELT_FILTER_STATS_H

#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "reward/filter_fit.h"

enum filter_rule {
	FILTER_KEPT,
	FILTER_MISSING,
	FILTER_BELOW_MIN,
	FILTER_ABOVE_MAX,
	FILTER_QUANTILE,
	FILTER_ROBUST_Z,
	FILTER_MISSING_CONTROL,  /* last so the numbers of the others stay */
	FILTER_RULES
};

/* "kept", "missing_score", "below_min", "above_max", "quantile", "robust_z",
 * "missing_control". */
const char *filter_rule_name(enum filter_rule r);

struct filter_rules {
	double drop_quantile; /* in [0, 1); 0 = off */
	double robust_z;      /* > 0; 0 = off */
	double min, max;      /* -INFINITY / INFINITY = off */
	uint64_t min_group;   /* groups with fewer scores use global statistics */
	int keep_missing;     /* records without a score are kept */
	double borderline;    /* share of a group just above its cut shown as borderline */
	int control;          /* cut on residuals from a fit of score against x */
};

#define FILTER_RULES_INIT { 0, 0, -INFINITY, INFINITY, 30, 0, 0.05, 0 }

/* Order statistics of a set of scores. */
struct filter_summary {
	uint64_t n;
	double min, max, mean, median, mad;
};

struct filter_group {
	char *key;             /* lookup key (field values joined by \x1f) */
	char *name;            /* shown name (values joined by '/') */
	uint64_t records, missing;
	double *scores;        /* sorted once finished (residuals under a control) */
	double *xs;            /* under a control, until finished: x of scores[i] */
	size_t nscores, alloc, xalloc;
	uint64_t no_control;   /* scored records without a control value */
	struct line_fit fit;   /* under a control: the line residuals are taken from */
	int fit_global;        /* that line is the one through all groups' points */
	double sum;
	struct filter_summary s;
	int global;            /* thresholds come from the global statistics */
	double q_cut, z_cut;   /* -INFINITY when the rule is off or cannot apply */
	double lower;          /* the highest lower threshold in force (with --min) */
	double border_hi;      /* kept scores in [lower, border_hi] are borderline; NAN: none */
	uint64_t decided[FILTER_RULES]; /* pass-2 outcomes by rule (FILTER_KEPT = kept) */
};

struct filter_stats {
	struct filter_rules rules;
	struct filter_group *groups;
	size_t ngroups, alloc;
	uint32_t *index;       /* open addressing over groups (gid + 1; 0 = empty) */
	size_t index_cap;
	struct filter_summary all;
	struct line_fit fit;   /* under a control: the line through all points */
	double q_cut, z_cut;   /* global thresholds */
	int finished;
};

void filter_stats_init(struct filter_stats *fs, const struct filter_rules *rules);
void filter_stats_release(struct filter_stats *fs);

/* The id of group `key` (len bytes, may hold \x1f separators), added if new. */
uint32_t filter_stats_group(struct filter_stats *fs, const char *key, size_t len);

/* One record of group `gid`: its score, or NAN when it has none. */
void filter_stats_add(struct filter_stats *fs, uint32_t gid, double score);

/* The same under a control: x is the control's, NAN when it has none. */
void filter_stats_add_x(struct filter_stats *fs, uint32_t gid, double score, double x);

/* Sort the scores and compute every summary and threshold. */
void filter_stats_finish(struct filter_stats *fs);

/*
 * Decide a record (after finish): returns FILTER_KEPT or the rule that
 * drops it, with the threshold it crossed in *threshold (NAN for a missing
 * score or a kept record). Counts the outcome in the group.
 */
enum filter_rule filter_stats_decide(struct filter_stats *fs, uint32_t gid, double score,
				     double *threshold);

/*
 * The same under a control: x as given to filter_stats_add_x. *value is
 * what the relative rules compared — the residual, score - fitted (NAN
 * when there is none) — and *threshold is then in residual units.
 */
enum filter_rule filter_stats_decide_x(struct filter_stats *fs, uint32_t gid, double score, double x,
				       double *threshold, double *value);

/* Score minus the group's fitted line at x (the score itself without a control). */
double filter_stats_value(const struct filter_stats *fs, uint32_t gid, double score, double x);

/* 1 if a kept value (score, or residual under a control) of group `gid`
 * lies in the borderline band. */
int filter_stats_borderline(const struct filter_stats *fs, uint32_t gid, double value);

/* The k-th smallest (0-based) score of all groups; NAN when k >= n. */
double filter_stats_kth(const struct filter_stats *fs, uint64_t k);

/*
 * Histogram of group `gid` (or of all scores when gid is UINT32_MAX) over
 * `bins` equal bins from lo to hi: kept[i] and dropped[i] count the scores
 * that the thresholds keep and drop. Sets *lo and *hi.
 */
void filter_stats_histogram(const struct filter_stats *fs, uint32_t gid, size_t bins,
			    uint64_t *kept, uint64_t *dropped, double *lo, double *hi);

/*
 * {"global": {...}, "groups": [{group, records, scored, missing, min, max,
 * mean, median, mad, statistics: "group"|"global", thresholds: {...},
 * kept, dropped: {rule: n}[, fit: {slope, intercept, points, pairs,
 * sampled, from: "group"|"global"}]}], "kept", "dropped": {rule: n}} as a new
 * reference. Numbers that do not exist (no scores, a rule that is off)
 * are null.
 */
json_t *filter_stats_json(const struct filter_stats *fs);

#endif
