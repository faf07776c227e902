/*
 * llm_endpoints.h — the engine's endpoints: which server a request goes
 * to, when a failing one rests, and the endpoints file that adds and
 * drops servers while a run goes on.
 *
 * Endpoints given on the command line are used at once and only ever
 * rested (REST_AFTER failures in a row, then a doubling pause). Endpoints
 * read from an endpoints file (one base URL per line) come and go with
 * its lines: the file is polled (inode, size, mtime) about once a second
 * from the engine's loop, a new line is health-checked (GET /health at
 * the server root, else GET /models under the URL) before it gets any
 * request, a failing one rests and is checked again before it gets more,
 * and a line removed stops new requests to its server while those in
 * flight finish or fail and are retried on the others. With no usable
 * endpoint the engine waits (requests stay queued) up to a limit, saying
 * so once, and then stops the run.
 *
 * Endpoints are never freed before the set: a request in flight keeps a
 * pointer to its endpoint, and a removed one keeps its counts for --stats.
 * Everything here runs on the engine's loop thread; what --stats and the
 * progress line read is changed under the engine's stats lock (`lock`).
 */
#ifndef SMELT_LLM_ENDPOINTS_H
#define SMELT_LLM_ENDPOINTS_H

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/sbuf.h"
#include "llm/llm_stats.h"

enum llm_endpoint_state {
	LLM_EP_UP,       /* gets requests (unless resting: rested_until) */
	LLM_EP_CHECKING, /* from the file: waits for a health check to pass */
	LLM_EP_REMOVED,  /* its line is gone: nothing new goes to it */
};

struct llm_endpoint {
	/*
	 * given and root carry what was given, credentials included; base
	 * and shown_root, without user:password@, are what messages and
	 * stats show
	 */
	char *given;        /* the base URL as given: the endpoint's identity */
	char *base;         /* as shown */
	char *url;          /* its /chat/completions */
	char *root;         /* the server root other routes hang from (base without /v1) */
	char *shown_root;
	int from_file;
	enum llm_endpoint_state state;
	int inflight;
	int failures;       /* consecutive connection/timeout/5xx outcomes */
	int rest_level;
	double rested_until; /* UP: no requests before; CHECKING: next health check */
	int unreachable;    /* consecutive connect failures while never answered */
	int ever_ok;
	uint64_t rests, health_checks;
	char last_error[160];
	struct llm_counts counts;
	/* the health check in flight (from the file only) */
	CURL *probe;
	int probe_models;   /* this check asks /models: /health was refused */
	char probe_error[CURL_ERROR_SIZE];
};

struct llm_endpoints {
	struct llm_endpoint **v;
	size_t n, alloc;
	size_t rr;          /* where the next pick starts looking */
	pthread_mutex_t *lock;
	uint64_t rng;

	/* the endpoints file, when one is watched */
	char *path;
	double wait_limit;  /* seconds without a usable endpoint before giving up; 0 = forever */
	double timeout;     /* seconds a health check may take */
	const struct curl_slist *headers;
	double next_poll;
	int file_state;     /* 0 not read yet, 1 read, -1 missing */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	char *bad_lines;    /* the bad lines of the last read, to warn about each once */
	uint64_t reads, nbad;
	double waiting_since; /* < 0: not waiting */
	int warned_waiting;
	double waited;      /* seconds spent waiting for an endpoint so far */
	long shown_up, shown_listed; /* for the progress line, under lock */
};

/* An empty set; `lock` guards what --stats reads. */
void llm_endpoints_init(struct llm_endpoints *s, pthread_mutex_t *lock, uint64_t seed);

/* Add an endpoint given on the command line: up at once. */
void llm_endpoints_add(struct llm_endpoints *s, const char *url);

/*
 * Watch `path` (copied): its lines become endpoints on the first
 * llm_endpoints_tick. Health checks send `headers` (borrowed) and take at
 * most `timeout` seconds; `wait_limit` as above.
 */
void llm_endpoints_watch(struct llm_endpoints *s, const char *path, double wait_limit,
			 double timeout, const struct curl_slist *headers);

/*
 * A base URL trimmed of spaces and trailing '/' (a new string in *out),
 * checked to be http:// or https://. Returns 0, 1 when it is empty, -1
 * when it is not such a URL (*out is then NULL).
 */
int llm_endpoint_url_clean(const char *s, size_t len, char **out);

/*
 * One turn of the loop: re-read the file if it changed, start the health
 * checks that are due (on `multi`), and keep the clock of a wait for an
 * endpoint while `work_waiting`. Returns seconds until it wants its next
 * turn; sets *fatal (a new string) when the wait ran out.
 */
double llm_endpoints_tick(struct llm_endpoints *s, CURLM *multi, double now, int work_waiting,
			  char **fatal);

/* If `h` is one of our health checks: finish it, return 1. Else 0. */
int llm_endpoints_probe_done(struct llm_endpoints *s, CURLM *multi, CURL *h, CURLcode rc,
			     double now);

/*
 * The usable endpoint with the fewest requests in flight, or NULL with
 * *wait set to the seconds until one stops resting (INFINITY if none will
 * by itself).
 */
struct llm_endpoint *llm_endpoints_pick(struct llm_endpoints *s, double now, double *wait);

/*
 * Count a failed attempt that started at `t_start`. Attempts already in
 * flight when the endpoint was last rested say nothing new. An endpoint
 * from the file rests at once when its server refuses connections, and
 * is checked again before it gets more.
 */
void llm_endpoint_failed(struct llm_endpoints *s, struct llm_endpoint *ep, const char *why,
			 double t_start, double now, int refused);
void llm_endpoint_ok(struct llm_endpoint *ep);

/* Add "<url>": counts, rests, and for file endpoints state and checks, to `per`. Caller holds lock. */
void llm_endpoints_stats(const struct llm_endpoints *s, json_t *per);
/* {"path", "reads", "bad_lines", "listed", "up", "waited_seconds"}, or NULL without a file. Caller holds lock. */
json_t *llm_endpoints_file_stats(const struct llm_endpoints *s);
/* ", N of M endpoints up" with a file. Caller holds lock. */
void llm_endpoints_progress(const struct llm_endpoints *s, struct sbuf *line);

/* Drop health checks in flight (from `multi`) and free every endpoint. */
void llm_endpoints_release(struct llm_endpoints *s, CURLM *multi);

#endif
