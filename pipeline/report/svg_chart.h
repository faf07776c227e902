/*
 * svg_chart.h — the charts of smelt's HTML pages as inline SVG: a
 * histogram (one series, or several stacked, with marker lines such as
 * smelt-filter's cut) and horizontal bars for labelled sizes.
 *
 * Every bar carries a <title>, so a pointer shows its exact range and
 * count without a script. Labels are escaped here. Classes used (styled
 * by html.c): line.axis, line.cut, g.bin, and each series' own rect class.
 */
#ifndef SMELT_SVG_CHART_H
#define SMELT_SVG_CHART_H

#include <stddef.h>

#include "core/sbuf.h"

/* One series of a histogram: a count per bin. */
struct svg_series {
	const char *cls;      /* class of its rects: "bar", "kept", "dropped"... */
	const char *name;     /* in the legend and the bar titles; NULL: neither */
	const double *counts; /* nbins counts */
};

/* A vertical line at x value `at`, labelled "label value"; not drawn
 * when `at` is not finite or falls outside the edges. */
struct svg_mark {
	const char *label;
	double at;
};

struct svg_histogram {
	int width, height;              /* pixels */
	const char *cls;                /* class of the <svg>, or NULL */
	size_t nbins;
	const double *edges;            /* nbins + 1, ascending */
	const struct svg_series *series; /* stacked, the first at the bottom */
	size_t nseries;
	const struct svg_mark *marks;
	size_t nmarks;
};

/* Append the chart; nothing when it has no bins. Arrays are borrowed. */
void svg_chart_histogram(struct sbuf *out, const struct svg_histogram *h);

/* One horizontal bar: its label (not NUL-terminated) and its size. */
struct svg_bar {
	const char *label;
	size_t label_len;
	double value;
};

/* Append bars[0..n) as horizontal bars scaled to the largest, in the
 * order given; long labels are clipped (the bar's title has them whole). */
void svg_chart_bars(struct sbuf *out, const struct svg_bar *bars, size_t n);

#endif
