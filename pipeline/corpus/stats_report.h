/*
 * stats_report.h — the human-readable side of smelt-stats: one
 * self-contained HTML page (report/html.h: inline CSS, inline SVG charts,
 * no scripts, no fonts, no links to the network) drawn from the JSON
 * result, so the page and the JSON never disagree.
 */
#ifndef SMELT_STATS_REPORT_H
#define SMELT_STATS_REPORT_H

#include <jansson.h>

#include "core/sbuf.h"

/*
 * Append the page for `doc` (a smelt-stats result: stats_agg_result plus
 * the stage's header fields stage, version, inputs, rejected) to `out`.
 * `doc` is borrowed. Every string from the data is HTML-escaped.
 */
void stats_report_render(struct sbuf *out, const json_t *doc);

#endif
