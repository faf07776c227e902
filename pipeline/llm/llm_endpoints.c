/*
 * llm_endpoints.c — endpoint choice, rests, and the endpoints file with
 * its health checks (llm_endpoints.h).
 *
 * The file is polled rather than watched with inotify: it may sit on a
 * shared filesystem (NFS, Lustre) where inotify never hears of another
 * node's append, and a stat() a second costs nothing. Health checks are
 * ordinary transfers on the engine's multi handle, told apart by their
 * handle, so they need no thread and no loop of their own.
 */
#include "llm/llm_endpoints.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/term_escape.h"
#include "core/util.h"
#include "llm/llm_engine.h"

#define REST_AFTER 8        /* consecutive failures before an endpoint rests */
#define REST_BASE 0.5
#define REST_MAX 60.0
#define POLL_INTERVAL 1.0   /* seconds between looks at the endpoints file */
#define WARN_WAITING_AFTER 3.0
#define PROBE_TIMEOUT_MAX 10.0

static double rand_unit(struct llm_endpoints *s)
{
	/* xorshift64*: jitter only */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return (double)((s->rng * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

/* "PROG: MSG" on stderr, escaped like warning(): news, not a problem. */
static void PRINTF_LIKE(1, 2) note(const char *fmt, ...)
{
	char msg[1024];
	struct sbuf safe = SBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	term_escape(&safe, msg, strlen(msg));
	fprintf(stderr, "%s: %s\n", smelt_prog, safe.buf);
	sbuf_release(&safe);
}

void llm_endpoints_init(struct llm_endpoints *s, pthread_mutex_t *lock, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->lock = lock;
	s->rng = seed | 1;
	s->waiting_since = -1;
}

int llm_endpoint_url_clean(const char *url, size_t len, char **out)
{
	*out = NULL;
	while (len && (*url == ' ' || *url == '\t')) {
		url++;
		len--;
	}
	while (len && strchr(" \t\r\n/", url[len - 1]))
		len--;
	if (!len)
		return 1;
	if ((len < 7 || strncmp(url, "http://", 7)) && (len < 8 || strncmp(url, "https://", 8)))
		return -1;
	*out = xstrndup(url, len);
	return 0;
}

/* The server root: the endpoint without trailing slashes and a final /v1. */
static char *endpoint_root(const char *base)
{
	char *root = xstrdup(base);
	size_t n = strlen(root);

	while (n && root[n - 1] == '/')
		root[--n] = '\0';
	if (n >= 3 && !strcmp(root + n - 3, "/v1"))
		root[n - 3] = '\0';
	return root;
}

static struct llm_endpoint *endpoint_new(struct llm_endpoints *s, const char *given, int from_file)
{
	struct llm_endpoint *ep = xcalloc(1, sizeof(*ep));

	ep->given = xstrdup(given);
	ep->base = llm_url_redact(given, strlen(given));
	ep->url = xasprintf("%s/chat/completions", given);
	ep->root = endpoint_root(given);
	ep->shown_root = endpoint_root(ep->base);
	ep->from_file = from_file;
	ep->state = from_file ? LLM_EP_CHECKING : LLM_EP_UP;
	pthread_mutex_lock(s->lock);
	ALLOC_GROW(s->v, s->n + 1, s->alloc);
	s->v[s->n++] = ep;
	pthread_mutex_unlock(s->lock);
	return ep;
}

void llm_endpoints_add(struct llm_endpoints *s, const char *url)
{
	endpoint_new(s, url, 0);
}

void llm_endpoints_watch(struct llm_endpoints *s, const char *path, double wait_limit,
			 double timeout, const struct curl_slist *headers)
{
	s->path = xstrdup(path);
	s->wait_limit = wait_limit;
	s->timeout = fmin(timeout, PROBE_TIMEOUT_MAX);
	s->headers = headers;
}

static void set_state(struct llm_endpoints *s, struct llm_endpoint *ep, enum llm_endpoint_state st)
{
	pthread_mutex_lock(s->lock);
	ep->state = st;
	pthread_mutex_unlock(s->lock);
}

static void set_error(struct llm_endpoints *s, struct llm_endpoint *ep, const char *why)
{
	pthread_mutex_lock(s->lock);
	snprintf(ep->last_error, sizeof(ep->last_error), "%s", why);
	pthread_mutex_unlock(s->lock);
}

/* The next rest of `ep`: 0.5 s doubling to 60 s, +-25% jitter. */
static double rest_for(struct llm_endpoints *s, struct llm_endpoint *ep)
{
	double d = fmin(REST_BASE * pow(2, ep->rest_level), REST_MAX);

	ep->rest_level++;
	pthread_mutex_lock(s->lock);
	ep->rests++;
	pthread_mutex_unlock(s->lock);
	return d * (0.75 + 0.5 * rand_unit(s));
}

/* ---- health checks ------------------------------------------------------ */

static size_t discard_cb(char *p, size_t size, size_t nmemb, void *data)
{
	(void)p;
	(void)data;
	return size * nmemb;
}

static void probe_start(struct llm_endpoints *s, CURLM *multi, struct llm_endpoint *ep)
{
	CURL *h = curl_easy_init();
	char *url;

	if (!h)
		die("cannot create a curl handle");
	/* vLLM serves /health at the root; a server without it (an OpenAI-like API) lists /models */
	url = ep->probe_models ? xasprintf("%s/models", ep->given) : xasprintf("%s/health", ep->root);
	ep->probe_error[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, s->headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_cb);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(s->timeout * 1000));
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(s->timeout * 1000));
	curl_easy_setopt(h, CURLOPT_USERAGENT, "smelt/" SMELT_VERSION);
	curl_easy_setopt(h, CURLOPT_PRIVATE, ep);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ep->probe_error);
	free(url);
	if (curl_multi_add_handle(multi, h) != CURLM_OK)
		die("cannot add a health check to the curl multi handle");
	ep->probe = h;
	pthread_mutex_lock(s->lock);
	ep->health_checks++;
	pthread_mutex_unlock(s->lock);
}

static void probe_drop(CURLM *multi, struct llm_endpoint *ep)
{
	if (!ep->probe)
		return;
	curl_multi_remove_handle(multi, ep->probe);
	curl_easy_cleanup(ep->probe);
	ep->probe = NULL;
}

int llm_endpoints_probe_done(struct llm_endpoints *s, CURLM *multi, CURL *h, CURLcode rc,
			     double now)
{
	struct llm_endpoint *ep = NULL;
	long code = 0;
	char *why;
	double d;

	for (size_t i = 0; i < s->n && !ep; i++)
		if (s->v[i]->probe == h)
			ep = s->v[i];
	if (!ep)
		return 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OK && code >= 200 && code < 300) {
		probe_drop(multi, ep);
		ep->failures = ep->rest_level = ep->probe_models = 0;
		/* what was in flight before it went down says nothing about it now */
		ep->rested_until = now;
		set_state(s, ep, LLM_EP_UP);
		note("endpoint %s is up (%s)", ep->base, s->path);
		return 1;
	}
	if (rc == CURLE_OK && code >= 400 && code < 500 && !ep->probe_models) {
		/* no /health here (or not for us): ask for the model list instead, now */
		probe_drop(multi, ep);
		ep->probe_models = 1;
		ep->rested_until = now;
		return 1;
	}
	if (rc != CURLE_OK) {
		const char *what = ep->probe_error[0] ? ep->probe_error : curl_easy_strerror(rc);
		why = llm_url_redact(what, strlen(what));
	} else {
		why = xasprintf("HTTP %ld from %s", code, ep->probe_models ? "/models" : "/health");
	}
	probe_drop(multi, ep);
	ep->probe_models = 0;
	set_error(s, ep, why);
	d = rest_for(s, ep);
	ep->rested_until = now + d;
	if (!ep->failures++)
		warning("endpoint %s (%s) failed its health check: %s; checking again in %.1f s",
			ep->base, s->path, why, d);
	free(why);
	return 1;
}

/* ---- the endpoints file ------------------------------------------------- */

static struct llm_endpoint *find(struct llm_endpoints *s, const char *given)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i]->given, given))
			return s->v[i];
	return NULL;
}

/* Make the file's endpoints those of `urls`: add, re-add, remove. */
static void apply(struct llm_endpoints *s, CURLM *multi, char **urls, size_t n, double now)
{
	for (size_t i = 0; i < n; i++) {
		struct llm_endpoint *ep = find(s, urls[i]);
		if (!ep) {
			ep = endpoint_new(s, urls[i], 1);
			ep->rested_until = now;
			note("endpoint %s listed in %s: checking its health", ep->base, s->path);
		} else if (ep->from_file && ep->state == LLM_EP_REMOVED) {
			ep->rested_until = now;
			ep->failures = ep->rest_level = 0;
			set_state(s, ep, LLM_EP_CHECKING);
			note("endpoint %s listed again in %s: checking its health", ep->base, s->path);
		}
	}
	for (size_t k = 0; k < s->n; k++) {
		struct llm_endpoint *ep = s->v[k];
		int listed = 0;
		if (!ep->from_file || ep->state == LLM_EP_REMOVED)
			continue;
		/* the set is small: a quadratic pass is fine */
		for (size_t i = 0; i < n && !listed; i++)
			listed = !strcmp(ep->given, urls[i]);
		if (listed)
			continue;
		probe_drop(multi, ep);
		set_state(s, ep, LLM_EP_REMOVED);
		if (ep->inflight)
			note("endpoint %s left %s: no new requests go to it; its %d in flight finish or are retried on the others",
			     ep->base, s->path, ep->inflight);
		else
			note("endpoint %s left %s: no new requests go to it", ep->base, s->path);
	}
}

/* Warn about a bad line the previous read did not have. */
static void bad_line(struct llm_endpoints *s, struct sbuf *bad, size_t lineno, const char *line,
		     const char *why)
{
	char *shown = llm_url_redact(line, strlen(line));
	struct sbuf key = SBUF_INIT;

	sbuf_addf(&key, "\n%s\n", shown);
	if (!s->bad_lines || !strstr(s->bad_lines, key.buf))
		warning("%s:%zu: %s: '%s'; line ignored", s->path, lineno, why, shown);
	sbuf_add(bad, key.buf + (bad->len ? 1 : 0), key.len - (bad->len ? 1 : 0));
	sbuf_release(&key);
	free(shown);
}

static void read_file(struct llm_endpoints *s, CURLM *multi, double now)
{
	FILE *f = fopen(s->path, "r");
	char *line = NULL, **urls = NULL;
	size_t cap = 0, n = 0, alloc = 0, lineno = 0, nbad = 0;
	struct sbuf bad = SBUF_INIT;
	ssize_t len;

	if (!f) {
		warning("cannot read %s: %s; keeping its endpoints as they were", s->path, strerror(errno));
		return;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *p = line, *url, *rest;
		size_t ulen;
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		p += strspn(p, " \t");
		if (!*p || *p == '#')
			continue;
		ulen = strcspn(p, " \t");
		rest = p + ulen + strspn(p + ulen, " \t");
		if (*rest && *rest != '#') {
			bad_line(s, &bad, lineno, p, "one base URL per line, then only a # comment");
			nbad++;
			continue;
		}
		p[ulen] = '\0';
		if (llm_endpoint_url_clean(p, strlen(p), &url) < 0) {
			bad_line(s, &bad, lineno, p, "not an http:// or https:// URL");
			nbad++;
			continue;
		}
		for (size_t i = 0; url && i < n; i++)
			if (!strcmp(urls[i], url)) {
				free(url);
				url = NULL;
			}
		if (!url)
			continue;
		ALLOC_GROW(urls, n + 1, alloc);
		urls[n++] = url;
	}
	if (ferror(f))
		warning("error reading %s: %s", s->path, strerror(errno));
	fclose(f);
	free(line);
	pthread_mutex_lock(s->lock);
	s->reads++;
	s->nbad = nbad;
	pthread_mutex_unlock(s->lock);
	apply(s, multi, urls, n, now);
	for (size_t i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
	free(s->bad_lines);
	sbuf_addch(&bad, '\n');
	s->bad_lines = xasprintf("\n%s", bad.buf);
	sbuf_release(&bad);
}

static void poll_file(struct llm_endpoints *s, CURLM *multi, double now)
{
	struct stat st;

	if (stat(s->path, &st) < 0) {
		if (errno != ENOENT) {
			if (s->file_state == 0)
				warning("cannot read %s: %s", s->path, strerror(errno));
			return;
		}
		if (s->file_state != -1) {
			/* gone (or not there yet): as good as empty */
			s->file_state = -1;
			apply(s, multi, NULL, 0, now);
		}
		return;
	}
	if (s->file_state == 1 && st.st_dev == s->dev && st.st_ino == s->ino && st.st_size == s->size &&
	    st.st_mtim.tv_sec == s->mtime.tv_sec && st.st_mtim.tv_nsec == s->mtime.tv_nsec)
		return;
	s->file_state = 1;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->size = st.st_size;
	s->mtime = st.st_mtim;
	read_file(s, multi, now);
}

/* What the file holds, for a message about waiting: "the file is empty" or each endpoint's state. */
static char *describe(const struct llm_endpoints *s)
{
	struct sbuf sb = SBUF_INIT;
	size_t shown = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct llm_endpoint *ep = s->v[i];
		if (!ep->from_file || ep->state == LLM_EP_REMOVED)
			continue;
		sbuf_addf(&sb, "%s%s (%s)", shown++ ? ", " : "", ep->base,
			  ep->last_error[0] ? ep->last_error : "not checked yet");
	}
	if (!shown)
		sbuf_addstr(&sb, s->file_state < 0 ? "the file does not exist" : "the file lists no endpoint");
	return sbuf_detach(&sb, NULL);
}

double llm_endpoints_tick(struct llm_endpoints *s, CURLM *multi, double now, int work_waiting,
			  char **fatal)
{
	double next;
	long up = 0, listed = 0;

	*fatal = NULL;
	if (!s->path)
		return INFINITY;
	if (now >= s->next_poll) {
		poll_file(s, multi, now);
		s->next_poll = now + POLL_INTERVAL;
	}
	next = s->next_poll - now;
	for (size_t i = 0; i < s->n; i++) {
		struct llm_endpoint *ep = s->v[i];
		if (ep->state == LLM_EP_UP)
			up++;
		if (ep->state != LLM_EP_REMOVED)
			listed++;
		if (ep->state != LLM_EP_CHECKING || ep->probe)
			continue;
		if (ep->rested_until <= now)
			probe_start(s, multi, ep);
		else if (ep->rested_until - now < next)
			next = ep->rested_until - now;
	}
	pthread_mutex_lock(s->lock);
	s->shown_up = up;
	s->shown_listed = listed;
	pthread_mutex_unlock(s->lock);
	if (work_waiting && !up) {
		double waited;
		if (s->waiting_since < 0)
			s->waiting_since = now;
		waited = now - s->waiting_since;
		if (!s->warned_waiting && waited >= WARN_WAITING_AFTER) {
			char *what = describe(s);
			s->warned_waiting = 1;
			if (s->wait_limit > 0)
				warning("no usable endpoint in %s yet: %s; requests wait up to %g s for one (--endpoints-wait)",
					s->path, what, s->wait_limit);
			else
				warning("no usable endpoint in %s yet: %s; requests wait for one", s->path, what);
			free(what);
		}
		if (s->wait_limit > 0 && waited >= s->wait_limit) {
			char *what = describe(s);
			*fatal = xasprintf("no usable endpoint in %s for %g s (--endpoints-wait): %s",
					   s->path, s->wait_limit, what);
			free(what);
		}
	} else if (s->waiting_since >= 0) {
		pthread_mutex_lock(s->lock);
		s->waited += now - s->waiting_since;
		pthread_mutex_unlock(s->lock);
		s->waiting_since = -1;
		s->warned_waiting = 0;
	}
	return next;
}

/* ---- choosing, failing, succeeding -------------------------------------- */

struct llm_endpoint *llm_endpoints_pick(struct llm_endpoints *s, double now, double *wait)
{
	struct llm_endpoint *best = NULL;
	double soonest = INFINITY;
	size_t at = 0;

	for (size_t k = 0; k < s->n; k++) {
		size_t i = (s->rr + k) % s->n;
		struct llm_endpoint *ep = s->v[i];
		if (ep->state != LLM_EP_UP)
			continue;
		if (ep->rested_until > now) {
			if (ep->rested_until < soonest)
				soonest = ep->rested_until;
			continue;
		}
		if (!best || ep->inflight < best->inflight) {
			best = ep;
			at = i;
		}
	}
	if (best)
		s->rr = (at + 1) % s->n;
	else
		*wait = soonest - now;
	return best;
}

void llm_endpoint_failed(struct llm_endpoints *s, struct llm_endpoint *ep, const char *why,
			 double t_start, double now, int refused)
{
	double d;

	set_error(s, ep, why);
	if (t_start < ep->rested_until)
		return;
	if (!ep->from_file) {
		if (++ep->failures < REST_AFTER)
			return;
		ep->rested_until = now + rest_for(s, ep);
		ep->failures = 0;
		return;
	}
	if (ep->state != LLM_EP_UP || (!refused && ++ep->failures < REST_AFTER))
		return;
	/* a server that refuses connections has gone: stop sending at once, check before more */
	d = rest_for(s, ep);
	ep->rested_until = now + d;
	ep->failures = 1; /* said here: its failed checks need not say it again */
	set_state(s, ep, LLM_EP_CHECKING);
	warning("endpoint %s (%s) failed: %s; resting %.1f s, then checking its health",
		ep->base, s->path, why, d);
}

void llm_endpoint_ok(struct llm_endpoint *ep)
{
	ep->failures = 0;
	ep->rest_level = 0;
	ep->unreachable = 0;
	ep->ever_ok = 1;
}

/* ---- what is shown ------------------------------------------------------ */

static const char *state_name(enum llm_endpoint_state st)
{
	return st == LLM_EP_UP ? "up" : st == LLM_EP_CHECKING ? "checking" : "removed";
}

void llm_endpoints_stats(const struct llm_endpoints *s, json_t *per)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct llm_endpoint *ep = s->v[i];
		json_t *c = llm_counts_json(&ep->counts);
		json_object_set_new(c, "rests", json_integer((json_int_t)ep->rests));
		if (ep->from_file) {
			json_object_set_new(c, "state", json_string(state_name(ep->state)));
			json_object_set_new(c, "health_checks", json_integer((json_int_t)ep->health_checks));
			if (ep->last_error[0])
				json_object_set_new(c, "last_error", json_string(ep->last_error));
		}
		json_object_set_new(per, ep->base, c);
	}
}

json_t *llm_endpoints_file_stats(const struct llm_endpoints *s)
{
	if (!s->path)
		return NULL;
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:f}", "path", s->path,
			 "reads", (json_int_t)s->reads, "bad_lines", (json_int_t)s->nbad,
			 "listed", (json_int_t)s->shown_listed, "up", (json_int_t)s->shown_up,
			 "waited_seconds", round(s->waited * 1000) / 1000);
}

void llm_endpoints_progress(const struct llm_endpoints *s, struct sbuf *line)
{
	if (s->path)
		sbuf_addf(line, ", %ld of %ld endpoints up", s->shown_up, s->shown_listed);
}

void llm_endpoints_release(struct llm_endpoints *s, CURLM *multi)
{
	for (size_t i = 0; i < s->n; i++) {
		struct llm_endpoint *ep = s->v[i];
		if (ep->probe && multi)
			probe_drop(multi, ep);
		else if (ep->probe)
			curl_easy_cleanup(ep->probe);
		free(ep->given);
		free(ep->base);
		free(ep->url);
		free(ep->root);
		free(ep->shown_root);
		free(ep);
	}
	free(s->v);
	free(s->path);
	free(s->bad_lines);
	memset(s, 0, sizeof(*s));
}
