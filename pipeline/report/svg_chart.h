/*
 * svg_chart.h — the charts of smelt's HTML pages as inline SVG: a
 * histogram (one series, or several stacked, with marker lines such as
 * smelt-filter's cut), horizontal bars for labelled sizes, and a scatter
 * of points with straight lines over it (a fitted line, a cut).
 *
 * Every bar carries a <title>, so a pointer shows its exact range and
 * count without a script. Labels are escaped here. Classes used (styled
 * by html.c): line.axis, line.cut, g.bin, and each series' own rect class; a scatter's
 * circles take their point class, its segments their own (line.fit).
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

/* One point of a scatter chart, drawn in class cls[which]. */
struct svg_point {
	double x, y;
	unsigned which;
};

/* A straight segment in data coordinates (e.g. a fitted line), class cls. */
struct svg_segment {
	const char *cls;
	double x0, y0, x1, y1;
};

struct svg_scatter {
	int width, height;              /* pixels */
	const char *cls;                /* class of the <svg>, or NULL */
	const struct svg_point *points;
	size_t npoints;
	const char *const *point_cls;   /* class (and legend name) of each `which` */
	size_t ncls;
	const struct svg_segment *lines; /* clipped to the plot's x range */
	size_t nlines;
	const struct svg_mark *hmarks;  /* horizontal lines at y = at, labelled */
	size_t nhmarks;
	const char *x_name, *y_name;    /* axis titles */
	int x_log1p;                    /* x holds log(1 + v): ticks are labelled with v */
};

/*
 * Append a scatter chart: points as small circles (the later `which`
 * drawn on top), then the segments and the horizontal marks, axes with
 * their ranges. The ranges cover every point and mark; nothing when there
 * is no point. Arrays are borrowed.
 */
void svg_chart_scatter(struct sbuf *out, const struct svg_scatter *s);

#endif
