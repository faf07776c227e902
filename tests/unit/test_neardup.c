/*
 * test_neardup.c — the pieces of pipeline/neardup/ below the stage: the
 * external sort (in order, nothing lost, the same with many spilled runs
 * as in memory), shingles (words, CJK characters, short text), MinHash
 * (the estimate tracks Jaccard; seeds matter) and the S-curve.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/reservoir.h"
#include "neardup/extsort.h"
#include "neardup/minhash.h"
#include "neardup/shingle.h"

static void sort_and_check(uint64_t memory, size_t n, unsigned *runs)
{
	struct extsort *s = extsort_new(memory);
	struct extsort_item it, prev = { 0, 0, 0 };
	struct rng r;
	uint64_t key_sum = 0, got_sum = 0;
	size_t got = 0;

	rng_seed(&r, 11);
	for (size_t i = 0; i < n; i++) {
		uint64_t k = rng_next(&r) % (n / 4 + 1); /* many equal keys */
		key_sum += k;
		assert_int_equal(extsort_add(s, k, (uint32_t)i), 0);
	}
	assert_int_equal(extsort_finish(s), 0);
	while (extsort_next(s, &it) == 1) {
		if (got)
			assert_true(it.key > prev.key || (it.key == prev.key && it.value > prev.value));
		prev = it;
		got_sum += it.key;
		got++;
	}
	assert_int_equal(got, n);
	assert_int_equal(got_sum, key_sum);
	*runs = extsort_runs(s);
	extsort_free(s);
}

static void test_extsort_spills_and_merges(void **state)
{
	unsigned runs;

	(void)state;
	sort_and_check(64 << 20, 100000, &runs);
	assert_int_equal(runs, 0);
	sort_and_check(64 << 10, 100000, &runs); /* 4096 items a run: 25 runs */
	assert_true(runs >= 24);
	sort_and_check(64 << 10, 0, &runs);
	assert_int_equal(runs, 0);
}

static void test_shingles(void **state)
{
	struct shingle_set a = { 0 }, b = { 0 };
	const char *en = "the quick brown fox jumps over the lazy dog";
	const char *zh = "我们今天去公园散步吧";

	(void)state;
	shingle_set_build(&a, en, strlen(en), 5, SHINGLE_AUTO);
	assert_false(a.chars);
	assert_int_equal(a.n, 5); /* 9 words: 5 five-grams */
	shingle_set_build(&b, zh, strlen(zh), 5, SHINGLE_AUTO);
	assert_true(b.chars);
	assert_int_equal(b.n, 6); /* 10 characters: 6 five-grams */
	shingle_set_build(&b, "two words", 9, 5, SHINGLE_WORDS);
	assert_int_equal(b.n, 1);
	shingle_set_build(&b, en, strlen(en), 5, SHINGLE_CHARS);
	assert_true(b.chars);
	assert_int_equal(b.n, 31); /* 35 non-space characters, all 5-grams distinct */
	assert_true(shingle_is_cjk(zh, strlen(zh)));
	assert_false(shingle_is_cjk(en, strlen(en)));
	shingle_set_release(&a);
	shingle_set_release(&b);
}

/* Two sets of 1000 with `common` shared: the estimate is near the exact figure. */
static void test_minhash_estimate(void **state)
{
	enum { N = 1000, P = 256 };
	uint64_t x[N], y[N];
	uint32_t sx[P], sy[P], sz[P];
	struct minhash mh, other;
	int common = 800;
	double exact = (double)common / (2 * N - common), est;

	(void)state;
	for (int i = 0; i < N; i++) {
		x[i] = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1);
		y[i] = i < common ? x[i] : 0xc2b2ae3d27d4eb4fULL * (uint64_t)(i + 7);
	}
	minhash_init(&mh, P, 1);
	minhash_sign(&mh, x, N, sx);
	minhash_sign(&mh, y, N, sy);
	est = minhash_similarity(sx, sy, P);
	assert_true(fabs(est - exact) < 0.08);
	minhash_sign(&mh, x, N, sz);
	assert_memory_equal(sx, sz, sizeof(sx));
	assert_true(minhash_band_hash(sx, 0, 8) == minhash_band_hash(sz, 0, 8));
	assert_true(minhash_band_hash(sx, 0, 8) != minhash_band_hash(sx, 1, 8));
	minhash_init(&other, P, 2);
	minhash_sign(&other, x, N, sz);
	assert_true(minhash_similarity(sx, sz, P) < 0.1);
	minhash_release(&mh);
	minhash_release(&other);
}

static void test_jaccard_and_scurve(void **state)
{
	const uint32_t a[] = { 1, 2, 3, 4 }, b[] = { 2, 3, 4, 5, 6 };

	(void)state;
	assert_true(fabs(minhash_jaccard(a, 4, b, 5) - 3.0 / 6) < 1e-12);
	assert_true(minhash_jaccard(a, 4, a, 4) == 1.0);
	assert_true(minhash_jaccard(a, 0, a, 0) == 1.0);
	assert_true(fabs(minhash_scurve(0.8, 14, 8) - 0.924) < 0.001);
	assert_true(fabs(minhash_scurve(0.5, 14, 8) - 0.053) < 0.001);
	assert_true(minhash_scurve(1, 14, 8) == 1.0);
	assert_true(minhash_scurve(0, 14, 8) == 0.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extsort_spills_and_merges),
		cmocka_unit_test(test_shingles),
		cmocka_unit_test(test_minhash_estimate),
		cmocka_unit_test(test_jaccard_and_scurve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
