/*
 * test_hash_set.c — the 128-bit hash set: inserts and lookups across many
 * growths, first values kept, forced collisions, the zero key, and the
 * memory per entry staying within its documented bound.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/hash.h"
#include "core/hash_set.h"

static struct hash128 key_of(uint64_t i)
{
	return hash128(&i, sizeof(i));
}

static void test_insert_lookup_many(void **state)
{
	struct hash_set *s = hash_set_new(0);
	const uint64_t n = 300000;
	uint64_t v;

	(void)state;
	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(hash_set_insert(s, key_of(i), i * 7, NULL), 1);
	assert_int_equal(hash_set_count(s), n);
	for (uint64_t i = 0; i < n; i++) {
		assert_int_equal(hash_set_insert(s, key_of(i), 1, &v), 0);
		assert_int_equal(v, i * 7); /* the first value stays */
		assert_int_equal(hash_set_lookup(s, key_of(i), &v), 1);
		assert_int_equal(v, i * 7);
	}
	for (uint64_t i = n; i < n + 1000; i++)
		assert_int_equal(hash_set_lookup(s, key_of(i), NULL), 0);
	assert_int_equal(hash_set_count(s), n);
	/* 24-byte entries at most 3/4 and at least 3/8 full. */
	assert_true(hash_set_bytes(s) <= n * 64 + 64);
	assert_true(hash_set_bytes(s) >= n * 24);
	hash_set_free(s);
}

/* Keys sharing their low bits all land on one slot and must probe. */
static void test_collisions(void **state)
{
	struct hash_set *s = hash_set_new(10);
	uint64_t v;

	(void)state;
	for (uint64_t i = 1; i <= 500; i++) {
		struct hash128 k = { i, 0x1000 };
		assert_int_equal(hash_set_insert(s, k, i, NULL), 1);
	}
	for (uint64_t i = 1; i <= 500; i++) {
		struct hash128 k = { i, 0x1000 };
		assert_int_equal(hash_set_lookup(s, k, &v), 1);
		assert_int_equal(v, i);
	}
	struct hash128 absent = { 501, 0x1000 };
	assert_int_equal(hash_set_lookup(s, absent, NULL), 0);
	hash_set_free(s);
}

static void test_zero_key(void **state)
{
	struct hash_set *s = hash_set_new(0);
	struct hash128 zero = { 0, 0 }, low_only = { 0, 1 };
	uint64_t v = 99;

	(void)state;
	assert_int_equal(hash_set_lookup(s, zero, &v), 0);
	assert_int_equal(hash_set_insert(s, zero, 5, NULL), 1);
	assert_int_equal(hash_set_insert(s, low_only, 6, NULL), 1);
	assert_int_equal(hash_set_insert(s, zero, 7, &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(hash_set_lookup(s, low_only, &v), 1);
	assert_int_equal(v, 6);
	assert_int_equal(hash_set_count(s), 2);
	hash_set_free(s);
}

static void test_presized(void **state)
{
	struct hash_set *s = hash_set_new(100000);
	size_t before = hash_set_bytes(s);

	(void)state;
	for (uint64_t i = 0; i < 100000; i++)
		assert_int_equal(hash_set_insert(s, key_of(i), i, NULL), 1);
	assert_int_equal(hash_set_bytes(s), before); /* no growth needed */
	hash_set_free(s);
	hash_set_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_lookup_many),
		cmocka_unit_test(test_collisions),
		cmocka_unit_test(test_zero_key),
		cmocka_unit_test(test_presized),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
