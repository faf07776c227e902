/*
 * stats_html.c — the smelt-stats report page (see stats_html.h).
 *
 * Layout: totals; a table of fields with their lengths and values, then a
 * histogram per distribution; conversations (turns, per-role lengths);
 * groups (a bar chart of sizes, a table, and per-group histograms of the
 * numeric fields). Charts are plain SVG bars, each with a <title> so a
 * pointer shows the exact bin and count.
 */
#include "report/stats_html.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"

#define CHART_W 360
#define CHART_H 170
#define PAD_L 46
#define PAD_B 34
#define PAD_T 12
#define GROUP_BARS_MAX 40
#define GROUP_CHARTS_MAX 12

static const char page_css[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;"
	"max-width:1200px;padding:0 1em;color:#1d2330;background:#fafbfc}"
	"h1{font-size:1.6em;margin:0 0 .2em}h2{font-size:1.25em;margin:1.6em 0 .5em;"
	"border-bottom:2px solid #d8dde6;padding-bottom:.2em}h3{font-size:1.05em;margin:1.2em 0 .4em}"
	".sub{color:#5b6475;margin:0 0 1em}"
	"table{border-collapse:collapse;margin:.4em 0 1em;background:#fff}"
	"th,td{border:1px solid #d8dde6;padding:.25em .6em;text-align:right;vertical-align:top}"
	"th{background:#eef1f6}td.l,th.l{text-align:left}"
	"td.k{font-family:ui-monospace,Menlo,Consolas,monospace;text-align:left;word-break:break-all}"
	".grid{display:flex;flex-wrap:wrap;gap:12px}"
	"figure{margin:0;background:#fff;border:1px solid #d8dde6;border-radius:6px;padding:8px}"
	"figcaption{font-size:12px;color:#394152;margin-bottom:4px;max-width:360px;word-break:break-all}"
	"svg text{font:10px sans-serif;fill:#394152}"
	"rect.bar{fill:#4a7bd0}rect.bar:hover{fill:#e0803a}rect.hbar{fill:#5aa36b}"
	".note{color:#5b6475;font-size:12px}";

void html_escape(struct sbuf *out, const char *s, size_t len)
{
	size_t run = 0;

	for (size_t i = 0; i < len; i++) {
		const char *rep;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		sbuf_add(out, s + run, i - run);
		sbuf_addstr(out, rep);
		run = i + 1;
	}
	sbuf_add(out, s + run, len - run);
}

static void esc(struct sbuf *out, const char *s)
{
	html_escape(out, s, strlen(s));
}

static void esc_json_string(struct sbuf *out, const json_t *v)
{
	if (json_is_string(v))
		html_escape(out, json_string_value(v), json_string_length(v));
}

/* A number for people: integers whole, others with 4 significant digits. */
static void add_num(struct sbuf *out, double x)
{
	if (x == floor(x) && fabs(x) < 1e15)
		sbuf_addf(out, "%.0f", x);
	else
		sbuf_addf(out, "%.4g", x);
}

static double num(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* Some text, then a number. */
static void text_num(struct sbuf *out, const char *text, double x)
{
	sbuf_addstr(out, text);
	add_num(out, x);
}

static void td_num(struct sbuf *out, double x)
{
	sbuf_addstr(out, "<td>");
	add_num(out, x);
	sbuf_addstr(out, "</td>");
}

/* A histogram {edges, counts} as an SVG bar chart. */
static void svg_histogram(struct sbuf *out, const json_t *hist)
{
	const json_t *edges = json_object_get(hist, "edges"), *counts = json_object_get(hist, "counts");
	size_t k = json_array_size(counts), i;
	double maxc = 0, plot_w = CHART_W - PAD_L - 8, plot_h = CHART_H - PAD_B - PAD_T, bw;
	json_t *c;

	if (!k || json_array_size(edges) != k + 1)
		return;
	json_array_foreach(counts, i, c)
		if (json_number_value(c) > maxc)
			maxc = json_number_value(c);
	bw = plot_w / (double)k;
	sbuf_addf(out, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">",
		  CHART_W, CHART_H, CHART_W, CHART_H);
	sbuf_addf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#8892a6\"/>", PAD_L,
		  CHART_H - PAD_B, CHART_W - 8, CHART_H - PAD_B);
	sbuf_addf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#8892a6\"/>", PAD_L,
		  PAD_T, PAD_L, CHART_H - PAD_B);
	json_array_foreach(counts, i, c) {
		double n = json_number_value(c), h = maxc > 0 ? n / maxc * plot_h : 0;
		sbuf_addf(out, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
			  "<title>[", PAD_L + i * bw + 0.5, CHART_H - PAD_B - h, bw > 2 ? bw - 1 : bw, h);
		add_num(out, json_number_value(json_array_get(edges, i)));
		sbuf_addstr(out, ", ");
		add_num(out, json_number_value(json_array_get(edges, i + 1)));
		sbuf_addstr(out, "): ");
		add_num(out, n);
		sbuf_addstr(out, "</title></rect>");
	}
	sbuf_addf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", PAD_L - 4, PAD_T + 8);
	add_num(out, maxc);
	sbuf_addf(out, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>", PAD_L - 4,
		  CHART_H - PAD_B);
	/* x labels at the start, the middle (when there is one) and the end */
	size_t ticks[3] = { 0, k / 2, k };
	for (size_t t = 0; t < 3; t++) {
		size_t j = ticks[t];
		if (t == 1 && (j == 0 || j == k))
			continue;
		sbuf_addf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">", PAD_L + j * bw,
			  CHART_H - PAD_B + 14, j == 0 ? "start" : j == k ? "end" : "middle");
		add_num(out, json_number_value(json_array_get(edges, j)));
		sbuf_addstr(out, "</text>");
	}
	sbuf_addstr(out, "</svg>");
}

/* One chart card: a caption, the histogram and how exact it is. */
static void figure(struct sbuf *out, const char *title, const char *what, const json_t *dist)
{
	if (!json_object_get(dist, "histogram"))
		return;
	sbuf_addstr(out, "<figure><figcaption><b>");
	esc(out, title);
	sbuf_addstr(out, "</b> ");
	esc(out, what);
	text_num(out, " · n=", num(dist, "count"));
	text_num(out, " · mean ", num(dist, "mean"));
	text_num(out, " · p50 ", num(dist, "p50"));
	text_num(out, " · p99 ", num(dist, "p99"));
	if (!json_is_true(json_object_get(dist, "exact"))) {
		text_num(out, " · <span class=\"note\">estimated from ", num(dist, "sample_size"));
		sbuf_addstr(out, " sampled values</span>");
	}
	sbuf_addstr(out, "</figcaption>");
	svg_histogram(out, json_object_get(dist, "histogram"));
	sbuf_addstr(out, "</figure>");
}

/* Cells: count, mean, p50, p90, p99, max of a distribution (or blanks). */
static void dist_cells(struct sbuf *out, const json_t *d)
{
	static const char *const keys[] = { "mean", "p50", "p90", "p99", "max" };

	if (!d || !num(d, "count")) {
		sbuf_addstr(out, "<td></td><td></td><td></td><td></td><td></td>");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		td_num(out, num(d, keys[i]));
}

static void totals(struct sbuf *out, const json_t *doc)
{
	const json_t *groups = json_object_get(doc, "groups");

	sbuf_addstr(out, "<h2>Totals</h2><table><tr><th class=\"l\">records</th>");
	td_num(out, num(doc, "records"));
	sbuf_addstr(out, "</tr><tr><th class=\"l\">rejected (not counted)</th>");
	td_num(out, num(doc, "rejected"));
	sbuf_addstr(out, "</tr><tr><th class=\"l\">fields</th>");
	td_num(out, (double)json_array_size(json_object_get(doc, "fields")));
	sbuf_addstr(out, "</tr>");
	if (groups) {
		sbuf_addstr(out, "<tr><th class=\"l\">groups by <code>");
		esc_json_string(out, json_object_get(groups, "by"));
		sbuf_addstr(out, "</code></th>");
		td_num(out, num(groups, "count"));
		sbuf_addstr(out, "</tr>");
	}
	sbuf_addstr(out, "</table>");
}

static void types_cell(struct sbuf *out, const json_t *types)
{
	const char *key;
	json_t *v;
	int first = 1;

	sbuf_addstr(out, "<td class=\"l\">");
	json_object_foreach((json_t *)types, key, v) {
		sbuf_addf(out, "%s%s ", first ? "" : ", ", key);
		add_num(out, json_number_value(v));
		first = 0;
	}
	sbuf_addstr(out, "</td>");
}

static void fields_section(struct sbuf *out, const json_t *doc)
{
	const json_t *fields = json_object_get(doc, "fields");
	double records = num(doc, "records");
	size_t i;
	json_t *f;

	sbuf_addstr(out, "<h2>Fields</h2><table><tr><th class=\"l\">field</th><th>present</th>"
			 "<th>%</th><th class=\"l\">types</th><th>length mean</th><th>p50</th>"
			 "<th>p90</th><th>p99</th><th>max</th><th>value mean</th><th>min</th>"
			 "<th>max</th></tr>");
	json_array_foreach(fields, i, f) {
		const json_t *len = json_object_get(f, "length"), *val = json_object_get(f, "value");
		sbuf_addstr(out, "<tr><td class=\"k\">");
		esc_json_string(out, json_object_get(f, "path"));
		sbuf_addstr(out, "</td>");
		td_num(out, num(f, "present"));
		td_num(out, records > 0 ? round(1000 * num(f, "present") / records) / 10 : 0);
		types_cell(out, json_object_get(f, "types"));
		dist_cells(out, len);
		if (val && num(val, "count")) {
			td_num(out, num(val, "mean"));
			td_num(out, num(val, "min"));
			td_num(out, num(val, "max"));
		} else {
			sbuf_addstr(out, "<td></td><td></td><td></td>");
		}
		sbuf_addstr(out, "</tr>");
	}
	sbuf_addstr(out, "</table><p class=\"note\">Lengths are in characters (Unicode code points);"
			 " quantiles are nearest-rank.</p><div class=\"grid\">");
	json_array_foreach(fields, i, f) {
		const char *path = json_string_value(json_object_get(f, "path"));
		figure(out, path, "length (characters)", json_object_get(f, "length"));
		figure(out, path, "items per array", json_object_get(f, "items"));
		figure(out, path, "values", json_object_get(f, "value"));
	}
	sbuf_addstr(out, "</div>");
}

static void conversations_section(struct sbuf *out, const json_t *doc)
{
	const json_t *convs = json_object_get(doc, "conversations");
	size_t i, j;
	json_t *c, *r;

	if (!json_array_size(convs))
		return;
	sbuf_addstr(out, "<h2>Conversations</h2>");
	json_array_foreach(convs, i, c) {
		const char *field = json_string_value(json_object_get(c, "field"));
		sbuf_addstr(out, "<h3><code>");
		esc(out, field);
		sbuf_addstr(out, "</code>: ");
		add_num(out, num(c, "records"));
		sbuf_addstr(out, " records</h3><table><tr><th class=\"l\">role</th><th>messages</th>"
				 "<th>length mean</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr>");
		json_array_foreach(json_object_get(c, "roles"), j, r) {
			sbuf_addstr(out, "<tr><td class=\"k\">");
			esc_json_string(out, json_object_get(r, "role"));
			sbuf_addstr(out, "</td>");
			td_num(out, num(r, "messages"));
			dist_cells(out, json_object_get(r, "length"));
			sbuf_addstr(out, "</tr>");
		}
		sbuf_addstr(out, "</table><div class=\"grid\">");
		figure(out, field, "turns (messages per conversation)", json_object_get(c, "turns"));
		json_array_foreach(json_object_get(c, "roles"), j, r) {
			struct sbuf what = SBUF_INIT;
			sbuf_addf(&what, "%s content length (characters)",
				  json_string_value(json_object_get(r, "role")));
			figure(out, field, what.buf, json_object_get(r, "length"));
			sbuf_release(&what);
		}
		sbuf_addstr(out, "</div>");
	}
}

/* Group sizes as horizontal bars, largest first. */
static void svg_group_bars(struct sbuf *out, const json_t *values)
{
	size_t n = json_array_size(values), i;
	double maxc = n ? num(json_array_get(values, 0), "records") : 0;
	const int row = 18, label_w = 200, bar_w = 420;
	json_t *g;

	if (n > GROUP_BARS_MAX)
		n = GROUP_BARS_MAX;
	sbuf_addf(out, "<svg width=\"%d\" height=\"%zu\" role=\"img\">", label_w + bar_w + 80,
		  n * row + 4);
	json_array_foreach(values, i, g) {
		double w;
		const json_t *key = json_object_get(g, "key");
		size_t klen = json_string_length(key);
		if (i >= n)
			break;
		w = maxc > 0 ? num(g, "records") / maxc * bar_w : 0;
		sbuf_addf(out, "<text x=\"%d\" y=\"%zu\" text-anchor=\"end\">", label_w - 6,
			  i * row + 13);
		html_escape(out, json_string_value(key), klen > 32 ? 32 : klen);
		if (klen > 32)
			sbuf_addstr(out, "…");
		sbuf_addf(out, "</text><rect class=\"hbar\" x=\"%d\" y=\"%zu\" width=\"%.1f\" "
			       "height=\"%d\"><title>", label_w, i * row + 2, w, row - 4);
		esc_json_string(out, key);
		sbuf_addstr(out, ": ");
		add_num(out, num(g, "records"));
		sbuf_addf(out, "</title></rect><text x=\"%.1f\" y=\"%zu\">", label_w + w + 4,
			  i * row + 13);
		add_num(out, num(g, "records"));
		sbuf_addstr(out, "</text>");
	}
	sbuf_addstr(out, "</svg>");
}

static void groups_section(struct sbuf *out, const json_t *doc)
{
	const json_t *groups = json_object_get(doc, "groups"), *values;
	size_t i, j;
	json_t *g, *d;

	if (!groups)
		return;
	values = json_object_get(groups, "values");
	sbuf_addstr(out, "<h2>Groups by <code>");
	esc_json_string(out, json_object_get(groups, "by"));
	text_num(out, "</code></h2><p class=\"sub\">", num(groups, "count"));
	text_num(out, " groups; ", num(groups, "missing"));
	text_num(out, " records without the field; ", num(groups, "other_records"));
	sbuf_addstr(out, " records in groups past the limit.</p>");
	svg_group_bars(out, values);
	sbuf_addstr(out, "<table><tr><th class=\"l\">group</th><th>records</th><th>share %</th>"
			 "<th>turns mean</th><th class=\"l\">numeric fields: mean (p50)</th></tr>");
	json_array_foreach(values, i, g) {
		const json_t *turns = json_object_get(g, "turns");
		sbuf_addstr(out, "<tr><td class=\"k\">");
		esc_json_string(out, json_object_get(g, "key"));
		sbuf_addstr(out, "</td>");
		td_num(out, num(g, "records"));
		td_num(out, round(1000 * num(g, "share")) / 10);
		if (turns)
			td_num(out, num(turns, "mean"));
		else
			sbuf_addstr(out, "<td></td>");
		sbuf_addstr(out, "<td class=\"l\">");
		json_array_foreach(json_object_get(g, "numeric"), j, d) {
			sbuf_addstr(out, j ? "; " : "");
			esc_json_string(out, json_object_get(d, "path"));
			text_num(out, " ", num(d, "mean"));
			text_num(out, " (", num(d, "p50"));
			sbuf_addch(out, ')');
		}
		sbuf_addstr(out, "</td></tr>");
	}
	sbuf_addstr(out, "</table><div class=\"grid\">");
	json_array_foreach(values, i, g) {
		if (i >= GROUP_CHARTS_MAX)
			break;
		json_array_foreach(json_object_get(g, "numeric"), j, d) {
			struct sbuf what = SBUF_INIT;
			sbuf_addf(&what, "%s values", json_string_value(json_object_get(d, "path")));
			figure(out, json_string_value(json_object_get(g, "key")), what.buf, d);
			sbuf_release(&what);
		}
	}
	sbuf_addstr(out, "</div>");
}

void stats_html_render(struct sbuf *out, const json_t *doc)
{
	const json_t *inputs = json_object_get(doc, "inputs");
	struct sbuf names = SBUF_INIT;
	size_t i;
	json_t *in;

	json_array_foreach(inputs, i, in)
		sbuf_addf(&names, "%s%s", i ? ", " : "", json_string_value(in));
	sbuf_addstr(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
			 "<meta name=\"viewport\" content=\"width=device-width\"><title>smelt-stats: ");
	esc(out, names.buf);
	sbuf_addf(out, "</title><style>%s</style></head><body>\n<h1>Dataset statistics</h1>"
		       "<p class=\"sub\">", page_css);
	esc(out, names.buf);
	sbuf_addstr(out, " · ");
	esc_json_string(out, json_object_get(doc, "stage"));
	sbuf_addstr(out, " ");
	esc_json_string(out, json_object_get(doc, "version"));
	sbuf_addstr(out, "</p>\n");
	totals(out, doc);
	fields_section(out, doc);
	conversations_section(out, doc);
	groups_section(out, doc);
	sbuf_addstr(out, "\n</body></html>\n");
	sbuf_release(&names);
}
