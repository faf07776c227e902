/*
 * conv_prm.c — PRM training exports of labelled solutions (see
 * conv_prm.h). Each export reads the steps and labels once, then builds
 * its own fields; the output object is rebuilt key by key so that the
 * fields an export does not consume stay where they were.
 */
#include "prm/conv_prm.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "prm/prm_check.h"
#include "prm/step_split.h"
#include "core/util.h"

const char conv_prm_system_prompt[] =
	"You are an advanced AI assistant, designed to serve as a process supervision model. In this "
	"task, I will provide a problem statement followed by the first step of the solution process. "
	"For each subsequent turn, I will give you a new step in the solution. Your role is to assess "
	"whether the solution process is correct up to the current step.\n"
	"\n"
	"- In the **first round**, I will input the problem and the first step of the solution process.\n"
	"- In **each subsequent round**, I will provide the next step in the solution.\n"
	"\n"
	"For each step, you should:\n"
	"\n"
	"- Respond with **\"+\"** if you believe the solution process is correct up to this step.\n"
	"- Respond with **\"-\"** if you detect any issues or errors in the process up to this step.\n"
	"\n"
	"Please note:\n"
	"- Only respond with **\"+\"** or **\"-\"**. Do not provide any additional explanations, "
	"comments, or justifications.\n"
	"\n"
	"Your task is to verify the accuracy and correctness of each step in the given solution process.";

const char *const conv_prm_suffixes[] = {
	"Answer the question using a single word or phrase.",
	"Answer with the option's letter from the given choices directly.",
	"Please answer Yes or No.",
	NULL,
};

static size_t trim_end(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return n;
}

/* The length of `q` without its trailing instructions (any order, any number). */
static size_t strip_suffixes(const char *q, const char *const *suffixes)
{
	size_t n = trim_end(q, strlen(q));
	int cut = 1;

	while (cut && suffixes) {
		cut = 0;
		for (const char *const *sfx = suffixes; *sfx; sfx++) {
			size_t l = strlen(*sfx);

			if (l && l <= n && !memcmp(q + n - l, *sfx, l)) {
				n = trim_end(q, n - l);
				cut = 1;
			}
		}
	}
	return n;
}

void conv_prm_first_turn(struct sbuf *out, const char *question, const char *step,
			 const struct conv_prm_opts *o)
{
	const char *t = o && o->first_turn ? o->first_turn : CONV_PRM_FIRST_TURN;
	const char *const *sfx = o && o->suffixes ? o->suffixes : conv_prm_suffixes;
	size_t qlen = strip_suffixes(question, sfx);

	while (*t) {
		if (!strncmp(t, "{question}", 10)) {
			sbuf_add(out, question, qlen);
			t += 10;
		} else if (!strncmp(t, "{step}", 6)) {
			sbuf_addstr(out, step);
			t += 6;
		} else {
			sbuf_addch(out, *t++);
		}
	}
}

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
					     "num_mc_sequences", "images", "image", NULL };
	char *q = question_text(rec, ps->images, kind, err);
	struct sbuf first = SBUF_INIT;
	json_t *conv, *add, *img;

	if (!q)
		return NULL;
	conv = json_array();
	json_array_append_new(conv, turn("system", o->system_prompt ? o->system_prompt : conv_prm_system_prompt));
	conv_prm_first_turn(&first, q, ps->step[0], o);
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

int conv_prm_tagged(struct sbuf *out, const char *question, const char *const *steps, size_t n,
		    const char *tag, const char *const *marks, size_t *bad)
{
	if (strstr(question, tag)) {
		*bad = n;
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (strstr(steps[i], tag)) {
			*bad = i;
			return -1;
		}
	sbuf_addf(out, "%s ", question);
	for (size_t i = 0; i < n; i++)
		sbuf_addf(out, "%s%s %s", i ? "\n" : "", steps[i], marks ? marks[i] : tag);
	return 0;
}

static json_t *to_math_shepherd(const json_t *rec, const struct prm_steps *ps, const struct conv_prm_opts *o,
				const char **kind, struct sbuf *err)
{
	static const char *const owned[] = { "question", "response", "steps", "steps_with_score", "labels",
					     "num_mc_sequences", "images", "image", NULL };
	const char *tag = o->tag ? o->tag : CONV_PRM_TAG;
	const char *q = json_string_value(json_object_get(rec, "question"));
	const char *marks[ARRAY_SIZE(ps->step)];
	struct sbuf in = SBUF_INIT, lab = SBUF_INIT;
	json_t *add, *img;
	size_t bad;

	if (!q) {
		prm_fail(kind, json_object_get(rec, "question") ? CONV_BAD_FIELD : CONV_MISSING_FIELD, err,
			 "\"question\" must be a string");
		return NULL;
	}
	for (size_t i = 0; i < ps->nr; i++)
		marks[i] = ps->plus[i] ? "+" : "-";
	if (conv_prm_tagged(&in, q, ps->step, ps->nr, tag, NULL, &bad) < 0) {
		if (bad == ps->nr)
			prm_fail(kind, CONV_CANNOT_CONVERT, err, "the question contains the step tag '%s'", tag);
		else
			prm_fail(kind, CONV_CANNOT_CONVERT, err, "step %zu contains the step tag '%s'", bad, tag);
		return NULL;
	}
	if (conv_prm_tagged(&lab, q, ps->step, ps->nr, tag, marks, &bad) < 0)
		abort(); /* checked just above */
	add = json_object();
	json_object_set_new(add, "input", json_stringn(in.buf, in.len));
	json_object_set_new(add, "label", json_stringn(lab.buf, lab.len));
	if ((img = image_field(ps->images)))
		json_object_set_new(add, "image", img);
	sbuf_release(&in);
	sbuf_release(&lab);
	return rebuild(rec, owned, add);
}

/* 1 when rec's labelling mode wrote no Monte-Carlo score (mc_plan.h's mc_mode_estimates). */
static int no_estimate(const json_t *rec, const char **mode)
{
	*mode = json_string_value(json_object_get(json_object_get(rec, "mc"), "mode"));
	return *mode && (!strcmp(*mode, "exact-binary") || !strcmp(*mode, "first-error"));
}

static json_t *to_raw(const json_t *rec, const struct prm_steps *ps, const struct conv_prm_opts *o,
		      const char **kind, struct sbuf *err)
{
	static const char *const owned[] = { "images", "image", "response", "steps", "steps_with_score",
					     "labels", "num_mc_sequences", NULL };
	const json_t *sws = json_object_get(rec, "steps_with_score"), *resp = json_object_get(rec, "response");
	const json_t *nmc = json_object_get(rec, "num_mc_sequences");
	json_t *add = json_object(), *img;
	struct step_list sl = STEP_LIST_INIT;
	struct sbuf joined = SBUF_INIT;
	const char *mode;

	if (!json_is_array(sws)) {
		json_decref(add);
		prm_fail(kind, CONV_MISSING_FIELD, err, "record has no \"steps_with_score\"");
		return NULL;
	}
	if (!o->raw_any_mode && no_estimate(rec, &mode)) {
		json_decref(add);
		prm_fail(kind, CONV_CANNOT_CONVERT, err, "mode %s wrote no Monte-Carlo scores (score null, "
			 "early-stopped counts): prm-raw's scores would be wrong as soft labels; export labels "
			 "with --to visualprm400k, or pass --prm-raw-any-mode", mode);
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
	static const struct conv_prm_opts defaults = { 0 };
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
		out = to_raw(rec, ps, o, kind, err);
		break;
	default:
		prm_fail(kind, CONV_CANNOT_CONVERT, err, "'%s' is not a PRM export", conv_format_name(to));
		break;
	}
out:
	free(ps);
	return out;
}
