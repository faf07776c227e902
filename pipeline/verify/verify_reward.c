/*
 * verify_reward.c — the scorer table behind --reward, one reply scored by
 * every scorer of a spec, and the gold read once per prompt.
 */
#include "verify/verify_reward.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[VR_NKINDS] = {
	[VR_FORMAT] = "format", [VR_IOU] = "iou", [VR_CONFIDENCE] = "confidence",
	[VR_GIOU] = "giou", [VR_CLS] = "cls", [VR_ANSWER] = "answer",
};

const char *vreward_name(enum vreward_kind k)
{
	return k < VR_NKINDS ? names[k] : "?";
}

int vreward_parse(const char *arg, struct vreward_spec *s, struct sbuf *err)
{
	char *copy = xstrdup(arg), *save = NULL, *tok;
	int r = 0;

	s->n = 0;
	for (tok = strtok_r(copy, ",", &save); tok && !r; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':'), *end;
		double w = 1;
		size_t k;

		if (colon) {
			*colon = 0;
			w = strtod(colon + 1, &end);
			if (end == colon + 1 || *end || !isfinite(w) || w < 0) {
				sbuf_addf(err, "weight of '%s' is not a number >= 0: '%s'", tok, colon + 1);
				r = -1;
				break;
			}
		}
		for (k = 0; k < VR_NKINDS && strcmp(tok, names[k]); k++)
			;
		if (k == VR_NKINDS) {
			sbuf_addf(err, "unknown reward '%s' (format, iou, confidence, giou, cls, answer)", tok);
			r = -1;
		} else if (s->n == VREWARD_MAX) {
			sbuf_addf(err, "more than %d rewards", VREWARD_MAX);
			r = -1;
		} else {
			for (size_t j = 0; j < s->n; j++)
				if (s->kind[j] == (enum vreward_kind)k) {
					sbuf_addf(err, "reward '%s' named twice", tok);
					r = -1;
				}
			s->kind[s->n] = (enum vreward_kind)k;
			s->weight[s->n++] = w;
		}
	}
	if (!r && !s->n) {
		sbuf_addstr(err, "no reward named");
		r = -1;
	}
	free(copy);
	return r;
}

int vreward_wants_boxes(const struct vreward_spec *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->kind[i] == VR_IOU || s->kind[i] == VR_CONFIDENCE || s->kind[i] == VR_GIOU)
			return 1;
	return 0;
}

static int wants_text(const struct vreward_spec *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->kind[i] == VR_CLS || s->kind[i] == VR_ANSWER)
			return 1;
	return 0;
}

int vreward_gold_read(const struct vreward_spec *s, const json_t *gold, struct vreward_gold *g,
		      struct sbuf *err)
{
	memset(g, 0, sizeof(*g));
	if (vreward_wants_boxes(s)) {
		int r = json_is_string(gold) ? vbox_parse_text(json_string_value(gold), &g->boxes)
					     : gold ? vbox_parse_json(gold, &g->boxes) : -1;
		if (r < 0) {
			sbuf_addstr(err, gold ? "the gold boxes cannot be read" : "no gold boxes");
			return -1;
		}
		g->has_boxes = 1;
	}
	if (wants_text(s)) {
		if (!json_is_string(gold)) {
			sbuf_addstr(err, gold ? "the gold answer is not a string" : "no gold answer");
			vreward_gold_release(g);
			return -1;
		}
		g->text = json_string_value(gold);
	}
	return 0;
}

void vreward_gold_release(struct vreward_gold *g)
{
	vbox_list_release(&g->boxes);
	g->has_boxes = 0;
}

static const char *skip_blanks(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* `p` starts with `open`…`close`; returns what follows, or NULL. */
static const char *tagged(const char *p, const char *open, const char *close)
{
	const char *end;

	if (strncmp(p, open, strlen(open)))
		return NULL;
	end = strstr(p + strlen(open), close);
	return end ? end + strlen(close) : NULL;
}

int vreward_format_ok(const char *reply)
{
	const char *p;

	if (!reply)
		return 0;
	p = tagged(skip_blanks(reply), "<think>", "</think>");
	if (!p)
		return 0;
	p = tagged(skip_blanks(p), "<answer>", "</answer>");
	return p && !*skip_blanks(p);
}

/* The classification rule: normalised equality, or the gold's words inside the answer's. */
static double cls_score(const char *reply, const char *gold)
{
	struct sbuf ans = SBUF_INIT, pred = SBUF_INIT, want = SBUF_INIT;
	const char *hit;
	double r = 0;

	if (answer_extract(reply, EXTRACT_AUTO, &ans, NULL) <= 0)
		goto out;
	answer_vqa_normalize(ans.buf, &pred);
	answer_vqa_normalize(gold, &want);
	if (!want.len || !pred.len)
		goto out;
	for (hit = strstr(pred.buf, want.buf); hit; hit = strstr(hit + 1, want.buf)) {
		int left = hit == pred.buf || hit[-1] == ' ';
		int right = !hit[want.len] || hit[want.len] == ' ';

		if (left && right) {
			r = 1;
			break;
		}
	}
out:
	sbuf_release(&ans);
	sbuf_release(&pred);
	sbuf_release(&want);
	return r;
}

void vreward_score(const struct vreward_spec *s, const struct vreward_gold *g, const char *reply,
		   struct vreward_result *r)
{
	struct vbox_list pred = VBOX_LIST_INIT;
	struct vbox_match m = { 0 };
	int have_pred = 0, have_match = 0;

	memset(r, 0, sizeof(*r));
	if (vreward_wants_boxes(s)) {
		have_pred = reply && vbox_parse_text(reply, &pred) == 0;
		r->box_parse_failed = !have_pred;
	}
	for (size_t i = 0; i < s->n; i++) {
		double v = 0;

		switch (s->kind[i]) {
		case VR_FORMAT: v = vreward_format_ok(reply); break;
		case VR_IOU:
		case VR_CONFIDENCE:
			if (have_pred && !have_match) {
				vbox_match(&pred, &g->boxes, s->iou_thresh, &m);
				have_match = 1;
			}
			v = !have_pred ? 0 : s->kind[i] == VR_IOU ? m.iou : m.confidence;
			break;
		case VR_GIOU:
			if (have_pred && pred.n && g->boxes.n)
				v = vbox_giou(&pred.v[0], &g->boxes.v[0]) + 1;
			break;
		case VR_CLS: v = reply && g->text ? cls_score(reply, g->text) : 0; break;
		case VR_ANSWER:
			if (reply && g->text) {
				struct answer_verdict verdict;

				if (answer_check(reply, g->text, &s->answer, &verdict, NULL) == 0) {
					v = verdict.correct ? (s->answer.mode == ANSWER_ANLS ? verdict.score : 1) : 0;
					r->too_deep |= verdict.too_deep;
				}
			}
			break;
		case VR_NKINDS: break;
		}
		r->value[i] = v;
		r->total += s->weight[i] * v;
	}
	vbox_list_release(&pred);
}

json_t *vreward_json(const struct vreward_spec *s, const struct vreward_result *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "total", json_real(r->total));
	for (size_t i = 0; i < s->n; i++)
		json_object_set_new(o, names[s->kind[i]], json_real(r->value[i]));
	return o;
}
