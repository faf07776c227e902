/*
 * neardup_report.h — the near-duplicate page (`cluster --report`,
 * `smelt-dedup --near --report`): the LSH S-curve of the bands and rows
 * used with the threshold marked, the cluster-size histogram, counts per
 * source, and a sample of removals beside the record each one lost to.
 * Gathered while cluster decides, written once at the end.
 */
#ifndef SMELT_NEARDUP_REPORT_H
#define SMELT_NEARDUP_REPORT_H

#include <stdint.h>

#include "core/sbuf.h"
#include "core/util.h"
#include "neardup/sigfile.h"

struct neardup_report;
struct cluster_figures;

struct neardup_report *neardup_report_new(double threshold);
void neardup_report_free(struct neardup_report *r);
/* The banding the pairs were made with (the last one given wins). */
void neardup_report_shape(struct neardup_report *r, int bands, int rows);
/* Every record, for the counts per source. */
void neardup_report_record(struct neardup_report *r, const struct sig_entry *e);
/* A cluster of `size` >= 2 records. */
void neardup_report_cluster(struct neardup_report *r, uint32_t size);
/* A removal: `removed` lost to `kept`. The first few are shown. */
void neardup_report_removal(struct neardup_report *r, const struct sig_entry *removed,
			    const struct sig_entry *kept, double similarity, double jaccard);
/* Render the page into `out`. */
void neardup_report_render(const struct neardup_report *r, const struct cluster_figures *fig,
			   struct sbuf *out);
/* Render and write `path` atomically. 0 or -1 after error(). */
int neardup_report_write(const struct neardup_report *r, const struct cluster_figures *fig,
			 const char *path) MUST_CHECK;

/* The S-curve 1-(1-s^rows)^bands as an inline SVG, `threshold` marked. */
void neardup_scurve_svg(struct sbuf *out, int bands, int rows, double threshold);

#endif
