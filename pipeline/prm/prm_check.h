/*
 * prm_check.h — answer checking over records, for smelt-check: pull the
 * answer out of a reply field (a string, or a list of them such as
 * smelt-gen --samples K writes), compare it with a gold field by
 * answer_check's rules, and write {extracted, correct, method} back.
 *
 * Per record, "answer_mode" (a mode name) overrides the configured mode,
 * and "options" (a list) gives multiple-choice options; the question text
 * is read for "A. …" option lines too.
 *
 * A verdict the rules cannot stand behind is *undecided*: nothing was
 * extracted, or the answer was found wrong only by the exact or vqa rule
 * (free text that may still mean the same). With a judge those items are
 * asked to an LLM (prm_judge_verdict reads its one-word reply); the rules'
 * positive verdicts and the numeric, option, set and ANLS decisions are
 * final.
 */
#ifndef SMELT_PRM_CHECK_H
#define SMELT_PRM_CHECK_H

#include <jansson.h>

#include "answer/answer_check.h"
#include "core/sbuf.h"
#include "core/util.h"

struct prm_check {
	const char *gold;      /* path of the gold answer (string or number) */
	const char *pred;      /* path of the reply: a string or a list of strings */
	const char *into;      /* NULL: fields at the top level; else an object at this path */
	struct answer_opts opts;
	json_t *provenance;    /* the entry appended to checked records (borrowed) */
	/* figures, updated atomically */
	uint64_t replies, correct, undecided, judged;
};

struct prm_check_item {
	const char *reply;        /* borrowed from the record */
	char *extracted;          /* NULL when nothing was found (owned) */
	struct answer_verdict v;
	int judged;               /* -1 not judged, else the judge's 0/1 */
};

/*
 * The reject kind of a record whose reply the answer checker cannot decide
 * because it nests too deeply (answer_check.h: too_deep) — smelt-check,
 * smelt-bon and smelt-mc all use it.
 */
#define PRM_TOO_DEEP "too_deep"
#define PRM_TOO_DEEP_WHY "nests deeper than the answer checker follows (200 levels of expression, 8 of sets)"

struct prm_check_result {
	struct prm_check_item *items; /* owned */
	size_t nr;
	int list;                     /* the reply field was a list */
	char *gold;                   /* owned */
	const char *question;         /* borrowed from the record, may be NULL */
};

/*
 * Check every reply of `rec` (borrowed: the result borrows from it).
 * Returns 0, or -1 with *kind (missing_field, bad_field_type, or
 * PRM_TOO_DEEP when a reply nests past the checker's limits) and a
 * message in err.
 */
int prm_check_run(const struct prm_check *c, const json_t *rec, struct prm_check_result *res,
		  const char **kind, struct sbuf *err) MUST_CHECK;

/* 1 if the rules' verdict on this item is not final (see above). */
int prm_check_undecided(const struct prm_check_item *it);

/*
 * Write extracted, correct, method and extracted_by (lists when the reply
 * field is a list; score too under anls) into `rec`. Judged items get
 * method "judge". Returns 0, or -1 if `into` cannot be set in rec.
 */
int prm_check_write(const struct prm_check *c, const struct prm_check_result *res, json_t *rec)
	MUST_CHECK;

void prm_check_result_release(struct prm_check_result *res);

/*
 * The whole job for one record without a judge: run, write, append the
 * provenance entry, count. Returns 0, or -1 with *kind and err.
 */
int prm_check_apply(struct prm_check *c, json_t *rec, const char **kind, struct sbuf *err) MUST_CHECK;

/* Count a finished record's replies into the figures (thread-safe). */
void prm_check_count(struct prm_check *c, const struct prm_check_result *res);

/* The figures as {replies, correct, undecided, judged} (new reference). */
json_t *prm_check_figures(const struct prm_check *c);

/*
 * Set *kind (a static reject kind) and append the message to err; returns
 * -1, so that readers of records can `return prm_fail(...)`.
 */
int prm_fail(const char **kind, const char *k, struct sbuf *err, const char *fmt, ...) PRINTF_LIKE(4, 5);

/* A gold answer as text: a string copied, a number printed; NULL otherwise (new). */
char *prm_gold_string(const json_t *v);

/*
 * A judge's verdict word (any case, surrounding spaces and punctuation
 * ignored): 1 for correct / equivalent / yes / true / 正确 / 对, 0 for
 * incorrect / not equivalent / no / false / 不正确 / 错误 / 错, -1 otherwise.
 */
int prm_judge_verdict(const char *word);

#endif
