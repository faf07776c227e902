/*
 * filter_fit.h — a robust straight line through (x, y) points, for
 * smelt-filter --control: the score explained by a control variable such as
 * log(1 + response length), so the cut can be made on what is left.
 *
 * Theil–Sen: the slope is the median of the slopes of the point pairs with
 * different x, the intercept the median of y - slope * x (Sen's estimator).
 * Up to ~29% of the points can be arbitrary (the defects a filter looks for
 * are such points) without moving the line far, unlike least squares.
 *
 * Bounded work: when the points have more pairs than `max_pairs`, that many
 * pairs are drawn with a seeded generator (core/reservoir.h's rng) instead,
 * so time and memory stay O(max_pairs + n) and the same points and seed
 * give the same line on every machine. The points may lie in several arrays
 * (one per group, for a fit over all groups) without being copied.
 */
#ifndef SMELT_FILTER_FIT_H
#define SMELT_FILTER_FIT_H

#include <stddef.h>
#include <stdint.h>

/* n points: x[i], y[i] (borrowed). */
struct fit_span {
	const double *x, *y;
	size_t n;
};

struct line_fit {
	double slope, intercept;
	uint64_t points;  /* points the line was fitted to */
	uint64_t pairs;   /* pair slopes the slope is the median of (0: slope 0, no two x differ) */
	int sampled;      /* 1 if the pairs were drawn, 0 if every pair was used */
};

/* Pairs examined when a set has more (200,000: the median's rank error is ~0.1%). */
#define FIT_MAX_PAIRS 200000

/*
 * Fit a line through the points of spans[0..ns); see above. With no point,
 * the line is 0; with no two different x, slope 0 and the median y.
 */
void line_fit_theil_sen(const struct fit_span *spans, size_t ns, uint64_t max_pairs, uint64_t seed,
			struct line_fit *out);

/*
 * y - (intercept + slope * x). The one place this is computed, so that a
 * residual worked out again later is the same double bit for bit.
 */
double line_fit_residual(const struct line_fit *f, double x, double y);

/* intercept + slope * x */
double line_fit_at(const struct line_fit *f, double x);

/*
 * The median of v[0..n) (the mean of the two middle values when n is
 * even), reordering v; NAN when n is 0. Expected O(n).
 */
double median_select(double *v, size_t n);

#endif
