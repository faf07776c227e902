/*
 * test_reply_parse.c — realistic model replies through every parse mode:
 * Condor questions with Easy/Medium/Hard labels (English and Chinese
 * markers), missing end markers, a missing level, nested critique blocks,
 * lists in prose, JSON in fences, regex named groups, and the failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "text/reply_parse.h"

static struct reply_parser *parser(const char *spec_json)
{
	json_error_t jerr;
	json_t *spec = json_loads(spec_json, 0, &jerr);
	struct sbuf err = SBUF_INIT;
	struct reply_parser *p;

	if (!spec)
		fail_msg("bad spec in test: %s", jerr.text);
	p = reply_parser_new(spec, &err);
	if (!p)
		fail_msg("parser_new failed: %s", err.buf);
	json_decref(spec);
	sbuf_release(&err);
	return p;
}

static void ok(const struct reply_parser *p, const char *reply,
	       const char *want_json)
{
	struct sbuf err = SBUF_INIT;
	json_t *want = json_loads(want_json, JSON_DECODE_ANY, NULL);
	json_t *got = reply_parser_apply(p, reply, strlen(reply), &err);

	assert_non_null(want);
	if (!got)
		fail_msg("parse failed: %s\nreply: %s", err.buf, reply);
	if (!json_equal(got, want)) {
		char *g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
		fail_msg("got  %s\nwant %s\nreply: %s", g, want_json, reply);
	}
	json_decref(got);
	json_decref(want);
	sbuf_release(&err);
}

static void bad(const struct reply_parser *p, const char *reply,
		const char *want_error)
{
	struct sbuf err = SBUF_INIT;
	json_t *got = reply_parser_apply(p, reply, strlen(reply), &err);

	if (got) {
		char *g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
		fail_msg("expected a failure, got %s", g);
	}
	if (!strstr(err.buf, want_error))
		fail_msg("error '%s' does not contain '%s'", err.buf, want_error);
	sbuf_release(&err);
}

static void bad_spec(const char *spec_json, const char *want_error)
{
	json_t *spec = json_loads(spec_json, 0, NULL);
	struct sbuf err = SBUF_INIT;

	assert_non_null(spec);
	assert_null(reply_parser_new(spec, &err));
	if (!strstr(err.buf, want_error))
		fail_msg("error '%s' does not contain '%s'", err.buf, want_error);
	json_decref(spec);
	sbuf_release(&err);
}

#define CONDOR_SPEC "{\"parse\": \"markers\", \"temperature\": 0.7, \"markers\":" \
	" {\"blocks\": [\"Question\"], \"labels\": [\"Easy\", \"Medium\", \"Hard\"]"

static void test_text(void **state)
{
	struct reply_parser *p = parser("{}");

	assert_string_equal(reply_parser_mode(p), "text");
	ok(p, "  \n The answer is 42.\n\n", "\"The answer is 42.\"");
	ok(p, "line one\n  line two", "\"line one\\n  line two\"");
	bad(p, " \n\t ", "empty reply");
	bad(p, "bad \xc3\x28 byte", "not valid UTF-8");
	reply_parser_free(p);
	p = reply_parser_new(NULL, NULL);
	assert_string_equal(reply_parser_mode(p), "text");
	reply_parser_free(p);
}

static void test_json(void **state)
{
	struct reply_parser *p = parser("{\"parse\": \"json\"}");

	ok(p, "Sure! Here is the evaluation:\n```json\n{\"score\": 4, \"reason\": \"clear\"}\n```\n"
	      "Let me know if you need more.",
	   "{\"score\": 4, \"reason\": \"clear\"}");
	/* the fenced block wins over a bracket in the prose before it */
	ok(p, "As shown in [1], the steps are:\n```\n[\"a\", \"b\"]\n```", "[\"a\", \"b\"]");
	ok(p, "The result is {\"a\": [1, {\"b\": null}]} and that's all.",
	   "{\"a\": [1, {\"b\": null}]}");
	ok(p, "Options [a] and [b]; answer: {\"k\": \"v\"} (done) {\"x\": 1}",
	   "{\"k\": \"v\"}");
	ok(p, "```json\n{\"unclosed fence\": true}", "{\"unclosed fence\": true}");
	ok(p, "```python\nprint([x])\n```\nThen: [1, 2]", "[1, 2]");
	ok(p, "{\"emoji\": \"\\ud83d\\ude00 ü\"}", "{\"emoji\": \"😀 ü\"}");
	bad(p, "There is no JSON here, only {curly: 'words'}.",
	    "no JSON object or array in the reply");
	bad(p, "{\"a\": [1, 2", "no JSON object or array");
	bad(p, "\"just a string\" 42", "no JSON object or array");
	reply_parser_free(p);
}

static void test_condor_questions(void **state)
{
	struct reply_parser *p = parser(CONDOR_SPEC "}}");

	assert_string_equal(reply_parser_mode(p), "markers");
	ok(p, "Here are three questions on the theme of river floods.\n\n"
	      "[Easy][Question Start]What is a floodplain?[Question End]\n\n"
	      "[Medium][Question Start]\nExplain why the Seine\nfloods in winter.\n[Question End]\n\n"
	      "[Hard][Question Start] Compare levees and wetlands as flood defences. [Question End]\n"
	      "I hope these help!",
	   "[{\"label\": \"Easy\", \"text\": \"What is a floodplain?\"},"
	   " {\"label\": \"Medium\", \"text\": \"Explain why the Seine\\nfloods in winter.\"},"
	   " {\"label\": \"Hard\", \"text\": \"Compare levees and wetlands as flood defences.\"}]");
	/* missing end markers: a block ends at the next label or start */
	ok(p, "[Easy][Question Start] q1\n[Medium][Question Start] q2 [Question End]\n"
	      "[Hard]\n[Question Start] q3\n\n",
	   "[{\"label\": \"Easy\", \"text\": \"q1\"}, {\"label\": \"Medium\", \"text\": \"q2\"},"
	   " {\"label\": \"Hard\", \"text\": \"q3\"}]");
	/* case, spacing and markdown around markers */
	ok(p, "**[easy]** [ question start ] q1 [QUESTION END]\n**[Medium]**\n"
	      "[Question  Start]\nq2\n[Question\nEnd]",
	   "[{\"label\": \"Easy\", \"text\": \"q1\"}, {\"label\": \"Medium\", \"text\": \"q2\"}]");
	/* labels mentioned in prose, and inside a question, are not entries */
	ok(p, "Questions for [Easy], [Medium] and [Hard] follow.\n"
	      "[Easy][Question Start]Rate it [Hard] or [Easy]?[Question End]",
	   "[{\"label\": \"Easy\", \"text\": \"Rate it [Hard] or [Easy]?\"}]");
	/* two questions under one label; a question before any label */
	ok(p, "[Question Start]orphan[Question End][Hard][Question Start]h1[Question End]"
	      "[Question Start]h2[Question End]",
	   "[{\"label\": null, \"text\": \"orphan\"}, {\"label\": \"Hard\", \"text\": \"h1\"},"
	   " {\"label\": \"Hard\", \"text\": \"h2\"}]");
	/* no block markers at all: each label's text runs to the next */
	ok(p, "[Easy] What is rain?\n[Medium] Why do clouds form?\n[Hard] Model a storm.",
	   "[{\"label\": \"Easy\", \"text\": \"What is rain?\"},"
	   " {\"label\": \"Medium\", \"text\": \"Why do clouds form?\"},"
	   " {\"label\": \"Hard\", \"text\": \"Model a storm.\"}]");
	bad(p, "I cannot write questions about that.",
	    "no markers in the reply (looked for '[Question Start]')");
	reply_parser_free(p);
}

static void test_required(void **state)
{
	struct reply_parser *all = parser(CONDOR_SPEC ", \"required\": true}}");
	struct reply_parser *some = parser(CONDOR_SPEC ", \"required\": [\"Easy\", \"Question\"]}}");
	const char *no_hard = "[Easy][Question Start]e[Question End]\n"
			      "[Medium][Question Start]m[Question End]\n";

	bad(all, no_hard, "reply lacks Hard");
	ok(some, no_hard, "[{\"label\": \"Easy\", \"text\": \"e\"}, {\"label\": \"Medium\", \"text\": \"m\"}]");
	bad(all, "[Easy][Question Start]e[Question End][Medium][Question Start]  [Question End]",
	    "reply lacks Medium, Hard");
	bad(some, "[Medium][Question Start]m[Question End]", "reply lacks Easy");
	ok(all, "[Easy][Question Start]e[Question End][Medium][Question Start]m"
		"[Hard][Question Start]h",
	   "[{\"label\": \"Easy\", \"text\": \"e\"}, {\"label\": \"Medium\", \"text\": \"m\"},"
	   " {\"label\": \"Hard\", \"text\": \"h\"}]");
	reply_parser_free(all);
	reply_parser_free(some);
}

static void test_chinese(void **state)
{
	struct reply_parser *p = parser(
		"{\"parse\": \"markers\", \"markers\": {\"start\": \"[{}开始]\","
		" \"end\": \"[{}结束]\", \"blocks\": [\"问题\"],"
		" \"labels\": [\"简单\", \"中等\", \"困难\"], \"required\": true}}");
	struct reply_parser *full = parser(
		"{\"parse\": \"markers\", \"markers\": {\"start\": \"【{}开始】\","
		" \"end\": \"【{}结束】\", \"label\": \"【{}】\", \"blocks\": [\"问题\"],"
		" \"labels\": [\"简单\", \"困难\"]}}");

	ok(p, "好的，以下是三个问题：\n[简单][问题开始]水的沸点是多少？[问题结束]\n"
	      "[中等] [问题开始]\n为什么高原上水的沸点更低？\n[问题结束]\n"
	      "[困难]\n[问题开始]请推导沸点与气压的关系。",
	   "[{\"label\": \"简单\", \"text\": \"水的沸点是多少？\"},"
	   " {\"label\": \"中等\", \"text\": \"为什么高原上水的沸点更低？\"},"
	   " {\"label\": \"困难\", \"text\": \"请推导沸点与气压的关系。\"}]");
	bad(p, "[简单][问题开始]一[问题结束][困难][问题开始]三[问题结束]", "reply lacks 中等");
	ok(full, "【简单】【 问题开始 】甲【问题结束】\u3000【困难】【问题开始】乙",
	   "[{\"label\": \"简单\", \"text\": \"甲\"}, {\"label\": \"困难\", \"text\": \"乙\"}]");
	reply_parser_free(p);
	reply_parser_free(full);
}

static void test_critique(void **state)
{
	struct reply_parser *p = parser(
		"{\"parse\": \"markers\", \"markers\": {\"blocks\":"
		" [\"Strength\", \"Weakness\", \"Suggestion\"], \"required\": true,"
		" \"none\": \"None\"}}");
	struct reply_parser *outer = parser(
		"{\"parse\": \"markers\", \"markers\": {\"blocks\": [\"Critique\", \"Strength\"]}}");
	const char *critique =
		"Let me review the answer.\n"
		"[Critique Start]\n"
		"[Strength Start]\nThe answer is accurate and well organised.\n[Strength End]\n"
		"[Weakness Start]None[Weakness End]\n"
		"[Suggestion Start]\nAdd a worked example.\n"
		"[Critique End]\nOverall a good answer.";

	/* Suggestion has no end marker: [Critique End] closes it */
	ok(p, critique,
	   "{\"Strength\": \"The answer is accurate and well organised.\","
	   " \"Weakness\": \"None\", \"Suggestion\": \"Add a worked example.\"}");
	bad(p, "[Critique Start][Strength Start]good[Strength End][Critique End]",
	    "reply lacks Weakness, Suggestion");
	/* an enclosing block and one inside it are both found */
	ok(outer, "[Critique Start][Strength Start]good[Strength End] fine [Critique End]",
	   "{\"Critique\": \"[Strength Start]good[Strength End] fine\", \"Strength\": \"good\"}");
	/* a block given twice without labels gives a list */
	ok(outer, "[Strength Start]a[Strength End] and [Strength Start]b[Strength End]"
		  "[Strength Start]c",
	   "{\"Strength\": [\"a\", \"b\", \"c\"]}");
	reply_parser_free(p);
	reply_parser_free(outer);
}

static void test_refine_and_names(void **state)
{
	struct reply_parser *improved = parser(
		"{\"parse\": \"markers\", \"markers\": {\"blocks\": [\"Improved Answer\"]}}");
	struct reply_parser *answer = parser(
		"{\"parse\": \"markers\", \"markers\": {\"blocks\": [\"Answer\"]}}");
	struct reply_parser *qa = parser(
		"{\"parse\": \"markers\", \"markers\": {\"blocks\": [\"Question\", \"Answer\"],"
		" \"labels\": [\"Easy\", \"Hard\"]}}");

	ok(improved, "Thanks for the feedback.\n[Improved Answer Start]\nBetter answer.\n"
		     "[Improved Answer End]",
	   "{\"Improved Answer\": \"Better answer.\"}");
	ok(improved, "[improved answer start] Unfinished but useful",
	   "{\"Improved Answer\": \"Unfinished but useful\"}");
	/* "Answer" does not match inside "[Improved Answer Start]" */
	bad(answer, "[Improved Answer Start]x[Improved Answer End]", "no markers");
	/* several blocks under labels: one entry per label, a key per block */
	ok(qa, "[Easy][Question Start]q1[Question End][Answer Start]a1[Answer End]\n"
	       "[Hard][Question Start]q2[Question End]",
	   "[{\"label\": \"Easy\", \"text\": \"q1\", \"Question\": \"q1\", \"Answer\": \"a1\"},"
	   " {\"label\": \"Hard\", \"text\": \"q2\", \"Question\": \"q2\"}]");
	reply_parser_free(improved);
	reply_parser_free(answer);
	reply_parser_free(qa);
}

static void test_list(void **state)
{
	struct reply_parser *p = parser("{\"parse\": \"list\"}");

	ok(p, "Here are some sub-topics:\n['Algebra', \"Newton's laws\", 'Don't panic',"
	      " 'say \\\"hi\\\"', 'a\\'b',]\nHope this helps!",
	   "[\"Algebra\", \"Newton's laws\", \"Don't panic\", \"say \\\"hi\\\"\", \"a'b\"]");
	ok(p, "[\"caf\\u00e9\", \"\\ud83d\\ude00\", \"tab\\there\", \"back\\\\slash\"]",
	   "[\"café\", \"😀\", \"tab\\there\", \"back\\\\slash\"]");
	ok(p, "See [1] for details. Topics: [\"a\", \"b\"]", "[\"a\", \"b\"]");
	ok(p, "```python\n[\n    \"Quantum computing\",\n    'Machine learning',\n]\n```",
	   "[\"Quantum computing\", \"Machine learning\"]");
	ok(p, "根节点：['代数', '几何', \"概率论\"]", "[\"代数\", \"几何\", \"概率论\"]");
	ok(p, "None: [] but then ['x']", "[\"x\"]");
	ok(p, "Nothing to add: []", "[]");
	bad(p, "Algebra, geometry and calculus.", "no list of quoted strings");
	bad(p, "[1, 2, 3]", "no list of quoted strings");
	bad(p, "['unterminated, 'list'", "no list of quoted strings");
	reply_parser_free(p);
}

static void test_regex(void **state)
{
	struct reply_parser *p = parser(
		"{\"parse\": \"regex\", \"regex\": {\"pattern\":"
		" \"score:\\\\s*(?<score>\\\\d+)(?:/(?<max>\\\\d+))?\", \"flags\": \"i\"}}");
	struct reply_parser *s = parser(
		"{\"parse\": \"regex\", \"regex\": \"(?<verdict>yes|no)\"}");
	struct reply_parser *dot = parser(
		"{\"parse\": \"regex\", \"regex\": {\"pattern\":"
		" \"<answer>(?<body>.*?)</answer>\", \"flags\": \"s\"}}");
	struct reply_parser *han = parser(
		"{\"parse\": \"regex\", \"regex\": {\"pattern\": \"答案[:：]\\\\s*(?<a>\\\\p{Han}+)\"}}");

	ok(p, "Overall, SCORE: 7/10. Good work.", "{\"score\": \"7\", \"max\": \"10\"}");
	ok(p, "score: 3", "{\"score\": \"3\"}");
	bad(p, "I would rate it highly.", "does not match the pattern");
	ok(s, "Verdict: yes.", "{\"verdict\": \"yes\"}");
	ok(dot, "<answer>line 1\nline 2</answer>", "{\"body\": \"line 1\\nline 2\"}");
	ok(han, "所以答案：北京. 对吗?", "{\"a\": \"北京\"}");
	reply_parser_free(p);
	reply_parser_free(s);
	reply_parser_free(dot);
	reply_parser_free(han);
}

static void test_bad_specs(void **state)
{
	bad_spec("{\"parse\": \"yaml\"}", "unknown parse mode 'yaml'");
	bad_spec("{\"parse\": 3}", "'parse' must be a string");
	bad_spec("{\"parse\": \"markers\"}", "needs a 'markers' object");
	bad_spec("{\"parse\": \"markers\", \"markers\": {\"labels\": [\"Easy\"]}}",
		 "'blocks' must be a non-empty list");
	bad_spec("{\"parse\": \"markers\", \"markers\": {\"blocks\": [\"Q\"], \"lables\": []}}",
		 "unknown option 'lables' of parse mode 'markers'");
	bad_spec("{\"parse\": \"markers\", \"markers\": {\"blocks\": [\"Q\"], \"start\": \"[Start]\"}}",
		 "needs exactly one '{}'");
	bad_spec("{\"parse\": \"markers\", \"markers\": {\"blocks\": [\"Q\"], \"end\": \"{} End\"}}",
		 "needs text on both sides");
	bad_spec("{\"parse\": \"markers\", \"markers\": {\"blocks\": [\"Q\"], \"required\": [\"Hard\"]}}",
		 "'Hard', which is neither a block nor a label");
	bad_spec("{\"parse\": \"regex\", \"regex\": {\"pattern\": \"(?<a>x\"}}",
		 "bad regex pattern at offset");
	bad_spec("{\"parse\": \"regex\", \"regex\": {\"pattern\": \"(\\\\d+)\"}}",
		 "no named group");
	bad_spec("{\"parse\": \"regex\", \"regex\": {\"pattern\": \"(?<a>x)\", \"flags\": \"g\"}}",
		 "unknown regex flag 'g'");
	bad_spec("{\"parse\": \"markers\", \"markers\": {\"blocks\": [\"Q\"], \"none\": false}}",
		 "'none' must be a string");
	bad_spec("{\"parse\": \"text\", \"text\": {\"strip\": true}}",
		 "unknown option 'strip' of parse mode 'text'");
}

struct job {
	const struct reply_parser *p;
	int bad;
};

static void *apply_many(void *arg)
{
	struct job *job = arg;
	const char *reply = "[Easy][Question Start]e[Question End][Medium][Question Start]m"
			    "[Question End][Hard][Question Start]h[Question End]";
	json_t *want = json_pack("[{s:s,s:s},{s:s,s:s},{s:s,s:s}]", "label", "Easy",
				 "text", "e", "label", "Medium", "text", "m",
				 "label", "Hard", "text", "h");

	for (int i = 0; i < 3000; i++) {
		json_t *got = reply_parser_apply(job->p, reply, strlen(reply), NULL);
		if (!got || !json_equal(got, want))
			job->bad++;
		json_decref(got);
	}
	json_decref(want);
	return NULL;
}

static void test_threads(void **state)
{
	struct reply_parser *p = parser(CONDOR_SPEC ", \"required\": true}}");
	struct job jobs[4];
	pthread_t th[4];

	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct job){ p, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, apply_many, &jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(jobs[i].bad, 0);
	}
	reply_parser_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_condor_questions),
		cmocka_unit_test(test_required),
		cmocka_unit_test(test_chinese),
		cmocka_unit_test(test_critique),
		cmocka_unit_test(test_refine_and_names),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_regex),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
