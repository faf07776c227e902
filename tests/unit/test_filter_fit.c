/*
 * test_filter_fit.c — smelt-filter --control's line and residual cut:
 * selection medians against a sort, Theil–Sen on exact lines, with a
 * fifth of the points thrown off, with no two x different, drawn pairs
 * (deterministic, close to every pair), several spans read as one; and
 * filter_stats under a control dropping exactly the k lowest residuals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/reservoir.h"
#include "reward/filter_fit.h"
#include "reward/filter_stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* A normal-ish draw in [-1.5, 1.5]: the mean of three uniforms, scaled. */
static double noise(struct rng *r)
{
	double s = 0;

	for (int i = 0; i < 3; i++)
		s += (double)rng_below(r, 1u << 20) / (1u << 20);
	return s - 1.5;
}

static void test_median_matches_sort(void **state)
{
	struct rng r;
	double v[101], w[101];

	(void)state;
	rng_seed(&r, 3);
	for (size_t n = 1; n <= 101; n += 7) {
		for (int rep = 0; rep < 20; rep++) {
			for (size_t i = 0; i < n; i++)
				v[i] = w[i] = (double)rng_below(&r, rep % 2 ? 4 : 1000); /* ties on odd reps */
			qsort(w, n, sizeof(*w), cmp_double);
			assert_true(median_select(v, n) == (n % 2 ? w[n / 2] : (w[n / 2 - 1] + w[n / 2]) / 2));
		}
	}
	assert_true(isnan(median_select(v, 0)));
}

static void test_exact_line(void **state)
{
	double x[50], y[50];
	struct fit_span s = { x, y, 50 };
	struct line_fit f;

	(void)state;
	for (int i = 0; i < 50; i++) {
		x[i] = i;
		y[i] = 2 + 3 * i;
	}
	line_fit_theil_sen(&s, 1, FIT_MAX_PAIRS, 1, &f);
	assert_true(f.slope == 3 && f.intercept == 2);
	assert_int_equal(f.pairs, 50 * 49 / 2);
	assert_int_equal(f.points, 50);
	assert_false(f.sampled);
	assert_true(line_fit_residual(&f, 10, 40) == 8);
}

static void test_outliers_do_not_move_it(void **state)
{
	enum { N = 300 };
	double x[N], y[N];
	struct fit_span s = { x, y, N };
	struct line_fit f;
	struct rng r;

	(void)state;
	rng_seed(&r, 5);
	for (int i = 0; i < N; i++) {
		x[i] = (double)rng_below(&r, 1000) / 100;
		y[i] = 1 - 0.5 * x[i] + 0.1 * noise(&r);
		if (i % 5 == 0)
			y[i] -= 50; /* a fifth of the points: defects far below */
	}
	line_fit_theil_sen(&s, 1, FIT_MAX_PAIRS, 1, &f);
	assert_true(fabs(f.slope + 0.5) < 0.05);
	assert_true(fabs(f.intercept - 1) < 0.2);
}

static void test_no_two_x_differ(void **state)
{
	double x[5] = { 4, 4, 4, 4, 4 }, y[5] = { 1, 9, 3, 7, 5 };
	struct fit_span s = { x, y, 5 };
	struct line_fit f;

	(void)state;
	line_fit_theil_sen(&s, 1, FIT_MAX_PAIRS, 1, &f);
	assert_true(f.slope == 0 && f.intercept == 5);
	assert_int_equal(f.pairs, 0);
	line_fit_theil_sen(&s, 0, FIT_MAX_PAIRS, 1, &f);
	assert_true(f.slope == 0 && f.intercept == 0 && f.points == 0);
}

static int same_fit(const struct line_fit *a, const struct line_fit *b)
{
	return a->slope == b->slope && a->intercept == b->intercept && a->points == b->points &&
	       a->pairs == b->pairs && a->sampled == b->sampled;
}

static void test_drawn_pairs(void **state)
{
	enum { N = 2000 };
	double *x = malloc(N * sizeof(double)), *y = malloc(N * sizeof(double));
	struct fit_span one = { x, y, N }, three[3] = { { x, y, 700 }, { x + 700, y + 700, 0 },
						        { x + 700, y + 700, N - 700 } };
	struct line_fit every, drawn, again, split;
	struct rng r;

	(void)state;
	rng_seed(&r, 9);
	for (int i = 0; i < N; i++) {
		x[i] = (double)rng_below(&r, 800) / 100; /* ties in x */
		y[i] = 1.5 * x[i] + noise(&r);
	}
	line_fit_theil_sen(&one, 1, (uint64_t)N * N, 1, &every);
	assert_false(every.sampled);
	line_fit_theil_sen(&one, 1, 20000, 7, &drawn);
	assert_true(drawn.sampled);
	assert_int_equal(drawn.pairs, 20000);
	assert_true(fabs(drawn.slope - every.slope) < 0.05);
	assert_true(fabs(drawn.intercept - every.intercept) < 0.1);
	line_fit_theil_sen(&one, 1, 20000, 7, &again);
	assert_true(same_fit(&drawn, &again));
	/* the same points in several arrays (one empty) are the same points */
	line_fit_theil_sen(three, 3, 20000, 7, &split);
	assert_true(same_fit(&drawn, &split));
	free(x);
	free(y);
}

/* Under a control the quantile rule drops the k lowest residuals, not scores. */
static void test_stats_cut_residuals(void **state)
{
	struct filter_rules rules = FILTER_RULES_INIT;
	struct filter_stats fs;
	enum { N = 100 };
	double t, v;
	uint32_t g;
	int dropped = 0;

	(void)state;
	rules.control = 1;
	rules.drop_quantile = 0.05;
	filter_stats_init(&fs, &rules);
	g = filter_stats_group(&fs, "a", 1);
	/* score = 2x, residual i % 10 / 100, except five points 1 below the line */
	for (int i = 0; i < N; i++)
		filter_stats_add_x(&fs, g, 2.0 * i + (i % 10) / 100.0 - (i % 20 == 7 ? 1 : 0), i);
	filter_stats_add_x(&fs, g, 3, NAN);
	filter_stats_finish(&fs);
	assert_true(fabs(fs.groups[g].fit.slope - 2) < 0.01);
	for (int i = 0; i < N; i++) {
		enum filter_rule rule = filter_stats_decide_x(&fs, g, 2.0 * i + (i % 10) / 100.0 -
							       (i % 20 == 7 ? 1 : 0), i, &t, &v);
		if (rule != FILTER_KEPT) {
			assert_int_equal(rule, FILTER_QUANTILE);
			assert_int_equal(i % 20, 7); /* low for its x, though not a low score */
			dropped++;
		}
	}
	assert_int_equal(dropped, 5);
	assert_int_equal(filter_stats_decide_x(&fs, g, 3, NAN, &t, &v), FILTER_MISSING_CONTROL);
	assert_int_equal(fs.groups[g].no_control, 1);
	filter_stats_release(&fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median_matches_sort),
		cmocka_unit_test(test_exact_line),
		cmocka_unit_test(test_outliers_do_not_move_it),
		cmocka_unit_test(test_no_two_x_differ),
		cmocka_unit_test(test_drawn_pairs),
		cmocka_unit_test(test_stats_cut_residuals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
