/*
 * filter_fit.c — Theil–Sen lines (see filter_fit.h).
 *
 * Every pair is used when there are at most max_pairs of them; otherwise
 * pairs (i, j), i != j, are drawn uniformly over all points (indices across
 * the spans through their prefix offsets) until max_pairs slopes are found
 * or 4 * max_pairs draws were made (points sharing x give no slope). The
 * medians come from a selection with a three-way partition, so runs of
 * equal values — common among slopes of integer lengths — cost no more
 * than distinct ones.
 */
#include "reward/filter_fit.h"

#include <math.h>
#include <stdlib.h>

#include "core/reservoir.h"
#include "core/util.h"

/* ---- selection ----------------------------------------------------------- */

static void swap(double *a, double *b)
{
	double t = *a;

	*a = *b;
	*b = t;
}

/* The k-th smallest (0-based) of v[0..n), reordering v. */
static double select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n; /* the answer is in v[lo..hi) */

	while (hi - lo > 1) {
		double a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi - 1], p;
		size_t lt = lo, i = lo, gt = hi;

		/* median of three as the pivot */
		p = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
		while (i < gt) {
			if (v[i] < p)
				swap(&v[lt++], &v[i++]);
			else if (v[i] > p)
				swap(&v[i], &v[--gt]);
			else
				i++;
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return p;
	}
	return v[lo];
}

double median_select(double *v, size_t n)
{
	double hi, lo;

	if (!n)
		return NAN;
	hi = select_kth(v, n, n / 2);
	if (n % 2)
		return hi;
	/* after selecting n/2, v[0..n/2) holds the smaller half: its largest */
	lo = v[0];
	for (size_t i = 1; i < n / 2; i++)
		if (v[i] > lo)
			lo = v[i];
	return (lo + hi) / 2;
}

/* ---- points across spans ------------------------------------------------- */

struct points {
	const struct fit_span *s;
	size_t ns;
	uint64_t *start; /* start[i]: index of spans[i]'s first point */
	uint64_t n;
};

static void point(const struct points *p, uint64_t k, double *x, double *y)
{
	size_t lo = 0, hi = p->ns;

	/* the last span starting at or before k */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->start[mid] <= k)
			lo = mid;
		else
			hi = mid;
	}
	*x = p->s[lo].x[k - p->start[lo]];
	*y = p->s[lo].y[k - p->start[lo]];
}

/* Every pair's slope into out (room for n(n-1)/2); returns how many. */
static uint64_t all_slopes(const struct points *p, double *out)
{
	uint64_t m = 0;
	double xi, yi, xj, yj;

	for (uint64_t i = 0; i < p->n; i++) {
		point(p, i, &xi, &yi);
		for (uint64_t j = i + 1; j < p->n; j++) {
			point(p, j, &xj, &yj);
			if (xj != xi)
				out[m++] = (yj - yi) / (xj - xi);
		}
	}
	return m;
}

static uint64_t drawn_slopes(const struct points *p, uint64_t want, uint64_t seed, double *out)
{
	struct rng r;
	uint64_t m = 0;
	double xi, yi, xj, yj;

	rng_seed(&r, seed);
	for (uint64_t t = 0; t < 4 * want && m < want; t++) {
		uint64_t i = rng_below(&r, p->n), j = rng_below(&r, p->n - 1);
		if (j >= i)
			j++;
		point(p, i, &xi, &yi);
		point(p, j, &xj, &yj);
		if (xj != xi)
			out[m++] = (yj - yi) / (xj - xi);
	}
	return m;
}

void line_fit_theil_sen(const struct fit_span *spans, size_t ns, uint64_t max_pairs, uint64_t seed,
			struct line_fit *out)
{
	struct points p = { spans, ns, xcalloc(ns ? ns : 1, sizeof(uint64_t)), 0 };
	uint64_t all;
	double *v, x, y;

	for (size_t i = 0; i < ns; i++) {
		p.start[i] = p.n;
		p.n += spans[i].n;
	}
	*out = (struct line_fit){ 0, 0, p.n, 0, 0 };
	if (!p.n)
		goto done;
	if (max_pairs < 1)
		max_pairs = 1;
	all = p.n % 2 ? (p.n - 1) / 2 * p.n : p.n / 2 * (p.n - 1); /* n(n-1)/2 */
	v = xmalloc((all <= max_pairs ? (all ? all : 1) : max_pairs) * sizeof(*v));
	if (all <= max_pairs) {
		out->pairs = all_slopes(&p, v);
	} else {
		out->pairs = drawn_slopes(&p, max_pairs, seed, v);
		out->sampled = 1;
	}
	out->slope = out->pairs ? median_select(v, out->pairs) : 0;
	free(v);

	v = xmalloc(p.n * sizeof(*v));
	for (uint64_t k = 0; k < p.n; k++) {
		point(&p, k, &x, &y);
		v[k] = y - out->slope * x;
	}
	out->intercept = median_select(v, p.n);
	free(v);
done:
	free(p.start);
}

double line_fit_at(const struct line_fit *f, double x)
{
	return f->intercept + f->slope * x;
}

double line_fit_residual(const struct line_fit *f, double x, double y)
{
	return y - line_fit_at(f, x);
}
