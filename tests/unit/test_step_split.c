/*
 * test_step_split.c — step splitting: VisualPRM's chunk merge counted by
 * hand, the even merge, empty pieces, joins and JSON conversion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/sbuf.h"
#include "prm/step_split.h"

/* "p0\n\np1\n\n...p{n-1}": n pieces whose names say where they went. */
static char *pieces_text(size_t n)
{
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < n; i++)
		sbuf_addf(&sb, "%sp%zu", i ? "\n\n" : "", i);
	return sbuf_detach(&sb, NULL);
}

/* Step `idx` must hold exactly pieces first..last. */
static void assert_group(const struct step_list *sl, size_t idx, size_t first, size_t last)
{
	struct sbuf want = SBUF_INIT;

	for (size_t i = first; i <= last; i++)
		sbuf_addf(&want, "%sp%zu", i > first ? "\n\n" : "", i);
	assert_true(idx < sl->nr);
	assert_string_equal(sl->steps[idx], want.buf);
	sbuf_release(&want);
}

/* Split n pieces; check the step count and that joining all gives it back. */
static char *split_pieces(struct step_list *sl, size_t n, size_t max, enum step_merge m,
			  size_t want_steps)
{
	char *text = pieces_text(n);
	struct sbuf back = SBUF_INIT;

	assert_int_equal(step_split(sl, text, max, m), (long)want_steps);
	assert_int_equal(sl->nr, want_steps);
	step_join(&back, sl, sl->nr - 1);
	assert_string_equal(back.buf, text);
	sbuf_release(&back);
	return text;
}

/*
 * One merge case: n pieces, the cap, the rule, and the number of pieces
 * in each resulting step, worked out by hand.
 */
struct merge_case {
	const char *why;
	size_t n, max;
	enum step_merge merge;
	size_t nsteps;
	size_t sizes[40];
};

static const struct merge_case merge_cases[] = {
	{ "13 chunk: ceil(13/12)=2, six pairs and p12 alone", 13, 12, STEP_MERGE_CHUNK, 7,
	  { 2, 2, 2, 2, 2, 2, 1 } },
	{ "12 chunk: at the cap, unchanged", 12, 12, STEP_MERGE_CHUNK, 12,
	  { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 } },
	{ "25 chunk: ceil(25/12)=3, eight triples and p24 alone", 25, 12, STEP_MERGE_CHUNK, 9,
	  { 3, 3, 3, 3, 3, 3, 3, 3, 1 } },
	{ "24 chunk: 2 each, 12 full steps", 24, 12, STEP_MERGE_CHUNK, 12,
	  { 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2 } },
	{ "37 chunk: ceil(37/12)=4, nine of 4 and one of 1", 37, 12, STEP_MERGE_CHUNK, 10,
	  { 4, 4, 4, 4, 4, 4, 4, 4, 4, 1 } },
	{ "7 chunk max 3: 3,3,1", 7, 3, STEP_MERGE_CHUNK, 3, { 3, 3, 1 } },
	{ "1 piece", 1, 12, STEP_MERGE_CHUNK, 1, { 1 } },
	{ "13 even: 2 then eleven 1s", 13, 12, STEP_MERGE_EVEN, 12,
	  { 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 } },
	{ "25 even: 25=12*2+1, 3 then eleven 2s", 25, 12, STEP_MERGE_EVEN, 12,
	  { 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2 } },
	{ "35 even: 35=12*2+11, eleven 3s then 2", 35, 12, STEP_MERGE_EVEN, 12,
	  { 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2 } },
	{ "7 even max 3: 3,2,2", 7, 3, STEP_MERGE_EVEN, 3, { 3, 2, 2 } },
	{ "5 even: under the cap, unchanged", 5, 12, STEP_MERGE_EVEN, 5, { 1, 1, 1, 1, 1 } },
};

static void run_merge_case(const struct merge_case *c)
{
	struct step_list sl = STEP_LIST_INIT;
	char *text = split_pieces(&sl, c->n, c->max, c->merge, c->nsteps);
	size_t first = 0;

	for (size_t s = 0; s < c->nsteps; s++) {
		assert_group(&sl, s, first, first + c->sizes[s] - 1);
		first += c->sizes[s];
	}
	assert_int_equal(first, c->n);
	free(text);
	step_list_release(&sl);
}

static void test_chunk_merge(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(merge_cases); i++)
		if (merge_cases[i].merge == STEP_MERGE_CHUNK)
			run_merge_case(&merge_cases[i]);
}

static void test_even_merge(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(merge_cases); i++)
		if (merge_cases[i].merge == STEP_MERGE_EVEN)
			run_merge_case(&merge_cases[i]);
}

static void test_no_cap(void **state)
{
	struct step_list sl = STEP_LIST_INIT;
	char *text = split_pieces(&sl, 40, 0, STEP_MERGE_CHUNK, 40);

	assert_group(&sl, 39, 39, 39);
	free(text);
	step_list_release(&sl);
}

struct split_case {
	const char *in;
	size_t nr;
	const char *want[4];
};

static void test_empty_pieces_kept(void **state)
{
	static const struct split_case cases[] = {
		{ "a\n\n\n\nb", 3, { "a", "", "b" } },
		{ "", 1, { "" } },
		{ "\n\n", 2, { "", "" } },
		{ "a\n\n", 2, { "a", "" } },
		{ "\n\nb", 2, { "", "b" } },
		/* An odd newline stays with the piece after it, as str.split does. */
		{ "a\n\n\nb", 2, { "a", "\nb" } },
		{ "a\n\n\n\n\nb", 3, { "a", "", "\nb" } },
		{ "one line\nsecond line", 1, { "one line\nsecond line" } },
		{ "Step 1: x = 2.\n\nStep 2: y = 3.\n\nFinal answer: 5", 3,
		  { "Step 1: x = 2.", "Step 2: y = 3.", "Final answer: 5" } },
	};
	struct step_list sl = STEP_LIST_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sbuf back = SBUF_INIT;

		assert_int_equal(step_split(&sl, cases[i].in, 12, STEP_MERGE_CHUNK),
				 (long)cases[i].nr);
		for (size_t j = 0; j < cases[i].nr; j++)
			assert_string_equal(sl.steps[j], cases[i].want[j]);
		step_join(&back, &sl, sl.nr);
		assert_string_equal(back.buf, cases[i].in);
		sbuf_release(&back);
	}
	step_list_release(&sl);
}

static void test_empty_pieces_merge(void **state)
{
	struct step_list sl = STEP_LIST_INIT;

	/* 4 pieces "a","","","b" with max 2: chunk 2 -> "a\n\n", "\n\nb". */
	assert_int_equal(step_split(&sl, "a\n\n\n\n\n\nb", 2, STEP_MERGE_CHUNK), 2);
	assert_string_equal(sl.steps[0], "a\n\n");
	assert_string_equal(sl.steps[1], "\n\nb");
	step_list_release(&sl);
}

static void test_join_prefixes(void **state)
{
	struct step_list sl = STEP_LIST_INIT;
	struct sbuf sb = SBUF_INIT;
	char *text = split_pieces(&sl, 13, 12, STEP_MERGE_CHUNK, 7);

	step_join(&sb, &sl, 0);
	assert_string_equal(sb.buf, "p0\n\np1");
	sbuf_reset(&sb);
	step_join(&sb, &sl, 1);
	assert_string_equal(sb.buf, "p0\n\np1\n\np2\n\np3");
	/* Appends to what is there, and clamps t past the end. */
	sbuf_reset(&sb);
	sbuf_addstr(&sb, ">");
	step_join(&sb, &sl, 99);
	assert_int_equal(sb.len, strlen(text) + 1);
	assert_string_equal(sb.buf + 1, text);
	/* Nothing to join in an empty list. */
	step_list_release(&sl);
	sbuf_reset(&sb);
	step_join(&sb, &sl, 0);
	assert_int_equal(sb.len, 0);
	sbuf_release(&sb);
	free(text);
}

static void test_json_round_trip(void **state)
{
	struct step_list sl = STEP_LIST_INIT, back = STEP_LIST_INIT;
	json_t *arr, *bad;

	assert_int_equal(step_split(&sl, "x\n\n\n\ny é\n\nz", 12, STEP_MERGE_CHUNK), 4);
	arr = step_list_to_json(&sl);
	assert_non_null(arr);
	assert_int_equal(json_array_size(arr), 4);
	assert_string_equal(json_string_value(json_array_get(arr, 1)), "");
	assert_string_equal(json_string_value(json_array_get(arr, 2)), "y é");
	assert_int_equal(step_list_from_json(&back, arr), 4);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(back.steps[i], sl.steps[i]);

	bad = json_pack("[s, i]", "ok", 3);
	assert_int_equal(step_list_from_json(&back, bad), -1);
	assert_int_equal(back.nr, 0);
	json_decref(bad);
	bad = json_string("not an array");
	assert_int_equal(step_list_from_json(&back, bad), -1);
	json_decref(bad);

	json_decref(arr);
	step_list_release(&sl);
	step_list_release(&back);
}

static void test_bad_arguments_and_names(void **state)
{
	struct step_list sl = STEP_LIST_INIT;
	enum step_merge m = STEP_MERGE_CHUNK;

	assert_int_equal(step_split(&sl, NULL, 12, STEP_MERGE_CHUNK), -1);
	assert_int_equal(step_split(NULL, "a", 12, STEP_MERGE_CHUNK), -1);
	assert_int_equal(step_merge_parse("even", &m), 0);
	assert_int_equal(m, STEP_MERGE_EVEN);
	assert_int_equal(step_merge_parse("chunk", &m), 0);
	assert_int_equal(m, STEP_MERGE_CHUNK);
	assert_int_equal(step_merge_parse("uneven", &m), -1);
	assert_string_equal(step_merge_name(STEP_MERGE_EVEN), "even");
	assert_string_equal(step_merge_name(STEP_MERGE_CHUNK), "chunk");
}

/* Reusing one list for many splits must not leak or keep old steps. */
static void test_reuse(void **state)
{
	struct step_list sl = STEP_LIST_INIT;

	assert_int_equal(step_split(&sl, "a\n\nb\n\nc", 12, STEP_MERGE_CHUNK), 3);
	assert_int_equal(step_split(&sl, "d", 12, STEP_MERGE_CHUNK), 1);
	assert_int_equal(sl.nr, 1);
	assert_string_equal(sl.steps[0], "d");
	step_list_release(&sl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunk_merge),
		cmocka_unit_test(test_even_merge),
		cmocka_unit_test(test_no_cap),
		cmocka_unit_test(test_empty_pieces_kept),
		cmocka_unit_test(test_empty_pieces_merge),
		cmocka_unit_test(test_join_prefixes),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_bad_arguments_and_names),
		cmocka_unit_test(test_reuse),
	};

	return cmocka_run_group_tests_name("step_split", tests, NULL, NULL);
}
