/*
 * answer_options.h — the answer-checking options (answer/answer_check.h)
 * that smelt-check, smelt-mc and smelt-bon share: the equivalence mode,
 * extraction, tolerances, the ANLS cut and percent handling.
 *
 * Each option is written once here as a row macro a stage puts into its
 * own table where its --help lists it, taking only the rows it needs; its
 * option callback hands the ids on to answer_options_parse:
 *
 *	static const struct stage_option foo_options[] = {
 *		{ "gold", ... },
 *		ANSWER_OPTION_ANSWER_MODE("answer equivalence: " ANSWER_MODES),
 *		ANSWER_OPTIONS_TOLERANCE("--answer-mode"),
 *		ANSWER_OPTION_PERCENT,
 *		{ NULL, 0, 0, 0, NULL, NULL },
 *	};
 *	... in the callback: if (answer_options_parse(st, &opts, id, arg) == 0) return 0;
 */
#ifndef SMELT_ANSWER_OPTIONS_H
#define SMELT_ANSWER_OPTIONS_H

#include "answer/answer_check.h"
#include "stage/stage.h"

/* Option ids of the group: apart from a stage's own (256..) and the common ones (1000..). */
enum {
	ANSWER_OPT_MODE = 1800, ANSWER_OPT_ANSWER_MODE, ANSWER_OPT_EXTRACT, ANSWER_OPT_REL_TOL,
	ANSWER_OPT_RELAXED_TOL, ANSWER_OPT_ANLS_THRESHOLD, ANSWER_OPT_PERCENT,
};

/* The modes answer_mode_parse takes, for a mode option's help. */
#define ANSWER_MODES "auto (default), exact, vqa, mc, numeric, relaxed, anls, expr, set"

/*
 * The equivalence mode: --mode where deciding answers is the stage's whole
 * job (smelt-check), --answer-mode beside a stage's own --mode; `help`
 * says what it decides there.
 */
#define ANSWER_OPTION_MODE(help) { "mode", 0, 1, ANSWER_OPT_MODE, "MODE", help }
#define ANSWER_OPTION_ANSWER_MODE(help) { "answer-mode", 0, 1, ANSWER_OPT_ANSWER_MODE, "MODE", help }

#define ANSWER_OPTION_EXTRACT \
	{ "extract", 0, 1, ANSWER_OPT_EXTRACT, "HOW", \
	  "auto (default), answer-tag, final-answer, boxed, phrase, option, whole, last-number" }

/* --rel-tol and --relaxed-tol; `mode_opt` is the mode option that names relaxed. */
#define ANSWER_OPTIONS_TOLERANCE(mode_opt) \
	{ "rel-tol", 0, 1, ANSWER_OPT_REL_TOL, "X", "relative tolerance of numbers (default 1e-3)" }, \
	{ "relaxed-tol", 0, 1, ANSWER_OPT_RELAXED_TOL, "X", "tolerance of " mode_opt " relaxed (default 0.05)" }

#define ANSWER_OPTION_ANLS_THRESHOLD \
	{ "anls-threshold", 0, 1, ANSWER_OPT_ANLS_THRESHOLD, "X", "ANLS distance-ratio cut (default 0.5)" }

#define ANSWER_OPTION_PERCENT { "percent", 0, 1, ANSWER_OPT_PERCENT, "HOW", "either (default), strip or scale" }

/*
 * Parse the group's option `id` into `o` (set up by answer_opts_init).
 * Returns 0 if it was one, 1 if `id` is not an answer option; a bad
 * argument is a usage error (exit 2).
 */
int answer_options_parse(struct stage *st, struct answer_opts *o, int id, const char *arg);

#endif
