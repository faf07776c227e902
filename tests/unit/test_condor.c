/*
 * test_condor.c — the Condor record builders and checks: difficulty
 * labels in both languages, code-point lengths, question records and their
 * rejects, the "no weakness" test of a critique, SFT placeholders, DPO
 * pairs only where the answer changed, and the report rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "condor/condor_record.h"
#include "condor/condor_refine.h"
#include "condor/condor_report.h"

static const char levels_json[] =
	"{\"levels\": ["
	"{\"id\": \"easy\", \"names\": {\"en\": \"Easy\", \"zh\": \"简单\"}, \"labels\": {\"en\": \"Easy\", \"zh\": \"简单\"}},"
	"{\"id\": \"medium\", \"names\": {\"en\": \"Medium\", \"zh\": \"中等\"}, \"labels\": {\"en\": \"Medium\", \"zh\": \"中等\"}},"
	"{\"id\": \"hard\", \"names\": {\"en\": \"Hard\", \"zh\": \"困难\"}, \"labels\": {\"en\": \"Hard\", \"zh\": \"困难\"}}]}";

static json_t *parse(const char *s)
{
	json_t *v = json_loads(s, 0, NULL);

	assert_non_null(v);
	return v;
}

static struct condor_levels *levels(void)
{
	json_t *doc = parse(levels_json);
	struct condor_levels *lv = condor_levels_from_json(doc);

	json_decref(doc);
	assert_non_null(lv);
	return lv;
}

static void test_levels(void **state)
{
	struct condor_levels *lv = levels();

	(void)state;
	assert_string_equal(condor_levels_id(lv, "Easy"), "easy");
	assert_string_equal(condor_levels_id(lv, " HARD\n"), "hard");
	assert_string_equal(condor_levels_id(lv, "中等"), "medium");
	assert_string_equal(condor_levels_id(lv, "medium"), "medium");
	assert_null(condor_levels_id(lv, "Extreme"));
	assert_null(condor_levels_id(lv, "Eas"));
	assert_null(condor_levels_id(lv, ""));
	condor_levels_free(lv);
}

static void test_levels_bad_document(void **state)
{
	json_t *doc = parse("{\"levels\": [{\"names\": {}}]}");

	(void)state;
	assert_null(condor_levels_from_json(doc));
	json_decref(doc);
	doc = parse("{}");
	assert_null(condor_levels_from_json(doc));
	json_decref(doc);
}

static void test_chars(void **state)
{
	(void)state;
	assert_int_equal(condor_chars(""), 0);
	assert_int_equal(condor_chars("abc"), 3);
	assert_int_equal(condor_chars("午睡好吗"), 4);
	assert_int_equal(condor_chars("café"), 4);
}

static json_t *question(const char *in, size_t min, size_t max, const char **kind, struct sbuf *err)
{
	struct condor_levels *lv = levels();
	struct condor_question_opts o = { lv, min, max };
	json_t *rec = parse(in), *out;

	*kind = NULL;
	sbuf_reset(err);
	out = condor_question_record(rec, &o, kind, err);
	json_decref(rec);
	condor_levels_free(lv);
	return out;
}

static void test_question_record(void **state)
{
	struct sbuf err = SBUF_INIT;
	const char *kind;
	json_t *q;

	(void)state;
	q = question("{\"id\": \"ab12-2\", \"lang\": \"zh\", \"path\": [\"健康\", \"午睡\"], \"task\": \"闲聊\","
		     " \"examples\": [\"x\"], \"question\": {\"label\": \"困难\", \"text\": \"午睡多久最合适？\"},"
		     " \"provenance\": [{\"stage\": \"smelt-gen\", \"version\": \"0\"}]}", 2, 100, &kind, &err);
	assert_non_null(q);
	assert_string_equal(json_string_value(json_object_get(q, "question")), "午睡多久最合适？");
	assert_string_equal(json_string_value(json_object_get(q, "difficulty")), "hard");
	assert_string_equal(json_string_value(json_object_get(q, "pair")), "ab12");
	assert_string_equal(json_string_value(json_object_get(q, "lang")), "zh");
	assert_null(json_object_get(q, "examples"));
	assert_int_equal(json_array_size(json_object_get(q, "provenance")), 1);
	json_decref(q);

	/* an id without a numeric suffix is its own pair */
	q = question("{\"id\": \"x-y\", \"question\": {\"label\": \"Easy\", \"text\": \"What is rain made of?\"}}",
		     0, 0, &kind, &err);
	assert_string_equal(json_string_value(json_object_get(q, "pair")), "x-y");
	json_decref(q);
	sbuf_release(&err);
}

static void test_question_rejects(void **state)
{
	struct sbuf err = SBUF_INIT;
	const char *kind;

	(void)state;
	assert_null(question("{\"id\": \"a-0\", \"question\": {\"label\": \"Easy\", \"text\": \"Hi?\"}}", 5, 0, &kind, &err));
	assert_string_equal(kind, CONDOR_TOO_SHORT);
	assert_non_null(strstr(err.buf, "3 characters"));
	/* the bound counts code points, not bytes: 4 ideographs are 12 bytes */
	assert_null(question("{\"id\": \"a-0\", \"question\": {\"label\": \"Easy\", \"text\": \"午睡好吗\"}}", 0, 3, &kind, &err));
	assert_string_equal(kind, CONDOR_TOO_LONG);
	json_decref(question("{\"id\": \"a-0\", \"question\": {\"label\": \"Easy\", \"text\": \"午睡好吗\"}}", 4, 4, &kind, &err));
	assert_null(kind);
	assert_null(question("{\"id\": \"a-0\", \"question\": {\"label\": \"Extreme\", \"text\": \"Why?\"}}", 0, 0, &kind, &err));
	assert_string_equal(kind, CONDOR_BAD_LEVEL);
	assert_non_null(strstr(err.buf, "Extreme"));
	assert_null(question("{\"id\": \"a-0\", \"question\": {\"text\": \"Why?\"}}", 0, 0, &kind, &err));
	assert_string_equal(kind, CONDOR_BAD_LEVEL);
	assert_null(question("{\"id\": \"a-0\", \"question\": {\"label\": \"Easy\"}}", 0, 0, &kind, &err));
	assert_string_equal(kind, CONDOR_MISSING);
	assert_null(question("{\"question\": \"Why?\", \"difficulty\": \"easy\"}", 0, 0, &kind, &err));
	assert_string_equal(kind, CONDOR_MISSING);
	sbuf_release(&err);
}

static void test_no_weakness(void **state)
{
	struct condor_refine r;
	json_t *markers = parse("{\"en\": {\"words\": {\"weakness\": \"Weakness\"}, \"none\": \"None\"},"
				" \"zh\": {\"words\": {\"weakness\": \"缺点\"}, \"none\": \"无\"},"
				" \"xx\": {\"words\": {}}}");
	static const struct { const char *critique; int none; } cases[] = {
		{ "{\"Weakness\": \"None\"}", 1 },
		{ "{\"Weakness\": \" none. \"}", 1 },
		{ "{\"Weakness\": \"None!\"}", 1 },
		{ "{\"缺点\": \"无\"}", 1 },
		{ "{\"缺点\": \"无。\"}", 1 },
		{ "{\"Weakness\": \"None of the steps are explained.\"}", 0 },
		{ "{\"Weakness\": \"Nonetheless short\"}", 0 },
		{ "{\"Weakness\": \"\"}", 0 },
		{ "{\"Weakness\": [\"None\", \"None\"]}", 0 },
		{ "{\"Strength\": \"None\"}", 0 },
		{ "{\"缺点\": \"无法运行\"}", 0 },
	};

	(void)state;
	condor_refine_init(&r);
	assert_int_equal(condor_refine_add_markers(&r, markers), 2);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *c = parse(cases[i].critique);
		if (condor_refine_no_weakness(&r, c) != cases[i].none)
			fail_msg("case %zu: %s", i, cases[i].critique);
		json_decref(c);
	}
	json_decref(markers);
	condor_refine_release(&r);
}

static void test_sft_placeholders(void **state)
{
	struct sbuf err = SBUF_INIT;
	const char *kind = NULL;
	json_t *in = parse("{\"id\": \"q\", \"question\": \"Compare <image> with the other one.\","
			   " \"images\": [\"a.png\", \"b.png\"], \"answer\": \"They differ.\", \"task\": \"t\"}");
	json_t *out = condor_sft_record(in, "answer", "D_V", &kind, &err);
	const json_t *msgs;

	(void)state;
	assert_non_null(out);
	msgs = json_object_get(out, "messages");
	assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 0), "content")),
			    "<image>\nCompare <image> with the other one.");
	assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 1), "role")), "assistant");
	assert_string_equal(json_string_value(json_object_get(out, "set")), "D_V");
	assert_string_equal(json_string_value(json_object_get(out, "task")), "t");
	assert_int_equal(json_array_size(json_object_get(out, "images")), 2);
	json_decref(out);
	assert_null(condor_sft_record(in, "refined", NULL, &kind, &err));
	assert_string_equal(kind, CONDOR_MISSING);
	json_decref(in);
	sbuf_release(&err);
}

static void test_dpo(void **state)
{
	struct sbuf err = SBUF_INIT;
	const char *kind;
	json_t *in, *out;

	(void)state;
	in = parse("{\"id\": \"q\", \"question\": \"Why?\", \"answer\": \"Because.\","
		   " \"refined\": \"Because of X.\", \"refine_rounds\": 1, \"lang\": \"en\"}");
	out = condor_dpo_record(in, "refined", "answer", &kind, &err);
	assert_string_equal(json_string_value(json_object_get(out, "chosen")), "Because of X.");
	assert_string_equal(json_string_value(json_object_get(out, "rejected")), "Because.");
	assert_string_equal(json_string_value(json_object_get(out, "prompt")), "Why?");
	assert_string_equal(json_string_value(json_object_get(out, "lang")), "en");
	json_decref(out);
	json_decref(in);

	/* not refined, or refined into the same text: no pair, and no error */
	kind = "x";
	in = parse("{\"id\": \"q\", \"question\": \"Why?\", \"answer\": \"Because.\", \"refined\": \"Because.\", \"refine_rounds\": 0}");
	assert_null(condor_dpo_record(in, "refined", "answer", &kind, &err));
	assert_null(kind);
	json_decref(in);
	kind = "x";
	in = parse("{\"id\": \"q\", \"question\": \"Why?\", \"answer\": \"Because.\", \"refined\": \" Because.\\n\"}");
	assert_null(condor_dpo_record(in, "refined", "answer", &kind, &err));
	assert_null(kind);
	json_decref(in);
	in = parse("{\"id\": \"q\", \"question\": \"Why?\", \"answer\": \"Because.\"}");
	assert_null(condor_dpo_record(in, "refined", "answer", &kind, &err));
	assert_string_equal(kind, CONDOR_MISSING);
	json_decref(in);
	sbuf_release(&err);
}

static void test_report(void **state)
{
	json_t *stats = parse("{\"stage\": \"smelt-gen\", \"version\": \"0\", \"inputs\": [\"a\"],"
			      " \"records_in\": 10, \"records_out\": 27, \"records_rejected\": 1,"
			      " \"rejects_by_kind\": {\"parse_error\": 1}, \"wall_seconds\": 1.5,"
			      " \"duplicates\": 4, \"gen\": {\"reparses\": 3, \"mode\": \"x\"},"
			      " \"llm\": {\"requests\": 12, \"cache_hits\": 2, \"tokens\": {\"prompt\": 5}}}");
	json_t *row = condor_report_row("questions", stats), *figs = json_object_get(row, "figures");
	json_t *report = json_pack("{s:[O]}", "steps", row);
	struct sbuf html = SBUF_INIT;

	(void)state;
	assert_string_equal(json_string_value(json_object_get(row, "step")), "questions");
	assert_int_equal(json_integer_value(json_object_get(row, "records_out")), 27);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(row, "rejects_by_kind"), "parse_error")), 1);
	assert_int_equal(json_integer_value(json_object_get(figs, "duplicates")), 4);
	assert_int_equal(json_integer_value(json_object_get(figs, "gen.reparses")), 3);
	assert_int_equal(json_integer_value(json_object_get(figs, "llm.requests")), 12);
	assert_int_equal(json_integer_value(json_object_get(figs, "llm.cache_hits")), 2);
	assert_null(json_object_get(figs, "gen.mode"));
	assert_null(json_object_get(figs, "llm.tokens"));
	assert_null(json_object_get(figs, "wall_seconds"));
	assert_int_equal(json_object_size(figs), 4);

	condor_report_html_page(&html, report, "<html><body class=\"p\"><h1>D</h1></body></html>");
	assert_non_null(strstr(html.buf, "<body class=\"p\">\n<section id=\"pipeline-counts\">"));
	assert_non_null(strstr(html.buf, "parse_error: 1"));
	assert_non_null(strstr(html.buf, "<h1>D</h1></body></html>"));
	sbuf_reset(&html);
	json_object_set_new(row, "step", json_string("<b>&"));
	condor_report_html_page(&html, report, NULL);
	assert_non_null(strstr(html.buf, "&lt;b&gt;&amp;"));
	assert_non_null(strstr(html.buf, "<!DOCTYPE html>"));
	sbuf_release(&html);
	json_decref(row);
	json_decref(report);
	json_decref(stats);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_levels_bad_document),
		cmocka_unit_test(test_chars),
		cmocka_unit_test(test_question_record),
		cmocka_unit_test(test_question_rejects),
		cmocka_unit_test(test_no_weakness),
		cmocka_unit_test(test_sft_placeholders),
		cmocka_unit_test(test_dpo),
		cmocka_unit_test(test_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
