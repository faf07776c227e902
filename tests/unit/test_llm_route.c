/*
 * test_llm_route.c — the engine's route per call, against the loopback
 * fake server (support_fake_server.h) answering by URL path: where
 * a routed request lands (the server root, with or without /v1 in the
 * endpoint), the accept hook (a pooling answer is not a chat completion,
 * and an empty "data" is retried), per-route counts, cache keys that keep
 * routes apart and leave chat keys alone, a 404 on a route naming the
 * route in the fatal line, and the reject kinds of each status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <pthread.h>
#include <unistd.h>

#include <cmocka.h>

#include "llm/llm_engine.h"
#include "support_fake_server.h"

static const char *root;

static int setup(void **state)
{
	root = fake_server_start(FAKE_BY_PATH);
	unsetenv("OPENAI_API_KEY");
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
	enum llm_status status;
	int from_cache, attempts;
	json_t *response;
	char *message;
};

static void on_done(void *data, const struct llm_result *r)
{
	struct outcome *o = data;

	pthread_mutex_lock(&o->mu);
	o->status = r->status;
	o->from_cache = r->from_cache;
	o->attempts = r->attempts;
	o->response = r->response ? json_incref(r->response) : NULL;
	o->message = r->message ? strdup(r->message) : NULL;
	o->done = 1;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->mu);
}

/* Ask `route` with `accept` and wait for the answer; the caller releases o. */
static void ask(struct llm_engine *e, const char *route, llm_accept_fn *accept, struct outcome *o)
{
	struct llm_call call = { 0 };

	memset(o, 0, sizeof(*o));
	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->cv, NULL);
	call.body = xstrdup("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
	call.len = strlen(call.body);
	call.max_tokens = route ? 0 : -1;
	call.route = route;
	call.accept = accept;
	call.done = on_done;
	call.data = o;
	llm_engine_submit(e, &call);
	pthread_mutex_lock(&o->mu);
	while (!o->done)
		pthread_cond_wait(&o->cv, &o->mu);
	pthread_mutex_unlock(&o->mu);
}

static void outcome_release(struct outcome *o)
{
	json_decref(o->response);
	free(o->message);
	pthread_mutex_destroy(&o->mu);
	pthread_cond_destroy(&o->cv);
}

static const char *endpoint_list[1];

static void options(struct llm_engine_config *lo, const char *endpoint)
{
	llm_engine_config_init(lo);
	endpoint_list[0] = endpoint;
	lo->endpoints = endpoint_list;
	lo->nendpoints = 1;
	lo->retries = 2;
	lo->timeout = 10;
}

static void test_route_lands_at_the_server_root(void **state)
{
	char *v1 = xasprintf("%s/v1/", root);
	const char *endpoints[] = { v1, root };
	struct outcome o;

	for (size_t i = 0; i < 2; i++) {
		struct llm_engine_config lo;
		struct llm_engine *e;

		options(&lo, endpoints[i]);
		e = llm_engine_new(&lo);
		assert_non_null(e);
		fake_server_reset();
		ask(e, "/pooling", llm_accept_data, &o);
		assert_int_equal(o.status, LLM_OK);
		assert_true(json_is_array(json_object_get(o.response, "data")));
		outcome_release(&o);
		assert_int_equal(fake_server_counts().pooling, 1);
		assert_int_equal(fake_server_counts().chat, 0);
		llm_engine_free(e);
	}
	free(v1);
}

static void test_accept_hook_and_route_counts(void **state)
{
	struct llm_engine_config lo;
	struct llm_engine *e;
	struct outcome o;
	char *v1 = xasprintf("%s/v1", root);
	json_t *st, *routes;

	options(&lo, v1);
	e = llm_engine_new(&lo);
	fake_server_reset();
	ask(e, NULL, NULL, &o); /* the default: chat completions under the endpoint */
	assert_int_equal(o.status, LLM_OK);
	outcome_release(&o);
	assert_int_equal(fake_server_counts().chat, 1);
	/* a pooling answer is no chat completion: retried, then failed */
	ask(e, "/pooling", NULL, &o);
	assert_int_equal(o.status, LLM_FAILED);
	assert_int_equal(o.attempts, 3);
	assert_non_null(strstr(o.message, "no choices"));
	outcome_release(&o);
	/* nor is an empty "data" list a pooling answer */
	ask(e, "/empty", llm_accept_data, &o);
	assert_int_equal(o.status, LLM_FAILED);
	assert_non_null(strstr(o.message, "no data"));
	outcome_release(&o);
	assert_int_equal(fake_server_counts().empty, 3);
	ask(e, "/pooling", llm_accept_data, &o);
	assert_int_equal(o.status, LLM_OK);
	outcome_release(&o);

	st = llm_engine_stats_json(e);
	routes = json_object_get(st, "routes");
	assert_int_equal(json_object_size(routes), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(routes, "/chat/completions"), "ok")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(routes, "/pooling"), "requests")), 4);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(routes, "/pooling"), "ok")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(routes, "/empty"), "failed")), 1);
	assert_int_equal(json_integer_value(json_object_get(st, "requests")), 8);
	json_decref(st);
	llm_engine_free(e);
	free(v1);
}

static void test_missing_route_is_fatal(void **state)
{
	struct llm_engine_config lo;
	struct llm_engine *e;
	struct outcome o;
	char *v1 = xasprintf("%s/v1", root), *where = xasprintf("endpoint %s/classify: HTTP 404", root);

	options(&lo, v1);
	e = llm_engine_new(&lo);
	ask(e, "/classify", llm_accept_data, &o);
	assert_int_equal(o.status, LLM_ABORTED);
	outcome_release(&o);
	assert_non_null(llm_engine_fatal(e));
	assert_non_null(strstr(llm_engine_fatal(e), where));
	assert_non_null(strstr(llm_engine_fatal(e), "route"));
	llm_engine_free(e);
	free(v1);
	free(where);
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.') {
			char *p = xasprintf("%s/%s", dir, de->d_name);
			unlink(p);
			free(p);
		}
	if (d)
		closedir(d);
	rmdir(dir);
}

static void test_cache_keeps_routes_apart(void **state)
{
	const char *b = "{\"messages\":[]}";
	struct hash128 chat = llm_request_key(b, strlen(b), 0);
	char dir[] = "/tmp/smelt-route-cache.XXXXXX";
	char *v1 = xasprintf("%s/v1", root);
	struct llm_engine_config lo;
	struct llm_engine *e;
	struct outcome o;

	assert_true(hash128_eq(chat, llm_request_key_route(NULL, b, strlen(b), 0)));
	assert_false(hash128_eq(chat, llm_request_key_route("/pooling", b, strlen(b), 0)));
	assert_false(hash128_eq(llm_request_key_route("/pooling", b, strlen(b), 0),
				llm_request_key_route("/classify", b, strlen(b), 0)));
	assert_false(hash128_eq(llm_request_key_route("/pooling", b, strlen(b), 0),
				llm_request_key_route("/pooling", b, strlen(b), 1)));

	assert_non_null(mkdtemp(dir));
	options(&lo, v1);
	lo.cache_dir = dir;
	lo.cache_mode = LLM_CACHE_RW;
	e = llm_engine_new(&lo);
	fake_server_reset();
	/* the same body on two routes: two questions, then two hits */
	for (int round = 0; round < 2; round++) {
		ask(e, "/pooling", llm_accept_data, &o);
		assert_int_equal(o.status, LLM_OK);
		assert_int_equal(o.from_cache, round);
		assert_true(json_is_array(json_object_get(o.response, "data")));
		outcome_release(&o);
		ask(e, NULL, NULL, &o);
		assert_int_equal(o.status, LLM_OK);
		assert_int_equal(o.from_cache, round);
		assert_true(json_is_array(json_object_get(o.response, "choices")));
		outcome_release(&o);
	}
	assert_int_equal(fake_server_counts().pooling, 1);
	assert_int_equal(fake_server_counts().chat, 1);
	llm_engine_free(e);
	remove_dir(dir);
	free(v1);
}

static void test_reject_kinds_and_accept(void **state)
{
	const char *why = NULL;
	json_t *chat = json_loads(fake_server_chat_body, 0, NULL), *pool = json_loads(fake_server_pooling_body, 0, NULL);
	json_t *arr = json_array();

	assert_null(llm_status_reject_kind(LLM_OK));
	assert_string_equal(llm_status_reject_kind(LLM_REJECTED), "request_rejected");
	assert_string_equal(llm_status_reject_kind(LLM_FAILED), "request_failed");
	assert_string_equal(llm_status_reject_kind(LLM_CACHE_MISS), "cache_miss");
	assert_string_equal(llm_status_reject_kind(LLM_ABORTED), "aborted");
	assert_int_equal(llm_accept_completion(chat, &why), 0);
	assert_int_equal(llm_accept_completion(pool, &why), -1);
	assert_int_equal(llm_accept_data(pool, &why), 0);
	assert_int_equal(llm_accept_data(chat, &why), -1);
	assert_string_equal(why, "response has no data");
	assert_int_equal(llm_accept_data(arr, &why), -1);
	assert_string_equal(why, "response is not a JSON object");
	json_decref(chat);
	json_decref(pool);
	json_decref(arr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_lands_at_the_server_root),
		cmocka_unit_test(test_accept_hook_and_route_counts),
		cmocka_unit_test(test_missing_route_is_fatal),
		cmocka_unit_test(test_cache_keeps_routes_apart),
		cmocka_unit_test(test_reject_kinds_and_accept),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
