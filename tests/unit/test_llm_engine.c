/*
 * test_llm_engine.c — the engine against a small in-process HTTP server
 * (libmicrohttpd) whose behaviour the request text chooses: success,
 * Retry-After as an HTTP date, a malformed body then success, a body
 * without choices, lasting 503s, a 400 that echoes the Authorization
 * header (the key must come back masked), a 401 before any success
 * (fatal), the concurrency cap, the requests-per-minute limit, and cache
 * hits that ask nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <pthread.h>

#include <cmocka.h>
#include <microhttpd.h>

#include "llm/llm_engine.h"
#include "stage/llm_options.h"

#define KEY "sk-test-ECHO-4242"

static struct MHD_Daemon *daemon_;
static char base[64];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int arrivals[16], active, peak;

struct upload {
	char *data;
	size_t len;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *body,
			     const char *retry_after)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
								 MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	MHD_add_response_header(r, "Content-Type", "application/json");
	if (retry_after)
		MHD_add_response_header(r, "Retry-After", retry_after);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static const char ok_body[] =
	"{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"fine\"}}],"
	"\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}";

/* The mode is the digit after "mode" in the body; arrivals are counted per mode. */
static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *data,
			       size_t *size, void **con_cls)
{
	struct upload *u = *con_cls;
	const char *m;
	int mode, k;
	char msg[256], date[64];

	if (!u) {
		*con_cls = calloc(1, sizeof(struct upload));
		return MHD_YES;
	}
	if (*size) {
		u->data = realloc(u->data, u->len + *size + 1);
		memcpy(u->data + u->len, data, *size);
		u->len += *size;
		u->data[u->len] = '\0';
		*size = 0;
		return MHD_YES;
	}
	m = u->data ? strstr(u->data, "mode") : NULL;
	mode = m ? m[4] - '0' : 0;
	/* Only the concurrency test's requests (mode 7) count towards the
	 * peak: a straggler from an earlier test must not inflate it. */
	pthread_mutex_lock(&mu);
	k = arrivals[mode]++;
	if (mode == 7 && ++active > peak)
		peak = active;
	pthread_mutex_unlock(&mu);
	if (mode == 7) {
		usleep(30000);
		pthread_mutex_lock(&mu);
		active--;
		pthread_mutex_unlock(&mu);
	}
	switch (mode) {
	case 1: { /* 429 until a Retry-After date two seconds ahead */
		time_t t = time(NULL) + 2;
		strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", gmtime(&t));
		if (k == 0)
			return reply(c, 429, "{\"error\":{\"message\":\"slow down\"}}", date);
		return reply(c, 200, ok_body, NULL);
	}
	case 2: /* malformed once */
		return k == 0 ? reply(c, 200, "{\"choices\": [", NULL) : reply(c, 200, ok_body, NULL);
	case 3:
		return reply(c, 200, "{\"choices\":[]}", NULL);
	case 4:
		return reply(c, 503, "{\"error\":{\"message\":\"overloaded\"}}", NULL);
	case 5: /* echoes the key */
		snprintf(msg, sizeof(msg), "{\"error\":{\"message\":\"bad request with %s\"}}",
			 MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"));
		return reply(c, 400, msg, NULL);
	case 6:
		return reply(c, 401, "{\"error\":{\"message\":\"Incorrect API key provided: " KEY "\"}}", NULL);
	default:
		return reply(c, 200, ok_body, NULL);
	}
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct upload *u = *con_cls;

	if (u) {
		free(u->data);
		free(u);
	}
	*con_cls = NULL;
}

static int setup(void **state)
{
	daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
				   MHD_USE_ERROR_LOG, 0, NULL, NULL, handler, NULL,
				   MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
				   MHD_OPTION_CONNECTION_LIMIT, 2000u, MHD_OPTION_END);
	assert_non_null(daemon_);
	snprintf(base, sizeof(base), "http://127.0.0.1:%u/v1",
		 MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT)->port);
	setenv("OPENAI_API_KEY", KEY, 1);
	return 0;
}

static int teardown(void **state)
{
	MHD_stop_daemon(daemon_);
	return 0;
}

struct outcome {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done;
	enum llm_status status[64];
	int attempts[64], from_cache[64];
	char *message[64];
};

struct slot {
	struct outcome *o;
	int i;
};

static void on_done(void *data, const struct llm_result *r)
{
	struct slot *s = data;
	struct outcome *o = s->o;

	pthread_mutex_lock(&o->mu);
	o->status[s->i] = r->status;
	o->attempts[s->i] = r->attempts;
	o->from_cache[s->i] = r->from_cache;
	o->message[s->i] = r->message ? strdup(r->message) : NULL;
	o->done++;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->mu);
	free(s);
}

static void submit(struct llm_engine *e, struct outcome *o, int i, int mode)
{
	struct llm_call call = { 0 };
	struct slot *s = calloc(1, sizeof(*s));

	s->o = o;
	s->i = i;
	call.body = xasprintf("{\"messages\":[{\"role\":\"user\",\"content\":\"mode%d #%d\"}]}", mode, i);
	call.len = strlen(call.body);
	call.max_tokens = -1;
	call.done = on_done;
	call.data = s;
	llm_engine_submit(e, &call);
}

static void wait_all(struct outcome *o, int n)
{
	pthread_mutex_lock(&o->mu);
	while (o->done < n)
		pthread_cond_wait(&o->cv, &o->mu);
	pthread_mutex_unlock(&o->mu);
}

static void outcome_init(struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->cv, NULL);
}

static void outcome_release(struct outcome *o)
{
	for (int i = 0; i < 64; i++)
		free(o->message[i]);
}

static void options(struct llm_options *lo)
{
	llm_options_init(lo);
	lo->endpoints = xcalloc(1, sizeof(char *));
	lo->endpoints[0] = xstrdup(base);
	lo->nendpoints = lo->endpoints_alloc = 1;
	lo->retries = 3;
	lo->timeout = 10;
	lo->cache_mode = 0;
}

static void test_retries_and_errors(void **state)
{
	struct llm_options lo;
	struct llm_engine *e;
	struct outcome o;
	double t0;
	json_t *st;

	options(&lo);
	e = llm_engine_new(&lo);
	assert_non_null(e);
	outcome_init(&o);
	/* a success first, so that the 4xx below is not taken as a bad configuration */
	submit(e, &o, 0, 0);
	wait_all(&o, 1);
	t0 = now_seconds();
	submit(e, &o, 1, 1);
	submit(e, &o, 2, 2);
	submit(e, &o, 3, 3);
	submit(e, &o, 4, 4);
	submit(e, &o, 5, 5);
	wait_all(&o, 6);
	assert_int_equal(o.status[0], LLM_OK);
	assert_int_equal(o.status[1], LLM_OK);
	assert_int_equal(o.attempts[1], 2);
	assert_true(now_seconds() - t0 >= 1.0); /* waited for the Retry-After date */
	assert_int_equal(o.status[2], LLM_OK);
	assert_int_equal(o.attempts[2], 2);
	assert_int_equal(o.status[3], LLM_FAILED);
	assert_int_equal(o.attempts[3], 4);
	assert_non_null(strstr(o.message[3], "no choices"));
	assert_int_equal(o.status[4], LLM_FAILED);
	assert_non_null(strstr(o.message[4], "503"));
	assert_non_null(strstr(o.message[4], "overloaded"));
	assert_int_equal(o.status[5], LLM_REJECTED);
	assert_int_equal(o.attempts[5], 1);
	assert_non_null(strstr(o.message[5], "HTTP 400: bad request with Bearer ***"));
	assert_null(strstr(o.message[5], KEY));
	assert_null(llm_engine_fatal(e));

	st = llm_engine_stats_json(e);
	{
		char *s = json_dumps(st, 0);
		assert_null(strstr(s, KEY));
		free(s);
	}
	assert_int_equal(json_integer_value(json_object_get(json_object_get(st, "retries"), "429")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(st, "retries"), "bad_body")), 4);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(st, "retries"), "5xx")), 3);
	assert_int_equal(json_integer_value(json_object_get(st, "rejected")), 1);
	assert_int_equal(json_integer_value(json_object_get(st, "failed")), 2);
	assert_int_equal(json_integer_value(json_object_get(st, "ok")), 3);
	json_decref(st);
	llm_engine_free(e);
	llm_options_release(&lo);
	outcome_release(&o);
}

static void test_unauthorized_is_fatal(void **state)
{
	struct llm_options lo;
	struct llm_engine *e;
	struct outcome o;
	const char *f;

	options(&lo);
	e = llm_engine_new(&lo);
	outcome_init(&o);
	for (int i = 0; i < 20; i++)
		submit(e, &o, i, 6);
	wait_all(&o, 20);
	f = llm_engine_fatal(e);
	assert_non_null(f);
	assert_non_null(strstr(f, "HTTP 401"));
	assert_non_null(strstr(f, base));
	assert_null(strstr(f, KEY));
	for (int i = 0; i < 20; i++)
		assert_int_equal(o.status[i], LLM_ABORTED);
	/* later requests end at once */
	submit(e, &o, 20, 0);
	wait_all(&o, 21);
	assert_int_equal(o.status[20], LLM_ABORTED);
	llm_engine_free(e);
	llm_options_release(&lo);
	outcome_release(&o);
}

static void test_concurrency_cap(void **state)
{
	struct llm_options lo;
	struct llm_engine *e;
	struct outcome o;

	options(&lo);
	lo.concurrency = 4;
	e = llm_engine_new(&lo);
	outcome_init(&o);
	peak = 0;
	for (int i = 0; i < 40; i++)
		submit(e, &o, i, 7);
	wait_all(&o, 40);
	for (int i = 0; i < 40; i++)
		assert_int_equal(o.status[i], LLM_OK);
	assert_true(peak <= 4);
	assert_true(peak >= 2);
	llm_engine_free(e);
	llm_options_release(&lo);
	outcome_release(&o);
}

static void test_rpm_limit(void **state)
{
	struct llm_options lo;
	struct llm_engine *e;
	struct outcome o;
	double t0 = now_seconds();

	options(&lo);
	lo.rpm = 120; /* two a second */
	e = llm_engine_new(&lo);
	outcome_init(&o);
	for (int i = 0; i < 6; i++)
		submit(e, &o, i, 0);
	wait_all(&o, 6);
	assert_true(now_seconds() - t0 >= 1.4);
	llm_engine_free(e);
	llm_options_release(&lo);
	outcome_release(&o);
}

static void test_cache_hits_ask_nothing(void **state)
{
	char dir[] = "/tmp/smelt-engine-cache.XXXXXX";
	struct llm_options lo;
	struct llm_engine *e;
	struct outcome o;
	int before;

	assert_non_null(mkdtemp(dir));
	options(&lo);
	lo.cache_dir = dir;
	lo.cache_mode = 1; /* rw */
	e = llm_engine_new(&lo);
	outcome_init(&o);
	for (int i = 0; i < 10; i++)
		submit(e, &o, i, 8);
	wait_all(&o, 10);
	llm_engine_free(e);
	outcome_release(&o);
	pthread_mutex_lock(&mu);
	before = arrivals[8];
	pthread_mutex_unlock(&mu);
	assert_int_equal(before, 10);

	e = llm_engine_new(&lo);
	outcome_init(&o);
	for (int i = 0; i < 10; i++)
		submit(e, &o, i, 8);
	wait_all(&o, 10);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(o.status[i], LLM_OK);
		assert_int_equal(o.from_cache[i], 1);
		assert_int_equal(o.attempts[i], 0);
	}
	assert_int_equal(arrivals[8], 10);
	llm_engine_free(e);
	llm_options_release(&lo);
	outcome_release(&o);
	{
		DIR *d = opendir(dir);
		struct dirent *de;
		while ((de = readdir(d)))
			if (de->d_name[0] != '.') {
				char *p = xasprintf("%s/%s", dir, de->d_name);
				unlink(p);
				free(p);
			}
		closedir(d);
		rmdir(dir);
	}
}

static void test_sample_index_in_key(void **state)
{
	const char *b = "{\"messages\":[]}";
	struct hash128 k1 = llm_request_key(b, strlen(b), 0), k2 = llm_request_key(b, strlen(b), 1);

	assert_false(hash128_eq(k1, k2)); /* the sample index is in the key */
	assert_true(hash128_eq(k1, llm_request_key(b, strlen(b), 0)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retries_and_errors),
		cmocka_unit_test(test_unauthorized_is_fatal),
		cmocka_unit_test(test_concurrency_cap),
		cmocka_unit_test(test_rpm_limit),
		cmocka_unit_test(test_cache_hits_ask_nothing),
		cmocka_unit_test(test_sample_index_in_key),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
