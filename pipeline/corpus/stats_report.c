/*
 * stats_report.c — the smelt-stats report page (see stats_report.h), drawn
 * with report/'s page writer and charts.
 *
 * Layout: totals; a table of fields with their lengths and values, then a
 * histogram per distribution; conversations (turns, per-role lengths);
 * groups (a bar chart of sizes, a table, and per-group histograms of the
 * numeric fields).
 */
#include "corpus/stats_report.h"

#include <math.h>
#include <stdlib.h>

#include "core/util.h"
#include "report/html.h"
#include "report/svg_chart.h"

#define CHART_W 360
#define CHART_H 170
#define GROUP_BARS_MAX 40
#define GROUP_CHARTS_MAX 12

static void esc_json_string(struct sbuf *out, const json_t *v)
{
	if (json_is_string(v))
		html_escape(out, json_string_value(v), json_string_length(v));
}

static double num(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* Some text, then a number. */
static void text_num(struct sbuf *out, const char *text, double x)
{
	sbuf_addstr(out, text);
	html_num(out, x);
}

/* A histogram {edges, counts} as an SVG bar chart. */
static void histogram(struct sbuf *out, const json_t *hist)
{
	const json_t *edges = json_object_get(hist, "edges"), *counts = json_object_get(hist, "counts");
	size_t k = json_array_size(counts);
	double *e, *c;

	if (!k || json_array_size(edges) != k + 1)
		return;
	e = xcalloc(2 * k + 1, sizeof(*e));
	c = e + k + 1;
	for (size_t i = 0; i <= k; i++)
		e[i] = json_number_value(json_array_get(edges, i));
	for (size_t i = 0; i < k; i++)
		c[i] = json_number_value(json_array_get(counts, i));
	svg_chart_histogram(out, &(struct svg_histogram){
		.width = CHART_W, .height = CHART_H, .nbins = k, .edges = e,
		.series = &(struct svg_series){ .cls = "bar", .counts = c }, .nseries = 1,
	});
	free(e);
}

/* One chart card: a caption, the histogram and how exact it is. */
static void figure(struct sbuf *out, const char *title, const char *what, const json_t *dist)
{
	if (!json_object_get(dist, "histogram"))
		return;
	sbuf_addstr(out, "<figure><figcaption><b>");
	html_escape_str(out, title);
	sbuf_addstr(out, "</b> ");
	html_escape_str(out, what);
	text_num(out, " · n=", num(dist, "count"));
	text_num(out, " · mean ", num(dist, "mean"));
	text_num(out, " · p50 ", num(dist, "p50"));
	text_num(out, " · p99 ", num(dist, "p99"));
	if (!json_is_true(json_object_get(dist, "exact"))) {
		text_num(out, " · <span class=\"note\">estimated from ", num(dist, "sample_size"));
		sbuf_addstr(out, " sampled values</span>");
	}
	sbuf_addstr(out, "</figcaption>");
	histogram(out, json_object_get(dist, "histogram"));
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
		html_td_num(out, num(d, keys[i]));
}

static void totals(struct sbuf *out, const json_t *doc)
{
	const json_t *groups = json_object_get(doc, "groups");

	sbuf_addstr(out, "<h2>Totals</h2><table><tr><th class=\"l\">records</th>");
	html_td_num(out, num(doc, "records"));
	sbuf_addstr(out, "</tr><tr><th class=\"l\">rejected (not counted)</th>");
	html_td_num(out, num(doc, "rejected"));
	sbuf_addstr(out, "</tr><tr><th class=\"l\">fields</th>");
	html_td_num(out, (double)json_array_size(json_object_get(doc, "fields")));
	sbuf_addstr(out, "</tr>");
	if (groups) {
		sbuf_addstr(out, "<tr><th class=\"l\">groups by <code>");
		esc_json_string(out, json_object_get(groups, "by"));
		sbuf_addstr(out, "</code></th>");
		html_td_num(out, num(groups, "count"));
		sbuf_addstr(out, "</tr>");
	}
	sbuf_addstr(out, "</table>");
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
		html_td_num(out, num(f, "present"));
		html_td_num(out, records > 0 ? round(1000 * num(f, "present") / records) / 10 : 0);
		html_td_numbers(out, json_object_get(f, "types"), " ", ", ");
		dist_cells(out, len);
		if (val && num(val, "count")) {
			html_td_num(out, num(val, "mean"));
			html_td_num(out, num(val, "min"));
			html_td_num(out, num(val, "max"));
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
		html_escape_str(out, field);
		sbuf_addstr(out, "</code>: ");
		html_num(out, num(c, "records"));
		sbuf_addstr(out, " records</h3><table><tr><th class=\"l\">role</th><th>messages</th>"
				 "<th>length mean</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr>");
		json_array_foreach(json_object_get(c, "roles"), j, r) {
			sbuf_addstr(out, "<tr><td class=\"k\">");
			esc_json_string(out, json_object_get(r, "role"));
			sbuf_addstr(out, "</td>");
			html_td_num(out, num(r, "messages"));
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

/* Group sizes as horizontal bars (the values come largest first). */
static void group_bars(struct sbuf *out, const json_t *values)
{
	size_t n = json_array_size(values), i;
	struct svg_bar *bars;
	json_t *g;

	if (n > GROUP_BARS_MAX)
		n = GROUP_BARS_MAX;
	bars = xcalloc(n ? n : 1, sizeof(*bars));
	json_array_foreach(values, i, g) {
		const json_t *key = json_object_get(g, "key");
		if (i >= n)
			break;
		bars[i] = (struct svg_bar){ json_is_string(key) ? json_string_value(key) : "",
					    json_string_length(key), num(g, "records") };
	}
	svg_chart_bars(out, bars, n);
	free(bars);
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
	group_bars(out, values);
	sbuf_addstr(out, "<table><tr><th class=\"l\">group</th><th>records</th><th>share %</th>"
			 "<th>turns mean</th><th class=\"l\">numeric fields: mean (p50)</th></tr>");
	json_array_foreach(values, i, g) {
		const json_t *turns = json_object_get(g, "turns");
		sbuf_addstr(out, "<tr><td class=\"k\">");
		esc_json_string(out, json_object_get(g, "key"));
		sbuf_addstr(out, "</td>");
		html_td_num(out, num(g, "records"));
		html_td_num(out, round(1000 * num(g, "share")) / 10);
		if (turns)
			html_td_num(out, num(turns, "mean"));
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

void stats_report_render(struct sbuf *out, const json_t *doc)
{
	const json_t *inputs = json_object_get(doc, "inputs");
	struct sbuf names = SBUF_INIT, title = SBUF_INIT;
	size_t i;
	json_t *in;

	json_array_foreach(inputs, i, in)
		sbuf_addf(&names, "%s%s", i ? ", " : "", json_string_value(in));
	sbuf_addf(&title, "smelt-stats: %s", names.buf);
	html_page_open(out, title.buf);
	sbuf_addstr(out, "<h1>Dataset statistics</h1><p class=\"sub\">");
	html_escape_str(out, names.buf);
	sbuf_addstr(out, " · ");
	esc_json_string(out, json_object_get(doc, "stage"));
	sbuf_addstr(out, " ");
	esc_json_string(out, json_object_get(doc, "version"));
	sbuf_addstr(out, "</p>\n");
	totals(out, doc);
	fields_section(out, doc);
	conversations_section(out, doc);
	groups_section(out, doc);
	sbuf_addch(out, '\n');
	html_page_close(out);
	sbuf_release(&names);
	sbuf_release(&title);
}
