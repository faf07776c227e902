/*
 * json_path.c — walk a path one step at a time. A step is either an object
 * key or an array index; see json_path.h for the grammar.
 */
#include "json/json_path.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct step {
	const char *key; /* not NUL-terminated; NULL for an index step */
	size_t keylen;
	long index;
};

/* Parse the step at *p; advance *p. Returns 1 on a step, 0 at the end, -1 on error. */
static int next_step(const char **p, struct step *st)
{
	const char *s = *p;

	if (!*s)
		return 0;
	if (*s == '[') {
		char *end;
		errno = 0;
		st->index = strtol(s + 1, &end, 10);
		if (end == s + 1 || *end != ']' || errno)
			return -1;
		st->key = NULL;
		s = end + 1;
	} else {
		if (*s == '.')
			s++;
		size_t n = strcspn(s, ".[]");
		if (!n)
			return -1;
		st->key = s;
		st->keylen = n;
		s += n;
	}
	if (*s && *s != '.' && *s != '[')
		return -1;
	if (*s == '.' && !s[1])
		return -1;
	*p = s;
	return 1;
}

static json_t *step_get(const json_t *v, const struct step *st)
{
	if (st->key)
		return json_is_object(v) ? json_object_getn(v, st->key, st->keylen) : NULL;
	if (!json_is_array(v))
		return NULL;
	long n = (long)json_array_size(v), i = st->index < 0 ? n + st->index : st->index;
	return i < 0 || i >= n ? NULL : json_array_get(v, (size_t)i);
}

json_t *jpath_get(const json_t *root, const char *path)
{
	const char *p = path;
	struct step st;
	int r;
	json_t *v = (json_t *)root;

	if (*p == '.' || !*p)
		return NULL;
	while (v && (r = next_step(&p, &st)) > 0)
		v = step_get(v, &st);
	return v && !*p ? v : NULL;
}

const char *jpath_get_string(const json_t *root, const char *path)
{
	return json_string_value(jpath_get(root, path));
}

int jpath_set(json_t *root, const char *path, json_t *value)
{
	const char *p = path;
	struct step st, next;
	json_t *v = root;

	if (!value)
		return -1;
	if (!*p || *p == '.' || next_step(&p, &st) <= 0)
		goto fail;
	for (;;) {
		const char *q = p;
		int r = next_step(&q, &next);
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		json_t *child = step_get(v, &st);
		if (!child) {
			if (!st.key || !json_is_object(v))
				goto fail;
			child = next.key ? json_object() : json_array();
			if (json_object_setn_new(v, st.key, st.keylen, child))
				goto fail;
		}
		v = child;
		st = next;
		p = q;
	}
	if (st.key) {
		if (!json_is_object(v))
			goto fail;
		return json_object_setn_new(v, st.key, st.keylen, value) ? -1 : 0;
	}
	if (!json_is_array(v))
		goto fail;
	long n = (long)json_array_size(v), i = st.index < 0 ? n + st.index : st.index;
	if (i == n)
		return json_array_append_new(v, value) ? -1 : 0;
	if (i < 0 || i > n)
		goto fail;
	return json_array_set_new(v, (size_t)i, value) ? -1 : 0;
fail:
	json_decref(value);
	return -1;
}

int jpath_del(json_t *root, const char *path)
{
	const char *p = path, *last = path;
	struct step st;
	json_t *parent = NULL, *v = root;

	while (v && next_step(&p, &st) > 0) {
		parent = v;
		last = p;
		v = step_get(v, &st);
	}
	(void)last;
	if (!v || *p || !parent)
		return -1;
	if (st.key) {
		char *k = xstrndup(st.key, st.keylen);
		int r = json_object_del(parent, k);
		free(k);
		return r;
	}
	long n = (long)json_array_size(parent), i = st.index < 0 ? n + st.index : st.index;
	return json_array_remove(parent, (size_t)i);
}

int jpath_check(const char *path)
{
	const char *p = path;
	struct step st;
	int r;

	if (!*p || *p == '.')
		return -1;
	while ((r = next_step(&p, &st)) > 0)
		;
	return r;
}
