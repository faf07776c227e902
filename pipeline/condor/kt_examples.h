/*
 * kt_examples.h — pools of example questions per task type, and the
 * seeded draw of a few of them for each sampled record.
 *
 * Condor shows the question prompt "a few example questions"; a fixed
 * handful per task type would drive every synthesis call with the same
 * shots, so each record draws its own K from a larger pool. A pool file
 * (prompts/condor/LANG/examples.json) is {"lang", "pools": {task id:
 * [question, ...]}}; a task the file does not name draws from the
 * examples of its task file instead.
 *
 * The draw for a record depends only on the run's seed and the record's
 * id (a hash of both seeds the generator), never on the records drawn
 * before it: the same seed gives the same examples, in any order and any
 * shard.
 */
#ifndef SMELT_KT_EXAMPLES_H
#define SMELT_KT_EXAMPLES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/util.h"

struct kt_task;
struct kt_pools;

/* New pools from a document (borrowed), or NULL after error(): a pool
 * that is not a non-empty list of non-empty strings, or repeats one. */
struct kt_pools *kt_pools_from_json(const json_t *doc) MUST_CHECK;
/* The same from a file. */
struct kt_pools *kt_pools_load(const char *path) MUST_CHECK;
void kt_pools_free(struct kt_pools *p);

/* The pool's size for `task` (its own examples when the file has none). */
size_t kt_pools_size(const struct kt_pools *p, const struct kt_task *task);

/*
 * K examples for the record `record_id` of `task`, in the order drawn (all
 * of the pool, shuffled, when it holds fewer than K). New array.
 */
json_t *kt_pools_draw(const struct kt_pools *p, const struct kt_task *task, const char *record_id,
		      uint64_t seed, size_t k);

#endif
