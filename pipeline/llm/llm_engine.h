/*
 * llm_engine.h — the client every LLM stage uses to ask OpenAI-compatible
 * servers for chat completions, and vLLM servers for the other answers
 * they serve beside them (/pooling, /classify: a route per call).
 *
 * One event-loop thread owns a libcurl multi handle and drives every
 * transfer (thousands at once, connections reused, HTTP/2 where the server
 * offers it over TLS). Any thread submits requests; they are queued and
 * the loop is woken. The loop spreads requests over the healthy endpoint
 * with the fewest in flight, keeps at most --concurrency in flight and
 * within --rpm / --tpm, and retries connection errors, timeouts, 408, 429,
 * 5xx and bodies that are not answers after a backoff (a not-before
 * time, never a sleep), honouring Retry-After. Other 4xx end the request
 * with the server's message. Answers go through the cache (llm_cache.h)
 * when one is configured. Endpoints may also come from a file re-read as
 * it changes: servers started as their own cluster jobs list themselves
 * there, are health-checked before use and leave by removing their line
 * (llm_endpoints.h).
 *
 * If the first answers show the configuration cannot work — every
 * endpoint unreachable, 401/403, 404 (unknown model or route) before any
 * success — or an answer cannot be cached (LLM_CACHE_ERRORS_FATAL), the
 * engine stops: llm_engine_fatal() returns one line naming the endpoint
 * and status (or the cache segment and error), llm_engine_fatal_cause() says it was that and
 * not llm_engine_cancel(), and every pending request ends with
 * LLM_ABORTED.
 *
 * The engine is configured by struct llm_engine_config alone, so it knows
 * nothing of command lines: stage/llm_options.h turns the LLM options of a
 * stage into one.
 *
 * The API key is read from the environment, sent as a Bearer token, and
 * never appears in messages, stats or the cache (a server message that
 * echoes it has it masked, whatever its length). Credentials in an
 * endpoint URL (http://user:pass@host/v1) are sent but never shown: every
 * URL in a message or the stats goes through llm_url_redact.
 *
 * An answer is written to the cache before anything else is done with it,
 * so kill -9 costs at most what is in flight. A cache write that fails
 * stops the run (llm_engine_fatal, after what is in flight has landed)
 * unless the configuration says LLM_CACHE_ERRORS_WARN.
 */
#ifndef SMELT_LLM_ENGINE_H
#define SMELT_LLM_ENGINE_H

#include <jansson.h>

#include "core/hash.h"
#include "core/sbuf.h"
#include "llm/llm_cache.h"

#define LLM_DEFAULT_CONCURRENCY 64
#define LLM_DEFAULT_TIMEOUT 600.0
#define LLM_DEFAULT_RETRIES 8
/* Seconds a run with an endpoints file waits for a usable endpoint in it. */
#define LLM_DEFAULT_ENDPOINTS_WAIT 600.0

enum llm_status {
	LLM_OK,         /* `response` is an answer (a chat completion unless the call's accept hook says otherwise) */
	LLM_REJECTED,   /* the server refused the request (4xx other than 408/429) */
	LLM_FAILED,     /* no valid answer after --retries more attempts */
	LLM_CACHE_MISS, /* read-only cache without this answer: nothing was asked */
	LLM_ABORTED,    /* the engine stopped (see llm_engine_fatal) */
};

struct llm_result {
	enum llm_status status;
	json_t *response;    /* LLM_OK: the answer, borrowed for the callback (incref to keep) */
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

/*
 * Whether a 2xx body (parsed JSON) is an answer: 0, or -1 with a static
 * reason in *why. A body refused is retried like a malformed one.
 */
typedef int llm_accept_fn(const json_t *resp, const char **why);

/* A chat completion: "choices", a non-empty list of objects each with a "message" object. */
llm_accept_fn llm_accept_completion;
/* A pooling or classify answer: an object with a non-empty "data" list. */
llm_accept_fn llm_accept_data;

/* One request. Zero-initialise it: a field left 0/NULL takes its default. */
struct llm_call {
	char *body;       /* request JSON; stolen (freed by the engine) */
	size_t len;
	unsigned sample;  /* sample index: part of the cache key with the body */
	long max_tokens;  /* for the --tpm estimate; 0 when nothing is generated, -1 if unknown */
	/*
	 * Where to post. NULL: "/chat/completions" under the endpoint URL as
	 * given ("http://host:8000/v1" -> ".../v1/chat/completions"). Else a
	 * path starting with "/" under the server root, which is the endpoint
	 * URL without a trailing "/v1" — where vLLM serves "/pooling" and
	 * "/classify" ("http://host:8000/v1" -> "http://host:8000/pooling"; an
	 * endpoint given without /v1 is the root). Copied. A route other than
	 * the default is part of the cache key, and has its own counts in the
	 * stats.
	 */
	const char *route;
	llm_accept_fn *accept; /* NULL: llm_accept_completion */
	llm_done_fn *done;
	void *data;
};

struct llm_engine;

/* What a failed cache write does. */
enum llm_cache_errors {
	LLM_CACHE_ERRORS_FATAL, /* start nothing more; stop once in-flight answers land */
	LLM_CACHE_ERRORS_WARN,  /* warn once, go on, count (llm_engine_cache_write_errors) */
};

/* What an engine is started with; llm_engine_config_init gives the defaults. */
struct llm_engine_config {
	const char *const *endpoints; /* base URLs ending in /v1, no trailing '/' (borrowed) */
	size_t nendpoints;
	const char *endpoints_file;   /* more endpoints, one a line, re-read as it changes (llm_endpoints.h) */
	double endpoints_wait;        /* seconds to wait for a usable one of them; 0 = forever */
	const char *api_key_env;      /* variable holding the key; NULL: OPENAI_API_KEY */
	long concurrency;             /* requests in flight across endpoints */
	double rpm, tpm;              /* limits per minute; 0 = none */
	double timeout;               /* seconds per attempt */
	long retries;                 /* further attempts after the first */
	const char *cache_dir;        /* NULL: no cache, whatever cache_mode says */
	enum llm_cache_mode cache_mode;
	enum llm_cache_errors cache_errors;
};

/* No endpoint, no cache, the default limits. */
void llm_engine_config_init(struct llm_engine_config *c);

/*
 * Start an engine for `c` (read during the call only; endpoints and the
 * key are copied). Opens the cache if one is configured. Returns NULL
 * after error() if the cache cannot be opened, a key variable other than
 * OPENAI_API_KEY is named but unset, or the loop cannot start.
 */
struct llm_engine *llm_engine_new(const struct llm_engine_config *c);

/* Queue a request (thread-safe). The callback always comes, exactly once. */
void llm_engine_submit(struct llm_engine *e, struct llm_call *call);

/* The cache key of a chat request: XXH3-128 of the body and the sample index. */
struct hash128 llm_request_key(const char *body, size_t len, unsigned sample);

/*
 * The cache key of a request to `route` (NULL: the default, the same key
 * as llm_request_key). Any other route is hashed before the body, so the
 * same body on two routes has two keys.
 */
struct hash128 llm_request_key_route(const char *route, const char *body, size_t len, unsigned sample);

/*
 * The reject kind for a request that did not succeed: "request_rejected",
 * "request_failed", "cache_miss" or "aborted"; NULL for LLM_OK. Stages
 * reject the record with this kind and the result's message.
 */
const char *llm_status_reject_kind(enum llm_status status);

/* Stop: every pending request ends with LLM_ABORTED, later ones at once. */
void llm_engine_cancel(struct llm_engine *e);

/* Why the engine stopped, for a stage to decide what to say. */
enum llm_fatal {
	LLM_FATAL_NONE,      /* it has not stopped */
	LLM_FATAL_CANCELLED, /* llm_engine_cancel: the caller knows why */
	LLM_FATAL_UNUSABLE,  /* the configuration cannot work: llm_engine_fatal says why */
};

/* NULL while the configuration works, else one line saying why not (borrowed). */
const char *llm_engine_fatal(struct llm_engine *e);
enum llm_fatal llm_engine_fatal_cause(struct llm_engine *e);

/* ", N in flight, N queued, N retries, N tokens, N cached" for the progress line. */
void llm_engine_progress(struct llm_engine *e, struct sbuf *line);

/*
 * Requests, cache, retries by cause, latency, tokens, per endpoint (with
 * the state and health checks of those from the endpoints file, and the
 * file's own counts), and per route once a call named one (new reference).
 */
json_t *llm_engine_stats_json(struct llm_engine *e);

/*
 * Answers that could not be cached so far, with the first reason in *why
 * (borrowed from the engine; NULL when there is none).
 */
uint64_t llm_engine_cache_write_errors(struct llm_engine *e, const char **why);

/*
 * `len` bytes of text with the userinfo (user:password@) of every URL in
 * it removed: "http://u:p@host/v1" -> "http://host/v1". Everything that
 * shows an endpoint URL or text that may hold one uses it. Returns a new
 * string (free()).
 */
char *llm_url_redact(const char *s, size_t len);

/*
 * Stop the loop and free everything. Requests still pending are dropped
 * without their callback: call it once every callback has come.
 */
void llm_engine_free(struct llm_engine *e);

#endif
