/*
 * test_score_request.c — smelt-score's pure parts: reading the score out
 * of /pooling (scalar, vector, per-token lists), /classify and judge
 * answers; aggregates; units of a conversation; images per prefix; the
 * transcript judges read; ShareGPT and LLaVA records taken directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reward/score_request.h"

static json_t *parse(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);

	assert_non_null(j);
	return j;
}

static void test_pooling(void **state)
{
	struct sbuf err = SBUF_INIT;
	double x = 0;
	json_t *scalar = parse("{\"data\":[{\"index\":0,\"data\":1.5}]}");
	json_t *vec = parse("{\"data\":[{\"data\":[0.5,-2,3.25]}]}");
	json_t *nested = parse("{\"data\":[{\"data\":[[0.1],[0.7]]}]}");
	json_t *bad = parse("{\"data\":[{\"data\":\"x\"}]}");
	json_t *none = parse("{\"data\":[{\"index\":0}]}");

	(void)state;
	assert_int_equal(score_from_pooling(scalar, -1, &x, &err), 0);
	assert_true(x == 1.5);
	assert_int_equal(score_from_pooling(vec, -1, &x, &err), 0);
	assert_true(x == 3.25);
	assert_int_equal(score_from_pooling(vec, 1, &x, &err), 0);
	assert_true(x == -2);
	assert_int_equal(score_from_pooling(vec, -3, &x, &err), 0);
	assert_true(x == 0.5);
	assert_int_equal(score_from_pooling(nested, -1, &x, &err), 0);
	assert_true(x == 0.7);
	assert_int_equal(score_from_pooling(vec, 3, &x, &err), -1);
	assert_non_null(strstr(err.buf, "3 elements"));
	sbuf_reset(&err);
	assert_int_equal(score_from_pooling(vec, -4, &x, &err), -1);
	sbuf_reset(&err);
	assert_int_equal(score_from_pooling(bad, 0, &x, &err), -1);
	sbuf_reset(&err);
	assert_int_equal(score_from_pooling(none, 0, &x, &err), -1);
	assert_non_null(strstr(err.buf, "no data[0].data"));
	sbuf_release(&err);
	json_decref(scalar);
	json_decref(vec);
	json_decref(nested);
	json_decref(bad);
	json_decref(none);
}

static void test_classify(void **state)
{
	struct sbuf err = SBUF_INIT;
	double x = 0;
	json_t *r = parse("{\"data\":[{\"label\":\"LABEL_1\",\"probs\":[0.25,0.75],\"num_classes\":2}]}");
	json_t *none = parse("{\"data\":[{\"label\":\"LABEL_1\"}]}");

	(void)state;
	assert_int_equal(score_from_classify(r, -1, &x, &err), 0);
	assert_true(x == 0.75);
	assert_int_equal(score_from_classify(r, 0, &x, &err), 0);
	assert_true(x == 0.25);
	assert_int_equal(score_from_classify(r, 2, &x, &err), -1);
	assert_int_equal(score_from_classify(none, 0, &x, &err), -1);
	sbuf_release(&err);
	json_decref(r);
	json_decref(none);
}

static void test_value(void **state)
{
	struct sbuf err = SBUF_INIT;
	double x = 0;
	json_t *v;

	(void)state;
	v = json_real(8.5);
	assert_int_equal(score_from_value(v, &x, &err), 0);
	assert_true(x == 8.5);
	json_decref(v);
	v = json_string(" 7 ");
	assert_int_equal(score_from_value(v, &x, &err), 0);
	assert_true(x == 7);
	json_decref(v);
	v = parse("{\"score\":\"-2.5\"}");
	assert_int_equal(score_from_value(v, &x, &err), 0);
	assert_true(x == -2.5);
	json_decref(v);
	v = json_string("seven");
	assert_int_equal(score_from_value(v, &x, &err), -1);
	assert_non_null(strstr(err.buf, "'seven'"));
	json_decref(v);
	v = json_string("7 of 10");
	assert_int_equal(score_from_value(v, &x, &err), -1);
	json_decref(v);
	v = json_string("nan");
	assert_int_equal(score_from_value(v, &x, &err), -1);
	json_decref(v);
	v = parse("{\"other\":1}");
	assert_int_equal(score_from_value(v, &x, &err), -1);
	json_decref(v);
	sbuf_release(&err);
}

static void test_aggregate(void **state)
{
	const double v[] = { 2, -1, 5 };

	(void)state;
	assert_true(score_aggregate(v, 3, SCORE_MIN) == -1);
	assert_true(score_aggregate(v, 3, SCORE_MEAN) == 2);
	assert_true(score_aggregate(v, 3, SCORE_LAST) == 5);
	assert_true(score_aggregate(v, 1, SCORE_MEAN) == 2);
}

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(score_backend_parse("classify"), SCORE_CLASSIFY);
	assert_int_equal(score_backend_parse("pool"), -1);
	assert_int_equal(score_target_parse("turns"), SCORE_TURNS);
	assert_int_equal(score_agg_parse("last"), SCORE_LAST);
	assert_string_equal(score_backend_name(SCORE_FIELD), "field");
	assert_string_equal(score_agg_name(SCORE_MEAN), "mean");
}

static void test_units_and_images(void **state)
{
	json_t *m = parse("[{\"role\":\"system\",\"content\":\"be brief\"},"
			  "{\"role\":\"user\",\"content\":\"<image>\\nwhat is it?\"},"
			  "{\"role\":\"assistant\",\"content\":\"a cat\"},"
			  "{\"role\":\"user\",\"content\":\"and <image>?\"},"
			  "{\"role\":\"assistant\",\"content\":\"a dog\"}]");
	size_t *ends, n;
	json_t *p;
	char *t;

	(void)state;
	n = score_unit_ends(m, SCORE_CONVERSATION, &ends);
	assert_int_equal(n, 1);
	assert_int_equal(ends[0], 4);
	free(ends);
	n = score_unit_ends(m, SCORE_TURNS, &ends);
	assert_int_equal(n, 2);
	assert_int_equal(ends[0], 2);
	assert_int_equal(ends[1], 4);
	free(ends);
	assert_int_equal(score_prefix_images(m, 2), 1);
	assert_int_equal(score_prefix_images(m, 4), 2);
	p = score_prefix(m, 2);
	assert_int_equal(json_array_size(p), 3);
	assert_ptr_equal(json_array_get(p, 2), json_array_get(m, 2));
	json_decref(p);
	t = score_transcript(m, 2);
	assert_string_equal(t, "System: be brief\n\nUser: <image>\nwhat is it?\n\nAssistant: a cat");
	free(t);
	json_decref(m);

	m = parse("[{\"role\":\"user\",\"content\":\"hi\"}]");
	assert_int_equal(score_unit_ends(m, SCORE_TURNS, &ends), 0);
	free(ends);
	json_decref(m);
}

static void test_conversation_forms(void **state)
{
	json_t *llava = parse("{\"id\":\"x\",\"image\":\"a.png\",\"conversations\":["
			      "{\"from\":\"human\",\"value\":\"<image>\\nWhat?\"},{\"from\":\"gpt\",\"value\":\"A cat.\"}]}");
	json_t *msgs = parse("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"images\":[\"b.png\"]}");
	json_t *empty = parse("{\"messages\":[]}");
	json_t *none = parse("{\"text\":\"q\"}");
	json_t *mismatch = parse("{\"image\":\"a.png\",\"conversations\":["
				 "{\"from\":\"human\",\"value\":\"<image><image> two?\"},{\"from\":\"gpt\",\"value\":\"x\"}]}");
	json_t *m, *im;
	const char *kind = NULL;
	struct sbuf err = SBUF_INIT;

	(void)state;
	assert_int_equal(score_conversation(llava, &m, &im, &kind, &err), 0);
	assert_int_equal(json_array_size(m), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 1), "role")), "assistant");
	assert_string_equal(json_string_value(json_array_get(im, 0)), "a.png");
	json_decref(m);
	json_decref(im);
	assert_int_equal(score_conversation(msgs, &m, &im, &kind, &err), 0);
	assert_ptr_equal(m, json_object_get(msgs, "messages"));
	json_decref(m);
	json_decref(im);
	assert_int_equal(score_conversation(empty, &m, &im, &kind, &err), -1);
	assert_string_equal(kind, SCORE_NO_CONVERSATION);
	assert_int_equal(score_conversation(none, &m, &im, &kind, &err), -1);
	assert_string_equal(kind, SCORE_NO_CONVERSATION);
	assert_null(m);
	assert_int_equal(score_conversation(mismatch, &m, &im, &kind, &err), -1);
	assert_string_equal(kind, "image_mismatch");
	sbuf_release(&err);
	json_decref(llava);
	json_decref(msgs);
	json_decref(empty);
	json_decref(none);
	json_decref(mismatch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pooling),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_value),
		cmocka_unit_test(test_aggregate),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_units_and_images),
		cmocka_unit_test(test_conversation_forms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
