/*
 * score_http.h — requests to the routes a reward model is served on,
 * vLLM's POST /pooling and /classify, which live at the server root (the
 * endpoint URL without its /v1), beside the chat API the LLM engine
 * speaks.
 *
 * It exists because the engine (llm_engine.h) posts only to
 * <endpoint>/chat/completions and accepts only chat completions. It keeps
 * the engine's interface — struct llm_call in, struct llm_result to a
 * callback — and its behaviour where it matters for scoring: the same
 * --endpoint / --concurrency / --rpm / --tpm / --timeout / --retries / --cache options,
 * requests spread over the endpoint with the fewest in flight, retries of
 * connection errors, timeouts, 408, 429 (honouring Retry-After), 5xx and
 * bodies that are not an answer, with exponential backoff and jitter,
 * endpoints rested after repeated failures, a stop with one line when the
 * configuration cannot work (unreachable, 401/403/404 before any success),
 * and the response cache (llm_cache.h) keyed on the route and the body.
 * If the engine gains a route per call, this module can go.
 *
 * One thread drives a curl multi handle; submitters queue and wake it.
 * Thread-safe.
 */
#ifndef SMELT_SCORE_HTTP_H
#define SMELT_SCORE_HTTP_H

#include <jansson.h>

#include "hash.h"
#include "llm_engine.h"
#include "llm_options.h"
#include "sbuf.h"

struct score_http;

/*
 * A client for `o`'s endpoints, limits and cache (read during the call).
 * An endpoint "http://host:8000/v1" is asked at "http://host:8000/pooling";
 * one given without /v1 is taken as the root. Returns a new client, or
 * NULL after error() (cache cannot be opened, --api-key-env unset, no
 * thread).
 */
struct score_http *score_http_new(const struct llm_options *o);

/*
 * Queue `call` (its body is stolen) for `route` ("/pooling", "/classify",
 * a static string). An answer is LLM_OK when it is a JSON object with a
 * non-empty "data" list. The callback always comes, exactly once: on the
 * client's thread, or on the caller's for a cache hit, a read-only cache
 * miss or a stopped client.
 */
void score_http_submit(struct score_http *c, const char *route, struct llm_call *call);

/* The cache key of a request: XXH3-128 over the route, the body and the sample index. */
struct hash128 score_http_key(const char *route, const char *body, size_t len, unsigned sample);

/* Stop: pending requests end with LLM_ABORTED. */
void score_http_cancel(struct score_http *c);
/* NULL while the configuration works, else one line saying why not (borrowed). */
const char *score_http_fatal(struct score_http *c);
/* ", N in flight, N queued, N retries, N cached" */
void score_http_progress(struct score_http *c, struct sbuf *line);
/* Requests, cache, retries by cause, latency, per endpoint (new reference). */
json_t *score_http_stats_json(struct score_http *c);
/* Stop the thread and free; call once every callback has come. */
void score_http_free(struct score_http *c);

#endif
