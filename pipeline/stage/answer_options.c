/*
 * answer_options.c — parsing the answer-checking options of
 * answer_options.h into a struct answer_opts. A stage's ids differ from
 * stage to stage, so an option is known by the group its id names, then
 * by its long name.
 */
#include "stage/answer_options.h"

#include <string.h>

int answer_options_parse(struct stage *st, struct answer_opts *o, int id, const char *arg)
{
	const struct stage_option *opt = stage_option_of(st, id);
	const char *name;

	if (!opt || !stage_option_in_group(st, id, "ANSWER_"))
		return 1;
	name = opt->name;
	if (!strcmp(name, "mode") || !strcmp(name, "answer-mode")) {
		if (answer_mode_parse(arg, &o->mode) < 0)
			stage_usage_error(st, "--%s: unknown mode '%s'", name, arg);
	} else if (!strcmp(name, "extract")) {
		if (extract_method_parse(arg, &o->extract) < 0)
			stage_usage_error(st, "--extract: unknown method '%s'", arg);
	} else if (!strcmp(name, "rel-tol")) {
		o->rel_tol = stage_arg_double(st, "--rel-tol", arg, 0, 1, "a number in [0, 1]");
	} else if (!strcmp(name, "relaxed-tol")) {
		o->relaxed_tol = stage_arg_double(st, "--relaxed-tol", arg, 0, 1, "a number in [0, 1]");
	} else if (!strcmp(name, "anls-threshold")) {
		o->anls_threshold = stage_arg_double(st, "--anls-threshold", arg, 0, 1, "a number in [0, 1]");
	} else if (!strcmp(name, "percent")) {
		if (answer_percent_parse(arg, &o->percent) < 0)
			stage_usage_error(st, "--percent wants either, strip or scale, not '%s'", arg);
	} else {
		die("--%s has an ANSWER_OPT_ id but is not an answer option", name);
	}
	return 0;
}
