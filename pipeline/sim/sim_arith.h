/*
 * sim_arith.h — arithmetic word problems with a mechanically checkable
 * solver, so Monte-Carlo step labels have a known ground truth.
 *
 * A problem: "<Name> has <N> <items>. <She|He> <op>. ... How many <items>
 * does <she|he> have now?" with 3-8 operations from a fixed phrase list
 * (buys/finds/receives/wins # more: +; gives away/loses/sells/trades away
 * #: -; doubles/triples them: * 2, * 3).
 *
 * A solution: one step per operation, separated by a blank line, each
 * "Step <k>: <She|He> <op phrase>, so <A> <+|-|*> <B> = <R>." The last step
 * is followed by "\nFinal answer: <R>" (or "\n\boxed{<R>}" when the prompt
 * mentions \boxed). Step k is correct iff A equals the true value after
 * k-1 operations and A op B = R. A step errs with the configured
 * probability: R is off by 1-5 and the next step starts from that R.
 */
#ifndef SMELT_SIM_ARITH_H
#define SMELT_SIM_ARITH_H

#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"

#define SIM_ARITH_MAX_OPS 8

struct sim_problem {
	char name[32];
	char item[32];
	int she;
	long start;
	size_t nops;
	struct {
		int phrase;	/* index into the phrase table */
		long operand;
	} ops[SIM_ARITH_MAX_OPS];
};

/* Problem number i of seed (deterministic). */
void sim_arith_make(uint64_t seed, long i, struct sim_problem *p);
/* Append the problem's text. */
void sim_arith_text(const struct sim_problem *p, struct sbuf *out);
/* The true answer. */
long sim_arith_answer(const struct sim_problem *p);

/* Append one JSONL record {id, question, answer[, images]} for problem i. */
void sim_arith_problem_jsonl(uint64_t seed, long i, int images, struct sbuf *out);

/* 1 and *p filled if text contains a problem in the grammar above. */
int sim_arith_find(const char *text, struct sim_problem *p);

/*
 * Append a solution (or, with prefix non-NULL, the continuation of the
 * partial solution prefix, starting with "\n\n"). Step k's error draw is
 * a function of (stream, k).
 */
void sim_arith_solve(const struct sim_problem *p, const char *prefix, int boxed,
		     double step_error, uint64_t stream, struct sbuf *out);

/*
 * The same, where with probability `sloppy` (a draw of the stream) the
 * solution ends without a committed answer: "... wait, let me recheck:
 * <x> <op> <y> = <z>, so <R>" in place of the final-answer line, whose
 * last number is still R. A lenient checker that takes the last number
 * counts it; one that wants "Final answer:" or \boxed{} does not.
 */
void sim_arith_solve_ex(const struct sim_problem *p, const char *prefix, int boxed,
			double step_error, double sloppy, uint64_t stream, struct sbuf *out);

/*
 * The index of the first of `n` solution steps (texts, in order) that is
 * wrong: its first line holding "Step k: …, so A op B = R." has A other than the
 * true value before it, another operation or operand than the problem's
 * next one, or A op B != R. A step without such a line asserts nothing
 * and is never the wrong one. Returns n when every step is right.
 */
size_t sim_arith_first_wrong(const struct sim_problem *p, const char *const *steps, size_t n);

#endif
