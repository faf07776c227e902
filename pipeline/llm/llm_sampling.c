/*
 * llm_sampling.c — the n=K or K-seeded-requests decision and the one-way
 * switch of auto mode to seeds (see llm_sampling.h).
 */
#include "llm/llm_sampling.h"

#include <string.h>

int llm_n_mode_parse(const char *s)
{
	if (!strcmp(s, "auto"))
		return LLM_N_AUTO;
	if (!strcmp(s, "n"))
		return LLM_N_N;
	if (!strcmp(s, "seeds"))
		return LLM_N_SEEDS;
	return -1;
}

int llm_sampling_use_n(struct llm_sampling *s, long count)
{
	return count > 1 && (s->mode == LLM_N_N ||
			     (s->mode == LLM_N_AUTO && !__atomic_load_n(&s->use_seeds, __ATOMIC_RELAXED)));
}

static void fall_back(struct llm_sampling *s)
{
	if (!__atomic_exchange_n(&s->use_seeds, 1, __ATOMIC_RELAXED))
		__atomic_fetch_add(&s->fallbacks, 1, __ATOMIC_RELAXED);
}

int llm_sampling_short(struct llm_sampling *s, long asked, long got, struct sbuf *msg)
{
	if (s->mode == LLM_N_AUTO) {
		fall_back(s);
		return 1;
	}
	sbuf_addf(msg, "asked for n=%ld completions, got %ld (try --n-mode seeds)", asked, got);
	return 0;
}

int llm_sampling_refused(struct llm_sampling *s, long asked)
{
	if (asked <= 1 || s->mode != LLM_N_AUTO)
		return 0;
	fall_back(s);
	return 1;
}
