/*
 * test_llm_engine.c — the engine against the loopback fake server
 * (support_fake_server.h) whose behaviour the request text chooses: success,
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

#include "llm/llm_engine.h"
#include "support_fake_server.h"

#define KEY FAKE_SERVER_KEY

static char base[64];

static int setup(void **state)
{
	snprintf(base, sizeof(base), "%s/v1", fake_server_start(FAKE_BY_BODY));
	setenv("OPENAI_API_KEY", KEY, 1);
	return 0;
}

static int teardown(void **state)
{
	fake_server_stop();
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

static const char *endpoints[1];

static void options(struct llm_engine_config *lo)
{
	llm_engine_config_init(lo);
	endpoints[0] = base;
	lo->endpoints = endpoints;
	lo->nendpoints = 1;
	lo->retries = 3;
	lo->timeout = 10;
}

static void test_retries_and_errors(void **state)
{
	struct llm_engine_config lo;
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
	outcome_release(&o);
}

static void test_unauthorized_is_fatal(void **state)
{
	struct llm_engine_config lo;
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
	outcome_release(&o);
}

static void test_concurrency_cap(void **state)
{
	struct llm_engine_config lo;
	struct llm_engine *e;
	struct outcome o;

	options(&lo);
	lo.concurrency = 4;
	e = llm_engine_new(&lo);
	outcome_init(&o);
	fake_server_reset();
	for (int i = 0; i < 40; i++)
		submit(e, &o, i, 7);
	wait_all(&o, 40);
	for (int i = 0; i < 40; i++)
		assert_int_equal(o.status[i], LLM_OK);
	assert_true(fake_server_counts().peak <= 4);
	assert_true(fake_server_counts().peak >= 2);
	llm_engine_free(e);
	outcome_release(&o);
}

static void test_rpm_limit(void **state)
{
	struct llm_engine_config lo;
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
	outcome_release(&o);
}

static void test_cache_hits_ask_nothing(void **state)
{
	char dir[] = "/tmp/smelt-engine-cache.XXXXXX";
	struct llm_engine_config lo;
	struct llm_engine *e;
	struct outcome o;
	int before;

	assert_non_null(mkdtemp(dir));
	options(&lo);
	lo.cache_dir = dir;
	lo.cache_mode = LLM_CACHE_RW;
	e = llm_engine_new(&lo);
	outcome_init(&o);
	for (int i = 0; i < 10; i++)
		submit(e, &o, i, 8);
	wait_all(&o, 10);
	llm_engine_free(e);
	outcome_release(&o);
	before = fake_server_counts().mode[8];
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
	assert_int_equal(fake_server_counts().mode[8], 10);
	llm_engine_free(e);
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
