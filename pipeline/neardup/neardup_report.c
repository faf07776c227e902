/*
 * neardup_report.c — the near-duplicate page (see neardup_report.h).
 */
#include "neardup/neardup_report.h"

#include <jansson.h>
#include <string.h>

#include "core/atomic_file.h"
#include "neardup/cluster.h"
#include "neardup/minhash.h"
#include "report/html.h"
#include "report/svg_chart.h"

#define SAMPLES 24
#define SOURCES_MAX 1000 /* distinct sources counted; the rest as "(other)" */

/* Cluster sizes: 2, 3, 4, 5-8, 9-16, 17-64, 65-256, 257+. */
static const uint32_t size_floor[] = { 2, 3, 4, 5, 9, 17, 65, 257 };
static const char *const size_label[] = { "2", "3", "4", "5-8", "9-16", "17-64", "65-256", "257+" };
#define SIZE_BINS (sizeof(size_floor) / sizeof(size_floor[0]))

struct sample {
	char *kept, *removed, *kept_id, *removed_id;
	double similarity, jaccard;
};

struct neardup_report {
	double threshold;
	int bands, rows;
	uint64_t sizes[SIZE_BINS];
	json_t *sources; /* {source: [records, removed]} */
	struct sample samples[SAMPLES];
	int nsamples;
};

struct neardup_report *neardup_report_new(double threshold)
{
	struct neardup_report *r = xcalloc(1, sizeof(*r));

	r->threshold = threshold;
	r->sources = json_object();
	return r;
}

void neardup_report_free(struct neardup_report *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->nsamples; i++) {
		free(r->samples[i].kept);
		free(r->samples[i].removed);
		free(r->samples[i].kept_id);
		free(r->samples[i].removed_id);
	}
	json_decref(r->sources);
	free(r);
}

void neardup_report_shape(struct neardup_report *r, int bands, int rows)
{
	r->bands = bands;
	r->rows = rows;
}

static json_t *source_slot(struct neardup_report *r, const struct sig_entry *e)
{
	char *name = e->source_len ? xstrndup(e->source, e->source_len) : xstrdup("(none)");
	json_t *slot = json_object_get(r->sources, name);

	if (!slot) {
		if (json_object_size(r->sources) >= SOURCES_MAX) {
			free(name);
			name = xstrdup("(other)");
			slot = json_object_get(r->sources, name);
		}
		if (!slot) {
			slot = json_pack("[i, i]", 0, 0);
			json_object_set_new(r->sources, name, slot);
		}
	}
	free(name);
	return slot;
}

static void bump(json_t *slot, size_t i)
{
	json_array_set_new(slot, i, json_integer(json_integer_value(json_array_get(slot, i)) + 1));
}

void neardup_report_record(struct neardup_report *r, const struct sig_entry *e)
{
	bump(source_slot(r, e), 0);
}

void neardup_report_cluster(struct neardup_report *r, uint32_t size)
{
	size_t b = SIZE_BINS - 1;

	while (b && size < size_floor[b])
		b--;
	r->sizes[b]++;
}

void neardup_report_removal(struct neardup_report *r, const struct sig_entry *removed,
			    const struct sig_entry *kept, double similarity, double jaccard)
{
	bump(source_slot(r, removed), 1);
	if (r->nsamples == SAMPLES)
		return;
	struct sample *s = &r->samples[r->nsamples++];
	s->kept = xstrndup(kept->snippet, kept->snippet_len);
	s->removed = xstrndup(removed->snippet, removed->snippet_len);
	s->kept_id = xstrndup(kept->id, kept->id_len);
	s->removed_id = xstrndup(removed->id, removed->id_len);
	s->similarity = similarity;
	s->jaccard = jaccard;
}

void neardup_scurve_svg(struct sbuf *out, int bands, int rows, double threshold)
{
	const int w = 360, h = 220, left = 40, bottom = 30, top = 10, right = 10;
	const double pw = w - left - right, ph = h - top - bottom;

	sbuf_addf(out, "<svg class=\"scurve\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		  "xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">", w, h, w, h);
	sbuf_addf(out, "<title>P(candidate) = 1-(1-s^%d)^%d</title>", rows, bands);
	sbuf_addf(out, "<line class=\"axis\" x1=\"%d\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"#444\"/>",
		  left, top + ph, left + pw, top + ph);
	sbuf_addf(out, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%g\" stroke=\"#444\"/>",
		  left, top, left, top + ph);
	for (int i = 0; i <= 4; i++) {
		double v = i / 4.0;
		sbuf_addf(out, "<text x=\"%g\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%g</text>",
			  left + v * pw, h - bottom + 14, v);
		sbuf_addf(out, "<text x=\"%d\" y=\"%g\" font-size=\"10\" text-anchor=\"end\">%g</text>",
			  left - 4, top + ph - v * ph + 3, v);
	}
	sbuf_addf(out, "<text x=\"%g\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">Jaccard "
		  "similarity s</text>", left + pw / 2, h - 2);
	if (threshold > 0 && threshold < 1)
		sbuf_addf(out, "<line class=\"cut\" x1=\"%g\" y1=\"%d\" x2=\"%g\" y2=\"%g\" stroke=\"#c33\" "
			  "stroke-dasharray=\"4 3\"><title>threshold %g</title></line>",
			  left + threshold * pw, top, left + threshold * pw, top + ph, threshold);
	sbuf_addstr(out, "<polyline fill=\"none\" stroke=\"#36c\" stroke-width=\"2\" points=\"");
	for (int i = 0; i <= 100; i++) {
		double s = i / 100.0, p = minhash_scurve(s, bands, rows);
		sbuf_addf(out, "%s%.1f,%.1f", i ? " " : "", left + s * pw, top + ph - p * ph);
	}
	sbuf_addstr(out, "\"/></svg>");
}

static void figures_table(struct sbuf *out, const struct neardup_report *r, const struct cluster_figures *f)
{
	const struct { const char *name; double v; } rows[] = {
		{ "records", (double)f->records },
		{ "signed", (double)f->signed_ok },
		{ "without the fields or with bad text", (double)f->unusable },
		{ "candidate pairs", (double)f->pairs },
		{ "pairs joined", (double)f->pairs_joined },
		{ "pairs refused by verification", (double)f->pairs_refused },
		{ "clusters (2 or more records)", (double)f->clusters },
		{ "largest cluster", (double)f->largest_cluster },
		{ "records removed", (double)f->removed },
		{ "verification threshold", r->threshold },
	};

	sbuf_addstr(out, "<h2>Totals</h2><table>");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sbuf_addstr(out, "<tr><th class=\"l\">");
		html_escape_str(out, rows[i].name);
		sbuf_addstr(out, "</th>");
		html_td_num(out, rows[i].v);
		sbuf_addstr(out, "</tr>");
	}
	sbuf_addstr(out, "</table>\n");
}

static void sources_table(struct sbuf *out, const struct neardup_report *r)
{
	const char *name;
	json_t *slot;

	sbuf_addstr(out, "<h2>Per source</h2><table><tr><th class=\"l\">source</th><th>records</th>"
		    "<th>removed</th><th>share removed</th></tr>");
	json_object_foreach(r->sources, name, slot) {
		double n = (double)json_integer_value(json_array_get(slot, 0));
		double rm = (double)json_integer_value(json_array_get(slot, 1));
		sbuf_addstr(out, "<tr><td class=\"l k\">");
		html_escape_str(out, name);
		sbuf_addstr(out, "</td>");
		html_td_num(out, n);
		html_td_num(out, rm);
		html_td_num(out, n ? rm / n : 0);
		sbuf_addstr(out, "</tr>");
	}
	sbuf_addstr(out, "</table>\n");
}

static void samples_table(struct sbuf *out, const struct neardup_report *r)
{
	sbuf_addstr(out, "<h2>Sample of removals</h2><p class=\"sub\">The first removals in input order, "
		    "beside the record each one lost to (normalised text, clipped).</p>"
		    "<table><tr><th class=\"l\">kept</th><th class=\"l\">removed</th>"
		    "<th>estimated similarity</th><th>Jaccard</th></tr>");
	for (int i = 0; i < r->nsamples; i++) {
		const struct sample *s = &r->samples[i];
		sbuf_addstr(out, "<tr><td class=\"l\"><span class=\"k\">");
		html_escape_str(out, s->kept_id);
		sbuf_addstr(out, "</span><br>");
		html_escape_clipped(out, s->kept, strlen(s->kept), SIG_SNIPPET_MAX);
		sbuf_addstr(out, "</td><td class=\"l\"><span class=\"k\">");
		html_escape_str(out, s->removed_id);
		sbuf_addstr(out, "</span><br>");
		html_escape_clipped(out, s->removed, strlen(s->removed), SIG_SNIPPET_MAX);
		sbuf_addstr(out, "</td>");
		html_td_num(out, s->similarity);
		html_td_num(out, s->jaccard);
		sbuf_addstr(out, "</tr>");
	}
	sbuf_addstr(out, "</table>\n");
}

void neardup_report_render(const struct neardup_report *r, const struct cluster_figures *fig,
			   struct sbuf *out)
{
	struct svg_bar bars[SIZE_BINS];

	html_page_open(out, "smelt near-duplicates");
	sbuf_addf(out, "<h1>Near-duplicates</h1><p class=\"sub\">MinHash LSH, %d bands &times; %d rows; "
		  "verification threshold ", r->bands, r->rows);
	html_num(out, r->threshold);
	sbuf_addstr(out, "</p>\n");
	figures_table(out, r, fig);
	sbuf_addstr(out, "<h2>Parameters: the S-curve</h2><figure>");
	neardup_scurve_svg(out, r->bands, r->rows, r->threshold);
	sbuf_addf(out, "<figcaption>Probability that a pair with Jaccard similarity s becomes a "
		  "candidate: 1&minus;(1&minus;s<sup>%d</sup>)<sup>%d</sup></figcaption></figure>\n",
		  r->rows, r->bands);
	sbuf_addstr(out, "<h2>Cluster sizes</h2><figure>");
	for (size_t i = 0; i < SIZE_BINS; i++)
		bars[i] = (struct svg_bar){ size_label[i], strlen(size_label[i]), (double)r->sizes[i] };
	svg_chart_bars(out, bars, SIZE_BINS);
	sbuf_addstr(out, "<figcaption>Clusters by number of records</figcaption></figure>\n");
	sources_table(out, r);
	samples_table(out, r);
	html_page_close(out);
}

int neardup_report_write(const struct neardup_report *r, const struct cluster_figures *fig,
			 const char *path)
{
	struct sbuf page = SBUF_INIT;
	int rc;

	neardup_report_render(r, fig, &page);
	rc = atomic_file_write(path, page.buf, page.len, 0666);
	sbuf_release(&page);
	return rc;
}
