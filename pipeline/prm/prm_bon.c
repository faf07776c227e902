/*
 * prm_bon.c — Best-of-N selection (see prm_bon.h).
 */
#include "prm/prm_bon.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json/json_path.h"
#include "prm/prm_check.h"

void bon_config_init(struct bon_config *c)
{
	memset(c, 0, sizeof(*c));
	c->method = BON_PRM;
	c->agg = BON_MEAN;
	c->text = "response";
	c->orm = "score";
	answer_opts_init(&c->check);
}

int bon_method_parse(const char *s, enum bon_method *out)
{
	if (!strcmp(s, "prm"))
		*out = BON_PRM;
	else if (!strcmp(s, "orm"))
		*out = BON_ORM;
	else if (!strcmp(s, "self-consistency") || !strcmp(s, "sc"))
		*out = BON_SC;
	else
		return -1;
	return 0;
}

int bon_agg_parse(const char *s, enum bon_agg *out)
{
	static const char *const names[] = { "mean", "min", "max", "last" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i])) {
			*out = (enum bon_agg)i;
			return 0;
		}
	return -1;
}

const char *bon_name(const struct bon_config *c)
{
	static const char *const prm[] = { "prm-mean", "prm-min", "prm-max", "prm-last" };

	return c->method == BON_ORM ? "orm" : c->method == BON_SC ? "self-consistency" : prm[c->agg];
}

static const char *item_text(const struct bon_config *c, const json_t *item)
{
	return json_is_string(item) ? json_string_value(item) : jpath_get_string(item, c->text);
}

int bon_prm_score(const struct bon_config *c, const json_t *item, double *out)
{
	const json_t *steps = NULL, *v;
	double acc = 0;
	size_t i, n = 0;

	if (!json_is_object(item))
		return -1;
	if (c->steps)
		steps = jpath_get(item, c->steps);
	else if (!(steps = json_object_get(item, "step_scores")))
		steps = json_object_get(item, "steps_with_score");
	if (!json_is_array(steps))
		return -1;
	json_array_foreach(steps, i, v) {
		double x;

		if (json_is_object(v))
			v = json_object_get(v, "score");
		if (!json_is_number(v))
			continue;
		x = json_number_value(v);
		switch (c->agg) {
		case BON_MEAN: acc += x; break;
		case BON_MIN: acc = n ? fmin(acc, x) : x; break;
		case BON_MAX: acc = n ? fmax(acc, x) : x; break;
		case BON_LAST: acc = x; break;
		}
		n++;
	}
	if (!n)
		return -1;
	*out = c->agg == BON_MEAN ? acc / (double)n : acc;
	return 0;
}

static int item_score(const struct bon_config *c, const json_t *item, double *out)
{
	const json_t *v;

	if (c->method == BON_PRM)
		return bon_prm_score(c, item, out);
	v = json_is_object(item) ? jpath_get(item, c->orm) : NULL;
	if (!json_is_number(v))
		return -1;
	*out = json_number_value(v);
	return 0;
}

/*
 * Whether an item is right: its own "correct", else its text against gold.
 * *too_deep is set when the checker could not decide (answer_check.h).
 */
static int item_correct(const struct bon_config *c, const json_t *item, const char *gold,
			bool *too_deep)
{
	const json_t *own = json_is_object(item) ? json_object_get(item, "correct") : NULL;
	const char *text = item_text(c, item);
	struct answer_verdict v;

	if (json_is_boolean(own))
		return json_is_true(own);
	if (!gold || !text)
		return -1;
	if (answer_check(text, gold, &c->check, &v, NULL) < 0)
		return 0;
	*too_deep = v.too_deep;
	return v.correct;
}

/*
 * The self-consistency key of a response: its answer as a number, else its
 * VQA form; NULL with *too_deep set when the answer nests past the limits.
 */
static char *answer_key(const struct bon_config *c, const char *text, bool *too_deep)
{
	struct sbuf ans = SBUF_INIT, key = SBUF_INIT;
	double x;
	bool pct;
	int r;

	if (!text || answer_extract(text, c->check.extract ? c->check.extract : EXTRACT_AUTO, &ans, NULL) != 1) {
		sbuf_release(&ans);
		return NULL;
	}
	if ((r = answer_value(ans.buf, true, &x, &pct)) == ANSWER_TOO_DEEP) {
		*too_deep = true;
		sbuf_release(&ans);
		return NULL;
	}
	if (!r && isfinite(x))
		sbuf_addf(&key, "#%.9g", x);
	else
		answer_vqa_normalize(ans.buf, &key);
	sbuf_release(&ans);
	if (!key.len) {
		sbuf_release(&key);
		return NULL;
	}
	return sbuf_detach(&key, NULL);
}

/* The item of the largest class of equal answers; *deep: the first too deep to key, or -1. */
static long pick_majority(const struct bon_config *c, const json_t *items, double *votes, long *scored,
			  long *deep)
{
	size_t n = json_array_size(items);
	char **keys = xcalloc(n ? n : 1, sizeof(*keys));
	long best = -1, best_votes = 0;

	*scored = 0;
	for (size_t i = 0; i < n; i++) {
		bool too_deep = false;

		if ((keys[i] = answer_key(c, item_text(c, json_array_get(items, i)), &too_deep)))
			(*scored)++;
		if (too_deep && *deep < 0)
			*deep = (long)i;
	}
	/* the earliest member of each class is met first, so a strict > keeps ties early */
	for (size_t i = 0; i < n; i++) {
		long v = 0;

		if (!keys[i])
			continue;
		for (size_t j = 0; j < n; j++)
			v += keys[j] && !strcmp(keys[i], keys[j]);
		if (v > best_votes) {
			best_votes = v;
			best = (long)i;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	*votes = (double)best_votes;
	return best;
}

int bon_choose(const struct bon_config *c, const json_t *items, const char *gold, struct bon_pick *out,
	       struct sbuf *err)
{
	size_t n = json_array_size(items);
	long deep = -1;

	memset(out, 0, sizeof(*out));
	out->index = -1;
	out->correct = out->first = out->oracle = -1;
	out->kind = "bad_field_type";
	if (!json_is_array(items)) {
		sbuf_addstr(err, "the responses must be a list");
		return -1;
	}
	if (c->method == BON_SC) {
		out->index = pick_majority(c, items, &out->score, &out->scored, &deep);
	} else {
		for (size_t i = 0; i < n; i++) {
			double s;

			if (item_score(c, json_array_get(items, i), &s) < 0)
				continue;
			out->scored++;
			if (out->index < 0 || s > out->score) {
				out->index = (long)i;
				out->score = s;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		bool too_deep = false;
		int r = item_correct(c, json_array_get(items, i), gold, &too_deep);

		if (too_deep && deep < 0)
			deep = (long)i;
		if (i == 0)
			out->first = r;
		if ((long)i == out->index)
			out->correct = r;
		if (r == 1)
			out->oracle = 1;
		else if (r == 0 && out->oracle < 0)
			out->oracle = 0;
	}
	if (deep >= 0) {
		out->kind = PRM_TOO_DEEP;
		sbuf_addf(err, "response %ld " PRM_TOO_DEEP_WHY, deep);
		return -1;
	}
	return 0;
}
