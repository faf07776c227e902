/*
 * pref_pairs.c — prepare, candidates and pair records (see pref_pairs.h).
 */
#include "pref/pref_pairs.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "io/conv_format.h"
#include "json/json_path.h"

/* Set *kind and the message; NULL, for any pointer the caller returns. */
static void *fail(const char **kind, const char *k, struct sbuf *err, const char *fmt, ...)
	PRINTF_LIKE(4, 5);

static void *fail(const char **kind, const char *k, struct sbuf *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(err, fmt, ap);
	va_end(ap);
	*kind = k;
	return NULL;
}

/* A string field holding some text, or NULL with *kind and err. */
static const char *text_field(const json_t *in, const char *field, const char **kind, struct sbuf *err)
{
	const json_t *v = json_object_get(in, field);
	const char *s = json_string_value(v);

	if (!v)
		return fail(kind, CONV_MISSING_FIELD, err, "no \"%s\"", field);
	if (!s)
		return fail(kind, CONV_BAD_FIELD, err, "\"%s\" is not a string", field);
	if (!s[strspn(s, " \t\r\n")])
		return fail(kind, CONV_MISSING_FIELD, err, "\"%s\" is empty", field);
	return s;
}

/* A non-empty list of non-empty strings, or a non-empty string. */
static int is_image_list(const json_t *v)
{
	const json_t *x;
	size_t i;

	if (!json_is_array(v) || !json_array_size(v))
		return 0;
	json_array_foreach(v, i, x)
		if (!json_is_string(x) || !json_string_length(x))
			return 0;
	return 1;
}

/* The images of `in` as a list (new), from "image" or "images"; json_null() when none. */
static json_t *image_list(const json_t *in, const char **kind, struct sbuf *err)
{
	const json_t *image = json_object_get(in, "image"), *images = json_object_get(in, "images");
	json_t *list;

	if (image && !json_is_null(image)) {
		if (json_is_string(image) && json_string_length(image))
			list = json_pack("[O]", image);
		else if (is_image_list(image))
			list = json_deep_copy(image);
		else
			return fail(kind, CONV_BAD_FIELD, err, "\"image\" is not a path or a list of paths");
		if (images && !json_is_null(images) && !json_equal(images, list)) {
			json_decref(list);
			return fail(kind, CONV_IMAGE_MISMATCH, err, "\"image\" and \"images\" name different images");
		}
		return list;
	}
	if (!images || json_is_null(images) || (json_is_array(images) && !json_array_size(images)))
		return json_null();
	if (!is_image_list(images))
		return fail(kind, CONV_BAD_FIELD, err, "\"images\" is not a list of paths");
	return json_deep_copy(images);
}

/* "image" as OmniAlign-V writes it (one path, or the list of several) and "images"; none: nothing. */
static void set_image(json_t *out, json_t *images)
{
	if (!json_is_array(images))
		return;
	json_object_set(out, "image", json_array_size(images) == 1 ? json_array_get(images, 0) : images);
	json_object_set(out, "images", images);
}

json_t *pref_prepare(const json_t *in, const char **kind, struct sbuf *err)
{
	const char *prompt;
	json_t *images, *out;
	char *user;

	if (!text_field(in, "chosen", kind, err) || !(prompt = text_field(in, "prompt", kind, err)))
		return NULL;
	if (!(images = image_list(in, kind, err)))
		return NULL;
	/* only to check the placeholders: smelt-gen places the images itself */
	user = conv_user_text(prompt, "prompt", json_array_size(images), kind, err);
	if (!user) {
		json_decref(images);
		return NULL;
	}
	free(user);
	out = json_deep_copy(in);
	set_image(out, images);
	json_decref(images);
	return out;
}

static int same_text(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	while (la && strchr(" \t\r\n", *a))
		a++, la--;
	while (lb && strchr(" \t\r\n", *b))
		b++, lb--;
	while (la && strchr(" \t\r\n", a[la - 1]))
		la--;
	while (lb && strchr(" \t\r\n", b[lb - 1]))
		lb--;
	return la == lb && !memcmp(a, b, la);
}

/* The prompt without its <image> placeholders, trimmed: what a text judge reads. */
static json_t *question_text(const char *prompt)
{
	struct sbuf sb = SBUF_INIT;
	const char *p;
	json_t *q;
	size_t start, end;

	while ((p = strstr(prompt, "<image>"))) {
		sbuf_add(&sb, prompt, (size_t)(p - prompt));
		prompt = p + strlen("<image>");
	}
	sbuf_addstr(&sb, prompt);
	start = strspn(sb.buf ? sb.buf : "", " \t\r\n");
	end = sb.len;
	while (end > start && strchr(" \t\r\n", sb.buf[end - 1]))
		end--;
	q = json_stringn(sb.buf ? sb.buf + start : "", end - start);
	sbuf_release(&sb);
	return q;
}

json_t *pref_candidates(const json_t *in, const char *samples_field, int keep_images,
			struct pref_sample_counts *c, const char **kind, struct sbuf *err)
{
	const char *chosen, *prompt;
	json_t *samples = jpath_get(in, samples_field), *list, *cands, *out, *s, *images;
	struct pref_sample_counts n = { 0 };
	size_t i;

	if (!(chosen = text_field(in, "chosen", kind, err)) || !(prompt = text_field(in, "prompt", kind, err)))
		return NULL;
	if (!samples)
		return fail(kind, CONV_MISSING_FIELD, err, "no \"%s\" (the sampled answers)", samples_field);
	if (json_is_string(samples))
		list = json_pack("[O]", samples);
	else if (json_is_array(samples))
		list = json_incref(samples);
	else
		return fail(kind, CONV_BAD_FIELD, err, "\"%s\" is not a list of answers", samples_field);
	cands = json_array();
	json_array_foreach(list, i, s) {
		const char *text = json_string_value(s);
		json_t *c2;
		size_t k;
		int repeat = 0;

		n.samples++;
		if (!text) {
			json_decref(list);
			json_decref(cands);
			return fail(kind, CONV_BAD_FIELD, err, "\"%s\"[%zu] is not a string", samples_field, i);
		}
		if (!text[strspn(text, " \t\r\n")]) {
			n.empty++;
			continue;
		}
		if (same_text(text, chosen)) {
			n.same_as_chosen++;
			continue;
		}
		json_array_foreach(cands, k, c2)
			repeat |= same_text(text, json_string_value(json_object_get(c2, "text")));
		if (repeat) {
			n.repeated++;
			continue;
		}
		json_array_append_new(cands, json_pack("{s:I, s:I, s:O}", "n", (json_int_t)json_array_size(cands) + 1,
						       "sample", (json_int_t)i, "text", s));
	}
	json_decref(list);
	n.candidates = json_array_size(cands);
	__atomic_fetch_add(&c->samples, n.samples, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->empty, n.empty, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->same_as_chosen, n.same_as_chosen, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->repeated, n.repeated, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->candidates, n.candidates, __ATOMIC_RELAXED);
	if (!n.candidates) {
		json_decref(cands);
		return fail(kind, PREF_NO_CANDIDATES, err,
			    "none of the %llu sampled answers differs from the chosen one (%llu empty, %llu equal to it)",
			    (unsigned long long)n.samples, (unsigned long long)n.empty,
			    (unsigned long long)n.same_as_chosen);
	}
	if (!(images = image_list(in, kind, err))) {
		json_decref(cands);
		return NULL;
	}
	out = json_deep_copy(in);
	json_object_set_new(out, "question", question_text(prompt));
	json_object_set_new(out, "candidates", cands);
	/* a record that skipped prepare keeps its images in "image" for pick */
	set_image(out, images);
	if (!keep_images)
		json_object_del(out, "images");
	json_decref(images);
	return out;
}

/* The pick of the judge, checked against the candidates: the rejected text, or NULL. */
static const char *picked_text(const json_t *in, const char *judge_field, struct pref_pick *pick,
			       const char **kind, struct sbuf *err)
{
	const json_t *cands = json_object_get(in, "candidates");
	const json_t *reply = jpath_get(in, judge_field), *c;
	const char *text;
	size_t n = json_array_size(cands), i;

	if (!json_is_array(cands) || !n)
		return fail(kind, json_is_array(cands) || !cands ? CONV_MISSING_FIELD : CONV_BAD_FIELD, err,
			    "no \"candidates\" (smelt-pairs candidates makes them)");
	if (!reply)
		return fail(kind, CONV_MISSING_FIELD, err, "no \"%s\" (the judge's reply)", judge_field);
	if (!json_is_string(reply))
		return fail(kind, CONV_BAD_FIELD, err, "\"%s\" is not a string", judge_field);
	pref_pick_parse(json_string_value(reply), pick, err);
	switch (pick->verdict) {
	case PREF_NONE:
		return fail(kind, PREF_NO_DEVIATION, err,
			    "the judge finds no answer that deviates from the chosen one");
	case PREF_UNPARSED:
		*kind = PREF_UNPARSED_PICK;
		return NULL;
	case PREF_PICK:
		break;
	}
	/* by its number, as the judge saw it (candidates writes them 1, 2, ... in order) */
	json_array_foreach(cands, i, c) {
		if (json_integer_value(json_object_get(c, "n")) != pick->index)
			continue;
		if (!(text = json_string_value(json_object_get(c, "text"))))
			return fail(kind, CONV_BAD_FIELD, err, "candidate %ld has no \"text\"", pick->index);
		return text;
	}
	return fail(kind, PREF_PICK_OUT_OF_RANGE, err, "the judge picks answer %ld of %zu", pick->index, n);
}

json_t *pref_pair(const json_t *in, const char *judge_field, enum pref_shape shape, struct pref_pick *pick,
		  const char **kind, struct sbuf *err)
{
	const char *id, *prompt, *chosen, *rejected;
	json_t *images, *out;

	memset(pick, 0, sizeof(*pick));
	pick->verdict = PREF_UNPARSED;
	pick->via = PREF_VIA_NOTHING;
	if (!(id = text_field(in, "id", kind, err)) || !(prompt = text_field(in, "prompt", kind, err)) ||
	    !(chosen = text_field(in, "chosen", kind, err)))
		return NULL;
	if (!(rejected = picked_text(in, judge_field, pick, kind, err)))
		return NULL;
	if (!(images = image_list(in, kind, err)))
		return NULL;
	if (shape == PREF_SHAPE_DPO) {
		out = conv_dpo_pair(id, prompt, json_array_size(images), chosen, rejected, kind, err);
		if (out && json_is_array(images))
			json_object_set(out, "images", images);
	} else {
		out = json_pack("{s:s}", "id", id);
		if (json_is_array(images))
			json_object_set_new(out, "image", json_array_size(images) == 1 ?
					    json_incref(json_array_get(images, 0)) : json_incref(images));
		json_object_set_new(out, "prompt", json_string(prompt));
		json_object_set_new(out, "chosen", json_string(chosen));
		json_object_set_new(out, "rejected", json_string(rejected));
	}
	json_decref(images);
	if (out && json_object_get(in, "provenance"))
		json_object_set(out, "provenance", json_object_get(in, "provenance"));
	return out;
}
