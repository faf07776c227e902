/*
 * prm_eval.h — VisualProcessBench-style step evaluation of a process
 * reward model: per step, gold correctness (1 correct, -1 incorrect, 0
 * neutral) against a predicted label; F1 of the "correct" class and of
 * the "incorrect" class, and their mean (macro-F1), with neutral steps
 * left out, per data source and over all steps pooled (micro over
 * sources), as VisualPRM reports it.
 *
 * Predictions per step may be scores (correct iff score > threshold),
 * "+"/"-" labels, booleans, or objects with a "score" (smelt-mc's
 * steps_with_score). A null prediction is "unpredicted": the step counts
 * in `unpredicted` and nowhere else. An F1 whose class has no gold step
 * and no predicted step is 0 (undefined otherwise).
 */
#ifndef SMELT_PRM_EVAL_H
#define SMELT_PRM_EVAL_H

#include <jansson.h>
#include <stdint.h>

#include "core/sbuf.h"
#include "core/util.h"

/* Counts of one source (or all): tp_c = predicted correct and gold correct, … */
struct prm_eval_counts {
	uint64_t solutions;
	uint64_t gold_correct, gold_incorrect, neutral, unpredicted;
	uint64_t tp_correct, fp_correct, fn_correct; /* the "correct" class */
	uint64_t tp_incorrect, fp_incorrect, fn_incorrect;
};

struct prm_eval {
	double threshold;
	/* sources in first-seen order */
	char **names;
	struct prm_eval_counts *counts;
	size_t nr, alloc;
	struct prm_eval_counts all;
};

void prm_eval_init(struct prm_eval *ev, double threshold);
void prm_eval_release(struct prm_eval *ev);

/*
 * Add one solution: `gold` an array of 1/0/-1 (or smelt-mc's labels:
 * "+" 1, "-" -1, null 0, so a PRM can be measured against MC labels),
 * `pred` an array of
 * predictions of the same length (see above), `source` its data source
 * (NULL: "unknown"). Returns 0, or -1 with *kind (bad_field_type,
 * length_mismatch) and a message in err; nothing is counted then.
 */
int prm_eval_add(struct prm_eval *ev, const char *source, const json_t *gold, const json_t *pred,
		 const char **kind, struct sbuf *err) MUST_CHECK;

/* F1 of each class and their mean for `c`. */
void prm_eval_f1(const struct prm_eval_counts *c, double *f1_correct, double *f1_incorrect, double *macro);

/*
 * The report: {threshold, overall: {...}, sources: {name: {...}},
 * mean_over_sources} where each {...} holds the counts, f1_correct,
 * f1_incorrect and macro_f1 (new reference).
 */
json_t *prm_eval_report(const struct prm_eval *ev);

/* A markdown table of the report: one row per source, then overall. */
void prm_eval_table(const struct prm_eval *ev, struct sbuf *out);

#endif
