/*
 * test_stage_optspec.c — option specs (stage/stage_optspec.h): lines to
 * table rows (short forms, arguments, continued help), ids tied to lines
 * by name, a shared group told by its ids' prefix, appended rows; and the
 * specs that must be refused (the process dies: checked in a child).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "stage/stage_optspec.h"

STAGE_OPTIONS(demo_options,
	"prompt=FILE     prompt file\n"
	"n,samples=K     samples per record\n"
	"explode         one output record per item,\n"
	"                ids <id>-<k>\n"
	"rel-tol=X       a shared option\n",
	OPT_PROMPT, OPT_SAMPLES, OPT_EXPLODE, ANSWER_OPT_REL_TOL);

static void test_lines(void **state)
{
	struct stage_option *t = stage_optspec_table(&demo_options);

	(void)state;
	assert_string_equal(t[0].name, "prompt");
	assert_int_equal(t[0].short_name, 0);
	assert_int_equal(t[0].has_arg, 1);
	assert_string_equal(t[0].arg_name, "FILE");
	assert_string_equal(t[0].help, "prompt file");
	assert_int_equal(t[0].id, OPT_PROMPT);
	assert_int_equal(OPT_PROMPT, 256);
	assert_string_equal(t[1].name, "samples");
	assert_int_equal(t[1].short_name, 'n');
	assert_int_equal(t[1].id, OPT_SAMPLES);
	assert_string_equal(t[2].name, "explode");
	assert_int_equal(t[2].has_arg, 0);
	assert_null(t[2].arg_name);
	assert_string_equal(t[2].help, "one output record per item, ids <id>-<k>");
	assert_int_equal(t[2].id, OPT_EXPLODE);
	assert_int_equal(t[3].id, ANSWER_OPT_REL_TOL);
	assert_null(t[4].name);
	free(t);
}

static void test_group(void **state)
{
	(void)state;
	assert_true(stage_optspec_in_group(demo_options.names, ANSWER_OPT_REL_TOL, "ANSWER_"));
	assert_false(stage_optspec_in_group(demo_options.names, OPT_EXPLODE, "ANSWER_"));
	assert_true(stage_optspec_in_group(demo_options.names, OPT_PROMPT, "")); /* no group */
	assert_false(stage_optspec_in_group(demo_options.names, 300, "ANSWER_"));
	assert_false(stage_optspec_in_group(NULL, 256, "ANSWER_"));
}

static void test_rows_appended(void **state)
{
	static const struct stage_option rows[] = {
		{ "depth", 0, 1, 1500, "D", "grow depth" },
		{ NULL, 0, 0, 0, NULL, NULL },
	};
	struct stage_optspec spec = demo_options;
	struct stage_option *t;

	(void)state;
	spec.rows = rows;
	t = stage_optspec_table(&spec);
	assert_string_equal(t[4].name, "depth");
	assert_int_equal(t[4].id, 1500);
	assert_ptr_not_equal(t[4].help, rows[0].help); /* copied into the block */
	assert_null(t[5].name);
	free(t);

	spec = (struct stage_optspec){ NULL, NULL, rows };
	t = stage_optspec_table(&spec);
	assert_string_equal(t[0].name, "depth");
	assert_null(t[1].name);
	free(t);
}

/* Does stage_optspec_table die on `spec`? */
static int refused(const struct stage_optspec *spec)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		fclose(stderr);
		free(stage_optspec_table(spec));
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return !WIFEXITED(status) || WEXITSTATUS(status) != 0;
}

static void test_refused(void **state)
{
	static const struct stage_optspec swapped = { "a=X  first\nb  second\n", "OPT_B, OPT_A", NULL };
	static const struct stage_optspec fewer = { "a=X  first\nb  second\n", "OPT_A", NULL };
	static const struct stage_optspec more = { "a=X  first\n", "OPT_A, OPT_B", NULL };
	static const struct stage_optspec prefix = { "a  first\n", "XOPT_A", NULL };
	static const struct stage_optspec no_help = { "a=X\n", "OPT_A", NULL };
	static const struct stage_optspec lone = { "  more help\na  first\n", "OPT_A", NULL };
	static const struct stage_optspec twice = { "a  first\na  again\n", "OPT_A, X_OPT_A", NULL };
	static const struct stage_optspec good = { "a=X  first\nb  second\n", "OPT_A, OPT_B", NULL };

	(void)state;
	assert_true(refused(&swapped));
	assert_true(refused(&fewer));
	assert_true(refused(&more));
	assert_true(refused(&prefix));
	assert_true(refused(&no_help));
	assert_true(refused(&lone));
	assert_true(refused(&twice));
	assert_false(refused(&good));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_rows_appended),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
