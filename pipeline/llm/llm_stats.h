/*
 * llm_stats.h — what the LLM engine counts: requests, cache hits, retries
 * by cause, outcomes, tokens and latency, for the whole run and per
 * endpoint, and how it shows them in --stats and on the progress line.
 *
 * Latency goes into a fixed log-scale histogram (5% wide buckets from
 * 0.1 ms to over an hour), so percentiles cost constant memory however
 * many requests a run makes; a reported percentile is within 2.5% of the
 * true value.
 *
 * Not thread-safe: the engine updates counts under its own lock.
 */
#ifndef SMELT_LLM_STATS_H
#define SMELT_LLM_STATS_H

#include <jansson.h>
#include <stdint.h>

#define LATENCY_BUCKETS 400

struct latency_hist {
	uint64_t n;
	double sum, max;
	uint64_t bucket[LATENCY_BUCKETS];
};

void latency_hist_add(struct latency_hist *h, double seconds);
/* The q-quantile (0 <= q <= 1) in seconds; 0 when empty. */
double latency_hist_quantile(const struct latency_hist *h, double q);

/* Why an attempt was retried (or, on the last attempt, failed). */
enum llm_cause {
	LLM_CAUSE_CONNECTION, /* refused, reset, DNS, dropped: no usable response */
	LLM_CAUSE_TIMEOUT,    /* no complete answer within --timeout */
	LLM_CAUSE_408,
	LLM_CAUSE_429,
	LLM_CAUSE_5XX,
	LLM_CAUSE_BAD_BODY,   /* 2xx, but not an answer its call accepts (bad JSON, no choices or data, cut short) */
	LLM_CAUSES
};

/* "connection", "timeout", "408", "429", "5xx", "bad_body". */
const char *llm_cause_name(enum llm_cause c);

struct llm_counts {
	uint64_t attempts;        /* HTTP requests sent */
	uint64_t ok;              /* valid completions received */
	uint64_t retries[LLM_CAUSES];
	uint64_t rejected;        /* non-retryable 4xx: the record was rejected */
	uint64_t failed;          /* gave up after --retries */
	uint64_t prompt_tokens, completion_tokens;
	struct latency_hist latency; /* successful attempts, request to full response */
};

uint64_t llm_counts_retries(const struct llm_counts *c);

/*
 * {"requests", "ok", "retries": {"total", <cause>...}, "rejected",
 * "failed", "tokens": {"prompt", "completion"}, "latency_seconds":
 * {"p50", "p90", "p99", "mean", "max"}}. Returns a new reference.
 */
json_t *llm_counts_json(const struct llm_counts *c);

#endif
