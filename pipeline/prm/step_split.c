/*
 * step_split.c — splitting solutions into steps; see step_split.h for the
 * two merge rules and why the default is VisualPRM's uneven one.
 *
 * The response is cut once into pieces (start offsets only: a piece ends
 * where the next separator starts), then each step is one contiguous slice
 * of the response covering a run of pieces. Because a slice spans the
 * separators between its pieces, merging needs no re-joining at all.
 */
#include "prm/step_split.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

struct piece {
	size_t start;
	size_t end;
};

static size_t pieces_cut(const char *s, struct piece **out)
{
	const size_t seplen = strlen(STEP_SEPARATOR);
	struct piece *p = NULL;
	size_t nr = 0, alloc = 0, start = 0;
	const char *hit;

	while ((hit = strstr(s + start, STEP_SEPARATOR))) {
		ALLOC_GROW(p, nr + 1, alloc);
		p[nr].start = start;
		p[nr].end = (size_t)(hit - s);
		nr++;
		start = (size_t)(hit - s) + seplen;
	}
	ALLOC_GROW(p, nr + 1, alloc);
	p[nr].start = start;
	p[nr].end = strlen(s);
	*out = p;
	return nr + 1;
}

static void steps_add(struct step_list *sl, const char *s, size_t len)
{
	ALLOC_GROW(sl->steps, sl->nr + 1, sl->alloc);
	sl->steps[sl->nr++] = xstrndup(s, len);
}

/* Size of group g when n pieces are merged into groups. */
static size_t group_size(size_t n, size_t max_steps, enum step_merge merge, size_t g)
{
	if (!max_steps || n <= max_steps)
		return 1;
	if (merge == STEP_MERGE_EVEN)
		return n / max_steps + (g < n % max_steps);
	return (n + max_steps - 1) / max_steps;
}

long step_split(struct step_list *out, const char *response, size_t max_steps,
		enum step_merge merge)
{
	struct piece *p;
	size_t n, i, g;

	if (!out || !response)
		return error("step_split: NULL argument");
	step_list_release(out);
	n = pieces_cut(response, &p);
	for (i = 0, g = 0; i < n; g++) {
		size_t k = group_size(n, max_steps, merge, g);
		size_t last = i + k <= n ? i + k - 1 : n - 1;

		steps_add(out, response + p[i].start, p[last].end - p[i].start);
		i = last + 1;
	}
	free(p);
	return (long)out->nr;
}

void step_list_release(struct step_list *sl)
{
	for (size_t i = 0; i < sl->nr; i++)
		free(sl->steps[i]);
	free(sl->steps);
	sl->steps = NULL;
	sl->nr = sl->alloc = 0;
}

void step_join(struct sbuf *out, const struct step_list *sl, size_t t)
{
	if (!sl->nr)
		return;
	if (t >= sl->nr)
		t = sl->nr - 1;
	for (size_t i = 0; i <= t; i++) {
		if (i)
			sbuf_addstr(out, STEP_SEPARATOR);
		sbuf_addstr(out, sl->steps[i]);
	}
}

json_t *step_list_to_json(const struct step_list *sl)
{
	json_t *arr = json_array();

	if (!arr)
		return NULL;
	for (size_t i = 0; i < sl->nr; i++) {
		if (json_array_append_new(arr, json_string(sl->steps[i]))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

long step_list_from_json(struct step_list *out, const json_t *arr)
{
	size_t i;
	const json_t *v;

	step_list_release(out);
	if (!json_is_array(arr))
		return error("steps: expected an array of strings");
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v)) {
			step_list_release(out);
			return error("steps: element %zu is not a string", i);
		}
		steps_add(out, json_string_value(v), json_string_length(v));
	}
	return (long)out->nr;
}

static const char *const merge_names[] = {
	[STEP_MERGE_CHUNK] = "chunk",
	[STEP_MERGE_EVEN] = "even",
};

const char *step_merge_name(enum step_merge merge)
{
	if ((size_t)merge < ARRAY_SIZE(merge_names))
		return merge_names[merge];
	return "unknown";
}

int step_merge_parse(const char *name, enum step_merge *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(merge_names); i++) {
		if (!strcmp(name, merge_names[i])) {
			*out = (enum step_merge)i;
			return 0;
		}
	}
	return -1;
}
