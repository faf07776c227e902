/*
 * conv_prm.h — exports of step-labelled solutions (smelt-mc's records)
 * to the formats PRM trainers read, for smelt-cat --to:
 *
 *   visualprm400k  {"image", "conversations": [system, human "### Question:
 *                  \n…\n\n### Solution Process:\n<step 0>", gpt "+", human
 *                  "<step 1>", gpt "-", …]}: one turn pair per step.
 *   math-shepherd  {"input": "<question> <step 0> ки\n<step 1> ки…",
 *                  "label": the same with each tag replaced by + or -}.
 *   prm-raw        VisualPRM's raw form: the input fields, "image",
 *                  "response", "steps_with_score", "num_mc_sequences".
 *                  Its scores are soft labels, so a record of a mode whose
 *                  score is no Monte-Carlo estimate (mc.mode exact-binary
 *                  or first-error) is refused unless raw_any_mode.
 *
 * Every export keeps "mc" (the labelling mode and its figures), so what
 * the labels mean travels with them.
 *
 * Steps come from steps_with_score[].step (else "steps"); labels from
 * "labels" (else score > threshold). A step without a label (first-error
 * leaves the steps after the first error unlabelled) ends the exported
 * solution: the training formats have no "unknown". Images ("images", or
 * "image") become "image": a string for one, a list for several; the
 * question gets one "<image>\n" per image unless it already holds the
 * placeholders. Fields the export does not consume are kept in place.
 */
#ifndef SMELT_CONV_PRM_H
#define SMELT_CONV_PRM_H

#include <jansson.h>

#include "io/conv_format.h"
#include "core/sbuf.h"
#include "core/util.h"

#define CONV_PRM_TAG "\xd0\xba\xd0\xb8" /* "ки", Math-Shepherd's step tag */

struct conv_prm_opts {
	const char *system_prompt;  /* NULL: conv_prm_system_prompt, VisualPRM's */
	/* the first human turn; "{question}" and "{step}" are replaced (NULL: CONV_PRM_FIRST_TURN) */
	const char *first_turn;
	/* trailing instructions cut from the question; NULL: conv_prm_suffixes, {NULL}: none */
	const char *const *suffixes;
	const char *tag;            /* NULL: CONV_PRM_TAG */
	double threshold;           /* label "+" iff score > threshold, when there are no labels */
	int raw_any_mode;           /* prm-raw: export exact-binary / first-error records too */
};

/*
 * VisualPRM's strings (OpenGVLab InternVL's reasoning data tools), so a
 * model trained on VisualPRM400K sees exactly what it was trained on:
 * the process-supervision system prompt, the first turn's wrapping, and
 * the short-answer instructions cut from the end of questions.
 */
extern const char conv_prm_system_prompt[];
#define CONV_PRM_FIRST_TURN "### Question:\n{question}\n\n### Solution Process:\n{step}"
extern const char *const conv_prm_suffixes[]; /* NULL-terminated */

/*
 * Append the first human turn for `question` (suffixes cut as o says) and
 * `step` to `out`. o may be NULL for VisualPRM's defaults.
 */
void conv_prm_first_turn(struct sbuf *out, const char *question, const char *step,
			 const struct conv_prm_opts *o);

/*
 * Append Math-Shepherd's tagged text, "<question> <step 0> M0\n<step 1>
 * M1…", to `out`, where Mi is marks[i] or, with marks NULL, `tag` (the
 * input of a step-tag PRM). Returns 0, or -1 with the index of the first
 * string holding the tag in *bad (n for the question) and nothing appended.
 */
int conv_prm_tagged(struct sbuf *out, const char *question, const char *const *steps, size_t n,
		    const char *tag, const char *const *marks, size_t *bad) MUST_CHECK;

/*
 * Export `rec` (borrowed) to CONV_VISUALPRM400K, CONV_MATH_SHEPHERD or
 * CONV_PRM_RAW (conv_format.h). Returns a new reference, or NULL with *kind
 * (missing_field, bad_field_type, cannot_convert, image_mismatch — the
 * conv_format.h kinds) and a message in err.
 */
json_t *conv_prm_export(const json_t *rec, enum conv_format to, const struct conv_prm_opts *o,
			const char **kind, struct sbuf *err);

#endif
