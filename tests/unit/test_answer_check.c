/*
 * test_answer_check.c — answer extraction and equivalence, one cmocka test
 * per rule so the TAP output names the category that broke. Every table
 * row is an assertion; a failing row is printed with its inputs. Rows come
 * from the rules in answer_check.h and from what models actually write.
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "answer/answer_check.h"
#include "core/sbuf.h"

#define ANY_METHOD (-1)

/* Report a failing row and keep going, so one run shows every bad row. */
#define ROW_FAIL(bad, ...)                   \
	do {                                 \
		print_error(__VA_ARGS__);    \
		print_error("\n");           \
		(bad)++;                     \
	} while (0)

static void table_done(int bad, size_t rows)
{
	if (bad)
		fail_msg("%d of %zu rows failed", bad, rows);
}

/* ---- extraction ---------------------------------------------------- */

struct ex_case {
	const char *text;
	enum extract_method pref;
	const char *want;	/* NULL: nothing may be found */
	enum extract_method method;
};

static void run_extract(const struct ex_case *c, size_t n)
{
	int bad = 0;
	struct sbuf out = SBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		enum extract_method found = EXTRACT_AUTO;
		int r = answer_extract(c[i].text, c[i].pref, &out, &found);

		if (!c[i].want) {
			if (r != 0 || found != EXTRACT_NONE || out.len)
				ROW_FAIL(bad, "row %zu: expected nothing from \"%s\", got [%s] by %s", i,
					 c[i].text, out.buf, extract_method_name(found));
			continue;
		}
		if (r != 1 || strcmp(out.buf, c[i].want) || found != c[i].method)
			ROW_FAIL(bad, "row %zu: \"%s\": want [%s] by %s, got %d [%s] by %s", i, c[i].text,
				 c[i].want, extract_method_name(c[i].method), r, out.buf,
				 extract_method_name(found));
	}
	sbuf_release(&out);
	table_done(bad, n);
}

#define AUTO EXTRACT_AUTO

static void test_extract_final_answer(void **state)
{
	static const struct ex_case cases[] = {
		{ "Step 1: add.\n\nStep 2: done.\n\nFinal answer: 42", AUTO, "42", EXTRACT_FINAL_ANSWER },
		{ "so final answer: 42", AUTO, "42", EXTRACT_FINAL_ANSWER },
		{ "FINAL ANSWER: 42", AUTO, "42", EXTRACT_FINAL_ANSWER },
		{ "Final Answer : 42", AUTO, "42", EXTRACT_FINAL_ANSWER },
		{ "**Final answer:** 12", AUTO, "12", EXTRACT_FINAL_ANSWER },
		{ "**Final Answer**: 12", AUTO, "12", EXTRACT_FINAL_ANSWER },
		{ "Final answer: **B**", AUTO, "B", EXTRACT_FINAL_ANSWER },
		{ "Final answer: $\\frac{3}{4}$.", AUTO, "\\frac{3}{4}", EXTRACT_FINAL_ANSWER },
		{ "Final answer: 3\n\nWait, let me re-check.\n\nFinal answer: 5", AUTO, "5",
		  EXTRACT_FINAL_ANSWER },
		{ "Final answer: 5 Final answer: 6", AUTO, "6", EXTRACT_FINAL_ANSWER },
		{ "Final answer:\n7", AUTO, "7", EXTRACT_FINAL_ANSWER },
		{ "Final answer:\n\n7", AUTO, "7", EXTRACT_FINAL_ANSWER },
		{ "Final answer: 7\n\nThis is because the sum is 7.", AUTO, "7", EXTRACT_FINAL_ANSWER },
		{ "Final answer: x = 1\ny = 2", AUTO, "x = 1\ny = 2", EXTRACT_FINAL_ANSWER },
		{ "Final answer: The answer is \\boxed{9}.", AUTO, "9", EXTRACT_FINAL_ANSWER },
		{ "Final answer: $\\boxed{12}$", AUTO, "12", EXTRACT_FINAL_ANSWER },
		{ "Final answer：42", AUTO, "42", EXTRACT_FINAL_ANSWER },
		{ "Final answer: $$x = 5$$", AUTO, "x = 5", EXTRACT_FINAL_ANSWER },
		{ "Final answer: \\(\\sqrt{3}\\)", AUTO, "\\sqrt{3}", EXTRACT_FINAL_ANSWER },
		{ "Final answer: \\[2\\pi\\]", AUTO, "2\\pi", EXTRACT_FINAL_ANSWER },
		{ "Final answer: \\text{(B)}", AUTO, "(B)", EXTRACT_FINAL_ANSWER },
		{ "Final answer: 1,000.", AUTO, "1,000", EXTRACT_FINAL_ANSWER },
		{ "Final answer: 12 cm\xc2\xb2", AUTO, "12 cm\xc2\xb2", EXTRACT_FINAL_ANSWER },
		/* The marker beats an earlier box; a box inside it narrows it. */
		{ "\\boxed{4}\n\nFinal answer: 3", AUTO, "3", EXTRACT_FINAL_ANSWER },
		/* An empty marker does not count: the box is the answer. */
		{ "\\boxed{5}\n\nFinal answer:", AUTO, "5", EXTRACT_BOXED },
		/* zh markers */
		{ "\xe6\x9c\x80\xe7\xbb\x88\xe7\xad\x94\xe6\xa1\x88\xef\xbc\x9a" "B", AUTO, "B",
		  EXTRACT_FINAL_ANSWER },
		{ "\xe6\x9c\x80\xe7\xbb\x88\xe7\xad\x94\xe6\xa1\x88: 12", AUTO, "12", EXTRACT_FINAL_ANSWER },
		{ "\xe6\x89\x80\xe4\xbb\xa5\xe7\xad\x94\xe6\xa1\x88\xef\xbc\x9a" "15\xe3\x80\x82", AUTO, "15",
		  EXTRACT_FINAL_ANSWER },
		/* Not markers. */
		{ "no marker here", EXTRACT_FINAL_ANSWER, NULL, EXTRACT_NONE },
		{ "the final answers: 5", EXTRACT_FINAL_ANSWER, NULL, EXTRACT_NONE },
		{ "semifinal answer: 5", EXTRACT_FINAL_ANSWER, NULL, EXTRACT_NONE },
		{ "Final answer:   \n", EXTRACT_FINAL_ANSWER, NULL, EXTRACT_NONE },
	};

	run_extract(cases, ARRAY_SIZE(cases));
}

static void test_extract_boxed(void **state)
{
	static const struct ex_case cases[] = {
		{ "so \\boxed{\\frac{1}{\\sqrt{2}}} done", AUTO, "\\frac{1}{\\sqrt{2}}", EXTRACT_BOXED },
		{ "First \\boxed{1}, then \\boxed{2}.", AUTO, "2", EXTRACT_BOXED },
		{ "\\boxed{\\{1,2\\}}", AUTO, "\\{1,2\\}", EXTRACT_BOXED },
		{ "\\boxed{\\left(\\frac{1}{2}, 3\\right]}", AUTO, "\\left(\\frac{1}{2}, 3\\right]",
		  EXTRACT_BOXED },
		{ "\\fbox{C}", AUTO, "C", EXTRACT_BOXED },
		{ "the answer \\boxed {5}", AUTO, "5", EXTRACT_BOXED },
		{ "$\\boxed{x^{2}+1}$", AUTO, "x^{2}+1", EXTRACT_BOXED },
		{ "\\boxed{3} and then \\boxed{4", AUTO, "3", EXTRACT_BOXED },
		{ "\\boxed{\\boxed{7}}", AUTO, "7", EXTRACT_BOXED },
		{ "\\boxed{5}\n\nWait, I made an error.\n\nRedo: \\boxed{6}", AUTO, "6", EXTRACT_BOXED },
		{ "\\boxed{4}\n\nFinal answer: 3", EXTRACT_BOXED, "4", EXTRACT_BOXED },
		{ "\\boxed{\\frac{1}{2}", EXTRACT_BOXED, NULL, EXTRACT_NONE },
		{ "\\boxed{}", AUTO, NULL, EXTRACT_NONE },
		{ "\\boxedx{3}", EXTRACT_BOXED, NULL, EXTRACT_NONE },
		{ "{3}", EXTRACT_BOXED, NULL, EXTRACT_NONE },
	};

	run_extract(cases, ARRAY_SIZE(cases));
}

static void test_extract_answer_tag(void **state)
{
	static const struct ex_case cases[] = {
		{ "<answer>B</answer>", AUTO, "B", EXTRACT_ANSWER_TAG },
		{ "<think>hmm \\boxed{1}</think><answer>2</answer>", AUTO, "2", EXTRACT_ANSWER_TAG },
		{ "<answer>x</answer> then <answer>y</answer>", AUTO, "y", EXTRACT_ANSWER_TAG },
		{ "<ANSWER> 5 </ANSWER>", AUTO, "5", EXTRACT_ANSWER_TAG },
		{ "<answer>\\boxed{7}</answer>", AUTO, "7", EXTRACT_ANSWER_TAG },
		{ "<answer>(2, 3]</answer>", AUTO, "(2, 3]", EXTRACT_ANSWER_TAG },
		{ "<answer>a</answer><answer>unclosed", AUTO, "a", EXTRACT_ANSWER_TAG },
		{ "<answer>unclosed", EXTRACT_ANSWER_TAG, NULL, EXTRACT_NONE },
		{ "</answer>x<answer>", EXTRACT_ANSWER_TAG, NULL, EXTRACT_NONE },
		{ "<answer> </answer>", EXTRACT_ANSWER_TAG, NULL, EXTRACT_NONE },
	};

	run_extract(cases, ARRAY_SIZE(cases));
}

static void test_extract_options_and_phrases(void **state)
{
	static const struct ex_case cases[] = {
		{ "Therefore, the answer is B.", AUTO, "B", EXTRACT_OPTION },
		{ "The answer is (B) because the angle is larger.", AUTO, "B", EXTRACT_OPTION },
		{ "The correct option is (C).", AUTO, "C", EXTRACT_OPTION },
		{ "So the correct answer is: D", AUTO, "D", EXTRACT_OPTION },
		{ "I choose option B.", AUTO, "B", EXTRACT_OPTION },
		{ "Answer: B", AUTO, "B", EXTRACT_OPTION },
		{ "the answer is **C**", AUTO, "C", EXTRACT_OPTION },
		{ "The answer is option A.", AUTO, "A", EXTRACT_OPTION },
		{ "The answer is B, since 3 < 4.", AUTO, "B", EXTRACT_OPTION },
		{ "The answer is (B) 45\xc2\xb0.", AUTO, "(B) 45\xc2\xb0", EXTRACT_OPTION },
		{ "\xe7\xad\x94\xe6\xa1\x88\xe6\x98\xaf C\xe3\x80\x82", AUTO, "C", EXTRACT_OPTION },
		{ "\xe6\x95\x85\xe9\x80\x89" "B", AUTO, "B", EXTRACT_OPTION },
		{ "B", AUTO, "B", EXTRACT_OPTION },
		{ "(B)", AUTO, "B", EXTRACT_OPTION },
		{ "**B**", AUTO, "B", EXTRACT_OPTION },
		{ "B.", AUTO, "B", EXTRACT_OPTION },
		{ "B. 45\xc2\xb0", AUTO, "B. 45\xc2\xb0", EXTRACT_OPTION },
		{ "(C) The triangle is isosceles", AUTO, "(C) The triangle is isosceles", EXTRACT_OPTION },
		{ "Let me think.\n\nThe shapes differ.\n\n**C**", AUTO, "C", EXTRACT_OPTION },
		{ "The answer is 12 apples, since each box holds 3.", AUTO, "12 apples", EXTRACT_PHRASE },
		{ "So the answer is $\\frac{1}{2}$. Done", AUTO, "\\frac{1}{2}", EXTRACT_PHRASE },
		{ "The answer is **7**.", AUTO, "7", EXTRACT_PHRASE },
		{ "The final answer is 42.", AUTO, "42", EXTRACT_PHRASE },
		{ "Answer: The car is red.", AUTO, "The car is red", EXTRACT_PHRASE },
		{ "the answer is {1, 2}, so", AUTO, "{1, 2}", EXTRACT_PHRASE },
		{ "The answer is:\n\n42", AUTO, "42", EXTRACT_PHRASE },
		/* A walk through the options names no answer; the last number is a guess. */
		{ "Option A: 3 cm is too small.\nOption B: 5 cm fits.", AUTO, "5", EXTRACT_LAST_NUMBER },
		{ "To answer this, we look at the bars.\n\nThe red bar is 40.", AUTO, "40",
		  EXTRACT_LAST_NUMBER },
		{ "I think it is C", EXTRACT_OPTION, NULL, EXTRACT_NONE },
		{ "A cat sat there.\nAnother line.", EXTRACT_OPTION, NULL, EXTRACT_NONE },
		{ "Ba", EXTRACT_OPTION, NULL, EXTRACT_NONE },
		{ "The answer is 12 apples.", EXTRACT_OPTION, NULL, EXTRACT_NONE },
		{ "The answer is B.", EXTRACT_PHRASE, "B", EXTRACT_OPTION },
	};

	run_extract(cases, ARRAY_SIZE(cases));
}

static void test_extract_fallbacks(void **state)
{
	static const struct ex_case cases[] = {
		{ "Paris", AUTO, "Paris", EXTRACT_WHOLE },
		{ "A cat", AUTO, "A cat", EXTRACT_WHOLE },
		{ "The area is 12 cm.", AUTO, "The area is 12 cm", EXTRACT_WHOLE },
		{ "  yes  ", AUTO, "yes", EXTRACT_WHOLE },
		{ "B.", EXTRACT_WHOLE, "B", EXTRACT_WHOLE },
		{ "Long reasoning\nline two has 7 apples\nand 9 pears", AUTO, "9", EXTRACT_LAST_NUMBER },
		{ "the total is -3 degrees\nyes", AUTO, "-3", EXTRACT_LAST_NUMBER },
		{ "values 1,234 and\nthen 3.5%", AUTO, "3.5%", EXTRACT_LAST_NUMBER },
		{ "values\n1,234 total", AUTO, "1,234", EXTRACT_LAST_NUMBER },
		{ "ratio\n3/4 is it", AUTO, "3/4", EXTRACT_LAST_NUMBER },
		{ "x-3 is\nfine 4", AUTO, "4", EXTRACT_LAST_NUMBER },
		{ "drop to\n\xe2\x88\x92" "5 degrees", AUTO, "\xe2\x88\x92" "5", EXTRACT_LAST_NUMBER },
		{ "Final answer: 3 apples and 5 pears", EXTRACT_LAST_NUMBER, "5", EXTRACT_LAST_NUMBER },
		{ "half is .5\nok", AUTO, ".5", EXTRACT_LAST_NUMBER },
		/* Numbers inside names are not answers. */
		{ "H2O\nand CO2", AUTO, NULL, EXTRACT_NONE },
		{ "", AUTO, NULL, EXTRACT_NONE },
		{ "   \n\n  ", AUTO, NULL, EXTRACT_NONE },
		{ "No numbers here at all, just a long explanation\nthat spans lines", AUTO, NULL,
		  EXTRACT_NONE },
		{ "one line but it is far too long to be an answer by itself: lorem ipsum dolor sit "
		  "amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et "
		  "dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco",
		  AUTO, NULL, EXTRACT_NONE },
	};

	run_extract(cases, ARRAY_SIZE(cases));
}

struct clean_case {
	const char *in, *want;
};

static void test_clean(void **state)
{
	static const struct clean_case cases[] = {
		{ "  42  ", "42" }, { "42.", "42" }, { "$42$", "42" }, { "$$42$$", "42" },
		{ "**42**", "42" }, { "*42*", "42" }, { "\\boxed{42}", "42" },
		{ "$\\boxed{42}$.", "42" }, { "\\text{B}", "B" }, { "\\(x\\)", "x" },
		{ "\\[x\\]", "x" }, { "**$\\frac{1}{2}$**.", "\\frac{1}{2}" },
		{ "$\\$5$", "\\$5" }, { "3.5", "3.5" }, { "\\$5", "\\$5" },
		{ "$a$ and $b$", "$a$ and $b$" }, { "**a** and **b**", "**a** and **b**" },
		{ "\\boxed{1}+\\boxed{2}", "\\boxed{1}+\\boxed{2}" },
		{ "12\xe3\x80\x82", "12" }, { "\xe3\x80\x80" "12\xe3\x80\x80", "12" },
		{ "", "" }, { "...", "" },
	};
	struct sbuf out = SBUF_INIT;
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		sbuf_reset(&out);
		answer_clean(cases[i].in, &out);
		if (strcmp(out.buf, cases[i].want))
			ROW_FAIL(bad, "row %zu: clean(\"%s\") = [%s], want [%s]", i, cases[i].in, out.buf,
				 cases[i].want);
	}
	sbuf_release(&out);
	table_done(bad, ARRAY_SIZE(cases));
}

/* ---- equivalence tables -------------------------------------------- */

struct eq_case {
	const char *pred, *gold;
	bool want;
	int method;	/* enum answer_mode, or ANY_METHOD */
};

static void run_eq(const struct eq_case *c, size_t n, const struct answer_opts *o)
{
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		struct answer_verdict v;

		assert_int_equal(answer_equivalent(c[i].pred, c[i].gold, o, &v), 0);
		if (v.correct != c[i].want || (c[i].method != ANY_METHOD && (int)v.method != c[i].method))
			ROW_FAIL(bad, "row %zu: \"%s\" vs gold \"%s\": want %s by %s, got %s by %s", i,
				 c[i].pred, c[i].gold, c[i].want ? "correct" : "wrong",
				 c[i].method == ANY_METHOD ? "any" : answer_mode_name(c[i].method),
				 v.correct ? "correct" : "wrong", answer_mode_name(v.method));
		if (v.score != (v.correct ? 1.0 : 0.0) && v.method != ANSWER_ANLS)
			ROW_FAIL(bad, "row %zu: score %g does not match the verdict", i, v.score);
	}
	table_done(bad, n);
}

static void run_eq_mode(const struct eq_case *c, size_t n, enum answer_mode mode)
{
	struct answer_opts o;

	answer_opts_init(&o);
	o.mode = mode;
	run_eq(c, n, &o);
}

#define T true
#define F false
#define M_EXACT ANSWER_EXACT
#define M_VQA ANSWER_VQA
#define M_MC ANSWER_MC
#define M_NUM ANSWER_NUMERIC
#define M_SET ANSWER_SET

static void test_exact(void **state)
{
	static const struct eq_case cases[] = {
		{ "Paris", "paris", T, M_EXACT }, { "  Paris ", "Paris", T, M_EXACT },
		{ "PARIS.", "paris", T, M_EXACT }, { "$x$", "x", T, M_EXACT },
		{ "Stra\xc3\x9f" "e", "STRASSE", T, M_EXACT },
		{ "\xc3\x9c" "ber", "\xc3\xbc" "ber", T, M_EXACT },
		{ "Paris", "Pari", F, M_EXACT }, { "New York", "New  York", F, M_EXACT },
		{ "3", "3.0", F, M_EXACT }, { "cat", "the cat", F, M_EXACT },
		{ "yes", "no", F, M_EXACT }, { "B", "(B)", F, M_EXACT },
	};

	run_eq_mode(cases, ARRAY_SIZE(cases), ANSWER_EXACT);
}

static void test_vqa(void **state)
{
	static const struct eq_case cases[] = {
		{ "The cat", "cat", T, M_VQA }, { "a dog", "dog", T, M_VQA },
		{ "an apple", "apple", T, M_VQA }, { "Cat!", "cat", T, M_VQA },
		{ "three", "3", T, M_VQA }, { "Twenty-one", "21", T, M_VQA },
		{ "twenty one", "21", T, M_VQA }, { "one hundred", "100", T, M_VQA },
		{ "a hundred", "100", T, M_VQA }, { "two thousand five hundred", "2500", T, M_VQA },
		{ "zero", "0", T, M_VQA }, { "none", "0", T, M_VQA },
		{ "seventeen", "17", T, M_VQA }, { "one two three", "1 2 3", T, M_VQA },
		{ "two dogs", "2 dogs", T, M_VQA }, { "don't", "do not", T, M_VQA },
		{ "dont", "do not", T, M_VQA }, { "can't", "cannot", T, M_VQA },
		{ "It's red", "it is red", T, M_VQA }, { "won't", "will not", T, M_VQA },
		{ "they\xe2\x80\x99re here", "they are here", T, M_VQA },
		{ "John's", "johns", T, M_VQA }, { "1,000", "1000", T, M_VQA },
		{ "3.5", "3.5", T, M_VQA }, { "-3", "-3", T, M_VQA }, { ".5", ".5", T, M_VQA },
		{ "Hello, World!", "hello world", T, M_VQA },
		{ "\xe2\x80\x9cquoted\xe2\x80\x9d", "quoted", T, M_VQA },
		{ "left side", "left-side", T, M_VQA },
		{ "\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3", "abc", T, M_VQA },	/* full-width ABC */
		{ "3/4", "3/4", T, M_VQA }, { "  red   car ", "red car", T, M_VQA },
		/* Negatives. */
		{ "3.5", "35", F, M_VQA }, { "yes", "no", F, M_VQA }, { "red car", "car red", F, M_VQA },
		{ "the", "a", F, M_VQA }, { "cat", "cats", F, M_VQA }, { "sixty", "16", F, M_VQA },
		{ "Caf\xc3\xa9", "cafe", F, M_VQA }, { "3", "-3", F, M_VQA },
		{ "not red", "red", F, M_VQA }, { "two", "3", F, M_VQA },
	};
	struct sbuf out = SBUF_INIT;

	run_eq_mode(cases, ARRAY_SIZE(cases), ANSWER_VQA);
	answer_vqa_normalize("The Two cats, don't they?", &out);
	assert_string_equal(out.buf, "2 cats do not they");
	sbuf_release(&out);
}

static void test_mc_letters(void **state)
{
	static const struct eq_case cases[] = {
		{ "B", "B", T, M_EXACT }, { "(B)", "B", T, M_MC }, { "B.", "B", T, M_EXACT },
		{ "**B**", "B", T, M_EXACT }, { "B) 45\xc2\xb0", "B", T, M_MC },
		{ "B. 45", "B", T, M_MC }, { "The answer is B", "B", T, M_MC },
		{ "The correct option is (C)", "C", T, M_MC }, { "the answer is (b)", "B", T, M_MC },
		{ "[D]", "D", T, M_MC }, { "Option C", "C", T, M_MC }, { "B", "(B)", T, M_MC },
		{ "b", "B", T, M_EXACT }, { "(c)", "C", T, M_MC },
		{ "\xef\xbc\x88" "B\xef\xbc\x89", "B", T, M_MC },
		{ "B\xef\xbc\x9a\xe6\xad\xa3\xe7\xa1\xae", "B", T, M_MC },
		{ "Option D: none of these", "D", T, M_MC }, { "**(A)**", "A", T, M_MC },
		/* The option's text against a text gold. */
		{ "B. 45", "45", T, M_MC }, { "(B) 45\xc2\xb0", "45", T, M_MC },
		{ "B) 30 cm", "30", T, M_MC }, { "(B) 45\xc2\xb0", "B. 45", T, M_MC },
		{ "45", "(B) 45", T, M_MC },
		/* Negatives. */
		{ "(A)", "B", F, M_MC }, { "A", "B", F, M_MC }, { "The answer is A", "B", F, M_MC },
		{ "(B) 45", "C", F, M_MC }, { "A cat", "A", F, M_VQA }, { "B12", "B", F, ANY_METHOD },
		{ "AB", "A", F, ANY_METHOD }, { "B", "A cat", F, ANY_METHOD },
		{ "C", "C major", F, ANY_METHOD }, { "I think it is C", "C", F, ANY_METHOD },
		{ "B. 45", "46", F, ANY_METHOD }, { "B.C.", "B", F, ANY_METHOD },
	};

	run_eq_mode(cases, ARRAY_SIZE(cases), ANSWER_AUTO);
}

static void test_mc_options(void **state)
{
	static const char *const cm[] = { "3 cm", "4 cm", "5 cm", "6 cm" };
	static const char *const lettered[] = { "A. red", "B. green", "C. blue" };
	static const struct eq_case cm_cases[] = {
		{ "C", "5 cm", T, M_MC }, { "5 cm", "C", T, M_MC }, { "5", "C", T, M_MC },
		{ "(C)", "5 cm", T, M_MC }, { "The answer is C", "5 cm", T, M_MC },
		{ "C. 5 cm", "C", T, M_MC }, { "5 centimeters", "C", T, M_MC },
		{ "D", "5 cm", F, M_MC }, { "4 cm", "C", F, M_MC }, { "7 cm", "C", F, M_MC },
		{ "A", "C", F, M_MC },
	};
	static const struct eq_case lettered_cases[] = {
		{ "green", "B", T, M_MC }, { "B", "green", T, M_MC }, { "Green.", "B", T, M_MC },
		{ "blue", "B", F, M_MC }, { "the green one", "B", F, M_MC }, { "C", "green", F, M_MC },
	};
	static const struct eq_case json_cases[] = {
		{ "A", "yes", T, M_MC }, { "no", "B", T, M_MC }, { "B", "yes", F, M_MC },
	};
	static const struct eq_case question_cases[] = {
		{ "20", "D", T, M_MC }, { "D", "20", T, M_MC }, { "C", "9", T, M_MC },
		{ "15", "D", F, M_MC }, { "B", "12", F, M_MC },
	};
	struct answer_opts o;
	json_t *arr = json_pack("[s, s]", "yes", "no");

	answer_opts_init(&o);
	o.options = cm;
	o.noptions = ARRAY_SIZE(cm);
	run_eq(cm_cases, ARRAY_SIZE(cm_cases), &o);
	o.options = lettered;
	o.noptions = ARRAY_SIZE(lettered);
	run_eq(lettered_cases, ARRAY_SIZE(lettered_cases), &o);
	answer_opts_init(&o);
	o.options_json = arr;
	run_eq(json_cases, ARRAY_SIZE(json_cases), &o);
	answer_opts_init(&o);
	o.question = "Which is largest?\nA. 12\nB. 15\n(C) 9\nD) 20\nAnswer with the letter.";
	run_eq(question_cases, ARRAY_SIZE(question_cases), &o);
	json_decref(arr);
}

static void test_mc_mode(void **state)
{
	static const struct eq_case cases[] = {
		{ "B", "B", T, M_EXACT }, { "(B)", "B", T, M_MC }, { "12", "12", T, M_EXACT },
		{ "The answer is (D)", "D", T, M_MC },
		{ "12", "12.0", F, M_MC }, { "B", "C", F, M_MC }, { "cat", "dog", F, M_MC },
	};

	run_eq_mode(cases, ARRAY_SIZE(cases), ANSWER_MC);
}

static void test_numeric(void **state)
{
	static const struct eq_case cases[] = {
		{ "42", "42.0", T, M_NUM }, { "42.04", "42", T, M_NUM }, { "42.05", "42", F, M_NUM },
		{ "1000.9", "1000", T, M_NUM }, { "1001.1", "1000", F, M_NUM },
		{ "0.75", "\\frac{3}{4}", T, M_NUM }, { "1/2", "0.5", T, M_NUM },
		/* Separators. */
		{ "1,000", "1000", T, M_NUM }, { "1,234,567", "1234567", T, M_NUM },
		{ "1,234.5", "1234.5", T, M_NUM }, { "3,5", "3.5", T, M_NUM },
		{ "0,5", "0.5", T, M_NUM }, { "3,500", "3500", T, M_NUM },
		{ "3,500", "3.5", F, M_NUM }, { "12,75", "12.75", T, M_NUM },
		{ "0,500", "0.5", T, M_NUM }, { "12\\,000", "12000", T, M_NUM },
		{ "1{,}000", "1000", T, M_NUM },
		/* Signs and zero. */
		{ "-5", "-5.0", T, M_NUM }, { "\xe2\x88\x92" "5", "-5", T, M_NUM },
		{ "-5", "5", F, M_NUM }, { "+5", "5", T, M_NUM }, { "0", "0.0", T, M_NUM },
		{ "-0", "0", T, M_NUM }, { "0.0001", "0", F, M_NUM },
		/* Scientific notation. */
		{ "1.5e3", "1500", T, M_NUM }, { "1.5E3", "1500", T, M_NUM },
		{ "1.5e-3", "0.0015", T, M_NUM }, { "1.5 \\times 10^{3}", "1500", T, M_NUM },
		{ "1.5 \xc3\x97 10^3", "1500", T, M_NUM }, { "1.5*10^3", "1500", T, M_NUM },
		{ "2.5 \\cdot 10^{-2}", "0.025", T, M_NUM },
		{ "6.02e23", "6.02 \\times 10^{23}", T, M_NUM }, { "1.5e3", "150", F, M_NUM },
		/* Number words and named values. */
		{ "three", "3", T, M_NUM }, { "Three", "3", T, M_NUM },
		{ "twenty-one", "21", T, M_NUM }, { "three", "4", F, M_NUM },
		{ "x = 5", "5", T, M_NUM }, { "y=5", "5", T, M_NUM }, { "x = 2 + 3 = 5", "5", T, M_NUM },
		{ "x \\approx 3.14", "3.14", T, M_NUM }, { "x \xe2\x89\x88 3.14", "3.14", T, M_NUM },
		{ "\\angle ABC = 30^\\circ", "30", T, M_NUM },
		/* Not numbers: dates, ranges, comparisons. */
		{ "2020-01-05", "2014", F, ANY_METHOD }, { "3-4", "-1", F, ANY_METHOD },
		{ "1/2/3", "0.1667", F, ANY_METHOD }, { "x <= 5", "5", F, ANY_METHOD },
		{ "12 apples", "12", F, M_VQA }, { "12 or 13", "12", F, ANY_METHOD },
		{ "3", "4", F, M_NUM }, { "1e400", "1", F, ANY_METHOD },
	};

	run_eq_mode(cases, ARRAY_SIZE(cases), ANSWER_AUTO);
}

static void test_units(void **state)
{
	static const struct eq_case cases[] = {
		{ "12 cm", "12", T, M_NUM }, { "12cm", "12", T, M_NUM }, { "12 cm^2", "12", T, M_NUM },
		{ "12 \\text{cm}^2", "12", T, M_NUM }, { "12 cm\xc2\xb2", "12", T, M_NUM },
		{ "12\\text{ cm}^{2}", "12", T, M_NUM }, { "5 kg", "5", T, M_NUM },
		{ "30 s", "30", T, M_NUM }, { "3.5 km", "3.5", T, M_NUM },
		{ "90\xc2\xb0", "90", T, M_NUM }, { "90^\\circ", "90", T, M_NUM },
		{ "90^{\\circ}", "90", T, M_NUM }, { "45 degrees", "45", T, M_NUM },
		{ "$5", "5", T, M_NUM }, { "\\$5", "5", T, M_NUM }, { "$\\$5$", "5", T, M_NUM },
		{ "\xe2\x82\xac" "20", "20", T, M_NUM }, { "20 dollars", "20", T, M_NUM },
		{ "60 km/h", "60", T, M_NUM }, { "9.8 m/s^2", "9.8", T, M_NUM },
		{ "10 square units", "10", T, M_NUM }, { "2 hours", "2", T, M_NUM },
		{ "5 \xe5\x8e\x98\xe7\xb1\xb3", "5", T, M_NUM },			/* 5 厘米 */
		{ "12\xe5\xb9\xb3\xe6\x96\xb9\xe5\x8e\x98\xe7\xb1\xb3", "12", T, M_NUM },	/* 平方厘米 */
		{ "5\xe5\x85\x83", "5", T, M_NUM },					/* 5元 */
		{ "12 cm", "13 cm", F, M_NUM }, { "90\xc2\xb0", "45\xc2\xb0", F, M_NUM },
		/* Units are dropped, not converted: a documented limit. */
		{ "12 m", "12 cm", T, M_NUM },
	};

	run_eq_mode(cases, ARRAY_SIZE(cases), ANSWER_AUTO);
}

static void test_percent(void **state)
{
	static const struct eq_case either[] = {
		{ "50%", "50", T, M_NUM }, { "50%", "0.5", T, M_NUM }, { "0.5", "50%", T, M_NUM },
		{ "50 percent", "0.5", T, M_NUM }, { "25\\%", "0.25", T, M_NUM },
		{ "0.5%", "0.5", T, M_NUM }, { "12.5%", "12.5%", T, M_EXACT },
		{ "50%", "0.51", F, M_NUM }, { "50%", "5%", F, M_NUM }, { "50%", "0.5%", F, M_NUM },
	};
	static const struct eq_case strip[] = {
		{ "50%", "50", T, M_NUM }, { "50%", "0.5", F, M_NUM }, { "50%", "50%", T, M_EXACT },
	};
	static const struct eq_case scale[] = {
		{ "50%", "0.5", T, M_NUM }, { "50%", "50", F, M_NUM }, { "0.5", "50%", T, M_NUM },
	};
	struct answer_opts o;

	answer_opts_init(&o);
	run_eq(either, ARRAY_SIZE(either), &o);
	o.percent = ANSWER_PERCENT_STRIP;
	run_eq(strip, ARRAY_SIZE(strip), &o);
	o.percent = ANSWER_PERCENT_SCALE;
	run_eq(scale, ARRAY_SIZE(scale), &o);
}

static void test_tolerance(void **state)
{
	static const struct eq_case loose[] = {
		{ "3.13", "3.1", T, M_NUM }, { "3.14", "3.1", F, M_NUM }, { "101", "100", T, M_NUM },
	};
	static const struct eq_case strict[] = {
		{ "3.1", "3.1", T, M_EXACT }, { "3.10", "3.1", T, M_NUM },
		{ "3.1001", "3.1", F, M_NUM }, { "100.001", "100", F, M_NUM },
	};
	struct answer_opts o;

	answer_opts_init(&o);
	o.rel_tol = 0.01;
	run_eq(loose, ARRAY_SIZE(loose), &o);
	o.rel_tol = 0;
	run_eq(strict, ARRAY_SIZE(strict), &o);
}

static void test_latex(void **state)
{
	static const struct eq_case cases[] = {
		{ "\\frac{3}{4}", "0.75", T, M_NUM }, { "\\dfrac{3}{4}", "0.75", T, M_NUM },
		{ "\\tfrac{3}{4}", "0.75", T, M_NUM }, { "\\frac34", "0.75", T, M_NUM },
		{ "\\frac{1}2", "0.5", T, M_NUM }, { "\\frac{1}{2}", "\\frac{2}{4}", T, M_NUM },
		{ "\\frac{1}{3}", "0.3333", T, M_NUM },
		/* 0.333 is 0.1% off 1/3: just outside the default 1e-3. */
		{ "\\frac{1}{3}", "0.333", F, M_NUM },
		{ "\\sqrt{2}", "1.4142", T, M_NUM }, { "\\sqrt2", "1.4142", T, M_NUM },
		{ "\\sqrt{2}/2", "\\frac{\\sqrt{2}}{2}", T, M_NUM },
		{ "\\frac{1}{\\sqrt{2}}", "\\frac{\\sqrt{2}}{2}", T, M_NUM },
		{ "\\boxed{\\frac{1}{\\sqrt{2}}}", "0.7071", T, M_NUM },
		{ "\\sqrt[3]{8}", "2", T, M_NUM }, { "\\pi", "3.1416", T, M_NUM },
		{ "2\\pi", "6.2832", T, M_NUM }, { "\\frac{\\pi}{4}", "0.7854", T, M_NUM },
		{ "\\frac\\pi2", "1.5708", T, M_NUM },
		{ "\\left(\\frac{1}{2}\\right)", "0.5", T, M_NUM }, { "\\text{12 cm}", "12", T, M_NUM },
		{ "12\\mathrm{\\,cm}", "12", T, M_NUM }, { "\\displaystyle\\frac{1}{4}", "0.25", T, M_NUM },
		{ "3\\frac{1}{2}", "3.5", T, M_NUM }, { "-2\\frac{1}{2}", "-2.5", T, M_NUM },
		{ "2\\frac{\\pi}{3}", "2.0944", T, M_NUM }, { "\\sqrt{2}\\cdot\\sqrt{8}", "4", T, M_NUM },
		{ "\xe2\x88\x9a" "2", "1.4142", T, M_NUM }, { "\xcf\x80", "3.1416", T, M_NUM },
		{ "2\xcf\x80", "6.2832", T, M_NUM }, { "\\frac{3}{4}", "\\frac{4}{3}", F, M_NUM },
		{ "\\frac{3}{0}", "0", F, ANY_METHOD }, { "\\frac{a}{b}", "1", F, ANY_METHOD },
		{ "\\sqrt{-1}", "0", F, ANY_METHOD }, { "\\sqrt{3}", "1.7", F, M_NUM },
		{ "2\\pi", "\\pi", F, M_NUM },
	};

	run_eq_mode(cases, ARRAY_SIZE(cases), ANSWER_AUTO);
}

static void test_expressions(void **state)
{
	static const struct eq_case expr[] = {
		{ "2+3", "5", T, ANSWER_EXPR }, { "2*3+1", "7", T, ANSWER_EXPR },
		{ "2(3+1)", "8", T, ANSWER_EXPR }, { "(1+2)(3+4)", "21", T, ANSWER_EXPR },
		{ "2^10", "1024", T, ANSWER_EXPR }, { "2^{10}", "1024", T, ANSWER_EXPR },
		{ "2^-1", "0.5", T, ANSWER_EXPR }, { "-2^2", "-4", T, ANSWER_EXPR },
		{ "2^3^2", "512", T, ANSWER_EXPR }, { "10/4", "2.5", T, ANSWER_EXPR },
		{ "8/2/2", "2", T, ANSWER_EXPR }, { "1-2-3", "-4", T, ANSWER_EXPR },
		{ "sqrt(16)", "4", T, ANSWER_EXPR }, { "3\\sqrt{2}", "4.2426", T, ANSWER_EXPR },
		{ "2\\sqrt3", "3.4641", T, ANSWER_EXPR }, { "e^2", "7.389", T, ANSWER_EXPR },
		{ "((((2))))", "2", T, ANSWER_EXPR }, { "x = 2+3", "5", T, ANSWER_EXPR },
		{ "(1,2]", "(1, 2]", T, M_SET },
		{ "1/0", "0", F, ANSWER_EXPR }, { "2 3", "6", F, ANSWER_EXPR },
		{ "12 cm", "12", F, ANSWER_EXPR }, { "1,000", "1000", F, ANSWER_EXPR },
		{ "3+", "3", F, ANSWER_EXPR }, { "2**3", "8", F, ANSWER_EXPR },
		{ "\\pi r^2", "3.14", F, ANSWER_EXPR }, { "2+3", "6", F, ANSWER_EXPR },
		{ "(2", "2", F, ANSWER_EXPR }, { "2)", "2", F, ANSWER_EXPR },
		{ "import os", "0", F, ANSWER_EXPR },
	};
	static const struct eq_case in_auto[] = {
		{ "1+\\sqrt{2}", "2.4142", T, M_NUM }, { "\\frac{1+\\sqrt{5}}{2}", "1.618", T, M_NUM },
		{ "3+2\\sqrt{2}", "5.8284", T, M_NUM }, { "2\\pi r", "0", F, ANY_METHOD },
		{ "(3)", "3", T, M_NUM }, { "(1)+(2)", "3", T, M_NUM },
	};
	double x;
	bool pct;

	run_eq_mode(expr, ARRAY_SIZE(expr), ANSWER_EXPR);
	run_eq_mode(in_auto, ARRAY_SIZE(in_auto), ANSWER_AUTO);
	assert_int_equal(answer_value("2^{3}+\\frac{1}{2}", false, &x, &pct), 0);
	assert_true(fabs(x - 8.5) < 1e-12);
	assert_false(pct);
	assert_int_equal(answer_value("12.5%", true, &x, &pct), 0);
	assert_true(fabs(x - 12.5) < 1e-12);
	assert_true(pct);
	assert_int_equal(answer_value("12 cm", false, &x, &pct), -1);
	assert_int_equal(answer_value("12 cm", true, &x, &pct), 0);
	assert_int_equal(answer_value("hello", true, &x, &pct), -1);
}

static void test_relaxed(void **state)
{
	static const struct eq_case relaxed[] = {
		{ "41", "40", T, ANSWER_RELAXED }, { "38.5", "40", T, ANSWER_RELAXED },
		{ "0.52", "0.5", T, ANSWER_RELAXED }, { "12.3", "12", T, ANSWER_RELAXED },
		{ "55%", "0.53", T, ANSWER_RELAXED }, { "1,040", "1000", T, ANSWER_RELAXED },
		{ "yes", "Yes", T, M_EXACT }, { "(B)", "B", T, M_MC },
		{ "42.1", "40", F, ANSWER_RELAXED }, { "100", "110", F, ANSWER_RELAXED },
		{ "1.06e3", "1000", F, ANSWER_RELAXED }, { "-40", "40", F, ANSWER_RELAXED },
		{ "red", "blue", F, M_VQA }, { "0.01", "0", F, ANSWER_RELAXED },
	};
	/* The same pairs under the default 1e-3 do not pass. */
	static const struct eq_case strict[] = {
		{ "41", "40", F, M_NUM }, { "38.5", "40", F, M_NUM }, { "0.52", "0.5", F, M_NUM },
	};

	run_eq_mode(relaxed, ARRAY_SIZE(relaxed), ANSWER_RELAXED);
	run_eq_mode(strict, ARRAY_SIZE(strict), ANSWER_AUTO);
}

static void test_sets_intervals(void **state)
{
	static const struct eq_case cases[] = {
		{ "(1, 2]", "(1,2]", T, M_SET }, { "[1,2)", "[1, 2)", T, M_SET },
		{ "{1,2,3}", "{3,2,1}", T, M_SET }, { "\\{1,2,3\\}", "\\{3, 2, 1\\}", T, M_SET },
		{ "\\{1,2,3\\}", "{1,2,3}", T, M_SET }, { "{1,2}", "{1,2,2}", T, M_SET },
		{ "(1, 2, 3)", "(1,2,3)", T, M_SET }, { "(0.5, 1)", "(\\frac{1}{2}, 1)", T, M_SET },
		{ "(-\\infty, 2]", "(-\xe2\x88\x9e, 2]", T, M_SET },
		{ "(-inf, 2]", "(-\\infty,2]", T, M_SET },
		{ "\\left(-\\infty, 2\\right]", "(-\\infty, 2]", T, M_SET },
		{ "[1,2] \\cup [3,4]", "[1,2]\xe2\x88\xaa[3,4]", T, M_SET },
		{ "1, 2", "2, 1", T, M_SET }, { "1, 2", "{1, 2}", T, M_SET },
		{ "x=1, y=2", "y = 2, x = 1", T, M_SET }, { "red, blue", "blue, red", T, M_SET },
		{ "{(1,2),(3,4)}", "{(3,4),(1,2)}", T, M_SET }, { "\\{5\\}", "\\{5.0\\}", T, M_SET },
		{ "(1,000, 2)", "(1, 000, 2)", T, M_SET },
		/* Negatives: bracket kinds, order for tuples, members, unions. */
		{ "(1,2]", "[1,2]", F, M_SET }, { "(1,2)", "[1,2)", F, M_SET },
		{ "(1, 2]", "(1, 2)", F, M_SET }, { "{1,2,3}", "{1,2}", F, M_SET },
		{ "(1,2)", "(2,1)", F, M_SET }, { "(1,2)", "{1,2}", F, M_SET },
		{ "(-\\infty, 2]", "(-\\infty, 3]", F, M_SET },
		{ "[1,2] \\cup [3,4]", "[1,2] \\cup [3,5]", F, M_SET },
		{ "[1,2] \\cup [3,4]", "[1,2]", F, M_SET }, { "x=1, y=2", "x=2, y=1", F, M_SET },
		{ "{(1,2),(3,4)}", "{(2,1),(3,4)}", F, M_SET }, { "(1,2)", "1", F, ANY_METHOD },
		{ "1, 2, 3", "1, 2", F, M_SET },
	};

	run_eq_mode(cases, ARRAY_SIZE(cases), ANSWER_AUTO);
}

/* ---- ANLS ---------------------------------------------------------- */

struct anls_case {
	const char *pred, *gold;
	double score;	/* after the threshold */
};

static void run_anls(const struct anls_case *c, size_t n, double threshold)
{
	int bad = 0;
	struct answer_opts o;

	answer_opts_init(&o);
	o.mode = ANSWER_ANLS;
	o.anls_threshold = threshold;
	for (size_t i = 0; i < n; i++) {
		struct answer_verdict v;

		assert_int_equal(answer_equivalent(c[i].pred, c[i].gold, &o, &v), 0);
		if (fabs(v.score - c[i].score) > 1e-9 || v.correct != (c[i].score > 0) ||
		    v.method != ANSWER_ANLS)
			ROW_FAIL(bad, "row %zu: anls(\"%s\", \"%s\") = %g (%s), want %g", i, c[i].pred,
				 c[i].gold, v.score, v.correct ? "correct" : "wrong", c[i].score);
	}
	table_done(bad, n);
}

static void test_anls(void **state)
{
	static const struct anls_case cases[] = {
		{ "hello world", "hello world", 1 }, { "Hello World", "hello world", 1 },
		{ "hello  world", "hello world", 1 }, { "hello", "hellp", 0.8 },
		{ "kitten", "sitting", 1 - 3.0 / 7 }, { "abcd", "abce", 0.75 },
		{ "Invoice 2023-001", "Invoice 2023-007", 1 - 1.0 / 16 },
		{ "INV-2023-0042.", "INV-2023-0024", 1 - 2.0 / 13 },
		{ "\xe5\x8c\x97\xe4\xba\xac\xe5\xb8\x82", "\xe5\x8c\x97\xe4\xba\xac", 1 - 1.0 / 3 },
		/*
		 * Must fail. VisualPRM kept the distance as the score, so each of
		 * these (distance ratio >= 0.5) counted as a pass.
		 */
		{ "abc", "xyz", 0 }, { "completely different", "nothing alike here", 0 },
		{ "apple", "orange", 0 }, { "\xe5\x8c\x97\xe4\xba\xac", "\xe4\xb8\x8a\xe6\xb5\xb7", 0 },
		{ "1999", "2024", 0 }, { "yes", "no", 0 },
		/* Distance ratio exactly 0.5 is not below the threshold. */
		{ "ab", "ac", 0 }, { "New York", "York", 0 },
	};
	static const struct anls_case tight[] = {
		{ "hello", "hellp", 0.8 }, { "kitten", "sitting", 0 }, { "abcd", "abce", 0 },
	};

	run_anls(cases, ARRAY_SIZE(cases), 0.5);
	run_anls(tight, ARRAY_SIZE(tight), 0.25);
	assert_true(fabs(answer_anls("", "") - 1) < 1e-12);
	assert_true(fabs(answer_anls("abc", "")) < 1e-12);
	assert_true(fabs(answer_anls("abc", "xyz")) < 1e-12);
	assert_true(fabs(answer_anls("ab", "ac") - 0.5) < 1e-12);
}

/* ---- whole replies --------------------------------------------------- */

struct check_case {
	const char *response, *gold;
	enum answer_mode mode;
	bool want;
	enum extract_method extracted;
};

static void test_check_responses(void **state)
{
	static const struct check_case cases[] = {
		{ "To find the area of the triangle, we use A = bh/2.\n\n"
		  "Step 1: The base is 6 cm and the height is 4 cm.\n\n"
		  "Step 2: A = 1/2 \xc3\x97 6 \xc3\x97 4 = 12.\n\nFinal answer: 12 cm\xc2\xb2",
		  "12", ANSWER_AUTO, T, EXTRACT_FINAL_ANSWER },
		{ "Step 1: There are 4 outcomes and 3 are favourable.\n\n"
		  "Therefore the probability is $\\boxed{\\frac{3}{4}}$.",
		  "0.75", ANSWER_AUTO, T, EXTRACT_BOXED },
		{ "Looking at the figure, angle x is larger than 40 degrees.\n\nThe answer is (B).",
		  "B", ANSWER_AUTO, T, EXTRACT_OPTION },
		{ "Looking at the figure, angle x is larger than 40 degrees.\n\nThe answer is (B).",
		  "C", ANSWER_AUTO, F, EXTRACT_OPTION },
		{ "\xe8\xa7\xa3\xef\xbc\x9a\xe4\xb8\x89\xe8\xa7\x92\xe5\xbd\xa2\xe7\x9a\x84\xe9\x9d\xa2"
		  "\xe7\xa7\xaf\xe4\xb8\xba 1/2 \xc3\x97 6 \xc3\x97 4 = 12\xe3\x80\x82\n\n"
		  "\xe6\x9c\x80\xe7\xbb\x88\xe7\xad\x94\xe6\xa1\x88\xef\xbc\x9a" "12"
		  "\xe5\xb9\xb3\xe6\x96\xb9\xe5\x8e\x98\xe7\xb1\xb3",
		  "12", ANSWER_AUTO, T, EXTRACT_FINAL_ANSWER },
		{ "Step 1: 3 + 4 = 7.\n\nStep 2: 7 \xc3\x97 2 = 15.\n\nFinal answer: 15", "14",
		  ANSWER_AUTO, F, EXTRACT_FINAL_ANSWER },
		{ "<think>The set of solutions is 2 < x <= 3.</think><answer>(2, 3]</answer>", "(2,3]",
		  ANSWER_AUTO, T, EXTRACT_ANSWER_TAG },
		{ "Final answer: \\boxed{\\frac{1}{\\sqrt{2}}}", "\\frac{\\sqrt{2}}{2}", ANSWER_AUTO, T,
		  EXTRACT_FINAL_ANSWER },
		{ "\\boxed{5}\n\nWait, I made an error.\n\nRedo: \\boxed{6}", "6", ANSWER_AUTO, T,
		  EXTRACT_BOXED },
		{ "\\boxed{5}\n\nWait, I made an error.\n\nRedo: \\boxed{6}", "5", ANSWER_AUTO, F,
		  EXTRACT_BOXED },
		{ "Yes", "yes", ANSWER_AUTO, T, EXTRACT_WHOLE },
		{ "There are three dogs in the picture.\n\nFinal answer: three", "3", ANSWER_AUTO, T,
		  EXTRACT_FINAL_ANSWER },
		{ "Reading the bar for 2019, it reaches about 41.5.\n\nFinal answer: 41.5", "40",
		  ANSWER_RELAXED, T, EXTRACT_FINAL_ANSWER },
		{ "Reading the bar for 2019, it reaches about 41.5.\n\nFinal answer: 41.5", "40",
		  ANSWER_AUTO, F, EXTRACT_FINAL_ANSWER },
		{ "The invoice number printed at the top is shown.\n\nFinal answer: INV-2023-0042",
		  "INV-2023-0024", ANSWER_ANLS, T, EXTRACT_FINAL_ANSWER },
		{ "The document title is shown.\n\nFinal answer: Annual Report", "Quarterly Summary",
		  ANSWER_ANLS, F, EXTRACT_FINAL_ANSWER },
		{ "The percentage of sales from Europe is shown in the pie chart.\n\nFinal answer: 25%",
		  "0.25", ANSWER_AUTO, T, EXTRACT_FINAL_ANSWER },
		{ "First convert: 1 km = 1000 m, so 2.5 km = 2,500 m.\n\nFinal answer: 2,500 m",
		  "2500", ANSWER_AUTO, T, EXTRACT_FINAL_ANSWER },
	};
	struct answer_opts o;
	struct sbuf ans = SBUF_INIT;
	int bad = 0;

	answer_opts_init(&o);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct answer_verdict v;

		o.mode = cases[i].mode;
		assert_int_equal(answer_check(cases[i].response, cases[i].gold, &o, &v, &ans), 0);
		if (v.correct != cases[i].want || v.extracted != cases[i].extracted)
			ROW_FAIL(bad, "row %zu: extracted [%s] by %s, verdict %s by %s", i, ans.buf,
				 extract_method_name(v.extracted), v.correct ? "correct" : "wrong",
				 answer_mode_name(v.method));
	}
	sbuf_release(&ans);
	table_done(bad, ARRAY_SIZE(cases));
}

static void test_check_nothing_found(void **state)
{
	struct answer_verdict v;
	struct answer_opts o;

	assert_int_equal(answer_check("", "3", NULL, &v, NULL), 0);
	assert_false(v.correct);
	assert_int_equal(v.method, ANSWER_NONE);
	assert_int_equal(v.extracted, EXTRACT_NONE);
	answer_opts_init(&o);
	o.extract = EXTRACT_BOXED;
	assert_int_equal(answer_check("Final answer: 3", "3", &o, &v, NULL), 0);
	assert_false(v.correct);
	assert_int_equal(v.method, ANSWER_NONE);
}

/* ---- robustness ------------------------------------------------------ */

static char *repeat(const char *unit, size_t times)
{
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < times; i++)
		sbuf_addstr(&sb, unit);
	return sbuf_detach(&sb, NULL);
}

static void test_robustness(void **state)
{
	struct answer_verdict v;
	struct sbuf out = SBUF_INIT;
	char *big;
	double x;

	assert_int_equal(answer_equivalent(NULL, "1", NULL, &v), -1);
	assert_int_equal(answer_equivalent("1", NULL, NULL, &v), -1);
	assert_int_equal(answer_equivalent("1", "1", NULL, NULL), -1);
	assert_int_equal(answer_extract(NULL, EXTRACT_AUTO, &out, NULL), -1);
	assert_int_equal(answer_check(NULL, "1", NULL, &v, NULL), -1);

	/* Empty answers are never correct, whatever the mode. */
	for (int m = ANSWER_AUTO; m < ANSWER_NONE; m++) {
		struct answer_opts o;

		answer_opts_init(&o);
		o.mode = (enum answer_mode)m;
		assert_int_equal(answer_equivalent("", "", &o, &v), 0);
		assert_false(v.correct);
		assert_int_equal(answer_equivalent("  $$ ", "3", &o, &v), 0);
		assert_false(v.correct);
	}

	/* Deep nesting: the evaluator gives up instead of overflowing the stack. */
	big = repeat("(", 100000);
	assert_int_equal(answer_value(big, true, &x, NULL), ANSWER_TOO_DEEP);
	assert_int_equal(answer_equivalent(big, "1", NULL, &v), 0);
	assert_false(v.correct);
	free(big);
	big = repeat("-", 100000);
	big[99999] = '1';	/* an odd run of minus signs, then 1: valid, but too deep */
	assert_int_equal(answer_value(big, true, &x, NULL), ANSWER_TOO_DEEP);
	free(big);
	big = repeat("-", 100);
	big[99] = '1';
	assert_int_equal(answer_value(big, true, &x, NULL), 0);
	assert_true(x == -1);
	free(big);

	/* A megabyte of unclosed boxes is scanned once. */
	big = repeat("\\boxed{", 150000);
	assert_int_equal(answer_extract(big, EXTRACT_BOXED, &out, NULL), 0);
	assert_int_equal(answer_extract(big, EXTRACT_AUTO, &out, NULL), 0);
	free(big);

	/* Long strings: ANLS only says equal or not. */
	big = repeat("a", 5000);
	assert_true(fabs(answer_anls(big, big) - 1) < 1e-12);
	assert_true(fabs(answer_anls(big, "a")) < 1e-12);
	free(big);

	/* Invalid UTF-8 is compared as bytes, never crashes. */
	assert_int_equal(answer_equivalent("\xff\xfe" "abc", "\xff\xfe" "ABC", NULL, &v), 0);
	assert_true(v.correct);
	assert_int_equal(answer_equivalent("\xff" "a", "\xfe" "a", NULL, &v), 0);
	assert_false(v.correct);
	assert_true(answer_anls("\xff" "abc", "\xfe" "abc") > 0.7);

	sbuf_release(&out);
}

/* "Final answer: " then `times` copies of unit. */
static char *final_answer_of(const char *unit, size_t times, const char *tail)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_addstr(&sb, "Final answer: ");
	for (size_t i = 0; i < times; i++)
		sbuf_addstr(&sb, unit);
	sbuf_addstr(&sb, tail);
	return sbuf_detach(&sb, NULL);
}

/* The replies that crashed smelt-check: undecided as too_deep, or decided, never a crash. */
static void test_depth_limits(void **state)
{
	static const struct {
		const char *unit, *tail;
		size_t times;
	} deep[] = {
		{ "\\frac{", "", 50000 },		/* ev_primary <-> ev_group, unbounded before */
		{ "\\frac{1}{", "2", 50000 },
		{ "\\sqrt", "4", 200000 },
		{ "\\sqrt{", "4", 1000 },
		{ "\\frac\\sqrt", "4", 100000 },
		{ "2^", "2", 100000 },
		{ "-(", "1", 100000 },
	};
	struct answer_verdict v;
	struct sbuf out = SBUF_INIT;
	char *s, *t;
	double x;

	for (size_t i = 0; i < ARRAY_SIZE(deep); i++) {
		s = final_answer_of(deep[i].unit, deep[i].times, deep[i].tail);
		assert_int_equal(answer_check(s, "1", NULL, &v, NULL), 0);
		if (!v.too_deep)
			fail_msg("%s x %zu: not too deep", deep[i].unit, deep[i].times);
		assert_false(v.correct);
		assert_int_equal(v.method, ANSWER_NONE);
		assert_int_equal(answer_value(s + 14, true, &x, NULL), ANSWER_TOO_DEEP);
		free(s);
	}

	/* Below the limit nothing changes: 50 brackets and roots evaluate. */
	s = final_answer_of("(", 50, "1");
	t = repeat(")", 50);
	sbuf_addstr(&out, s);
	sbuf_addstr(&out, t);
	assert_int_equal(answer_check(out.buf, "1", NULL, &v, NULL), 0);
	assert_true(v.correct);
	assert_false(v.too_deep);
	free(s);
	free(t);
	s = repeat("\\sqrt", 40);
	sbuf_reset(&out);
	sbuf_addf(&out, "%s1", s);
	assert_int_equal(answer_value(out.buf, true, &x, NULL), 0);
	assert_true(x == 1);
	free(s);

	/* Sets nested past 8 levels: undecided; at 5 levels: decided. */
	for (int levels = 5; levels <= 12; levels += 7) {
		struct sbuf p = SBUF_INIT, g = SBUF_INIT;

		for (int i = 0; i < levels; i++) {
			sbuf_addch(&p, '{');
			sbuf_addch(&g, '{');
		}
		sbuf_addstr(&p, "1,2}");
		sbuf_addstr(&g, "1, 2}");
		for (int i = 1; i < levels; i++) {
			sbuf_addstr(&p, ",3}");
			sbuf_addstr(&g, ", 3}");
		}
		assert_int_equal(answer_equivalent(p.buf, g.buf, NULL, &v), 0);
		assert_int_equal(v.too_deep, levels > 8);
		assert_int_equal(v.correct, levels <= 8);
		sbuf_release(&p);
		sbuf_release(&g);
	}

	/* 300,000 contraction suffixes on one word: a loop, decided by vqa. */
	s = final_answer_of("n't", 300000, "");
	t = xmalloc(strlen(s) + 4);
	memcpy(t, "Final answer: can", 17);
	strcpy(t + 17, s + 14);
	assert_int_equal(answer_check(t, "can not", NULL, &v, NULL), 0);
	assert_false(v.too_deep);
	assert_false(v.correct);
	assert_int_equal(v.method, ANSWER_VQA);
	sbuf_reset(&out);
	answer_vqa_normalize("can'tn'tn't they've it'sn't", &out);
	assert_string_equal(out.buf, "can not not not they have it is not");
	sbuf_reset(&out);
	answer_vqa_normalize(t + 14, &out);
	assert_int_equal(out.len, strlen("can") + 300000 * strlen(" not"));
	free(s);
	free(t);
	sbuf_release(&out);
}

/* ---- math grade: one table per class of issue 11 ------------------- */

#define M_SYM ANSWER_SYMBOLIC

static void test_extract_math_forms(void **state)
{
	static const struct ex_case cases[] = {
		/* Math-delimited last expression. */
		{ "Answer $ 9 $", AUTO, "9", EXTRACT_LAST_MATH },
		{ "Answer \\[ 9 \\]", AUTO, "9", EXTRACT_LAST_MATH },
		{ "Answer $$9$$", AUTO, "9", EXTRACT_LAST_MATH },
		{ "Answer \\( (9+1) \\)", AUTO, "(9+1)", EXTRACT_LAST_MATH },
		{ "Answer \\[\n9\n\\]", AUTO, "9", EXTRACT_LAST_MATH },
		{ "So $x = 2$ and then $y = 3$ is it", AUTO, "y = 3", EXTRACT_LAST_MATH },
		{ "We get $x=1$, so the total grows by 100%.", AUTO, "100%", EXTRACT_LAST_NUMBER },
		/* Minerva's form, chat tokens after it. */
		{ "So it is 12,\\!000,\\!023. Final Answer: The final answer is 12,000,023. I hope it "
		  "is correct. <|im_start|>user", AUTO, "12,000,023", EXTRACT_FINAL_ANSWER },
		{ "Final Answer: The final answer is $(0, 1)$. I hope it is correct.<|im_end|>", AUTO,
		  "(0, 1)", EXTRACT_FINAL_ANSWER },
		{ "Final Answer: The volume of $V$ is 120. I hope it is correct.</s>", AUTO, "120",
		  EXTRACT_FINAL_ANSWER },
		{ "Final Answer: Jane started growing Sphere 3 hours ago.", AUTO, "3",
		  EXTRACT_FINAL_ANSWER },
		{ "Final answer: 12 is the smallest such number.", AUTO, "12", EXTRACT_FINAL_ANSWER },
		{ "Final answer: The man is holding a cup.", AUTO, "The man is holding a cup",
		  EXTRACT_FINAL_ANSWER },
		{ "Final answer: x is 5", AUTO, "5", EXTRACT_FINAL_ANSWER },
		{ "The answer is 5.<|im_end|>\n\\boxed{7}", AUTO, "5", EXTRACT_PHRASE },
		/* Several boxes that together form the answer. */
		{ "The roots are $\\boxed{2}$ and $\\boxed{3}$.", AUTO, "2, 3", EXTRACT_BOXED },
		{ "$\\boxed{1}\\boxed{2}$", AUTO, "1, 2", EXTRACT_BOXED },
		{ "\\boxed{-1}, \\quad \\boxed{4}", AUTO, "-1, 4", EXTRACT_BOXED },
		{ "x = \\boxed{-1}, then y = \\boxed{4}", AUTO, "4", EXTRACT_BOXED },
		{ "First \\boxed{5}.\n\nThen the real answer: \\boxed{6}", AUTO, "6", EXTRACT_BOXED },
		{ "\\boxed{5} so the sum is \\boxed{6}", AUTO, "6", EXTRACT_BOXED },
		{ "\\boxed{5} and \\boxed{5}", AUTO, "5", EXTRACT_BOXED },
		/* A long sentence with a number is no answer taken whole. */
		{ "Therefore, the probability that Alice wins the game is 2/3.", AUTO, "2/3",
		  EXTRACT_LAST_NUMBER },
	};

	(void)state;
	run_extract(cases, ARRAY_SIZE(cases));
}

/* Strict extraction: only a declared answer, never a guess from the text. */
static void test_extract_strict(void **state)
{
	static const struct ex_case cases[] = {
		{ "17 - 9 = 8 ... wait, let me recheck: 12+5 = 17", EXTRACT_STRICT, NULL, EXTRACT_NONE },
		{ "17", EXTRACT_STRICT, NULL, EXTRACT_NONE },
		{ "The answer is 17.", EXTRACT_STRICT, NULL, EXTRACT_NONE },
		{ "Answer $17$", EXTRACT_STRICT, NULL, EXTRACT_NONE },
		{ "So 8.\n\nFinal answer: 8", EXTRACT_STRICT, "8", EXTRACT_FINAL_ANSWER },
		{ "So $\\boxed{8}$.", EXTRACT_STRICT, "8", EXTRACT_BOXED },
		{ "<answer>8</answer>", EXTRACT_STRICT, "8", EXTRACT_ANSWER_TAG },
		{ "Final Answer: The final answer is 8. I hope it is correct.", EXTRACT_STRICT, "8",
		  EXTRACT_FINAL_ANSWER },
		/* A declared answer cut off by a chat token is not one. */
		{ "<|im_end|>Final answer: 8", EXTRACT_STRICT, NULL, EXTRACT_NONE },
	};
	enum extract_method m;

	(void)state;
	run_extract(cases, ARRAY_SIZE(cases));
	assert_int_equal(extract_method_parse("strict", &m), 0);
	assert_int_equal(m, EXTRACT_STRICT);
	assert_int_equal(extract_method_parse("last-math", &m), 0);
	assert_int_equal(m, EXTRACT_LAST_MATH);
}

static void test_thousands_and_percent_words(void **state)
{
	static const struct eq_case cases[] = {
		{ "1 000", "1000", T, ANY_METHOD }, { "12 345 678", "12345678", T, ANY_METHOD },
		{ "12,\\!000", "12000", T, M_NUM }, { "14{,}916", "14916", T, M_NUM },
		{ "11,\\! 111,\\! 111,\\! 100", "11111111100", T, M_NUM },
		{ "\\$16,\\!386.20", "16386.20", T, M_NUM }, { "1,000.99\xe2\x82\xac", "1000.99", T, M_NUM },
		{ "1 000", "100", F, M_NUM }, { "1 2", "12", F, ANY_METHOD },
		{ "28 pct", "28\\%", T, M_NUM }, { "28 percent", "28\\%", T, M_NUM },
		{ "28 percentage", "28\\%", T, M_NUM }, { "28 pct", "29\\%", F, M_NUM },
		{ "1000/1001", "1", F, M_NUM }, { "2/4", "1/2", T, M_NUM },
		{ "1 1/2", "1.5", T, M_NUM }, { "1 1/2", "1/2", F, M_NUM },
	};

	(void)state;
	run_eq(cases, ARRAY_SIZE(cases), NULL);
}

static void test_relations(void **state)
{
	static const struct eq_case cases[] = {
		{ "x \\geq 5", "x >= 5", T, M_SYM }, { "x \\lt 3", "x < 3", T, M_SYM },
		{ "x \\le 2", "x <= 2", T, M_SYM }, { "x \\gt 5", "x > 5", T, M_SYM },
		{ "x \\neq 3", "x != 3", T, M_SYM }, { "x \\ge 5", "5 \\leq x", T, M_SYM },
		{ "-x > -1", "x < 1", T, M_SYM }, { "x \xe2\x89\xa4 2", "x \\le 2", T, M_SYM },
		{ "x < 5", "x > 5", F, M_SYM }, { "x \\leq 5", "x \\geq 5", F, M_SYM },
		{ "x < 1", "x > -1", F, M_SYM }, { "x < 5", "x \\le 5", F, M_SYM },
		/* Equations up to a constant factor; assignments by their value. */
		{ "34x+45y-20z+100=0", "-34x-45y+20z-100=0", T, M_SYM },
		{ "y=-\\frac{1}{2}x+\\frac{3}{4}", "2x+4y-3=0", T, M_SYM },
		{ "x^2/16 + y^2/12 = 1/4", "x^2/4 + y^2/3 = 1", T, M_SYM },
		{ "5x - 7y + 11z + 4 = 0", "x + y - z + 2 = 0", F, M_SYM },
		{ "\\sin(x)=\\frac{42}{59}", "\\cos(x)=\\frac{42}{59}", F, M_SYM },
		{ "f(x) = 2x + 3", "2x + 3", T, M_SYM }, { "f(x) = 2x + 3", "y = 2x + 3", T, M_SYM },
		{ "y = 2x+1", "2x+1", T, M_SYM }, { "y = 2x+1", "2x+2", F, M_SYM },
		{ "11a+c", "7 = 11a+c", F, M_SYM }, { "0", "a + 3z = 0", F, ANY_METHOD },
		{ "x = 5+5+1 = 7 =11", "x = 11", T, ANY_METHOD }, { "x\\approx11", "11", T, M_NUM },
		{ "x=1/3\\approx0.3", "1/3", T, M_NUM }, { "k=1", "1", T, M_NUM },
		{ "f(2) < f(1) < f(4)", "f(2) < f(1) < f(4)", T, M_EXACT },
		{ "f(2)<f(1)<f(4)", "f(1) < f(2) < f(4)", F, M_SYM },
	};

	(void)state;
	run_eq(cases, ARRAY_SIZE(cases), NULL);
}

static void test_intervals_and_inequalities(void **state)
{
	static const struct eq_case cases[] = {
		{ "x \\in [-2,7]", "-2 \\le x \\le 7", T, M_SET },
		{ "-2 < x \\leq 7", "(-2, 7]", T, ANY_METHOD }, { "7 \\geq x > -2", "(-2,7]", T, M_SET },
		{ "x > 5", "(5, \\infty)", T, ANY_METHOD }, { "x \\geq 5", "[5, \\infty)", T, ANY_METHOD },
		{ "x \\geq 5", "(5, \\infty)", F, M_SET }, { "x < 3", "(-\\infty, 3)", T, ANY_METHOD },
		{ "x \\in [0.5, \\infty)", "[1/2, \\infty)", T, M_SET },
		{ "-2 \\le x \\le 7", "[-2, 7)", F, M_SET }, { "[-3,2]", "(-3,2)", F, M_SET },
		{ "x \\in (2,12) \\cup (12,102)", "(2, 12) \\cup (12, 102)", T, M_SET },
	};

	(void)state;
	run_eq(cases, ARRAY_SIZE(cases), NULL);
}

static void test_sets_and_tuple_lists(void **state)
{
	static const struct eq_case cases[] = {
		{ "(1,2), (3,4)", "(3,4), (1,2)", T, M_SET },
		{ "(1,2), (3,4)", "(2,1), (3,4)", F, M_SET },
		{ "\\{(0,1), (2,3)\\}", "\\{(2,3), (0,1)\\}", T, M_SET },
		{ "\\{x, x - 1\\}", "\\{x - 1, x\\}", T, M_SET },
		{ "-5,-2,7", "7, -2, \\text{ and } -5", T, M_SET },
		{ "1,2", "1, 2", T, M_SET }, { "[x, x + 1]", "[x, 1 + x]", T, M_SET },
		{ "[x, x + 1]", "[x + 1, x]", F, M_SET }, { "x = 1, y = 2, z = 3", "1, 2, 3", T, M_SET },
		{ "x = 1, y = 2", "x = 2, y = 1", F, M_SET },
	};

	(void)state;
	run_eq(cases, ARRAY_SIZE(cases), NULL);
}

static void test_matrices(void **state)
{
	static const struct eq_case cases[] = {
		{ "\\begin{pmatrix} 1 & 1/2 \\\\ 1/3 & 4 \\end{pmatrix}",
		  "\\begin{bmatrix} 1 & 0.5 \\\\ 1/3 & 4 \\end{bmatrix}", T, M_SET },
		{ "\\left[\\begin{array}{cc}1 & 2 \\\\3 & 4\\end{array}\\right]",
		  "\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}", T, ANY_METHOD },
		{ "\\begin{pmatrix}1 & 2 \\\\ 3 & 5\\end{pmatrix}",
		  "\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}", F, M_SET },
		{ "\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}",
		  "\\begin{pmatrix}1 & 3 \\\\ 2 & 4\\end{pmatrix}", F, M_SET },
		{ "\\begin{matrix} \\frac12 \\\\ 1 \\end{matrix}", "[0.5, 1]", T, M_SET },
		{ "\\begin{pmatrix} 3 \\\\ -1 \\end{pmatrix}", "\\begin{pmatrix} 3 & -1 \\end{pmatrix}", T,
		  ANY_METHOD },
		{ "\\begin{pmatrix}\\frac{1}{3x^{2/3}}&0\\\\-\\sin(x)&0\\end{pmatrix}",
		  "\\begin{pmatrix}\\frac{1}{3\\sqrt[3]{x}^2}&0\\\\-\\sin(x)&0\\\\\\end{pmatrix}", T, M_SET },
		{ "\\\\begin{matrix} x \\\\\\\\ \\\\frac12 \\\\end{matrix}",
		  "\\begin{matrix} x \\\\ 0.5 \\end{matrix}", T, M_SET },
		{ "\\begin{cases} a+b=\\frac12 \\\\ a-b=\\sqrt3 \\end{cases}",
		  "\\begin{cases} a+b=0.5\\\\ a-b=1.732\\end{cases}", T, M_SET },
	};

	(void)state;
	run_eq(cases, ARRAY_SIZE(cases), NULL);
}

static void test_symbolic(void **state)
{
	static const struct eq_case cases[] = {
		{ "\\frac{x+2}{7}", "\\frac{x}{7}+\\frac{2}{7}", T, M_SYM },
		{ "\\tan^2(y)+1", "\\sec^2(y)", T, M_SYM },
		{ "\\sqrt[3]{x}^2", "x^{2/3}", T, M_SYM },
		{ "\\sqrt[3]{x}", "x^{1/3}", T, M_SYM },
		{ "(2x+3)(2x -1)(2x+1)", "(2x - 1)(2x + 1)(2x + 3)", T, M_SYM },
		{ "\\left(x-2\\right)\\left(x+2\\right)", "x^2-4", T, M_SYM },
		{ "\\frac{8-7x}{6}", "4/3-7x/6", T, M_SYM },
		{ "\\sec x", "\\frac1{\\cos x}", T, M_SYM },
		{ "\\sin(90^{\\circ}-x)", "\\cos(x)", T, M_SYM },
		{ "2 \\sin b \\cos a", "\\sin(a+b) - \\sin(a-b)", T, M_SYM },
		{ "\\sin^{-1}(x)", "\\arcsin x", T, M_SYM }, { "\\ln(e^x)", "x", T, M_SYM },
		{ "\\log_2 8", "3", T, M_SYM }, { "e^{i\\pi}", "-1", T, M_SYM },
		{ "1+2i", "i(2-i)", T, M_SYM }, { "|x|", "\\sqrt{x^2}", T, M_SYM },
		{ "\\frac{x^2-1}{x-1}", "x+1", T, M_SYM }, { "\\binom{5}{2}", "10", T, M_SYM },
		{ "x + \\sqrt2I", "x + 1.414I", T, M_SYM }, { "v_{0} r", "r v_0", T, M_SYM },
		{ "\\alpha+\\beta", "\\beta+\\alpha", T, M_SYM },
		/* Different functions, variables or values stay different. */
		{ "f(x)", "f(y)", F, M_SYM }, { "f(x)", "g(x)", F, M_SYM }, { "x_1", "x_2", F, M_SYM },
		{ "\\sqrt{x^2}", "x", F, M_SYM }, { "x+2n+1", "x+1", F, M_SYM },
		{ "(a+5)(b+2)", "(+5)(b+2)", F, M_SYM }, { "\\sin x", "\\cos x", F, M_SYM },
		{ "\\frac{1+\\sqrt{5}}{2}", "2", F, ANY_METHOD }, { "1\\sqrt{19}", "1", F, ANY_METHOD },
		/* Words are no product of letters, nor formulas a product with numbers. */
		{ "yes", "no", F, ANY_METHOD }, { "Evelyn", "\\text{Evelyn}", T, ANY_METHOD },
		{ "CO2", "2CO", F, M_VQA }, { "H2O", "H2O2", F, M_VQA },
	};

	(void)state;
	run_eq(cases, ARRAY_SIZE(cases), NULL);
}

static void test_symbolic_limits(void **state)
{
	struct answer_verdict v;
	struct sbuf s = SBUF_INIT;

	(void)state;
	/* A sum of 50,000 terms: the tree is walked by index, never recursed. */
	for (int i = 0; i < 50000; i++)
		sbuf_addstr(&s, "x+");
	sbuf_addstr(&s, "x");
	assert_int_equal(answer_equivalent(s.buf, "50001x", NULL, &v), 0);
	assert_false(v.too_deep);
	/* Nested past the parser's limit: undecided, never a crash. */
	sbuf_reset(&s);
	for (int i = 0; i < 100000; i++)
		sbuf_addstr(&s, "\\sin(");
	sbuf_addstr(&s, "x");
	assert_int_equal(answer_equivalent(s.buf, "y", NULL, &v), 0);
	assert_false(v.correct);
	sbuf_reset(&s);
	for (int i = 0; i < 300; i++)
		sbuf_addstr(&s, "{x^");
	sbuf_addstr(&s, "2");
	for (int i = 0; i < 300; i++)
		sbuf_addch(&s, '}');
	assert_int_equal(answer_equivalent(s.buf, "x", NULL, &v), 0);
	assert_true(v.too_deep);
	assert_false(v.correct);
	/* A run of signs in an exponent is a loop, not a recursion per sign. */
	sbuf_reset(&s);
	sbuf_addstr(&s, "x^");
	for (int i = 0; i < 4000; i++)
		sbuf_addch(&s, '-');
	sbuf_addstr(&s, "2 + y");
	assert_int_equal(answer_equivalent(s.buf, "x^2 + y", NULL, &v), 0);
	assert_true(v.correct);
	sbuf_release(&s);
}

/* Many threads share nothing: the same tables give the same verdicts. */
static void *thread_run(void *arg)
{
	static const struct eq_case cases[] = {
		{ "\\frac{3}{4}", "0.75", T, M_NUM }, { "(B)", "B", T, M_MC },
		{ "{1,2,3}", "{3,2,1}", T, M_SET }, { "The cat", "cat", T, M_VQA },
		{ "3", "4", F, M_NUM }, { "12 cm", "12", T, M_NUM },
	};
	int *bad = arg;

	for (int round = 0; round < 300; round++) {
		for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
			struct answer_verdict v;

			if (answer_equivalent(cases[i].pred, cases[i].gold, NULL, &v) ||
			    v.correct != cases[i].want || (int)v.method != cases[i].method)
				(*bad)++;
		}
	}
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t t[4];
	int bad[4] = { 0 };

	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, thread_run, &bad[i]), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(bad[i], 0);
	}
}

static void test_names(void **state)
{
	enum answer_mode m;
	enum extract_method e;
	enum answer_percent p;

	for (int i = ANSWER_AUTO; i < ANSWER_NONE; i++) {
		assert_int_equal(answer_mode_parse(answer_mode_name((enum answer_mode)i), &m), 0);
		assert_int_equal(m, i);
	}
	for (int i = EXTRACT_AUTO; i <= EXTRACT_LAST_NUMBER; i++) {
		assert_int_equal(extract_method_parse(extract_method_name((enum extract_method)i), &e), 0);
		assert_int_equal(e, i);
	}
	for (int i = ANSWER_PERCENT_EITHER; i <= ANSWER_PERCENT_SCALE; i++) {
		assert_int_equal(answer_percent_parse(answer_percent_name((enum answer_percent)i), &p), 0);
		assert_int_equal(p, i);
	}
	assert_string_equal(answer_mode_name(ANSWER_RELAXED), "relaxed");
	assert_string_equal(extract_method_name(EXTRACT_FINAL_ANSWER), "final-answer");
	assert_int_equal(answer_mode_parse("none", &m), -1);
	assert_int_equal(answer_mode_parse("fuzzy", &m), -1);
	assert_int_equal(extract_method_parse("none", &e), -1);
	assert_int_equal(extract_method_parse("regex", &e), -1);
	assert_int_equal(answer_percent_parse("half", &p), -1);
}

static void test_defaults(void **state)
{
	struct answer_opts o;

	answer_opts_init(&o);
	assert_int_equal(o.mode, ANSWER_AUTO);
	assert_int_equal(o.extract, EXTRACT_AUTO);
	assert_true(o.rel_tol == 1e-3);
	assert_true(o.relaxed_tol == 0.05);
	assert_true(o.anls_threshold == 0.5);
	assert_int_equal(o.percent, ANSWER_PERCENT_EITHER);
	assert_null(o.options);
	assert_null(o.options_json);
	assert_null(o.question);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extract_final_answer),
		cmocka_unit_test(test_extract_boxed),
		cmocka_unit_test(test_extract_answer_tag),
		cmocka_unit_test(test_extract_options_and_phrases),
		cmocka_unit_test(test_extract_fallbacks),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_vqa),
		cmocka_unit_test(test_mc_letters),
		cmocka_unit_test(test_mc_options),
		cmocka_unit_test(test_mc_mode),
		cmocka_unit_test(test_numeric),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_percent),
		cmocka_unit_test(test_tolerance),
		cmocka_unit_test(test_latex),
		cmocka_unit_test(test_expressions),
		cmocka_unit_test(test_relaxed),
		cmocka_unit_test(test_sets_intervals),
		cmocka_unit_test(test_anls),
		cmocka_unit_test(test_check_responses),
		cmocka_unit_test(test_check_nothing_found),
		cmocka_unit_test(test_robustness),
		cmocka_unit_test(test_depth_limits),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_extract_math_forms),
		cmocka_unit_test(test_extract_strict),
		cmocka_unit_test(test_thousands_and_percent_words),
		cmocka_unit_test(test_relations),
		cmocka_unit_test(test_intervals_and_inequalities),
		cmocka_unit_test(test_sets_and_tuple_lists),
		cmocka_unit_test(test_matrices),
		cmocka_unit_test(test_symbolic),
		cmocka_unit_test(test_symbolic_limits),
	};

	return cmocka_run_group_tests_name("answer_check", tests, NULL, NULL);
}
