/*
 * score_http.c — the client behind score_http.h.
 *
 * Threads: submitters push requests on `incoming` under `mu` and call
 * curl_multi_wakeup; the loop thread owns the multi handle, the ready
 * queue, the retry list and the endpoints. Each turn it takes new
 * requests, moves retries whose time has come to the ready queue, starts
 * what --concurrency allows on the least-loaded endpoint that is not
 * resting, lets curl work (curl_multi_poll sleeps until a socket, the
 * wake-up or the next retry), and finishes completed transfers: answer,
 * retry with a not-before time, reject, or stop everything when the
 * configuration is known bad. Counters are read by other threads under
 * `mu`.
 */
#include "score_http.h"

#include <curl/curl.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json_write.h"
#include "llm_cache.h"
#include "llm_stats.h"

#define RESPONSE_MAX (64u << 20)
#define RETRY_BASE 0.1        /* seconds before the first retry */
#define RETRY_CAP 20.0
#define RETRY_AFTER_CAP 600.0
#define REST_FAILURES 8       /* failures in a row before an endpoint rests */
#define REST_FIRST 0.5
#define REST_CAP 60.0
#define UNREACHABLE_TRIES 3   /* refused connections, never answered, to give up */
#define POLL_MS_MAX 500

struct ep {
	char *root;
	int inflight, failures, rest_level, unreachable, ever_ok;
	double rested_until;
	uint64_t rests;
	char last_error[160];
	struct llm_counts counts;
};

struct req {
	struct req *next;
	const char *route;
	char *body;
	size_t len;
	struct hash128 key;
	llm_done_fn *done;
	void *data;
	int attempts, last_status;
	double not_before, t_start;
	struct ep *ep;
	CURL *h;
	struct sbuf resp;
	int too_large, queued;
	char errbuf[CURL_ERROR_SIZE];
	char *last_msg;
};

struct rq {
	struct req *head, *tail;
};

/* --rpm / --tpm: a budget refilled at `rate` per second, holding one second's worth. */
struct pace {
	double rate, level, last;
};

static void pace_init(struct pace *p, double per_minute, double now)
{
	p->rate = per_minute / 60.0;
	p->level = fmax(p->rate, 1);
	p->last = now;
}

/* Seconds until the budget reaches `need` (0: it has). */
static double pace_wait(struct pace *p, double need, double now)
{
	if (!p->rate)
		return 0;
	p->level = fmin(fmax(p->rate, 1), p->level + (now - p->last) * p->rate);
	p->last = now;
	return p->level >= need ? 0 : (need - p->level) / p->rate;
}

static void rq_push(struct rq *l, struct req *q)
{
	q->next = NULL;
	if (l->tail)
		l->tail->next = q;
	else
		l->head = q;
	l->tail = q;
}

static struct req *rq_pop(struct rq *l)
{
	struct req *q = l->head;

	if (q && !(l->head = q->next))
		l->tail = NULL;
	return q;
}

struct score_http {
	long concurrency, retries;
	double timeout;
	char *api_key;
	struct curl_slist *headers;
	struct ep *eps;
	size_t neps;
	struct llm_cache *cache;
	enum llm_cache_mode cache_mode;

	pthread_mutex_t mu;            /* guards the fields down to `counts` */
	struct rq incoming;
	size_t queued;                 /* incoming + ready + waiting to retry */
	int stopping, any_ok;
	char *fatal;
	struct llm_counts total;
	uint64_t submitted, cache_hits, cache_misses, cache_write_errors;
	long inflight;

	pthread_t thread;
	int started;
	CURLM *multi;
	struct rq ready;
	struct req *waiting;           /* retries, unsorted */
	struct pace rpm, tpm;
	struct req **running;          /* in flight, for aborting */
	size_t nrunning, running_alloc;
	uint64_t jitter;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_global(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static double jitter(struct score_http *c)
{
	c->jitter = c->jitter * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(c->jitter >> 11) / 9007199254740992.0;
}

struct hash128 score_http_key(const char *route, const char *body, size_t len, unsigned sample)
{
	struct hash128_state *st = hash128_state_new();
	struct hash128 h;

	hash128_state_update(st, route, strlen(route) + 1);
	hash128_state_update(st, body, len);
	hash128_state_update(st, &sample, sizeof(sample));
	h = hash128_state_digest(st);
	hash128_state_free(st);
	return h;
}

/* ---- finishing ----------------------------------------------------------- */

static void req_finish(struct score_http *c, struct req *q, enum llm_status status, json_t *resp,
		       int from_cache, const char *msg)
{
	struct llm_result r = {
		.status = status, .response = resp, .from_cache = from_cache,
		.http_status = q->last_status, .attempts = q->attempts, .message = msg,
	};

	if (q->queued) {
		pthread_mutex_lock(&c->mu);
		c->queued--;
		pthread_mutex_unlock(&c->mu);
	}
	q->done(q->data, &r);
	free(q->body);
	free(q->last_msg);
	sbuf_release(&q->resp);
	free(q);
}

static void set_fatal(struct score_http *c, char *msg)
{
	pthread_mutex_lock(&c->mu);
	if (!c->fatal)
		c->fatal = msg;
	else
		free(msg);
	pthread_mutex_unlock(&c->mu);
}

static void abort_everything(struct score_http *c, const char *why)
{
	struct req *q;

	while (c->nrunning) {
		q = c->running[--c->nrunning];
		curl_multi_remove_handle(c->multi, q->h);
		curl_easy_cleanup(q->h);
		q->ep->inflight--;
		pthread_mutex_lock(&c->mu);
		c->inflight--;
		pthread_mutex_unlock(&c->mu);
		req_finish(c, q, LLM_ABORTED, NULL, 0, why);
	}
	while ((q = rq_pop(&c->ready)))
		req_finish(c, q, LLM_ABORTED, NULL, 0, why);
	while ((q = c->waiting)) {
		c->waiting = q->next;
		req_finish(c, q, LLM_ABORTED, NULL, 0, why);
	}
}

/* The key never appears in a message: a server that echoes it gets it masked. */
static char *masked(const struct score_http *c, const char *s, size_t len)
{
	struct sbuf out = SBUF_INIT;
	size_t klen = c->api_key ? strlen(c->api_key) : 0;

	for (size_t i = 0; i < len; i++) {
		if (klen && i + klen <= len && !memcmp(s + i, c->api_key, klen)) {
			sbuf_addstr(&out, "***");
			i += klen - 1;
		} else if ((unsigned char)s[i] >= 0x20 || s[i] == '\t') {
			sbuf_addch(&out, s[i]);
		} else {
			sbuf_addch(&out, ' ');
		}
		if (out.len > 300) {
			sbuf_addstr(&out, "...");
			break;
		}
	}
	return sbuf_detach(&out, NULL);
}

/* "HTTP 404: <the server's error.message, message, detail or text>". */
static char *http_message(const struct score_http *c, long code, const struct sbuf *body)
{
	json_t *j = json_loadb(body->buf, body->len, 0, NULL), *err = json_object_get(j, "error");
	const char *m = json_string_value(json_object_get(err, "message"));
	char *text, *out;

	if (!m)
		m = json_string_value(err);
	if (!m)
		m = json_string_value(json_object_get(j, "message"));
	if (!m)
		m = json_string_value(json_object_get(j, "detail"));
	text = m ? masked(c, m, strlen(m)) : masked(c, body->buf, body->len);
	out = *text ? xasprintf("HTTP %ld: %s", code, text) : xasprintf("HTTP %ld", code);
	free(text);
	json_decref(j);
	return out;
}

static void endpoint_failure(struct score_http *c, struct ep *ep, const char *why, double t_start,
			     double now)
{
	double rest;

	snprintf(ep->last_error, sizeof(ep->last_error), "%s", why);
	/* failures of attempts sent before the last rest say nothing new */
	if (t_start < ep->rested_until || ++ep->failures < REST_FAILURES)
		return;
	rest = fmin(REST_FIRST * pow(2, ep->rest_level), REST_CAP) * (0.75 + 0.5 * jitter(c));
	ep->rested_until = now + rest;
	ep->rest_level++;
	ep->rests++;
	ep->failures = 0;
}

static void count(struct score_http *c, struct ep *ep, uint64_t *total_field, uint64_t *ep_field)
{
	pthread_mutex_lock(&c->mu);
	(*total_field)++;
	(*ep_field)++;
	pthread_mutex_unlock(&c->mu);
	(void)ep;
}

#define COUNT(c, ep, field) count((c), (ep), &(c)->total.field, &(ep)->counts.field)

/* Fatal if nothing ever answered and every endpoint refused `min` times running. */
static void check_reachable(struct score_http *c, int min)
{
	struct sbuf sb = SBUF_INIT;

	if (c->any_ok)
		return;
	for (size_t i = 0; i < c->neps; i++)
		if (c->eps[i].unreachable < min)
			return;
	sbuf_addstr(&sb, c->neps > 1 ? "cannot reach any endpoint:" : "cannot reach endpoint");
	for (size_t i = 0; i < c->neps; i++)
		sbuf_addf(&sb, "%s %s (%s)", i ? "," : "", c->eps[i].root, c->eps[i].last_error);
	set_fatal(c, sbuf_detach(&sb, NULL));
}

static void retry_later(struct score_http *c, struct req *q, enum llm_cause cause, char *msg,
			double retry_after, double now)
{
	free(q->last_msg);
	q->last_msg = msg;
	if (q->attempts > c->retries) {
		char *why = xasprintf("no answer after %d attempts: %s", q->attempts, msg);
		if (cause == LLM_CAUSE_CONNECTION)
			check_reachable(c, 1);
		COUNT(c, q->ep, failed);
		req_finish(c, q, LLM_FAILED, NULL, 0, why);
		free(why);
		return;
	}
	COUNT(c, q->ep, retries[cause]);
	if (retry_after >= 0)
		q->not_before = now + fmin(retry_after, RETRY_AFTER_CAP) * (1 + 0.1 * jitter(c));
	else
		q->not_before = now + fmin(RETRY_BASE * pow(2, q->attempts - 1), RETRY_CAP) *
					      (0.5 + jitter(c));
	q->next = c->waiting;
	c->waiting = q;
}

/* An answer: a JSON object with a non-empty "data" list. */
static json_t *parse_answer(const struct sbuf *body, const char **why)
{
	json_t *j = json_loadb(body->buf, body->len, 0, NULL);

	if (!json_is_object(j)) {
		*why = "response is not a JSON object";
	} else if (!json_array_size(json_object_get(j, "data"))) {
		*why = "response has no data";
	} else {
		return j;
	}
	json_decref(j);
	return NULL;
}

static void answered(struct score_http *c, struct req *q, json_t *resp, double now)
{
	struct ep *ep = q->ep;
	json_int_t pt = json_integer_value(json_object_get(json_object_get(resp, "usage"), "prompt_tokens"));

	ep->failures = ep->rest_level = ep->unreachable = 0;
	ep->ever_ok = 1;
	pthread_mutex_lock(&c->mu);
	c->any_ok = 1;
	c->total.ok++;
	ep->counts.ok++;
	c->total.prompt_tokens += (uint64_t)pt;
	ep->counts.prompt_tokens += (uint64_t)pt;
	latency_hist_add(&c->total.latency, now - q->t_start);
	latency_hist_add(&ep->counts.latency, now - q->t_start);
	pthread_mutex_unlock(&c->mu);
	if (c->cache && c->cache_mode != LLM_CACHE_RO) {
		struct sbuf v = SBUF_INIT;
		json_write(&v, resp);
		if (llm_cache_put(c->cache, q->key, v.buf, v.len) < 0) {
			pthread_mutex_lock(&c->mu);
			c->cache_write_errors++;
			pthread_mutex_unlock(&c->mu);
		}
		sbuf_release(&v);
	}
	req_finish(c, q, LLM_OK, resp, 0, NULL);
}

static void transfer_done(struct score_http *c, struct req *q, CURLcode rc)
{
	struct ep *ep = q->ep;
	long code = 0;
	curl_off_t retry_after = -1;
	double now = now_seconds();
	const char *why = NULL;
	json_t *resp;

	curl_easy_getinfo(q->h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(q->h, CURLINFO_RETRY_AFTER, &retry_after);
	curl_multi_remove_handle(c->multi, q->h);
	curl_easy_cleanup(q->h);
	q->h = NULL;
	ep->inflight--;
	pthread_mutex_lock(&c->mu);
	c->inflight--;
	pthread_mutex_unlock(&c->mu);
	q->last_status = (int)code;

	if (rc != CURLE_OK) {
		char *msg = masked(c, q->errbuf[0] ? q->errbuf : curl_easy_strerror(rc),
				   strlen(q->errbuf[0] ? q->errbuf : curl_easy_strerror(rc)));
		enum llm_cause cause = rc == CURLE_OPERATION_TIMEDOUT ? LLM_CAUSE_TIMEOUT :
				       rc == CURLE_PARTIAL_FILE && code / 100 == 2 ? LLM_CAUSE_BAD_BODY :
				       LLM_CAUSE_CONNECTION;
		if (q->too_large) {
			free(msg);
			COUNT(c, ep, failed);
			req_finish(c, q, LLM_FAILED, NULL, 0, "response larger than 64 MiB");
			return;
		}
		endpoint_failure(c, ep, msg, q->t_start, now);
		if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST) {
			if (!ep->ever_ok && ++ep->unreachable >= UNREACHABLE_TRIES)
				check_reachable(c, UNREACHABLE_TRIES);
		}
		retry_later(c, q, cause, msg, -1, now);
		return;
	}
	if (code / 100 == 2) {
		if ((resp = parse_answer(&q->resp, &why))) {
			answered(c, q, resp, now);
			json_decref(resp);
		} else {
			retry_later(c, q, LLM_CAUSE_BAD_BODY, xasprintf("HTTP %ld: %s", code, why), -1, now);
		}
		return;
	}
	if (code == 408 || code == 429 || code >= 500) {
		char *msg = http_message(c, code, &q->resp);
		if (code >= 500)
			endpoint_failure(c, ep, msg, q->t_start, now);
		retry_later(c, q, code == 408 ? LLM_CAUSE_408 : code == 429 ? LLM_CAUSE_429 : LLM_CAUSE_5XX,
			    msg, (double)retry_after, now);
		return;
	}
	{
		char *msg = http_message(c, code, &q->resp);
		pthread_mutex_lock(&c->mu);
		int any_ok = c->any_ok;
		pthread_mutex_unlock(&c->mu);
		if (!any_ok && (code == 401 || code == 403 || code == 404)) {
			/* the configuration is wrong, not this request: stop */
			set_fatal(c, xasprintf("endpoint %s%s: %s%s", ep->root, q->route, msg,
					       code == 404 ? " (does the server serve this route and model?)" :
					       " (check the API key)"));
			req_finish(c, q, LLM_ABORTED, NULL, 0, msg);
			free(msg);
			return;
		}
		COUNT(c, ep, rejected);
		req_finish(c, q, LLM_REJECTED, NULL, 0, msg);
		free(msg);
	}
}

/* ---- starting ------------------------------------------------------------ */

static size_t on_data(char *p, size_t size, size_t nmemb, void *data)
{
	struct req *q = data;
	size_t n = size * nmemb;

	if (q->resp.len + n > RESPONSE_MAX) {
		q->too_large = 1;
		return 0;
	}
	sbuf_add(&q->resp, p, n);
	return n;
}

/* The healthy endpoint with the fewest in flight; else when one wakes (*wait). */
static struct ep *pick_endpoint(struct score_http *c, double now, double *wait)
{
	struct ep *best = NULL;
	double soonest = INFINITY;

	for (size_t i = 0; i < c->neps; i++) {
		struct ep *ep = &c->eps[i];
		if (ep->rested_until > now) {
			soonest = fmin(soonest, ep->rested_until);
			continue;
		}
		if (!best || ep->inflight < best->inflight)
			best = ep;
	}
	if (!best)
		*wait = soonest - now;
	return best;
}

static void start(struct score_http *c, struct req *q, struct ep *ep, double now)
{
	char *url = xasprintf("%s%s", ep->root, q->route);
	CURL *h = curl_easy_init();

	if (!h)
		die("cannot create a curl handle");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->len);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, q);
	curl_easy_setopt(h, CURLOPT_PRIVATE, q);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, q->errbuf);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(c->timeout * 1000));
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(fmin(c->timeout, 30) * 1000));
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "smelt/" SMELT_VERSION);
	free(url);
	q->h = h;
	q->ep = ep;
	q->attempts++;
	q->t_start = now;
	q->too_large = 0;
	q->errbuf[0] = '\0';
	sbuf_reset(&q->resp);
	ep->inflight++;
	ALLOC_GROW(c->running, c->nrunning + 1, c->running_alloc);
	c->running[c->nrunning++] = q;
	pthread_mutex_lock(&c->mu);
	c->inflight++;
	c->total.attempts++;
	ep->counts.attempts++;
	pthread_mutex_unlock(&c->mu);
	if (curl_multi_add_handle(c->multi, h) != CURLM_OK)
		die("cannot add a transfer to the curl multi handle");
}

static void unlink_running(struct score_http *c, struct req *q)
{
	for (size_t i = 0; i < c->nrunning; i++)
		if (c->running[i] == q) {
			c->running[i] = c->running[--c->nrunning];
			return;
		}
}

/* Move due retries to the ready queue; return seconds to the next one (or INFINITY). */
static double due_retries(struct score_http *c, double now)
{
	struct req **pp = &c->waiting, *q;
	double next = INFINITY;

	while ((q = *pp)) {
		if (q->not_before <= now) {
			*pp = q->next;
			rq_push(&c->ready, q);
		} else {
			next = fmin(next, q->not_before - now);
			pp = &q->next;
		}
	}
	return next;
}

static void *loop_main(void *arg)
{
	struct score_http *c = arg;

	for (;;) {
		struct rq in;
		int stop, running;
		char *fatal;
		double now = now_seconds(), wait = POLL_MS_MAX / 1000.0, rest = INFINITY;
		CURLMsg *m;

		pthread_mutex_lock(&c->mu);
		in = c->incoming;
		c->incoming.head = c->incoming.tail = NULL;
		stop = c->stopping;
		fatal = c->fatal;
		pthread_mutex_unlock(&c->mu);
		if (in.head) {
			if (c->ready.tail)
				c->ready.tail->next = in.head;
			else
				c->ready.head = in.head;
			c->ready.tail = in.tail;
		}
		if (fatal)
			abort_everything(c, fatal);
		if (stop && !c->nrunning && !c->ready.head && !c->waiting)
			break;
		wait = fmin(wait, due_retries(c, now));
		while (c->ready.head && (long)c->nrunning < c->concurrency) {
			/* a request may overdraw --tpm, so it only waits for a budget above 0 */
			double paced = fmax(pace_wait(&c->rpm, 1, now), pace_wait(&c->tpm, 1e-9, now));
			struct ep *ep = paced > 0 ? NULL : pick_endpoint(c, now, &rest);
			if (paced > 0)
				rest = fmin(rest, paced);
			if (!ep)
				break;
			c->rpm.level -= 1;
			c->tpm.level -= (double)c->ready.head->len / 4;
			start(c, rq_pop(&c->ready), ep, now);
		}
		if (c->ready.head && (long)c->nrunning < c->concurrency)
			wait = fmin(wait, rest);
		curl_multi_perform(c->multi, &running);
		while ((m = curl_multi_info_read(c->multi, &running))) {
			struct req *q;
			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&q);
			unlink_running(c, q);
			transfer_done(c, q, m->data.result);
		}
		/* work waits while there is room and an endpoint: do not sleep */
		if (c->ready.head && (long)c->nrunning < c->concurrency && isinf(rest))
			wait = 0;
		curl_multi_poll(c->multi, NULL, 0, (int)fmax(0, fmin(wait * 1000, POLL_MS_MAX)), NULL);
	}
	return NULL;
}

/* ---- the public side ----------------------------------------------------- */

struct score_http *score_http_new(const struct llm_options *o)
{
	struct score_http *c;
	const char *key = getenv(o->api_key_env ? o->api_key_env : "OPENAI_API_KEY");

	if (o->api_key_env && strcmp(o->api_key_env, "OPENAI_API_KEY") && !key) {
		error("--api-key-env %s: the variable is not set", o->api_key_env);
		return NULL;
	}
	pthread_once(&curl_once, curl_global);
	c = xcalloc(1, sizeof(*c));
	c->concurrency = o->concurrency > 0 ? o->concurrency : LLM_DEFAULT_CONCURRENCY;
	c->retries = o->retries;
	c->timeout = o->timeout > 0 ? o->timeout : LLM_DEFAULT_TIMEOUT;
	c->jitter = (uint64_t)getpid() ^ (uint64_t)(now_seconds() * 1e9);
	pace_init(&c->rpm, o->rpm, now_seconds());
	pace_init(&c->tpm, o->tpm, now_seconds());
	pthread_mutex_init(&c->mu, NULL);
	c->neps = o->nendpoints;
	c->eps = xcalloc(c->neps ? c->neps : 1, sizeof(*c->eps));
	for (size_t i = 0; i < c->neps; i++) {
		char *root = xstrdup(o->endpoints[i]);
		size_t n = strlen(root);
		while (n && root[n - 1] == '/')
			root[--n] = '\0';
		if (n >= 3 && !strcmp(root + n - 3, "/v1"))
			root[n - 3] = '\0';
		c->eps[i].root = root;
	}
	if (key && *key) {
		char *auth = xasprintf("Authorization: Bearer %s", key);
		c->api_key = xstrdup(key);
		c->headers = curl_slist_append(c->headers, auth);
		memset(auth, 0, strlen(auth));
		free(auth);
	}
	c->headers = curl_slist_append(c->headers, "Content-Type: application/json");
	c->headers = curl_slist_append(c->headers, "Accept: application/json");
	c->headers = curl_slist_append(c->headers, "Expect:");
	c->cache_mode = o->cache_dir ? (enum llm_cache_mode)o->cache_mode : LLM_CACHE_OFF;
	if (c->cache_mode != LLM_CACHE_OFF && !(c->cache = llm_cache_open(o->cache_dir, c->cache_mode)))
		goto fail;
	if (!(c->multi = curl_multi_init())) {
		error("cannot set up the HTTP client");
		goto fail;
	}
	curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, c->concurrency + 16);
	if (pthread_create(&c->thread, NULL, loop_main, c)) {
		error("cannot start the HTTP client thread");
		goto fail;
	}
	c->started = 1;
	return c;
fail:
	score_http_free(c);
	return NULL;
}

void score_http_submit(struct score_http *c, const char *route, struct llm_call *call)
{
	struct req *q = xcalloc(1, sizeof(*q));
	const char *fatal;

	q->route = route;
	q->body = call->body;
	q->len = call->len;
	q->done = call->done;
	q->data = call->data;
	sbuf_init(&q->resp, 0);
	pthread_mutex_lock(&c->mu);
	c->submitted++;
	pthread_mutex_unlock(&c->mu);
	if (c->cache) {
		struct sbuf v = SBUF_INIT;
		json_t *resp = NULL;
		q->key = score_http_key(route, q->body, q->len, call->sample);
		if (llm_cache_get(c->cache, q->key, &v))
			resp = json_loadb(v.buf, v.len, 0, NULL);
		sbuf_release(&v);
		pthread_mutex_lock(&c->mu);
		if (resp)
			c->cache_hits++;
		else
			c->cache_misses++;
		pthread_mutex_unlock(&c->mu);
		if (resp || c->cache_mode == LLM_CACHE_RO) {
			req_finish(c, q, resp ? LLM_OK : LLM_CACHE_MISS, resp, resp != NULL,
				   resp ? NULL : "not in the read-only cache");
			json_decref(resp);
			return;
		}
	}
	pthread_mutex_lock(&c->mu);
	fatal = c->fatal;
	if (!fatal) {
		rq_push(&c->incoming, q);
		c->queued++;
		q->queued = 1;
	}
	pthread_mutex_unlock(&c->mu);
	if (fatal)
		req_finish(c, q, LLM_ABORTED, NULL, 0, fatal);
	else
		curl_multi_wakeup(c->multi);
}

void score_http_cancel(struct score_http *c)
{
	set_fatal(c, xstrdup("cancelled"));
	curl_multi_wakeup(c->multi);
}

const char *score_http_fatal(struct score_http *c)
{
	const char *f;

	pthread_mutex_lock(&c->mu);
	f = c->fatal;
	pthread_mutex_unlock(&c->mu);
	return f;
}

void score_http_progress(struct score_http *c, struct sbuf *line)
{
	pthread_mutex_lock(&c->mu);
	sbuf_addf(line, ", %ld in flight, %zu queued, %llu retries, %llu cached", c->inflight,
		  c->queued > (size_t)c->inflight ? c->queued - (size_t)c->inflight : 0,
		  (unsigned long long)llm_counts_retries(&c->total), (unsigned long long)c->cache_hits);
	pthread_mutex_unlock(&c->mu);
}

json_t *score_http_stats_json(struct score_http *c)
{
	json_t *o, *eps = json_array();

	pthread_mutex_lock(&c->mu);
	o = llm_counts_json(&c->total);
	json_object_set_new(o, "submitted", json_integer((json_int_t)c->submitted));
	json_object_set_new(o, "cache", json_pack("{s:s, s:I, s:I, s:I}", "mode",
						  llm_cache_mode_name(c->cache_mode),
						  "hits", (json_int_t)c->cache_hits,
						  "misses", (json_int_t)c->cache_misses,
						  "write_errors", (json_int_t)c->cache_write_errors));
	for (size_t i = 0; i < c->neps; i++) {
		json_t *e = llm_counts_json(&c->eps[i].counts);
		json_object_set_new(e, "url", json_string(c->eps[i].root));
		json_object_set_new(e, "rests", json_integer((json_int_t)c->eps[i].rests));
		json_array_append_new(eps, e);
	}
	pthread_mutex_unlock(&c->mu);
	json_object_set_new(o, "endpoints", eps);
	return o;
}

void score_http_free(struct score_http *c)
{
	if (!c)
		return;
	if (c->started) {
		pthread_mutex_lock(&c->mu);
		c->stopping = 1;
		pthread_mutex_unlock(&c->mu);
		curl_multi_wakeup(c->multi);
		pthread_join(c->thread, NULL);
	}
	if (c->multi)
		curl_multi_cleanup(c->multi);
	if (c->cache)
		llm_cache_close(c->cache);
	for (size_t i = 0; i < c->neps; i++)
		free(c->eps[i].root);
	free(c->eps);
	free(c->running);
	curl_slist_free_all(c->headers);
	if (c->api_key) {
		memset(c->api_key, 0, strlen(c->api_key));
		free(c->api_key);
	}
	free(c->fatal);
	pthread_mutex_destroy(&c->mu);
	free(c);
}
