/*
 * test_llm_endpoints.c — the endpoints file without a server: which lines
 * become endpoints (comments, a URL with a trailing comment, repeats, bad
 * lines counted), that a new endpoint is not chosen before its health
 * check passes, that a failed check rests it, that a removed line is
 * marked removed and a line added back is checked again, and the wait for
 * a usable endpoint running out, and /models asked when /health is not
 * served. The clock is passed in, so nothing waits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/util.h"
#include "llm/llm_endpoints.h"
#include "support_fake_server.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char path[64];

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	int fd;

	(void)state;
	strcpy(path, "/tmp/smelt-eps.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

/* Let every health check in flight finish and hand each to the set. */
static void run_checks(struct llm_endpoints *s, CURLM *multi, double now)
{
	int running = 1, left;
	CURLMsg *m;

	while (running) {
		curl_multi_perform(multi, &running);
		if (running)
			curl_multi_poll(multi, NULL, 0, 100, NULL);
	}
	while ((m = curl_multi_info_read(multi, &left)))
		if (m->msg == CURLMSG_DONE)
			assert_int_equal(llm_endpoints_probe_done(s, multi, m->easy_handle, m->data.result, now), 1);
}

static void test_url_clean(void **state)
{
	char *u;

	(void)state;
	assert_int_equal(llm_endpoint_url_clean("  http://h:1/v1//  ", 19, &u), 0);
	assert_string_equal(u, "http://h:1/v1");
	free(u);
	assert_int_equal(llm_endpoint_url_clean("https://h/v1", 12, &u), 0);
	free(u);
	assert_int_equal(llm_endpoint_url_clean(" \t/ ", 4, &u), 1);
	assert_null(u);
	assert_int_equal(llm_endpoint_url_clean("ftp://h/v1", 10, &u), -1);
	assert_null(u);
	assert_int_equal(llm_endpoint_url_clean("http:/", 6, &u), -1);
}

static void test_file_lines(void **state)
{
	struct llm_endpoints s;
	CURLM *multi = curl_multi_init();
	char *fatal;
	double wait = 0;

	(void)state;
	/* port 1 on loopback refuses: every health check fails at once */
	write_file("# servers\n\n"
		   "http://127.0.0.1:1/v1   # the first\n"
		   "  http://127.0.0.1:1/v1/\n"          /* the same, once */
		   "http://u:p@127.0.0.1:2/v1\n"
		   "gpu1:8000/v1\n"                      /* no scheme */
		   "http://127.0.0.1:3/v1 extra\n");     /* two words */
	llm_endpoints_init(&s, &lock, 1);
	llm_endpoints_watch(&s, path, 5, 2, NULL);
	llm_endpoints_tick(&s, multi, 100, 0, &fatal);
	assert_null(fatal);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.nbad, 2);
	assert_int_equal(s.reads, 1);
	assert_string_equal(s.v[0]->base, "http://127.0.0.1:1/v1");
	assert_string_equal(s.v[1]->base, "http://127.0.0.1:2/v1"); /* credentials never shown */
	for (size_t i = 0; i < s.n; i++) {
		assert_int_equal(s.v[i]->state, LLM_EP_CHECKING);
		assert_non_null(s.v[i]->probe);
	}
	/* not chosen before its check passes */
	assert_null(llm_endpoints_pick(&s, 100, &wait));

	run_checks(&s, multi, 100.5);
	for (size_t i = 0; i < s.n; i++) {
		assert_int_equal(s.v[i]->state, LLM_EP_CHECKING);
		assert_null(s.v[i]->probe);
		assert_true(s.v[i]->rested_until > 100.5);
		assert_int_equal(s.v[i]->rests, 1);
		assert_true(strlen(s.v[i]->last_error) > 0);
	}

	/* a second later, unchanged file: not read again */
	llm_endpoints_tick(&s, multi, 101.5, 0, &fatal);
	run_checks(&s, multi, 101.5);
	assert_int_equal(s.reads, 1);

	/* the first line goes: removed, its counts kept */
	write_file("http://u:p@127.0.0.1:2/v1\n");
	llm_endpoints_tick(&s, multi, 103, 0, &fatal);
	run_checks(&s, multi, 103);
	assert_int_equal(s.reads, 2);
	assert_int_equal(s.nbad, 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[0]->state, LLM_EP_REMOVED);
	assert_int_equal(s.v[1]->state, LLM_EP_CHECKING);

	/* and comes back: checked again from the start */
	write_file("http://u:p@127.0.0.1:2/v1\nhttp://127.0.0.1:1/v1\n");
	llm_endpoints_tick(&s, multi, 105, 0, &fatal);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[0]->state, LLM_EP_CHECKING);
	assert_non_null(s.v[0]->probe);
	run_checks(&s, multi, 105);

	/* nothing usable: wait, then give up after the limit (5 s) naming each endpoint */
	llm_endpoints_tick(&s, multi, 106, 1, &fatal);
	assert_null(fatal);
	run_checks(&s, multi, 106);
	llm_endpoints_tick(&s, multi, 111.5, 1, &fatal);
	assert_non_null(fatal);
	assert_non_null(strstr(fatal, "no usable endpoint in"));
	assert_non_null(strstr(fatal, "http://127.0.0.1:2/v1 ("));
	assert_null(strstr(fatal, "u:p@"));
	free(fatal);

	llm_endpoints_release(&s, multi);
	curl_multi_cleanup(multi);
}

static void test_empty_file_and_static(void **state)
{
	struct llm_endpoints s;
	CURLM *multi = curl_multi_init();
	char *fatal;
	double wait = 0;

	(void)state;
	write_file("");
	llm_endpoints_init(&s, &lock, 1);
	llm_endpoints_watch(&s, path, 0, 2, NULL);
	llm_endpoints_tick(&s, multi, 10, 1, &fatal);
	/* 0 = wait for ever */
	llm_endpoints_tick(&s, multi, 100000, 1, &fatal);
	assert_null(fatal);
	assert_null(llm_endpoints_pick(&s, 100000, &wait));
	/* an endpoint given on the command line is used at once, never checked */
	llm_endpoints_add(&s, "http://127.0.0.1:1/v1");
	assert_ptr_equal(llm_endpoints_pick(&s, 100000, &wait), s.v[0]);
	assert_null(s.v[0]->probe);
	llm_endpoints_release(&s, multi);
	curl_multi_cleanup(multi);
}

/* A server without /health (404) is asked for /models next, at once. */
static void test_models_fallback(void **state)
{
	struct llm_endpoints s;
	CURLM *multi = curl_multi_init();
	const char *root = fake_server_start(FAKE_BY_PATH); /* 404 for both */
	char *fatal;
	FILE *f = fopen(path, "w");

	(void)state;
	assert_non_null(f);
	fprintf(f, "%s/v1\n", root);
	fclose(f);
	llm_endpoints_init(&s, &lock, 1);
	llm_endpoints_watch(&s, path, 0, 2, NULL);
	llm_endpoints_tick(&s, multi, 10, 0, &fatal);
	run_checks(&s, multi, 10);      /* /health: 404 */
	assert_int_equal(s.v[0]->rests, 0);
	llm_endpoints_tick(&s, multi, 10, 0, &fatal);
	run_checks(&s, multi, 10);      /* /v1/models: 404 too */
	assert_int_equal(s.v[0]->health_checks, 2);
	assert_int_equal(s.v[0]->rests, 1);
	assert_string_equal(s.v[0]->last_error, "HTTP 404 from /models");
	assert_int_equal(s.v[0]->state, LLM_EP_CHECKING);
	llm_endpoints_release(&s, multi);
	curl_multi_cleanup(multi);
	fake_server_stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_clean),
		cmocka_unit_test_setup_teardown(test_file_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_file_and_static, setup, teardown),
		cmocka_unit_test_setup_teardown(test_models_fallback, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
