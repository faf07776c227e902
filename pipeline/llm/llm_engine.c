/*
 * llm_engine.c — the event loop behind llm_engine.h.
 *
 * Threads: submitters append to `incoming` under `qlock` and poke an
 * eventfd; the loop thread owns everything else (the multi handle, the
 * ready queue, the retry heap, endpoints, rate buckets). Counters are
 * shared with the progress line and --stats under `slock`.
 *
 * The loop is libcurl's socket interface over epoll: curl tells us which
 * sockets to watch (sock_cb) and when to call it back (timer_cb), so each
 * wake-up touches only the transfers with activity, however many are in
 * flight. Each turn: take new requests, start what the limits allow, wait
 * for sockets / the curl timer / the next retry or rate-limit time, let
 * curl work, and finish completed transfers (validate, count, cache,
 * call back, or schedule the retry with a not-before time).
 *
 * A request names its route; every route shares the endpoints, limits,
 * retries and cache, so a stage asking /pooling behaves exactly as one
 * asking /chat/completions. Routes are interned on first use (a short
 * list: a run uses one or two) and hold their own counts.
 */
#include "llm/llm_engine.h"

#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/hash.h"
#include "json/json_write.h"
#include "llm/llm_cache.h"
#include "llm/llm_endpoints.h"
#include "llm/llm_stats.h"

#define MAX_RESPONSE (64u << 20)
#define BACKOFF_BASE 0.1
#define BACKOFF_MAX 20.0
#define RETRY_AFTER_MAX 600.0
#define UNREACHABLE_AFTER 3   /* connect failures, before any success, to call it unreachable */
#define UNCHARGED_MAX 16      /* attempts a request may lose to departed servers for free */
#define MAX_EVENTS 256
#define MESSAGE_MAX 300

/* A route requests were posted to; never freed before the engine. */
struct route {
	struct route *next;
	char *path;         /* NULL: chat completions under the endpoint */
	struct llm_counts counts;
};

struct xfer {
	struct xfer *next;
	struct xfer *iprev, *inext; /* the in-flight list */
	struct route *route;
	llm_accept_fn *accept;
	char *body;
	size_t len;
	struct hash128 key;
	unsigned sample;
	double est_tokens;
	llm_done_fn *done;
	void *data;
	int attempts;
	int uncharged;      /* attempts lost to a server that left: not counted against --retries */
	double not_before, t_start;
	struct llm_endpoint *ep;
	CURL *easy;
	struct sbuf resp;
	int too_large;
	char errbuf[CURL_ERROR_SIZE];
	int last_status;
	char *last_msg;
};

struct xqueue {
	struct xfer *head, *tail;
	size_t n;
};

struct bucket {
	double rate, cap, level, last; /* rate per second; rate 0 = no limit */
};

struct llm_engine {
	/* set at start, read-only after */
	long concurrency, retries;
	double timeout;
	char *api_key;
	struct curl_slist *headers;
	struct llm_cache *cache;
	enum llm_cache_mode cache_mode;
	enum llm_cache_errors cache_errors;
	char *cache_dir;

	/* shared with submitters */
	pthread_mutex_t qlock;
	struct xqueue incoming;
	int wake_pending, stopping;
	char *fatal;
	enum llm_fatal fatal_cause;
	int efd;

	/* the loop thread's own */
	pthread_t thread;
	int epfd;
	CURLM *multi;
	double timer_deadline; /* < 0: no curl timer */
	struct llm_endpoints eps; /* the list grows under slock */
	struct xqueue ready;
	struct xfer **heap;    /* retries by not_before */
	size_t nheap, heap_alloc;
	CURL **easy_pool;
	size_t npool, pool_alloc;
	long inflight;
	struct xfer *inflight_head;
	int any_ok;
	int cache_failed;      /* a put failed: warned (warn), or start nothing more (fatal) */
	uint64_t rng;
	struct bucket rpm, tpm;

	/* counters, under slock */
	pthread_mutex_t slock;
	struct route *routes;  /* those asked, in order of first use */
	struct llm_counts total;
	uint64_t cache_hits, cache_misses;
	uint64_t submitted, completed, peak_inflight;
	long shown_inflight, shown_queued;
};

/* ---- small helpers ------------------------------------------------------ */

static double rand_unit(struct llm_engine *e)
{
	/* xorshift64*: jitter only, never for anything that must be reproducible */
	e->rng ^= e->rng >> 12;
	e->rng ^= e->rng << 25;
	e->rng ^= e->rng >> 27;
	return (double)((e->rng * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

static void xq_push(struct xqueue *q, struct xfer *x)
{
	x->next = NULL;
	if (q->tail)
		q->tail->next = x;
	else
		q->head = x;
	q->tail = x;
	q->n++;
}

static struct xfer *xq_pop(struct xqueue *q)
{
	struct xfer *x = q->head;

	if (x) {
		q->head = x->next;
		if (!q->head)
			q->tail = NULL;
		q->n--;
		x->next = NULL;
	}
	return x;
}

static void heap_push(struct llm_engine *e, struct xfer *x)
{
	size_t i;

	ALLOC_GROW(e->heap, e->nheap + 1, e->heap_alloc);
	i = e->nheap++;
	while (i && e->heap[(i - 1) / 2]->not_before > x->not_before) {
		e->heap[i] = e->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	e->heap[i] = x;
}

static struct xfer *heap_pop(struct llm_engine *e)
{
	struct xfer *top = e->heap[0], *last = e->heap[--e->nheap];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= e->nheap)
			break;
		if (c + 1 < e->nheap && e->heap[c + 1]->not_before < e->heap[c]->not_before)
			c++;
		if (e->heap[c]->not_before >= last->not_before)
			break;
		e->heap[i] = e->heap[c];
		i = c;
	}
	if (e->nheap)
		e->heap[i] = last;
	return top;
}

char *llm_url_redact(const char *s, size_t len)
{
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < len; i++) {
		sbuf_addch(&sb, s[i]);
		if (s[i] != ':' || len - i < 3 || s[i + 1] != '/' || s[i + 2] != '/')
			continue;
		sbuf_add(&sb, "//", 2);
		i += 2;
		/* an authority with an '@' before its end has userinfo: drop it */
		for (size_t k = i + 1; k < len && !strchr("/?#@ \t\r\n\"'<>", s[k]); k++)
			if (k + 1 < len && s[k + 1] == '@') {
				i = k + 1;
				break;
			}
	}
	return sbuf_detach(&sb, NULL);
}

/*
 * Copy `s` into a bounded single line with URL credentials dropped and
 * the API key masked, however short: a one-letter key costs every such
 * letter of the message, which is the price of never showing it.
 */
static char *clean_message(const struct llm_engine *e, const char *s, size_t len)
{
	struct sbuf sb = SBUF_INIT;
	size_t klen = e->api_key ? strlen(e->api_key) : 0;
	char *text = llm_url_redact(s, len);

	len = strlen(text);
	for (size_t i = 0; i < len && sb.len < MESSAGE_MAX; i++) {
		if (klen && len - i >= klen && !memcmp(text + i, e->api_key, klen)) {
			sbuf_addstr(&sb, "***");
			i += klen - 1;
			continue;
		}
		unsigned char c = (unsigned char)text[i];
		sbuf_addch(&sb, c < ' ' || c == 0x7f ? ' ' : c);
	}
	if (sb.len >= MESSAGE_MAX)
		sbuf_addstr(&sb, "...");
	free(text);
	return sbuf_detach(&sb, NULL);
}

/* Add n to one counter of the run, x's endpoint and x's route. */
static void counts_add(struct llm_engine *e, const struct xfer *x, size_t off, uint64_t n)
{
	struct llm_counts *c[] = { &e->total, &x->ep->counts, &x->route->counts };

	pthread_mutex_lock(&e->slock);
	for (size_t i = 0; i < sizeof(c) / sizeof(*c); i++)
		*(uint64_t *)((char *)c[i] + off) += n;
	pthread_mutex_unlock(&e->slock);
}

#define COUNT(e, x, field, n) counts_add((e), (x), offsetof(struct llm_counts, field), (n))

/* ---- rate limits -------------------------------------------------------- */

static void bucket_init(struct bucket *b, double per_minute, double now)
{
	b->rate = per_minute / 60.0;
	b->cap = b->rate > 1 ? b->rate : 1;
	b->level = b->cap;
	b->last = now;
}

static void bucket_refill(struct bucket *b, double now)
{
	if (!b->rate)
		return;
	b->level += (now - b->last) * b->rate;
	if (b->level > b->cap)
		b->level = b->cap;
	b->last = now;
}

/* Seconds until a request may start (0 = now). rpm needs a whole token;
 * tpm only needs the bucket out of debt, since one request may cost more
 * than a second's worth. */
static double limits_wait(struct llm_engine *e, double now)
{
	double w = 0;

	bucket_refill(&e->rpm, now);
	bucket_refill(&e->tpm, now);
	if (e->rpm.rate && e->rpm.level < 1)
		w = (1 - e->rpm.level) / e->rpm.rate;
	if (e->tpm.rate && e->tpm.level <= 0) {
		double t = (-e->tpm.level + 1) / e->tpm.rate;
		if (t > w)
			w = t;
	}
	return w;
}

/* ---- finishing requests ------------------------------------------------- */

static void xfer_free(struct xfer *x)
{
	free(x->body);
	free(x->last_msg);
	sbuf_release(&x->resp);
	free(x);
}

static void finish(struct llm_engine *e, struct xfer *x, enum llm_status status, json_t *resp,
		   int from_cache, const char *msg)
{
	struct llm_result r = {
		.status = status, .response = resp, .from_cache = from_cache,
		.http_status = x->last_status, .attempts = x->attempts, .message = msg,
	};

	x->done(x->data, &r);
	pthread_mutex_lock(&e->slock);
	e->completed++;
	pthread_mutex_unlock(&e->slock);
	xfer_free(x);
}

static void set_fatal(struct llm_engine *e, enum llm_fatal cause, char *msg)
{
	pthread_mutex_lock(&e->qlock);
	if (!e->fatal) {
		e->fatal = msg;
		e->fatal_cause = cause;
	} else
		free(msg);
	pthread_mutex_unlock(&e->qlock);
}

static void inflight_unlink(struct llm_engine *e, struct xfer *x)
{
	if (x->iprev)
		x->iprev->inext = x->inext;
	else
		e->inflight_head = x->inext;
	if (x->inext)
		x->inext->iprev = x->iprev;
	x->iprev = x->inext = NULL;
}

/* Abort everything the loop holds once the configuration is known bad. */
static void abort_all(struct llm_engine *e)
{
	const char *msg = e->fatal;
	struct xfer *x;

	while ((x = e->inflight_head)) {
		inflight_unlink(e, x);
		curl_multi_remove_handle(e->multi, x->easy);
		curl_easy_cleanup(x->easy);
		x->ep->inflight--;
		e->inflight--;
		finish(e, x, LLM_ABORTED, NULL, 0, msg);
	}
	while ((x = xq_pop(&e->ready)))
		finish(e, x, LLM_ABORTED, NULL, 0, msg);
	while (e->nheap)
		finish(e, heap_pop(e), LLM_ABORTED, NULL, 0, msg);
}

/*
 * Fatal if nothing ever answered and every endpoint failed to connect
 * `min` times running. Not with an endpoints file: its servers come and
 * go, and its own wait limit (--endpoints-wait) decides when to give up.
 */
static void check_unreachable(struct llm_engine *e, int min)
{
	struct sbuf sb = SBUF_INIT;
	struct llm_endpoint **v = e->eps.v;
	size_t n = e->eps.n;

	if (e->any_ok || e->eps.path)
		return;
	for (size_t i = 0; i < n; i++)
		if (v[i]->unreachable < min)
			return;
	sbuf_addstr(&sb, n > 1 ? "cannot reach any endpoint: " : "cannot reach endpoint ");
	for (size_t i = 0; i < n; i++)
		sbuf_addf(&sb, "%s%s (%s)", i ? ", " : "", v[i]->base, v[i]->last_error);
	set_fatal(e, LLM_FATAL_UNUSABLE, sbuf_detach(&sb, NULL));
}

static double backoff(struct llm_engine *e, int attempts)
{
	double d = BACKOFF_BASE * pow(2, attempts > 1 ? attempts - 1 : 0);

	if (d > BACKOFF_MAX)
		d = BACKOFF_MAX;
	return d * (0.5 + 0.5 * rand_unit(e));
}

/* Schedule another attempt, or give up after --retries. `msg` is owned. */
static void retry_or_fail(struct llm_engine *e, struct xfer *x, enum llm_cause cause, char *msg,
			  double retry_after, double now)
{
	free(x->last_msg);
	x->last_msg = msg;
	if (x->attempts - x->uncharged > e->retries) {
		char *why = xasprintf("no answer after %d attempts: %s", x->attempts, msg);
		if (cause == LLM_CAUSE_CONNECTION)
			/* out of retries without ever reaching a server: not a record's fault */
			check_unreachable(e, 1);
		COUNT(e, x, failed, 1);
		finish(e, x, LLM_FAILED, NULL, 0, why);
		free(why);
		return;
	}
	COUNT(e, x, retries[cause], 1);
	if (retry_after >= 0)
		x->not_before = now + fmin(retry_after, RETRY_AFTER_MAX) * (1 + 0.1 * rand_unit(e));
	else
		x->not_before = now + backoff(e, x->attempts);
	heap_push(e, x);
}

int llm_accept_completion(const json_t *resp, const char **why)
{
	const json_t *choices = json_object_get(resp, "choices"), *c;
	size_t i;

	if (!json_is_array(choices) || !json_array_size(choices)) {
		*why = "response has no choices";
		return -1;
	}
	json_array_foreach(choices, i, c) {
		if (!json_is_object(json_object_get(c, "message"))) {
			*why = "a choice has no message";
			return -1;
		}
	}
	return 0;
}

int llm_accept_data(const json_t *resp, const char **why)
{
	if (!json_is_object(resp)) {
		*why = "response is not a JSON object";
		return -1;
	}
	if (!json_array_size(json_object_get(resp, "data"))) {
		*why = "response has no data";
		return -1;
	}
	return 0;
}

/* The answer in a 2xx body, or NULL with the reason in *why. */
static json_t *parse_answer(const struct xfer *x, const char **why)
{
	json_t *j = json_loadb(x->resp.buf, x->resp.len, 0, NULL);

	if (!j) {
		*why = "response is not JSON";
		return NULL;
	}
	if ((x->accept ? x->accept : llm_accept_completion)(j, why) < 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* The server's own words from an error body: error.message, message, detail, or the text. */
static char *server_message(struct llm_engine *e, long code, const struct sbuf *body)
{
	json_t *j = json_loadb(body->buf, body->len, 0, NULL);
	const char *m = NULL;
	char *cleaned, *out;

	if (j) {
		json_t *err = json_object_get(j, "error");
		m = json_string_value(json_object_get(err, "message"));
		if (!m)
			m = json_string_value(err);
		if (!m)
			m = json_string_value(json_object_get(j, "message"));
		if (!m)
			m = json_string_value(json_object_get(j, "detail"));
	}
	cleaned = m ? clean_message(e, m, strlen(m)) : clean_message(e, body->buf, body->len);
	out = *cleaned ? xasprintf("HTTP %ld: %s", code, cleaned) : xasprintf("HTTP %ld", code);
	free(cleaned);
	json_decref(j);
	return out;
}

static double retry_after_seconds(CURL *h)
{
	struct curl_header *hd;
	const char *v;
	char *end;
	double s;

	if (curl_easy_header(h, "Retry-After", 0, CURLH_HEADER, -1, &hd) != CURLHE_OK)
		return -1;
	v = hd->value;
	while (*v == ' ')
		v++;
	s = strtod(v, &end);
	if (end != v && (*end == '\0' || *end == ' ') && s >= 0)
		return s;
	time_t t = curl_getdate(v, NULL);
	if (t < 0)
		return -1;
	s = difftime(t, time(NULL));
	return s > 0 ? s : 0;
}

static int is_connect_error(CURLcode rc)
{
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
	       rc == CURLE_COULDNT_RESOLVE_PROXY;
}

/* Errors no retry can fix: the URL or TLS setup is wrong. */
static int is_config_error(CURLcode rc)
{
	return rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT ||
	       rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
	       rc == CURLE_SSL_CERTPROBLEM;
}

/*
 * Store an answer. A failure is counted by the cache; with --cache-errors
 * fatal (the default) the loop then starts nothing more, lets what is in
 * flight finish, and stops the run (start_ready); with warn the run goes
 * on and the stage reports the count at the end.
 */
static void cache_store(struct llm_engine *e, const struct xfer *x, const json_t *resp)
{
	struct sbuf v = SBUF_INIT;

	if (!e->cache || e->cache_mode == LLM_CACHE_RO)
		return;
	json_write(&v, resp);
	if (llm_cache_put(e->cache, x->key, v.buf, v.len) < 0 && !e->cache_failed) {
		e->cache_failed = 1;
		if (e->cache_errors == LLM_CACHE_ERRORS_WARN)
			warning("%s; going on without caching those answers (--cache-errors warn)",
				llm_cache_write_error(e->cache));
	}
	sbuf_release(&v);
}

static void transfer_done(struct llm_engine *e, CURL *h, CURLcode rc)
{
	struct xfer *x;
	struct llm_endpoint *ep;
	long code = 0;
	double now = now_seconds();

	curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&x);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	inflight_unlink(e, x);
	x->easy = NULL;
	ep = x->ep;
	ep->inflight--;
	e->inflight--;
	x->last_status = (int)code;

	if (rc != CURLE_OK) {
		const char *what = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);
		char *msg = clean_message(e, what, strlen(what));
		enum llm_cause cause = LLM_CAUSE_CONNECTION;
		double retry_after = -1;

		if (x->too_large) {
			char *why = xasprintf("response larger than %u bytes", MAX_RESPONSE);
			free(msg);
			COUNT(e, x, failed, 1);
			finish(e, x, LLM_FAILED, NULL, 0, why);
			free(why);
			goto out;
		}
		if (rc == CURLE_OPERATION_TIMEDOUT)
			cause = LLM_CAUSE_TIMEOUT;
		else if (rc == CURLE_PARTIAL_FILE && code >= 200 && code < 300)
			cause = LLM_CAUSE_BAD_BODY;
		if (!e->any_ok && !ep->from_file && is_config_error(rc)) {
			set_fatal(e, LLM_FATAL_UNUSABLE, xasprintf("endpoint %s: %s", ep->base, msg));
			retry_or_fail(e, x, cause, msg, retry_after, now);
			goto out;
		}
		llm_endpoint_failed(&e->eps, ep, msg, x->t_start, now, is_connect_error(rc));
		if (is_connect_error(rc) && !ep->ever_ok) {
			ep->unreachable++;
			check_unreachable(e, UNREACHABLE_AFTER);
		}
		if (ep->from_file && (ep->state == LLM_EP_REMOVED || is_connect_error(rc)) &&
		    x->uncharged < UNCHARGED_MAX) {
			/* its server left (or is leaving): not the request's fault, ask another now */
			x->uncharged++;
			retry_after = 0;
		}
		retry_or_fail(e, x, cause, msg, retry_after, now);
		goto out;
	}
	if (code >= 200 && code < 300) {
		const char *why = NULL;
		json_t *resp = parse_answer(x, &why);
		if (!resp) {
			retry_or_fail(e, x, LLM_CAUSE_BAD_BODY, xasprintf("HTTP %ld: %s", code, why), -1, now);
			goto out;
		}
		/* paid for: on disk before anything else happens to it */
		cache_store(e, x, resp);
		llm_endpoint_ok(ep);
		e->any_ok = 1;
		{
			json_t *usage = json_object_get(resp, "usage");
			json_int_t pt = json_integer_value(json_object_get(usage, "prompt_tokens"));
			json_int_t ct = json_integer_value(json_object_get(usage, "completion_tokens"));
			if (e->tpm.rate && (pt || ct)) {
				e->tpm.level += x->est_tokens - (double)(pt + ct);
				if (e->tpm.level > e->tpm.cap)
					e->tpm.level = e->tpm.cap;
			}
			struct llm_counts *c[] = { &e->total, &ep->counts, &x->route->counts };
			pthread_mutex_lock(&e->slock);
			for (size_t i = 0; i < sizeof(c) / sizeof(*c); i++) {
				c[i]->ok++;
				c[i]->prompt_tokens += (uint64_t)pt;
				c[i]->completion_tokens += (uint64_t)ct;
				latency_hist_add(&c[i]->latency, now - x->t_start);
			}
			pthread_mutex_unlock(&e->slock);
		}
		finish(e, x, LLM_OK, resp, 0, NULL);
		json_decref(resp);
		goto out;
	}
	if (code == 408 || code == 429 || code >= 500) {
		enum llm_cause cause = code == 408 ? LLM_CAUSE_408 : code == 429 ? LLM_CAUSE_429 : LLM_CAUSE_5XX;
		char *msg = server_message(e, code, &x->resp);
		if (code >= 500)
			llm_endpoint_failed(&e->eps, ep, msg, x->t_start, now, 0);
		retry_or_fail(e, x, cause, msg, retry_after_seconds(h), now);
		goto out;
	}
	{
		char *msg = server_message(e, code, &x->resp);
		if (!e->any_ok && (code == 401 || code == 403 || code == 404)) {
			const char *path = x->route->path;
			/* the configuration is wrong, not this request: stop */
			set_fatal(e, LLM_FATAL_UNUSABLE, xasprintf("endpoint %s%s: %s%s", path ? ep->shown_root : ep->base, path ? path : "", msg,
					       code != 404 ? " (check the API key)" :
					       path ? " (does the server serve this route and model?)" :
					       " (unknown model, or the URL does not end in /v1?)"));
			free(x->last_msg);
			x->last_msg = msg;
			heap_push(e, x); /* aborted with the rest */
			goto out;
		}
		COUNT(e, x, rejected, 1);
		finish(e, x, LLM_REJECTED, NULL, 0, msg);
		free(msg);
	}
out:
	curl_multi_remove_handle(e->multi, h);
	ALLOC_GROW(e->easy_pool, e->npool + 1, e->pool_alloc);
	e->easy_pool[e->npool++] = h;
}

/* ---- starting transfers ------------------------------------------------- */

static size_t write_cb(char *p, size_t size, size_t nmemb, void *data)
{
	struct xfer *x = data;
	size_t n = size * nmemb;

	if (x->resp.len + n > MAX_RESPONSE) {
		x->too_large = 1;
		return 0;
	}
	sbuf_add(&x->resp, p, n);
	return n;
}

static CURL *easy_get(struct llm_engine *e)
{
	CURL *h;

	if (e->npool)
		return e->easy_pool[--e->npool];
	h = curl_easy_init();
	if (!h)
		die("cannot create a curl handle");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, e->headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(e->timeout * 1000));
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(fmin(e->timeout, 30) * 1000));
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "smelt/" SMELT_VERSION);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	return h;
}

static void transfer_start(struct llm_engine *e, struct xfer *x, struct llm_endpoint *ep, double now)
{
	CURL *h = easy_get(e);
	char *url = x->route->path ? xasprintf("%s%s", ep->root, x->route->path) : NULL;

	x->ep = ep;
	x->easy = h;
	x->attempts++;
	x->t_start = now;
	x->too_large = 0;
	x->errbuf[0] = '\0';
	sbuf_reset(&x->resp);
	curl_easy_setopt(h, CURLOPT_URL, url ? url : ep->url); /* curl keeps a copy */
	free(url);
	curl_easy_setopt(h, CURLOPT_PIPEWAIT, strncmp(ep->url, "https:", 6) ? 0L : 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, x->body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->len);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_PRIVATE, x);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
	if (curl_multi_add_handle(e->multi, h) != CURLM_OK)
		die("cannot add a transfer to the curl multi handle");
	x->inext = e->inflight_head;
	if (x->inext)
		x->inext->iprev = x;
	e->inflight_head = x;
	ep->inflight++;
	e->inflight++;
	if (e->rpm.rate)
		e->rpm.level -= 1;
	if (e->tpm.rate)
		e->tpm.level -= x->est_tokens;
	pthread_mutex_lock(&e->slock);
	e->total.attempts++;
	ep->counts.attempts++;
	x->route->counts.attempts++;
	if ((uint64_t)e->inflight > e->peak_inflight)
		e->peak_inflight = (uint64_t)e->inflight;
	pthread_mutex_unlock(&e->slock);
}

/* Start what the limits allow; returns seconds until more could start (INFINITY: nothing waits). */
static double start_ready(struct llm_engine *e)
{
	double now = now_seconds();

	if (e->cache_failed && e->cache_errors == LLM_CACHE_ERRORS_FATAL) {
		/* what is in flight is paid for: let it land, then stop */
		if (!e->inflight) {
			struct llm_cache_stats cs;
			llm_cache_get_stats(e->cache, &cs);
			set_fatal(e, LLM_FATAL_UNUSABLE, xasprintf("%s (%llu answers not cached; "
				  "--cache-errors warn goes on without caching)", llm_cache_write_error(e->cache),
				  (unsigned long long)cs.write_errors));
			abort_all(e);
		}
		return INFINITY;
	}
	while (e->inflight < e->concurrency) {
		double wait = 0;
		struct xfer *x;
		struct llm_endpoint *ep;

		if (!e->ready.n && !(e->nheap && e->heap[0]->not_before <= now))
			break;
		if ((wait = limits_wait(e, now)) > 0)
			return wait;
		if (!(ep = llm_endpoints_pick(&e->eps, now, &wait)))
			return wait;
		/* retries first: they have waited longest */
		x = e->nheap && e->heap[0]->not_before <= now ? heap_pop(e) : xq_pop(&e->ready);
		transfer_start(e, x, ep, now);
	}
	if (e->inflight < e->concurrency && e->nheap)
		return e->heap[0]->not_before - now;
	return INFINITY;
}

/* ---- curl callbacks and the loop ---------------------------------------- */

static int sock_cb(CURL *h, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct llm_engine *e = userp;
	struct epoll_event ev = { 0 };

	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(e->epfd, EPOLL_CTL_DEL, s, NULL);
		return 0;
	}
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
	ev.data.fd = s;
	if (epoll_ctl(e->epfd, EPOLL_CTL_MOD, s, &ev) < 0 &&
	    (errno != ENOENT || epoll_ctl(e->epfd, EPOLL_CTL_ADD, s, &ev) < 0))
		error("cannot watch a socket: %s", strerror(errno));
	return 0;
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct llm_engine *e = userp;

	e->timer_deadline = timeout_ms < 0 ? -1 : now_seconds() + (double)timeout_ms / 1000.0;
	return 0;
}

static void read_done(struct llm_engine *e)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(e->multi, &left)))
		if (m->msg == CURLMSG_DONE &&
		    !llm_endpoints_probe_done(&e->eps, e->multi, m->easy_handle, m->data.result, now_seconds()))
			transfer_done(e, m->easy_handle, m->data.result);
}

/* Move submitted requests to the ready queue; 1 when stopping. */
static int take_incoming(struct llm_engine *e)
{
	struct xqueue q;
	int stop, fatal;
	struct xfer *x;

	pthread_mutex_lock(&e->qlock);
	q = e->incoming;
	e->incoming = (struct xqueue){ NULL, NULL, 0 };
	e->wake_pending = 0;
	stop = e->stopping;
	fatal = e->fatal != NULL;
	pthread_mutex_unlock(&e->qlock);
	while ((x = xq_pop(&q)))
		xq_push(&e->ready, x);
	if (fatal)
		abort_all(e);
	return stop;
}

static void *engine_main(void *arg)
{
	struct llm_engine *e = arg;
	struct epoll_event evs[MAX_EVENTS];
	int running;

	while (!take_incoming(e)) {
		char *fatal = NULL;
		double tick = llm_endpoints_tick(&e->eps, e->multi, now_seconds(),
						 e->ready.n + e->nheap > 0, &fatal);
		double wait, now;
		int timeout_ms, n;

		if (fatal) {
			set_fatal(e, LLM_FATAL_UNUSABLE, fatal);
			continue; /* take_incoming aborts what waits */
		}
		wait = fmin(start_ready(e), tick);
		now = now_seconds();

		pthread_mutex_lock(&e->slock);
		e->shown_inflight = e->inflight;
		e->shown_queued = (long)(e->ready.n + e->nheap);
		pthread_mutex_unlock(&e->slock);
		if (e->timer_deadline >= 0 && e->timer_deadline - now < wait)
			wait = e->timer_deadline - now;
		if (wait <= 0)
			timeout_ms = 0;
		else if (wait > 1.0)
			timeout_ms = 1000;
		else
			timeout_ms = (int)ceil(wait * 1000);
		n = epoll_wait(e->epfd, evs, MAX_EVENTS, timeout_ms);
		if (n < 0 && errno != EINTR)
			die("epoll_wait failed: %s", strerror(errno));
		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == e->efd) {
				uint64_t v;
				if (read(e->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
					die("cannot read the engine's eventfd: %s", strerror(errno));
				continue;
			}
			int flags = (evs[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
				    (evs[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
				    (evs[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
			curl_multi_socket_action(e->multi, evs[i].data.fd, flags, &running);
		}
		if (e->timer_deadline >= 0 && now_seconds() >= e->timer_deadline) {
			e->timer_deadline = -1;
			curl_multi_socket_action(e->multi, CURL_SOCKET_TIMEOUT, 0, &running);
		}
		read_done(e);
	}
	return NULL;
}

/* ---- the public side ---------------------------------------------------- */

/*
 * A body is JSON, so it never starts with "#route": a routed key cannot
 * equal a default one, and default keys stay what they always were.
 */
struct hash128 llm_request_key_route(const char *route, const char *body, size_t len, unsigned sample)
{
	struct hash128_state *st = hash128_state_new();
	char tail[32];
	struct hash128 k;
	int n = snprintf(tail, sizeof(tail), "\n#sample %u", sample);

	if (route) {
		hash128_state_update(st, "#route ", 7);
		hash128_state_update(st, route, strlen(route));
		hash128_state_update(st, "\n", 1);
	}
	hash128_state_update(st, body, len);
	hash128_state_update(st, tail, (size_t)n);
	k = hash128_state_digest(st);
	hash128_state_free(st);
	return k;
}

struct hash128 llm_request_key(const char *body, size_t len, unsigned sample)
{
	return llm_request_key_route(NULL, body, len, sample);
}

const char *llm_status_reject_kind(enum llm_status status)
{
	switch (status) {
	case LLM_OK: return NULL;
	case LLM_REJECTED: return "request_rejected";
	case LLM_FAILED: return "request_failed";
	case LLM_CACHE_MISS: return "cache_miss";
	case LLM_ABORTED: break;
	}
	return "aborted";
}

/* The route entry for `path`, added on first use. Caller holds slock. */
static struct route *route_get(struct llm_engine *e, const char *path)
{
	struct route **pp = &e->routes;

	for (; *pp; pp = &(*pp)->next)
		if (!path ? !(*pp)->path : (*pp)->path && !strcmp((*pp)->path, path))
			return *pp;
	*pp = xcalloc(1, sizeof(**pp));
	(*pp)->path = path ? xstrdup(path) : NULL;
	return *pp;
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void llm_engine_config_init(struct llm_engine_config *c)
{
	memset(c, 0, sizeof(*c));
	c->concurrency = LLM_DEFAULT_CONCURRENCY;
	c->timeout = LLM_DEFAULT_TIMEOUT;
	c->retries = LLM_DEFAULT_RETRIES;
	c->endpoints_wait = LLM_DEFAULT_ENDPOINTS_WAIT;
	c->cache_mode = LLM_CACHE_OFF;
}

struct llm_engine *llm_engine_new(const struct llm_engine_config *o)
{
	struct llm_engine *e;
	const char *key = getenv(o->api_key_env ? o->api_key_env : "OPENAI_API_KEY");
	struct epoll_event ev = { .events = EPOLLIN };
	double now = now_seconds();

	if (o->api_key_env && strcmp(o->api_key_env, "OPENAI_API_KEY") && !key) {
		error("--api-key-env %s: the variable is not set", o->api_key_env);
		return NULL;
	}
	pthread_once(&curl_once, curl_init_once);
	raise_nofile();
	e = xcalloc(1, sizeof(*e));
	e->concurrency = o->concurrency > 0 ? o->concurrency : LLM_DEFAULT_CONCURRENCY;
	e->retries = o->retries;
	e->timeout = o->timeout > 0 ? o->timeout : LLM_DEFAULT_TIMEOUT;
	e->timer_deadline = -1;
	e->rng = (uint64_t)getpid() * 0x9E3779B97F4A7C15ULL ^ (uint64_t)(now * 1e9) ^ 1;
	e->efd = e->epfd = -1;
	bucket_init(&e->rpm, o->rpm, now);
	bucket_init(&e->tpm, o->tpm, now);
	pthread_mutex_init(&e->qlock, NULL);
	pthread_mutex_init(&e->slock, NULL);
	llm_endpoints_init(&e->eps, &e->slock, e->rng * 3);
	for (size_t i = 0; i < o->nendpoints; i++)
		llm_endpoints_add(&e->eps, o->endpoints[i]);
	if (key && *key) {
		char *auth = xasprintf("Authorization: Bearer %s", key);
		e->api_key = xstrdup(key);
		e->headers = curl_slist_append(e->headers, auth);
		memset(auth, 0, strlen(auth));
		free(auth);
	}
	e->headers = curl_slist_append(e->headers, "Content-Type: application/json");
	e->headers = curl_slist_append(e->headers, "Accept: application/json");
	e->headers = curl_slist_append(e->headers, "Expect:");
	if (o->endpoints_file)
		llm_endpoints_watch(&e->eps, o->endpoints_file, o->endpoints_wait, e->timeout, e->headers);
	e->cache_mode = o->cache_dir ? o->cache_mode : LLM_CACHE_OFF;
	e->cache_errors = o->cache_errors;
	if (e->cache_mode != LLM_CACHE_OFF) {
		e->cache_dir = xstrdup(o->cache_dir);
		if (!(e->cache = llm_cache_open(o->cache_dir, e->cache_mode)))
			goto fail;
	}
	e->multi = curl_multi_init();
	e->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!e->multi || e->efd < 0 || e->epfd < 0) {
		error("cannot set up the HTTP event loop: %s", strerror(errno));
		goto fail;
	}
	ev.data.fd = e->efd;
	epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->efd, &ev);
	curl_multi_setopt(e->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(e->multi, CURLMOPT_SOCKETDATA, e);
	curl_multi_setopt(e->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(e->multi, CURLMOPT_TIMERDATA, e);
	curl_multi_setopt(e->multi, CURLMOPT_MAXCONNECTS, e->concurrency + 16);
	curl_multi_setopt(e->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	if (pthread_create(&e->thread, NULL, engine_main, e)) {
		error("cannot start the HTTP event loop thread");
		goto fail;
	}
	return e;
fail:
	e->thread = 0;
	llm_engine_free(e);
	return NULL;
}

static void wake(struct llm_engine *e)
{
	uint64_t one = 1;

	if (write(e->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		error("cannot wake the HTTP event loop: %s", strerror(errno));
}

void llm_engine_submit(struct llm_engine *e, struct llm_call *call)
{
	struct xfer *x = xcalloc(1, sizeof(*x));
	int poke = 0;
	const char *fatal;

	x->body = call->body;
	x->len = call->len;
	call->body = NULL;
	x->sample = call->sample;
	x->accept = call->accept;
	x->done = call->done;
	x->data = call->data;
	x->est_tokens = (double)x->len / 4 + (call->max_tokens >= 0 ? (double)call->max_tokens : 256);
	sbuf_init(&x->resp, 0);
	pthread_mutex_lock(&e->slock);
	e->submitted++;
	x->route = route_get(e, call->route);
	pthread_mutex_unlock(&e->slock);

	if (e->cache) {
		struct sbuf v = SBUF_INIT;
		x->key = llm_request_key_route(call->route, x->body, x->len, x->sample);
		if (llm_cache_get(e->cache, x->key, &v)) {
			json_t *resp = json_loadb(v.buf, v.len, 0, NULL);
			sbuf_release(&v);
			if (resp) {
				pthread_mutex_lock(&e->slock);
				e->cache_hits++;
				pthread_mutex_unlock(&e->slock);
				finish(e, x, LLM_OK, resp, 1, NULL);
				json_decref(resp);
				return;
			}
		}
		sbuf_release(&v);
		pthread_mutex_lock(&e->slock);
		e->cache_misses++;
		pthread_mutex_unlock(&e->slock);
		if (e->cache_mode == LLM_CACHE_RO) {
			finish(e, x, LLM_CACHE_MISS, NULL, 0, "not in the read-only cache");
			return;
		}
	}
	pthread_mutex_lock(&e->qlock);
	fatal = e->fatal;
	if (!fatal) {
		xq_push(&e->incoming, x);
		poke = !e->wake_pending;
		e->wake_pending = 1;
	}
	pthread_mutex_unlock(&e->qlock);
	if (fatal)
		finish(e, x, LLM_ABORTED, NULL, 0, fatal);
	else if (poke)
		wake(e);
}

void llm_engine_cancel(struct llm_engine *e)
{
	set_fatal(e, LLM_FATAL_CANCELLED, xstrdup("cancelled"));
	wake(e);
}

enum llm_fatal llm_engine_fatal_cause(struct llm_engine *e)
{
	enum llm_fatal f;

	pthread_mutex_lock(&e->qlock);
	f = e->fatal_cause;
	pthread_mutex_unlock(&e->qlock);
	return f;
}

const char *llm_engine_fatal(struct llm_engine *e)
{
	const char *f;

	pthread_mutex_lock(&e->qlock);
	f = e->fatal;
	pthread_mutex_unlock(&e->qlock);
	return f;
}

static void add_count(struct sbuf *line, uint64_t n, const char *what)
{
	if (n >= 10000000)
		sbuf_addf(line, ", %.1fM %s", (double)n / 1e6, what);
	else if (n >= 10000)
		sbuf_addf(line, ", %.1fk %s", (double)n / 1e3, what);
	else
		sbuf_addf(line, ", %llu %s", (unsigned long long)n, what);
}

void llm_engine_progress(struct llm_engine *e, struct sbuf *line)
{
	pthread_mutex_lock(&e->slock);
	sbuf_addf(line, ", %ld in flight", e->shown_inflight);
	llm_endpoints_progress(&e->eps, line);
	if (e->shown_queued)
		sbuf_addf(line, ", %ld waiting", e->shown_queued);
	add_count(line, llm_counts_retries(&e->total), "retries");
	add_count(line, e->total.prompt_tokens + e->total.completion_tokens, "tokens");
	if (e->cache)
		add_count(line, e->cache_hits, "cached");
	pthread_mutex_unlock(&e->slock);
}

json_t *llm_engine_stats_json(struct llm_engine *e)
{
	json_t *o, *per = json_object(), *file;
	uint64_t hits, misses;

	pthread_mutex_lock(&e->slock);
	hits = e->cache_hits;
	misses = e->cache_misses;
	o = llm_counts_json(&e->total);
	json_object_set_new(o, "submitted", json_integer((json_int_t)e->submitted));
	json_object_set_new(o, "cache_hits", json_integer((json_int_t)e->cache_hits));
	json_object_set_new(o, "cache_misses", json_integer((json_int_t)e->cache_misses));
	json_object_set_new(o, "concurrency", json_integer(e->concurrency));
	json_object_set_new(o, "peak_in_flight", json_integer((json_int_t)e->peak_inflight));
	llm_endpoints_stats(&e->eps, per);
	if ((file = llm_endpoints_file_stats(&e->eps)))
		json_object_set_new(o, "endpoints_file", file);
	if (e->routes && (e->routes->next || e->routes->path)) {
		json_t *routes = json_object();
		for (const struct route *r = e->routes; r; r = r->next)
			json_object_set_new(routes, r->path ? r->path : "/chat/completions",
					    llm_counts_json(&r->counts));
		json_object_set_new(o, "routes", routes);
	}
	pthread_mutex_unlock(&e->slock);
	json_object_set_new(o, "endpoints", per);
	if (e->cache) {
		struct llm_cache_stats cs;
		llm_cache_get_stats(e->cache, &cs);
		json_object_set_new(o, "cache", json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			"dir", e->cache_dir, "mode", llm_cache_mode_name(e->cache_mode),
			"hits", (json_int_t)hits, "misses", (json_int_t)misses,
			"segments", (json_int_t)cs.segments, "entries", (json_int_t)cs.entries,
			"torn_segments", (json_int_t)cs.torn, "damaged_entries", (json_int_t)cs.damaged,
			"unreadable_segments", (json_int_t)cs.unreadable, "corrupt_entries", (json_int_t)cs.corrupt,
			"writes", (json_int_t)cs.writes, "bytes_written", (json_int_t)cs.bytes_written,
			"write_errors", (json_int_t)cs.write_errors));
	}
	return o;
}

uint64_t llm_engine_cache_write_errors(struct llm_engine *e, const char **why)
{
	struct llm_cache_stats cs;

	*why = NULL;
	if (!e->cache)
		return 0;
	llm_cache_get_stats(e->cache, &cs);
	if (cs.write_errors)
		*why = llm_cache_write_error(e->cache);
	return cs.write_errors;
}

void llm_engine_free(struct llm_engine *e)
{
	struct xfer *x;

	if (!e)
		return;
	if (e->thread) {
		pthread_mutex_lock(&e->qlock);
		e->stopping = 1;
		pthread_mutex_unlock(&e->qlock);
		wake(e);
		pthread_join(e->thread, NULL);
	}
	while ((x = e->inflight_head)) {
		inflight_unlink(e, x);
		curl_multi_remove_handle(e->multi, x->easy);
		curl_easy_cleanup(x->easy);
		xfer_free(x);
	}
	llm_endpoints_release(&e->eps, e->multi);
	if (e->multi)
		curl_multi_cleanup(e->multi);
	while ((x = xq_pop(&e->incoming)))
		xfer_free(x);
	while ((x = xq_pop(&e->ready)))
		xfer_free(x);
	while (e->nheap)
		xfer_free(heap_pop(e));
	for (size_t i = 0; i < e->npool; i++)
		curl_easy_cleanup(e->easy_pool[i]);
	while (e->routes) {
		struct route *r = e->routes;
		e->routes = r->next;
		free(r->path);
		free(r);
	}
	if (e->api_key) {
		memset(e->api_key, 0, strlen(e->api_key));
		free(e->api_key);
	}
	curl_slist_free_all(e->headers);
	llm_cache_close(e->cache);
	if (e->efd >= 0)
		close(e->efd);
	if (e->epfd >= 0)
		close(e->epfd);
	free(e->heap);
	free(e->easy_pool);
	free(e->fatal);
	free(e->cache_dir);
	pthread_mutex_destroy(&e->qlock);
	pthread_mutex_destroy(&e->slock);
	free(e);
}
