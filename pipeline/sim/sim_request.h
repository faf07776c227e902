/*
 * sim_request.h — reading the request bodies smelt-sim accepts: strict
 * JSON, its canonical form (compact, keys sorted: the identity of a
 * request for faults, repeats and replies), the served-model check, and
 * OpenAI `messages` with string content or content parts, image parts
 * checked as a vision server would. Failures fill an answer with the
 * OpenAI-style error a real server gives.
 */
#ifndef SMELT_SIM_REQUEST_H
#define SMELT_SIM_REQUEST_H

#include <jansson.h>
#include <stddef.h>

#include "sim/sim_answer.h"
#include "sim/sim_config.h"

struct sim_message {
	char *role;		/* new */
	char *text;		/* new: the text parts joined by "\n" */
	size_t images;		/* number of image parts */
};

struct sim_messages {
	struct sim_message *v;
	size_t n;
	size_t images;		/* over all messages */
};

/*
 * Parse a body that must be a JSON object. On success *root is a new
 * reference and *canonical a new string (length in *canonical_len).
 * Returns -1 with a 400 in a on failure.
 */
int sim_request_parse(const char *body, size_t len, json_t **root,
		      char **canonical, size_t *canonical_len, struct sim_answer *a);

/* 0 if the body's "model" is absent or the served one, else -1 with a 404. */
int sim_request_check_model(json_t *root, const struct sim_config *cfg, struct sim_answer *a);

/* Parse root["messages"] (borrowed). Returns -1 with a 400 in a on failure. */
int sim_messages_parse(json_t *root, const struct sim_config *cfg,
		       struct sim_messages *out, struct sim_answer *a);
void sim_messages_release(struct sim_messages *m);

/* Prompt tokens of the messages: text tokens plus 16 per image. */
long sim_messages_tokens(const struct sim_messages *m);

/*
 * Hash of root without the given keys (NULL-terminated list), serialised
 * canonically, mixed with seed: the identity of "the same request".
 */
uint64_t sim_request_hash_without(json_t *root, const char *const *drop, uint64_t seed);

#endif
