/*
 * test_mc_plan.c — the labelling modes: full and visualprm by hand,
 * exact-binary against full on thousands of random outcome tables fed
 * back in random orders and batchings, first-error's binary search, and
 * the dry-run bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prm/mc_plan.h"

#define MAXS 16
#define MAXN 64

/* outcome[t][i]: does sample i of step t reach the gold answer */
struct table {
	size_t nsteps;
	long n;
	unsigned char ok[MAXS][MAXN];
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double unit(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

/*
 * Drive a solution to the end against `tb`: batches are answered in a
 * random order, and with `split` each batch comes back one sample at a
 * time in a random order (a server without n). Returns the generations.
 */
static uint64_t drive(struct mc_solution *s, const struct mc_config *cfg, const struct table *tb,
		      int final_correct, int split)
{
	struct mc_asks asks = MC_ASKS_INIT;
	struct mc_ask pending[4096];
	size_t npending = 0;

	assert_int_equal(mc_solution_init(s, cfg, tb->nsteps, final_correct), 0);
	mc_solution_next(s, &asks);
	for (;;) {
		for (size_t i = 0; i < asks.nr; i++) {
			if (split) {
				for (long j = 0; j < asks.v[i].count; j++) {
					pending[npending] = asks.v[i];
					pending[npending].first += j;
					pending[npending++].count = 1;
				}
			} else {
				pending[npending++] = asks.v[i];
			}
			assert_true(npending < 4000);
		}
		asks.nr = 0;
		if (!npending)
			break;
		size_t pick = (size_t)(rnd() % npending);
		struct mc_ask a = pending[pick];
		pending[pick] = pending[--npending];
		assert_int_equal(mc_solution_feed(s, a.step, a.first, a.count, &tb->ok[a.step][a.first]), 0);
		mc_solution_next(s, &asks);
	}
	assert_true(mc_solution_done(s));
	mc_asks_release(&asks);
	return s->generations;
}

static void random_table(struct table *tb, size_t nsteps, long n)
{
	tb->nsteps = nsteps;
	tb->n = n;
	for (size_t t = 0; t < nsteps; t++) {
		/* mostly easy or hopeless steps, some in between, like real ones */
		double r = unit(), p = r < 0.3 ? 0.0 : r < 0.5 ? unit() * 0.2 : r < 0.7 ? unit() : 0.9;
		for (long i = 0; i < n; i++)
			tb->ok[t][i] = unit() < p;
	}
}

static void test_full_by_hand(void **state)
{
	struct mc_config cfg;
	struct mc_solution s;
	struct table tb = { 3, 4, { { 1, 0, 0, 0 }, { 0, 0, 0, 0 }, { 1, 1, 1, 0 } } };
	struct mc_asks asks = MC_ASKS_INIT;

	mc_config_init(&cfg);
	cfg.rollouts = 4;
	/* every step is asked at once, all N */
	assert_int_equal(mc_solution_init(&s, &cfg, 3, 0), 0);
	mc_solution_next(&s, &asks);
	assert_int_equal(asks.nr, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(asks.v[i].step, i);
		assert_int_equal(asks.v[i].first, 0);
		assert_int_equal(asks.v[i].count, 4);
	}
	mc_asks_release(&asks);
	mc_solution_release(&s);

	drive(&s, &cfg, &tb, 0, 0);
	assert_int_equal(s.generations, 12);
	assert_int_equal(s.steps[0].label, MC_LABEL_PLUS);
	assert_int_equal(s.steps[0].correct, 1);
	assert_int_equal(s.steps[0].examined, 4);
	assert_true(mc_step_score(&s.steps[0]) == 0.25);
	assert_int_equal(s.steps[1].label, MC_LABEL_MINUS);
	assert_int_equal(s.steps[2].label, MC_LABEL_PLUS);
	mc_solution_release(&s);

	/* threshold 0.25: 1/4 is not above it, 3/4 is */
	cfg.threshold = 0.25;
	drive(&s, &cfg, &tb, 0, 1);
	assert_int_equal(s.steps[0].label, MC_LABEL_MINUS);
	assert_int_equal(s.steps[2].label, MC_LABEL_PLUS);
	mc_solution_release(&s);
}

static void test_visualprm_early_stop(void **state)
{
	struct mc_config cfg;
	struct mc_solution s;
	struct mc_asks asks = MC_ASKS_INIT;
	/* step 1 has no correct sample: steps 2 and 3 are not rolled out,
	 * even though step 2 would have had correct ones */
	struct table tb = { 4, 4, { { 1, 1, 0, 0 }, { 0, 0, 0, 0 }, { 1, 1, 1, 1 }, { 1, 0, 0, 0 } } };

	mc_config_init(&cfg);
	cfg.mode = MC_MODE_VISUALPRM;
	cfg.rollouts = 4;
	/* one step at a time */
	assert_int_equal(mc_solution_init(&s, &cfg, 4, 0), 0);
	mc_solution_next(&s, &asks);
	assert_int_equal(asks.nr, 1);
	assert_int_equal(asks.v[0].step, 0);
	asks.nr = 0;
	mc_solution_next(&s, &asks);
	assert_int_equal(asks.nr, 0); /* step 0 in flight: nothing more */
	assert_int_equal(mc_solution_feed(&s, 0, 0, 4, tb.ok[0]), 0);
	mc_solution_next(&s, &asks);
	assert_int_equal(asks.nr, 1);
	assert_int_equal(asks.v[0].step, 1);
	mc_asks_release(&asks);
	mc_solution_release(&s);

	drive(&s, &cfg, &tb, 0, 0);
	assert_int_equal(s.generations, 8);
	assert_int_equal(s.steps[0].state, MC_STEP_DECIDED);
	assert_int_equal(s.steps[0].label, MC_LABEL_PLUS);
	assert_true(mc_step_score(&s.steps[0]) == 0.5);
	assert_int_equal(s.steps[1].state, MC_STEP_DECIDED);
	assert_int_equal(s.steps[1].examined, 4);
	assert_int_equal(s.steps[1].label, MC_LABEL_MINUS);
	for (size_t t = 2; t < 4; t++) {
		assert_int_equal(s.steps[t].state, MC_STEP_SKIPPED);
		assert_int_equal(s.steps[t].label, MC_LABEL_MINUS);
		assert_int_equal(s.steps[t].examined, 0);
		assert_true(mc_step_score(&s.steps[t]) == 0.0);
	}
	mc_solution_release(&s);

	/* with a positive threshold a low-but-nonzero step is "-" without stopping */
	cfg.threshold = 0.5;
	tb.ok[1][0] = 1;
	drive(&s, &cfg, &tb, 0, 0);
	assert_int_equal(s.generations, 16);
	assert_int_equal(s.steps[0].label, MC_LABEL_MINUS);
	assert_int_equal(s.steps[1].label, MC_LABEL_MINUS);
	assert_int_equal(s.steps[2].label, MC_LABEL_PLUS);
	assert_int_equal(s.steps[3].state, MC_STEP_DECIDED);
	mc_solution_release(&s);
}

static void test_exact_binary_batches(void **state)
{
	struct mc_config cfg;
	struct mc_solution s;
	struct mc_asks asks = MC_ASKS_INIT;
	unsigned char no[16] = { 0 };
	long want[] = { 1, 2, 4, 8, 1 };

	mc_config_init(&cfg);
	cfg.mode = MC_MODE_EXACT_BINARY;
	assert_int_equal(mc_solution_init(&s, &cfg, 2, 0), 0);
	mc_solution_next(&s, &asks);
	/* both steps start together */
	assert_int_equal(asks.nr, 2);
	/* step 0 never right: batches 1, 2, 4, 8, 1, each after the last came back */
	for (size_t b = 0; b < ARRAY_SIZE(want); b++) {
		size_t k = asks.nr;
		while (k-- && asks.v[k].step != 0)
			;
		assert_true(k < asks.nr);
		assert_int_equal(asks.v[k].count, want[b]);
		struct mc_ask a = asks.v[k];
		asks.nr = 0;
		mc_solution_next(&s, &asks);
		assert_int_equal(asks.nr, 0);
		assert_int_equal(mc_solution_feed(&s, a.step, a.first, a.count, no), 0);
		mc_solution_next(&s, &asks);
	}
	assert_int_equal(asks.nr, 0);
	assert_int_equal(s.steps[0].label, MC_LABEL_MINUS);
	assert_int_equal(s.steps[0].examined, 16);
	/* step 1's first sample is right: decided "+" after one generation */
	unsigned char yes = 1;
	assert_int_equal(mc_solution_feed(&s, 1, 0, 1, &yes), 0);
	assert_int_equal(s.steps[1].label, MC_LABEL_PLUS);
	assert_int_equal(s.steps[1].examined, 1);
	assert_true(mc_solution_done(&s));
	assert_int_equal(s.generations, 17);
	/* feeding what was never asked is refused */
	assert_int_equal(mc_solution_feed(&s, 1, 1, 1, &yes), -1);
	assert_int_equal(mc_solution_feed(&s, 2, 0, 1, &yes), -1);
	mc_asks_release(&asks);
	mc_solution_release(&s);
}

/* The point of exact-binary: the labels of full on the same samples. */
static void test_exact_binary_equals_full(void **state)
{
	const double thresholds[] = { 0, 0, 0.1, 0.25, 0.5, 0.9, 1.0 };
	uint64_t gen_full = 0, gen_exact = 0;

	rng_state = 42;
	for (int iter = 0; iter < 3000; iter++) {
		struct table tb;
		struct mc_config cfg;
		struct mc_solution full, exact;
		long n = 1 + (long)(rnd() % 32);
		size_t nsteps = 1 + (size_t)(rnd() % 12);

		random_table(&tb, nsteps, n);
		mc_config_init(&cfg);
		cfg.rollouts = n;
		cfg.threshold = thresholds[rnd() % ARRAY_SIZE(thresholds)];
		gen_full += drive(&full, &cfg, &tb, 0, (int)(rnd() % 2));
		cfg.mode = MC_MODE_EXACT_BINARY;
		cfg.first_batch = 1 + (long)(rnd() % 4);
		gen_exact += drive(&exact, &cfg, &tb, 0, (int)(rnd() % 2));
		assert_true(exact.generations <= full.generations);
		for (size_t t = 0; t < nsteps; t++) {
			const struct mc_step *e = &exact.steps[t];

			assert_int_equal(e->state, MC_STEP_DECIDED);
			assert_int_equal(e->label, full.steps[t].label);
			/* the written ratio tells the label too */
			if (e->examined)
				assert_int_equal(mc_step_score(e) > cfg.threshold, e->label == MC_LABEL_PLUS);
			else
				assert_int_equal(e->label, MC_LABEL_MINUS);
			assert_true(e->correct <= full.steps[t].correct);
		}
		mc_solution_release(&full);
		mc_solution_release(&exact);
	}
	/* on these tables (about 30% hopeless steps) it still saves a lot */
	assert_true(gen_exact * 10 < gen_full * 6);
}

static void test_first_error_search(void **state)
{
	struct mc_config cfg;
	struct mc_solution s;
	struct table tb = { 8, 4, { { 0 } } };

	mc_config_init(&cfg);
	cfg.mode = MC_MODE_FIRST_ERROR;
	cfg.rollouts = 4;
	/* steps 0..4 reachable, 5.. not: the search probes 3 (+), 5 (-), 4 (+) */
	for (size_t t = 0; t < 5; t++)
		memset(tb.ok[t], 1, 4);
	drive(&s, &cfg, &tb, 0, 0);
	assert_int_equal(s.first_error, 5);
	assert_int_equal(s.generations, 1 + 4 + 1);
	assert_int_equal(s.steps[3].state, MC_STEP_DECIDED);
	assert_int_equal(s.steps[4].state, MC_STEP_DECIDED);
	assert_int_equal(s.steps[5].state, MC_STEP_DECIDED);
	assert_int_equal(s.steps[5].label, MC_LABEL_MINUS);
	for (size_t t = 0; t < 3; t++) {
		assert_int_equal(s.steps[t].state, MC_STEP_INFERRED);
		assert_int_equal(s.steps[t].label, MC_LABEL_PLUS);
	}
	for (size_t t = 6; t < 8; t++) {
		assert_int_equal(s.steps[t].state, MC_STEP_UNLABELLED);
		assert_int_equal(s.steps[t].label, MC_LABEL_NONE);
	}
	mc_solution_release(&s);

	/* a right final answer: every step "+", nothing asked */
	drive(&s, &cfg, &tb, 1, 0);
	assert_int_equal(s.generations, 0);
	for (size_t t = 0; t < 8; t++)
		assert_int_equal(s.steps[t].label, MC_LABEL_PLUS);
	mc_solution_release(&s);

	/* one step, wrong answer: that step is the error, nothing asked */
	tb.nsteps = 1;
	drive(&s, &cfg, &tb, 0, 0);
	assert_int_equal(s.generations, 0);
	assert_int_equal(s.first_error, 0);
	assert_int_equal(s.steps[0].label, MC_LABEL_MINUS);
	mc_solution_release(&s);
}

/* On monotone tables the search finds full's first "-" step. */
static void test_first_error_agrees_on_monotone(void **state)
{
	rng_state = 7;
	for (int iter = 0; iter < 1000; iter++) {
		struct table tb;
		struct mc_config cfg;
		struct mc_solution full, fe;
		size_t nsteps = 1 + (size_t)(rnd() % 12), k = (size_t)(rnd() % nsteps);
		long first = -1;

		tb.nsteps = nsteps;
		tb.n = 16;
		for (size_t t = 0; t < nsteps; t++)
			for (long i = 0; i < 16; i++)
				tb.ok[t][i] = t < k && unit() < 0.5;
		for (size_t t = 0; t < k; t++)
			tb.ok[t][rnd() % 16] = 1; /* monotone: every step before k reachable */
		mc_config_init(&cfg);
		drive(&full, &cfg, &tb, 0, 0);
		cfg.mode = MC_MODE_FIRST_ERROR;
		drive(&fe, &cfg, &tb, 0, (int)(rnd() % 2));
		for (size_t t = 0; t < nsteps && first < 0; t++)
			if (full.steps[t].label == MC_LABEL_MINUS)
				first = (long)t;
		assert_int_equal(fe.first_error, first);
		for (size_t t = 0; t <= (size_t)first; t++)
			assert_int_equal(fe.steps[t].label, full.steps[t].label);
		mc_solution_release(&full);
		mc_solution_release(&fe);
	}
}

static void test_bounds(void **state)
{
	struct mc_config cfg;
	struct mc_bounds b;

	mc_config_init(&cfg);
	assert_int_equal(mc_plan_bounds(&cfg, 5, 0, 0, &b), 0);
	assert_int_equal(b.generations_min, 80);
	assert_int_equal(b.generations_max, 80);
	assert_int_equal(b.requests_min, 5);
	assert_int_equal(b.requests_max, 5);
	assert_int_equal(mc_plan_bounds(&cfg, 5, 0, 1, &b), 0);
	assert_int_equal(b.requests_max, 80);

	cfg.mode = MC_MODE_VISUALPRM;
	assert_int_equal(mc_plan_bounds(&cfg, 5, 0, 0, &b), 0);
	assert_int_equal(b.generations_min, 16);
	assert_int_equal(b.generations_max, 80);
	assert_int_equal(b.requests_min, 1);

	cfg.mode = MC_MODE_EXACT_BINARY;
	assert_int_equal(mc_plan_bounds(&cfg, 5, 0, 0, &b), 0);
	assert_int_equal(b.generations_min, 5);
	assert_int_equal(b.generations_max, 80);
	assert_int_equal(b.requests_min, 5);
	assert_int_equal(b.requests_max, 25); /* 1, 2, 4, 8, 1 per step */

	cfg.mode = MC_MODE_FIRST_ERROR;
	assert_int_equal(mc_plan_bounds(&cfg, 5, 1, 0, &b), 0);
	assert_int_equal(b.generations_max, 0);
	assert_int_equal(mc_plan_bounds(&cfg, 5, 0, 0, &b), 0);
	/* search over [0, 4]: at least 2 probes, at most 3; all "+" cost 1 */
	assert_int_equal(b.generations_min, 2);
	assert_int_equal(b.generations_max, 48);
}

static void test_names_and_config(void **state)
{
	enum mc_mode m;
	struct mc_config cfg;
	struct mc_solution s;

	for (int i = 0; i <= MC_MODE_FIRST_ERROR; i++) {
		assert_int_equal(mc_mode_parse(mc_mode_name((enum mc_mode)i), &m), 0);
		assert_int_equal(m, i);
	}
	assert_int_equal(mc_mode_parse("binary", &m), -1);
	assert_string_equal(mc_label_name(MC_LABEL_PLUS), "+");
	assert_null(mc_label_name(MC_LABEL_NONE));
	mc_config_init(&cfg);
	assert_int_equal(mc_solution_init(&s, &cfg, 0, 0), -1);
	cfg.rollouts = 0;
	assert_int_equal(mc_solution_init(&s, &cfg, 3, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_by_hand),
		cmocka_unit_test(test_visualprm_early_stop),
		cmocka_unit_test(test_exact_binary_batches),
		cmocka_unit_test(test_exact_binary_equals_full),
		cmocka_unit_test(test_first_error_search),
		cmocka_unit_test(test_first_error_agrees_on_monotone),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_names_and_config),
	};

	return cmocka_run_group_tests_name("mc_plan", tests, NULL, NULL);
}
