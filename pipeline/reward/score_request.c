/*
 * score_request.c — conversations, units and answers of smelt-score
 * (see score_request.h).
 */
#include "reward/score_request.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/conv_format.h"
#include "core/util.h"

static const char *const backend_names[] = { "pooling", "classify", "judge", "field" };
static const char *const target_names[] = { "conversation", "turns" };
static const char *const agg_names[] = { "min", "mean", "last" };

static int lookup(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return -1;
}

int score_backend_parse(const char *s) { return lookup(backend_names, ARRAY_SIZE(backend_names), s); }
int score_target_parse(const char *s) { return lookup(target_names, ARRAY_SIZE(target_names), s); }
int score_agg_parse(const char *s) { return lookup(agg_names, ARRAY_SIZE(agg_names), s); }
const char *score_backend_name(enum score_backend b) { return backend_names[b]; }
const char *score_target_name(enum score_target t) { return target_names[t]; }
const char *score_agg_name(enum score_agg a) { return agg_names[a]; }

int score_conversation(const json_t *rec, json_t **messages, json_t **images, const char **kind,
		       struct sbuf *err)
{
	const json_t *m = json_object_get(rec, "messages");
	json_t *conv;

	*messages = *images = NULL;
	if (json_is_array(m)) {
		if (!json_array_size(m)) {
			*kind = SCORE_NO_CONVERSATION;
			sbuf_addstr(err, "\"messages\" is empty");
			return -1;
		}
		*messages = json_incref((json_t *)m);
		*images = json_incref(json_object_get(rec, "images"));
		return 0;
	}
	if (!json_object_get(rec, "conversations")) {
		*kind = SCORE_NO_CONVERSATION;
		sbuf_addstr(err, "no \"messages\" (or ShareGPT \"conversations\") to score");
		return -1;
	}
	if (!(conv = conv_to_messages(rec, CONV_AUTO, kind, err)))
		return -1;
	*messages = json_incref(json_object_get(conv, "messages"));
	*images = json_incref(json_object_get(conv, "images"));
	json_decref(conv);
	if (!json_array_size(*messages)) {
		json_decref(*messages);
		json_decref(*images);
		*messages = *images = NULL;
		*kind = SCORE_NO_CONVERSATION;
		sbuf_addstr(err, "the conversation is empty");
		return -1;
	}
	return 0;
}

size_t score_unit_ends(const json_t *messages, enum score_target target, size_t **ends)
{
	size_t n = json_array_size(messages), k = 0, i;
	const json_t *m;

	*ends = xcalloc(n ? n : 1, sizeof(**ends));
	if (target == SCORE_CONVERSATION) {
		if (n)
			(*ends)[k++] = n - 1;
		return k;
	}
	json_array_foreach(messages, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		if (role && !strcmp(role, "assistant"))
			(*ends)[k++] = i;
	}
	return k;
}

json_t *score_prefix(const json_t *messages, size_t end)
{
	json_t *p = json_array();

	for (size_t i = 0; i <= end && i < json_array_size(messages); i++)
		json_array_append(p, json_array_get(messages, i));
	return p;
}

size_t score_prefix_images(const json_t *messages, size_t end)
{
	size_t n = 0;

	for (size_t i = 0; i <= end && i < json_array_size(messages); i++) {
		const char *s = json_string_value(json_object_get(json_array_get(messages, i), "content"));
		if (s)
			n += conv_count_placeholders(s);
	}
	return n;
}

/* Element `index` of a list (negative from the end), or NULL. */
static const json_t *element(const json_t *list, long index)
{
	long n = (long)json_array_size(list);

	if (index < 0)
		index += n;
	return index >= 0 && index < n ? json_array_get(list, (size_t)index) : NULL;
}

static int number(const json_t *v, double *out, struct sbuf *err, const char *what)
{
	if (!json_is_number(v)) {
		sbuf_addf(err, "%s is not a number", what);
		return -1;
	}
	*out = json_number_value(v);
	return 0;
}

int score_from_pooling(const json_t *resp, long index, double *out, struct sbuf *err)
{
	const json_t *d = json_object_get(json_array_get(json_object_get(resp, "data"), 0), "data"), *v;

	if (json_is_number(d))
		return number(d, out, err, "data[0].data");
	if (!json_is_array(d)) {
		sbuf_addstr(err, "the answer has no data[0].data");
		return -1;
	}
	if (!(v = element(d, index))) {
		sbuf_addf(err, "data[0].data has %zu elements: no element %ld", json_array_size(d), index);
		return -1;
	}
	if (json_is_array(v) && json_array_size(v) == 1)
		v = json_array_get(v, 0);
	return number(v, out, err, "the chosen element of data[0].data");
}

int score_from_classify(const json_t *resp, long label, double *out, struct sbuf *err)
{
	const json_t *p = json_object_get(json_array_get(json_object_get(resp, "data"), 0), "probs"), *v;

	if (!json_is_array(p)) {
		sbuf_addstr(err, "the answer has no data[0].probs");
		return -1;
	}
	if (!(v = element(p, label))) {
		sbuf_addf(err, "data[0].probs has %zu classes: no label %ld", json_array_size(p), label);
		return -1;
	}
	return number(v, out, err, "the chosen class of data[0].probs");
}

int score_from_value(const json_t *v, double *out, struct sbuf *err)
{
	if (json_is_object(v))
		v = json_object_get(v, "score");
	if (json_is_number(v)) {
		*out = json_number_value(v);
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		while (*s == ' ')
			s++;
		errno = 0;
		*out = strtod(s, &end);
		while (*end == ' ')
			end++;
		if (end != s && !*end && !errno && isfinite(*out))
			return 0;
		sbuf_addf(err, "the score '%s' is not a number", json_string_value(v));
		return -1;
	}
	sbuf_addstr(err, "the reply holds no score");
	return -1;
}

double score_aggregate(const double *v, size_t n, enum score_agg agg)
{
	double r = v[0];

	switch (agg) {
	case SCORE_MIN:
		for (size_t i = 1; i < n; i++)
			r = fmin(r, v[i]);
		return r;
	case SCORE_MEAN:
		for (size_t i = 1; i < n; i++)
			r += v[i];
		return r / (double)n;
	case SCORE_LAST:
		return v[n - 1];
	}
	return r;
}

char *score_transcript(const json_t *messages, size_t end)
{
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i <= end && i < json_array_size(messages); i++) {
		const json_t *m = json_array_get(messages, i);
		const char *role = json_string_value(json_object_get(m, "role"));
		const char *text = json_string_value(json_object_get(m, "content"));

		if (i)
			sbuf_addstr(&sb, "\n\n");
		if (!role || !*role)
			role = "user";
		sbuf_addch(&sb, role[0] >= 'a' && role[0] <= 'z' ? role[0] - 'a' + 'A' : role[0]);
		sbuf_addstr(&sb, role + 1);
		sbuf_addstr(&sb, ": ");
		sbuf_addstr(&sb, text ? text : "");
	}
	return sbuf_detach(&sb, NULL);
}
