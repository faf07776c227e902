/*
 * verify_reward.h — Visual-RFT's verifiable rewards as named scorers a
 * command line composes: "--reward format,iou:1,confidence:0.5".
 *
 *   format      1 when the reply is <think>…</think> then <answer>…</answer>
 *               (blanks around and between them only), else 0
 *   iou         detection: Σ matched IoU / max(n_gt, n_pred) (verify_box.h)
 *   confidence  detection: mean of c for matched predictions, 1 − c otherwise
 *   giou        grounding: GIoU + 1 of the first predicted box, in [0, 2]
 *   cls         classification: the answer, VQA-normalised, equals the
 *               gold or contains it as whole words
 *   answer      math / VQA: answer_check (answer/answer_check.h), 1 or 0
 *               (the ANLS score under --answer-mode anls)
 *
 * The total is Σ weight × reward (weights default 1), the reward GRPO
 * sums. A reply whose boxes cannot be read scores 0 on the box rewards
 * and counts one parse failure; a gold that cannot be read is the
 * record's error (the stage rejects it).
 */
#ifndef SMELT_VERIFY_REWARD_H
#define SMELT_VERIFY_REWARD_H

#include <jansson.h>
#include <stddef.h>

#include "answer/answer_check.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "verify/verify_box.h"

enum vreward_kind { VR_FORMAT = 0, VR_IOU, VR_CONFIDENCE, VR_GIOU, VR_CLS, VR_ANSWER, VR_NKINDS };

#define VREWARD_MAX 16

struct vreward_spec {
	enum vreward_kind kind[VREWARD_MAX];
	double weight[VREWARD_MAX];
	size_t n;
	double iou_thresh;        /* a detection match counts above it (0.5) */
	struct answer_opts answer;
};

/* "format,iou:1,confidence:0.5" into s (answer options left as they are).
 * Returns 0, or -1 with what is wrong in err. */
int vreward_parse(const char *arg, struct vreward_spec *s, struct sbuf *err) MUST_CHECK;

const char *vreward_name(enum vreward_kind k);

/* Does the spec use a box reward (so the gold is a box list)? */
int vreward_wants_boxes(const struct vreward_spec *s);

/* The gold of one prompt, read once for its K rollouts. */
struct vreward_gold {
	const char *text;      /* borrowed: cls / answer gold (NULL if none) */
	struct vbox_list boxes;
	int has_boxes;
};

/*
 * Read the gold value (borrowed; a string or, for boxes, a list). Returns
 * 0, or -1 with err set when the spec needs a gold this value cannot give.
 */
int vreward_gold_read(const struct vreward_spec *s, const json_t *gold, struct vreward_gold *g,
		      struct sbuf *err) MUST_CHECK;
void vreward_gold_release(struct vreward_gold *g);

/* What scoring one reply found. */
struct vreward_result {
	double value[VREWARD_MAX]; /* per scorer of the spec, in its order */
	double total;
	int box_parse_failed;      /* the reply's boxes could not be read */
	int too_deep;              /* the answer checker gave up on nesting */
};

/* Score `reply` (NULL or not a string scores 0 everywhere but is counted). */
void vreward_score(const struct vreward_spec *s, const struct vreward_gold *g, const char *reply,
		   struct vreward_result *r);

/* {"total": t, "<name>": value, ...} (new). */
json_t *vreward_json(const struct vreward_spec *s, const struct vreward_result *r);

/* The parts of format's rule, for tests: 1 or 0. */
int vreward_format_ok(const char *reply);

#endif
