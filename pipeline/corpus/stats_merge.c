/*
 * stats_merge — see stats_merge.h. The merge starts from an empty object
 * and folds every document into it; the fields that cannot be merged are
 * removed at the end (or at the first disagreement), and their paths kept
 * so that a later document does not bring them back.
 */
#include <string.h>

#include "core/util.h"
#include "corpus/stats_merge.h"

enum merge_rule { RULE_SUM, RULE_MAX, RULE_SAME, RULE_DROP, RULE_CONCAT };

/* By the last key of the path: what the stages' --stats documents mean by it. */
static const char *const max_keys[] = { "max", "max_rss_kb", "peak_in_flight", "wall_seconds" };
static const char *const drop_keys[] = { "p50", "p90", "p99", "mean", "median", "share", "rate", "ratio" };
/* By the whole path: a shared cache's state (each shard sees it grown by the
 * others) and settings every shard has the same. */
static const char *const max_paths[] = { "llm.cache.entries", "llm.cache.segments" };
static const char *const same_paths[] = { "llm.concurrency", "refine.always" };

static int in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

static enum merge_rule rule_of(const char *path, const char *key)
{
	if (!strcmp(path, "inputs"))
		return RULE_CONCAT;
	if (!strcmp(key, "edges") || in_list(path, same_paths, ARRAY_SIZE(same_paths)))
		return RULE_SAME;
	if (in_list(key, drop_keys, ARRAY_SIZE(drop_keys)))
		return RULE_DROP;
	if (in_list(key, max_keys, ARRAY_SIZE(max_keys)) || in_list(path, max_paths, ARRAY_SIZE(max_paths)))
		return RULE_MAX;
	return RULE_SUM;
}

static int all_numbers(const json_t *a)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		if (!json_is_number(v))
			return 0;
	return 1;
}

static json_t *add_numbers(const json_t *a, const json_t *b, enum merge_rule rule)
{
	double x = json_number_value(a), y = json_number_value(b);

	if (rule == RULE_MAX)
		return json_deep_copy(x >= y ? a : b);
	if (json_is_integer(a) && json_is_integer(b))
		return json_integer(json_integer_value(a) + json_integer_value(b));
	return json_real(x + y);
}

/* Element-wise sum; the longer array's tail is kept. */
static json_t *add_arrays(const json_t *a, const json_t *b)
{
	size_t na = json_array_size(a), nb = json_array_size(b);
	json_t *sum = json_array();

	for (size_t i = 0; i < (na > nb ? na : nb); i++) {
		const json_t *x = json_array_get(a, i), *y = json_array_get(b, i);
		json_array_append_new(sum, x && y ? add_numbers(x, y, RULE_SUM) : json_deep_copy(x ? x : y));
	}
	return sum;
}

static void drop(struct stats_merge *m, json_t *parent, const char *key, const char *path)
{
	json_object_del(parent, key);
	json_object_set_new(m->dropped, path, json_true());
}

static void merge_object(struct stats_merge *m, json_t *acc, const json_t *doc, const char *prefix);

/* Fold v into acc[key]; path is the dotted path of acc[key]. */
static void merge_value(struct stats_merge *m, json_t *acc, const char *key, const json_t *v,
			const char *path)
{
	enum merge_rule rule = rule_of(path, key);
	json_t *cur = json_object_get(acc, key);

	if (json_object_get(m->dropped, path))
		return;
	if (!cur) {
		if (json_is_object(v)) {
			json_object_set_new(acc, key, json_object());
			merge_object(m, json_object_get(acc, key), v, path);
		} else {
			json_object_set_new(acc, key, json_deep_copy(v));
		}
		return;
	}
	if (json_is_object(cur) && json_is_object(v)) {
		merge_object(m, cur, v, path);
	} else if (rule == RULE_CONCAT && json_is_array(cur) && json_is_array(v)) {
		json_array_extend(cur, (json_t *)v);
	} else if (rule != RULE_SAME && json_is_number(cur) && json_is_number(v)) {
		json_object_set_new(acc, key, add_numbers(cur, v, rule));
	} else if (rule == RULE_SUM && json_is_array(cur) && json_is_array(v) && all_numbers(cur) &&
		   all_numbers(v)) {
		json_object_set_new(acc, key, add_arrays(cur, v));
	} else if (!json_equal(cur, v)) {
		drop(m, acc, key, path);
	}
}

static void merge_object(struct stats_merge *m, json_t *acc, const json_t *doc, const char *prefix)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)doc, key, v) {
		char *path = prefix ? xasprintf("%s.%s", prefix, key) : xstrdup(key);
		merge_value(m, acc, key, v, path);
		free(path);
	}
}

/* Remove the fields no sum can give (quantiles, means), recording their paths. */
static void drop_unmergeable(struct stats_merge *m, json_t *obj, const char *prefix)
{
	const char *key;
	json_t *v, *tmp;

	json_object_foreach_safe(obj, tmp, key, v) {
		char *path = prefix ? xasprintf("%s.%s", prefix, key) : xstrdup(key);
		if (rule_of(path, key) == RULE_DROP && !json_is_object(v))
			drop(m, obj, key, path);
		else if (json_is_object(v))
			drop_unmergeable(m, v, path);
		free(path);
	}
}

void stats_merge_init(struct stats_merge *m)
{
	m->doc = json_object();
	m->dropped = json_object();
	m->n = 0;
}

void stats_merge_add(struct stats_merge *m, const json_t *doc)
{
	merge_object(m, m->doc, doc, NULL);
	m->n++;
}

json_t *stats_merge_finish(struct stats_merge *m)
{
	json_t *doc = m->doc, *paths = json_array();
	const char *key;
	json_t *v;

	if (m->n > 1)
		drop_unmergeable(m, doc, NULL);
	json_object_foreach(m->dropped, key, v)
		json_array_append_new(paths, json_string(key));
	json_object_set_new(doc, "merged", json_pack("{s:i, s:o}", "shards", m->n, "dropped", paths));
	json_decref(m->dropped);
	stats_merge_init(m);
	return doc;
}
