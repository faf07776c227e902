/*
 * kt_sampler.h — draw (tag path, task type) pairs from a knowledge tree
 * and a task list as JSON records, one per question-generation call,
 * reproducibly from a seed. The generator is reservoir.h's xoshiro256**
 * (not rand()), so the sequence is the same on every machine and libc.
 *
 * A record: {id, lang, path: [domain, …, theme], domain, theme, task,
 * task_description, examples}; the id hashes the seed, the record's
 * index, the path and the task id.
 */
#ifndef SMELT_KT_SAMPLER_H
#define SMELT_KT_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/util.h"

struct kt_tree;
struct kt_tasks;

enum kt_sample_mode {
	KT_SAMPLE_LEVEL, /* per level: a domain by weight, then a child by weight, ... */
	KT_SAMPLE_LEAF,  /* every reachable leaf equally likely */
};

struct kt_sample_opts {
	uint64_t seed;
	size_t n;                 /* number of records */
	enum kt_sample_mode mode;
	int stratified;           /* quotas over domains and over task types */
	int without_replacement;  /* each leaf x task pair at most once */
	int ignore_weights;       /* treat every weight as 1 */
	size_t max_examples;      /* examples per record, a seeded subset; 0 = all */
	const char *lang;         /* record lang and name language; NULL: tasks', tree's, "en" */
};
#define KT_SAMPLE_OPTS_INIT { 0, 0, KT_SAMPLE_LEVEL, 0, 0, 0, 0, NULL }

struct kt_sampler;
/* The tree and tasks are borrowed and must outlive the sampler and stay
 * unchanged. NULL after error() when nothing can be sampled, or when
 * sampling without replacement asks for more than the population. */
struct kt_sampler *kt_sampler_new(struct kt_tree *t, const struct kt_tasks *tasks,
				  const struct kt_sample_opts *opts) MUST_CHECK;
/* Number of distinct (reachable leaf, task) pairs. */
size_t kt_sampler_population(const struct kt_sampler *s);
/* 1 and a new record in *out; 0 when opts.n records were given. */
int kt_sampler_next(struct kt_sampler *s, json_t **out) MUST_CHECK;
void kt_sampler_free(struct kt_sampler *s);

#endif
