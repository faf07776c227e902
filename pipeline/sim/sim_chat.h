/*
 * sim_chat.h — POST /v1/chat/completions as vLLM answers it: n choices,
 * seed, max_tokens, stop, image parts, and continuation of a final
 * assistant message (continue_final_message + add_generation_prompt
 * false: the reply is only the continuation).
 *
 * The n/seed rule: choice i of a request with seed s (absent = 0) is the
 * reply a request identical but for n and seed would get as choice 0 with
 * seed s + i. So one request with n = k equals k requests with n = 1 and
 * seeds s, s+1, ..., s+k-1. max_tokens and stop only cut that reply.
 */
#ifndef SMELT_SIM_CHAT_H
#define SMELT_SIM_CHAT_H

#include <jansson.h>

#include "sim/sim_answer.h"
#include "sim/sim_config.h"

/*
 * Fill a with the completion for the parsed body root (borrowed), or with
 * a 400 when a field is invalid. canonical is the body's canonical form.
 * On success the answer carries its token counts and a latency of
 * per_token_ms times the longest choice.
 */
void sim_chat_answer(json_t *root, const char *canonical, size_t canonical_len,
		     const struct sim_config *cfg, struct sim_answer *a);

#endif
