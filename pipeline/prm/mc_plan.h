/*
 * mc_plan.h — which continuations Monte-Carlo step labelling asks for, in
 * what order, and when a step's label is decided. No I/O: the stage feeds
 * in which continuations reached the gold answer and asks what to request
 * next, so the same machine runs against a server, against an oracle in
 * the unit tests, and in --dry-run to bound the cost.
 *
 * A solution has steps 0..T-1. Rolling out step t means continuing the
 * prefix steps[0..t] N times (N = rollouts); sample i of a step always has
 * the same seed (seed + i), so sample i is the same text whichever mode
 * asks for it. A step's score is correct/N and its label is "+" iff
 * score > threshold.
 *
 *   full          every step, all N samples, all steps at once.
 *   visualprm     VisualPRM's code: steps one after another, all N each;
 *                 after the first step with no correct sample the later
 *                 steps are not rolled out and get score 0, total 0.
 *   exact-binary  every step, but samples are examined in index order and
 *                 a step stops as soon as its label is certain: "+" once
 *                 `need` samples were correct (need = the fewest correct
 *                 of N whose score passes the threshold; 1 at threshold
 *                 0), "-" once even all the remaining ones could not get
 *                 there. Samples are requested in batches of first_batch,
 *                 then doubling (1, 2, 4, 8, 1 for N = 16). The label is
 *                 the one `full` gives when sample i has the same text in
 *                 both (same seeds, a server that reproduces a sample
 *                 from its seed), and has the same distribution anyway;
 *                 num_mc_correct / num_mc_total count the examined
 *                 samples, so their ratio passes the threshold exactly
 *                 when the label is "+" — but it is no estimate of the
 *                 success rate (the stop biases it up). Expected samples
 *                 per step at threshold 0 and success rate p:
 *                 (1 - (1-p)^N) / p, against full's N.
 *   first-error   OmegaPRM-style binary search for the first "-" step,
 *                 each probe decided as in exact-binary. It assumes that a
 *                 "-" step is followed by "-" steps, takes the last step
 *                 as "-" when the solution's own final answer is wrong,
 *                 and labels every step "+" without any rollout when it is
 *                 right (the "a correct continuation exists" reading, a
 *                 deviation from VisualPRM's sampled labels). Steps before
 *                 the first error are "+"; steps after it stay unlabelled
 *                 unless a probe decided them.
 *
 * Not thread-safe: the caller serialises feed/next on one solution.
 */
#ifndef SMELT_MC_PLAN_H
#define SMELT_MC_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

enum mc_mode {
	MC_MODE_FULL = 0,
	MC_MODE_VISUALPRM,
	MC_MODE_EXACT_BINARY,
	MC_MODE_FIRST_ERROR,
};

#define MC_ROLLOUTS_DEFAULT 16
#define MC_ROLLOUTS_MAX 4096

struct mc_config {
	enum mc_mode mode;
	long rollouts;    /* N >= 1 */
	double threshold; /* "+" iff correct / N > threshold */
	long first_batch; /* exact-binary, first-error: first request's samples (>= 1) */
};

/* Defaults: full, 16 rollouts, threshold 0, first batch 1. */
void mc_config_init(struct mc_config *cfg);

enum mc_label { MC_LABEL_NONE = 0, MC_LABEL_PLUS, MC_LABEL_MINUS };

enum mc_step_state {
	MC_STEP_WAITING = 0, /* nothing asked yet */
	MC_STEP_RUNNING,     /* samples asked, label not yet known */
	MC_STEP_DECIDED,     /* label from its own samples */
	MC_STEP_SKIPPED,     /* visualprm: after a zero step; score 0, total 0 */
	MC_STEP_INFERRED,    /* first-error: label inferred, no samples */
	MC_STEP_UNLABELLED,  /* first-error: after the first error, not probed */
};

struct mc_step {
	unsigned char *result; /* per sample: 0 unknown, 1 correct, 2 wrong (owned) */
	long asked;            /* samples requested: always 0..asked-1 */
	long examined;         /* samples examined, in index order */
	long correct;          /* correct among the examined */
	enum mc_step_state state;
	enum mc_label label;
};

struct mc_solution {
	struct mc_config cfg;
	size_t nsteps;
	struct mc_step *steps; /* owned */
	int final_correct;     /* the solution's own answer is right */
	long need;             /* correct samples that make a "+" (N + 1: never) */
	size_t lo, hi;         /* first-error: the first "-" lies in [lo, hi] */
	long first_error;      /* first-error: the step found, -1 before or if none */
	uint64_t generations;  /* samples requested */
	uint64_t asks;         /* batches requested */
};

/* One batch to request: samples first..first+count-1 of step `step`. */
struct mc_ask {
	size_t step;
	long first, count;
};

struct mc_asks {
	struct mc_ask *v;
	size_t nr, alloc;
};

#define MC_ASKS_INIT { NULL, 0, 0 }

/*
 * Set up `s` for a solution of nsteps >= 1 steps. final_correct matters
 * only to first-error. Returns 0, or -1 with error() on a bad config.
 */
int mc_solution_init(struct mc_solution *s, const struct mc_config *cfg, size_t nsteps,
		     int final_correct) MUST_CHECK;
void mc_solution_release(struct mc_solution *s);

/*
 * Append to `out` every batch that may be requested now (it is then
 * counted as asked). Call after init and after every feed; when nothing
 * is in flight and nothing is appended, the solution is done.
 */
void mc_solution_next(struct mc_solution *s, struct mc_asks *out);

/*
 * Results of a batch asked by next: correct[i] != 0 when sample first+i
 * reached the gold answer. Returns 0, or -1 with error() if the batch was
 * never asked.
 */
int mc_solution_feed(struct mc_solution *s, size_t step, long first, long count,
		     const unsigned char *correct) MUST_CHECK;

/* 1 once every step is decided, skipped, inferred or left unlabelled. */
int mc_solution_done(const struct mc_solution *s);

/* The step's score: correct / examined, 0 with no samples. */
double mc_step_score(const struct mc_step *st);

void mc_asks_release(struct mc_asks *a);

/*
 * Cost bounds of one solution for --dry-run: the fewest and most requests
 * and generations over every pattern "steps before k reach the answer,
 * the others never" (k = 0..T), which covers every path first-error's
 * search can take. `seeds`: one request per sample instead of per batch.
 */
struct mc_bounds {
	uint64_t requests_min, requests_max;
	uint64_t generations_min, generations_max;
};

int mc_plan_bounds(const struct mc_config *cfg, size_t nsteps, int final_correct, int seeds,
		   struct mc_bounds *out) MUST_CHECK;

/*
 * 1 for the modes whose correct/N is the Monte-Carlo estimate (full,
 * visualprm: every rolled-out step draws all N samples), 0 for the ones
 * that stop early (exact-binary, first-error).
 */
int mc_mode_estimates(enum mc_mode mode);

/* "full", "visualprm", "exact-binary", "first-error" <-> enum. */
const char *mc_mode_name(enum mc_mode mode);
int mc_mode_parse(const char *name, enum mc_mode *out) MUST_CHECK;
/* "+", "-" or NULL. */
const char *mc_label_name(enum mc_label label);

#endif
