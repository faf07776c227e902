/*
 * bench_report.c — the redundancy page. Its two charts are drawn here,
 * not in report/svg_chart: a correlation heatmap and a multi-series line
 * chart are this page's alone. Colours are inline attributes, so the page
 * needs nothing of the shared stylesheet beyond its tables.
 */
#include "bench/bench_report.h"

#include <math.h>
#include <string.h>

#include "report/html.h"

static const char *const palette[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
};

/* A table cell for a number of the document that may be null. */
static void td_value(struct sbuf *out, const json_t *v)
{
	html_td_num(out, json_is_number(v) ? json_number_value(v) : NAN);
}

/* White to red for 0..1, white to blue for 0..-1, grey for no value. */
static void cell_colour(struct sbuf *out, const json_t *v)
{
	double x, f;

	if (!json_is_number(v)) {
		sbuf_addstr(out, "#cccccc");
		return;
	}
	x = fmax(-1, fmin(1, json_number_value(v)));
	f = 1 - fabs(x);
	if (x >= 0)
		sbuf_addf(out, "#%02x%02x%02x", 0xc0 + (int)(0x3f * f), (int)(0x39 + 0xc6 * f), (int)(0x2b + 0xd4 * f));
	else
		sbuf_addf(out, "#%02x%02x%02x", (int)(0x21 + 0xde * f), (int)(0x66 + 0x99 * f), 0xac + (int)(0x53 * f));
}

static void heatmap(struct sbuf *out, const json_t *block, const char *key)
{
	const json_t *names = json_object_get(block, "names"), *m = json_object_get(block, key);
	size_t n = json_array_size(names), label = 160;
	double cell = n ? fmin(28, 640.0 / (double)n) : 28;
	int size = (int)(label + cell * (double)n + 10);

	if (n < 2) {
		sbuf_addstr(out, "<p class=\"note\">fewer than two; no matrix</p>\n");
		return;
	}
	sbuf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-size=\"11\">\n",
		  size, size);
	for (size_t i = 0; i < n; i++) {
		const char *ni = json_string_value(json_array_get(names, i));
		double c = (double)label + cell * ((double)i + 0.5);

		sbuf_addf(out, "<text x=\"%zu\" y=\"%.1f\" text-anchor=\"end\" dominant-baseline=\"middle\">",
			  label - 4, c);
		html_escape_clipped(out, ni, strlen(ni), 24);
		sbuf_addf(out, "</text>\n<text transform=\"translate(%.1f,%zu) rotate(-60)\">", c, label - 4);
		html_escape_clipped(out, ni, strlen(ni), 24);
		sbuf_addstr(out, "</text>\n");
		for (size_t j = 0; j < n; j++) {
			const json_t *v = json_array_get(json_array_get(m, i), j);

			sbuf_addf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"",
				  (double)label + cell * (double)j, (double)label + cell * (double)i, cell, cell);
			cell_colour(out, v);
			sbuf_addstr(out, "\"><title>");
			html_escape_str(out, ni);
			sbuf_addstr(out, " × ");
			html_escape_str(out, json_string_value(json_array_get(names, j)));
			sbuf_addf(out, ": %s ", key);
			html_num(out, json_is_number(v) ? json_number_value(v) : NAN);
			sbuf_addstr(out, "</title></rect>\n");
			if (cell >= 26 && json_is_number(v))
				/* small matrices carry their numbers, two decimals */
				sbuf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
					       "dominant-baseline=\"middle\" font-size=\"9\">%.2f</text>\n",
					  (double)label + cell * ((double)j + 0.5), c, json_number_value(v));
		}
	}
	sbuf_addstr(out, "</svg>\n");
}

static void pairs_table(struct sbuf *out, const json_t *block, const char *what)
{
	const json_t *pairs = json_object_get(block, "redundant_pairs"), *p;
	size_t i;

	if (!json_array_size(pairs)) {
		sbuf_addf(out, "<p class=\"sub\">No pair of %s reaches the target SRCC.</p>\n", what);
		return;
	}
	sbuf_addstr(out, "<table><tr><th class=\"l\">a</th><th class=\"l\">b</th><th>SRCC</th><th>PLCC</th>"
			 "<th>R²</th></tr>\n");
	json_array_foreach(pairs, i, p) {
		sbuf_addstr(out, "<tr><td class=\"l\">");
		html_escape_str(out, json_string_value(json_object_get(p, "a")));
		sbuf_addstr(out, "</td><td class=\"l\">");
		html_escape_str(out, json_string_value(json_object_get(p, "b")));
		sbuf_addstr(out, "</td>");
		td_value(out, json_object_get(p, "srcc"));
		td_value(out, json_object_get(p, "plcc"));
		td_value(out, json_object_get(p, "r2"));
		sbuf_addstr(out, "</tr>\n");
	}
	sbuf_addstr(out, "</table>\n");
}

static void means_table(struct sbuf *out, const json_t *block)
{
	const json_t *names = json_object_get(block, "names");

	sbuf_addstr(out, "<table><tr><th class=\"l\">name</th><th>items</th><th>mean SRCC</th>"
			 "<th>mean PLCC</th><th>mean R²</th></tr>\n");
	for (size_t i = 0; i < json_array_size(names); i++) {
		const json_t *s = json_array_get(json_object_get(block, "mean_srcc"), i);
		const json_t *p = json_array_get(json_object_get(block, "mean_plcc"), i);
		const json_t *r = json_array_get(json_object_get(block, "mean_r2"), i);

		sbuf_addstr(out, "<tr><td class=\"l\">");
		html_escape_str(out, json_string_value(json_array_get(names, i)));
		sbuf_addstr(out, "</td>");
		html_td_num(out, (double)json_integer_value(json_array_get(json_object_get(block, "items"), i)));
		td_value(out, s);
		td_value(out, p);
		td_value(out, r);
		sbuf_addstr(out, "</tr>\n");
	}
	sbuf_addstr(out, "</table>\n");
}

/* Mean SRCC against k for every benchmark, the target as a dashed line. */
static void curves(struct sbuf *out, const json_t *doc)
{
	const json_t *inst = json_object_get(doc, "instances"), *b, *pt;
	const double W = 640, H = 320, L = 50, R = 170, T = 10, B = 40;
	double target = json_number_value(json_object_get(doc, "target")), lo = target - 0.05;
	size_t i, j;

	json_array_foreach(inst, i, b)
		json_array_foreach(json_object_get(b, "curve"), j, pt)
			if (json_is_number(json_object_get(pt, "srcc")))
				lo = fmin(lo, json_number_value(json_object_get(pt, "srcc")));
	lo = floor(fmax(-1, lo) * 10) / 10;
#define X(k) (L + (k) / 100 * (W - L - R))
#define Y(v) (T + (1 - (v)) / (1 - lo) * (H - T - B))
	sbuf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" font-size=\"11\">\n",
		  W, H);
	sbuf_addf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n", X(0.0), Y(lo),
		  X(100.0), Y(lo));
	sbuf_addf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n", X(0.0), Y(lo),
		  X(0.0), Y(1.0));
	for (int k = 0; k <= 100; k += 20)
		sbuf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d%%</text>\n", X((double)k),
			  Y(lo) + 15, k);
	for (double v = lo; v <= 1.0001; v += (1 - lo) / 4)
		sbuf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>\n", L - 4, Y(v) + 4, v);
	sbuf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">subset size (%% of the benchmark's items)</text>\n",
		  X(50.0), H - 4);
	sbuf_addf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"4 3\">"
		       "<title>target %g</title></line>\n", X(0.0), Y(target), X(100.0), Y(target), target);
	json_array_foreach(inst, i, b) {
		const char *colour = palette[i % (sizeof(palette) / sizeof(palette[0]))];
		const char *name = json_string_value(json_object_get(b, "benchmark"));

		sbuf_addf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", colour);
		json_array_foreach(json_object_get(b, "curve"), j, pt) {
			const json_t *s = json_object_get(pt, "srcc");

			if (json_is_number(s))
				sbuf_addf(out, "%.1f,%.1f ", X(json_number_value(json_object_get(pt, "k"))),
					  Y(json_number_value(s)));
		}
		sbuf_addstr(out, "\"><title>");
		html_escape_str(out, name);
		sbuf_addstr(out, "</title></polyline>\n");
		sbuf_addf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
			       "<text x=\"%.1f\" y=\"%.1f\">", W - R + 10, T + 16.0 * (double)i, colour, W - R + 24,
			  T + 16.0 * (double)i + 9);
		html_escape_clipped(out, name, strlen(name), 24);
		sbuf_addstr(out, "</text>\n");
	}
#undef X
#undef Y
	sbuf_addstr(out, "</svg>\n");
}

static void min_k_table(struct sbuf *out, const json_t *doc)
{
	const json_t *b, *prune = json_object_get(doc, "prune");
	size_t i;

	sbuf_addstr(out, "<table><tr><th class=\"l\">benchmark</th><th>items</th><th>smallest k, SRCC</th>"
			 "<th>smallest k, PLCC</th></tr>\n");
	json_array_foreach(json_object_get(doc, "instances"), i, b) {
		const json_t *ks = json_object_get(b, "min_k_srcc"), *kp = json_object_get(b, "min_k_plcc");

		sbuf_addstr(out, "<tr><td class=\"l\">");
		html_escape_str(out, json_string_value(json_object_get(b, "benchmark")));
		sbuf_addstr(out, "</td>");
		html_td_num(out, (double)json_integer_value(json_object_get(b, "items")));
		td_value(out, ks);
		td_value(out, kp);
		sbuf_addstr(out, "</tr>\n");
	}
	sbuf_addstr(out, "</table>\n");
	if (!prune)
		return;
	sbuf_addf(out, "<h2>Pruned to %g%%</h2>\n<table><tr><th class=\"l\">benchmark</th><th>items</th>"
		       "<th>kept</th><th>SRCC</th><th>PLCC</th><th>Kendall</th></tr>\n",
		  json_number_value(json_object_get(prune, "k")));
	json_array_foreach(json_object_get(prune, "benchmarks"), i, b) {
		const char *f[] = { "srcc", "plcc", "kendall" };

		sbuf_addstr(out, "<tr><td class=\"l\">");
		html_escape_str(out, json_string_value(json_object_get(b, "benchmark")));
		sbuf_addstr(out, "</td>");
		html_td_num(out, (double)json_integer_value(json_object_get(b, "items")));
		html_td_num(out, (double)json_integer_value(json_object_get(b, "kept")));
		for (size_t k = 0; k < 3; k++)
			td_value(out, json_object_get(b, f[k]));
		sbuf_addstr(out, "</tr>\n");
	}
	sbuf_addstr(out, "</table>\n");
}

void bench_report_render(struct sbuf *out, const json_t *doc)
{
	const json_t *dims = json_object_get(doc, "dimensions"), *benches = json_object_get(doc, "benchmarks");

	html_page_open(out, "smelt-redundancy");
	sbuf_addstr(out, "<h1>Benchmark redundancy</h1>\n<p class=\"sub\">");
	html_num(out, (double)json_integer_value(json_object_get(doc, "models")));
	sbuf_addstr(out, " models, ");
	html_num(out, (double)json_integer_value(json_object_get(doc, "items")));
	sbuf_addstr(out, " items; target SRCC ");
	html_num(out, json_number_value(json_object_get(doc, "target")));
	sbuf_addstr(out, ", ");
	html_num(out, (double)json_integer_value(json_object_get(doc, "draws")));
	sbuf_addstr(out, " random subsets per size.</p>\n");
	sbuf_addstr(out, "<h2>Dimensions</h2>\n<p class=\"sub\">SRCC of the models' mean scores between "
			 "dimensions (red: agree, blue: disagree).</p>\n");
	heatmap(out, dims, "srcc");
	pairs_table(out, dims, "dimensions");
	means_table(out, dims);
	sbuf_addstr(out, "<h2>Instances</h2>\n<p class=\"sub\">Mean SRCC between the ranking on a random "
			 "subset and on the whole benchmark, by subset size.</p>\n");
	curves(out, doc);
	min_k_table(out, doc);
	sbuf_addstr(out, "<h2>Benchmarks</h2>\n");
	heatmap(out, benches, "srcc");
	pairs_table(out, benches, "benchmarks");
	means_table(out, benches);
	html_page_close(out);
}
