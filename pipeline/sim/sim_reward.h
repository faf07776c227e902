/*
 * sim_reward.h — a stand-in reward model behind vLLM's POST /pooling and
 * POST /classify. The score of a conversation is
 *
 *   score = base + penalties + noise
 *   base  = 1.0, + 0.5 if the answer has >= 40 tokens, - 1.0 if the
 *           conversation has image parts (so groups differ in level)
 *   -4.0  the answer is empty or whitespace
 *   -2.5  the answer is unrelated: the question has >= 3 features
 *         (keywords, CJK bigrams) and < 20% of them occur in the answer
 *   -1.5  the answer looks truncated (ends in a letter, an ideograph, a
 *         comma, semicolon or hyphen)
 *   -3.0  (messages form) the number of "<image>" placeholders differs
 *         from the number of image parts
 *   noise = uniform in [-0.25, 0.25), a function of the server seed and
 *           the canonical conversation
 *
 * The answer is the last assistant message (the last message when there
 * is none); the question is every user message. An `input` string is all
 * answer, with no question and no image check.
 */
#ifndef SMELT_SIM_REWARD_H
#define SMELT_SIM_REWARD_H

#include <jansson.h>
#include <stdint.h>

#include "sim/sim_answer.h"
#include "sim/sim_config.h"

/* Score `question`/`answer` (see above); key seeds the noise. */
double sim_reward_score(const char *question, const char *answer, long placeholders_off_by,
			size_t images, uint64_t key);

/* Answer a /pooling or /classify request (root borrowed). */
void sim_reward_pooling(json_t *root, const struct sim_config *cfg, struct sim_answer *a);
void sim_reward_classify(json_t *root, const struct sim_config *cfg, struct sim_answer *a);

#endif
