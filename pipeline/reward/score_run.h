/*
 * score_run.h — smelt-score's work: for each record, the units to score
 * (the conversation, or each assistant turn with what came before), one
 * request per unit to a reward model (/pooling, /classify) or an LLM judge
 * (chat completions with a prompt from prompts/reward/), the score read
 * from each answer, and the record written with scores.NAME (the
 * aggregate over turns when there are several) and, per turn,
 * scores.NAME_turns. The field backend reads a score already in the
 * record and asks nothing.
 *
 * The LLM backends run on the ordered job window of llm_loop.h; every
 * request goes through the LLM engine: the reward backends on its
 * /pooling and /classify routes, the judge as chat completions.
 */
#ifndef SMELT_SCORE_RUN_H
#define SMELT_SCORE_RUN_H

#include <jansson.h>
#include <stdint.h>

#include "llm/llm_prompt.h"
#include "reward/score_request.h"
#include "stage/llm_loop.h"
#include "stage/stage.h"

struct score_config {
	/* set by the stage before score_prepare */
	enum score_backend backend;
	const char *name;                  /* scores.NAME */
	enum score_target target;
	enum score_agg agg;
	long index;                        /* pooling: element of a vector answer */
	long label;                        /* classify: class whose probability (or logit) is the score */
	int raw;                           /* classify: ask for logits ("activation": false) */
	const char *field;                 /* field: where the score already is */
	struct llm_setup llm;              /* prompt and parser for judge; params, images, engine */

	/* set by score_prepare */
	char *score_path, *turns_path;
	json_t *provenance;
	uint64_t units, failed_units;
};

/* Build the output paths and the provenance entry; call once before running. */
void score_prepare(struct score_config *c);
void score_release(struct score_config *c);

/* The loop callbacks of the LLM backends; ctx is the struct score_config. */
extern const struct llm_loop_ops score_ops;

/* Run the field backend over the stage's inputs. Returns 0 or -1 (fatal). */
int score_run_field(struct stage *st, struct score_config *c) MUST_CHECK;

/* Add "score": {...} to st->figures. */
void score_figures(const struct score_config *c, struct stage *st);

#endif
