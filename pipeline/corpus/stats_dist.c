/*
 * stats_dist.c — summaries of a streaming distribution (see stats_dist.h).
 */
#include "corpus/stats_dist.h"

#include <math.h>
#include <stdlib.h>

#include "core/util.h"

void stats_dist_init(struct stats_dist *d, size_t cap, uint64_t seed)
{
	d->count = 0;
	d->min = d->max = d->sum = 0;
	d->all_integer = 1;
	reservoir_init(&d->res, cap ? cap : 1, seed);
	d->values = NULL;
	d->alloc = 0;
}

void stats_dist_release(struct stats_dist *d)
{
	free(d->values);
	d->values = NULL;
	d->alloc = 0;
}

void stats_dist_add(struct stats_dist *d, double x)
{
	int64_t slot;

	if (!d->count || x < d->min)
		d->min = x;
	if (!d->count || x > d->max)
		d->max = x;
	d->count++;
	d->sum += x;
	if (d->all_integer && (x != floor(x) || fabs(x) > 9007199254740992.0))
		d->all_integer = 0;
	slot = reservoir_offer(&d->res);
	if (slot < 0)
		return;
	ALLOC_GROW(d->values, (size_t)slot + 1, d->alloc);
	d->values[slot] = x;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest value with at least p% of values at or below it. */
static double quantile(const double *v, size_t n, double p)
{
	size_t rank = (size_t)ceil(p / 100.0 * (double)n);

	return v[rank ? rank - 1 : 0];
}

/* A number as an integer when it is one, so counts and lengths read well. */
static json_t *json_num(double x)
{
	if (x == floor(x) && fabs(x) < 9007199254740992.0)
		return json_integer((json_int_t)x);
	return json_real(x);
}

static json_t *histogram(const struct stats_dist *d, const double *v, size_t n, int bins)
{
	json_t *edges = json_array(), *counts = json_array();
	double lo = d->min, hi = d->max, width, scale = (double)d->count / (double)n;
	uint64_t *c;
	int k;

	if (d->all_integer && hi - lo + 1 <= bins) {
		k = (int)(hi - lo + 1); /* one bin per integer: [i, i+1) */
		width = 1;
		hi = lo + k;
	} else if (hi > lo) {
		k = bins;
		width = (hi - lo) / k;
	} else {
		k = 1;
		width = 0;
	}
	c = xcalloc((size_t)k, sizeof(*c));
	for (size_t i = 0; i < n; i++) {
		int b = width > 0 ? (int)((v[i] - lo) / width) : 0;
		c[b < 0 ? 0 : b >= k ? k - 1 : b]++;
	}
	for (int i = 0; i <= k; i++)
		json_array_append_new(edges, json_num(i == k && width > 0 ? hi : lo + i * width));
	for (int i = 0; i < k; i++)
		json_array_append_new(counts, json_integer((json_int_t)llround((double)c[i] * scale)));
	free(c);
	return json_pack("{s:o, s:o}", "edges", edges, "counts", counts);
}

json_t *stats_dist_json(struct stats_dist *d, int bins)
{
	size_t n = (size_t)reservoir_size(&d->res);
	json_t *o;

	if (!d->count)
		return json_pack("{s:i}", "count", 0);
	qsort(d->values, n, sizeof(*d->values), cmp_double);
	o = json_pack("{s:I, s:o, s:o, s:f, s:o, s:o, s:o, s:b, s:I}", "count", (json_int_t)d->count,
		      "min", json_num(d->min), "max", json_num(d->max), "mean",
		      d->sum / (double)d->count, "p50", json_num(quantile(d->values, n, 50)), "p90",
		      json_num(quantile(d->values, n, 90)), "p99", json_num(quantile(d->values, n, 99)),
		      "exact", d->count == n, "sample_size", (json_int_t)n);
	json_object_set_new(o, "histogram", histogram(d, d->values, n, bins < 1 ? 1 : bins));
	return o;
}
