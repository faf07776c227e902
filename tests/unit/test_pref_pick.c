/*
 * test_pref_pick.c — the OmniAlign-V judge's pick read from replies as
 * judges write them: the asked-for [[N]] / [[none]], JSON, a bare number,
 * "Answer 3", ordinals, verdict lines, prose naming one answer, Chinese
 * forms; and the replies that must not be read (ambiguous, empty, a tag
 * naming nothing), with the rule that decided.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "pref/pref_pick.h"

struct pick_case {
	const char *reply;
	enum pref_verdict verdict;
	long index;          /* PREF_PICK */
	enum pref_via via;
	const char *why;     /* PREF_UNPARSED: a substring of the reason */
};

#define PICK(r, i, v) { r, PREF_PICK, i, PREF_VIA_##v, NULL }
#define NONE(r, v) { r, PREF_NONE, 0, PREF_VIA_##v, NULL }
#define UNREAD(r, w) { r, PREF_UNPARSED, 0, PREF_VIA_NOTHING, w }

static const struct pick_case cases[] = {
	/* the asked-for tag */
	PICK("Answer 2 misreads the colour of the shapes.\n\n[[2]]", 2, TAG),
	PICK("[[3]]", 3, TAG),
	PICK("[[Answer 4]]", 4, TAG),
	PICK("[[ 1 ]]", 1, TAG),
	PICK("[[[2]]]", 2, TAG),
	PICK("Answers 1 and 3 are close; 2 drifts furthest. [[2]]", 2, TAG),
	PICK("My first thought was [[1]], but on reflection: [[3]]", 3, TAG),
	NONE("All answers agree with the reference in substance. [[none]]", TAG),
	NONE("[[None]]", TAG),
	NONE("各回答与参考回答基本一致。[[无]]", TAG),
	PICK("回答2把颜色说错了。[[2]]", 2, TAG),
	UNREAD("The answer that deviates most is [[N]]", "[[N]] names no answer"),
	UNREAD("[[1 or 2]]", "answer 1 and answer 2"),
	/* JSON */
	PICK("{\"choice\": 3}", 3, JSON),
	PICK("```json\n{\"reason\": \"wrong count\", \"Choice\": 2}\n```", 2, JSON),
	PICK("{\"answer\": \"Answer 4\"}", 4, JSON),
	NONE("{\"choice\": null}", JSON),
	NONE("{\"pick\": \"none\"}", JSON),
	PICK("Here is my verdict: {\"index\": 1} — it invents a second circle.", 1, JSON),
	UNREAD("{\"choice\": \"unclear\"}", "names no answer"),
	/* the whole reply is a choice */
	PICK("3", 3, WHOLE),
	PICK("3.", 3, WHOLE),
	PICK("**3**", 3, WHOLE),
	PICK("Answer 3", 3, WHOLE),
	PICK("Answer #3.", 3, WHOLE),
	PICK("Answer No. 2", 2, WHOLE),
	PICK("the third", 3, WHOLE),
	PICK("The third one.", 3, WHOLE),
	PICK("2nd", 2, WHOLE),
	PICK("#1", 1, WHOLE),
	PICK("One", 1, WHOLE),
	NONE("none", WHOLE),
	NONE("None.", WHOLE),
	NONE("N/A", WHOLE),
	NONE("none of them", WHOLE),
	NONE("No deviation.", WHOLE),
	PICK("回答3", 3, WHOLE),
	PICK("第三个", 3, WHOLE),
	PICK("第2个回答", 2, WHOLE),
	NONE("无", WHOLE),
	NONE("没有。", WHOLE),
	/* a verdict line */
	PICK("Answer 1 is accurate. Answer 2 adds detail.\nVerdict: 2", 2, LINE),
	PICK("Reasoning: answer 1 and answer 4 both miscount.\n**Final answer:** Answer 4", 4, LINE),
	NONE("Answer 1 and answer 2 both match.\nFinal verdict: none", LINE),
	PICK("回答1正确，回答2也基本正确。\n结论：回答2", 2, LINE),
	PICK("Comparing them:\n- Choice: 3", 3, LINE),
	/* prose naming one answer */
	PICK("The third answer deviates most: it says the background is light.", 3, MENTION),
	PICK("Answer 2 deviates most, since it counts five triangles instead of one.", 2, MENTION),
	PICK("Response #4 contradicts the reference; none of the others does.", 4, MENTION),
	PICK("第二个回答偏离最大，它把背景说成了浅色。", 2, MENTION),
	PICK("First, answer 2 misreads the count; the others agree with the reference.", 2, MENTION),
	PICK("Answer (3) adds a second shape that is not there.", 3, MENTION),
	NONE("None of the answers deviates from the reference in a meaningful way.", MENTION),
	NONE("各个回答都没有偏离参考回答。", MENTION),
	/* not read */
	UNREAD("", "empty"),
	UNREAD("  \n ", "empty"),
	UNREAD("Answer 1 is wrong about the colour, and answer 3 about the count.", "answer 1 and answer 3"),
	UNREAD("Answers 2 and 4 both deviate strongly.", "answer 2 and answer 4"),
	UNREAD("Answer 3 deviates somewhat, but none deviates much.", "but also none"),
	UNREAD("I cannot tell from the text alone.", "no answer number"),
	UNREAD("There are 3 circles in the image.", "no answer number"),
	UNREAD("The answer, 2 words long, is fine; so is the rest.", "no answer number"),
};

static void test_table(void **state)
{
	size_t bad = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pick_case *c = &cases[i];
		struct sbuf why = SBUF_INIT;
		struct pref_pick p;
		enum pref_verdict v = pref_pick_parse(c->reply, &p, &why);

		if (v != c->verdict || p.via != c->via || (v == PREF_PICK && p.index != c->index) ||
		    (c->why && !strstr(why.buf ? why.buf : "", c->why)))
		{
			print_error("case %zu '%s': got verdict %d index %ld via %s (%s); want %d index %ld via %s (%s)\n",
				    i, c->reply, v, p.index, pref_via_name(p.via), why.buf ? why.buf : "",
				    c->verdict, c->index, pref_via_name(c->via), c->why ? c->why : "");
			bad++;
		}
		sbuf_release(&why);
	}
	assert_int_equal(bad, 0);
}

/* A verdict at the end of a long reply is found (no token limit). */
static void test_long_reply(void **state)
{
	struct sbuf reply = SBUF_INIT, why = SBUF_INIT;
	struct pref_pick p;

	(void)state;
	for (int i = 0; i < 5000; i++)
		sbuf_addstr(&reply, "the shapes look alike ");
	sbuf_addstr(&reply, "\nso the fourth answer deviates most.");
	assert_int_equal(pref_pick_parse(reply.buf, &p, &why), PREF_PICK);
	assert_int_equal(p.index, 4);
	assert_int_equal(p.via, PREF_VIA_MENTION);
	sbuf_release(&reply);
	sbuf_release(&why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_long_reply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
