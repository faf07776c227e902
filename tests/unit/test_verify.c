/*
 * test_verify.c — smelt-verify's rewards against values worked out by
 * hand: detection matching in confidence order, the IoU threshold (0.5
 * is not above 0.5), max(n_gt, n_pred) as the denominator, confidence,
 * the box spellings models write and the ones that cannot be read, GIoU,
 * format, classification, the answer checker, weights, and the group
 * figures and verdicts.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "verify/verify_box.h"
#include "verify/verify_group.h"
#include "verify/verify_reward.h"

#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)

/* The gold of every detection case: two boxes 10 apart. */
static const char gold_two[] = "[[0,0,10,10],[20,20,30,30]]";

struct det_case {
	const char *gold, *reply;
	double thresh, iou, confidence;
	int failed;
};

static const struct det_case det_cases[] = {
	/* both exact: Σ IoU 2 / 2; confidence (0.9 + 0.8) / 2 */
	{ gold_two, "<answer>[{\"Position\":[0,0,10,10],\"Confidence\":0.9},"
		    "{\"Position\":[20,20,30,30],\"Confidence\":0.8}]</answer>", 0.5, 1, 0.85, 0 },
	/* order: B (0.9) goes first and takes box 1 at IoU 90/110; A (0.3),
	 * the exact one, finds box 1 taken and box 2 apart: 0, 1 - 0.3 */
	{ gold_two, "<answer>[{\"Position\":[0,0,10,10],\"Confidence\":0.3},"
		    "{\"Position\":[1,0,11,10],\"Confidence\":0.9}]</answer>", 0.5, 90.0 / 110 / 2, 0.8, 0 },
	/* IoU exactly 0.5 is not above the threshold: 0, and 1 - 0.6 */
	{ gold_two, "<answer>[{\"Position\":[0,0,10,20],\"Confidence\":0.6}]</answer>", 0.5, 0, 0.4, 0 },
	/* ... and counts under a threshold of 0.4: 0.5 / max(2, 1) */
	{ gold_two, "<answer>[{\"Position\":[0,0,10,20],\"Confidence\":0.6}]</answer>", 0.4, 0.25, 0.6, 0 },
	/* four predictions, two right: 2 / max(2, 4); junk at confidence 0 earns 1 - 0 */
	{ gold_two, "<answer>[[0,0,10,10],[20,20,30,30],"
		    "{\"bbox_2d\":[50,50,60,60],\"score\":0},{\"bbox_2d\":[70,70,80,80],\"score\":0}]</answer>",
	  0.5, 0.5, 1, 0 },
	/* Python spellings: single quotes, a tuple, bare keys, a string number, a trailing comma */
	{ gold_two, "<think>t</think><answer>[{'bbox_2d': (0, 0, 10, 10), 'Confidence': 0.5,}, "
		    "{Position: [20,20,30,30], confidence: '0.7'}]</answer>", 0.5, 1, 0.6, 0 },
	/* a fenced JSON list without <answer>, no confidence (read as 1) */
	{ gold_two, "Here:\n```json\n[{\"bbox_2d\": [0, 0, 10, 10]}]\n```", 0.5, 0.5, 1, 0 },
	/* corners reversed are put in order */
	{ gold_two, "<answer>[[10,10,0,0],[30,30,20,20]]</answer>", 0.5, 1, 1, 0 },
	/* nothing predicted for two boxes */
	{ gold_two, "<answer>[]</answer>", 0.5, 0, 0, 0 },
	/* nothing to find and nothing found */
	{ "[]", "<answer>[]</answer>", 0.5, 1, 1, 0 },
	/* malformed: cut short, no list at all, a box of three numbers, a word for a number */
	{ gold_two, "<answer>[[0,0,10</answer>", 0.5, 0, 0, 1 },
	{ gold_two, "I see two boxes.", 0.5, 0, 0, 1 },
	{ gold_two, "<answer>[[0,0,10]]</answer>", 0.5, 0, 0, 1 },
	{ gold_two, "<answer>[[0,0,ten,10]]</answer>", 0.5, 0, 0, 1 },
	/* the last complete answer tag counts */
	{ gold_two, "<answer>[[0,0,1,1]]</answer> no: <answer>[[0,0,10,10],[20,20,30,30]]</answer>", 0.5, 1, 1, 0 },
};

static void test_detection_cases(void **state)
{
	struct sbuf err = SBUF_INIT;
	struct vreward_spec s;
	(void)state;

	answer_opts_init(&s.answer);
	assert_int_equal(vreward_parse("iou,confidence", &s, &err), 0);
	for (size_t i = 0; i < sizeof(det_cases) / sizeof(det_cases[0]); i++) {
		const struct det_case *c = &det_cases[i];
		json_t *gold = json_string(c->gold);
		struct vreward_gold g;
		struct vreward_result r;

		s.iou_thresh = c->thresh;
		assert_int_equal(vreward_gold_read(&s, gold, &g, &err), 0);
		vreward_score(&s, &g, c->reply, &r);
		if (!NEAR(r.value[0], c->iou) || !NEAR(r.value[1], c->confidence) || r.box_parse_failed != c->failed)
			fail_msg("case %zu: iou %.12g (want %.12g), confidence %.12g (want %.12g), failed %d",
				 i, r.value[0], c->iou, r.value[1], c->confidence, r.box_parse_failed);
		assert_true(NEAR(r.total, c->iou + c->confidence));
		vreward_gold_release(&g);
		json_decref(gold);
	}
	sbuf_release(&err);
}

static void test_labels_must_agree(void **state)
{
	struct vbox_list p = VBOX_LIST_INIT, g = VBOX_LIST_INIT;
	struct vbox_match m;
	(void)state;

	assert_int_equal(vbox_parse_text("[{\"label\":\"dog\",\"bbox\":[0,0,10,10]}]", &g), 0);
	assert_int_equal(vbox_parse_text("[{\"label\":\"Cat\",\"bbox\":[0,0,10,10]}]", &p), 0);
	vbox_match(&p, &g, 0.5, &m);
	assert_true(m.iou == 0 && m.matched == 0);
	assert_int_equal(vbox_parse_text("{'objects': [{'label': 'DOG', 'box': [0,0,10,10]}]}", &p), 0);
	vbox_match(&p, &g, 0.5, &m);
	assert_true(m.iou == 1 && m.matched == 1);
	vbox_list_release(&p);
	vbox_list_release(&g);
}

static void test_giou(void **state)
{
	struct vbox a = { 0, 0, 10, 10, 1, 0, NULL }, far = { 20, 20, 30, 30, 1, 0, NULL };
	struct vbox half = { 5, 0, 15, 10, 1, 0, NULL };
	struct sbuf err = SBUF_INIT;
	struct vreward_spec s;
	struct vreward_gold g;
	struct vreward_result r;
	json_t *gold = json_pack("[i,i,i,i]", 5, 0, 15, 10);
	(void)state;

	/* apart: 0 - (900 - 200) / 900; half over: 50/150 - 0 */
	assert_true(NEAR(vbox_giou(&a, &far), -7.0 / 9));
	assert_true(NEAR(vbox_giou(&a, &half), 1.0 / 3));
	assert_true(NEAR(vbox_giou(&a, &a), 1));
	answer_opts_init(&s.answer);
	s.iou_thresh = 0.5;
	assert_int_equal(vreward_parse("giou", &s, &err), 0);
	assert_int_equal(vreward_gold_read(&s, gold, &g, &err), 0); /* a JSON box, not a string */
	vreward_score(&s, &g, "<answer>[0,0,10,10]</answer>", &r);
	assert_true(NEAR(r.total, 1 + 1.0 / 3));
	vreward_score(&s, &g, "<answer>none</answer>", &r);
	assert_true(r.total == 0 && r.box_parse_failed);
	vreward_gold_release(&g);
	json_decref(gold);
	sbuf_release(&err);
}

static void test_format(void **state)
{
	(void)state;
	assert_int_equal(vreward_format_ok("<think>a</think><answer>b</answer>"), 1);
	assert_int_equal(vreward_format_ok(" <think>a\nb</think>\n<answer>b</answer>\n"), 1);
	assert_int_equal(vreward_format_ok("<answer>b</answer>"), 0);
	assert_int_equal(vreward_format_ok("<think>a</think>"), 0);
	assert_int_equal(vreward_format_ok("<think>a</think><answer>b</answer> and more"), 0);
	assert_int_equal(vreward_format_ok("so <think>a</think><answer>b</answer>"), 0);
	assert_int_equal(vreward_format_ok(NULL), 0);
}

static double score_one(const char *spec, const char *gold_text, const char *reply)
{
	struct sbuf err = SBUF_INIT;
	struct vreward_spec s;
	struct vreward_gold g;
	struct vreward_result r;
	json_t *gold = json_string(gold_text);

	answer_opts_init(&s.answer);
	s.iou_thresh = 0.5;
	assert_int_equal(vreward_parse(spec, &s, &err), 0);
	assert_int_equal(vreward_gold_read(&s, gold, &g, &err), 0);
	vreward_score(&s, &g, reply, &r);
	vreward_gold_release(&g);
	json_decref(gold);
	sbuf_release(&err);
	return r.total;
}

static void test_cls_answer_and_weights(void **state)
{
	(void)state;
	assert_true(score_one("cls", "Golden Retriever", "<answer>golden retriever</answer>") == 1);
	assert_true(score_one("cls", "Golden Retriever", "<answer>It is a Golden Retriever.</answer>") == 1);
	assert_true(score_one("cls", "Golden Retriever", "<answer>golden retrievers</answer>") == 0);
	assert_true(score_one("cls", "Golden Retriever", "<answer>retriever</answer>") == 0);
	assert_true(score_one("answer", "12", "<answer>12.0</answer>") == 1);
	assert_true(score_one("answer", "12", "<answer>13</answer>") == 0);
	assert_true(score_one("format:0.5,answer:2", "12", "<think>x</think><answer>12</answer>") == 2.5);
	assert_true(score_one("format:0.5,answer:2", "12", "<answer>12</answer>") == 2);
}

static void test_spec_errors(void **state)
{
	const char *bad[] = { "", "iou,", "foo", "iou:x", "iou:-1", "iou,iou" };
	struct vreward_spec s;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sbuf err = SBUF_INIT;

		if (!strcmp(bad[i], "iou,"))
			assert_int_equal(vreward_parse(bad[i], &s, &err), 0); /* an empty item is skipped */
		else
			assert_int_equal(vreward_parse(bad[i], &s, &err), -1);
		sbuf_release(&err);
	}
}

static void test_groups(void **state)
{
	const struct vgroup_rule keep_all = VGROUP_RULE_INIT;
	struct vgroup_rule rule = keep_all;
	const double t[4] = { 1, 0, 1, 0 }, same[3] = { 0.7, 0.7, 0.7 };
	const int p[4] = { 1, 0, 1, 0 }, none[3] = { 0, 0, 0 };
	struct vgroup_stats g;
	double lo, hi;
	(void)state;

	vgroup_decide(&rule, t, p, 4, &g);
	assert_true(g.mean == 0.5 && g.std == 0.5 && g.pass_rate == 0.5 && !g.uniform && !g.drop_kind);
	assert_true(vgroup_advantage(&g, 1) == 1 && vgroup_advantage(&g, 0) == -1);
	vgroup_decide(&rule, same, none, 3, &g);
	assert_true(g.uniform && !g.drop_kind && vgroup_advantage(&g, 0.7) == 0);
	rule.keep_informative = 1;
	vgroup_decide(&rule, same, none, 3, &g);
	assert_string_equal(g.drop_kind, "uniform_rewards");
	assert_int_equal(vgroup_parse_band("0.2..0.8", &lo, &hi), 0);
	rule.pass_lo = lo;
	rule.pass_hi = hi;
	vgroup_decide(&rule, t, p, 4, &g);
	assert_null(g.drop_kind);
	rule.pass_lo = 0.6;
	vgroup_decide(&rule, t, p, 4, &g);
	assert_string_equal(g.drop_kind, "pass_rate_out_of_band");
	assert_int_equal(vgroup_parse_band("0.8..0.2", &lo, &hi), -1);
	assert_int_equal(vgroup_parse_band("0..2", &lo, &hi), -1);
	assert_int_equal(vgroup_parse_band("0.5", &lo, &hi), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detection_cases),
		cmocka_unit_test(test_labels_must_agree),
		cmocka_unit_test(test_giou),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_cls_answer_and_weights),
		cmocka_unit_test(test_spec_errors),
		cmocka_unit_test(test_groups),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
