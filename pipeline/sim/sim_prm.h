/*
 * sim_prm.h — smelt-sim playing a process reward model, so that PRM
 * scoring, evaluation and Best-of-N run end to end without a GPU.
 *
 * A chat request is a PRM request when it has VisualPRM's shape: its
 * first user turn holds "### Solution Process:\n" (the question before
 * it, step 0 after it), every later user turn is one more step, and it
 * ends with a user turn. A /pooling request is one when its "input" is a
 * string holding Math-Shepherd's step tag "ки": the text before each tag
 * is one step (the first also holds the question).
 *
 * The steps are checked against the arithmetic problem in the question
 * (sim_arith_first_wrong): a step is "+" when it and every step before it
 * are right. P("+") = sigmoid(±1.5 + noise), the sign by that truth, the
 * noise roughly normal with standard deviation --prm-noise and a pure
 * function of the server seed and the request (and, for pooling, the
 * step). Without a problem in the question the truth is unknown and
 * P("+") = sigmoid(noise).
 *
 * Chat answers are one token: "+" or "-", whichever is likelier, with
 * logprobs {content: [{token, logprob, bytes, top_logprobs: [+, -]}]}
 * when the request asked for "logprobs". Pooling answers hold one row
 * [P("+"), P("-")] per tag: data: [{index: 0, object: "pooling", data:
 * [[p, 1 - p], …]}].
 */
#ifndef SMELT_SIM_PRM_H
#define SMELT_SIM_PRM_H

#include <jansson.h>
#include <stdint.h>

#include "core/sbuf.h"
#include "sim/sim_answer.h"
#include "sim/sim_config.h"
#include "sim/sim_request.h"

/* 1 and *p_plus set when `msgs` are a PRM request (above); key seeds the noise. */
int sim_prm_chat_match(const struct sim_messages *msgs, const struct sim_config *cfg, uint64_t key,
		       double *p_plus);

/*
 * One choice of a PRM chat answer: the label into `reply`, and the
 * logprobs object (new reference) when `want_logprobs`, else JSON null.
 */
json_t *sim_prm_choice(double p_plus, int want_logprobs, struct sbuf *reply);

/* Answer a /pooling request if it is a step-tag one: 1 (a filled), else 0. */
int sim_prm_pooling(json_t *root, const struct sim_config *cfg, struct sim_answer *a);

#endif
