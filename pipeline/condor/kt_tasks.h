/*
 * kt_tasks.h — Condor's task types: the kinds of question asked about a
 * topic ("Role Playing", "Domain Knowledge QA", …), one list per language in
 * knowledge_tree/tasks.LANG.json as {"lang", "tasks": [{id, name,
 * description, examples, weight?}, …]}. The sampler pairs each drawn
 * topic with one of them.
 *
 * Ownership: a kt_tasks owns every string in it; kt_tasks_free frees all.
 * Documents passed in are borrowed.
 */
#ifndef SMELT_KT_TASKS_H
#define SMELT_KT_TASKS_H

#include <stddef.h>

#include <jansson.h>

#include "core/util.h"

/* Task types of one language (knowledge_tree/tasks.LANG.json). */
struct kt_task {
	char *id, *name, *description;
	char **examples;
	size_t nr_examples;
	double weight;		/* >= 0; 1 unless the file says otherwise */
};
struct kt_tasks {
	char *lang;		/* the file's "lang", or NULL */
	struct kt_task *v;
	size_t nr;
};

/* New task list, or NULL after error(): a bad task or a duplicate id. */
struct kt_tasks *kt_tasks_from_json(const json_t *doc) MUST_CHECK;
/* The same from a file; duplicate object keys are an error. New or NULL. */
struct kt_tasks *kt_tasks_load(const char *path) MUST_CHECK;
/* Keep only the tasks whose id or name is listed (case-insensitive);
 * -1 after error() if a listed one does not exist. */
int kt_tasks_select(struct kt_tasks *ts, const char *const *wanted, size_t n) MUST_CHECK;
void kt_tasks_free(struct kt_tasks *ts);

#endif
