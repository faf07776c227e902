/*
 * llm_gen.h — smelt-gen's work: render a prompt per record, ask for K
 * samples, parse each reply (re-sampling replies that do not parse), and
 * write the results into a field, or one record per parsed item.
 *
 * K samples are one request with n=K or K seeded requests, as
 * llm_sampling.h decides (--n-mode). Re-sampling
 * sample i for the a-th time uses seed seed+i+a*K, so every request is
 * distinct, reproducible, and cached under its own key.
 */
#ifndef SMELT_LLM_GEN_H
#define SMELT_LLM_GEN_H

#include <jansson.h>

#include "llm/llm_prompt.h"
#include "llm/llm_sampling.h"
#include "stage/llm_loop.h"

struct llm_gen {
	/* set by the stage before llm_gen_prepare */
	struct llm_setup llm;              /* prompt, parser, params, images, engine */
	const char *into;                  /* field path */
	long samples;                      /* K >= 1 */
	int explode;
	struct llm_sampling sampling;      /* .mode set by the stage */
	long reparse;                      /* re-samples allowed per sample */

	/* set by llm_gen_prepare */
	json_t *provenance;
	uint64_t reparses, parse_errors, exploded;
};

/* Build the provenance entry; call once before running. */
void llm_gen_prepare(struct llm_gen *g);
void llm_gen_release(struct llm_gen *g);

/* The loop callbacks; ctx is the struct llm_gen. */
extern const struct llm_loop_ops llm_gen_ops;

/* Add the gen figures ("gen": {...}) to st->figures. */
void llm_gen_figures(struct llm_gen *g, struct stage *st);

#endif
