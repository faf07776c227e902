/*
 * test_condor_prompts.c — both Condor prompt sets (prompts/condor/LANG/
 * and LANG/paper/) with the example pools: the pools load; a record's
 * draw is fixed by seed and id (and K is a prefix of a larger K); the
 * question prompts render the drawn examples and the lines smelt-sim keys
 * on; their parsers keep a reply missing a level; the critique parsers
 * read the set's own markers (zh paper: 改进意见) and the refine prompts
 * render them. Runs from the repository root (tests/run.sh does).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "condor/knowledge_tree.h"
#include "condor/kt_examples.h"
#include "text/prompt_file.h"
#include "text/reply_parse.h"

struct set {
	const char *dir, *theme, *suggestion;
	const char *reply_partial, *critique;
};

static const struct set sets[] = {
	{ "en", "Theme: ", "Suggestion",
	  "[Easy][Question Start]e?[Question End]\n\n[Hard][Question Start]h?[Question End]",
	  "[Critique Start][Strength Start]s[Strength End][Weakness Start]w[Weakness End]"
	  "[Suggestion Start]SUGGESTED[Suggestion End][Critique End]" },
	{ "en/paper", "Theme: ", "Suggestion",
	  "[Easy][Question Start]e?[Question End]\n\n[Hard][Question Start]h?[Question End]",
	  "[Critique Start][Strength Start]s[Strength End][Weakness Start]w[Weakness End]"
	  "[Suggestion Start]SUGGESTED[Suggestion End][Critique End]" },
	{ "zh", "主题：", "建议",
	  "[简单][问题开始]e？[问题结束]\n\n[困难][问题开始]h？[问题结束]",
	  "[评价开始][优点开始]s[优点结束][缺点开始]w[缺点结束][建议开始]SUGGESTED[建议结束][评价结束]" },
	{ "zh/paper", "主题：", "改进意见",
	  "[简单][问题开始]e？[问题结束]\n\n[困难][问题开始]h？[问题结束]",
	  "[评价开始][优点开始]s[优点结束][缺点开始]w[缺点结束][改进意见开始]SUGGESTED[改进意见结束][评价结束]" },
};

static struct prompt_file *load(const struct set *s, const char *name)
{
	char path[128];
	struct prompt_file *pf;

	snprintf(path, sizeof(path), "prompts/condor/%s/%s.prompt", s->dir, name);
	pf = prompt_file_load(path);
	assert_non_null(pf);
	return pf;
}

/* All message contents of a rendered prompt, joined. */
static char *render_text(const struct prompt_file *pf, const json_t *rec)
{
	json_t *msgs = prompt_file_render(pf, rec, NULL), *m;
	struct sbuf sb = SBUF_INIT;
	size_t i;

	assert_non_null(msgs);
	json_array_foreach(msgs, i, m) {
		sbuf_addstr(&sb, json_string_value(json_object_get(m, "content")));
		sbuf_addch(&sb, '\n');
	}
	json_decref(msgs);
	return sbuf_detach(&sb, NULL);
}

static json_t *parse(const struct prompt_file *pf, const char *reply)
{
	struct reply_parser *p = reply_parser_new(prompt_file_defaults(pf), NULL);
	json_t *v;

	assert_non_null(p);
	v = reply_parser_apply(p, reply, strlen(reply), NULL);
	reply_parser_free(p);
	return v;
}

/* A language's data file: BEFORE + lang + AFTER. */
static const char *lang_file(const char *before, const char *lang, const char *after)
{
	static char path[96];

	snprintf(path, sizeof(path), "%s%s%s", before, lang, after);
	return path;
}

static struct kt_tasks *lang_tasks(const char *lang)
{
	struct kt_tasks *ts = kt_tasks_load(lang_file("knowledge_tree/tasks.", lang, ".json"));

	assert_non_null(ts);
	return ts;
}

static struct kt_pools *lang_pools(const char *lang)
{
	struct kt_pools *p = kt_pools_load(lang_file("prompts/condor/", lang, "/examples.json"));

	assert_non_null(p);
	return p;
}

static void test_pools_draw(void **state)
{
	static const char *const langs[] = { "en", "zh" };

	(void)state;
	for (size_t l = 0; l < 2; l++) {
		struct kt_tasks *ts = lang_tasks(langs[l]);
		struct kt_pools *p = lang_pools(langs[l]);

		for (size_t t = 0; t < ts->nr; t++) {
			json_t *a = kt_pools_draw(p, &ts->v[t], "rec-1", 9, 3);
			json_t *b = kt_pools_draw(p, &ts->v[t], "rec-1", 9, 3);
			json_t *c = kt_pools_draw(p, &ts->v[t], "rec-1", 9, 5);
			json_t *all = kt_pools_draw(p, &ts->v[t], "rec-1", 9, 1000);
			int differs = 0;

			assert_true(kt_pools_size(p, &ts->v[t]) >= 10);
			assert_int_equal(json_array_size(a), 3);
			assert_true(json_equal(a, b));
			for (size_t i = 0; i < 3; i++)
				assert_true(json_equal(json_array_get(a, i), json_array_get(c, i)));
			assert_int_equal(json_array_size(all), kt_pools_size(p, &ts->v[t]));
			/* other records (or seeds) draw other examples, at least sometimes */
			for (int r = 0; r < 8 && !differs; r++) {
				char id[16];
				json_t *o;
				snprintf(id, sizeof(id), "rec-%d", r + 2);
				o = kt_pools_draw(p, &ts->v[t], id, 9, 3);
				differs = !json_equal(a, o);
				json_decref(o);
			}
			assert_true(differs);
			json_decref(a);
			json_decref(b);
			json_decref(c);
			json_decref(all);
		}
		kt_pools_free(p);
		kt_tasks_free(ts);
	}
}

static void test_bad_pools(void **state)
{
	static const char *const bad[] = {
		"{\"pools\": []}",
		"{\"pools\": {\"view\": []}}",
		"{\"pools\": {\"view\": [\"a?\", 3]}}",
		"{\"pools\": {\"view\": [\"a?\", \"  \"]}}",
		"{\"pools\": {\"view\": [\"a?\", \"b?\", \"a?\"]}}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *doc = json_loads(bad[i], 0, NULL);
		struct kt_pools *p;
		assert_non_null(doc);
		p = kt_pools_from_json(doc);
		if (p)
			fail_msg("accepted %s", bad[i]);
		json_decref(doc);
	}
}

static void test_prompt_sets(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		const struct set *s = &sets[i];
		const char *lang = strncmp(s->dir, "zh", 2) ? "en" : "zh";
		struct kt_tasks *ts = lang_tasks(lang);
		struct kt_pools *pools = lang_pools(lang);
		struct prompt_file *q = load(s, "question"), *c = load(s, "critique"), *r = load(s, "refine");
		json_t *ex = kt_pools_draw(pools, &ts->v[0], "rec", 1, 3), *rec, *v, *e;
		char *text, *line;
		size_t k;

		rec = json_pack("{s:s, s:s, s:s, s:s, s:O}", "theme", "THEME", "domain", "DOMAIN",
				"task", ts->v[0].name, "task_description", ts->v[0].description, "examples", ex);
		text = render_text(q, rec);
		line = malloc(strlen(s->theme) + 16);
		sprintf(line, "%sTHEME\n", s->theme);
		if (!strstr(text, line))
			fail_msg("%s: no '%s' line in\n%s", s->dir, s->theme, text);
		free(line);
		json_array_foreach(ex, k, e) {
			line = malloc(json_string_length(e) + 8);
			sprintf(line, "- %s\n", json_string_value(e));
			if (!strstr(text, line))
				fail_msg("%s: example %zu not rendered", s->dir, k);
			free(line);
		}
		free(text);

		/* a reply lacking the middle level still parses, to two questions */
		v = parse(q, s->reply_partial);
		assert_non_null(v);
		assert_int_equal(json_array_size(v), 2);
		json_decref(v);

		/* the critique's own markers, then the refine prompt renders them */
		v = parse(c, s->critique);
		assert_non_null(v);
		assert_string_equal(json_string_value(json_object_get(v, s->suggestion)), "SUGGESTED");
		json_object_set_new(rec, "question", json_string("Q"));
		json_object_set_new(rec, "answer", json_string("A"));
		json_object_set_new(rec, "critique", v);
		text = render_text(r, rec);
		assert_non_null(strstr(text, "SUGGESTED"));
		free(text);

		json_decref(rec);
		json_decref(ex);
		prompt_file_free(q);
		prompt_file_free(c);
		prompt_file_free(r);
		kt_pools_free(pools);
		kt_tasks_free(ts);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pools_draw),
		cmocka_unit_test(test_bad_pools),
		cmocka_unit_test(test_prompt_sets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
