/*
 * conv_prm.c — PRM training exports of labelled solutions (see
 * conv_prm.h). Each export reads the steps and labels once, then builds
 * its own fields; the output object is rebuilt key by key so that the
 * fields an export does not consume stay where they were.
 */
#include "prm/conv_prm.h"

#include <stdarg.h>
#include <string.h>

#include "prm/prm_check.h"
#include "prm/step_split.h"
#include "core/util.h"

const char conv_prm_system_prompt[] =
	"You review a worked solution one step at a time. The first message holds the problem and the "
	"solution's first step; every later message holds the next step. After each step, reply \"+\" "
	"if everything so far is still correct, or \"-\" if a mistake has been made at or before this "
	"step. Reply with that single character and nothing else.";

/* One exported solution: steps and labels up to the first unlabelled step. */
struct prm_steps {
	const char *step[1024];
	int plus[1024];
	size_t nr;
	const json_t *images; /* an array, or NULL */
};

static int read_steps(const json_t *rec, const struct conv_prm_opts *o, struct prm_steps *ps,
		      const char **kind, struct sbuf *err)
{
	const json_t *sws = json_object_get(rec, "steps_with_score"), *labels = json_object_get(rec, "labels");
	const json_t *steps = json_object_get(rec, "steps"), *img;
	size_t n;

	memset(ps, 0, sizeof(*ps));
	if (!json_is_array(sws) && !json_is_array(steps)) {
		prm_fail(kind, CONV_MISSING_FIELD, err, "record has no \"steps_with_score\" (label it with smelt-mc)");
		return -1;
	}
	n = json_is_array(sws) ? json_array_size(sws) : json_array_size(steps);
	if (labels && (!json_is_array(labels) || json_array_size(labels) != n)) {
		prm_fail(kind, CONV_BAD_FIELD, err, "\"labels\" must be a list with one label per step");
		return -1;
	}
	if (!labels && !json_is_array(sws)) {
		prm_fail(kind, CONV_MISSING_FIELD, err, "record has steps but neither \"labels\" nor \"steps_with_score\"");
		return -1;
	}
	if (n > ARRAY_SIZE(ps->step)) {
		prm_fail(kind, CONV_CANNOT_CONVERT, err, "%zu steps: at most %zu can be exported", n, ARRAY_SIZE(ps->step));
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_is_array(sws) ? json_array_get(sws, i) : NULL;
		const json_t *text = e ? json_object_get(e, "step") : json_array_get(steps, i);
		const json_t *lab = labels ? json_array_get(labels, i) : NULL;
		const json_t *score = e ? json_object_get(e, "score") : NULL;

		if (!json_is_string(text)) {
			prm_fail(kind, CONV_BAD_FIELD, err, "step %zu is not a string", i);
			return -1;
		}
		if (labels) {
			if (json_is_null(lab))
				break; /* not labelled: the solution ends here */
			if (!json_is_string(lab) || (strcmp(json_string_value(lab), "+") &&
						     strcmp(json_string_value(lab), "-"))) {
				prm_fail(kind, CONV_BAD_FIELD, err, "label %zu must be \"+\", \"-\" or null", i);
				return -1;
			}
			ps->plus[i] = json_string_value(lab)[0] == '+';
		} else {
			if (json_is_null(score))
				break;
			if (!json_is_number(score)) {
				prm_fail(kind, CONV_BAD_FIELD, err, "steps_with_score[%zu].score must be a number", i);
				return -1;
			}
			ps->plus[i] = json_number_value(score) > o->threshold;
		}
		ps->step[i] = json_string_value(text);
		ps->nr = i + 1;
	}
	img = json_object_get(rec, "images");
	if (!img)
		img = json_object_get(rec, "image");
	if (json_is_string(img)) {
		ps->images = img; /* one image, kept as it is */
	} else if (json_is_array(img)) {
		size_t i;
		const json_t *v;

		json_array_foreach(img, i, v)
			if (!json_is_string(v)) {
				prm_fail(kind, CONV_BAD_FIELD, err, "images must be strings");
				return -1;
			}
		ps->images = json_array_size(img) ? img : NULL;
	} else if (img && !json_is_null(img)) {
		prm_fail(kind, CONV_BAD_FIELD, err, "\"images\" must be a list of strings");
		return -1;
	}
	return 0;
}

static size_t image_count(const json_t *images)
{
	return !images ? 0 : json_is_string(images) ? 1 : json_array_size(images);
}

/* "image": a string for one image, the list for several (new reference or NULL). */
static json_t *image_field(const json_t *images)
{
	if (!images)
		return NULL;
	if (json_is_array(images) && json_array_size(images) == 1)
		return json_incref(json_array_get(images, 0));
	return json_incref((json_t *)images);
}

/* The question with its image placeholders; NULL (with *kind) if they disagree. */
static char *question_text(const json_t *rec, const json_t *images, const char **kind, struct sbuf *err)
{
	const char *q = json_string_value(json_object_get(rec, "question"));
	size_t want = image_count(images), have;
	struct sbuf sb = SBUF_INIT;

	if (!q) {
		prm_fail(kind, json_object_get(rec, "question") ? CONV_BAD_FIELD : CONV_MISSING_FIELD, err,
			 "\"question\" must be a string");
		return NULL;
	}
	have = conv_count_placeholders(q);
	if (have && have != want) {
		prm_fail(kind, CONV_IMAGE_MISMATCH, err, "the question has %zu <image> placeholders for %zu images",
			 have, want);
		return NULL;
	}
	for (size_t i = have ? want : 0; i < want; i++)
		sbuf_addstr(&sb, "<image>\n");
	sbuf_addstr(&sb, q);
	return sbuf_detach(&sb, NULL);
}

static int is_owned(const char *key, const char *const *owned)
{
	for (; *owned; owned++)
		if (!strcmp(key, *owned))
			return 1;
	return 0;
}

/* Copy rec without `owned`, putting `add` (stolen) where the first owned key was. */
static json_t *rebuild(const json_t *rec, const char *const *owned, json_t *add)
{
	json_t *out = json_object(), *v;
	const char *key;
	int placed = 0;

	json_object_foreach((json_t *)rec, key, v) {
		if (!is_owned(key, owned)) {
			json_object_set(out, key, v);
			continue;
		}
		if (!placed)
			json_object_update(out, add);
		placed = 1;
	}
	if (!placed)
		json_object_update(out, add);
	json_decref(add);
	return out;
}

static json_t *turn(const char *from, const char *value)
{
	return json_pack("{s:s, s:s}", "from", from, "value", value);
}

static json_t *to_visualprm400k(const json_t *rec, const struct prm_steps *ps, const struct conv_prm_opts *o,
				const char **kind, struct sbuf *err)
{
	static const char *const owned[] = { "question", "response", "steps", "steps_with_score", "labels",
					     "num_mc_sequences", "mc", "images", "image", NULL };
	char *q = question_text(rec, ps->images, kind, err);
	struct sbuf first = SBUF_INIT;
	json_t *conv, *add, *img;

	if (!q)
		return NULL;
	conv = json_array();
	json_array_append_new(conv, turn("system", o->system_prompt ? o->system_prompt : conv_prm_system_prompt));
	sbuf_addf(&first, "### Question:\n%s\n\n### Solution Process:\n%s", q, ps->step[0]);
	for (size_t i = 0; i < ps->nr; i++) {
		json_array_append_new(conv, turn("human", i ? ps->step[i] : first.buf));
		json_array_append_new(conv, turn("gpt", ps->plus[i] ? "+" : "-"));
	}
	add = json_object();
	if ((img = image_field(ps->images)))
		json_object_set_new(add, "image", img);
	json_object_set_new(add, "conversations", conv);
	sbuf_release(&first);
	free(q);
	return rebuild(rec, owned, add);
}

static json_t *to_math_shepherd(const json_t *rec, const struct prm_steps *ps, const struct conv_prm_opts *o,
				const char **kind, struct sbuf *err)
{
	static const char *const owned[] = { "question", "response", "steps", "steps_with_score", "labels",
					     "num_mc_sequences", "mc", "images", "image", NULL };
	const char *tag = o->tag ? o->tag : CONV_PRM_TAG;
	const char *q = json_string_value(json_object_get(rec, "question"));
	struct sbuf in = SBUF_INIT, lab = SBUF_INIT;
	json_t *add, *img;

	if (!q) {
		prm_fail(kind, json_object_get(rec, "question") ? CONV_BAD_FIELD : CONV_MISSING_FIELD, err,
			 "\"question\" must be a string");
		return NULL;
	}
	if (strstr(q, tag)) {
		prm_fail(kind, CONV_CANNOT_CONVERT, err, "the question contains the step tag '%s'", tag);
		return NULL;
	}
	sbuf_addf(&in, "%s ", q);
	sbuf_addf(&lab, "%s ", q);
	for (size_t i = 0; i < ps->nr; i++) {
		if (strstr(ps->step[i], tag)) {
			sbuf_release(&in);
			sbuf_release(&lab);
			prm_fail(kind, CONV_CANNOT_CONVERT, err, "step %zu contains the step tag '%s'", i, tag);
			return NULL;
		}
		sbuf_addf(&in, "%s%s %s", i ? "\n" : "", ps->step[i], tag);
		sbuf_addf(&lab, "%s%s %s", i ? "\n" : "", ps->step[i], ps->plus[i] ? "+" : "-");
	}
	add = json_object();
	json_object_set_new(add, "input", json_stringn(in.buf, in.len));
	json_object_set_new(add, "label", json_stringn(lab.buf, lab.len));
	if ((img = image_field(ps->images)))
		json_object_set_new(add, "image", img);
	sbuf_release(&in);
	sbuf_release(&lab);
	return rebuild(rec, owned, add);
}

static json_t *to_raw(const json_t *rec, const struct prm_steps *ps, const char **kind, struct sbuf *err)
{
	static const char *const owned[] = { "images", "image", "response", "steps", "steps_with_score",
					     "labels", "mc", "num_mc_sequences", NULL };
	const json_t *sws = json_object_get(rec, "steps_with_score"), *resp = json_object_get(rec, "response");
	const json_t *nmc = json_object_get(rec, "num_mc_sequences");
	json_t *add = json_object(), *img;
	struct step_list sl = STEP_LIST_INIT;
	struct sbuf joined = SBUF_INIT;

	if (!json_is_array(sws)) {
		json_decref(add);
		prm_fail(kind, CONV_MISSING_FIELD, err, "record has no \"steps_with_score\"");
		return NULL;
	}
	if ((img = image_field(ps->images)))
		json_object_set_new(add, "image", img);
	if (json_is_string(resp)) {
		json_object_set(add, "response", (json_t *)resp);
	} else {
		/* rebuild the response from every step, labelled or not */
		size_t i;
		const json_t *e;

		json_array_foreach(sws, i, e) {
			const char *s = json_string_value(json_object_get(e, "step"));
			ALLOC_GROW(sl.steps, sl.nr + 1, sl.alloc);
			sl.steps[sl.nr++] = xstrdup(s ? s : "");
		}
		step_join(&joined, &sl, sl.nr ? sl.nr - 1 : 0);
		json_object_set_new(add, "response", json_stringn(joined.buf, joined.len));
		step_list_release(&sl);
		sbuf_release(&joined);
	}
	json_object_set(add, "steps_with_score", (json_t *)sws);
	json_object_set_new(add, "num_mc_sequences", json_is_integer(nmc) ? json_incref((json_t *)nmc)
									     : json_integer(0));
	return rebuild(rec, owned, add);
}

json_t *conv_prm_export(const json_t *rec, enum conv_format to, const struct conv_prm_opts *o,
			const char **kind, struct sbuf *err)
{
	static const struct conv_prm_opts defaults = { NULL, NULL, 0 };
	struct prm_steps *ps;
	json_t *out = NULL;

	if (!o)
		o = &defaults;
	if (!json_is_object(rec)) {
		prm_fail(kind, CONV_BAD_FIELD, err, "a record must be an object");
		return NULL;
	}
	ps = xmalloc(sizeof(*ps));
	if (read_steps(rec, o, ps, kind, err) < 0)
		goto out;
	if (!ps->nr && to != CONV_PRM_RAW) {
		prm_fail(kind, CONV_CANNOT_CONVERT, err, "the first step has no label");
		goto out;
	}
	switch (to) {
	case CONV_VISUALPRM400K:
		out = to_visualprm400k(rec, ps, o, kind, err);
		break;
	case CONV_MATH_SHEPHERD:
		out = to_math_shepherd(rec, ps, o, kind, err);
		break;
	case CONV_PRM_RAW:
		out = to_raw(rec, ps, kind, err);
		break;
	default:
		prm_fail(kind, CONV_CANNOT_CONVERT, err, "'%s' is not a PRM export", conv_format_name(to));
		break;
	}
out:
	free(ps);
	return out;
}
