/*
 * llm_engine.h — the client every LLM stage uses to ask OpenAI-compatible
 * servers for chat completions.
 *
 * One event-loop thread owns a libcurl multi handle and drives every
 * transfer (thousands at once, connections reused, HTTP/2 where the server
 * offers it over TLS). Any thread submits requests; they are queued and
 * the loop is woken. The loop spreads requests over the healthy endpoint
 * with the fewest in flight, keeps at most --concurrency in flight and
 * within --rpm / --tpm, and retries connection errors, timeouts, 408, 429,
 * 5xx and bodies that are not completions after a backoff (a not-before
 * time, never a sleep), honouring Retry-After. Other 4xx end the request
 * with the server's message. Answers go through the cache (llm_cache.h)
 * when one is configured.
 *
 * If the first answers show the configuration cannot work — every
 * endpoint unreachable, 401/403, 404 (unknown model or path) before any
 * success — the engine stops: llm_engine_fatal() returns one line naming
 * the endpoint and status, and every pending request ends with
 * LLM_ABORTED.
 *
 * The API key is read from the environment, sent as a Bearer token, and
 * never appears in messages, stats or the cache (a server message that
 * echoes it has it masked).
 */
#ifndef SMELT_LLM_ENGINE_H
#define SMELT_LLM_ENGINE_H

#include <jansson.h>

#include "hash.h"
#include "llm_options.h"
#include "sbuf.h"

enum llm_status {
	LLM_OK,         /* `response` is a chat completion */
	LLM_REJECTED,   /* the server refused the request (4xx other than 408/429) */
	LLM_FAILED,     /* no valid answer after --retries more attempts */
	LLM_CACHE_MISS, /* read-only cache without this answer: nothing was asked */
	LLM_ABORTED,    /* the engine stopped (see llm_engine_fatal) */
};

struct llm_result {
	enum llm_status status;
	json_t *response;    /* LLM_OK: the completion, borrowed for the callback (incref to keep) */
	int from_cache;
	int http_status;     /* of the last attempt; 0 if none answered */
	int attempts;        /* HTTP attempts made (0 for a cache hit) */
	const char *message; /* why it did not succeed (borrowed), NULL for LLM_OK */
};

/*
 * Called once per submitted request: on the engine thread, or on the
 * submitting thread itself for an answer found in the cache, a read-only
 * miss or an engine that has stopped. It may submit more requests, but
 * must not hold a lock that its own submit path takes.
 */
typedef void llm_done_fn(void *data, const struct llm_result *res);

struct llm_call {
	char *body;       /* chat-completion request JSON; stolen (freed by the engine) */
	size_t len;
	unsigned sample;  /* sample index: part of the cache key with the body */
	long max_tokens;  /* for the --tpm estimate; -1 if unknown */
	llm_done_fn *done;
	void *data;
};

struct llm_engine;

/*
 * Start an engine for `o` (read during the call only; endpoints and the
 * key are copied). Opens the cache if one is configured. Returns NULL
 * after error() if the cache cannot be opened, the key variable named by
 * --api-key-env is unset, or the loop cannot start.
 */
struct llm_engine *llm_engine_new(const struct llm_options *o);

/* Queue a request (thread-safe). The callback always comes, exactly once. */
void llm_engine_submit(struct llm_engine *e, struct llm_call *call);

/* The cache key of a request: XXH3-128 of the body and the sample index. */
struct hash128 llm_request_key(const char *body, size_t len, unsigned sample);

/* Stop: every pending request ends with LLM_ABORTED, later ones at once. */
void llm_engine_cancel(struct llm_engine *e);

/* NULL while the configuration works, else one line saying why not (borrowed). */
const char *llm_engine_fatal(struct llm_engine *e);

/* ", N in flight, N queued, N retries, N tokens, N cached" for the progress line. */
void llm_engine_progress(struct llm_engine *e, struct sbuf *line);

/* Requests, cache, retries by cause, latency, tokens, per endpoint (new reference). */
json_t *llm_engine_stats_json(struct llm_engine *e);

/*
 * Stop the loop and free everything. Requests still pending are dropped
 * without their callback: call it once every callback has come.
 */
void llm_engine_free(struct llm_engine *e);

#endif
