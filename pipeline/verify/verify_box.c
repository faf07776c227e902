/*
 * verify_box.c — tolerant box-list parsing (Python spellings rewritten to
 * JSON, then read by jansson), IoU / GIoU, and Visual-RFT's greedy
 * confidence-ordered matching.
 */
#include "verify/verify_box.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sbuf.h"

/* Nesting past this is no box list a model meant; it also bounds jansson's depth. */
#define VBOX_MAX_DEPTH 32

void vbox_list_release(struct vbox_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].label);
	free(l->v);
	l->v = NULL;
	l->n = l->alloc = 0;
}

/* The text of the last complete <answer>…</answer>, else all of it. */
static void answer_region(const char *text, const char **start, const char **end)
{
	const char *open = NULL, *p = text, *close;

	while ((p = strstr(p, "<answer>"))) {
		close = strstr(p + 8, "</answer>");
		if (!close)
			break;
		open = p;
		p = close;
	}
	if (open) {
		*start = open + 8;
		*end = strstr(*start, "</answer>");
		return;
	}
	*start = text;
	*end = text + strlen(text);
}

/* Copy a quoted string starting at *p (its quote) as a JSON string. */
static const char *copy_string(const char *p, const char *end, struct sbuf *out)
{
	char q = *p++;

	sbuf_addch(out, '"');
	for (; p < end && *p != q; p++) {
		if (*p == '\\' && p + 1 < end) {
			/* \' is no JSON escape; everything else is passed on */
			if (p[1] == '\'') {
				sbuf_addch(out, '\'');
			} else {
				sbuf_addch(out, '\\');
				sbuf_addch(out, p[1]);
			}
			p++;
		} else if (*p == '"') {
			sbuf_addstr(out, "\\\"");
		} else if ((unsigned char)*p < 0x20) {
			sbuf_addch(out, ' ');
		} else {
			sbuf_addch(out, *p);
		}
	}
	sbuf_addch(out, '"');
	return p < end ? p + 1 : p;
}

/* Drop a ',' written last before a closing bracket. */
static void drop_trailing_comma(struct sbuf *out)
{
	size_t n = out->len;

	while (n && isspace((unsigned char)out->buf[n - 1]))
		n--;
	if (n && out->buf[n - 1] == ',')
		sbuf_setlen(out, n - 1);
}

static int word_is(const char *w, size_t len, const char *s)
{
	return strlen(s) == len && !memcmp(w, s, len);
}

/*
 * Rewrite the value starting at `p` (an opening bracket) into JSON, up to
 * where its brackets close. Returns 0, or -1 when they never close or nest
 * too deep.
 */
static int pythonish_to_json(const char *p, const char *end, struct sbuf *out)
{
	char stack[VBOX_MAX_DEPTH];
	int depth = 0;

	while (p < end) {
		char c = *p;

		if (c == '"' || c == '\'') {
			p = copy_string(p, end, out);
			continue;
		}
		if (c == '[' || c == '(' || c == '{') {
			if (depth == VBOX_MAX_DEPTH)
				return -1;
			stack[depth++] = c == '{' ? '}' : ']';
			sbuf_addch(out, c == '{' ? '{' : '[');
		} else if (c == ']' || c == ')' || c == '}') {
			if (!depth || stack[depth - 1] != (c == '}' ? '}' : ']'))
				return -1;
			drop_trailing_comma(out);
			sbuf_addch(out, stack[--depth]);
			if (!depth)
				return 0;
		} else if (isalpha((unsigned char)c) || c == '_') {
			const char *w = p;

			while (p < end && (isalnum((unsigned char)*p) || *p == '_'))
				p++;
			size_t len = (size_t)(p - w);

			if (word_is(w, len, "True"))
				sbuf_addstr(out, "true");
			else if (word_is(w, len, "False"))
				sbuf_addstr(out, "false");
			else if (word_is(w, len, "None"))
				sbuf_addstr(out, "null");
			else if (word_is(w, len, "true") || word_is(w, len, "false") || word_is(w, len, "null"))
				sbuf_add(out, w, len);
			else if ((w[0] == 'e' || w[0] == 'E') && out->len && isdigit((unsigned char)out->buf[out->len - 1]))
				sbuf_add(out, w, len); /* the exponent of 1e5 */
			else {
				/* a bare key or word: quoted, so that jansson reads it */
				sbuf_addch(out, '"');
				sbuf_add(out, w, len);
				sbuf_addch(out, '"');
			}
			continue;
		} else if ((unsigned char)c < 0x20) {
			sbuf_addch(out, ' ');
		} else {
			sbuf_addch(out, c);
		}
		p++;
	}
	return -1;
}

static int number_of(const json_t *v, double *x)
{
	char *end;

	if (json_is_number(v)) {
		*x = json_number_value(v);
		return isfinite(*x) ? 0 : -1;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);

		*x = strtod(s, &end);
		return end != s && !*end && isfinite(*x) ? 0 : -1;
	}
	return -1;
}

static int box_of_array(const json_t *a, struct vbox *b)
{
	double x[4];

	if (!json_is_array(a) || json_array_size(a) != 4)
		return -1;
	for (size_t i = 0; i < 4; i++)
		if (number_of(json_array_get(a, i), &x[i]) < 0)
			return -1;
	b->x1 = fmin(x[0], x[2]);
	b->x2 = fmax(x[0], x[2]);
	b->y1 = fmin(x[1], x[3]);
	b->y2 = fmax(x[1], x[3]);
	return 0;
}

/* The member of `o` whose name is one of `names` (case-folded), or NULL. */
static json_t *member_named(const json_t *o, const char *const *names)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v)
		for (const char *const *n = names; *n; n++)
			if (!strcasecmp(key, *n))
				return v;
	return NULL;
}

static const char *const box_keys[] = { "position", "bbox_2d", "bbox", "box", "bounding_box", "bbox_xyxy", NULL };
static const char *const conf_keys[] = { "confidence", "score", "conf", "prob", "probability", NULL };
static const char *const label_keys[] = { "label", "class", "category", "name", NULL };
static const char *const list_keys[] = { "boxes", "objects", "detections", "results", "bboxes", NULL };

static int box_of(const json_t *v, struct vbox *b)
{
	const json_t *c, *l;

	memset(b, 0, sizeof(*b));
	b->conf = 1;
	if (json_is_array(v))
		return box_of_array(v, b);
	if (!json_is_object(v) || box_of_array(member_named(v, box_keys), b) < 0)
		return -1;
	if ((c = member_named(v, conf_keys)) && number_of(c, &b->conf) == 0)
		b->has_conf = 1;
	if ((l = member_named(v, label_keys)) && json_is_string(l))
		b->label = xstrdup(json_string_value(l));
	return 0;
}

static void push(struct vbox_list *l, const struct vbox *b)
{
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 8;
		l->v = xrealloc(l->v, l->alloc * sizeof(*l->v));
	}
	l->v[l->n++] = *b;
}

int vbox_parse_json(const json_t *v, struct vbox_list *out)
{
	struct vbox b;
	const json_t *inner;
	size_t i;
	json_t *e;

	vbox_list_release(out);
	if (json_is_object(v) && (inner = member_named(v, list_keys)) && json_is_array(inner))
		v = inner;
	if (box_of(v, &b) == 0) {
		push(out, &b);
		return 0;
	}
	if (!json_is_array(v))
		return -1;
	json_array_foreach(v, i, e) {
		if (box_of(e, &b) < 0) {
			vbox_list_release(out);
			return -1;
		}
		push(out, &b);
	}
	return 0;
}

int vbox_parse_text(const char *text, struct vbox_list *out)
{
	const char *start, *end, *p;
	struct sbuf js = SBUF_INIT;
	json_t *v = NULL;
	int r = -1;

	vbox_list_release(out);
	if (!text)
		return -1;
	answer_region(text, &start, &end);
	p = start + strcspn(start, "[{(");
	if (p < end && pythonish_to_json(p, end, &js) == 0 &&
	    (v = json_loadb(js.buf, js.len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL)))
		r = vbox_parse_json(v, out);
	json_decref(v);
	sbuf_release(&js);
	return r;
}

static double area(const struct vbox *b)
{
	return (b->x2 - b->x1) * (b->y2 - b->y1);
}

static double overlap(const struct vbox *a, const struct vbox *b)
{
	double w = fmin(a->x2, b->x2) - fmax(a->x1, b->x1);
	double h = fmin(a->y2, b->y2) - fmax(a->y1, b->y1);

	return w > 0 && h > 0 ? w * h : 0;
}

double vbox_iou(const struct vbox *a, const struct vbox *b)
{
	double inter = overlap(a, b), uni = area(a) + area(b) - inter;

	return uni > 0 ? inter / uni : 0;
}

double vbox_giou(const struct vbox *a, const struct vbox *b)
{
	double inter = overlap(a, b), uni = area(a) + area(b) - inter;
	double hull = (fmax(a->x2, b->x2) - fmin(a->x1, b->x1)) * (fmax(a->y2, b->y2) - fmin(a->y1, b->y1));

	if (hull <= 0 || uni <= 0)
		return -1;
	return inter / uni - (hull - uni) / hull;
}

static int labels_agree(const struct vbox *a, const struct vbox *b)
{
	return !a->label || !b->label || !strcasecmp(a->label, b->label);
}

/* Stable order of predictions by confidence, highest first. */
static size_t *by_confidence(const struct vbox_list *pred)
{
	size_t *o = xmalloc((pred->n ? pred->n : 1) * sizeof(*o));

	for (size_t i = 0; i < pred->n; i++) {
		size_t j = i;

		while (j > 0 && pred->v[o[j - 1]].conf < pred->v[i].conf) {
			o[j] = o[j - 1];
			j--;
		}
		o[j] = i;
	}
	return o;
}

void vbox_match(const struct vbox_list *pred, const struct vbox_list *gt, double thresh,
		struct vbox_match *out)
{
	size_t *order, n = pred->n > gt->n ? pred->n : gt->n;
	char *taken;
	double sum_iou = 0, sum_conf = 0;

	memset(out, 0, sizeof(*out));
	if (!pred->n) {
		out->iou = out->confidence = gt->n ? 0 : 1;
		return;
	}
	order = by_confidence(pred);
	taken = xcalloc(gt->n ? gt->n : 1, 1);
	for (size_t k = 0; k < pred->n; k++) {
		const struct vbox *p = &pred->v[order[k]];
		double best = 0;
		size_t bj = 0;

		for (size_t j = 0; j < gt->n; j++) {
			double iou;

			if (taken[j] || !labels_agree(p, &gt->v[j]))
				continue;
			iou = vbox_iou(p, &gt->v[j]);
			if (iou > best) {
				best = iou;
				bj = j;
			}
		}
		if (best > thresh) {
			taken[bj] = 1;
			sum_iou += best;
			sum_conf += p->conf;
			out->matched++;
		} else {
			sum_conf += 1 - p->conf;
		}
	}
	out->iou = fmin(1, sum_iou / (double)n);
	out->confidence = sum_conf / (double)pred->n;
	free(taken);
	free(order);
}
