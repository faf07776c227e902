/*
 * bench_redundancy.c — dimension, instance and cross-benchmark redundancy,
 * and the ranking-keeping subset (bench_redundancy.h).
 */
#include "bench/bench_redundancy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_corr.h"
#include "core/hash.h"
#include "core/reservoir.h"

static json_t *num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

/* Item indexes of each group: groups[g] lists items whose key is g. */
struct groups {
	size_t **items;
	size_t *n;
	size_t count;
};

static void groups_make(const struct bench_table *t, int by_dim, struct groups *g)
{
	g->count = by_dim ? t->ndims : t->nbench;
	g->items = xcalloc(g->count ? g->count : 1, sizeof(*g->items));
	g->n = xcalloc(g->count ? g->count : 1, sizeof(*g->n));
	for (size_t i = 0; i < t->nitems; i++) {
		long k = by_dim ? t->items[i].dim : (long)t->items[i].bench;

		if (k < 0)
			continue;
		g->items[k] = xrealloc(g->items[k], (g->n[k] + 1) * sizeof(**g->items));
		g->items[k][g->n[k]++] = i;
	}
}

static void groups_release(struct groups *g)
{
	for (size_t k = 0; k < g->count; k++)
		free(g->items[k]);
	free(g->items);
	free(g->n);
}

static json_t *matrix_new(size_t n)
{
	json_t *m = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(m, json_array());
	return m;
}

/*
 * The correlation figures between groups (dimensions or benchmarks) of
 * the models' mean scores: matrices, each group's mean with the others,
 * and the pairs at or above the target SRCC, most correlated first.
 */
static json_t *correlations(const struct bench_table *t, const struct groups *g, const char *const *names,
			    double target)
{
	size_t G = g->count, M = t->nmodels;
	double *means = xmalloc((G * M + 1) * sizeof(*means));
	json_t *out = json_object(), *jn = json_array(), *jitems = json_array();
	json_t *srcc = matrix_new(G), *plcc = matrix_new(G), *r2 = matrix_new(G), *pairs = json_array();
	json_t *msrcc = json_array(), *mplcc = json_array(), *mr2 = json_array();

	for (size_t k = 0; k < G; k++) {
		bench_table_means(t, g->items[k], g->n[k], &means[k * M]);
		json_array_append_new(jn, json_string(names[k]));
		json_array_append_new(jitems, json_integer((json_int_t)g->n[k]));
	}
	for (size_t a = 0; a < G; a++) {
		double sum[3] = { 0, 0, 0 };
		size_t cnt = 0;

		for (size_t b = 0; b < G; b++) {
			struct bench_corr c;

			bench_corr(&means[a * M], &means[b * M], M, 0, &c);
			json_array_append_new(json_array_get(srcc, a), num(c.srcc));
			json_array_append_new(json_array_get(plcc, a), num(c.plcc));
			json_array_append_new(json_array_get(r2, a), num(c.r2));
			if (a == b || isnan(c.srcc))
				continue;
			sum[0] += c.srcc;
			sum[1] += c.plcc;
			sum[2] += c.r2;
			cnt++;
			if (b > a && c.srcc >= target)
				json_array_append_new(pairs, json_pack("{s:s, s:s, s:o, s:o, s:o}", "a", names[a],
								       "b", names[b], "srcc", num(c.srcc),
								       "plcc", num(c.plcc), "r2", num(c.r2)));
		}
		json_array_append_new(msrcc, num(cnt ? sum[0] / (double)cnt : NAN));
		json_array_append_new(mplcc, num(cnt ? sum[1] / (double)cnt : NAN));
		json_array_append_new(mr2, num(cnt ? sum[2] / (double)cnt : NAN));
	}
	/* most correlated first (insertion sort: pairs are few) */
	for (size_t i = 1; i < json_array_size(pairs); i++)
		for (size_t j = i; j > 0; j--) {
			json_t *p = json_array_get(pairs, j - 1), *q = json_array_get(pairs, j);

			if (json_real_value(json_object_get(p, "srcc")) >= json_real_value(json_object_get(q, "srcc")))
				break;
			json_incref(p);
			json_array_set(pairs, j - 1, q);
			json_array_set_new(pairs, j, p);
		}
	json_object_set_new(out, "names", jn);
	json_object_set_new(out, "items", jitems);
	json_object_set_new(out, "srcc", srcc);
	json_object_set_new(out, "plcc", plcc);
	json_object_set_new(out, "r2", r2);
	json_object_set_new(out, "mean_srcc", msrcc);
	json_object_set_new(out, "mean_plcc", mplcc);
	json_object_set_new(out, "mean_r2", mr2);
	json_object_set_new(out, "redundant_pairs", pairs);
	free(means);
	return out;
}

static size_t subset_size(double percent, size_t n)
{
	double s = round(percent * (double)n / 100);

	return s < 1 ? 1 : s > (double)n ? n : (size_t)s;
}

/* The random stream of one benchmark: its name and the seed, so adding a benchmark moves no other. */
static void bench_rng(const struct bench_table *t, size_t b, uint64_t seed, struct rng *r)
{
	rng_seed(r, hash64(t->benchmarks[b], strlen(t->benchmarks[b]), seed));
}

/* One benchmark's curve over the subset sizes, and the smallest sizes reaching the target. */
static json_t *instance_curve(const struct bench_table *t, size_t b, const size_t *items, size_t n,
			      const struct redundancy_opts *o)
{
	size_t M = t->nmodels, *work = xmalloc((n ? n : 1) * sizeof(*work));
	double *full = xmalloc((M ? M : 1) * sizeof(*full)), *sub = xmalloc((M ? M : 1) * sizeof(*sub));
	json_t *curve = json_array(), *res = json_object();
	double min_k_srcc = NAN, min_k_plcc = NAN;
	struct rng r;

	bench_rng(t, b, o->seed, &r);
	memcpy(work, items, n * sizeof(*work));
	bench_table_means(t, items, n, full);
	for (size_t k = 0; k < o->nsizes; k++) {
		size_t s = subset_size(o->sizes[k], n), ok = 0, okk = 0;
		double sum_s = 0, sum_p = 0, sum_k = 0, least = INFINITY;

		for (size_t d = 0; d < o->draws; d++) {
			struct bench_corr c;

			rng_choose(&r, work, n, s);
			bench_table_means(t, work, s, sub);
			bench_corr(sub, full, M, 1, &c);
			if (isnan(c.srcc) || isnan(c.plcc))
				continue;
			sum_s += c.srcc;
			sum_p += c.plcc;
			least = fmin(least, c.srcc);
			ok++;
			if (!isnan(c.kendall)) {
				sum_k += c.kendall;
				okk++;
			}
		}
		if (ok && isnan(min_k_srcc) && sum_s / (double)ok >= o->target)
			min_k_srcc = o->sizes[k];
		if (ok && isnan(min_k_plcc) && sum_p / (double)ok >= o->target)
			min_k_plcc = o->sizes[k];
		json_array_append_new(curve, json_pack("{s:f, s:I, s:o, s:o, s:o, s:o}", "k", o->sizes[k],
						       "size", (json_int_t)s,
						       "srcc", num(ok ? sum_s / (double)ok : NAN),
						       "srcc_min", num(ok ? least : NAN),
						       "plcc", num(ok ? sum_p / (double)ok : NAN),
						       "kendall", num(okk ? sum_k / (double)okk : NAN)));
	}
	json_object_set_new(res, "benchmark", json_string(t->benchmarks[b]));
	json_object_set_new(res, "items", json_integer((json_int_t)n));
	json_object_set_new(res, "min_k_srcc", num(min_k_srcc));
	json_object_set_new(res, "min_k_plcc", num(min_k_plcc));
	json_object_set_new(res, "curve", curve);
	free(work);
	free(full);
	free(sub);
	return res;
}

static int by_index(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

/* The best of o->draws subsets of k% of a benchmark; its items appended to `kept`. */
static json_t *prune_benchmark(const struct bench_table *t, size_t b, const size_t *items, size_t n,
			       const struct redundancy_opts *o, json_t *kept)
{
	size_t M = t->nmodels, s = subset_size(o->prune, n);
	size_t *work = xmalloc((n ? n : 1) * sizeof(*work)), *best = xmalloc((n ? n : 1) * sizeof(*best));
	double *full = xmalloc((M ? M : 1) * sizeof(*full)), *sub = xmalloc((M ? M : 1) * sizeof(*sub));
	struct bench_corr bc = { -INFINITY, -INFINITY, NAN, NAN }, c;
	struct rng r;
	json_t *res;

	bench_rng(t, b, o->seed ^ 0x5bd1e995u, &r);
	memcpy(work, items, n * sizeof(*work));
	memcpy(best, items, s * sizeof(*best));
	bench_table_means(t, items, n, full);
	for (size_t d = 0; d < o->draws && s < n; d++) {
		rng_choose(&r, work, n, s);
		bench_table_means(t, work, s, sub);
		bench_corr(sub, full, M, 0, &c);
		if (isnan(c.srcc) || isnan(c.plcc))
			continue;
		if (c.srcc > bc.srcc || (c.srcc == bc.srcc && c.plcc > bc.plcc)) {
			bc = c;
			memcpy(best, work, s * sizeof(*best));
		}
	}
	qsort(best, s, sizeof(*best), by_index);
	bench_table_means(t, best, s, sub);
	bench_corr(sub, full, M, 1, &c);
	for (size_t i = 0; i < s; i++)
		json_array_append_new(kept, json_pack("{s:s, s:s}", "benchmark", t->benchmarks[b],
						      "item", t->items[best[i]].id));
	res = json_pack("{s:s, s:I, s:I, s:o, s:o, s:o}", "benchmark", t->benchmarks[b], "items", (json_int_t)n,
			"kept", (json_int_t)s, "srcc", num(c.srcc), "plcc", num(c.plcc), "kendall", num(c.kendall));
	free(work);
	free(best);
	free(full);
	free(sub);
	return res;
}

json_t *redundancy_analyse(const struct bench_table *t, const struct redundancy_opts *o, json_t **kept)
{
	struct groups dims, benches;
	const char **dim_names = xcalloc(t->ndims ? t->ndims : 1, sizeof(*dim_names));
	json_t *doc = json_object(), *inst = json_array(), *sizes = json_array();
	size_t with_dim = 0;

	for (size_t d = 0; d < t->ndims; d++)
		dim_names[d] = t->dims[d].name;
	for (size_t i = 0; i < t->nitems; i++)
		with_dim += t->items[i].dim >= 0;
	groups_make(t, 1, &dims);
	groups_make(t, 0, &benches);
	for (size_t k = 0; k < o->nsizes; k++)
		json_array_append_new(sizes, json_real(o->sizes[k]));
	json_object_set_new(doc, "models", json_integer((json_int_t)t->nmodels));
	json_object_set_new(doc, "items", json_integer((json_int_t)t->nitems));
	json_object_set_new(doc, "items_with_dimension", json_integer((json_int_t)with_dim));
	json_object_set_new(doc, "target", json_real(o->target));
	json_object_set_new(doc, "sizes", sizes);
	json_object_set_new(doc, "draws", json_integer((json_int_t)o->draws));
	json_object_set_new(doc, "seed", json_integer((json_int_t)o->seed));
	json_object_set_new(doc, "dimensions", correlations(t, &dims, dim_names, o->target));
	json_object_set_new(doc, "benchmarks",
			    correlations(t, &benches, (const char *const *)t->benchmarks, o->target));
	for (size_t b = 0; b < t->nbench; b++)
		json_array_append_new(inst, instance_curve(t, b, benches.items[b], benches.n[b], o));
	json_object_set_new(doc, "instances", inst);
	if (o->prune > 0) {
		json_t *per = json_array(), *list = json_array();

		for (size_t b = 0; b < t->nbench; b++)
			json_array_append_new(per, prune_benchmark(t, b, benches.items[b], benches.n[b], o, list));
		json_object_set_new(doc, "prune", json_pack("{s:f, s:I, s:o}", "k", o->prune, "kept",
							    (json_int_t)json_array_size(list), "benchmarks", per));
		if (kept)
			*kept = list;
		else
			json_decref(list);
	}
	groups_release(&dims);
	groups_release(&benches);
	free(dim_names);
	return doc;
}
