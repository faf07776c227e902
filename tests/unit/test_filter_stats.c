/*
 * test_filter_stats.c — smelt-filter's statistics: order statistics across
 * groups against a brute-force sort, exact median/MAD on small sets, the
 * quantile, robust-z, absolute and missing-score rules and their order,
 * the small-group fallback to global thresholds, histograms that agree
 * with the decisions, the borderline band, and the group table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reward/filter_stats.h"
#include "core/reservoir.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static uint32_t group(struct filter_stats *fs, const char *key)
{
	return filter_stats_group(fs, key, strlen(key));
}

static void add_all(struct filter_stats *fs, uint32_t gid, const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		filter_stats_add(fs, gid, v[i]);
}

static double brute_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void test_kth_matches_sort(void **state)
{
	struct filter_rules rules = FILTER_RULES_INIT;
	struct filter_stats fs;
	struct rng r;
	enum { N = 3000 };
	double *copy = malloc(N * sizeof(double));
	char key[16];

	(void)state;
	rng_seed(&r, 11);
	filter_stats_init(&fs, &rules);
	for (size_t i = 0; i < N; i++) {
		/* negatives, ties, both zeros and a wide range */
		double x = (double)(int64_t)rng_below(&r, 2001) / 8.0 - 125.0;
		if (i % 97 == 0)
			x = i % 2 ? -0.0 : 0.0;
		if (i % 101 == 0)
			x = 1e12;
		snprintf(key, sizeof(key), "g%d", (int)rng_below(&r, 7));
		filter_stats_add(&fs, group(&fs, key), x);
		copy[i] = x;
	}
	filter_stats_finish(&fs);
	qsort(copy, N, sizeof(double), cmp_double);
	for (uint64_t k = 0; k < N; k += 37)
		assert_true(filter_stats_kth(&fs, k) == copy[k]);
	assert_true(filter_stats_kth(&fs, N - 1) == copy[N - 1]);
	assert_true(isnan(filter_stats_kth(&fs, N)));
	assert_true(fs.all.min == copy[0] && fs.all.max == copy[N - 1]);
	assert_true(fs.all.median == brute_median(copy, N));
	for (size_t i = 0; i < N; i++)
		copy[i] = fabs(copy[i] - fs.all.median);
	assert_true(fs.all.mad == brute_median(copy, N));
	filter_stats_release(&fs);
	free(copy);
}

static void test_median_mad_small(void **state)
{
	struct filter_rules rules = FILTER_RULES_INIT;
	struct filter_stats fs;
	const double odd[] = { 100, 2, 4, 1, 3 }, even[] = { 4, 1, 3, 2 };
	uint32_t a, b;

	(void)state;
	filter_stats_init(&fs, &rules);
	a = group(&fs, "odd");
	b = group(&fs, "even");
	add_all(&fs, a, odd, 5);
	add_all(&fs, b, even, 4);
	filter_stats_finish(&fs);
	assert_true(fs.groups[a].s.median == 3 && fs.groups[a].s.mad == 1);
	assert_true(fs.groups[a].s.mean == 22 && fs.groups[a].s.min == 1 && fs.groups[a].s.max == 100);
	/* deviations from 2.5 are 1.5, 0.5, 0.5, 1.5 */
	assert_true(fs.groups[b].s.median == 2.5 && fs.groups[b].s.mad == 1);
	/* all nine: 1 1 2 2 3 3 4 4 100 -> median 3, deviations 2 2 1 1 0 0 1 1 97 -> 1 */
	assert_true(fs.all.median == 3 && fs.all.mad == 1 && fs.all.n == 9);
	filter_stats_release(&fs);
}

static void test_quantile_rule(void **state)
{
	struct filter_rules rules = FILTER_RULES_INIT;
	struct filter_stats fs;
	uint32_t g;
	double t;
	int dropped = 0;

	(void)state;
	rules.drop_quantile = 0.05;
	filter_stats_init(&fs, &rules);
	g = group(&fs, "all");
	for (int i = 99; i >= 0; i--)
		filter_stats_add(&fs, g, i);
	filter_stats_finish(&fs);
	assert_true(fs.groups[g].q_cut == 5);
	for (int i = 0; i < 100; i++)
		dropped += filter_stats_decide(&fs, g, i, &t) == FILTER_QUANTILE;
	assert_int_equal(dropped, 5);
	assert_int_equal(filter_stats_decide(&fs, g, 4.999, &t), FILTER_QUANTILE);
	assert_true(t == 5);
	assert_int_equal(filter_stats_decide(&fs, g, 5, &t), FILTER_KEPT);
	assert_true(isnan(t));
	assert_int_equal(fs.groups[g].decided[FILTER_QUANTILE], 6);
	assert_int_equal(fs.groups[g].decided[FILTER_KEPT], 96);
	filter_stats_release(&fs);
}

/* 0.29 * 100 is 28.999999999999996 in doubles: the rank must still be 29. */
static void test_quantile_rank_rounding(void **state)
{
	struct filter_rules rules = FILTER_RULES_INIT;
	struct filter_stats fs;
	uint32_t g;

	(void)state;
	rules.drop_quantile = 0.29;
	filter_stats_init(&fs, &rules);
	g = group(&fs, "all");
	for (int i = 0; i < 100; i++)
		filter_stats_add(&fs, g, i);
	filter_stats_finish(&fs);
	assert_true(fs.groups[g].q_cut == 29);
	filter_stats_release(&fs);
}

static void test_robust_z(void **state)
{
	struct filter_rules rules = FILTER_RULES_INIT;
	struct filter_stats fs;
	uint32_t g, flat;
	double t;

	(void)state;
	rules.robust_z = 3;
	rules.min_group = 1;
	filter_stats_init(&fs, &rules);
	g = group(&fs, "g");
	flat = group(&fs, "flat");
	for (int i = 0; i < 50; i++)
		filter_stats_add(&fs, g, 10 + (i % 5) * 0.1); /* 10.0 .. 10.4 */
	filter_stats_add(&fs, g, 2);
	filter_stats_add(&fs, g, 30);
	for (int i = 0; i < 10; i++)
		filter_stats_add(&fs, flat, 1);
	filter_stats_finish(&fs);
	/* median 10.2, MAD 0.1: the cut is 10.2 - 3 * 1.4826 * 0.1 */
	assert_true(fabs(fs.groups[g].s.median - 10.2) < 1e-12);
	assert_true(fabs(fs.groups[g].s.mad - 0.1) < 1e-12);
	assert_true(fabs(fs.groups[g].z_cut - (10.2 - 0.44478)) < 1e-9);
	assert_int_equal(filter_stats_decide(&fs, g, 2, &t), FILTER_ROBUST_Z);
	assert_true(t == fs.groups[g].z_cut);
	assert_int_equal(filter_stats_decide(&fs, g, 9.8, &t), FILTER_KEPT);
	/* only low outliers are dropped */
	assert_int_equal(filter_stats_decide(&fs, g, 30, &t), FILTER_KEPT);
	/* no spread, no robust-z cut */
	assert_true(fs.groups[flat].s.mad == 0 && isinf(fs.groups[flat].z_cut));
	assert_int_equal(filter_stats_decide(&fs, flat, -1000, &t), FILTER_KEPT);
	filter_stats_release(&fs);
}

static void test_bounds_missing_and_order(void **state)
{
	struct filter_rules rules = FILTER_RULES_INIT;
	struct filter_stats fs;
	uint32_t g;
	double t;

	(void)state;
	rules.drop_quantile = 0.5;
	rules.min = 2;
	rules.max = 8;
	filter_stats_init(&fs, &rules);
	g = group(&fs, "g");
	for (int i = 0; i < 10; i++)
		filter_stats_add(&fs, g, i);
	filter_stats_add(&fs, g, NAN);
	filter_stats_finish(&fs);
	assert_int_equal(fs.groups[g].records, 11);
	assert_int_equal(fs.groups[g].missing, 1);
	assert_int_equal(fs.groups[g].s.n, 10);
	/* below --min wins over the quantile rule that also applies */
	assert_int_equal(filter_stats_decide(&fs, g, 1, &t), FILTER_BELOW_MIN);
	assert_true(t == 2);
	assert_int_equal(filter_stats_decide(&fs, g, 9, &t), FILTER_ABOVE_MAX);
	assert_true(t == 8);
	assert_int_equal(filter_stats_decide(&fs, g, 4, &t), FILTER_QUANTILE);
	assert_true(t == 5);
	assert_int_equal(filter_stats_decide(&fs, g, 5, &t), FILTER_KEPT);
	assert_int_equal(filter_stats_decide(&fs, g, NAN, &t), FILTER_MISSING);
	assert_true(isnan(t));
	filter_stats_release(&fs);

	rules.keep_missing = 1;
	filter_stats_init(&fs, &rules);
	g = group(&fs, "g");
	filter_stats_add(&fs, g, NAN);
	filter_stats_finish(&fs);
	assert_int_equal(filter_stats_decide(&fs, g, NAN, &t), FILTER_KEPT);
	filter_stats_release(&fs);
}

static void test_small_group_falls_back(void **state)
{
	struct filter_rules rules = FILTER_RULES_INIT;
	struct filter_stats fs;
	uint32_t big, small;
	double t;

	(void)state;
	rules.drop_quantile = 0.1;
	rules.min_group = 20;
	filter_stats_init(&fs, &rules);
	big = group(&fs, "big");
	small = group(&fs, "small");
	for (int i = 0; i < 90; i++)
		filter_stats_add(&fs, big, 100 + i);
	for (int i = 0; i < 10; i++)
		filter_stats_add(&fs, small, i); /* all far below the big group */
	filter_stats_finish(&fs);
	assert_false(fs.groups[big].global);
	assert_true(fs.groups[small].global);
	assert_true(fs.groups[big].q_cut == 109);  /* 9th of 100..189 */
	assert_true(fs.q_cut == 100);              /* 10th of all 100 */
	assert_true(fs.groups[small].q_cut == 100);
	/* by the global cut the whole small group goes */
	for (int i = 0; i < 10; i++)
		assert_int_equal(filter_stats_decide(&fs, small, i, &t), FILTER_QUANTILE);
	filter_stats_release(&fs);
}

static void test_histogram_agrees(void **state)
{
	struct filter_rules rules = FILTER_RULES_INIT;
	struct filter_stats fs;
	uint64_t kept[10], dropped[10], nk = 0, nd = 0, gk = 0, gd = 0;
	double lo, hi, t;
	uint32_t a, b;

	(void)state;
	rules.drop_quantile = 0.2;
	rules.min_group = 1;
	filter_stats_init(&fs, &rules);
	a = group(&fs, "a");
	b = group(&fs, "b");
	for (int i = 0; i < 40; i++) {
		filter_stats_add(&fs, a, i);
		filter_stats_add(&fs, b, i * 0.5 + 3);
	}
	filter_stats_finish(&fs);
	filter_stats_histogram(&fs, a, 10, kept, dropped, &lo, &hi);
	assert_true(lo == 0 && hi == 39);
	for (int i = 0; i < 10; i++) {
		nk += kept[i];
		nd += dropped[i];
	}
	assert_int_equal(nk + nd, 40);
	for (int i = 0; i < 40; i++)
		nd -= filter_stats_decide(&fs, a, i, &t) != FILTER_KEPT;
	assert_int_equal(nd, 0);
	/* the first two bins are 0..7.8: the 8 dropped are there */
	assert_int_equal(dropped[0] + dropped[1], 8);
	filter_stats_histogram(&fs, UINT32_MAX, 10, kept, dropped, &lo, &hi);
	for (int i = 0; i < 10; i++) {
		gk += kept[i];
		gd += dropped[i];
	}
	assert_int_equal(gk + gd, 80);
	assert_int_equal(gd, 16);
	filter_stats_release(&fs);
}

static void test_borderline_band(void **state)
{
	struct filter_rules rules = FILTER_RULES_INIT;
	struct filter_stats fs;
	uint32_t g;
	int n = 0;

	(void)state;
	rules.drop_quantile = 0.1;
	rules.borderline = 0.05;
	filter_stats_init(&fs, &rules);
	g = group(&fs, "g");
	for (int i = 0; i < 100; i++)
		filter_stats_add(&fs, g, i);
	filter_stats_finish(&fs);
	/* cut at 10; the next 5% above it, 10..14, are borderline */
	for (int i = 0; i < 100; i++)
		n += filter_stats_borderline(&fs, g, i);
	assert_int_equal(n, 5);
	assert_true(filter_stats_borderline(&fs, g, 10) && filter_stats_borderline(&fs, g, 14));
	assert_false(filter_stats_borderline(&fs, g, 9) || filter_stats_borderline(&fs, g, 15));
	assert_false(filter_stats_borderline(&fs, g, NAN));
	filter_stats_release(&fs);
}

static void test_group_table(void **state)
{
	struct filter_rules rules = FILTER_RULES_INIT;
	struct filter_stats fs;
	char key[32];

	(void)state;
	filter_stats_init(&fs, &rules);
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "src%d\x1ftask%d", i, i % 3);
		assert_int_equal(group(&fs, key), i);
	}
	for (int i = 999; i >= 0; i--) {
		snprintf(key, sizeof(key), "src%d\x1ftask%d", i, i % 3);
		assert_int_equal(group(&fs, key), i);
	}
	/* a key that is a prefix of another is its own group */
	assert_int_equal(filter_stats_group(&fs, "src1\x1ftask1", 6), 1000);
	assert_int_equal(fs.ngroups, 1001);
	assert_string_equal(fs.groups[7].name, "src7/task1");
	filter_stats_release(&fs);
}

static void test_json(void **state)
{
	struct filter_rules rules = FILTER_RULES_INIT;
	struct filter_stats fs;
	json_t *j, *g0;
	uint32_t g;
	double t;

	(void)state;
	rules.drop_quantile = 0.25;
	filter_stats_init(&fs, &rules);
	g = group(&fs, "x\x1fy");
	for (int i = 0; i < 4; i++)
		filter_stats_add(&fs, g, i);
	filter_stats_add(&fs, g, NAN);
	group(&fs, "empty");
	filter_stats_finish(&fs);
	for (int i = 0; i < 4; i++)
		filter_stats_decide(&fs, g, i, &t);
	filter_stats_decide(&fs, g, NAN, &t);
	j = filter_stats_json(&fs);
	g0 = json_array_get(json_object_get(j, "groups"), 0);
	assert_string_equal(json_string_value(json_object_get(g0, "group")), "x/y");
	assert_int_equal(json_integer_value(json_object_get(g0, "records")), 5);
	assert_int_equal(json_integer_value(json_object_get(g0, "kept")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(g0, "dropped"), "quantile")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "dropped"), "missing_score")), 1);
	assert_true(json_real_value(json_object_get(json_object_get(g0, "thresholds"), "quantile")) == 1);
	assert_true(json_is_null(json_object_get(json_object_get(g0, "thresholds"), "robust_z")));
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(j, "groups"), 1), "median")));
	json_decref(j);
	filter_stats_release(&fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kth_matches_sort),
		cmocka_unit_test(test_median_mad_small),
		cmocka_unit_test(test_quantile_rule),
		cmocka_unit_test(test_quantile_rank_rounding),
		cmocka_unit_test(test_robust_z),
		cmocka_unit_test(test_bounds_missing_and_order),
		cmocka_unit_test(test_small_group_falls_back),
		cmocka_unit_test(test_histogram_agrees),
		cmocka_unit_test(test_borderline_band),
		cmocka_unit_test(test_group_table),
		cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
