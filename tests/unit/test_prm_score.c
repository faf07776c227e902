/*
 * test_prm_score.c — strict rollout checking (smelt-mc: the extraction
 * method alone, a length cut is wrong), P("+") read from chat logprobs in
 * both OpenAI forms and from step pooling rows, and the conversation a
 * PRM is sent (VisualPRM's strings, suffixes cut).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prm/mc_run.h"
#include "prm/prm_score.h"

static int judge(const char *text, const char *finish, enum extract_method m, enum mc_why *why)
{
	struct answer_opts o;

	answer_opts_init(&o);
	o.extract = m;
	return mc_continuation_correct(text, finish, "17", &o, why);
}

static void test_strict_rollouts(void **state)
{
	/* the example: no committed answer, only a last number */
	static const char lenient[] = "17 - 9 = 8 ... wait, let me recheck: 12+5 = 17";
	enum mc_why why;

	(void)state;
	assert_int_equal(judge(lenient, "stop", EXTRACT_FINAL_ANSWER, &why), 0);
	assert_int_equal(why, MC_WHY_NO_ANSWER);
	assert_int_equal(judge(lenient, "stop", EXTRACT_BOXED, &why), 0);
	assert_int_equal(why, MC_WHY_NO_ANSWER);
	/* only auto falls back to the last number */
	assert_int_equal(judge(lenient, "stop", EXTRACT_AUTO, &why), 1);
	assert_int_equal(why, MC_WHY_CHECKED);

	assert_int_equal(judge("12 + 5 = 17\nFinal answer: 17", "stop", EXTRACT_FINAL_ANSWER, &why), 1);
	assert_int_equal(judge("12 + 5 = 17\nFinal answer: 17", NULL, EXTRACT_FINAL_ANSWER, &why), 1);
	assert_int_equal(judge("so \\boxed{17}", "stop", EXTRACT_BOXED, &why), 1);
	assert_int_equal(judge("so \\boxed{17}", "stop", EXTRACT_FINAL_ANSWER, &why), 0);
	assert_int_equal(why, MC_WHY_NO_ANSWER);
	assert_int_equal(judge("Final answer: 16", "stop", EXTRACT_FINAL_ANSWER, &why), 0);
	assert_int_equal(why, MC_WHY_CHECKED);

	/* cut by max_tokens: wrong whatever it says, under any method */
	assert_int_equal(judge("Final answer: 17\nHmm, but", "length", EXTRACT_FINAL_ANSWER, &why), 0);
	assert_int_equal(why, MC_WHY_LENGTH);
	assert_int_equal(judge("Final answer: 17", "length", EXTRACT_AUTO, &why), 0);
	assert_int_equal(why, MC_WHY_LENGTH);
}

static double from_logprobs(const char *resp_text, int *ret)
{
	struct prm_score_opts o;
	struct sbuf err = SBUF_INIT;
	json_t *resp = json_loads(resp_text, 0, NULL);
	double p = -1;

	assert_non_null(resp);
	prm_score_opts_init(&o);
	*ret = prm_score_from_logprobs(resp, &o, &p, &err);
	json_decref(resp);
	sbuf_release(&err);
	return p;
}

static void test_logprobs(void **state)
{
	int ret;
	double p;

	(void)state;
	/* chat form: p(+) / (p(+) + p(-)), other candidates ignored */
	p = from_logprobs("{\"choices\":[{\"logprobs\":{\"content\":[{\"token\":\"+\",\"logprob\":-0.5,"
			  "\"top_logprobs\":[{\"token\":\"+\",\"logprob\":-0.5},{\"token\":\"-\",\"logprob\":-1.5},"
			  "{\"token\":\"The\",\"logprob\":-2}]}]}}]}", &ret);
	assert_int_equal(ret, 1);
	assert_true(fabs(p - exp(-0.5) / (exp(-0.5) + exp(-1.5))) < 1e-12);
	/* " +" counts as "+", U+2212 as "-" */
	p = from_logprobs("{\"choices\":[{\"logprobs\":{\"content\":[{\"token\":\"\\u2212\",\"logprob\":-0.1,"
			  "\"top_logprobs\":[{\"token\":\"\\u2212\",\"logprob\":-0.1},{\"token\":\" +\",\"logprob\":-3}]}]}}]}",
			  &ret);
	assert_int_equal(ret, 1);
	assert_true(fabs(p - exp(-3) / (exp(-3) + exp(-0.1))) < 1e-12);
	/* completions form */
	p = from_logprobs("{\"choices\":[{\"logprobs\":{\"top_logprobs\":[{\"+\":-1,\"-\":-1}]}}]}", &ret);
	assert_int_equal(ret, 1);
	assert_true(fabs(p - 0.5) < 1e-12);
	/* neither label among the candidates: no score */
	from_logprobs("{\"choices\":[{\"logprobs\":{\"content\":[{\"token\":\"I\",\"logprob\":-0.1,"
		      "\"top_logprobs\":[{\"token\":\"I\",\"logprob\":-0.1}]}]}}]}", &ret);
	assert_int_equal(ret, 0);
	/* no logprobs at all: the server ignored the request */
	from_logprobs("{\"choices\":[{\"message\":{\"content\":\"+\"},\"logprobs\":null}]}", &ret);
	assert_int_equal(ret, -1);
}

static void test_pooling_rows(void **state)
{
	struct prm_score_opts o;
	struct sbuf err = SBUF_INIT;
	json_t *resp = json_loads("{\"data\":[{\"index\":0,\"data\":[[0.9,0.1],[0.2,0.6],0.3]}]}", 0, NULL);
	double p[3];

	(void)state;
	prm_score_opts_init(&o);
	assert_int_equal(prm_score_from_pooling(resp, &o, 3, p, &err), 0);
	assert_true(fabs(p[0] - 0.9) < 1e-12);
	assert_true(fabs(p[1] - 0.25) < 1e-12);
	assert_true(fabs(p[2] - 0.3) < 1e-12);
	assert_int_equal(prm_score_from_pooling(resp, &o, 2, p, &err), -1);
	assert_non_null(strstr(err.buf, "3 step rows for 2 steps"));
	json_decref(resp);
	sbuf_release(&err);
}

static void test_messages(void **state)
{
	struct prm_score_opts o;
	struct step_list sl = STEP_LIST_INIT;
	struct sbuf in = SBUF_INIT, err = SBUF_INIT;
	json_t *m;

	(void)state;
	prm_score_opts_init(&o);
	assert_int_equal(step_split(&sl, "a = 1\n\nb = 2\n\nFinal answer: 3", 0, STEP_MERGE_CHUNK), 3);
	m = prm_score_messages(&o, "How many?\nAnswer the question using a single word or phrase.", &sl, 2);
	assert_int_equal(json_array_size(m), 6);
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "content")),
			    conv_prm_system_prompt);
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 1), "content")),
			    "### Question:\nHow many?\n\n### Solution Process:\na = 1");
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 2), "role")), "assistant");
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 2), "content")), "+");
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 5), "content")), "Final answer: 3");
	json_decref(m);
	m = prm_score_messages(&o, "Q", &sl, 0);
	assert_int_equal(json_array_size(m), 2);
	json_decref(m);

	assert_int_equal(prm_score_pooling_input(&o, &in, "Q", &sl, &err), 0);
	assert_string_equal(in.buf, "Q a = 1 \xd0\xba\xd0\xb8\nb = 2 \xd0\xba\xd0\xb8\nFinal answer: 3 \xd0\xba\xd0\xb8");
	sbuf_reset(&in);
	assert_int_equal(prm_score_pooling_input(&o, &in, "Q \xd0\xba\xd0\xb8", &sl, &err), -1);
	step_list_release(&sl);
	sbuf_release(&in);
	sbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strict_rollouts),
		cmocka_unit_test(test_logprobs),
		cmocka_unit_test(test_pooling_rows),
		cmocka_unit_test(test_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
