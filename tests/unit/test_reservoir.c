/*
 * test_reservoir.c — the seeded generator (pinned outputs, bounds, no
 * bias) and Algorithm R (fills in order, keeps cap items, every item held
 * with probability cap/n, same seed same choices).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/reservoir.h"

/* Pinned so that a change of generator, which would change every
 * sample smelt-sample draws for a given seed, cannot go unnoticed. The
 * values were checked against an independent implementation. */
static void test_rng_pinned(void **state)
{
	struct rng r;

	(void)state;
	rng_seed(&r, 0);
	assert_int_equal(rng_next(&r), 0x99ec5f36cb75f2b4ULL);
	assert_int_equal(rng_next(&r), 0xbf6e1f784956452aULL);
	assert_int_equal(rng_next(&r), 0x1a5f849d4933e6e0ULL);
	rng_seed(&r, 42);
	assert_int_equal(rng_next(&r), 0x15780b2e0c2ec716ULL);
}

static void test_rng_below(void **state)
{
	struct rng r;
	unsigned counts[3] = { 0 };

	(void)state;
	rng_seed(&r, 7);
	for (int i = 0; i < 30000; i++) {
		uint64_t x = rng_below(&r, 3);
		assert_true(x < 3);
		counts[x]++;
	}
	for (int i = 0; i < 3; i++)
		assert_true(counts[i] > 9500 && counts[i] < 10500);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(rng_below(&r, 1), 0);
	for (int i = 0; i < 1000; i++)
		assert_true(rng_below(&r, UINT64_MAX) < UINT64_MAX);
}

static void test_rng_choose(void **state)
{
	struct rng r;
	size_t idx[50];
	int seen[50] = { 0 };

	(void)state;
	rng_seed(&r, 3);
	for (size_t i = 0; i < 50; i++)
		idx[i] = i;
	rng_choose(&r, idx, 50, 20);
	for (size_t i = 0; i < 50; i++) {
		assert_true(idx[i] < 50);
		assert_int_equal(seen[idx[i]], 0);
		seen[idx[i]] = 1;
	}
}

static void test_reservoir_fills_in_order(void **state)
{
	struct reservoir r;

	(void)state;
	reservoir_init(&r, 5, 1);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(reservoir_offer(&r), i);
		assert_int_equal(reservoir_size(&r), (uint64_t)i + 1);
	}
	for (int i = 0; i < 100; i++) {
		int64_t slot = reservoir_offer(&r);
		assert_true(slot >= -1 && slot < 5);
	}
	assert_int_equal(reservoir_size(&r), 5);
	assert_int_equal(r.seen, 105);
}

static void run_stream(uint64_t seed, int n, int cap, int *held)
{
	struct reservoir r;

	reservoir_init(&r, (uint64_t)cap, seed);
	for (int i = 0; i < n; i++) {
		int64_t slot = reservoir_offer(&r);
		if (slot >= 0)
			held[slot] = i;
	}
}

static void test_reservoir_deterministic(void **state)
{
	int a[10], b[10], c[10];

	(void)state;
	run_stream(12345, 1000, 10, a);
	run_stream(12345, 1000, 10, b);
	run_stream(12346, 1000, 10, c);
	assert_memory_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, c, sizeof(a));
}

/* Over many seeds each of 100 items is held about cap/n of the time. */
static void test_reservoir_uniform(void **state)
{
	enum { N = 100, CAP = 10, TRIALS = 20000 };
	unsigned hits[N] = { 0 };
	int held[CAP];

	(void)state;
	for (uint64_t t = 0; t < TRIALS; t++) {
		run_stream(t, N, CAP, held);
		for (int i = 0; i < CAP; i++)
			hits[held[i]]++;
	}
	/* expected 2000 each, standard deviation about 42 */
	for (int i = 0; i < N; i++)
		assert_true(hits[i] > 1750 && hits[i] < 2250);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng_pinned),
		cmocka_unit_test(test_rng_below),
		cmocka_unit_test(test_rng_choose),
		cmocka_unit_test(test_reservoir_fills_in_order),
		cmocka_unit_test(test_reservoir_deterministic),
		cmocka_unit_test(test_reservoir_uniform),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
