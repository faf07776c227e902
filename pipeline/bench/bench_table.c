/*
 * bench_table.c — the results table: names to indexes through jansson
 * objects, cells gathered as triples and laid out item-major once read.
 */
#include "bench/bench_table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/hash_set.h"

void bench_table_init(struct bench_table *t)
{
	memset(t, 0, sizeof(*t));
	t->model_ix = json_object();
	t->bench_ix = json_object();
	t->dim_ix = json_object();
	t->item_ix = json_object();
	t->seen = hash_set_new(1024);
}

void bench_table_release(struct bench_table *t)
{
	for (size_t i = 0; i < t->nmodels; i++)
		free(t->models[i]);
	for (size_t i = 0; i < t->nbench; i++)
		free(t->benchmarks[i]);
	for (size_t i = 0; i < t->ndims; i++)
		free(t->dims[i].name);
	for (size_t i = 0; i < t->nitems; i++)
		free(t->items[i].id);
	free(t->models);
	free(t->benchmarks);
	free(t->dims);
	free(t->items);
	free(t->cells);
	free(t->score);
	json_decref(t->model_ix);
	json_decref(t->bench_ix);
	json_decref(t->dim_ix);
	json_decref(t->item_ix);
	if (t->seen)
		hash_set_free(t->seen);
	memset(t, 0, sizeof(*t));
}

/* The index of `name` in a list of names, added when new. */
static size_t name_index(json_t *ix, char ***names, size_t *n, size_t *alloc, const char *name)
{
	json_t *v = json_object_get(ix, name);

	if (v)
		return (size_t)json_integer_value(v);
	ALLOC_GROW(*names, *n + 1, *alloc);
	(*names)[*n] = xstrdup(name);
	json_object_set_new(ix, name, json_integer((json_int_t)*n));
	return (*n)++;
}

int bench_table_add(struct bench_table *t, const char *model, const char *item, const char *benchmark,
		    const char *dimension, double score, const char **kind, struct sbuf *err)
{
	size_t m, b, it, pair[2];
	long d = -1;
	char *key;
	json_t *v;

	if (!benchmark || !*benchmark)
		benchmark = "all";
	m = name_index(t->model_ix, &t->models, &t->nmodels, &t->models_alloc, model);
	b = name_index(t->bench_ix, &t->benchmarks, &t->nbench, &t->bench_alloc, benchmark);
	if (dimension && *dimension) {
		char *dname = xasprintf("%s/%s", benchmark, dimension);

		if ((v = json_object_get(t->dim_ix, dname))) {
			d = (long)json_integer_value(v);
			free(dname);
		} else {
			ALLOC_GROW(t->dims, t->ndims + 1, t->dims_alloc);
			t->dims[t->ndims].name = dname;
			t->dims[t->ndims].bench = b;
			json_object_set_new(t->dim_ix, dname, json_integer((json_int_t)t->ndims));
			d = (long)t->ndims++;
		}
	}
	key = xasprintf("%s\x1f%s", benchmark, item);
	if ((v = json_object_get(t->item_ix, key))) {
		it = (size_t)json_integer_value(v);
		if (t->items[it].dim != d) {
			*kind = "conflicting_item";
			sbuf_addf(err, "item '%s' of '%s' was given another dimension before", item, benchmark);
			free(key);
			return -1;
		}
	} else {
		ALLOC_GROW(t->items, t->nitems + 1, t->items_alloc);
		t->items[t->nitems] = (struct bench_item){ xstrdup(item), b, d };
		json_object_set_new(t->item_ix, key, json_integer((json_int_t)t->nitems));
		it = t->nitems++;
	}
	free(key);
	pair[0] = m;
	pair[1] = it;
	if (hash_set_insert(t->seen, hash128(pair, sizeof(pair)), 0, NULL) == 0) {
		*kind = "duplicate_cell";
		sbuf_addf(err, "model '%s' has a score for item '%s' of '%s' already", model, item, benchmark);
		return -1;
	}
	ALLOC_GROW(t->cells, t->ncells + 1, t->cells_alloc);
	t->cells[t->ncells++] = (struct bench_cell){ m, it, score };
	return 0;
}

void bench_table_seal(struct bench_table *t)
{
	size_t n = t->nitems * t->nmodels;

	free(t->score);
	t->score = xmalloc((n ? n : 1) * sizeof(*t->score));
	for (size_t i = 0; i < n; i++)
		t->score[i] = NAN;
	for (size_t c = 0; c < t->ncells; c++)
		t->score[t->cells[c].item * t->nmodels + t->cells[c].model] = t->cells[c].score;
	free(t->cells);
	t->cells = NULL;
	t->ncells = t->cells_alloc = 0;
}

void bench_table_means(const struct bench_table *t, const size_t *items, size_t n, double *out)
{
	size_t M = t->nmodels;
	size_t *count = xcalloc(M ? M : 1, sizeof(*count));

	for (size_t m = 0; m < M; m++)
		out[m] = 0;
	for (size_t i = 0; i < n; i++) {
		const double *row = &t->score[items[i] * M];

		for (size_t m = 0; m < M; m++)
			if (!isnan(row[m])) {
				out[m] += row[m];
				count[m]++;
			}
	}
	for (size_t m = 0; m < M; m++)
		out[m] = count[m] ? out[m] / (double)count[m] : NAN;
	free(count);
}
