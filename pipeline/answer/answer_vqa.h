/*
 * answer_vqa.h — the vqa rule, last in the auto order: both sides in the
 * VQA benchmark's normal form (answer_vqa_normalize, answer_check.h), then
 * compared byte for byte.
 */
#ifndef SMELT_ANSWER_VQA_H
#define SMELT_ANSWER_VQA_H

#include "answer/span.h"

/* Do p and g normalise to the same text? A gold that normalises to nothing never matches. */
bool answer_vqa_equal(struct span p, struct span g);

#endif
