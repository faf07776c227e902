/*
 * filter_report.h — smelt-filter's HTML report, for checking a cut by hand:
 * per group a histogram of the scores (kept and dropped stacked, the cut
 * drawn as a line), kept and dropped counts, and a random sample of the
 * dropped records and of the kept records just above the cut
 * ("borderline"), each shown with its text and its local images as
 * thumbnails.
 *
 * The page is one self-contained file: inline CSS and SVG, images as
 * data: URIs, no scripts and nothing fetched from the network (a remote
 * image is named, not linked).
 *
 * Under a control (filter_stats.h) the histograms are of residuals, and
 * each group also gets two scatter charts of a seeded sample of its points:
 * score against the control with the fitted line ("before"), and the
 * residual against the control with the cut ("after").
 *
 * Samples are drawn in the second pass with seeded reservoirs
 * (core/reservoir.h), so the same input and seed give the same page; only the
 * records drawn are parsed and held, so memory is bounded by
 * groups shown x samples.
 */
#ifndef SMELT_FILTER_REPORT_H
#define SMELT_FILTER_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "reward/filter_stats.h"
#include "llm/image_load.h"

struct filter_report_opts {
	size_t samples;              /* records shown per group, for each of dropped and borderline */
	size_t max_groups;           /* groups with a section of their own (the largest) */
	uint64_t seed;
	struct image_load_opts images; /* root, and the largest image embedded */
	uint64_t image_budget;       /* image bytes embedded in the whole page */
	const char *control_name;    /* under a control: its name ("length", a field) */
	int control_log;             /* its x is log(1 + value) */
};

struct filter_report;

/*
 * A report over `fs` (borrowed; finished, and alive until the report is
 * freed). Returns a new report.
 */
struct filter_report *filter_report_new(const struct filter_stats *fs,
					const struct filter_report_opts *o);

/* A record decided in the second pass. */
struct filter_report_item {
	enum filter_rule rule;  /* FILTER_KEPT if kept */
	double score;           /* NAN if none */
	double threshold;       /* the bound crossed */
	double value;           /* what the relative rules compared: score, or its residual */
	double x, control;      /* under a control: the fit's x and the control value (NAN: none) */
	const char *text;       /* serialised record, parsed only when it is drawn (borrowed) */
	size_t len;
};

/* Offer a record of group `gid`. */
void filter_report_offer(struct filter_report *r, uint32_t gid, const struct filter_report_item *it);

/*
 * Write the page to `path`. `info` (borrowed) describes the run:
 * {"score": path, "by": [fields], "rules": {...}, "inputs": [...],
 *  "records_in": n, "input_rejects": n, "dry_run": bool[, "control": {by, scale}]}.
 * Returns 0, or -1 after error().
 */
int filter_report_write(struct filter_report *r, const char *path, const json_t *info);

void filter_report_free(struct filter_report *r);

#endif
