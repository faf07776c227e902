/*
 * answer_options.c — parsing the answer-checking options of
 * answer_options.h into a struct answer_opts.
 */
#include "stage/answer_options.h"

int answer_options_parse(struct stage *st, struct answer_opts *o, int id, const char *arg)
{
	switch (id) {
	case ANSWER_OPT_MODE:
	case ANSWER_OPT_ANSWER_MODE:
		if (answer_mode_parse(arg, &o->mode) < 0)
			stage_usage_error(st, "--%s: unknown mode '%s'",
					  id == ANSWER_OPT_MODE ? "mode" : "answer-mode", arg);
		return 0;
	case ANSWER_OPT_EXTRACT:
		if (extract_method_parse(arg, &o->extract) < 0)
			stage_usage_error(st, "--extract: unknown method '%s'", arg);
		return 0;
	case ANSWER_OPT_REL_TOL:
		o->rel_tol = stage_arg_double(st, "--rel-tol", arg, 0, 1, "a number in [0, 1]");
		return 0;
	case ANSWER_OPT_RELAXED_TOL:
		o->relaxed_tol = stage_arg_double(st, "--relaxed-tol", arg, 0, 1, "a number in [0, 1]");
		return 0;
	case ANSWER_OPT_ANLS_THRESHOLD:
		o->anls_threshold = stage_arg_double(st, "--anls-threshold", arg, 0, 1, "a number in [0, 1]");
		return 0;
	case ANSWER_OPT_PERCENT:
		if (answer_percent_parse(arg, &o->percent) < 0)
			stage_usage_error(st, "--percent wants either, strip or scale, not '%s'", arg);
		return 0;
	}
	return 1;
}
