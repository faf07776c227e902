/*
 * llm_params.h — the generation parameters of a request (model,
 * temperature, max_tokens, seed, n, stop, extra): what the command line
 * sets, what a prompt file's front matter defaults, and what goes into a
 * request body and a provenance entry.
 *
 * Lifecycle: llm_params_init, fill, llm_params_release. The struct owns
 * its strings and JSON values; merge and from_json copy what they take.
 */
#ifndef SMELT_LLM_PARAMS_H
#define SMELT_LLM_PARAMS_H

#include <jansson.h>

#include "core/sbuf.h"

/* Generation parameters: what goes into a request body. Unset ones are not sent. */
struct llm_params {
	char *model;               /* NULL: unset */
	double temperature, top_p; /* NAN: unset */
	long max_tokens;           /* -1: unset */
	long long seed;
	int has_seed;
	long n;                    /* 0: unset */
	json_t *stop;              /* NULL or an array of strings (owned) */
	json_t *extra;             /* NULL or an object merged into the body (owned) */
};

void llm_params_init(struct llm_params *p);
void llm_params_release(struct llm_params *p);
/* Fill what is unset in `p` from `defaults` (copies). */
void llm_params_merge(struct llm_params *p, const struct llm_params *defaults);
/*
 * Read defaults from an object such as a prompt file's front matter:
 * model, temperature, top_p, max_tokens, seed, n, stop (string or list),
 * extra (object). Unknown keys are ignored. Returns 0, or -1 with a
 * message in `err` naming the bad key.
 */
int llm_params_from_json(struct llm_params *p, const json_t *obj, struct sbuf *err);
/* The parameters as an object for provenance (new reference). */
json_t *llm_params_json(const struct llm_params *p);

#endif
