/*
 * answer_options.h — the answer-checking options (answer/answer_check.h)
 * that smelt-check, smelt-mc and smelt-bon share: the equivalence mode,
 * extraction, tolerances, the ANLS cut and percent handling.
 *
 * Each option is written once here as a line of an option spec
 * (stage_optspec.h) that a stage puts into its own where its --help lists
 * it, taking only the lines it needs; its id there is named ANSWER_OPT_
 * and the option's name, which marks the line as the group's. The
 * stage's option callback hands every id on to answer_options_parse:
 *
 *	STAGE_OPTIONS(foo_options,
 *		"gold=PATH      gold answer (default answer)\n"
 *		ANSWER_SPEC_ANSWER_MODE("answer equivalence: " ANSWER_MODES)
 *		ANSWER_SPEC_TOLERANCE("--answer-mode"),
 *		OPT_GOLD, ANSWER_OPT_ANSWER_MODE, ANSWER_OPT_REL_TOL, ANSWER_OPT_RELAXED_TOL);
 *	... in the callback: if (answer_options_parse(st, &opts, id, arg) == 0) return 0;
 */
#ifndef SMELT_ANSWER_OPTIONS_H
#define SMELT_ANSWER_OPTIONS_H

#include "answer/answer_check.h"
#include "stage/stage.h"

/* The modes answer_mode_parse takes, for a mode option's help. */
#define ANSWER_MODES "auto (default), exact, vqa, mc, numeric, relaxed, anls, expr, set, symbolic"

/*
 * The equivalence mode: --mode where deciding answers is the stage's whole
 * job (smelt-check), --answer-mode beside a stage's own --mode; `help`
 * says what it decides there.
 */
#define ANSWER_SPEC_MODE(help) "mode=MODE  " help "\n"
#define ANSWER_SPEC_ANSWER_MODE(help) "answer-mode=MODE  " help "\n"

#define ANSWER_SPEC_EXTRACT \
	"extract=HOW  auto (default), answer-tag, final-answer, boxed, phrase, option, last-math,\n" \
	"  whole, last-number; strict: answer-tag, final-answer or boxed only\n"

/* --rel-tol and --relaxed-tol; `mode_opt` is the mode option that names relaxed. */
#define ANSWER_SPEC_TOLERANCE(mode_opt) \
	"rel-tol=X  relative tolerance of numbers (default 1e-3)\n" \
	"relaxed-tol=X  tolerance of " mode_opt " relaxed (default 0.05)\n"

#define ANSWER_SPEC_ANLS_THRESHOLD "anls-threshold=X  ANLS distance-ratio cut (default 0.5)\n"

#define ANSWER_SPEC_PERCENT "percent=HOW  either (default), strip or scale\n"

/*
 * Parse the option `id` into `o` (set up by answer_opts_init) if its spec
 * line is one of the group's (an ANSWER_OPT_ id). Returns 0 if it was
 * one, 1 if not; a bad argument is a usage error (exit 2).
 */
int answer_options_parse(struct stage *st, struct answer_opts *o, int id, const char *arg);

#endif
