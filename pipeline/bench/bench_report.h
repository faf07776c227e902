/*
 * bench_report.h — smelt-redundancy's HTML page (report/html.h): heatmaps
 * of the dimension and benchmark SRCC matrices, the subset-size curves of
 * every benchmark with the target drawn, and the tables behind them
 * (redundant pairs, the smallest k per benchmark, the pruned subsets).
 * Drawn from the JSON document of redundancy_analyse alone, so the page
 * shows exactly the figures the document holds.
 */
#ifndef SMELT_BENCH_REPORT_H
#define SMELT_BENCH_REPORT_H

#include <jansson.h>

#include "core/sbuf.h"

/* Append the whole page for `doc` (borrowed). */
void bench_report_render(struct sbuf *out, const json_t *doc);

#endif
