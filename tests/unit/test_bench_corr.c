/*
 * test_bench_corr.c — smelt-redundancy's correlations against values
 * published for SciPy's spearmanr / pearsonr / kendalltau (tau-b) on the
 * same inputs, ties included; missing values left out pairwise; no
 * spread or too few pairs give NaN; and a table's means skip missing cells.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "bench/bench_corr.h"
#include "bench/bench_table.h"

#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)

static void test_known_values(void **state)
{
	const double x[] = { 1, 2, 3, 4, 5 }, y[] = { 5, 6, 7, 8, 7 };
	const double a[] = { 12, 2, 1, 12, 2 }, b[] = { 1, 4, 7, 1, 0 };
	struct bench_corr c;
	(void)state;

	bench_corr(x, y, 5, 1, &c);
	assert_true(NEAR(c.srcc, 0.8207826816681233));
	assert_true(NEAR(c.plcc, 0.8320502943378437));
	assert_true(NEAR(c.r2, c.plcc * c.plcc));
	assert_true(NEAR(c.kendall, 0.7378647873726218));
	bench_corr(a, b, 5, 1, &c); /* ties on both sides */
	assert_true(NEAR(c.kendall, -0.4714045207910317));
	assert_true(NEAR(c.srcc, -0.5407380704358751));
}

static void test_missing_and_degenerate(void **state)
{
	const double x[] = { 1, NAN, 3, 4, 5, 6 }, y[] = { 2, 9, 6, 8, NAN, 12 };
	const double flat[] = { 1, 1, 1, 1 }, z[] = { 1, 2, 3, 4 };
	struct bench_corr c;
	(void)state;

	bench_corr(x, y, 6, 1, &c); /* pairs 1-2, 3-6, 4-8, 6-12: a line */
	assert_true(NEAR(c.srcc, 1) && NEAR(c.plcc, 1) && NEAR(c.kendall, 1));
	bench_corr(flat, z, 4, 1, &c);
	assert_true(isnan(c.srcc) && isnan(c.plcc) && isnan(c.kendall));
	bench_corr(z, z, 2, 1, &c);
	assert_true(isnan(c.srcc));
	bench_corr(z, z, 4, 0, &c);
	assert_true(NEAR(c.srcc, 1) && isnan(c.kendall));
}

static void test_table_means(void **state)
{
	struct bench_table t;
	struct sbuf err = SBUF_INIT;
	const char *kind;
	size_t items[2] = { 0, 1 };
	double m[2];
	(void)state;

	bench_table_init(&t);
	assert_int_equal(bench_table_add(&t, "m1", "i1", "b", "d", 1, &kind, &err), 0);
	assert_int_equal(bench_table_add(&t, "m1", "i2", "b", "d", 0, &kind, &err), 0);
	assert_int_equal(bench_table_add(&t, "m2", "i2", "b", "d", 0.5, &kind, &err), 0);
	assert_int_equal(bench_table_add(&t, "m2", "i2", "b", "d", 1, &kind, &err), -1);
	assert_string_equal(kind, "duplicate_cell");
	assert_int_equal(bench_table_add(&t, "m2", "i1", "b", "e", 1, &kind, &err), -1);
	assert_string_equal(kind, "conflicting_item");
	assert_int_equal(bench_table_add(&t, "m2", "i1", "other", "e", 1, &kind, &err), 0); /* another item */
	bench_table_seal(&t);
	assert_int_equal(t.nitems, 3);
	bench_table_means(&t, items, 2, m);
	assert_true(NEAR(m[0], 0.5) && NEAR(m[1], 0.5)); /* m2 has only i2 */
	bench_table_release(&t);
	sbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_values),
		cmocka_unit_test(test_missing_and_degenerate),
		cmocka_unit_test(test_table_means),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
