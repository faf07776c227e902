/*
 * condor_refine.h — Condor's self-reflection loop: an answer, its
 * critique, a refined answer written from that critique, and optionally
 * more rounds (critique the refined answer, refine again) until the
 * critique finds no weakness or --rounds refinements were made.
 *
 * Records come in with `question`, `answer` and `critique` (the parsed
 * critique of `answer`, an object keyed by the critique's block words, as
 * the critique stage writes it). Each round renders the refine prompt
 * over the record with `answer` and `critique` set to the round's answer
 * and critique, and (before the next round) the critique prompt with
 * `answer` set to the new answer. Out go the same records with:
 *
 *	into (default "refined")  the final answer: the last refinement, or
 *	                          `answer` itself when the first critique
 *	                          found no weakness
 *	rounds     [{critique, refined?}, ...]: every round's critique and
 *	           the answer written from it (none after a "no weakness"
 *	           unless `always`)
 *	refine_rounds  how many refinements were made (0..R; R with `always`)
 *	refine_stop    "no_weakness" or "max_rounds"
 *
 * A critique "finds no weakness" when its weakness block (a key from the
 * list given to condor_refine_add_none, e.g. "Weakness"/"缺点") holds
 * the none word ("None"/"无"), case and trailing punctuation aside.
 *
 * A reply that does not parse is re-sampled (seed + attempt) up to
 * `reparse` times; then the record is rejected with the raw reply
 * (kind parse_error), as are failed requests.
 */
#ifndef SMELT_CONDOR_REFINE_H
#define SMELT_CONDOR_REFINE_H

#include <jansson.h>
#include <stdint.h>

#include "llm/llm_prompt.h"
#include "stage/llm_loop.h"
#include "stage/stage.h"

#define CONDOR_REJECT_BAD_CRITIQUE "bad_critique"

struct condor_none {
	char *key, *word;
};

struct condor_refine {
	/* set by the stage before condor_refine_prepare (all borrowed) */
	struct llm_setup llm;                       /* the refine prompt, parser, params; images, engine */
	const struct llm_prompt *critique;          /* NULL when rounds == 1 */
	long rounds;                                /* >= 1 */
	long reparse;
	const char *into;
	int always;                                 /* refine whatever the critique says */

	/* owned */
	struct condor_none *nones;
	size_t nr_nones, alloc_nones;
	json_t *provenance;
	uint64_t refinements, critiques, reparses, parse_errors;
	uint64_t stop_no_weakness, stop_max_rounds;
	uint64_t no_weakness_seen;                  /* critiques without weakness, either policy */
	uint64_t *by_rounds; /* records by refinements made, 0..rounds */
};

void condor_refine_init(struct condor_refine *r);
void condor_refine_release(struct condor_refine *r);

/* `key` holding exactly `word` means "no weakness" (copied). */
void condor_refine_add_none(struct condor_refine *r, const char *key, const char *word);

/*
 * Add the (weakness word, none word) pair of every language in a
 * markers document (knowledge_tree/markers.json: {lang: {words:
 * {weakness}, none}}), borrowed. Returns how many were added.
 */
size_t condor_refine_add_markers(struct condor_refine *r, const json_t *markers);

/* Build the provenance entry; call once every field above is set. */
void condor_refine_prepare(struct condor_refine *r);

/* The loop callbacks; ctx is the struct condor_refine. */
extern const struct llm_loop_ops condor_refine_ops;

/* Add "refine": {...} to st->figures. */
void condor_refine_figures(const struct condor_refine *r, struct stage *st);

/* 1 if the critique object `c` (borrowed) says there is no weakness. */
int condor_refine_no_weakness(const struct condor_refine *r, const json_t *c);

#endif
