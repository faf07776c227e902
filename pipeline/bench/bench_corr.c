/*
 * bench_corr.c — SRCC, PLCC, R² (PLCC squared: the R² of the least-squares
 * line of one on the other) and Kendall's tau-b, over the complete pairs.
 */
#include "bench/bench_corr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

double bench_pearson(const double *x, const double *y, size_t n)
{
	double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (!isnan(x[i]) && !isnan(y[i])) {
			mx += x[i];
			my += y[i];
			k++;
		}
	if (k < 3)
		return NAN;
	mx /= (double)k;
	my /= (double)k;
	for (size_t i = 0; i < n; i++)
		if (!isnan(x[i]) && !isnan(y[i])) {
			sxy += (x[i] - mx) * (y[i] - my);
			sxx += (x[i] - mx) * (x[i] - mx);
			syy += (y[i] - my) * (y[i] - my);
		}
	if (sxx <= 0 || syy <= 0)
		return NAN;
	return fmax(-1, fmin(1, sxy / sqrt(sxx * syy)));
}

struct valued {
	double v;
	size_t i;
};

static int by_value(const void *a, const void *b)
{
	double x = ((const struct valued *)a)->v, y = ((const struct valued *)b)->v;

	return (x > y) - (x < y);
}

/* Mean ranks (1-based) of v[idx[0..k)] into r[idx[...]]. */
static void ranks(const double *v, const size_t *idx, size_t k, double *r)
{
	struct valued *o = xmalloc((k ? k : 1) * sizeof(*o));

	for (size_t i = 0; i < k; i++)
		o[i] = (struct valued){ v[idx[i]], idx[i] };
	qsort(o, k, sizeof(*o), by_value);
	for (size_t i = 0; i < k;) {
		size_t j = i;

		while (j + 1 < k && o[j + 1].v == o[i].v)
			j++;
		for (size_t m = i; m <= j; m++)
			r[o[m].i] = (double)(i + j) / 2 + 1;
		i = j + 1;
	}
	free(o);
}

static double kendall_b(const double *x, const double *y, const size_t *idx, size_t k)
{
	double conc = 0, disc = 0, tx = 0, ty = 0;

	for (size_t a = 0; a < k; a++)
		for (size_t b = a + 1; b < k; b++) {
			double dx = x[idx[a]] - x[idx[b]], dy = y[idx[a]] - y[idx[b]];

			if (dx == 0 && dy == 0)
				continue;
			if (dx == 0)
				tx++;
			else if (dy == 0)
				ty++;
			else if ((dx > 0) == (dy > 0))
				conc++;
			else
				disc++;
		}
	if ((conc + disc + tx) <= 0 || (conc + disc + ty) <= 0)
		return NAN;
	return (conc - disc) / sqrt((conc + disc + tx) * (conc + disc + ty));
}

void bench_corr(const double *x, const double *y, size_t n, int want_kendall, struct bench_corr *out)
{
	size_t *idx = xmalloc((n ? n : 1) * sizeof(*idx)), k = 0;
	double *rx = xmalloc((n ? n : 1) * sizeof(*rx)), *ry = xmalloc((n ? n : 1) * sizeof(*ry));

	for (size_t i = 0; i < n; i++) {
		rx[i] = ry[i] = NAN;
		if (!isnan(x[i]) && !isnan(y[i]))
			idx[k++] = i;
	}
	out->plcc = bench_pearson(x, y, n);
	out->r2 = out->plcc * out->plcc;
	ranks(x, idx, k, rx);
	ranks(y, idx, k, ry);
	out->srcc = bench_pearson(rx, ry, n);
	out->kendall = want_kendall && k >= 3 ? kendall_b(x, y, idx, k) : NAN;
	free(idx);
	free(rx);
	free(ry);
}
