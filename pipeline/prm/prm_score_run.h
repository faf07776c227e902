/*
 * prm_score_run.h — smelt-prm-score's work: for each solution record, ask
 * a process reward model for every step's P("+") through the LLM engine
 * (prm_score.h builds the requests and reads the answers) and write the
 * scores where smelt-prm-eval and smelt-bon read them.
 *
 * Input record: "question" (string; --question), the steps at --steps,
 * else "steps" (a list), else "response.steps" (VisualProcessBench's
 * shape), else "response" (a string, split as smelt-mc splits it), and
 * optional "images" (or "image": a string or a list), which the chat
 * backend sends as image parts of the first user turn.
 * Output: the record plus
 *
 *	step_scores  [P("+") of step 0, …]  (--into; null: no label token)
 *	provenance   one more entry
 *
 * chat sends one request per step, all at once (each is independent: the
 * earlier assistant turns are "+" whatever the model would say), and the
 * conversation of step t is a prefix of step t+1's, so a server's prefix
 * cache serves most of each prompt. pooling sends one request per record.
 */
#ifndef SMELT_PRM_SCORE_RUN_H
#define SMELT_PRM_SCORE_RUN_H

#include <jansson.h>
#include <stdint.h>

#include "llm/llm_prompt.h"
#include "prm/prm_score.h"
#include "prm/step_split.h"
#include "stage/llm_loop.h"
#include "stage/stage.h"

struct prm_score_run {
	/* set by the stage before prm_score_run_prepare */
	struct prm_score_opts opts;
	struct llm_setup llm;        /* params (model, --extra), images, engine; no prompt */
	const char *question;        /* path of the question (default "question") */
	const char *steps;           /* path of the steps; NULL: the defaults above */
	const char *into;            /* where the scores go (default "step_scores") */
	size_t max_steps;            /* splitting a "response" string */
	enum step_merge merge;

	/* set by prm_score_run_prepare */
	json_t *provenance;
	json_t *extra;               /* chat: logprobs fields under the user's --extra */
	struct llm_params req_params;
	/* figures, updated atomically */
	uint64_t solutions, steps_scored, unscored, requests;
};

void prm_score_run_prepare(struct prm_score_run *r);
void prm_score_run_release(struct prm_score_run *r);

/* The llm_loop callbacks; ctx is the struct prm_score_run. */
extern const struct llm_loop_ops prm_score_run_ops;

/* Add the "prm_score" figures to st->figures. */
void prm_score_run_figures(struct prm_score_run *r, struct stage *st);

#endif
