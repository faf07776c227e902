/*
 * svg_chart.c — histograms and bar charts as SVG (see svg_chart.h).
 *
 * A histogram's plot area is the chart less its margins: room on the left
 * for the count labels, below for the edge labels (and a legend when the
 * series are named), above for the marker labels. Bins are placed by
 * index, so unequal bins (quantile edges) still get equal widths; marker
 * lines are placed by value between the first and last edge.
 */
#include "report/svg_chart.h"

#include <math.h>

#include "report/html.h"

#define PAD_L 50
#define PAD_R 12
#define BAR_ROW 18
#define BAR_LABEL_W 200
#define BAR_W 420
#define BAR_LABEL_MAX 32 /* bytes of a bar's label shown beside it */

struct frame {
	double left, right, top, bottom; /* the plot area, in pixels */
};

static void label(struct sbuf *out, double x, double y, const char *anchor, double v)
{
	sbuf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x, y, anchor);
	html_num(out, v);
	sbuf_addstr(out, "</text>");
}

static int has_legend(const struct svg_histogram *h)
{
	for (size_t s = 0; s < h->nseries; s++)
		if (h->series[s].name)
			return 1;
	return 0;
}

/* "[lo, hi): n" or "[lo, hi): n1 name1, n2 name2" */
static void bin_title(struct sbuf *out, const struct svg_histogram *h, size_t i)
{
	sbuf_addstr(out, "<title>[");
	html_num(out, h->edges[i]);
	sbuf_addstr(out, ", ");
	html_num(out, h->edges[i + 1]);
	sbuf_addstr(out, "): ");
	for (size_t s = 0; s < h->nseries; s++) {
		sbuf_addstr(out, s ? ", " : "");
		html_num(out, h->series[s].counts[i]);
		if (h->series[s].name) {
			sbuf_addch(out, ' ');
			html_escape_str(out, h->series[s].name);
		}
	}
	sbuf_addstr(out, "</title>");
}

static void bins(struct sbuf *out, const struct svg_histogram *h, const struct frame *f, double maxc)
{
	double bw = (f->right - f->left) / (double)h->nbins, plot_h = f->bottom - f->top;

	for (size_t i = 0; i < h->nbins; i++) {
		double total = 0, y = f->bottom;

		for (size_t s = 0; s < h->nseries; s++)
			total += h->series[s].counts[i];
		if (!(total > 0) || !(maxc > 0))
			continue;
		sbuf_addstr(out, "<g class=\"bin\">");
		bin_title(out, h, i);
		for (size_t s = 0; s < h->nseries; s++) {
			double n = h->series[s].counts[i], bh = n / maxc * plot_h;
			if (!(n > 0))
				continue;
			y -= bh;
			sbuf_addf(out, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
				  h->series[s].cls, f->left + i * bw + 0.5, y, bw > 2 ? bw - 1 : bw, bh);
		}
		sbuf_addstr(out, "</g>");
	}
}

/* Edge labels at the start, the middle (when there is one) and the end. */
static void edge_labels(struct sbuf *out, const struct svg_histogram *h, const struct frame *f)
{
	size_t k = h->nbins, ticks[3] = { 0, k / 2, k };
	double bw = (f->right - f->left) / (double)k;

	for (size_t t = 0; t < 3; t++) {
		size_t j = ticks[t];
		if (t == 1 && (j == 0 || j == k))
			continue;
		label(out, f->left + j * bw, f->bottom + 14, j == 0 ? "start" : j == k ? "end" : "middle",
		      h->edges[j]);
	}
}

static void legend(struct sbuf *out, const struct svg_histogram *h, const struct frame *f)
{
	double x = f->left;

	for (size_t s = 0; s < h->nseries; s++) {
		if (!h->series[s].name)
			continue;
		sbuf_addf(out, "<rect class=\"%s\" x=\"%.1f\" y=\"%d\" width=\"10\" height=\"10\"/>"
			       "<text x=\"%.1f\" y=\"%d\">", h->series[s].cls, x, h->height - 14, x + 14,
			  h->height - 5);
		html_escape_str(out, h->series[s].name);
		sbuf_addstr(out, "</text>");
		x += 60;
	}
}

static void mark(struct sbuf *out, const struct svg_histogram *h, const struct frame *f,
		 const struct svg_mark *m)
{
	double lo = h->edges[0], hi = h->edges[h->nbins], x;

	if (!isfinite(m->at) || m->at < lo || m->at > hi || !(hi > lo))
		return;
	x = f->left + (m->at - lo) / (hi - lo) * (f->right - f->left);
	sbuf_addf(out, "<line class=\"cut\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x,
		  f->top - 3, x, f->bottom);
	sbuf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x + 3, f->top - 5,
		  x > h->width / 2 ? "end" : "start");
	html_escape_str(out, m->label);
	sbuf_addch(out, ' ');
	html_num(out, m->at);
	sbuf_addstr(out, "</text>");
}

void svg_chart_histogram(struct sbuf *out, const struct svg_histogram *h)
{
	struct frame f = { PAD_L, h->width - PAD_R, h->nmarks ? 20 : 12,
			   h->height - (has_legend(h) ? 38 : 30) };
	double maxc = 0;

	if (!h->nbins)
		return;
	for (size_t i = 0; i < h->nbins; i++) {
		double total = 0;
		for (size_t s = 0; s < h->nseries; s++)
			total += h->series[s].counts[i];
		if (total > maxc)
			maxc = total;
	}
	sbuf_addstr(out, "<svg");
	if (h->cls)
		sbuf_addf(out, " class=\"%s\"", h->cls);
	sbuf_addf(out, " width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">", h->width,
		  h->height, h->width, h->height);
	sbuf_addf(out, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", f.left,
		  f.bottom, f.right, f.bottom);
	sbuf_addf(out, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", f.left,
		  f.top, f.left, f.bottom);
	bins(out, h, &f, maxc);
	label(out, f.left - 4, f.top + 8, "end", maxc);
	label(out, f.left - 4, f.bottom, "end", 0);
	edge_labels(out, h, &f);
	legend(out, h, &f);
	for (size_t m = 0; m < h->nmarks; m++)
		mark(out, h, &f, &h->marks[m]);
	sbuf_addstr(out, "</svg>");
}

void svg_chart_bars(struct sbuf *out, const struct svg_bar *bars, size_t n)
{
	double maxv = 0;

	for (size_t i = 0; i < n; i++)
		if (bars[i].value > maxv)
			maxv = bars[i].value;
	sbuf_addf(out, "<svg width=\"%d\" height=\"%zu\" role=\"img\">", BAR_LABEL_W + BAR_W + 80,
		  n * BAR_ROW + 4);
	for (size_t i = 0; i < n; i++) {
		const struct svg_bar *b = &bars[i];
		double w = maxv > 0 ? b->value / maxv * BAR_W : 0;

		sbuf_addf(out, "<text x=\"%d\" y=\"%zu\" text-anchor=\"end\">", BAR_LABEL_W - 6,
			  i * BAR_ROW + 13);
		html_escape_clipped(out, b->label, b->label_len, BAR_LABEL_MAX);
		sbuf_addf(out, "</text><rect class=\"hbar\" x=\"%d\" y=\"%zu\" width=\"%.1f\" "
			       "height=\"%d\"><title>", BAR_LABEL_W, i * BAR_ROW + 2, w, BAR_ROW - 4);
		html_escape(out, b->label, b->label_len);
		sbuf_addstr(out, ": ");
		html_num(out, b->value);
		sbuf_addf(out, "</title></rect><text x=\"%.1f\" y=\"%zu\">", BAR_LABEL_W + w + 4,
			  i * BAR_ROW + 13);
		html_num(out, b->value);
		sbuf_addstr(out, "</text>");
	}
	sbuf_addstr(out, "</svg>");
}

/* ---- scatter ------------------------------------------------------------- */

struct scale {
	double lo, hi, p0, p1; /* data range -> pixel range */
};

static double to_px(const struct scale *s, double v)
{
	return s->p0 + (v - s->lo) / (s->hi - s->lo) * (s->p1 - s->p0);
}

static void widen(struct scale *s)
{
	if (!(s->hi > s->lo)) {
		s->lo -= 0.5;
		s->hi += 0.5;
	}
}

/* An x tick label: the value, or e^v - 1 rounded when x is log(1 + v). */
static void x_tick(struct sbuf *out, const struct svg_scatter *s, const struct scale *sx, double v,
		   const char *anchor)
{
	label(out, to_px(sx, v), s->height - 22, anchor, s->x_log1p ? round(expm1(v)) : v);
}

void svg_chart_scatter(struct sbuf *out, const struct svg_scatter *s)
{
	struct scale sx = { INFINITY, -INFINITY, PAD_L, s->width - PAD_R };
	struct scale sy = { INFINITY, -INFINITY, s->height - 36, 12 };
	double legend_x = PAD_L + 4;

	if (!s->npoints)
		return;
	for (size_t i = 0; i < s->npoints; i++) {
		sx.lo = fmin(sx.lo, s->points[i].x);
		sx.hi = fmax(sx.hi, s->points[i].x);
		sy.lo = fmin(sy.lo, s->points[i].y);
		sy.hi = fmax(sy.hi, s->points[i].y);
	}
	for (size_t m = 0; m < s->nhmarks; m++)
		if (isfinite(s->hmarks[m].at)) {
			sy.lo = fmin(sy.lo, s->hmarks[m].at);
			sy.hi = fmax(sy.hi, s->hmarks[m].at);
		}
	widen(&sx);
	widen(&sy);
	sbuf_addstr(out, "<svg");
	if (s->cls)
		sbuf_addf(out, " class=\"%s\"", s->cls);
	sbuf_addf(out, " width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">", s->width,
		  s->height, s->width, s->height);
	sbuf_addf(out, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", sx.p0, sy.p0,
		  sx.p1, sy.p0);
	sbuf_addf(out, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", sx.p0, sy.p1,
		  sx.p0, sy.p0);
	for (unsigned w = 0; w < s->ncls; w++)
		for (size_t i = 0; i < s->npoints; i++)
			if (s->points[i].which == w)
				sbuf_addf(out, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.2\"/>",
					  s->point_cls[w], to_px(&sx, s->points[i].x), to_px(&sy, s->points[i].y));
	for (size_t l = 0; l < s->nlines; l++) {
		const struct svg_segment *g = &s->lines[l];
		double x0 = fmax(g->x0, sx.lo), x1 = fmin(g->x1, sx.hi);
		double y0 = g->y0 + (g->y1 - g->y0) * (x0 - g->x0) / (g->x1 - g->x0);
		double y1 = g->y0 + (g->y1 - g->y0) * (x1 - g->x0) / (g->x1 - g->x0);

		if (!(g->x1 > g->x0) || !(x1 > x0) || !isfinite(y0) || !isfinite(y1))
			continue;
		sbuf_addf(out, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", g->cls,
			  to_px(&sx, x0), to_px(&sy, y0), to_px(&sx, x1), to_px(&sy, y1));
	}
	for (size_t m = 0; m < s->nhmarks; m++) {
		double y;

		if (!isfinite(s->hmarks[m].at))
			continue;
		y = to_px(&sy, s->hmarks[m].at);
		sbuf_addf(out, "<line class=\"cut\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", sx.p0, y,
			  sx.p1, y);
		sbuf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", sx.p1, y - 3);
		html_escape_str(out, s->hmarks[m].label);
		sbuf_addch(out, ' ');
		html_num(out, s->hmarks[m].at);
		sbuf_addstr(out, "</text>");
	}
	label(out, sx.p0 - 4, sy.p1 + 8, "end", sy.hi);
	label(out, sx.p0 - 4, sy.p0, "end", sy.lo);
	x_tick(out, s, &sx, sx.lo, "start");
	x_tick(out, s, &sx, (sx.lo + sx.hi) / 2, "middle");
	x_tick(out, s, &sx, sx.hi, "end");
	sbuf_addf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"end\">", sx.p1, s->height - 4);
	html_escape_str(out, s->x_name ? s->x_name : "");
	if (s->x_log1p)
		sbuf_addstr(out, " (log scale)");
	sbuf_addstr(out, "</text>");
	sbuf_addf(out, "<text x=\"%.1f\" y=\"%.1f\">", sx.p0 + 4, sy.p1 + 8);
	html_escape_str(out, s->y_name ? s->y_name : "");
	sbuf_addstr(out, "</text>");
	for (unsigned w = 0; w < s->ncls; w++) {
		sbuf_addf(out, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%d\" r=\"4\"/><text x=\"%.1f\" y=\"%d\">",
			  s->point_cls[w], legend_x, s->height - 8, legend_x + 7, s->height - 4);
		html_escape_str(out, s->point_cls[w]);
		sbuf_addstr(out, "</text>");
		legend_x += 60;
	}
	sbuf_addstr(out, "</svg>");
}
