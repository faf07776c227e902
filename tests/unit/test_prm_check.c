/*
 * test_prm_check.c — record-level answer checking: what counts as
 * undecided, the fields written for one reply and for a list, judge
 * verdict words, and the shipped judge prompts read real-looking replies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prm/prm_check.h"
#include "prm/prm_judge.h"
#include "text/prompt_file.h"
#include "text/reply_parse.h"

static void check_one(const char *rec_text, struct prm_check_result *res)
{
	struct prm_check c = { .gold = "answer", .pred = "response" };
	json_t *rec = json_loads(rec_text, 0, NULL);
	struct sbuf err = SBUF_INIT;
	const char *kind = NULL;

	assert_non_null(rec);
	answer_opts_init(&c.opts);
	assert_int_equal(prm_check_run(&c, rec, res, &kind, &err), 0);
	sbuf_release(&err);
	json_decref(rec); /* items borrow replies: only lengths and verdicts are used below */
}

static void test_undecided(void **state)
{
	static const struct { const char *rec; int correct, undecided; } cases[] = {
		{ "{\"answer\":\"12\",\"response\":\"Final answer: 12\"}", 1, 0 },
		{ "{\"answer\":\"12\",\"response\":\"Final answer: 13\"}", 0, 0 },      /* numbers: final */
		{ "{\"answer\":\"B\",\"response\":\"(C)\"}", 0, 0 },                    /* options: final */
		{ "{\"answer\":\"{1,2}\",\"response\":\"Final answer: {1,3}\"}", 0, 0 }, /* sets: final */
		{ "{\"answer\":\"Paris\",\"response\":\"Final answer: Lyon\"}", 0, 1 },  /* free text */
		{ "{\"answer\":\"Paris\",\"response\":\"\"}", 0, 1 },                   /* nothing found */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct prm_check_result res;

		check_one(cases[i].rec, &res);
		assert_int_equal(res.nr, 1);
		assert_int_equal(res.items[0].v.correct, cases[i].correct);
		assert_int_equal(prm_check_undecided(&res.items[0]), cases[i].undecided);
		prm_check_result_release(&res);
	}
}

static void test_write_layout(void **state)
{
	struct prm_check c = { .gold = "g", .pred = "r", .into = "chk.x" };
	json_t *rec = json_loads("{\"g\":5,\"r\":[\"Final answer: 5\",\"no idea\"]}", 0, NULL);
	struct prm_check_result res;
	struct sbuf err = SBUF_INIT;
	const char *kind;
	json_t *chk;

	answer_opts_init(&c.opts);
	assert_int_equal(prm_check_run(&c, rec, &res, &kind, &err), 0);
	assert_true(res.list);
	assert_string_equal(res.gold, "5");
	res.items[1].judged = 1;
	assert_int_equal(prm_check_write(&c, &res, rec), 0);
	chk = json_object_get(json_object_get(rec, "chk"), "x");
	assert_true(json_is_true(json_array_get(json_object_get(chk, "correct"), 0)));
	assert_true(json_is_true(json_array_get(json_object_get(chk, "correct"), 1)));
	assert_string_equal(json_string_value(json_array_get(json_object_get(chk, "method"), 1)), "judge");
	assert_string_equal(json_string_value(json_array_get(json_object_get(chk, "extracted"), 0)), "5");
	assert_null(json_object_get(chk, "score"));
	prm_check_result_release(&res);

	/* a path that cannot be set is refused */
	c.into = "g.x";
	assert_int_equal(prm_check_run(&c, rec, &res, &kind, &err), 0);
	assert_int_equal(prm_check_write(&c, &res, rec), -1);
	prm_check_result_release(&res);

	/* a gold that is neither string nor number */
	json_object_set_new(rec, "g", json_array());
	assert_int_equal(prm_check_run(&c, rec, &res, &kind, &err), -1);
	assert_string_equal(kind, "bad_field_type");
	sbuf_release(&err);
	json_decref(rec);
}

static void test_verdict_words(void **state)
{
	assert_int_equal(prm_judge_verdict("Correct"), 1);
	assert_int_equal(prm_judge_verdict("  **CORRECT**. "), 1);
	assert_int_equal(prm_judge_verdict("incorrect"), 0);
	assert_int_equal(prm_judge_verdict("Not equivalent"), 0);
	assert_int_equal(prm_judge_verdict("yes"), 1);
	assert_int_equal(prm_judge_verdict("No."), 0);
	assert_int_equal(prm_judge_verdict("正确"), 1);
	assert_int_equal(prm_judge_verdict("不正确"), 0);
	assert_int_equal(prm_judge_verdict("错误。"), 0);
	assert_int_equal(prm_judge_verdict("maybe"), -1);
	assert_int_equal(prm_judge_verdict("correctly"), -1);
	assert_int_equal(prm_judge_verdict(""), -1);
	assert_int_equal(prm_judge_verdict(NULL), -1);
}

/* The shipped judge prompts' parsers on replies models really write. */
static void judge_prompt_reads(const char *path, const char *const *replies, const int *want, size_t n)
{
	char *full = xasprintf("%s/%s", getenv("SMELT_TOP") ? getenv("SMELT_TOP") : ".", path);
	struct prompt_file *pf = prompt_file_load(full);
	struct reply_parser *p;

	assert_non_null(pf);
	p = reply_parser_new(prompt_file_defaults(pf), NULL);
	assert_non_null(p);
	for (size_t i = 0; i < n; i++) {
		struct sbuf err = SBUF_INIT;
		json_t *v = reply_parser_apply(p, replies[i], strlen(replies[i]), &err);
		int got = prm_judge_parsed_verdict(v);

		if (got != want[i])
			fail_msg("%s: '%s' read as %d, want %d", path, replies[i], got, want[i]);
		json_decref(v);
		sbuf_release(&err);
	}
	reply_parser_free(p);
	prompt_file_free(pf);
	free(full);
}

static void test_judge_prompts(void **state)
{
	static const char *const en[] = {
		"Correct", "Incorrect.", "**Incorrect**", "The candidate answer is correct.",
		"incorrect - the reference says 4", "I cannot tell.",
	};
	static const int en_want[] = { 1, 0, 0, 1, 0, -1 };
	static const char *const zh[] = { "正确", "不正确。", "答案不正确", "无法判断" };
	static const int zh_want[] = { 1, 0, 0, -1 };

	judge_prompt_reads("prompts/visualprm/en/judge.prompt", en, en_want, ARRAY_SIZE(en));
	judge_prompt_reads("prompts/visualprm/zh/judge.prompt", zh, zh_want, ARRAY_SIZE(zh));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_undecided),
		cmocka_unit_test(test_write_layout),
		cmocka_unit_test(test_verdict_words),
		cmocka_unit_test(test_judge_prompts),
	};

	return cmocka_run_group_tests_name("prm_check", tests, NULL, NULL);
}
