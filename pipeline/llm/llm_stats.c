/*
 * llm_stats.c — the latency histogram and the JSON form of the engine's
 * counts.
 */
#include "llm/llm_stats.h"

#include <math.h>

#define LATENCY_MIN 1e-4
#define LATENCY_RATIO 1.05

void latency_hist_add(struct latency_hist *h, double seconds)
{
	long b = 0;

	if (seconds > LATENCY_MIN)
		b = (long)(log(seconds / LATENCY_MIN) / log(LATENCY_RATIO)) + 1;
	if (b >= LATENCY_BUCKETS)
		b = LATENCY_BUCKETS - 1;
	if (b < 0)
		b = 0;
	h->bucket[b]++;
	h->n++;
	h->sum += seconds;
	if (seconds > h->max)
		h->max = seconds;
}

double latency_hist_quantile(const struct latency_hist *h, double q)
{
	uint64_t rank, seen = 0;

	if (!h->n)
		return 0;
	rank = (uint64_t)ceil(q * (double)h->n);
	if (rank < 1)
		rank = 1;
	for (int b = 0; b < LATENCY_BUCKETS; b++) {
		seen += h->bucket[b];
		if (seen >= rank) {
			double lo, hi, mid;
			if (b == 0)
				return fmin(LATENCY_MIN, h->max);
			lo = LATENCY_MIN * pow(LATENCY_RATIO, b - 1);
			hi = lo * LATENCY_RATIO;
			mid = sqrt(lo * hi);
			return fmin(mid, h->max);
		}
	}
	return h->max;
}

const char *llm_cause_name(enum llm_cause c)
{
	static const char *const names[LLM_CAUSES] = {
		"connection", "timeout", "408", "429", "5xx", "bad_body",
	};
	return (unsigned)c < LLM_CAUSES ? names[c] : "?";
}

uint64_t llm_counts_retries(const struct llm_counts *c)
{
	uint64_t n = 0;

	for (int i = 0; i < LLM_CAUSES; i++)
		n += c->retries[i];
	return n;
}

static json_t *rounded(double v)
{
	return json_real(round(v * 1e6) / 1e6);
}

json_t *llm_counts_json(const struct llm_counts *c)
{
	json_t *o = json_object(), *r = json_object(), *lat = json_object();

	json_object_set_new(o, "requests", json_integer((json_int_t)c->attempts));
	json_object_set_new(o, "ok", json_integer((json_int_t)c->ok));
	json_object_set_new(r, "total", json_integer((json_int_t)llm_counts_retries(c)));
	for (int i = 0; i < LLM_CAUSES; i++)
		json_object_set_new(r, llm_cause_name(i), json_integer((json_int_t)c->retries[i]));
	json_object_set_new(o, "retries", r);
	json_object_set_new(o, "rejected", json_integer((json_int_t)c->rejected));
	json_object_set_new(o, "failed", json_integer((json_int_t)c->failed));
	json_object_set_new(o, "tokens", json_pack("{s:I, s:I}",
						   "prompt", (json_int_t)c->prompt_tokens,
						   "completion", (json_int_t)c->completion_tokens));
	json_object_set_new(lat, "p50", rounded(latency_hist_quantile(&c->latency, 0.50)));
	json_object_set_new(lat, "p90", rounded(latency_hist_quantile(&c->latency, 0.90)));
	json_object_set_new(lat, "p99", rounded(latency_hist_quantile(&c->latency, 0.99)));
	json_object_set_new(lat, "mean", rounded(c->latency.n ? c->latency.sum / (double)c->latency.n : 0));
	json_object_set_new(lat, "max", rounded(c->latency.max));
	json_object_set_new(o, "latency_seconds", lat);
	return o;
}
