/*
 * sim_fault.c — deciding and applying faults. Arrivals are counted per
 * hash of (route, canonical body) under one lock; the decision itself is
 * a pure function of (seed, body hash, arrival number, kind).
 */
#include "sim/sim_fault.h"

#include <string.h>

#include "sim/sim_answer.h"
#include "sim/sim_config.h"
#include "sim/sim_rng.h"

static const char *const fault_names[SIM_FAULT_KINDS] = {
	[SIM_FAULT_DROP] = "drop",
	[SIM_FAULT_STALL] = "stall",
	[SIM_FAULT_429] = "429",
	[SIM_FAULT_5XX] = "5xx",
	[SIM_FAULT_TRUNCATE] = "truncate",
	[SIM_FAULT_MALFORMED] = "malformed",
};

const char *sim_fault_name(enum sim_fault_kind k)
{
	return k < SIM_FAULT_KINDS ? fault_names[k] : "none";
}

void sim_faults_init(struct sim_faults *f, uint64_t seed, const double rate[SIM_FAULT_KINDS])
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
	f->seed = seed;
	memcpy(f->rate, rate, sizeof(f->rate));
}

void sim_faults_release(struct sim_faults *f)
{
	sim_table_release(&f->arrivals);
	pthread_mutex_destroy(&f->lock);
}

void sim_faults_reset(struct sim_faults *f)
{
	pthread_mutex_lock(&f->lock);
	sim_table_clear(&f->arrivals);
	pthread_mutex_unlock(&f->lock);
}

enum sim_fault_kind sim_faults_decide(struct sim_faults *f, int route,
				      const char *canonical, size_t len)
{
	struct hash128 key = hash128(canonical, len);
	uint64_t body, k;
	int any = 0;

	for (int i = 0; i < SIM_FAULT_KINDS; i++)
		any |= f->rate[i] > 0;
	if (!any)
		return SIM_FAULT_NONE;
	key.low ^= sim_mix64((uint64_t)route + 1);
	pthread_mutex_lock(&f->lock);
	k = sim_table_bump(&f->arrivals, key, 1);
	pthread_mutex_unlock(&f->lock);
	body = sim_mix2(f->seed, key.low ^ sim_mix64(key.high));
	for (int i = 0; i < SIM_FAULT_KINDS; i++)
		if (sim_unit2(sim_mix2(body, k), (uint64_t)i) < f->rate[i])
			return (enum sim_fault_kind)i;
	return SIM_FAULT_NONE;
}

void sim_fault_apply(struct sim_answer *a, enum sim_fault_kind kind,
		     const struct sim_config *cfg, uint64_t draw)
{
	static const int codes[] = { 500, 502, 503 };
	int code;

	switch (kind) {
	case SIM_FAULT_DROP:
		a->send = SIM_SEND_NOTHING;
		a->delay = 0;
		break;
	case SIM_FAULT_STALL:
		a->send = SIM_SEND_NOTHING;
		a->delay = cfg->stall_seconds;
		break;
	case SIM_FAULT_429:
		sim_answer_error(a, 429, "rate_limit_error", NULL, "rate_limit_exceeded",
				 "rate limit reached (simulated by smelt-sim)");
		a->retry_after = cfg->retry_after;
		a->delay = 0;
		break;
	case SIM_FAULT_5XX:
		code = codes[draw % ARRAY_SIZE(codes)];
		sim_answer_error(a, code, "server_error", NULL, NULL,
				 "server error %d (simulated by smelt-sim)", code);
		a->delay = 0;
		break;
	case SIM_FAULT_TRUNCATE:
		a->send = SIM_SEND_TRUNCATED;
		break;
	case SIM_FAULT_MALFORMED:
		/* A proper prefix of a JSON object plus '#' can never parse. */
		sbuf_setlen(&a->body, a->body.len / 2);
		sbuf_addstr(&a->body, "#malformed");
		break;
	case SIM_FAULT_NONE:
		return;
	}
	a->completion = 0;
	a->prompt_tokens = a->completion_tokens = 0;
}
