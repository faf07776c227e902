/*
 * record_key.c — canonical forms and their hashes (see record_key.h).
 */
#include "text/record_key.h"

#include <stdlib.h>
#include <string.h>

#include "json/json_path.h"
#include "json/json_write.h"
#include "text/text_norm.h"

enum {
	TAG_STRING = 0xF5,
	TAG_SCALAR = 0xF6,
	TAG_ARRAY = 0xF7,
	TAG_OBJECT = 0xF8,
	TAG_END = 0xF9,
	TAG_KEY = 0xFA,
	TAG_ABSENT = 0xFB,
	FIELD_SEPARATOR = 0xFF,
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int canon_object(struct sbuf *out, const json_t *v)
{
	size_t n = json_object_size(v), i = 0;
	const char **keys = xmalloc((n ? n : 1) * sizeof(*keys));
	const char *key;
	json_t *val;
	int r = 0;

	json_object_foreach((json_t *)v, key, val)
		keys[i++] = key;
	qsort(keys, n, sizeof(*keys), cmp_str);
	sbuf_addch(out, TAG_OBJECT);
	for (i = 0; i < n && r == 0; i++) {
		sbuf_addch(out, TAG_KEY);
		sbuf_addstr(out, keys[i]);
		r = record_key_canon(out, json_object_get(v, keys[i]));
	}
	sbuf_addch(out, TAG_END);
	free(keys);
	return r;
}

int record_key_canon(struct sbuf *out, const json_t *v)
{
	size_t i;
	json_t *el;

	switch (json_typeof(v)) {
	case JSON_STRING:
		sbuf_addch(out, TAG_STRING);
		return text_norm_append(out, json_string_value(v), json_string_length(v));
	case JSON_ARRAY:
		sbuf_addch(out, TAG_ARRAY);
		json_array_foreach(v, i, el)
			if (record_key_canon(out, el) < 0)
				return -1;
		sbuf_addch(out, TAG_END);
		return 0;
	case JSON_OBJECT:
		return canon_object(out, v);
	default:
		sbuf_addch(out, TAG_SCALAR);
		json_write(out, v);
		return 0;
	}
}

int record_key_hash(const json_t *rec, char *const *paths, size_t npaths, struct sbuf *scratch,
		   struct hash128 *out)
{
	size_t found = 0;

	sbuf_reset(scratch);
	for (size_t i = 0; i < npaths; i++) {
		const json_t *v = jpath_get(rec, paths[i]);
		if (i)
			sbuf_addch(scratch, FIELD_SEPARATOR);
		if (!v) {
			sbuf_addch(scratch, TAG_ABSENT);
			continue;
		}
		found++;
		if (record_key_canon(scratch, v) < 0)
			return -1;
	}
	if (!found)
		return 1;
	*out = hash128(scratch->buf, scratch->len);
	return 0;
}

void record_key_text(struct sbuf *out, const json_t *v)
{
	if (json_is_string(v))
		sbuf_add(out, json_string_value(v), json_string_length(v));
	else
		json_write(out, v);
}

int record_key_split_paths(const char *list, char ***paths, size_t *n)
{
	char **out = NULL;
	size_t nr = 0, alloc = 0;
	const char *p = list;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char *path = xstrndup(p, len);
		if (!len || jpath_check(path)) {
			free(path);
			while (nr)
				free(out[--nr]);
			free(out);
			return -1;
		}
		ALLOC_GROW(out, nr + 1, alloc);
		out[nr++] = path;
		if (!comma)
			break;
		p = comma + 1;
	}
	*paths = out;
	*n = nr;
	return 0;
}
