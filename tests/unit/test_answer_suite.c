/*
 * test_answer_suite.c — agreement of the answer checker with public
 * math-equivalence suites, ported as data (pred, gold, expected) into
 * the files of tests/fixtures/math-equiv (see the README there).
 *
 * A row of kind "answer" compares two final answers (answer_equivalent);
 * a row of kind "reply" checks a model's reply against a gold answer
 * (answer_check with auto extraction; a boxed gold is narrowed to its
 * box, as the suites do). The test prints the agreement and every row
 * where the checker disagrees with the suite, and fails below
 * SUITE_MIN_AGREEMENT: the rows are not tuned one by one, so a few
 * disagreements are expected and listed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "answer/answer_check.h"
#include "core/sbuf.h"

#define SUITE_MIN_AGREEMENT 0.95

static const char *const suite_files[] = {
	"public-suites.jsonl",
};

static bool row_verdict(const char *kind, const char *pred, const char *gold)
{
	struct answer_verdict v;
	struct sbuf g = SBUF_INIT;
	bool correct;

	if (answer_extract(gold, EXTRACT_BOXED, &g, NULL) != 1) {
		sbuf_reset(&g);
		sbuf_addstr(&g, gold);
	}
	if (!strcmp(kind, "answer"))
		assert_int_equal(answer_equivalent(pred, g.buf, NULL, &v), 0);
	else
		assert_int_equal(answer_check(pred, g.buf, NULL, &v, NULL), 0);
	correct = v.correct;
	sbuf_release(&g);
	return correct;
}

static void test_public_suites(void **state)
{
	const char *dir = getenv("SMELT_MATH_EQUIV_DIR");
	size_t rows = 0, agree = 0;

	(void)state;
	if (!dir)
		dir = "tests/fixtures/math-equiv";
	for (size_t f = 0; f < sizeof(suite_files) / sizeof(suite_files[0]); f++) {
		char path[512];
		FILE *fp;
		char *line = NULL;
		size_t cap = 0;
		long lineno = 0;

		snprintf(path, sizeof(path), "%s/%s", dir, suite_files[f]);
		fp = fopen(path, "r");
		if (!fp)
			fail_msg("%s: cannot open", path);
		while (getline(&line, &cap, fp) > 0) {
			json_error_t jerr;
			json_t *row = json_loads(line, 0, &jerr);
			const char *kind, *pred, *gold, *cls;
			bool expected, got;

			lineno++;
			if (!row)
				fail_msg("%s:%ld: %s", path, lineno, jerr.text);
			kind = json_string_value(json_object_get(row, "kind"));
			pred = json_string_value(json_object_get(row, "pred"));
			gold = json_string_value(json_object_get(row, "gold"));
			cls = json_string_value(json_object_get(row, "class"));
			if (!kind || !pred || !gold || !json_is_boolean(json_object_get(row, "expected")))
				fail_msg("%s:%ld: needs kind, pred, gold, expected", path, lineno);
			expected = json_is_true(json_object_get(row, "expected"));
			got = row_verdict(kind, pred, gold);
			rows++;
			if (got == expected)
				agree++;
			else
				print_message("# disagree %s:%ld [%s] expected %s: pred=%.160s | gold=%.120s\n",
					      suite_files[f], lineno, cls ? cls : "?",
					      expected ? "equal" : "different", pred, gold);
			json_decref(row);
		}
		free(line);
		fclose(fp);
	}
	print_message("# agreement %zu/%zu = %.3f (needs %.2f)\n", agree, rows,
		      rows ? (double)agree / (double)rows : 0.0, SUITE_MIN_AGREEMENT);
	assert_true(rows > 0);
	assert_true((double)agree >= SUITE_MIN_AGREEMENT * (double)rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_public_suites),
	};

	return cmocka_run_group_tests_name("answer_suite", tests, NULL, NULL);
}
