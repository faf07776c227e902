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

#define CONV_PRM_TAG "\xd0\xba\xd0\xb8" /* "ки", Math-Shepherd's step tag */

struct conv_prm_opts {
	const char *system_prompt; /* NULL: conv_prm_system_prompt */
	const char *tag;           /* NULL: CONV_PRM_TAG */
	double threshold;          /* label "+" iff score > threshold, when there are no labels */
};

/* The default system prompt of the VisualPRM400K conversations (static). */
extern const char conv_prm_system_prompt[];

/*
 * Export `rec` (borrowed) to CONV_VISUALPRM400K, CONV_MATH_SHEPHERD or
 * CONV_PRM_RAW (conv_format.h). Returns a new reference, or NULL with *kind
 * (missing_field, bad_field_type, cannot_convert, image_mismatch — the
 * conv_format.h kinds) and a message in err.
 */
json_t *conv_prm_export(const json_t *rec, enum conv_format to, const struct conv_prm_opts *o,
			const char **kind, struct sbuf *err);

#endif
