/*
 * condor_report.c — the per-step count table (see condor_report.h). The
 * page and its stylesheet are report/html.h's, the same as smelt-stats'
 * page the table is usually spliced into.
 */
#include "condor/condor_report.h"

#include <string.h>

#include "core/util.h"
#include "report/html.h"

/* Keys every --stats document has (stage.c): not the stage's own figures. */
static const char *const common_keys[] = {
	"stage", "version", "inputs", "records_in", "records_out", "records_rejected",
	"rejects_by_kind", "wall_seconds", "cpu_seconds", "max_rss_kb",
};

static int is_common(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(common_keys); i++)
		if (!strcmp(key, common_keys[i]))
			return 1;
	return 0;
}

static void add_figure(json_t *figs, const char *a, const char *b, const json_t *v)
{
	char *name = b ? xasprintf("%s.%s", a, b) : xstrdup(a);

	json_object_set(figs, name, (json_t *)v);
	free(name);
}

json_t *condor_report_row(const char *step, const json_t *stats)
{
	json_t *figs = json_object(), *v, *w;
	const char *key, *sub;
	json_t *row;

	json_object_foreach((json_t *)stats, key, v) {
		if (is_common(key))
			continue;
		if (json_is_number(v)) {
			add_figure(figs, key, NULL, v);
		} else if (!strcmp(key, "llm")) {
			/* the engine's figures are many; what a reader of a run wants is these */
			if ((w = json_object_get(v, "requests")))
				add_figure(figs, key, "requests", w);
			if ((w = json_object_get(v, "cache_hits")))
				add_figure(figs, key, "cache_hits", w);
		} else if (json_is_object(v)) {
			json_object_foreach(v, sub, w)
				if (json_is_number(w))
					add_figure(figs, key, sub, w);
		}
	}
	row = json_pack("{s:s, s:O?, s:O?, s:O?, s:O?}", "step", step,
			"stage", json_object_get(stats, "stage"),
			"records_in", json_object_get(stats, "records_in"),
			"records_out", json_object_get(stats, "records_out"),
			"records_rejected", json_object_get(stats, "records_rejected"));
	v = json_object_get(stats, "rejects_by_kind");
	json_object_set_new(row, "rejects_by_kind", json_is_object(v) ? json_deep_copy(v) : json_object());
	json_object_set_new(row, "figures", figs);
	return row;
}

static void num_cell(struct sbuf *out, const json_t *v)
{
	if (json_is_number(v))
		html_td_num(out, json_number_value(v));
	else
		sbuf_addstr(out, "<td></td>");
}

void condor_report_html_section(struct sbuf *out, const json_t *report)
{
	const json_t *steps = json_object_get(report, "steps");
	size_t i;
	json_t *row;

	sbuf_addstr(out, "<section id=\"pipeline-counts\">\n<h2>Pipeline counts</h2>\n"
			 "<p class=\"sub\">Records in, out and set aside at every step, from each "
			 "stage's --stats; rejected records are in the step's rejects file with "
			 "the reason (and the raw reply where a reply did not parse).</p>\n"
			 "<table>\n<tr><th class=\"l\">step</th><th class=\"l\">stage</th><th>in</th>"
			 "<th>out</th><th>rejected</th><th class=\"l\">rejects by kind</th>"
			 "<th class=\"l\">figures</th></tr>\n");
	json_array_foreach(steps, i, row) {
		sbuf_addstr(out, "<tr><td class=\"l\">");
		html_escape_str(out, json_string_value(json_object_get(row, "step")));
		sbuf_addstr(out, "</td><td class=\"l\">");
		html_escape_str(out, json_string_value(json_object_get(row, "stage")));
		sbuf_addstr(out, "</td>");
		num_cell(out, json_object_get(row, "records_in"));
		num_cell(out, json_object_get(row, "records_out"));
		num_cell(out, json_object_get(row, "records_rejected"));
		html_td_numbers(out, json_object_get(row, "rejects_by_kind"), ": ", "<br>");
		html_td_numbers(out, json_object_get(row, "figures"), ": ", "<br>");
		sbuf_addstr(out, "</tr>\n");
	}
	sbuf_addstr(out, "</table>\n</section>\n");
}

void condor_report_html_page(struct sbuf *out, const json_t *report, const char *page)
{
	const char *body = page ? strstr(page, "<body") : NULL;
	const char *gt = body ? strchr(body, '>') : NULL;

	if (gt) {
		sbuf_add(out, page, (size_t)(gt + 1 - page));
		sbuf_addch(out, '\n');
		condor_report_html_section(out, report);
		sbuf_addstr(out, gt + 1);
		return;
	}
	html_page_open(out, "smelt: pipeline counts");
	condor_report_html_section(out, report);
	html_page_close(out);
}
