/*
 * llm_gen.h — smelt-gen's work: render a prompt per record, ask for K
 * samples, parse each reply (re-sampling replies that do not parse), and
 * write the results into a field, or one record per parsed item.
 *
 * K samples are one request with n=K (--n-mode n), K requests with seeds
 * seed+0..seed+K-1 (seeds), or n=K until an endpoint answers with fewer
 * choices or refuses n, then seeds (auto, the default). Re-sampling
 * sample i for the a-th time uses seed seed+i+a*K, so every request is
 * distinct, reproducible, and cached under its own key.
 */
#ifndef SMELT_LLM_GEN_H
#define SMELT_LLM_GEN_H

#include <jansson.h>

#include "llm/image_load.h"
#include "llm/llm_engine.h"
#include "stage/llm_loop.h"
#include "stage/llm_options.h"
#include "text/prompt_file.h"
#include "text/reply_parse.h"

enum llm_n_mode { LLM_N_AUTO, LLM_N_N, LLM_N_SEEDS };

struct llm_gen {
	/* set by the stage before llm_gen_prepare */
	const struct prompt_file *prompt;  /* borrowed */
	const struct reply_parser *parser; /* borrowed */
	const char *into;                  /* field path */
	long samples;                      /* K >= 1 */
	int explode;
	enum llm_n_mode n_mode;
	long reparse;                      /* re-samples allowed per sample */
	struct llm_params params;          /* merged CLI + front matter (borrowed) */
	struct image_load_opts images;
	struct llm_engine *engine;
	const char *stage_name;

	/* set by llm_gen_prepare */
	json_t *provenance;
	int use_seeds;                     /* auto mode fell back to seeds */
	uint64_t reparses, parse_errors, n_fallbacks, exploded;
};

/* Build the provenance entry; call once before running. */
void llm_gen_prepare(struct llm_gen *g);
void llm_gen_release(struct llm_gen *g);

/* The loop callbacks; ctx is the struct llm_gen. */
extern const struct llm_loop_ops llm_gen_ops;

/* "auto", "n", "seeds" -> mode; -1 if unknown. */
int llm_n_mode_parse(const char *s);

/* Add the gen figures ("gen": {...}) to st->figures. */
void llm_gen_figures(struct llm_gen *g, struct stage *st);

#endif
