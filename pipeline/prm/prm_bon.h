/*
 * prm_bon.h — Best-of-N selection: among N responses to one question,
 * pick one by a process reward model's step scores (aggregated by mean,
 * min, max or last step), by an outcome reward model's score, or by
 * self-consistency (the most frequent normalised final answer), and say
 * whether the pick is right.
 *
 * A response (an "item") is a string — the response text — or an object
 * with the text at `text`, PRM step scores at `steps` (numbers, or
 * objects with a "score" such as smelt-mc's steps_with_score; nulls are
 * skipped), an ORM score at `orm`, and optionally "correct" (a boolean
 * that overrides checking the text against the gold answer).
 *
 * Ties go to the earliest response. Responses without a score (or, for
 * self-consistency, without an extractable answer) cannot be picked; a
 * group where none can gives -1. Self-consistency normalises answers as
 * numbers where they read as numbers (so "0.5" and "\frac{1}{2}" agree),
 * else by the VQA normal form; the majority with the earliest first
 * member wins and its first member is picked.
 */
#ifndef SMELT_PRM_BON_H
#define SMELT_PRM_BON_H

#include <jansson.h>

#include "answer/answer_check.h"
#include "core/util.h"

enum bon_method { BON_PRM = 0, BON_ORM, BON_SC };
enum bon_agg { BON_MEAN = 0, BON_MIN, BON_MAX, BON_LAST };

struct bon_config {
	enum bon_method method;
	enum bon_agg agg;
	const char *text;   /* path of the text in an item (default "response") */
	const char *steps;  /* path of the step scores; NULL: step_scores, else steps_with_score */
	const char *orm;    /* path of the ORM score (default "score") */
	struct answer_opts check;
};

void bon_config_init(struct bon_config *c);

struct bon_pick {
	long index;   /* chosen item, -1 if none could be */
	double score; /* its PRM aggregate or ORM score; the votes for self-consistency */
	long scored;  /* items that could be picked */
	int correct;  /* the pick: 1, 0, or -1 when unknown (no gold, no "correct") */
	int first;    /* the same for item 0 (the pass@1 baseline) */
	int oracle;   /* 1 if any item is right, 0 if none, -1 if unknown */
	const char *kind; /* when bon_choose fails: the reject kind */
};

/*
 * Choose among `items` (an array, borrowed). `gold` may be NULL (then
 * only items' own "correct" fields say what is right). Returns 0, or -1
 * with out->kind and a message in err when `items` is not a list
 * (bad_field_type) or a response nests too deeply to check (PRM_TOO_DEEP,
 * prm_check.h).
 */
int bon_choose(const struct bon_config *c, const json_t *items, const char *gold, struct bon_pick *out,
	       struct sbuf *err) MUST_CHECK;

/* The PRM aggregate of an item's step scores; 0, or -1 when it has none. */
int bon_prm_score(const struct bon_config *c, const json_t *item, double *out) MUST_CHECK;

/* Names: "prm", "orm", "self-consistency" (also "sc"); "mean", "min", "max", "last". */
int bon_method_parse(const char *s, enum bon_method *out) MUST_CHECK;
int bon_agg_parse(const char *s, enum bon_agg *out) MUST_CHECK;
/* "prm-mean", "orm", "self-consistency" (static). */
const char *bon_name(const struct bon_config *c);

#endif
