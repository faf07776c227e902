/*
 * filter_report.c — the smelt-filter report page (see filter_report.h).
 *
 * Layout: what was run and the totals; the histogram of all scores; a
 * table of the groups; then one section per group (largest first) with
 * its histogram, its cut, and the sampled dropped and borderline records
 * as cards (text of each turn, images as thumbnails). The page, its
 * stylesheet and charts are report/'s; every string taken from the data
 * is escaped with report/html.h.
 */
#include "reward/filter_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/hash.h"
#include "core/reservoir.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "report/html.h"
#include "report/svg_chart.h"

#define BINS 40
#define CHART_W 640
#define CHART_H 200
#define TEXT_MAX 700      /* bytes of one turn shown on a card */
#define TURNS_MAX 6       /* turns shown on a card */
#define TABLE_ROWS_MAX 1000
#define DOTS_MAX 400      /* points of a group's scatter charts */
#define SCATTER_W 420
#define SCATTER_H 240

struct sample {
	json_t *rec;
	enum filter_rule rule;
	double score, threshold, value, control;
};

/* A point of the scatter charts under a control. */
struct dot {
	double x, score, residual;
	int dropped;
};

struct pick {
	struct reservoir res;
	struct sample *s; /* res.cap slots */
};

struct shown {
	uint32_t gid;
	struct pick drop, border;
	struct reservoir dots_res;
	struct dot *dots; /* DOTS_MAX slots under a control, else NULL */
};

struct filter_report {
	const struct filter_stats *fs;
	struct filter_report_opts o;
	struct shown *shown;
	size_t nshown;
	int32_t *slot; /* gid -> index in shown, or -1 */
	uint64_t image_bytes, images_skipped;
};

static void pick_init(struct pick *p, size_t cap, uint64_t seed)
{
	reservoir_init(&p->res, cap, seed);
	p->s = xcalloc(cap ? cap : 1, sizeof(*p->s));
}

static void pick_release(struct pick *p)
{
	for (uint64_t i = 0; i < reservoir_size(&p->res); i++)
		json_decref(p->s[i].rec);
	free(p->s);
}

static int by_size(const void *a, const void *b, void *ctx)
{
	const struct filter_stats *fs = ctx;
	const struct filter_group *x = &fs->groups[*(const uint32_t *)a], *y = &fs->groups[*(const uint32_t *)b];

	if (x->records != y->records)
		return x->records < y->records ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Group ids, largest group first (ties by name): the order of the page. */
static uint32_t *groups_by_size(const struct filter_stats *fs)
{
	uint32_t *order = xcalloc(fs->ngroups ? fs->ngroups : 1, sizeof(*order));

	for (size_t i = 0; i < fs->ngroups; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, fs->ngroups, sizeof(*order), by_size, (void *)fs);
	return order;
}

struct filter_report *filter_report_new(const struct filter_stats *fs,
					const struct filter_report_opts *o)
{
	struct filter_report *r = xcalloc(1, sizeof(*r));
	uint32_t *order = groups_by_size(fs);

	r->fs = fs;
	r->o = *o;
	r->nshown = fs->ngroups < o->max_groups ? fs->ngroups : o->max_groups;
	r->shown = xcalloc(r->nshown ? r->nshown : 1, sizeof(*r->shown));
	r->slot = xmalloc((fs->ngroups ? fs->ngroups : 1) * sizeof(*r->slot));
	for (size_t i = 0; i < fs->ngroups; i++)
		r->slot[i] = -1;
	for (size_t i = 0; i < r->nshown; i++) {
		struct shown *sh = &r->shown[i];
		uint64_t seed = o->seed ^ (0x9E3779B97F4A7C15ULL * (order[i] + 1));
		sh->gid = order[i];
		pick_init(&sh->drop, o->samples, seed);
		pick_init(&sh->border, o->samples, ~seed);
		if (fs->rules.control) {
			reservoir_init(&sh->dots_res, DOTS_MAX, seed + 1);
			sh->dots = xcalloc(DOTS_MAX, sizeof(*sh->dots));
		}
		r->slot[order[i]] = (int32_t)i;
	}
	free(order);
	return r;
}

void filter_report_free(struct filter_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nshown; i++) {
		pick_release(&r->shown[i].drop);
		pick_release(&r->shown[i].border);
		free(r->shown[i].dots);
	}
	free(r->shown);
	free(r->slot);
	free(r);
}

void filter_report_offer(struct filter_report *r, uint32_t gid, const struct filter_report_item *it)
{
	struct shown *sh;
	struct pick *p;
	int64_t slot;
	json_t *rec;

	if (r->slot[gid] < 0)
		return;
	sh = &r->shown[r->slot[gid]];
	if (sh->dots && !isnan(it->score) && !isnan(it->value) && (slot = reservoir_offer(&sh->dots_res)) >= 0)
		sh->dots[slot] = (struct dot){ it->x, it->score, it->value, it->rule != FILTER_KEPT };
	if (!r->o.samples)
		return;
	if (it->rule != FILTER_KEPT)
		p = &sh->drop;
	else if (filter_stats_borderline(r->fs, gid, it->value))
		p = &sh->border;
	else
		return;
	if ((slot = reservoir_offer(&p->res)) < 0)
		return;
	rec = json_loadb(it->text, it->len, 0, NULL);
	if (!rec)
		rec = json_stringn_nocheck(it->text, it->len);
	json_decref(p->s[slot].rec);
	p->s[slot] = (struct sample){ rec, it->rule, it->score, it->threshold, it->value, it->control };
}

/* ---- charts -------------------------------------------------------------- */

/*
 * Scores of group `gid` (UINT32_MAX: all) as stacked bars — kept below,
 * dropped above — with the lower cut and the --max bound drawn as lines.
 */
static void histogram(struct sbuf *out, const struct filter_stats *fs, uint32_t gid, double cut)
{
	uint64_t kept[BINS], dropped[BINS];
	double edges[BINS + 1], k[BINS], d[BINS], lo, hi;
	const struct svg_series series[] = {
		{ .cls = "kept", .name = "kept", .counts = k },
		{ .cls = "dropped", .name = "dropped", .counts = d },
	};
	/* --max bounds raw scores: no place on a histogram of residuals */
	const struct svg_mark marks[] = { { "cut", cut }, { "max", fs->rules.control ? NAN : fs->rules.max } };

	filter_stats_histogram(fs, gid, BINS, kept, dropped, &lo, &hi);
	for (int i = 0; i < BINS; i++)
		edges[i] = lo + (hi - lo) * i / BINS;
	edges[BINS] = hi; /* exactly: a mark at the largest score is drawn */
	for (int i = 0; i < BINS; i++) {
		k[i] = (double)kept[i];
		d[i] = (double)dropped[i];
	}
	sbuf_addstr(out, "<figure>");
	svg_chart_histogram(out, &(struct svg_histogram){
		.width = CHART_W, .height = CHART_H, .cls = "hist", .nbins = BINS, .edges = edges,
		.series = series, .nseries = ARRAY_SIZE(series),
		.marks = marks, .nmarks = ARRAY_SIZE(marks),
	});
	sbuf_addstr(out, "</figure>");
}

/*
 * Under a control, the sampled points of a group twice: score against the
 * control with the fitted line (the bias the cut would follow), and the
 * residual against the control with the cut (what is cut instead).
 */
static void scatters(struct sbuf *out, const struct filter_stats *fs, const struct shown *sh,
		     const struct filter_report_opts *o)
{
	static const char *const cls[] = { "kept", "dropped" };
	const struct filter_group *g = &fs->groups[sh->gid];
	size_t n = reservoir_size(&sh->dots_res);
	struct svg_point *before = xcalloc(n ? n : 1, sizeof(*before)), *after = xcalloc(n ? n : 1, sizeof(*after));
	double lo = INFINITY, hi = -INFINITY;
	const struct svg_mark cut[] = { { "cut", g->lower } };

	for (size_t i = 0; i < n; i++) {
		const struct dot *d = &sh->dots[i];
		before[i] = (struct svg_point){ d->x, d->score, (unsigned)d->dropped };
		after[i] = (struct svg_point){ d->x, d->residual, (unsigned)d->dropped };
		lo = fmin(lo, d->x);
		hi = fmax(hi, d->x);
	}
	if (n) {
		const struct svg_segment fit = { "fit", lo, line_fit_at(&g->fit, lo), hi, line_fit_at(&g->fit, hi) };
		const struct svg_segment zero = { "zero", lo, 0, hi, 0 };

		sbuf_addf(out, "<div class=\"grid\"><figure><figcaption>before: score against %s, "
			       "the fitted line (a random %zu of %llu points)</figcaption>", o->control_name, n,
			  (unsigned long long)sh->dots_res.seen);
		svg_chart_scatter(out, &(struct svg_scatter){
			.width = SCATTER_W, .height = SCATTER_H, .cls = "scatter", .points = before, .npoints = n,
			.point_cls = cls, .ncls = 2, .lines = &fit, .nlines = 1,
			.x_name = o->control_name, .y_name = "score", .x_log1p = o->control_log,
		});
		sbuf_addf(out, "</figure><figure><figcaption>after: residual (score − fitted) against %s, "
			       "the cut</figcaption>", o->control_name);
		svg_chart_scatter(out, &(struct svg_scatter){
			.width = SCATTER_W, .height = SCATTER_H, .cls = "scatter", .points = after, .npoints = n,
			.point_cls = cls, .ncls = 2, .lines = &zero, .nlines = 1, .hmarks = cut, .nhmarks = 1,
			.x_name = o->control_name, .y_name = "residual", .x_log1p = o->control_log,
		});
		sbuf_addstr(out, "</figure></div>");
	}
	free(before);
	free(after);
}

/* ---- sample cards -------------------------------------------------------- */

static void add_turn(struct sbuf *out, const char *role, const json_t *content)
{
	size_t i;
	json_t *part;

	sbuf_addstr(out, "<div class=\"turn\"><span class=\"role\">");
	html_escape_str(out, role ? role : "?");
	sbuf_addstr(out, ":</span> ");
	if (json_is_string(content)) {
		html_escape_clipped(out, json_string_value(content), json_string_length(content), TEXT_MAX);
	} else if (json_is_array(content)) {
		json_array_foreach(content, i, part) {
			const json_t *t = json_object_get(part, "text");
			if (json_is_string(t))
				html_escape_clipped(out, json_string_value(t), json_string_length(t), TEXT_MAX);
			else
				sbuf_addstr(out, "[image]");
		}
	}
	if (json_is_string(content) && !json_string_length(content))
		sbuf_addstr(out, "<span class=\"note\">(empty)</span>");
	sbuf_addstr(out, "</div>");
}

static void add_conversation(struct sbuf *out, const json_t *rec)
{
	static const char *const fields[] = { "instruction", "input", "output", "prompt", "question",
					      "answer", "text" };
	const json_t *msgs = json_object_get(rec, "messages"), *m;
	const char *role_key = "role", *content_key = "content";
	size_t i, shown = 0;

	if (!json_is_array(msgs)) {
		msgs = json_object_get(rec, "conversations");
		role_key = "from";
		content_key = "value";
	}
	if (json_is_array(msgs)) {
		json_array_foreach(msgs, i, m) {
			if (shown++ == TURNS_MAX) {
				sbuf_addf(out, "<div class=\"note\">… %zu more turns</div>", json_array_size(msgs) - i);
				break;
			}
			add_turn(out, json_string_value(json_object_get(m, role_key)),
				 json_object_get(m, content_key));
		}
		return;
	}
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		const json_t *v = json_object_get(rec, fields[i]);
		if (json_is_string(v)) {
			add_turn(out, fields[i], v);
			shown++;
		}
	}
	if (!shown) {
		char *text = json_is_string(rec) ? xstrdup(json_string_value(rec)) : json_dumps(rec, JSON_COMPACT);
		if (text) {
			sbuf_addstr(out, "<div class=\"turn\">");
			html_escape_clipped(out, text, strlen(text), TEXT_MAX);
			sbuf_addstr(out, "</div>");
		}
		free(text);
	}
}

/*
 * How the page names image `ref`: as written, unless it holds an absolute
 * local path (a page is shared; where files live on this machine is not
 * its business) — then the path relative to the root when it is under an
 * absolute root, else a hash of it. Returns 1 if the name differs from ref.
 */
static int image_name(struct sbuf *out, const char *ref, const char *root)
{
	const char *path = !strncmp(ref, "tar:", 4) ? ref + 4 : ref;
	size_t len = path == ref ? strlen(path) : strcspn(path, "#"), n = root ? strlen(root) : 0;
	char hex[HASH128_HEX_LEN + 1];

	if (path[0] != '/') {
		sbuf_addstr(out, ref);
		return 0;
	}
	sbuf_add(out, ref, (size_t)(path - ref));
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (n && root[0] == '/' && len > n + 1 && !strncmp(path, root, n) && path[n] == '/') {
		sbuf_add(out, path + n + 1, len - n - 1);
	} else {
		hash128_hex(hash128(path, len), hex);
		sbuf_addf(out, "(absolute path %.12s)", hex);
	}
	sbuf_addstr(out, path + len);
	return 1;
}

static void add_image(struct filter_report *r, struct sbuf *out, const char *ref)
{
	struct sbuf url = SBUF_INIT, err = SBUF_INIT, name = SBUF_INIT;
	const char *kind = NULL;
	int renamed = image_name(&name, ref, r->o.images.root);

	if (image_load_url(ref, &r->o.images, &url, &kind, &err) < 0) {
		sbuf_addstr(out, "<span class=\"imgnote\">");
		html_escape_str(out, kind && !strcmp(kind, IMAGE_TOO_LARGE) ? "image too large for a thumbnail: " : "");
		if (renamed) {
			/* the message quotes the ref as written */
			sbuf_reset(&err);
			sbuf_addf(&err, "image '%s': %s", name.buf, kind);
		}
		html_escape_str(out, err.buf);
		sbuf_addstr(out, "</span>");
	} else if (strncmp(url.buf, "data:", 5)) {
		/* never make the page fetch anything */
		sbuf_addstr(out, "<span class=\"imgnote\">remote image, not embedded</span>");
	} else if (r->image_bytes + url.len > r->o.image_budget) {
		r->images_skipped++;
		sbuf_addstr(out, "<span class=\"imgnote\">image not embedded (page image budget spent)</span>");
	} else {
		r->image_bytes += url.len;
		sbuf_addstr(out, "<img class=\"thumb\" alt=\"");
		html_escape_str(out, name.buf);
		sbuf_addstr(out, "\" src=\"");
		html_escape(out, url.buf, url.len);
		sbuf_addstr(out, "\">");
	}
	sbuf_release(&url);
	sbuf_release(&err);
	sbuf_release(&name);
}

static void add_images(struct filter_report *r, struct sbuf *out, const json_t *rec)
{
	const json_t *imgs = json_object_get(rec, "images"), *v;
	size_t i;

	if (!imgs)
		imgs = json_object_get(rec, "image");
	if (json_is_string(imgs)) {
		sbuf_addstr(out, "<div class=\"thumbs\">");
		add_image(r, out, json_string_value(imgs));
		sbuf_addstr(out, "</div>");
		return;
	}
	if (!json_array_size(imgs))
		return;
	sbuf_addstr(out, "<div class=\"thumbs\">");
	json_array_foreach(imgs, i, v)
		if (json_is_string(v))
			add_image(r, out, json_string_value(v));
	sbuf_addstr(out, "</div>");
}

static void add_card(struct filter_report *r, struct sbuf *out, const struct sample *s)
{
	const char *id = json_string_value(json_object_get(s->rec, "id"));

	sbuf_addf(out, "<div class=\"sample %s\"><div class=\"meta\">", s->rule == FILTER_KEPT ? "kept" : "dropped");
	if (id) {
		sbuf_addstr(out, "<code>");
		html_escape_str(out, id);
		sbuf_addstr(out, "</code> · ");
	}
	sbuf_addstr(out, "score <b>");
	html_num(out, s->score);
	sbuf_addstr(out, "</b>");
	if (r->fs->rules.control) {
		sbuf_addstr(out, " · residual ");
		html_num(out, s->value);
		sbuf_addf(out, " · %s ", r->o.control_name);
		html_num(out, s->control);
	}
	if (s->rule != FILTER_KEPT) {
		sbuf_addf(out, " · %s", filter_rule_name(s->rule));
		if (!isnan(s->threshold)) {
			sbuf_addstr(out, s->rule == FILTER_ABOVE_MAX ? " &gt; " : " &lt; ");
			html_num(out, s->threshold);
		}
	}
	sbuf_addstr(out, "</div>");
	add_images(r, out, s->rec);
	add_conversation(out, s->rec);
	sbuf_addstr(out, "</div>");
}

static void add_cards(struct filter_report *r, struct sbuf *out, struct pick *p, const char *title,
		      const char *empty)
{
	uint64_t n = reservoir_size(&p->res);

	sbuf_addf(out, "<h4>%s — ", title);
	if (p->res.seen > n)
		sbuf_addf(out, "a random %llu of %llu", (unsigned long long)n, (unsigned long long)p->res.seen);
	else
		sbuf_addf(out, "all %llu", (unsigned long long)n);
	sbuf_addstr(out, "</h4>");
	if (!n) {
		sbuf_addf(out, "<p class=\"note\">%s</p>", empty);
		return;
	}
	sbuf_addstr(out, "<div class=\"cards\">");
	for (uint64_t i = 0; i < n; i++)
		add_card(r, out, &p->s[i]);
	sbuf_addstr(out, "</div>");
}

/* ---- the page ------------------------------------------------------------ */

static uint64_t dropped_total(const struct filter_group *g)
{
	uint64_t n = 0;

	for (int k = FILTER_MISSING; k < FILTER_RULES; k++)
		n += g->decided[k];
	return n;
}

static void add_rules(struct sbuf *out, const struct filter_stats *fs)
{
	const struct filter_rules *r = &fs->rules;
	int any = 0;

	if (r->drop_quantile > 0) {
		sbuf_addf(out, "drop the bottom %g%% per group", 100 * r->drop_quantile);
		any = 1;
	}
	if (r->robust_z > 0) {
		sbuf_addf(out, "%srobust z below −%g (median, MAD)", any ? " · " : "", r->robust_z);
		any = 1;
	}
	if (isfinite(r->min)) {
		sbuf_addf(out, "%sscore ≥ ", any ? " · " : "");
		html_num(out, r->min);
		any = 1;
	}
	if (isfinite(r->max)) {
		sbuf_addf(out, "%sscore ≤ ", any ? " · " : "");
		html_num(out, r->max);
		any = 1;
	}
	sbuf_addf(out, "%srecords without a score: %s", any ? " · " : "",
		  r->keep_missing ? "kept" : "dropped (missing_score)");
	sbuf_addf(out, " · groups under %llu scores use global statistics", (unsigned long long)r->min_group);
}

static void add_header(struct sbuf *out, const struct filter_stats *fs, const json_t *info)
{
	const json_t *by = json_object_get(info, "by"), *v;
	uint64_t kept = 0, by_rule[FILTER_RULES] = { 0 };
	size_t i;

	html_page_open(out, "smelt-filter report");
	sbuf_addstr(out, "<h1>smelt-filter report</h1><p class=\"sub\">score <code>");
	html_escape_str(out, json_string_value(json_object_get(info, "score")) ? json_string_value(json_object_get(info, "score")) : "?");
	sbuf_addstr(out, "</code> · groups by ");
	if (json_array_size(by)) {
		json_array_foreach(by, i, v) {
			sbuf_addstr(out, i ? ", <code>" : "<code>");
			html_escape_str(out, json_string_value(v) ? json_string_value(v) : "?");
			sbuf_addstr(out, "</code>");
		}
	} else {
		sbuf_addstr(out, "nothing (one global cut)");
	}
	if (json_is_true(json_object_get(info, "dry_run")))
		sbuf_addstr(out, " · <b>dry run</b>: nothing was written but this page");
	sbuf_addstr(out, "<br>");
	add_rules(out, fs);
	if (json_object_get(info, "control")) {
		const json_t *c = json_object_get(info, "control");
		const char *name = json_string_value(json_object_get(c, "by"));
		int log = !strcmp(json_string_value(json_object_get(c, "scale")) ? json_string_value(json_object_get(c, "scale")) : "", "log");

		sbuf_addf(out, "<br><b>length control</b>: the relative rules cut the residual of the score against %s",
			  log ? "log(1 + " : "");
		html_escape_str(out, name ? name : "?");
		sbuf_addf(out, "%s, a Theil–Sen line per group; --min and --max bound the raw score", log ? ")" : "");
	}
	sbuf_addstr(out, "</p>\n<h2>Totals</h2><table><tr><th class=\"l\">records read</th><td>");
	sbuf_addf(out, "%lld", (long long)json_integer_value(json_object_get(info, "records_in")));
	sbuf_addf(out, "</td></tr><tr><th class=\"l\">bad input (set aside before scoring)</th><td>%lld</td></tr>",
		  (long long)json_integer_value(json_object_get(info, "input_rejects")));
	for (size_t g = 0; g < fs->ngroups; g++)
		for (int k = 0; k < FILTER_RULES; k++)
			by_rule[k] += fs->groups[g].decided[k];
	kept = by_rule[FILTER_KEPT];
	sbuf_addf(out, "<tr><th class=\"l\">kept</th><td>%llu</td></tr>", (unsigned long long)kept);
	for (int k = FILTER_MISSING; k < FILTER_RULES; k++)
		sbuf_addf(out, "<tr><th class=\"l\">dropped: %s</th><td>%llu</td></tr>", filter_rule_name(k),
			  (unsigned long long)by_rule[k]);
	sbuf_addf(out, "<tr><th class=\"l\">groups</th><td>%zu</td></tr></table>\n", fs->ngroups);
}

static void add_group_table(struct sbuf *out, const struct filter_stats *fs, const uint32_t *order)
{
	sbuf_addstr(out, "<h2>Groups</h2><table><tr><th class=\"l\">group</th><th>records</th><th>scored</th>"
			 "<th>missing</th><th>median</th><th>MAD</th><th class=\"l\">statistics</th>"
			 "<th>cut</th><th>kept</th><th>dropped</th><th>% dropped</th></tr>");
	for (size_t i = 0; i < fs->ngroups && i < TABLE_ROWS_MAX; i++) {
		const struct filter_group *g = &fs->groups[order[i]];
		uint64_t d = dropped_total(g);

		sbuf_addstr(out, "<tr><td class=\"l\">");
		html_escape_str(out, g->name);
		sbuf_addf(out, "</td><td>%llu</td><td>%llu</td><td>%llu</td><td>", (unsigned long long)g->records,
			  (unsigned long long)g->s.n, (unsigned long long)g->missing);
		html_num(out, g->s.median);
		sbuf_addstr(out, "</td><td>");
		html_num(out, g->s.mad);
		sbuf_addf(out, "</td><td class=\"l\">%s</td><td>", g->global ? "global (small group)" : "group");
		html_num(out, g->lower);
		sbuf_addf(out, "</td><td>%llu</td><td>%llu</td><td>%.1f</td></tr>",
			  (unsigned long long)g->decided[FILTER_KEPT], (unsigned long long)d,
			  g->records ? 100.0 * (double)d / (double)g->records : 0.0);
	}
	sbuf_addstr(out, "</table>");
	if (fs->ngroups > TABLE_ROWS_MAX)
		sbuf_addf(out, "<p class=\"note\">%zu smaller groups are not listed (see --stats).</p>",
			  fs->ngroups - TABLE_ROWS_MAX);
}

static void add_group_section(struct filter_report *r, struct sbuf *out, struct shown *sh)
{
	const struct filter_stats *fs = r->fs;
	const struct filter_group *g = &fs->groups[sh->gid];

	sbuf_addstr(out, "<section class=\"group\"><h3>");
	html_escape_str(out, g->name);
	sbuf_addf(out, "</h3><p class=\"sub\">%llu records · %llu scored · %llu without a score · "
		       "<b>%llu kept</b> · <b>%llu dropped</b>",
		  (unsigned long long)g->records, (unsigned long long)g->s.n, (unsigned long long)g->missing,
		  (unsigned long long)g->decided[FILTER_KEPT], (unsigned long long)dropped_total(g));
	for (int k = FILTER_MISSING; k < FILTER_RULES; k++)
		if (g->decided[k])
			sbuf_addf(out, " (%s %llu)", filter_rule_name(k), (unsigned long long)g->decided[k]);
	sbuf_addstr(out, "<br>median ");
	html_num(out, g->s.median);
	sbuf_addstr(out, " · MAD ");
	html_num(out, g->s.mad);
	sbuf_addstr(out, " · cut ");
	html_num(out, g->lower);
	if (g->global)
		sbuf_addf(out, " <span class=\"note\">(from global statistics: fewer than %llu scores)</span>",
			  (unsigned long long)fs->rules.min_group);
	sbuf_addstr(out, "</p>");
	if (fs->rules.control) {
		sbuf_addstr(out, "<p class=\"sub\">fit: score = ");
		html_num(out, g->fit.intercept);
		sbuf_addstr(out, " + ");
		html_num(out, g->fit.slope);
		sbuf_addf(out, " · %s%s%s (Theil–Sen, %s); the histogram, median, MAD and cut are of residuals</p>",
			  r->o.control_log ? "log(1 + " : "", r->o.control_name, r->o.control_log ? ")" : "",
			  g->fit_global ? "the line through all groups: a small group" : "this group's points");
	}
	if (g->s.n)
		histogram(out, fs, sh->gid, g->lower);
	if (sh->dots)
		scatters(out, fs, sh, &r->o);
	add_cards(r, out, &sh->drop, "Dropped", "Nothing was dropped.");
	add_cards(r, out, &sh->border, "Borderline kept (just above the cut)", "No kept record near the cut.");
	sbuf_addstr(out, "</section>\n");
}

int filter_report_write(struct filter_report *r, const char *path, const json_t *info)
{
	const struct filter_stats *fs = r->fs;
	struct sbuf out = SBUF_INIT;
	uint32_t *order = groups_by_size(fs);
	int ret = 0;

	add_header(&out, fs, info);
	sbuf_addstr(&out, fs->rules.control ? "<h2>All residuals</h2>" : "<h2>All scores</h2>");
	if (fs->all.n) {
		sbuf_addf(&out, "<p class=\"sub\">%llu scores · median ", (unsigned long long)fs->all.n);
		html_num(&out, fs->all.median);
		sbuf_addstr(&out, " · MAD ");
		html_num(&out, fs->all.mad);
		sbuf_addstr(&out, "</p>");
		histogram(&out, fs, UINT32_MAX, fs->ngroups == 1 ? fs->groups[0].lower :
			  fs->rules.control ? -INFINITY : fs->rules.min);
	} else {
		sbuf_addstr(&out, "<p class=\"note\">No record had a score.</p>");
	}
	add_group_table(&out, fs, order);
	for (size_t i = 0; i < r->nshown; i++)
		add_group_section(r, &out, &r->shown[i]);
	if (fs->ngroups > r->nshown)
		sbuf_addf(&out, "<p class=\"note\">%zu smaller groups have no section (raise --report-groups).</p>",
			  fs->ngroups - r->nshown);
	if (r->images_skipped)
		sbuf_addf(&out, "<p class=\"note\">%llu images were not embedded: the page's image budget was spent.</p>",
			  (unsigned long long)r->images_skipped);
	html_page_close(&out);
	free(order);

	/* whole or not at all: a half page would look like a small report */
	if (atomic_file_write(path, out.buf, out.len, 0666) < 0)
		ret = error("cannot write the report '%s'", path);
	sbuf_release(&out);
	return ret;
}
