/*
 * mc_plan.c — the labelling modes as one state machine over steps (see
 * mc_plan.h for the semantics).
 *
 * Results land in a per-step byte array indexed by sample, because a
 * batch asked as single-sample requests can come back in any order; a
 * step only ever *examines* its samples in index order, so the decision
 * point — and with it the label and the counts written out — does not
 * depend on batching or arrival order. That is what makes exact-binary
 * agree with full: full examines all N, exact-binary stops at the first
 * index where the outcome can no longer change.
 */
#include "prm/mc_plan.h"

#include <stdlib.h>
#include <string.h>

enum { RES_UNKNOWN = 0, RES_OK, RES_WRONG };

static const char *const mode_names[] = {
	[MC_MODE_FULL] = "full",
	[MC_MODE_VISUALPRM] = "visualprm",
	[MC_MODE_EXACT_BINARY] = "exact-binary",
	[MC_MODE_FIRST_ERROR] = "first-error",
};

int mc_mode_estimates(enum mc_mode mode)
{
	return mode == MC_MODE_FULL || mode == MC_MODE_VISUALPRM;
}

const char *mc_mode_name(enum mc_mode mode)
{
	return (size_t)mode < ARRAY_SIZE(mode_names) ? mode_names[mode] : "?";
}

int mc_mode_parse(const char *name, enum mc_mode *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(mode_names); i++)
		if (!strcmp(name, mode_names[i])) {
			*out = (enum mc_mode)i;
			return 0;
		}
	return -1;
}

const char *mc_label_name(enum mc_label label)
{
	return label == MC_LABEL_PLUS ? "+" : label == MC_LABEL_MINUS ? "-" : NULL;
}

void mc_config_init(struct mc_config *cfg)
{
	cfg->mode = MC_MODE_FULL;
	cfg->rollouts = MC_ROLLOUTS_DEFAULT;
	cfg->threshold = 0;
	cfg->first_batch = 1;
}

void mc_asks_release(struct mc_asks *a)
{
	free(a->v);
	a->v = NULL;
	a->nr = a->alloc = 0;
}

static void asks_add(struct mc_solution *s, struct mc_asks *out, size_t step, long count)
{
	struct mc_step *st = &s->steps[step];

	ALLOC_GROW(out->v, out->nr + 1, out->alloc);
	out->v[out->nr].step = step;
	out->v[out->nr].first = st->asked;
	out->v[out->nr].count = count;
	out->nr++;
	st->asked += count;
	st->state = MC_STEP_RUNNING;
	s->generations += (uint64_t)count;
	s->asks++;
}

/* The fewest correct samples of N whose score passes the threshold, computed
 * the way full mode compares scores so the two can never disagree. */
static long need_for(long n, double threshold)
{
	for (long c = 0; c <= n; c++)
		if ((double)c / (double)n > threshold)
			return c;
	return n + 1;
}

int mc_solution_init(struct mc_solution *s, const struct mc_config *cfg, size_t nsteps,
		     int final_correct)
{
	memset(s, 0, sizeof(*s));
	if (!nsteps)
		return error("mc: a solution needs at least one step");
	if (cfg->rollouts < 1 || cfg->rollouts > MC_ROLLOUTS_MAX || cfg->first_batch < 1)
		return error("mc: rollouts must be 1..%d and the first batch at least 1", MC_ROLLOUTS_MAX);
	s->cfg = *cfg;
	s->nsteps = nsteps;
	s->steps = xcalloc(nsteps, sizeof(*s->steps));
	for (size_t i = 0; i < nsteps; i++)
		s->steps[i].result = xcalloc((size_t)cfg->rollouts, 1);
	s->final_correct = final_correct;
	s->need = need_for(cfg->rollouts, cfg->threshold);
	s->lo = 0;
	s->hi = nsteps - 1;
	s->first_error = -1;
	return 0;
}

void mc_solution_release(struct mc_solution *s)
{
	for (size_t i = 0; s->steps && i < s->nsteps; i++)
		free(s->steps[i].result);
	free(s->steps);
	s->steps = NULL;
	s->nsteps = 0;
}

double mc_step_score(const struct mc_step *st)
{
	return st->examined ? (double)st->correct / (double)st->examined : 0.0;
}

static int sequential(const struct mc_solution *s)
{
	return s->cfg.mode == MC_MODE_EXACT_BINARY || s->cfg.mode == MC_MODE_FIRST_ERROR;
}

static void decide(struct mc_step *st, enum mc_label label)
{
	st->state = MC_STEP_DECIDED;
	st->label = label;
}

/* Examine the step's samples in index order as far as they are known. */
static void examine(struct mc_solution *s, struct mc_step *st)
{
	const long n = s->cfg.rollouts;

	while (st->state == MC_STEP_RUNNING && st->examined < st->asked &&
	       st->result[st->examined] != RES_UNKNOWN) {
		if (st->result[st->examined++] == RES_OK)
			st->correct++;
		if (sequential(s)) {
			if (st->correct >= s->need)
				decide(st, MC_LABEL_PLUS);
			else if (st->correct + (n - st->examined) < s->need)
				decide(st, MC_LABEL_MINUS);
		} else if (st->examined == n) {
			decide(st, (double)st->correct / (double)n > s->cfg.threshold ?
				   MC_LABEL_PLUS : MC_LABEL_MINUS);
		}
	}
}

/* Every step asked is fully answered (nothing in flight for it). */
static int settled(const struct mc_step *st)
{
	for (long i = st->examined; i < st->asked; i++)
		if (st->result[i] == RES_UNKNOWN)
			return 0;
	return 1;
}

/* The next batch of a sequentially decided step, if one may go out now. */
static void next_batch(struct mc_solution *s, size_t step, struct mc_asks *out)
{
	struct mc_step *st = &s->steps[step];
	long size = st->asked + s->cfg.first_batch;

	if (st->state == MC_STEP_DECIDED || st->asked >= s->cfg.rollouts || !settled(st))
		return;
	if (st->state == MC_STEP_WAITING && s->need > s->cfg.rollouts) {
		decide(st, MC_LABEL_MINUS); /* no score can pass the threshold */
		return;
	}
	if (size > s->cfg.rollouts - st->asked)
		size = s->cfg.rollouts - st->asked;
	asks_add(s, out, step, size);
}

static void next_visualprm(struct mc_solution *s, struct mc_asks *out)
{
	for (size_t i = 0; i < s->nsteps; i++) {
		struct mc_step *st = &s->steps[i];

		if (st->state == MC_STEP_RUNNING)
			return;
		if (st->state == MC_STEP_WAITING) {
			asks_add(s, out, i, s->cfg.rollouts);
			return;
		}
		if (st->state == MC_STEP_DECIDED && st->correct == 0) {
			for (size_t j = i + 1; j < s->nsteps; j++) {
				s->steps[j].state = MC_STEP_SKIPPED;
				s->steps[j].label = MC_LABEL_MINUS;
			}
			return;
		}
	}
}

/* first-error: the search is over; label what was not probed. */
static void finish_search(struct mc_solution *s)
{
	s->first_error = (long)s->lo;
	for (size_t i = 0; i < s->nsteps; i++) {
		struct mc_step *st = &s->steps[i];

		if (st->state == MC_STEP_DECIDED)
			continue;
		if (st->state == MC_STEP_RUNNING)
			continue; /* cannot happen: probes are decided before moving on */
		if (i < s->lo) {
			st->state = MC_STEP_INFERRED;
			st->label = MC_LABEL_PLUS;
		} else if (i == s->lo) {
			st->state = MC_STEP_INFERRED;
			st->label = MC_LABEL_MINUS;
		} else {
			st->state = MC_STEP_UNLABELLED;
			st->label = MC_LABEL_NONE;
		}
	}
}

static void next_first_error(struct mc_solution *s, struct mc_asks *out)
{
	if (s->first_error >= 0 || mc_solution_done(s))
		return;
	if (s->final_correct) {
		for (size_t i = 0; i < s->nsteps; i++) {
			s->steps[i].state = MC_STEP_INFERRED;
			s->steps[i].label = MC_LABEL_PLUS;
		}
		return;
	}
	while (s->lo < s->hi) {
		size_t mid = s->lo + (s->hi - s->lo) / 2;
		struct mc_step *st = &s->steps[mid];

		if (st->state != MC_STEP_DECIDED) {
			next_batch(s, mid, out);
			if (st->state != MC_STEP_DECIDED)
				return; /* probe in flight */
		}
		if (st->label == MC_LABEL_PLUS)
			s->lo = mid + 1;
		else
			s->hi = mid;
	}
	finish_search(s);
}

void mc_solution_next(struct mc_solution *s, struct mc_asks *out)
{
	switch (s->cfg.mode) {
	case MC_MODE_FULL:
		for (size_t i = 0; i < s->nsteps; i++)
			if (s->steps[i].state == MC_STEP_WAITING)
				asks_add(s, out, i, s->cfg.rollouts);
		break;
	case MC_MODE_VISUALPRM:
		next_visualprm(s, out);
		break;
	case MC_MODE_EXACT_BINARY:
		for (size_t i = 0; i < s->nsteps; i++)
			next_batch(s, i, out);
		break;
	case MC_MODE_FIRST_ERROR:
		next_first_error(s, out);
		break;
	}
}

int mc_solution_feed(struct mc_solution *s, size_t step, long first, long count,
		     const unsigned char *correct)
{
	struct mc_step *st;

	if (step >= s->nsteps || first < 0 || count < 0 || first + count > s->steps[step].asked)
		return error("mc: results for samples %ld..%ld of step %zu that were never asked",
			     first, first + count - 1, step);
	st = &s->steps[step];
	for (long i = 0; i < count; i++)
		st->result[first + i] = correct[i] ? RES_OK : RES_WRONG;
	examine(s, st);
	return 0;
}

int mc_solution_done(const struct mc_solution *s)
{
	for (size_t i = 0; i < s->nsteps; i++)
		if (s->steps[i].state == MC_STEP_WAITING || s->steps[i].state == MC_STEP_RUNNING)
			return 0;
	return 1;
}

/* Run one solution against the pattern "steps before k are always right". */
static int simulate(const struct mc_config *cfg, size_t nsteps, int final_correct, int seeds,
		    size_t k, uint64_t *requests, uint64_t *generations)
{
	struct mc_solution s;
	struct mc_asks asks = MC_ASKS_INIT;
	unsigned char *ok = xmalloc((size_t)cfg->rollouts);

	if (mc_solution_init(&s, cfg, nsteps, final_correct) < 0) {
		free(ok);
		return -1;
	}
	*requests = 0;
	for (;;) {
		asks.nr = 0;
		mc_solution_next(&s, &asks);
		if (!asks.nr)
			break;
		for (size_t i = 0; i < asks.nr; i++) {
			const struct mc_ask *a = &asks.v[i];

			memset(ok, a->step < k, (size_t)a->count);
			*requests += seeds ? (uint64_t)a->count : 1;
			if (mc_solution_feed(&s, a->step, a->first, a->count, ok) < 0)
				abort(); /* only asked batches are fed */
		}
	}
	*generations = s.generations;
	mc_asks_release(&asks);
	mc_solution_release(&s);
	free(ok);
	return 0;
}

int mc_plan_bounds(const struct mc_config *cfg, size_t nsteps, int final_correct, int seeds,
		   struct mc_bounds *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t k = 0; k <= nsteps; k++) {
		uint64_t req, gen;

		if (simulate(cfg, nsteps, final_correct, seeds, k, &req, &gen) < 0)
			return -1;
		if (!k || req < out->requests_min)
			out->requests_min = req;
		if (!k || gen < out->generations_min)
			out->generations_min = gen;
		if (req > out->requests_max)
			out->requests_max = req;
		if (gen > out->generations_max)
			out->generations_max = gen;
	}
	return 0;
}
