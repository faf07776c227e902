/*
 * verify_box.h — boxes as models write them, and the geometry of
 * Visual-RFT's detection and grounding rewards.
 *
 * Parsing is tolerant because replies are: the text inside the last
 * <answer>…</answer> (else the whole text) is searched for its first
 * '[', '{' or '(' and the value there is read as JSON after rewriting the
 * Python spellings models use — single-quoted strings, tuples, True /
 * False / None, bare keys, trailing commas. The value is then read as
 *   a box          [x1, y1, x2, y2] (or a tuple), numbers or numeric strings
 *   an object      with the box at position / bbox_2d / bbox / box / bounding_box
 *                  (any case), its confidence at confidence / score / conf /
 *                  prob, its label at label / class / category / name
 *   a list         of either, or an object holding one at boxes / objects /
 *                  detections / results
 * A box whose corners come reversed (x2 < x1) is put in order.
 * Coordinates are whatever the data uses (pixels or 0..1000); the two
 * sides must agree.
 */
#ifndef SMELT_VERIFY_BOX_H
#define SMELT_VERIFY_BOX_H

#include <jansson.h>
#include <stddef.h>

#include "core/util.h"

struct vbox {
	double x1, y1, x2, y2;
	double conf;   /* confidence; 1 when the model wrote none */
	int has_conf;
	char *label;   /* NULL when none */
};

struct vbox_list {
	struct vbox *v;
	size_t n, alloc;
};

#define VBOX_LIST_INIT { NULL, 0, 0 }

void vbox_list_release(struct vbox_list *l);

/*
 * Read the boxes of a reply or a gold answer from `text` (the answer-tag
 * rule above). Returns 0 with `out` filled (an empty list "[]" is 0 boxes),
 * or -1 when no box list can be read: no bracket, a value that does not
 * parse, or an element that is no box. `out` is reset first.
 */
int vbox_parse_text(const char *text, struct vbox_list *out) MUST_CHECK;

/* The same for a JSON value (a gold field already holding a list). */
int vbox_parse_json(const json_t *v, struct vbox_list *out) MUST_CHECK;

/* Intersection over union of two boxes; 0 when either has no area. */
double vbox_iou(const struct vbox *a, const struct vbox *b);

/* Generalised IoU, in [-1, 1]: IoU - (hull - union) / hull. */
double vbox_giou(const struct vbox *a, const struct vbox *b);

/*
 * Visual-RFT's detection rewards. Predictions are taken in order of
 * confidence, highest first (ties in the order written); each is matched
 * to the unmatched ground-truth box of largest IoU, and the match counts
 * only when that IoU is above `thresh` (0.5) — otherwise the prediction
 * scores 0 and the ground-truth box stays free. Labels, when both sides
 * have them, must be equal (case-folded) for a pair to be considered.
 *   iou        = Σ kept IoU / max(n_gt, n_pred)                (≤ 1)
 *   confidence = mean over predictions of (c when matched, else 1 − c)
 * No prediction and no ground truth: both 1; no prediction for a
 * non-empty ground truth: both 0 (the formulas cover every other case).
 */
struct vbox_match {
	double iou, confidence;
	size_t matched;
};

void vbox_match(const struct vbox_list *pred, const struct vbox_list *gt, double thresh,
		struct vbox_match *out);

#endif
