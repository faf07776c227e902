/*
 * test_mustache.c — the official Mustache spec suites, one cmocka test per
 * spec case (read at run time from $SMELT_SPEC_DIR, by default the copy in
 * tests/fixtures/mustache-spec, relative to the repository root where
 * tests/run.sh runs every test), then smelt's
 * own additions: no-escape mode, array-index names, value formatting,
 * compile errors with line numbers, partial indentation and concurrent
 * rendering of one compiled template.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/mustache.h"

static const char *const spec_files[] = {
	"comments", "interpolation", "sections", "inverted", "partials",
	"delimiters",
};

struct spec_case {
	char *name;
	json_t *test;	/* {name, desc, data, template, partials?, expected} */
};

/* Partials of a spec case come from its "partials" object, by name. */
static int spec_partial(void *data, const char *from, const char *name,
			struct sbuf *id, struct sbuf *text)
{
	const json_t *src = json_object_get(json_object_get(data, "partials"),
					    name);

	if (!json_is_string(src))
		return 1;
	sbuf_addstr(id, name);
	sbuf_add(text, json_string_value(src), json_string_length(src));
	return 0;
}

static void run_spec_case(void **state)
{
	const struct spec_case *sc = *state;
	const json_t *t = sc->test;
	const json_t *tmpl = json_object_get(t, "template");
	struct sbuf err = SBUF_INIT, out = SBUF_INIT;
	struct mustache *m;

	m = mustache_compile(json_string_value(tmpl), json_string_length(tmpl),
			     MUSTACHE_HTML_ESCAPE, spec_partial, (void *)t, &err);
	if (!m)
		fail_msg("%s: compile failed: %s", sc->name, err.buf);
	assert_int_equal(mustache_render(m, json_object_get(t, "data"), &out,
					 &err), 0);
	if (strcmp(out.buf, json_string_value(json_object_get(t, "expected"))))
		print_error("template: %s\n", json_string_value(tmpl));
	assert_string_equal(out.buf,
			    json_string_value(json_object_get(t, "expected")));
	mustache_free(m);
	sbuf_release(&out);
	sbuf_release(&err);
}

static void spec_dir_missing(void **state)
{
	fail_msg("cannot load the mustache spec: %s", (const char *)*state);
}

/* ---- smelt's own cases ---- */

static char *render(const char *tmpl, const char *json, unsigned flags)
{
	json_error_t jerr;
	json_t *ctx = json_loads(json, JSON_DECODE_ANY, &jerr);
	struct sbuf out = SBUF_INIT, err = SBUF_INIT;
	struct mustache *m;

	if (!ctx)
		fail_msg("bad test json: %s", jerr.text);
	m = mustache_compile(tmpl, strlen(tmpl), flags, NULL, NULL, &err);
	if (!m)
		fail_msg("compile failed: %s", err.buf);
	assert_int_equal(mustache_render(m, ctx, &out, &err), 0);
	mustache_free(m);
	json_decref(ctx);
	sbuf_release(&err);
	return sbuf_detach(&out, NULL);
}

static void check(const char *tmpl, const char *json, unsigned flags,
		  const char *expect)
{
	char *got = render(tmpl, json, flags);
	assert_string_equal(got, expect);
	free(got);
}

static void test_no_escape(void **state)
{
	check("{{x}} {{{x}}} {{&x}}", "{\"x\": \"a < b & \\\"c\\\"\"}", 0,
	      "a < b & \"c\" a < b & \"c\" a < b & \"c\"");
	check("{{x}}", "{\"x\": \"<b>\"}", MUSTACHE_HTML_ESCAPE, "&lt;b&gt;");
}

static void test_array_index(void **state)
{
	const char *rec = "{\"a\": {\"b\": [{\"c\": 1}, {\"c\": 2}, {\"c\": 3}]},"
			  " \"m\": [[\"x\", \"y\"], [\"z\"]]}";

	check("{{a.b[2].c}}", rec, 0, "3");
	check("{{a.b[0].c}}/{{a.b[-1].c}}/{{a.b.1.c}}", rec, 0, "1/3/2");
	check("{{m[0][1]}}{{m[1][0]}}", rec, 0, "yz");
	check("[{{a.b[3].c}}][{{a.b[-4].c}}][{{m[0].x}}]", rec, 0, "[][][]");
	check("{{#a.b[1]}}c={{c}}{{/a.b[1]}}", rec, 0, "c=2");
	check("{{#m}}{{[0]}};{{/m}}", rec, 0, "x;z;");
	check("{{#m}}{{#.}}{{.}}{{/.}}|{{/m}}", rec, 0, "xy|z|");
}

static void test_values(void **state)
{
	check("{{i}} {{r}} {{f}} {{t}} {{n}} {{missing}}",
	      "{\"i\": -42, \"r\": 0.1, \"f\": 2.0, \"t\": true, \"n\": null}",
	      0, "-42 0.1 2.0 true  ");
	check("{{o}} {{a}}", "{\"o\": {\"k\": [1, \"é\"]}, \"a\": []}", 0,
	      "{\"k\":[1,\"é\"]} []");
	check("{{#s}}yes{{/s}}{{^s}}no{{/s}}", "{\"s\": \"\"}", 0, "no");
	check("{{#z}}zero{{/z}}", "{\"z\": 0}", 0, "zero");
	check("{{#o}}{{k}}{{/o}}", "{\"o\": {\"k\": \"v\"}}", 0, "v");
	check("{{.}}", "\"top\"", 0, "top");
	check("{{.}}", "7", 0, "7");
}

static void expect_error(const char *tmpl, const char *want)
{
	struct sbuf err = SBUF_INIT;
	struct mustache *m = mustache_compile(tmpl, strlen(tmpl), 0, NULL,
					      NULL, &err);

	assert_null(m);
	if (!strstr(err.buf, want))
		fail_msg("error '%s' does not contain '%s'", err.buf, want);
	sbuf_release(&err);
}

static void test_errors(void **state)
{
	expect_error("a\nb\n{{#items}}\nx\n", "line 3: unclosed section 'items'");
	expect_error("{{#a}}\n{{/b}}", "line 2: closing tag 'b' does not match section 'a' opened at line 1");
	expect_error("x\n\n{{/a}}", "line 3: closing tag 'a' without a section");
	expect_error("one\n{{=<% %> %>=}}", "line 2: bad delimiters");
	expect_error("{{= x =}}", "line 1: bad delimiters");
	expect_error("ok\nok {{name", "line 2: unclosed tag");
	expect_error("{{a..b}}", "bad name 'a..b'");
	expect_error("{{a[x]}}", "bad name");
	expect_error("{{}}", "empty tag");
}

/* A tree of partials: indentation accumulates through standalone tags. */
static int tree_partial(void *data, const char *from, const char *name,
			struct sbuf *id, struct sbuf *text)
{
	if (!strcmp(name, "outer"))
		sbuf_addstr(text, "<\n  {{>inner}}\n>\n");
	else if (!strcmp(name, "inner"))
		sbuf_addstr(text, "i1\n{{#xs}}\n- {{.}}\n{{/xs}}\ni2\n");
	else if (!strcmp(name, "self"))
		sbuf_addstr(text, "{{>self}}");
	else if (!strcmp(name, "broken")) {
		sbuf_addstr(text, "cannot read it");
		return -1;
	} else
		return 1;
	sbuf_addstr(id, name);
	return 0;
}

static void expect_render_error(const char *src, const json_t *ctx,
				const char *want)
{
	struct sbuf out = SBUF_INIT, err = SBUF_INIT;
	struct mustache *m = mustache_compile(src, strlen(src), 0, tree_partial,
					      NULL, &err);

	assert_non_null(m);
	assert_int_equal(mustache_render(m, ctx, &out, &err), -1);
	if (!strstr(err.buf, want))
		fail_msg("error '%s' does not contain '%s'", err.buf, want);
	mustache_free(m);
	sbuf_release(&out);
	sbuf_release(&err);
}

/* Deep templates are refused with a message; a deep context renders. */
static void test_deep(void **state)
{
	struct sbuf src = SBUF_INIT, out = SBUF_INIT, err = SBUF_INIT;
	json_t *ctx = json_integer(7);
	struct mustache *m;

	/* A record 2000 levels deep: {"a":{"a":...7...}}, dumped whole by {{a}}. */
	for (int i = 0; i < 2000; i++)
		ctx = json_pack("{s:o}", "a", ctx);
	m = mustache_compile("{{a}}", 5, 0, NULL, NULL, &err);
	assert_non_null(m);
	assert_int_equal(mustache_render(m, ctx, &out, &err), 0);
	assert_int_equal(out.len, 1999 * strlen("{\"a\":}") + 1);
	mustache_free(m);

	/* 100 nested sections walk 100 levels of it; 101 are refused. */
	for (int i = 0; i < 101; i++)
		sbuf_addstr(&src, "{{#a}}");
	for (int i = 0; i < 101; i++)
		sbuf_addstr(&src, "{{/a}}");
	sbuf_reset(&err);
	assert_null(mustache_compile(src.buf, src.len, 0, NULL, NULL, &err));
	assert_non_null(strstr(err.buf, "sections nested too deeply"));
	sbuf_reset(&src);
	for (int i = 0; i < 100; i++)
		sbuf_addstr(&src, "{{#a}}");
	sbuf_addstr(&src, "x");
	for (int i = 0; i < 100; i++)
		sbuf_addstr(&src, "{{/a}}");
	m = mustache_compile(src.buf, src.len, 0, NULL, NULL, &err);
	assert_non_null(m);
	sbuf_reset(&out);
	assert_int_equal(mustache_render(m, ctx, &out, &err), 0);
	assert_string_equal(out.buf, "x");
	mustache_free(m);
	json_decref(ctx);
	sbuf_release(&src);
	sbuf_release(&out);
	sbuf_release(&err);
}

static void test_partials(void **state)
{
	const char *src = "top\n    {{>outer}}\nend";
	json_t *ctx = json_pack("{s:[s,s]}", "xs", "a", "b\nc");
	struct sbuf out = SBUF_INIT, err = SBUF_INIT;
	struct mustache *m = mustache_compile(src, strlen(src), 0, tree_partial,
					      NULL, &err);

	assert_non_null(m);
	assert_int_equal(mustache_render(m, ctx, &out, &err), 0);
	/* data containing a newline is not indented, only template lines */
	assert_string_equal(out.buf, "top\n    <\n      i1\n      - a\n"
				     "      - b\nc\n      i2\n    >\nend");
	mustache_free(m);

	/* endless recursion is stopped, not a stack overflow */
	expect_render_error("{{>self}}", ctx, "nested deeper");
	/* nested loops that would run for ages are cut off */
	{
		struct sbuf deep = SBUF_INIT;
		for (int i = 0; i < 40; i++)
			sbuf_addstr(&deep, "{{#xs}}");
		sbuf_addstr(&deep, "{{.}}");
		for (int i = 0; i < 40; i++)
			sbuf_addstr(&deep, "{{/xs}}");
		expect_render_error(deep.buf, ctx, "steps");
		sbuf_release(&deep);
	}

	sbuf_reset(&err);
	m = mustache_compile("a\n{{>broken}}", 13, 0, tree_partial, NULL, &err);
	assert_null(m);
	assert_string_equal(err.buf, "line 2: partial 'broken': cannot read it");
	json_decref(ctx);
	sbuf_release(&out);
	sbuf_release(&err);
}

struct thread_job {
	const struct mustache *m;
	json_t *ctx;
	const char *expect;
	int bad;
};

static void *render_many(void *arg)
{
	struct thread_job *job = arg;
	struct sbuf out = SBUF_INIT;

	for (int i = 0; i < 2000; i++) {
		sbuf_reset(&out);
		if (mustache_render(job->m, job->ctx, &out, NULL) ||
		    strcmp(out.buf, job->expect))
			job->bad++;
	}
	sbuf_release(&out);
	return NULL;
}

static void test_threads(void **state)
{
	const char *src = "{{#items}}{{name}}={{v}}{{^last}}, {{/last}}{{/items}}";
	struct mustache *m = mustache_compile(src, strlen(src), 0, NULL, NULL,
					      NULL);
	struct thread_job jobs[4];
	pthread_t th[4];

	assert_non_null(m);
	for (int i = 0; i < 4; i++) {
		jobs[i].m = m;
		jobs[i].bad = 0;
		jobs[i].ctx = json_pack("{s:[{s:s,s:i},{s:s,s:i,s:b}]}", "items",
					"name", i % 2 ? "a" : "b", "v", i,
					"name", "z", "v", 10 * i, "last", 1);
		jobs[i].expect = xasprintf("%s=%d, z=%d", i % 2 ? "a" : "b", i,
					   10 * i);
		assert_int_equal(pthread_create(&th[i], NULL, render_many,
						&jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(jobs[i].bad, 0);
		json_decref(jobs[i].ctx);
		free((char *)jobs[i].expect);
	}
	mustache_free(m);
}

int main(void)
{
	const char *dir = getenv("SMELT_SPEC_DIR");
	struct CMUnitTest *tests = NULL;
	struct spec_case *cases = NULL;
	size_t nr = 0, alloc = 0, nr_cases = 0, alloc_cases = 0;
	json_t *files[ARRAY_SIZE(spec_files)] = { NULL };
	static const struct CMUnitTest own[] = {
		cmocka_unit_test(test_no_escape),
		cmocka_unit_test(test_array_index),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_partials),
		cmocka_unit_test(test_deep),
		cmocka_unit_test(test_threads),
	};
	char *problem = NULL;
	int failed;

	if (!dir)
		dir = "tests/fixtures/mustache-spec";
	for (size_t f = 0; f < ARRAY_SIZE(spec_files) && !problem; f++) {
		char *path = xasprintf("%s/%s.json", dir, spec_files[f]);
		json_error_t jerr;
		json_t *tests_arr;

		files[f] = json_load_file(path, 0, &jerr);
		tests_arr = json_object_get(files[f], "tests");
		if (!json_array_size(tests_arr))
			problem = xasprintf("%s: %s", path,
					    files[f] ? "no tests" : jerr.text);
		for (size_t i = 0; i < json_array_size(tests_arr); i++) {
			json_t *t = json_array_get(tests_arr, i);
			ALLOC_GROW(cases, nr_cases + 1, alloc_cases);
			cases[nr_cases].test = t;
			cases[nr_cases].name = xasprintf("%s: %s", spec_files[f],
				json_string_value(json_object_get(t, "name")));
			nr_cases++;
		}
		free(path);
	}
	/* the cases array is complete: now it is safe to point into it */
	for (size_t i = 0; i < nr_cases; i++) {
		ALLOC_GROW(tests, nr + 1, alloc);
		tests[nr++] = (struct CMUnitTest){ cases[i].name, run_spec_case,
						   NULL, NULL, &cases[i] };
	}
	if (problem) {
		ALLOC_GROW(tests, nr + 1, alloc);
		tests[nr++] = (struct CMUnitTest){ "load mustache spec",
						   spec_dir_missing, NULL,
						   NULL, problem };
	}
	failed = _cmocka_run_group_tests("mustache spec", tests, nr, NULL, NULL);
	failed += cmocka_run_group_tests(own, NULL, NULL);

	for (size_t i = 0; i < nr_cases; i++)
		free(cases[i].name);
	for (size_t f = 0; f < ARRAY_SIZE(spec_files); f++)
		json_decref(files[f]);
	free(cases);
	free(tests);
	free(problem);
	return failed ? 1 : 0;
}
