/*
 * sim_behave.h — what smelt-sim "says": the reply text of one choice of a
 * chat completion. The behaviour is chosen from the prompt's text (Condor
 * markers, a tree-growth request, an arithmetic problem of its own making,
 * else a generic answer); every draw comes from a random stream seeded by
 * (content hash of the request, choice seed), so a reply is a pure
 * function of the request body without n, seed, max_tokens,
 * max_completion_tokens and stop (those only pick or cut choices), the
 * server seed, and the choice's seed (request seed + choice index).
 */
#ifndef SMELT_SIM_BEHAVE_H
#define SMELT_SIM_BEHAVE_H

#include <stdint.h>

#include "core/sbuf.h"
#include "sim/sim_config.h"
#include "sim/sim_request.h"

struct sim_prompt {
	const struct sim_messages *msgs;
	int continuation;	/* the last message is an assistant prefix to continue */
	uint64_t content;	/* sim_request_hash_without(body, {n, seed, ...}, server seed) */
	const struct sim_config *cfg;
};

/* Append the reply of the choice whose seed is `seed` to out. */
void sim_behave_reply(const struct sim_prompt *p, int64_t seed, struct sbuf *out);

/* Text of every message joined by "\n" (new string). */
char *sim_prompt_all_text(const struct sim_prompt *p);
/* The last user message's text, or "" (borrowed). */
const char *sim_prompt_last_user(const struct sim_prompt *p);
/* The assistant prefix being continued, or NULL (borrowed). */
const char *sim_prompt_prefix(const struct sim_prompt *p);

#endif
