/*
 * prm_eval.c — step-level F1 of a process reward model (see prm_eval.h).
 * Solutions are read one at a time into per-source confusion counts; the
 * F1 figures are computed from the counts only at report time, so the
 * pooled overall figure is a true micro-average over sources.
 */
#include "prm/prm_eval.h"

#include "prm/prm_check.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void prm_eval_init(struct prm_eval *ev, double threshold)
{
	memset(ev, 0, sizeof(*ev));
	ev->threshold = threshold;
}

void prm_eval_release(struct prm_eval *ev)
{
	for (size_t i = 0; i < ev->nr; i++)
		free(ev->names[i]);
	free(ev->names);
	free(ev->counts);
	memset(ev, 0, sizeof(*ev));
}

static struct prm_eval_counts *source_counts(struct prm_eval *ev, const char *name)
{
	for (size_t i = 0; i < ev->nr; i++)
		if (!strcmp(ev->names[i], name))
			return &ev->counts[i];
	if (ev->nr == ev->alloc) {
		ev->alloc = ev->alloc ? 2 * ev->alloc : 8;
		ev->names = xrealloc(ev->names, ev->alloc * sizeof(*ev->names));
		ev->counts = xrealloc(ev->counts, ev->alloc * sizeof(*ev->counts));
	}
	ev->names[ev->nr] = xstrdup(name);
	memset(&ev->counts[ev->nr], 0, sizeof(ev->counts[0]));
	return &ev->counts[ev->nr++];
}

static void counts_add(struct prm_eval_counts *dst, const struct prm_eval_counts *src)
{
	dst->solutions += src->solutions;
	dst->gold_correct += src->gold_correct;
	dst->gold_incorrect += src->gold_incorrect;
	dst->neutral += src->neutral;
	dst->unpredicted += src->unpredicted;
	dst->tp_correct += src->tp_correct;
	dst->fp_correct += src->fp_correct;
	dst->fn_correct += src->fn_correct;
	dst->tp_incorrect += src->tp_incorrect;
	dst->fp_incorrect += src->fp_incorrect;
	dst->fn_incorrect += src->fn_incorrect;
}

/* A prediction: 1 correct, 0 incorrect, -1 none, -2 unreadable. */
static int predicted(const json_t *p, double threshold)
{
	if (json_is_object(p))
		p = json_object_get(p, "score");
	if (!p || json_is_null(p))
		return -1;
	if (json_is_boolean(p))
		return json_is_true(p);
	if (json_is_number(p))
		return json_number_value(p) > threshold;
	if (json_is_string(p)) {
		const char *s = json_string_value(p);
		if (!strcmp(s, "+"))
			return 1;
		if (!strcmp(s, "-"))
			return 0;
	}
	return -2;
}

/* 1, 0, -1; smelt-mc's labels "+", "-" and null (unlabelled: neutral); 2 for anything else. */
static json_int_t gold_value(const json_t *g)
{
	const char *l = json_string_value(g);

	if (json_is_integer(g))
		return json_integer_value(g);
	if (json_is_null(g))
		return 0;
	if (l && (!strcmp(l, "+") || !strcmp(l, "-")))
		return *l == '+' ? 1 : -1;
	return 2;
}

int prm_eval_add(struct prm_eval *ev, const char *source, const json_t *gold, const json_t *pred,
		 const char **kind, struct sbuf *err)
{
	struct prm_eval_counts one = { 0 };
	size_t n = json_array_size(gold);

	if (!json_is_array(gold))
		return prm_fail(kind, "bad_field_type", err, "the gold step correctness must be a list");
	if (!json_is_array(pred))
		return prm_fail(kind, "bad_field_type", err, "the step predictions must be a list");
	if (json_array_size(pred) != n)
		return prm_fail(kind, "length_mismatch", err, "%zu gold steps but %zu predictions", n,
			    json_array_size(pred));
	one.solutions = 1;
	for (size_t i = 0; i < n; i++) {
		const json_t *g = json_array_get(gold, i);
		json_int_t gv = gold_value(g);
		int p = predicted(json_array_get(pred, i), ev->threshold);

		if (gv < -1 || gv > 1)
			return prm_fail(kind, "bad_field_type", err,
				    "gold step %zu must be 1, 0 or -1 (or \"+\", \"-\", null)", i);
		if (p == -2)
			return prm_fail(kind, "bad_field_type", err,
				    "prediction %zu must be a score, \"+\"/\"-\", a boolean or null", i);
		if (gv == 0) {
			one.neutral++;
			continue;
		}
		if (gv == 1)
			one.gold_correct++;
		else
			one.gold_incorrect++;
		if (p < 0) {
			one.unpredicted++;
			continue;
		}
		if (gv == 1 && p == 1) {
			one.tp_correct++;
		} else if (gv == -1 && p == 0) {
			one.tp_incorrect++;
		} else if (gv == 1) { /* said incorrect */
			one.fn_correct++;
			one.fp_incorrect++;
		} else {              /* said correct */
			one.fp_correct++;
			one.fn_incorrect++;
		}
	}
	counts_add(source_counts(ev, source ? source : "unknown"), &one);
	counts_add(&ev->all, &one);
	return 0;
}

static double f1(uint64_t tp, uint64_t fp, uint64_t fn)
{
	uint64_t d = 2 * tp + fp + fn;

	return d ? 2.0 * (double)tp / (double)d : 0.0;
}

void prm_eval_f1(const struct prm_eval_counts *c, double *f1_correct, double *f1_incorrect, double *macro)
{
	*f1_correct = f1(c->tp_correct, c->fp_correct, c->fn_correct);
	*f1_incorrect = f1(c->tp_incorrect, c->fp_incorrect, c->fn_incorrect);
	*macro = (*f1_correct + *f1_incorrect) / 2;
}

static json_t *counts_json(const struct prm_eval_counts *c)
{
	double fc, fi, m;

	prm_eval_f1(c, &fc, &fi, &m);
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f}",
			 "solutions", (json_int_t)c->solutions, "correct_steps", (json_int_t)c->gold_correct,
			 "incorrect_steps", (json_int_t)c->gold_incorrect, "neutral_steps", (json_int_t)c->neutral,
			 "unpredicted_steps", (json_int_t)c->unpredicted,
			 "f1_correct", fc, "f1_incorrect", fi, "macro_f1", m);
}

json_t *prm_eval_report(const struct prm_eval *ev)
{
	json_t *sources = json_object();
	double sum = 0, fc, fi, m;

	for (size_t i = 0; i < ev->nr; i++) {
		json_object_set_new(sources, ev->names[i], counts_json(&ev->counts[i]));
		prm_eval_f1(&ev->counts[i], &fc, &fi, &m);
		sum += m;
	}
	return json_pack("{s:f, s:o, s:o, s:f}", "threshold", ev->threshold,
			 "overall", counts_json(&ev->all), "sources", sources,
			 "mean_over_sources", ev->nr ? sum / (double)ev->nr : 0.0);
}

static void table_row(struct sbuf *out, const char *name, const struct prm_eval_counts *c)
{
	double fc, fi, m;

	prm_eval_f1(c, &fc, &fi, &m);
	sbuf_addf(out, "| %s | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %.1f | %.1f | %.1f |\n",
		  name, c->solutions, c->gold_correct + c->gold_incorrect, c->neutral, c->unpredicted,
		  100 * fc, 100 * fi, 100 * m);
}

void prm_eval_table(const struct prm_eval *ev, struct sbuf *out)
{
	sbuf_addstr(out, "| source | solutions | steps | neutral | unpredicted | F1 correct | F1 incorrect | macro-F1 |\n"
			 "|---|---:|---:|---:|---:|---:|---:|---:|\n");
	for (size_t i = 0; i < ev->nr; i++)
		table_row(out, ev->names[i], &ev->counts[i]);
	table_row(out, "**overall**", &ev->all);
}
