/*
 * answer_mc.h — the multiple-choice rule: option letters compared with
 * letters, and a letter with an option's text when the options are known.
 *
 * The options come from answer_opts (answer_check.h): a C array, a JSON
 * array, or the question's "A. …" lines, first non-empty source first.
 */
#ifndef SMELT_ANSWER_MC_H
#define SMELT_ANSWER_MC_H

#include "answer/answer_check.h"
#include "answer/span.h"

#define ANSWER_MC_OPTIONS_MAX 26

struct answer_option {
	char letter;		/* 'A'..'Z' */
	struct span text;	/* borrowed from the answer_opts it was read from */
};

/* The options of one question; valid while its answer_opts are. */
struct answer_mc_options {
	struct answer_option opt[ANSWER_MC_OPTIONS_MAX];
	size_t nopt;
};

/* Fill m from o (borrowed): none when o names no options. */
void answer_mc_options_load(struct answer_mc_options *m, const struct answer_opts *o);

/*
 * 1 when the rule decides, with *correct set; 0 when it cannot (neither
 * side is a letter, or one is and nothing ties it to the other), *correct
 * untouched. A pred that is no letter is matched against the options'
 * texts through eq; when gold is a letter and options are known, a pred
 * that names none of them is wrong.
 */
int answer_mc_compare(const struct answer_mc_options *m, const struct span_equal *eq,
		      struct span p, struct span g, bool *correct);

#endif
