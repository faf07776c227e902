/*
 * bench_corr.h — the correlations of two score vectors across models:
 * Spearman's rank correlation (SRCC; tied values share their mean rank),
 * Pearson's linear correlation (PLCC) and Kendall's tau-b. Pairs where
 * either value is NaN are left out; fewer than 3 pairs left, or a side
 * with no spread, gives NaN (no correlation can be said).
 */
#ifndef SMELT_BENCH_CORR_H
#define SMELT_BENCH_CORR_H

#include <stddef.h>

struct bench_corr {
	double srcc, plcc, r2, kendall;
};

/* All four for x[0..n), y[0..n); `want_kendall` 0 leaves kendall NaN (it costs n^2). */
void bench_corr(const double *x, const double *y, size_t n, int want_kendall, struct bench_corr *out);

/* Pearson's r alone, NaN as above. */
double bench_pearson(const double *x, const double *y, size_t n);

#endif
