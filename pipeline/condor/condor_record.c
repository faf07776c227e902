/*
 * condor_record.c — question, SFT and DPO records of the Condor pipeline
 * (see condor_record.h).
 */
#include "condor/condor_record.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/conv_format.h"

/* Fields every output keeps from its input, in this order. */
static const char *const meta_fields[] = {
	"pair", "lang", "path", "domain", "theme", "task", "difficulty", "images",
};

struct condor_level {
	char *id;
	char **names; /* labels and names in every language, and the id */
	size_t nr, alloc;
};

struct condor_levels {
	struct condor_level *v;
	size_t nr;
};

static void level_add_names(struct condor_level *l, const json_t *obj)
{
	const char *lang;
	json_t *v;

	json_object_foreach((json_t *)obj, lang, v) {
		if (!json_is_string(v))
			continue;
		ALLOC_GROW(l->names, l->nr + 1, l->alloc);
		l->names[l->nr++] = xstrdup(json_string_value(v));
	}
}

struct condor_levels *condor_levels_from_json(const json_t *doc)
{
	const json_t *levels = json_object_get(doc, "levels");
	struct condor_levels *lv;
	size_t i;
	json_t *l;

	if (!json_is_array(levels) || !json_array_size(levels)) {
		error("difficulty levels: no \"levels\" list");
		return NULL;
	}
	lv = xcalloc(1, sizeof(*lv));
	lv->v = xcalloc(json_array_size(levels), sizeof(*lv->v));
	json_array_foreach(levels, i, l) {
		const char *id = json_string_value(json_object_get(l, "id"));
		struct condor_level *d = &lv->v[lv->nr];
		if (!id) {
			error("difficulty levels: level %zu has no \"id\"", i + 1);
			condor_levels_free(lv);
			return NULL;
		}
		lv->nr++;
		d->id = xstrdup(id);
		ALLOC_GROW(d->names, d->nr + 1, d->alloc);
		d->names[d->nr++] = xstrdup(id);
		level_add_names(d, json_object_get(l, "labels"));
		level_add_names(d, json_object_get(l, "names"));
	}
	return lv;
}

struct condor_levels *condor_levels_load(const char *path)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	struct condor_levels *lv;

	if (!doc) {
		error("cannot read '%s': %s (line %d)", path, jerr.text, jerr.line);
		return NULL;
	}
	lv = condor_levels_from_json(doc);
	json_decref(doc);
	return lv;
}

void condor_levels_free(struct condor_levels *lv)
{
	if (!lv)
		return;
	for (size_t i = 0; i < lv->nr; i++) {
		for (size_t k = 0; k < lv->v[i].nr; k++)
			free(lv->v[i].names[k]);
		free(lv->v[i].names);
		free(lv->v[i].id);
	}
	free(lv->v);
	free(lv);
}

static void trim(const char **s, size_t *len)
{
	while (*len && strchr(" \t\r\n", **s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && strchr(" \t\r\n", (*s)[*len - 1]))
		(*len)--;
}

/* The index of the level a label, name or id names; -1 if none does. */
static long level_index(const struct condor_levels *lv, const char *label)
{
	size_t len = strlen(label);

	trim(&label, &len);
	for (size_t i = 0; i < lv->nr; i++)
		for (size_t k = 0; k < lv->v[i].nr; k++)
			if (strlen(lv->v[i].names[k]) == len && !strncasecmp(lv->v[i].names[k], label, len))
				return (long)i;
	return -1;
}

const char *condor_levels_id(const struct condor_levels *lv, const char *label)
{
	long i = level_index(lv, label);

	return i < 0 ? NULL : lv->v[i].id;
}

size_t condor_levels_count(const struct condor_levels *lv)
{
	return lv->nr;
}

const char *condor_levels_id_at(const struct condor_levels *lv, size_t i)
{
	return i < lv->nr ? lv->v[i].id : NULL;
}

size_t condor_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void copy_meta(json_t *out, const json_t *in)
{
	for (size_t i = 0; i < ARRAY_SIZE(meta_fields); i++) {
		json_t *v = json_object_get(in, meta_fields[i]);
		if (v)
			json_object_set(out, meta_fields[i], v);
	}
}

static json_t *fail(const char **kind, const char *k, struct sbuf *err, const char *msg)
{
	*kind = k;
	sbuf_addstr(err, msg);
	return NULL;
}

/* "abc-2" -> "abc": the id of the sample an exploded question came from. */
static json_t *pair_id(const char *id)
{
	const char *dash = strrchr(id, '-');

	if (dash && dash[1] && strspn(dash + 1, "0123456789") == strlen(dash + 1))
		return json_stringn(id, (size_t)(dash - id));
	return json_string(id);
}

json_t *condor_question_record(const json_t *in, const struct condor_question_opts *o,
			       const char **kind, struct sbuf *err)
{
	const json_t *q = json_object_get(in, "question");
	const char *id = json_string_value(json_object_get(in, "id"));
	const char *text, *level, *label;
	size_t chars;
	json_t *out;

	if (!id)
		return fail(kind, CONDOR_MISSING, err, "no string \"id\"");
	if (json_is_object(q)) {
		text = json_string_value(json_object_get(q, "text"));
		label = json_string_value(json_object_get(q, "label"));
		if (!label)
			return fail(kind, CONDOR_BAD_LEVEL, err, "the question has no level label");
	} else {
		text = json_string_value(q);
		label = json_string_value(json_object_get(in, "difficulty"));
		if (!label)
			return fail(kind, CONDOR_BAD_LEVEL, err, "no \"difficulty\"");
	}
	if (!text)
		return fail(kind, CONDOR_MISSING, err, "no question text");
	if (!(level = condor_levels_id(o->levels, label))) {
		*kind = CONDOR_BAD_LEVEL;
		sbuf_addf(err, "unknown difficulty level '%s'", label);
		return NULL;
	}
	chars = condor_chars(text);
	if (o->min_chars && chars < o->min_chars) {
		*kind = CONDOR_TOO_SHORT;
		sbuf_addf(err, "question of %zu characters, fewer than %zu", chars, o->min_chars);
		return NULL;
	}
	if (o->max_chars && chars > o->max_chars) {
		*kind = CONDOR_TOO_LONG;
		sbuf_addf(err, "question of %zu characters, more than %zu", chars, o->max_chars);
		return NULL;
	}
	out = json_pack("{s:s, s:o}", "id", id,
			"pair", json_object_get(in, "pair") ? json_incref(json_object_get(in, "pair"))
							    : json_is_object(q) ? pair_id(id) : json_string(id));
	copy_meta(out, in);
	json_object_set_new(out, "question", json_string(text));
	json_object_set_new(out, "difficulty", json_string(level));
	if (json_object_get(in, "provenance"))
		json_object_set(out, "provenance", json_object_get(in, "provenance"));
	return out;
}

/* Does the block hold a question: text that is more than white space? */
static const char *block_text(const json_t *block)
{
	const char *text = json_string_value(json_object_get(block, "text"));

	return text && text[strspn(text, " \t\r\n")] ? text : NULL;
}

size_t condor_question_explode(const json_t *in, const struct condor_question_opts *o, json_t *out,
			       json_t *rejects, uint64_t *present)
{
	const json_t *blocks = json_object_get(in, "question"), *block;
	const char *id = json_string_value(json_object_get(in, "id"));
	size_t k, found = 0;

	*present = 0;
	json_array_foreach(blocks, k, block) {
		const char *label = json_string_value(json_object_get(block, "label"));
		const char *kind = NULL;
		struct sbuf err = SBUF_INIT;
		json_t *child, *q;
		size_t suffix;
		long level;

		if (!block_text(block))
			continue; /* an empty level is a missing one */
		found++;
		level = label ? level_index(o->levels, label) : -1;
		/*
		 * A question's id ends in its level's number, so that a reply
		 * missing a level does not renumber the others (and a cache or
		 * a join keyed by id still meets the same question); a block
		 * whose level is unknown or repeated takes a number past the
		 * levels, from its position.
		 */
		if (level >= 0 && level < 64 && !(*present & UINT64_C(1) << level)) {
			*present |= UINT64_C(1) << level;
			suffix = (size_t)level;
		} else {
			suffix = condor_levels_count(o->levels) + k;
		}
		child = json_copy((json_t *)in);
		json_object_set_new(child, "id", json_sprintf("%s-%zu", id ? id : "", suffix));
		json_object_set_new(child, "pair", json_string(id ? id : ""));
		json_object_set(child, "question", (json_t *)block);
		if (json_object_get(in, "provenance")) /* each question appends to its own */
			json_object_set_new(child, "provenance",
					    json_deep_copy(json_object_get(in, "provenance")));
		q = id ? condor_question_record(child, o, &kind, &err)
		       : fail(&kind, CONDOR_MISSING, &err, "no string \"id\"");
		if (q)
			json_array_append_new(out, q);
		else
			json_array_append_new(rejects, json_pack("{s:O, s:s, s:s}", "record", child,
								 "kind", kind, "message", err.buf));
		json_decref(child);
		sbuf_release(&err);
	}
	return found;
}

/* The question as a user turn: one "<image>" per image (conv_user_text). */
static char *user_text(const json_t *in, const char *question, const char **kind, struct sbuf *err)
{
	return conv_user_text(question, "question", json_array_size(json_object_get(in, "images")), kind, err);
}

/* A string field that holds some text, or NULL with *kind and err. */
static const char *text_field(const json_t *in, const char *field, const char **kind, struct sbuf *err)
{
	const char *s = json_string_value(json_object_get(in, field));

	if (!s || !s[strspn(s, " \t\r\n")]) {
		*kind = CONDOR_MISSING;
		sbuf_addf(err, "no \"%s\" text", field);
		return NULL;
	}
	return s;
}

static void finish_meta(json_t *out, const json_t *in)
{
	copy_meta(out, in);
	if (json_object_get(in, "refine_rounds"))
		json_object_set(out, "refine_rounds", json_object_get(in, "refine_rounds"));
	if (json_object_get(in, "provenance"))
		json_object_set(out, "provenance", json_object_get(in, "provenance"));
}

json_t *condor_sft_record(const json_t *in, const char *answer_field, const char *set_name,
			  const char **kind, struct sbuf *err)
{
	const char *id = text_field(in, "id", kind, err), *q, *a;
	char *user;
	json_t *out;

	if (!id || !(q = text_field(in, "question", kind, err)) || !(a = text_field(in, answer_field, kind, err)))
		return NULL;
	if (!(user = user_text(in, q, kind, err)))
		return NULL;
	out = json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}]}", "id", id, "messages",
			"role", "user", "content", user, "role", "assistant", "content", a);
	free(user);
	if (set_name)
		json_object_set_new(out, "set", json_string(set_name));
	finish_meta(out, in);
	return out;
}

static int same_text(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	trim(&a, &la);
	trim(&b, &lb);
	return la == lb && !memcmp(a, b, la);
}

json_t *condor_dpo_record(const json_t *in, const char *chosen_field, const char *rejected_field,
			  const char **kind, struct sbuf *err)
{
	const char *id = text_field(in, "id", kind, err), *q, *chosen, *rejected;
	const json_t *rounds = json_object_get(in, "refine_rounds");
	json_t *out;

	if (!id || !(q = text_field(in, "question", kind, err)) ||
	    !(chosen = text_field(in, chosen_field, kind, err)) ||
	    !(rejected = text_field(in, rejected_field, kind, err)))
		return NULL;
	if ((json_is_integer(rounds) && json_integer_value(rounds) == 0) || same_text(chosen, rejected)) {
		*kind = NULL;
		return NULL;
	}
	out = conv_dpo_pair(id, q, json_array_size(json_object_get(in, "images")), chosen, rejected,
			    kind, err);
	if (!out)
		return NULL;
	finish_meta(out, in);
	return out;
}
