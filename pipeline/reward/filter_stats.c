/*
 * filter_stats.c — groups, order statistics and decisions of smelt-filter
 * (see filter_stats.h).
 *
 * Order statistics across several sorted arrays: a double's bit pattern,
 * with the sign folded (flip every bit of a negative, set the top bit of a
 * positive), orders like the double itself, so the k-th smallest value is
 * the least pattern whose count of values <= it exceeds k — found by
 * bisecting 64-bit integers, each step a binary search per array. The MAD
 * is found the same way over deviations: the count of |x - m| <= d is the
 * count of x in [m - d, m + d].
 */
#include "reward/filter_stats.h"

#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/util.h"

#define MAD_SCALE 1.4826 /* MAD to the standard deviation of a normal distribution */

struct span {
	const double *v;
	size_t n;
};

static const char *const rule_names[FILTER_RULES] = {
	"kept", "missing_score", "below_min", "above_max", "quantile", "robust_z", "missing_control",
};

const char *filter_rule_name(enum filter_rule r)
{
	return r < FILTER_RULES ? rule_names[r] : "unknown";
}

void filter_stats_init(struct filter_stats *fs, const struct filter_rules *rules)
{
	memset(fs, 0, sizeof(*fs));
	fs->rules = *rules;
	fs->q_cut = fs->z_cut = -INFINITY;
}

void filter_stats_release(struct filter_stats *fs)
{
	for (size_t i = 0; i < fs->ngroups; i++) {
		free(fs->groups[i].key);
		free(fs->groups[i].name);
		free(fs->groups[i].scores);
		free(fs->groups[i].xs);
	}
	free(fs->groups);
	free(fs->index);
	memset(fs, 0, sizeof(*fs));
}

/* ---- groups -------------------------------------------------------------- */

static void index_put(uint32_t *index, size_t cap, const struct filter_group *g, uint32_t gid)
{
	size_t i = hash64(g->key, strlen(g->key), 0) & (cap - 1);

	while (index[i])
		i = (i + 1) & (cap - 1);
	index[i] = gid + 1;
}

static void index_grow(struct filter_stats *fs)
{
	size_t cap = fs->index_cap ? fs->index_cap * 2 : 64;
	uint32_t *index = xcalloc(cap, sizeof(*index));

	for (size_t g = 0; g < fs->ngroups; g++)
		index_put(index, cap, &fs->groups[g], (uint32_t)g);
	free(fs->index);
	fs->index = index;
	fs->index_cap = cap;
}

uint32_t filter_stats_group(struct filter_stats *fs, const char *key, size_t len)
{
	struct filter_group *g;
	size_t i;

	if (fs->index_cap) {
		i = hash64(key, len, 0) & (fs->index_cap - 1);
		for (; fs->index[i]; i = (i + 1) & (fs->index_cap - 1)) {
			g = &fs->groups[fs->index[i] - 1];
			if (!strncmp(g->key, key, len) && !g->key[len])
				return fs->index[i] - 1;
		}
	}
	if (2 * (fs->ngroups + 1) > fs->index_cap)
		index_grow(fs);
	ALLOC_GROW(fs->groups, fs->ngroups + 1, fs->alloc);
	g = &fs->groups[fs->ngroups];
	memset(g, 0, sizeof(*g));
	g->key = xstrndup(key, len);
	g->name = xstrndup(key, len);
	for (char *p = g->name; *p; p++)
		if (*p == '\x1f')
			*p = '/';
	g->q_cut = g->z_cut = g->lower = -INFINITY;
	g->border_hi = NAN;
	index_put(fs->index, fs->index_cap, g, (uint32_t)fs->ngroups);
	return (uint32_t)fs->ngroups++;
}

void filter_stats_add(struct filter_stats *fs, uint32_t gid, double score)
{
	struct filter_group *g = &fs->groups[gid];

	g->records++;
	if (isnan(score)) {
		g->missing++;
		return;
	}
	ALLOC_GROW(g->scores, g->nscores + 1, g->alloc);
	g->scores[g->nscores++] = score;
	g->sum += score;
}

void filter_stats_add_x(struct filter_stats *fs, uint32_t gid, double score, double x)
{
	struct filter_group *g = &fs->groups[gid];

	if (!isnan(score) && isnan(x)) {
		g->records++;
		g->no_control++;
		return;
	}
	if (!isnan(score)) {
		ALLOC_GROW(g->xs, g->nscores + 1, g->xalloc);
		g->xs[g->nscores] = x;
	}
	filter_stats_add(fs, gid, score);
}

/* ---- order statistics ---------------------------------------------------- */

static uint64_t dkey(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return (u >> 63) ? ~u : u | (1ULL << 63);
}

static double kdbl(uint64_t k)
{
	uint64_t u = (k >> 63) ? k & ~(1ULL << 63) : ~k;
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

/* Number of values < x (strict) or <= x. */
static size_t bound(const double *v, size_t n, double x, int or_equal)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < x || (or_equal && v[mid] == x))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint64_t count_le(const struct span *s, size_t ns, double x)
{
	uint64_t c = 0;

	for (size_t i = 0; i < ns; i++)
		c += bound(s[i].v, s[i].n, x, 1);
	return c;
}

static uint64_t count_within(const struct span *s, size_t ns, double m, double d)
{
	uint64_t c = 0;

	for (size_t i = 0; i < ns; i++)
		c += bound(s[i].v, s[i].n, m + d, 1) - bound(s[i].v, s[i].n, m - d, 0);
	return c;
}

/* The k-th smallest (0-based) of the spans, whose values lie in [lo, hi]. */
static double kth(const struct span *s, size_t ns, uint64_t k, double lo, double hi)
{
	uint64_t a = dkey(lo), b = dkey(hi);

	if (ns == 1)
		return s[0].v[k];
	while (a < b) {
		uint64_t mid = a + (b - a) / 2;
		if (count_le(s, ns, kdbl(mid)) >= k + 1)
			b = mid;
		else
			a = mid + 1;
	}
	return kdbl(a);
}

/*
 * The k-th smallest |x - m|, none of them above dmax. m ± d rounds, so the
 * bisection finds the deviation to within an ulp; the answer is then taken
 * from the values themselves: the largest |x - m| inside the interval.
 */
static double kth_deviation(const struct span *s, size_t ns, double m, uint64_t k, double dmax)
{
	uint64_t a = dkey(0.0), b = dkey(dmax);
	double d, exact = 0;

	while (a < b) {
		uint64_t mid = a + (b - a) / 2;
		if (count_within(s, ns, m, kdbl(mid)) >= k + 1)
			b = mid;
		else
			a = mid + 1;
	}
	d = kdbl(a);
	for (size_t i = 0; i < ns; i++) {
		size_t first = bound(s[i].v, s[i].n, m - d, 0), end = bound(s[i].v, s[i].n, m + d, 1);
		if (first < end)
			exact = fmax(exact, fmax(fabs(s[i].v[first] - m), fabs(s[i].v[end - 1] - m)));
	}
	return exact;
}

static void summarise(struct filter_summary *sm, const struct span *s, size_t ns, double sum)
{
	uint64_t n = 0;
	double dmax;

	sm->min = INFINITY;
	sm->max = -INFINITY;
	for (size_t i = 0; i < ns; i++) {
		if (!s[i].n)
			continue;
		n += s[i].n;
		if (s[i].v[0] < sm->min)
			sm->min = s[i].v[0];
		if (s[i].v[s[i].n - 1] > sm->max)
			sm->max = s[i].v[s[i].n - 1];
	}
	sm->n = n;
	if (!n) {
		sm->min = sm->max = sm->mean = sm->median = sm->mad = NAN;
		return;
	}
	sm->mean = sum / (double)n;
	sm->median = kth(s, ns, (n - 1) / 2, sm->min, sm->max);
	if (n % 2 == 0)
		sm->median = (sm->median + kth(s, ns, n / 2, sm->min, sm->max)) / 2;
	dmax = fmax(sm->max - sm->median, sm->median - sm->min);
	sm->mad = kth_deviation(s, ns, sm->median, (n - 1) / 2, dmax);
	if (n % 2 == 0)
		sm->mad = (sm->mad + kth_deviation(s, ns, sm->median, n / 2, dmax)) / 2;
}

static uint64_t quantile_rank(double q, uint64_t n)
{
	uint64_t k = (uint64_t)floor(q * (double)n + 1e-9);

	return k < n ? k : n - 1;
}

static void thresholds(const struct filter_rules *r, const struct filter_summary *sm,
		       const struct span *s, size_t ns, double *q_cut, double *z_cut)
{
	*q_cut = *z_cut = -INFINITY;
	if (!sm->n)
		return;
	if (r->drop_quantile > 0)
		*q_cut = kth(s, ns, quantile_rank(r->drop_quantile, sm->n), sm->min, sm->max);
	if (r->robust_z > 0 && sm->mad > 0)
		*z_cut = sm->median - r->robust_z * MAD_SCALE * sm->mad;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Under a control: the line of each group (of all points for a group under
 * min_group), then every score replaced by its residual. Each group's
 * pairs are drawn with a seed of its own key, so a group's line does not
 * depend on the other groups or their order.
 */
static void fit_and_subtract(struct filter_stats *fs)
{
	struct fit_span *spans = xcalloc(fs->ngroups ? fs->ngroups : 1, sizeof(*spans));

	for (size_t i = 0; i < fs->ngroups; i++)
		spans[i] = (struct fit_span){ fs->groups[i].xs, fs->groups[i].scores, fs->groups[i].nscores };
	line_fit_theil_sen(spans, fs->ngroups, FIT_MAX_PAIRS, 0x5EED, &fs->fit);
	for (size_t i = 0; i < fs->ngroups; i++) {
		struct filter_group *g = &fs->groups[i];

		g->fit_global = g->nscores < fs->rules.min_group;
		if (g->fit_global)
			g->fit = fs->fit;
		else
			line_fit_theil_sen(&spans[i], 1, FIT_MAX_PAIRS, hash64(g->key, strlen(g->key), 0x5EED),
					   &g->fit);
	}
	for (size_t i = 0; i < fs->ngroups; i++) {
		struct filter_group *g = &fs->groups[i];

		g->sum = 0;
		for (size_t k = 0; k < g->nscores; k++) {
			g->scores[k] = line_fit_residual(&g->fit, g->xs[k], g->scores[k]);
			g->sum += g->scores[k];
		}
		free(g->xs);
		g->xs = NULL;
		g->xalloc = 0;
	}
	free(spans);
}

void filter_stats_finish(struct filter_stats *fs)
{
	struct span *all = xcalloc(fs->ngroups ? fs->ngroups : 1, sizeof(*all));
	double sum = 0;

	if (fs->rules.control)
		fit_and_subtract(fs);

	for (size_t i = 0; i < fs->ngroups; i++) {
		struct filter_group *g = &fs->groups[i];
		struct span one = { g->scores, g->nscores };

		if (g->nscores)
			qsort(g->scores, g->nscores, sizeof(double), cmp_double);
		summarise(&g->s, &one, 1, g->sum);
		thresholds(&fs->rules, &g->s, &one, 1, &g->q_cut, &g->z_cut);
		all[i] = one;
		sum += g->sum;
	}
	summarise(&fs->all, all, fs->ngroups, sum);
	thresholds(&fs->rules, &fs->all, all, fs->ngroups, &fs->q_cut, &fs->z_cut);
	for (size_t i = 0; i < fs->ngroups; i++) {
		struct filter_group *g = &fs->groups[i];
		size_t below, band;

		g->global = g->nscores < fs->rules.min_group;
		if (g->global) {
			g->q_cut = fs->q_cut;
			g->z_cut = fs->z_cut;
		}
		/* --min bounds raw scores: not on the residual scale of a control */
		g->lower = fmax(fs->rules.control ? -INFINITY : fs->rules.min, fmax(g->q_cut, g->z_cut));
		below = bound(g->scores, g->nscores, g->lower, 0);
		band = (size_t)ceil(fs->rules.borderline * (double)g->nscores);
		if (band < 1)
			band = 1;
		g->border_hi = below < g->nscores ?
			g->scores[(below + band < g->nscores ? below + band : g->nscores) - 1] : NAN;
	}
	free(all);
	fs->finished = 1;
}

double filter_stats_kth(const struct filter_stats *fs, uint64_t k)
{
	struct span *all;
	double v;

	if (k >= fs->all.n)
		return NAN;
	all = xcalloc(fs->ngroups, sizeof(*all));
	for (size_t i = 0; i < fs->ngroups; i++) {
		all[i].v = fs->groups[i].scores;
		all[i].n = fs->groups[i].nscores;
	}
	v = kth(all, fs->ngroups, k, fs->all.min, fs->all.max);
	free(all);
	return v;
}

/* ---- decisions ----------------------------------------------------------- */

/* `value` is what the relative rules compare: the score, or its residual. */
static enum filter_rule rule_for(const struct filter_stats *fs, const struct filter_group *g,
				 double score, double value, double *threshold)
{
	*threshold = NAN;
	if (isnan(score)) {
		return fs->rules.keep_missing ? FILTER_KEPT : FILTER_MISSING;
	}
	if (isnan(value))
		return fs->rules.keep_missing ? FILTER_KEPT : FILTER_MISSING_CONTROL;
	if (score < fs->rules.min) {
		*threshold = fs->rules.min;
		return FILTER_BELOW_MIN;
	}
	if (score > fs->rules.max) {
		*threshold = fs->rules.max;
		return FILTER_ABOVE_MAX;
	}
	if (value < g->q_cut) {
		*threshold = g->q_cut;
		return FILTER_QUANTILE;
	}
	if (value < g->z_cut) {
		*threshold = g->z_cut;
		return FILTER_ROBUST_Z;
	}
	return FILTER_KEPT;
}

enum filter_rule filter_stats_decide(struct filter_stats *fs, uint32_t gid, double score,
				     double *threshold)
{
	struct filter_group *g = &fs->groups[gid];
	enum filter_rule r = rule_for(fs, g, score, score, threshold);

	g->decided[r]++;
	return r;
}

double filter_stats_value(const struct filter_stats *fs, uint32_t gid, double score, double x)
{
	if (!fs->rules.control)
		return score;
	if (isnan(score) || isnan(x))
		return NAN;
	return line_fit_residual(&fs->groups[gid].fit, x, score);
}

enum filter_rule filter_stats_decide_x(struct filter_stats *fs, uint32_t gid, double score, double x,
				       double *threshold, double *value)
{
	struct filter_group *g = &fs->groups[gid];
	enum filter_rule r;

	*value = filter_stats_value(fs, gid, score, x);
	r = rule_for(fs, g, score, *value, threshold);
	g->decided[r]++;
	return r;
}

int filter_stats_borderline(const struct filter_stats *fs, uint32_t gid, double value)
{
	const struct filter_group *g = &fs->groups[gid];

	return !isnan(value) && !isnan(g->border_hi) && value >= g->lower && value <= g->border_hi;
}

static void bin_group(const struct filter_stats *fs, const struct filter_group *g, size_t bins,
		      uint64_t *kept, uint64_t *dropped, double lo, double hi)
{
	for (size_t i = 0; i < g->nscores; i++) {
		double x = g->scores[i], t;
		size_t b = (size_t)((x - lo) / (hi - lo) * (double)bins);
		int keep;

		if (b >= bins)
			b = bins - 1;
		/* under a control x is a residual: only the relative rules can be told */
		if (fs->rules.control)
			keep = x >= g->q_cut && x >= g->z_cut;
		else
			keep = rule_for(fs, g, x, x, &t) == FILTER_KEPT;
		if (keep)
			kept[b]++;
		else
			dropped[b]++;
	}
}

void filter_stats_histogram(const struct filter_stats *fs, uint32_t gid, size_t bins,
			    uint64_t *kept, uint64_t *dropped, double *lo, double *hi)
{
	const struct filter_summary *sm = gid == UINT32_MAX ? &fs->all : &fs->groups[gid].s;

	memset(kept, 0, bins * sizeof(*kept));
	memset(dropped, 0, bins * sizeof(*dropped));
	*lo = sm->n ? sm->min : 0;
	*hi = sm->n ? sm->max : 1;
	if (*hi <= *lo) {
		*lo -= 0.5;
		*hi += 0.5;
	}
	if (gid != UINT32_MAX) {
		bin_group(fs, &fs->groups[gid], bins, kept, dropped, *lo, *hi);
		return;
	}
	for (size_t i = 0; i < fs->ngroups; i++)
		bin_group(fs, &fs->groups[i], bins, kept, dropped, *lo, *hi);
}

/* ---- reporting ----------------------------------------------------------- */

static json_t *num_or_null(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *summary_json(const struct filter_summary *s)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}", "scored", (json_int_t)s->n,
			 "min", num_or_null(s->min), "max", num_or_null(s->max),
			 "mean", num_or_null(s->mean), "median", num_or_null(s->median),
			 "mad", num_or_null(s->mad));
}

static json_t *thresholds_json(const struct filter_stats *fs, double q_cut, double z_cut)
{
	const struct filter_rules *r = &fs->rules;

	return json_pack("{s:o, s:o, s:o, s:o}",
			 "quantile", r->drop_quantile > 0 ? num_or_null(q_cut) : json_null(),
			 "robust_z", r->robust_z > 0 ? num_or_null(z_cut) : json_null(),
			 "min", num_or_null(r->min), "max", num_or_null(r->max));
}

static json_t *fit_json(const struct line_fit *f, int global)
{
	return json_pack("{s:o, s:o, s:I, s:I, s:b, s:s}", "slope", num_or_null(f->slope),
			 "intercept", num_or_null(f->intercept), "points", (json_int_t)f->points,
			 "pairs", (json_int_t)f->pairs, "sampled", f->sampled, "from", global ? "global" : "group");
}

static json_t *dropped_json(const uint64_t *decided)
{
	json_t *o = json_object();

	for (int r = FILTER_MISSING; r < FILTER_RULES; r++)
		json_object_set_new(o, rule_names[r], json_integer((json_int_t)decided[r]));
	return o;
}

json_t *filter_stats_json(const struct filter_stats *fs)
{
	json_t *groups = json_array(), *global = summary_json(&fs->all), *out;
	uint64_t total[FILTER_RULES] = { 0 }, records = 0, missing = 0;

	for (size_t i = 0; i < fs->ngroups; i++) {
		const struct filter_group *g = &fs->groups[i];
		json_t *o = summary_json(&g->s);

		json_object_set_new(o, "group", json_string(g->name));
		json_object_set_new(o, "records", json_integer((json_int_t)g->records));
		json_object_set_new(o, "missing", json_integer((json_int_t)g->missing));
		json_object_set_new(o, "statistics", json_string(g->global ? "global" : "group"));
		json_object_set_new(o, "thresholds", thresholds_json(fs, g->q_cut, g->z_cut));
		json_object_set_new(o, "kept", json_integer((json_int_t)g->decided[FILTER_KEPT]));
		json_object_set_new(o, "dropped", dropped_json(g->decided));
		if (fs->rules.control)
			json_object_set_new(o, "fit", fit_json(&g->fit, g->fit_global));
		json_array_append_new(groups, o);
		for (int r = 0; r < FILTER_RULES; r++)
			total[r] += g->decided[r];
		records += g->records;
		missing += g->missing;
	}
	json_object_set_new(global, "records", json_integer((json_int_t)records));
	json_object_set_new(global, "missing", json_integer((json_int_t)missing));
	json_object_set_new(global, "thresholds", thresholds_json(fs, fs->q_cut, fs->z_cut));
	if (fs->rules.control)
		json_object_set_new(global, "fit", fit_json(&fs->fit, 1));
	out = json_pack("{s:o, s:o, s:I, s:o}", "global", global, "groups", groups,
			"kept", (json_int_t)total[FILTER_KEPT], "dropped", dropped_json(total));
	return out;
}
