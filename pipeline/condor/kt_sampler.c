/*
 * kt_sampler.c — seeded sampling of (tag path, task) pairs.
 *
 * The sampler copies the tree into a breadth-first array (children of a
 * node are contiguous) with the number of reachable leaves below each
 * node. Without replacement it also keeps, per node and task, how many of
 * those leaves are still unused, so a draw descends only into subtrees
 * that can still give a fresh pair and never needs to retry. Stratified
 * sampling fixes quotas per domain and per task type up front (kt_draw.h)
 * and deals them out as a shuffled list of (domain, task) slots.
 */
#include "condor/kt_sampler.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "condor/knowledge_tree.h"
#include "condor/kt_draw.h"
#include "condor/kt_tasks.h"
#include "core/hash.h"
#include "core/reservoir.h"

struct snode {
	const struct kt_node *node;
	size_t parent;     /* SIZE_MAX for the root */
	size_t first, nr;  /* children are nodes[first .. first + nr) */
	double weight;
	size_t reach;      /* reachable leaves at or below */
};

struct kt_sampler {
	struct kt_sample_opts opts;
	char *lang;
	const struct kt_tasks *tasks;
	struct rng rng;
	struct snode *nodes;
	size_t nr_nodes;
	double *task_w;
	size_t nr_usable_tasks;
	uint32_t *cap;     /* [node * tasks + task]: unused reachable leaves; without replacement */
	double *scratch;   /* per-pick weights */
	size_t *slot_dom, *slot_task; /* stratified: node index of the domain, task index */
	size_t population, next;
};

static void shuffle_sizes(struct rng *r, size_t *v, size_t n)
{
	rng_choose(r, v, n, n);
}

static size_t avail(const struct kt_sampler *s, size_t i, size_t t)
{
	return s->cap ? s->cap[i * s->tasks->nr + t] : s->nodes[i].reach;
}

/* Weight of drawing child c under the chosen mode, 0 if it has nothing left. */
static double child_weight(const struct kt_sampler *s, size_t c, size_t t)
{
	size_t a = avail(s, c, t);

	if (!a)
		return 0;
	return s->opts.mode == KT_SAMPLE_LEAF ? (double)a : s->nodes[c].weight;
}

static size_t descend(struct kt_sampler *s, size_t i, size_t t)
{
	while (s->nodes[i].nr) {
		const struct snode *n = &s->nodes[i];
		for (size_t k = 0; k < n->nr; k++)
			s->scratch[k] = child_weight(s, n->first + k, t);
		i = n->first + kt_draw_weighted(&s->rng, s->scratch, n->nr);
	}
	if (s->cap)
		for (size_t j = i; j != SIZE_MAX; j = s->nodes[j].parent)
			s->cap[j * s->tasks->nr + t]--;
	return i;
}

static size_t pick_task(struct kt_sampler *s)
{
	for (size_t t = 0; t < s->tasks->nr; t++)
		s->scratch[t] = avail(s, 0, t) ? s->task_w[t] : 0;
	return kt_draw_weighted(&s->rng, s->scratch, s->tasks->nr);
}

/* Copy the tree breadth-first and count reachable leaves bottom-up. */
static size_t build_nodes(struct kt_sampler *s, const struct kt_tree *t)
{
	size_t alloc = 0, breadth = 0;

	ALLOC_GROW(s->nodes, 1, alloc);
	s->nodes[0] = (struct snode){ &t->root, SIZE_MAX, 0, 0, 1.0, 0 };
	s->nr_nodes = 1;
	for (size_t i = 0; i < s->nr_nodes; i++) {
		const struct kt_node *n = s->nodes[i].node;

		s->nodes[i].first = s->nr_nodes;
		s->nodes[i].nr = n->nr_children;
		if (n->nr_children > breadth)
			breadth = n->nr_children;
		ALLOC_GROW(s->nodes, s->nr_nodes + n->nr_children, alloc);
		for (size_t k = 0; k < n->nr_children; k++) {
			const struct kt_node *c = n->children[k];
			double w = s->opts.ignore_weights ? 1.0 : c->weight;
			s->nodes[s->nr_nodes++] = (struct snode){ c, i, 0, 0, w, 0 };
		}
	}
	for (size_t i = s->nr_nodes; i-- > 0;) {
		struct snode *n = &s->nodes[i];
		if (!(n->weight > 0))
			continue;
		if (kt_node_is_leaf(n->node))
			n->reach = 1;
		for (size_t k = 0; k < n->nr; k++)
			n->reach += s->nodes[n->first + k].reach;
	}
	return breadth;
}

/*
 * Fill the domain x task table from the quotas: each domain, largest quota
 * first, takes its units one at a time from the task with the most units
 * still unplaced (ties in a random order), within the per-cell bound
 * (the domain's leaves, without replacement). The slots are then shuffled.
 */
static int stratify(struct kt_sampler *s, const size_t *qd, const size_t *qt, size_t nd)
{
	const size_t nt = s->tasks->nr, n = s->opts.n;
	size_t *rest = xmalloc(nt * sizeof(*rest)), *order = xmalloc((nd + nt) * sizeof(*order));
	size_t *cell = xmalloc(nt * sizeof(*cell)), *torder = order + nd, nr_slots = 0;
	int ret = 0;

	memcpy(rest, qt, nt * sizeof(*rest));
	for (size_t d = 0; d < nd; d++)
		order[d] = d;
	shuffle_sizes(&s->rng, order, nd);
	for (size_t a = 1; a < nd; a++) /* stable insertion sort: largest quota first */
		for (size_t b = a; b > 0 && qd[order[b]] > qd[order[b - 1]]; b--) {
			size_t tmp = order[b];
			order[b] = order[b - 1];
			order[b - 1] = tmp;
		}
	s->slot_dom = xmalloc((n ? n : 1) * sizeof(*s->slot_dom));
	s->slot_task = xmalloc((n ? n : 1) * sizeof(*s->slot_task));
	for (size_t a = 0; a < nd && !ret; a++) {
		size_t d = order[a], dom = s->nodes[0].first + d;
		size_t bound = s->cap ? s->nodes[dom].reach : SIZE_MAX;

		for (size_t t = 0; t < nt; t++)
			torder[t] = t, cell[t] = 0;
		shuffle_sizes(&s->rng, torder, nt);
		for (size_t u = 0; u < qd[d]; u++) {
			size_t best = SIZE_MAX;
			for (size_t k = 0; k < nt; k++) {
				size_t t = torder[k];
				if (rest[t] && cell[t] < bound && (best == SIZE_MAX || rest[t] > rest[best]))
					best = t;
			}
			if (best == SIZE_MAX) {
				ret = error("cannot spread %zu samples over the domains and task types "
					    "without replacement; ask for fewer", n);
				break;
			}
			cell[best]++;
			rest[best]--;
			s->slot_dom[nr_slots] = dom;
			s->slot_task[nr_slots++] = best;
		}
	}
	/* shuffle the pairs together */
	for (size_t i = nr_slots; !ret && i > 1; i--) {
		size_t j = rng_below(&s->rng, i), td = s->slot_dom[i - 1], tt = s->slot_task[i - 1];
		s->slot_dom[i - 1] = s->slot_dom[j];
		s->slot_task[i - 1] = s->slot_task[j];
		s->slot_dom[j] = td;
		s->slot_task[j] = tt;
	}
	free(rest);
	free(order);
	free(cell);
	return ret;
}

static int plan_strata(struct kt_sampler *s)
{
	const struct snode *root = &s->nodes[0];
	const size_t nd = root->nr, nt = s->tasks->nr;
	double *wd = xmalloc((nd + nt) * sizeof(*wd)), *wt = wd + nd;
	size_t *cd = xmalloc((nd + nt) * sizeof(*cd)), *ct = cd + nd;
	size_t *qd = xmalloc((nd + nt) * sizeof(*qd)), *qt = qd + nd;
	int ret;

	for (size_t d = 0; d < nd; d++) {
		const struct snode *dom = &s->nodes[root->first + d];
		wd[d] = !dom->reach ? 0 : s->opts.mode == KT_SAMPLE_LEAF ? (double)dom->reach : dom->weight;
		cd[d] = s->cap ? dom->reach * s->nr_usable_tasks : SIZE_MAX;
	}
	for (size_t t = 0; t < nt; t++) {
		wt[t] = s->task_w[t];
		ct[t] = s->cap ? root->reach : SIZE_MAX;
	}
	ret = kt_draw_quotas(&s->rng, s->opts.n, wd, cd, nd, qd);
	if (!ret)
		ret = kt_draw_quotas(&s->rng, s->opts.n, wt, ct, nt, qt);
	if (ret < 0)
		ret = error("cannot divide %zu samples among the domains and task types", s->opts.n);
	else
		ret = stratify(s, qd, qt, nd);
	free(wd);
	free(cd);
	free(qd);
	return ret;
}

struct kt_sampler *kt_sampler_new(struct kt_tree *t, const struct kt_tasks *tasks,
				  const struct kt_sample_opts *opts)
{
	struct kt_sampler *s = xcalloc(1, sizeof(*s));
	const char *lang = opts->lang ? opts->lang : tasks->lang ? tasks->lang : t->lang ? t->lang : "en";
	size_t breadth;

	s->opts = *opts;
	s->lang = xstrdup(lang);
	s->opts.lang = s->lang;
	s->tasks = tasks;
	rng_seed(&s->rng, opts->seed);
	breadth = build_nodes(s, t);
	s->task_w = xcalloc(tasks->nr ? tasks->nr : 1, sizeof(*s->task_w));
	for (size_t k = 0; k < tasks->nr; k++) {
		s->task_w[k] = opts->ignore_weights ? 1.0 : tasks->v[k].weight;
		s->nr_usable_tasks += s->task_w[k] > 0;
	}
	s->scratch = xmalloc((breadth > tasks->nr ? breadth : tasks->nr ? tasks->nr : 1) * sizeof(double));
	s->population = s->nodes[0].reach * s->nr_usable_tasks;
	if (!s->population && opts->n) {
		error("nothing to sample: the tree has no reachable leaf or no task type has weight > 0");
		goto fail;
	}
	if (opts->without_replacement) {
		if (opts->n > s->population) {
			error("cannot draw %zu samples without replacement from %zu leaf x task pairs",
			      opts->n, s->population);
			goto fail;
		}
		s->cap = xcalloc(s->nr_nodes * (tasks->nr ? tasks->nr : 1), sizeof(*s->cap));
		for (size_t i = 0; i < s->nr_nodes; i++)
			for (size_t k = 0; k < tasks->nr; k++)
				s->cap[i * tasks->nr + k] = s->task_w[k] > 0 ? (uint32_t)s->nodes[i].reach : 0;
	}
	if (opts->stratified && opts->n && plan_strata(s) < 0)
		goto fail;
	return s;
fail:
	kt_sampler_free(s);
	return NULL;
}

size_t kt_sampler_population(const struct kt_sampler *s)
{
	return s->population;
}

void kt_sampler_free(struct kt_sampler *s)
{
	if (!s)
		return;
	free(s->lang);
	free(s->nodes);
	free(s->task_w);
	free(s->cap);
	free(s->scratch);
	free(s->slot_dom);
	free(s->slot_task);
	free(s);
}

/* A seeded subset of the task's examples, in their original order. */
static json_t *pick_examples(struct kt_sampler *s, const struct kt_task *k)
{
	size_t n = k->nr_examples, want = s->opts.max_examples;
	size_t *idx = xmalloc((n ? n : 1) * sizeof(*idx));
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	if (want && want < n) {
		rng_choose(&s->rng, idx, n, want);
		n = want;
		for (size_t a1 = 1; a1 < n; a1++)
			for (size_t b = a1; b > 0 && idx[b] < idx[b - 1]; b--) {
				size_t tmp = idx[b];
				idx[b] = idx[b - 1];
				idx[b - 1] = tmp;
			}
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(k->examples[idx[i]]));
	free(idx);
	return a;
}

static json_t *sample_record(struct kt_sampler *s, const struct kt_node *leaf, const struct kt_task *k)
{
	json_t *rec = json_object(), *path = kt_node_path_json(leaf, s->lang);
	char seed[24], index[24], hex[HASH128_HEX_LEN + 1];
	char *dump = json_dumps(path, JSON_COMPACT);
	const char *pieces[4] = { seed, index, dump, k->id };

	snprintf(seed, sizeof(seed), "%" PRIu64, s->opts.seed);
	snprintf(index, sizeof(index), "%zu", s->next);
	kt_record_id(pieces, 4, hex);
	free(dump);
	json_object_set_new(rec, "id", json_string(hex));
	json_object_set_new(rec, "lang", json_string(s->lang));
	json_object_set(rec, "path", path);
	json_object_set(rec, "domain", json_array_get(path, 0));
	json_object_set(rec, "theme", json_array_get(path, json_array_size(path) - 1));
	json_object_set_new(rec, "task", json_string(k->name));
	json_object_set_new(rec, "task_description", json_string(k->description));
	json_object_set_new(rec, "examples", pick_examples(s, k));
	json_decref(path);
	return rec;
}

int kt_sampler_next(struct kt_sampler *s, json_t **out)
{
	size_t start = 0, task, leaf;

	*out = NULL;
	if (s->next >= s->opts.n)
		return 0;
	if (s->slot_dom) {
		start = s->slot_dom[s->next];
		task = s->slot_task[s->next];
	} else {
		task = pick_task(s);
	}
	leaf = descend(s, start, task);
	*out = sample_record(s, s->nodes[leaf].node, &s->tasks->v[task]);
	s->next++;
	return 1;
}
