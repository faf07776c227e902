/*
 * kt_tasks.c — task-type lists: read from JSON with every field checked
 * (a half-read list is freed whole, never returned), and cut down to the
 * types a run asks for, by id or name.
 */
#include "condor/kt_tasks.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "condor/knowledge_tree.h"

static void task_release(struct kt_task *k)
{
	free(k->id);
	free(k->name);
	free(k->description);
	for (size_t i = 0; i < k->nr_examples; i++)
		free(k->examples[i]);
	free(k->examples);
}

void kt_tasks_free(struct kt_tasks *ts)
{
	if (!ts)
		return;
	for (size_t i = 0; i < ts->nr; i++)
		task_release(&ts->v[i]);
	free(ts->v);
	free(ts->lang);
	free(ts);
}

static int task_from_json(struct kt_task *k, const json_t *v, size_t index)
{
	const json_t *id = json_object_get(v, "id"), *name = json_object_get(v, "name");
	const json_t *desc = json_object_get(v, "description"), *ex = json_object_get(v, "examples");
	const json_t *weight = json_object_get(v, "weight"), *e;
	size_t i;

	if (!json_is_string(id) || !json_is_string(name) || !json_is_string(desc) || !json_is_array(ex))
		return error("task types: task %zu needs string \"id\", \"name\", \"description\" "
			     "and an \"examples\" array", index);
	if (weight && (!json_is_number(weight) || !isfinite(json_number_value(weight)) ||
		       json_number_value(weight) < 0))
		return error("task types: task '%s': \"weight\" must be a number >= 0", json_string_value(id));
	k->id = xstrdup(json_string_value(id));
	k->name = xstrdup(json_string_value(name));
	k->description = xstrdup(json_string_value(desc));
	k->weight = weight ? json_number_value(weight) : 1.0;
	k->examples = xcalloc(json_array_size(ex) + 1, sizeof(*k->examples));
	json_array_foreach(ex, i, e) {
		if (!json_is_string(e))
			return error("task types: task '%s': examples must be strings", k->id);
		k->examples[k->nr_examples++] = xstrdup(json_string_value(e));
	}
	return 0;
}

struct kt_tasks *kt_tasks_from_json(const json_t *doc)
{
	const json_t *lang = json_object_get(doc, "lang"), *list = json_object_get(doc, "tasks"), *v;
	struct kt_tasks *ts;
	size_t i;

	if (!json_is_array(list) || !json_array_size(list) || (lang && !json_is_string(lang))) {
		error("task types: expected {\"lang\": string, \"tasks\": [task, ...]}");
		return NULL;
	}
	ts = xcalloc(1, sizeof(*ts));
	ts->lang = lang ? xstrdup(json_string_value(lang)) : NULL;
	ts->v = xcalloc(json_array_size(list), sizeof(*ts->v));
	json_array_foreach(list, i, v) {
		int bad = task_from_json(&ts->v[ts->nr], v, i);

		ts->nr++; /* a half-filled task is released with the rest */
		for (size_t j = 0; !bad && j + 1 < ts->nr; j++)
			if (!strcmp(ts->v[j].id, ts->v[ts->nr - 1].id))
				bad = error("task types: duplicate id '%s'", ts->v[j].id);
		if (bad) {
			kt_tasks_free(ts);
			return NULL;
		}
	}
	return ts;
}

struct kt_tasks *kt_tasks_load(const char *path)
{
	json_t *doc = kt_json_load(path, "task types");
	struct kt_tasks *ts;

	if (!doc)
		return NULL;
	ts = kt_tasks_from_json(doc);
	json_decref(doc);
	if (!ts)
		error("in task types '%s'", path);
	return ts;
}

int kt_tasks_select(struct kt_tasks *ts, const char *const *wanted, size_t n)
{
	char *keep = xcalloc(ts->nr ? ts->nr : 1, 1);
	size_t out = 0;

	for (size_t w = 0; w < n; w++) {
		size_t i;
		for (i = 0; i < ts->nr; i++)
			if (!strcasecmp(ts->v[i].id, wanted[w]) || !strcasecmp(ts->v[i].name, wanted[w]))
				break;
		if (i == ts->nr) {
			free(keep);
			return error("unknown task type '%s'", wanted[w]);
		}
		keep[i] = 1;
	}
	for (size_t i = 0; i < ts->nr; i++) {
		if (keep[i])
			ts->v[out++] = ts->v[i];
		else
			task_release(&ts->v[i]);
	}
	ts->nr = out;
	free(keep);
	return 0;
}
