/*
 * llm_sampling.h — how K samples of one prompt are asked for: as one
 * request with n=K, or as K requests with n=1 and seeds seed+0..seed+K-1.
 *
 * --n-mode n always sends n=K, seeds always sends K requests, and auto
 * (the default) sends n=K until an endpoint answers with fewer choices or
 * refuses the request, then switches the whole run to seeded requests and
 * re-asks what is missing sample by sample. The switch happens once per
 * run and is counted (the "n_fallbacks" figure).
 *
 * Used by smelt-gen (gen/llm_gen.c) and smelt-mc (prm/mc_run.c): the state
 * lives in their run struct, is shared by every thread, and is updated
 * atomically, so the functions below may be called from any thread.
 */
#ifndef SMELT_LLM_SAMPLING_H
#define SMELT_LLM_SAMPLING_H

#include <stdint.h>

#include "core/sbuf.h"

enum llm_n_mode { LLM_N_AUTO, LLM_N_N, LLM_N_SEEDS };

struct llm_sampling {
	enum llm_n_mode mode; /* set before the run */
	int use_seeds;        /* auto fell back to seeds */
	uint64_t fallbacks;   /* 0 or 1: the switch happened */
};

/* "auto", "n", "seeds" -> mode; -1 if unknown. */
int llm_n_mode_parse(const char *s);

/* Whether `count` samples go as one request with n=count (else count seeded requests). */
int llm_sampling_use_n(struct llm_sampling *s, long count);

/*
 * An n=`asked` request was answered with `got` < asked choices. Returns 1
 * when the missing samples are to be asked one by one (auto: the run has
 * switched to seeds), or 0 when the request fails: the reject kind is
 * LLM_SAMPLING_TOO_FEW and `msg` says what came back.
 */
int llm_sampling_short(struct llm_sampling *s, long asked, long got, struct sbuf *msg);
#define LLM_SAMPLING_TOO_FEW "too_few_choices"

/*
 * The server refused (LLM_REJECTED) a request for `asked` samples.
 * Returns 1 when they are to be asked one by one instead (auto, asked > 1:
 * the endpoint may not support n > 1), 0 when the refusal stands.
 */
int llm_sampling_refused(struct llm_sampling *s, long asked);

#endif
