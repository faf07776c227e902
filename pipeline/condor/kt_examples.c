/*
 * kt_examples.c — example pools: loaded with every entry checked, and
 * drawn per record from a generator seeded by (run seed, record id).
 */
#include "condor/kt_examples.h"

#include <stdlib.h>
#include <string.h>

#include "condor/knowledge_tree.h"
#include "condor/kt_tasks.h"
#include "core/hash.h"
#include "core/reservoir.h"

struct kt_pools {
	json_t *pools; /* {task id: [string, ...]}, checked */
};

/* Mixed into the hash so that this draw's stream differs from other uses of the seed. */
#define EXAMPLES_SALT UINT64_C(0x6578616d706c6573) /* "examples" */

static int check_pool(const char *task, const json_t *pool)
{
	size_t i, j;
	json_t *v;

	if (!json_is_array(pool) || !json_array_size(pool))
		return error("example pools: '%s' is not a non-empty list of questions", task);
	json_array_foreach(pool, i, v) {
		const char *s = json_string_value(v);
		if (!s || !s[strspn(s, " \t\r\n")])
			return error("example pools: '%s' item %zu is not a question", task, i + 1);
		for (j = 0; j < i; j++)
			if (json_equal(v, json_array_get(pool, j)))
				return error("example pools: '%s' repeats item %zu as item %zu", task, j + 1, i + 1);
	}
	return 0;
}

struct kt_pools *kt_pools_from_json(const json_t *doc)
{
	const json_t *pools = json_object_get(doc, "pools"), *pool;
	struct kt_pools *p;
	const char *task;

	if (!json_is_object(pools)) {
		error("example pools: expected {\"lang\": string, \"pools\": {task id: [question, ...]}}");
		return NULL;
	}
	json_object_foreach((json_t *)pools, task, pool)
		if (check_pool(task, pool) < 0)
			return NULL;
	p = xcalloc(1, sizeof(*p));
	p->pools = json_incref((json_t *)pools);
	return p;
}

struct kt_pools *kt_pools_load(const char *path)
{
	json_t *doc = kt_json_load(path, "example pools");
	struct kt_pools *p;

	if (!doc)
		return NULL;
	p = kt_pools_from_json(doc);
	json_decref(doc);
	if (!p)
		error("in example pools '%s'", path);
	return p;
}

void kt_pools_free(struct kt_pools *p)
{
	if (!p)
		return;
	json_decref(p->pools);
	free(p);
}

size_t kt_pools_size(const struct kt_pools *p, const struct kt_task *task)
{
	const json_t *pool = p ? json_object_get(p->pools, task->id) : NULL;

	return pool ? json_array_size(pool) : task->nr_examples;
}

json_t *kt_pools_draw(const struct kt_pools *p, const struct kt_task *task, const char *record_id,
		      uint64_t seed, size_t k)
{
	const json_t *pool = p ? json_object_get(p->pools, task->id) : NULL;
	size_t n = kt_pools_size(p, task), *idx = xmalloc((n ? n : 1) * sizeof(*idx));
	json_t *out = json_array();
	struct rng rng;

	rng_seed(&rng, hash64(record_id, strlen(record_id), seed ^ EXAMPLES_SALT));
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	if (k > n)
		k = n;
	rng_choose(&rng, idx, n, k);
	for (size_t i = 0; i < k; i++)
		json_array_append_new(out, pool ? json_incref(json_array_get(pool, idx[i]))
						: json_string(task->examples[idx[i]]));
	free(idx);
	return out;
}
