/*
 * llm_options.c — parsing and checking the LLM options, and turning them
 * into the engine's configuration.
 */
#include "stage/llm_options.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "llm/llm_cache.h"
#include "llm/llm_endpoints.h"

enum {
	OPT_ENDPOINT = 2000, OPT_API_KEY_ENV, OPT_MODEL, OPT_CONCURRENCY, OPT_RPM, OPT_TPM,
	OPT_TIMEOUT, OPT_RETRIES, OPT_TEMPERATURE, OPT_TOP_P, OPT_MAX_TOKENS, OPT_SEED, OPT_N,
	OPT_STOP, OPT_EXTRA, OPT_CACHE, OPT_CACHE_MODE, OPT_UNORDERED, OPT_WINDOW,
	OPT_IMAGE_ROOT, OPT_ALLOW_ABSOLUTE_IMAGES, OPT_MAX_IMAGE_BYTES, OPT_CACHE_ERRORS,
	OPT_STOP_GRACE, OPT_ENDPOINTS_FILE, OPT_ENDPOINTS_WAIT,
};

static const struct stage_option llm_options[] = {
	{ "endpoint", 0, 1, OPT_ENDPOINT, "URL", "OpenAI-compatible base URL ending in /v1 (repeatable)" },
	{ "endpoints-file", 0, 1, OPT_ENDPOINTS_FILE, "FILE", "more base URLs, one a line, re-read as it changes (servers come and go)" },
	{ "endpoints-wait", 0, 1, OPT_ENDPOINTS_WAIT, "S", "with --endpoints-file, wait S s for a usable endpoint, 0 = forever (default 600)" },
	{ "api-key-env", 0, 1, OPT_API_KEY_ENV, "NAME", "read the API key from $NAME (default OPENAI_API_KEY)" },
	{ "model", 0, 1, OPT_MODEL, "NAME", "model to ask" },
	{ "concurrency", 0, 1, OPT_CONCURRENCY, "N", "requests in flight across endpoints (default 64)" },
	{ "rpm", 0, 1, OPT_RPM, "N", "at most N requests per minute" },
	{ "tpm", 0, 1, OPT_TPM, "N", "at most N tokens per minute (estimated, corrected by usage)" },
	{ "timeout", 0, 1, OPT_TIMEOUT, "S", "seconds per attempt (default 600)" },
	{ "retries", 0, 1, OPT_RETRIES, "N", "attempts after the first (default 8)" },
	{ "temperature", 0, 1, OPT_TEMPERATURE, "X", "sampling temperature" },
	{ "top-p", 0, 1, OPT_TOP_P, "X", "nucleus sampling" },
	{ "max-tokens", 0, 1, OPT_MAX_TOKENS, "N", "completion length limit" },
	{ "seed", 0, 1, OPT_SEED, "N", "sampling seed (sample i of a record uses N+i)" },
	{ "n", 0, 1, OPT_N, "N", "completions per request" },
	{ "stop", 0, 1, OPT_STOP, "STR", "stop sequence (repeatable)" },
	{ "extra", 0, 1, OPT_EXTRA, "JSON", "object merged into every request body" },
	{ "cache", 0, 1, OPT_CACHE, "DIR", "response cache directory (resume, reruns)" },
	{ "cache-mode", 0, 1, OPT_CACHE_MODE, "MODE", "rw (default), ro, refresh or off" },
	{ "cache-errors", 0, 1, OPT_CACHE_ERRORS, "fatal|warn", "a failed cache write stops the run (default) or is counted (exit 3)" },
	{ "unordered", 0, 0, OPT_UNORDERED, NULL, "write records as they are answered" },
	{ "window", 0, 1, OPT_WINDOW, "N", "records awaiting answers (default max(2048, 8 x concurrency))" },
	{ "image-root", 0, 1, OPT_IMAGE_ROOT, "DIR", "directory image paths are relative to and confined to" },
	{ "allow-absolute-images", 0, 0, OPT_ALLOW_ABSOLUTE_IMAGES, NULL, "read absolute image paths and paths leaving the root" },
	{ "max-image-bytes", 0, 1, OPT_MAX_IMAGE_BYTES, "SIZE", "largest image sent (default 20M)" },
	{ "stop-grace", 0, 1, OPT_STOP_GRACE, "S", "on SIGINT/SIGTERM/SIGHUP, let requests in flight finish for S s (default 20)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

const char llm_options_help[] =
	"Endpoints: --endpoint, else $SMELT_ENDPOINTS (comma-separated), else\n"
	"$OPENAI_BASE_URL. --endpoints-file adds the base URLs listed in a file (#\n"
	"comments), polled every second: a new line is health-checked (/health, else\n"
	"/models) before it gets requests, a removed one gets no new ones. The API key is read from $OPENAI_API_KEY (or --api-key-env)\n"
	"and is never printed or stored. Retries: connection errors, timeouts, 408,\n"
	"429, 5xx and bodies that are not completions, with backoff and Retry-After;\n"
	"other 4xx reject the record. Cache modes: rw asks what is not cached and\n"
	"stores it; ro answers from the cache only and rejects a miss (kind\n"
	"cache_miss); refresh asks everything again and stores the new answers.\n"
	"A cache write that fails (full disk, read-only) stops the run with exit 1\n"
	"once what is in flight has landed; --cache-errors warn goes on and exits 3.\n"
	"On SIGINT, SIGTERM or SIGHUP the stage reads no more input, gives requests\n"
	"in flight --stop-grace seconds (their answers are cached), removes its\n"
	"unfinished outputs and exits 128 + the signal; rerun it with the same\n"
	"--cache to resume. A second signal stops it at once.";

void llm_options_init(struct llm_options *o)
{
	memset(o, 0, sizeof(*o));
	o->api_key_env = "OPENAI_API_KEY";
	o->concurrency = LLM_DEFAULT_CONCURRENCY;
	o->timeout = LLM_DEFAULT_TIMEOUT;
	o->retries = LLM_DEFAULT_RETRIES;
	o->cache_mode = -1;
	o->max_image_bytes = LLM_DEFAULT_MAX_IMAGE_BYTES;
	o->stop_grace = LLM_DEFAULT_STOP_GRACE;
	o->endpoints_wait = LLM_DEFAULT_ENDPOINTS_WAIT;
	llm_params_init(&o->params);
}

void llm_options_release(struct llm_options *o)
{
	for (size_t i = 0; i < o->nendpoints; i++)
		free(o->endpoints[i]);
	free(o->endpoints);
	llm_params_release(&o->params);
	memset(o, 0, sizeof(*o));
}

struct stage_option *llm_options_table(const struct stage_option *own)
{
	size_t n = 0, m = ARRAY_SIZE(llm_options);
	struct stage_option *t;

	while (own && own[n].name)
		n++;
	t = xcalloc(n + m, sizeof(*t));
	if (n)
		memcpy(t, own, n * sizeof(*t));
	memcpy(t + n, llm_options, m * sizeof(*t));
	return t;
}

/* Trim, drop a trailing '/', and insist on http(s). */
static int add_endpoint(struct stage *st, struct llm_options *o, const char *url, size_t len)
{
	char *u;
	int r = llm_endpoint_url_clean(url, len, &u);

	if (r > 0)
		return 0;
	if (r < 0) {
		char *shown = llm_url_redact(url, len);
		fprintf(stderr, "%s: endpoint '%s' is not an http:// or https:// URL\n", st->name, shown);
		free(shown);
		return -1;
	}
	ALLOC_GROW(o->endpoints, o->nendpoints + 1, o->endpoints_alloc);
	o->endpoints[o->nendpoints++] = u;
	return 0;
}

static int usage(struct stage *st, const char *opt, const char *want, const char *arg)
{
	fprintf(stderr, "%s: --%s wants %s, not '%s'\n", st->name, opt, want, arg);
	return -1;
}

int llm_options_parse(struct stage *st, struct llm_options *o, int id, const char *arg)
{
	struct llm_params *p = &o->params;
	json_error_t jerr;
	uint64_t size;
	long n;

	switch (id) {
	case OPT_ENDPOINT:
		return add_endpoint(st, o, arg, strlen(arg));
	case OPT_ENDPOINTS_FILE:
		o->endpoints_file = arg;
		return 0;
	case OPT_ENDPOINTS_WAIT:
		if (parse_double(arg, 0, 1e9, &o->endpoints_wait))
			return usage(st, "endpoints-wait", "seconds >= 0", arg);
		return 0;
	case OPT_API_KEY_ENV:
		o->api_key_env = arg;
		return 0;
	case OPT_MODEL:
		free(p->model);
		p->model = xstrdup(arg);
		return 0;
	case OPT_CONCURRENCY:
		if (parse_long(arg, 1, 100000, &o->concurrency))
			return usage(st, "concurrency", "1..100000", arg);
		return 0;
	case OPT_RPM:
		if (parse_double(arg, 0, 1e12, &o->rpm))
			return usage(st, "rpm", "a number >= 0", arg);
		return 0;
	case OPT_TPM:
		if (parse_double(arg, 0, 1e15, &o->tpm))
			return usage(st, "tpm", "a number >= 0", arg);
		return 0;
	case OPT_TIMEOUT:
		if (parse_double(arg, 0.001, 1e6, &o->timeout))
			return usage(st, "timeout", "seconds > 0", arg);
		return 0;
	case OPT_RETRIES:
		if (parse_long(arg, 0, 1000, &o->retries))
			return usage(st, "retries", "0..1000", arg);
		return 0;
	case OPT_TEMPERATURE:
		if (parse_double(arg, 0, 100, &p->temperature))
			return usage(st, "temperature", "a number >= 0", arg);
		return 0;
	case OPT_TOP_P:
		if (parse_double(arg, 0, 1, &p->top_p))
			return usage(st, "top-p", "a number in [0, 1]", arg);
		return 0;
	case OPT_MAX_TOKENS:
		if (parse_long(arg, 1, 100000000, &p->max_tokens))
			return usage(st, "max-tokens", "a positive integer", arg);
		return 0;
	case OPT_SEED:
		if (parse_long(arg, -(1L << 53), 1L << 53, &n))
			return usage(st, "seed", "an integer", arg);
		p->seed = n;
		p->has_seed = 1;
		return 0;
	case OPT_N:
		if (parse_long(arg, 1, 10000, &p->n))
			return usage(st, "n", "1..10000", arg);
		return 0;
	case OPT_STOP:
		if (!p->stop)
			p->stop = json_array();
		json_array_append_new(p->stop, json_string(arg));
		return 0;
	case OPT_EXTRA: {
		json_t *e = json_loads(arg, JSON_REJECT_DUPLICATES, &jerr);
		if (!e || !json_is_object(e)) {
			json_decref(e);
			return usage(st, "extra", "a JSON object", arg);
		}
		if (p->extra)
			json_object_update(p->extra, e);
		else
			p->extra = json_incref(e);
		json_decref(e);
		return 0;
	}
	case OPT_CACHE:
		o->cache_dir = arg;
		return 0;
	case OPT_CACHE_MODE:
		if ((o->cache_mode = llm_cache_mode_parse(arg)) < 0)
			return usage(st, "cache-mode", "rw, ro, refresh or off", arg);
		return 0;
	case OPT_CACHE_ERRORS:
		if (strcmp(arg, "fatal") && strcmp(arg, "warn"))
			return usage(st, "cache-errors", "fatal or warn", arg);
		o->cache_errors = !strcmp(arg, "warn") ? LLM_CACHE_ERRORS_WARN : LLM_CACHE_ERRORS_FATAL;
		return 0;
	case OPT_UNORDERED:
		o->unordered = 1;
		return 0;
	case OPT_WINDOW:
		if (parse_long(arg, 1, 100000000, &o->window))
			return usage(st, "window", "a positive integer", arg);
		return 0;
	case OPT_IMAGE_ROOT:
		o->image_root = arg;
		return 0;
	case OPT_ALLOW_ABSOLUTE_IMAGES:
		o->allow_absolute_images = 1;
		return 0;
	case OPT_MAX_IMAGE_BYTES:
		if (parse_size(arg, &size) || !size)
			return usage(st, "max-image-bytes", "a size such as 20M", arg);
		o->max_image_bytes = size;
		return 0;
	case OPT_STOP_GRACE:
		if (parse_double(arg, 0, 3600, &o->stop_grace))
			return usage(st, "stop-grace", "seconds in 0..3600", arg);
		return 0;
	}
	return 1;
}

/*
 * The file may not exist yet (the servers' jobs create it), but its
 * folder must: a mistyped path would otherwise wait --endpoints-wait.
 */
static int endpoints_file_check(struct stage *st, const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	struct stat sb;
	int r = 0;

	if (slash)
		slash[slash == dir] = '\0';
	if (stat(slash ? dir : ".", &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "%s: --endpoints-file %s: its folder does not exist\n", st->name, path);
		r = -1;
	} else if (!stat(path, &sb) && S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "%s: --endpoints-file %s is a folder\n", st->name, path);
		r = -1;
	}
	free(dir);
	return r;
}

static int add_endpoint_list(struct stage *st, struct llm_options *o, const char *list)
{
	const char *p = list;

	while (*p) {
		size_t len = strcspn(p, ",");
		if (add_endpoint(st, o, p, len) < 0)
			return -1;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

int llm_options_finish(struct stage *st, struct llm_options *o)
{
	const char *env;

	if (o->endpoints_file && endpoints_file_check(st, o->endpoints_file) < 0)
		return -1;
	if (!o->nendpoints && !o->endpoints_file && (env = getenv("SMELT_ENDPOINTS")) && *env &&
	    add_endpoint_list(st, o, env) < 0)
		return -1;
	if (!o->nendpoints && !o->endpoints_file && (env = getenv("OPENAI_BASE_URL")) && *env &&
	    add_endpoint_list(st, o, env) < 0)
		return -1;
	if (o->cache_mode < 0)
		o->cache_mode = o->cache_dir ? LLM_CACHE_RW : LLM_CACHE_OFF;
	if (o->cache_mode != LLM_CACHE_OFF && !o->cache_dir) {
		fprintf(stderr, "%s: --cache-mode %s needs --cache DIR\n", st->name,
			llm_cache_mode_name(o->cache_mode));
		return -1;
	}
	if (!o->nendpoints && !o->endpoints_file && o->cache_mode != LLM_CACHE_RO) {
		fprintf(stderr, "%s: no endpoint: give --endpoint URL or --endpoints-file FILE, or set "
			"SMELT_ENDPOINTS or OPENAI_BASE_URL\n", st->name);
		return -1;
	}
	if (!o->window)
		o->window = o->concurrency * 8 > 2048 ? o->concurrency * 8 : 2048;
	return 0;
}

void llm_options_engine_config(const struct llm_options *o, struct llm_engine_config *c)
{
	llm_engine_config_init(c);
	c->endpoints = (const char *const *)o->endpoints;
	c->nendpoints = o->nendpoints;
	c->endpoints_file = o->endpoints_file;
	c->endpoints_wait = o->endpoints_wait;
	c->api_key_env = o->api_key_env;
	c->concurrency = o->concurrency;
	c->rpm = o->rpm;
	c->tpm = o->tpm;
	c->timeout = o->timeout;
	c->retries = o->retries;
	c->cache_dir = o->cache_dir;
	c->cache_mode = o->cache_dir && o->cache_mode >= 0 ? (enum llm_cache_mode)o->cache_mode : LLM_CACHE_OFF;
	c->cache_errors = o->cache_errors;
}

struct llm_engine *llm_options_engine_new(const struct llm_options *o)
{
	struct llm_engine_config c;

	llm_options_engine_config(o, &c);
	return llm_engine_new(&c);
}

const char *llm_options_resume_hint(const struct llm_options *o, struct sbuf *sb)
{
	sbuf_reset(sb);
	if (o->cache_dir && o->cache_mode != LLM_CACHE_OFF)
		sbuf_addf(sb, "to resume, rerun the same command with the same --cache '%s'",
			  o->cache_dir);
	else
		sbuf_addstr(sb, "no --cache: a rerun asks every request again");
	return sb->buf;
}
