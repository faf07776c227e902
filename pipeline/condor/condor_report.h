/*
 * condor_report.h — the count table of a pipeline run: one row per step,
 * read from the --stats JSON each stage wrote, so the report shows where
 * every record went (in, out, rejected by kind, and the stage's own
 * figures such as parse errors, re-samples, duplicates, refinements,
 * requests and cache hits).
 *
 * The table is JSON ({"steps": [row, ...]}, schemas/condor-report.schema.json)
 * and an HTML section that can stand alone or go into the smelt-stats
 * page of the final dataset.
 */
#ifndef SMELT_CONDOR_REPORT_H
#define SMELT_CONDOR_REPORT_H

#include <jansson.h>

#include "core/sbuf.h"

/*
 * A row for step `step` from a stage's --stats document (borrowed):
 * {step, stage, records_in, records_out, records_rejected,
 *  rejects_by_kind, figures: {name: number}}. figures flattens the
 * stage's own numeric figures one level deep ("gen.parse_errors",
 * "refine.refined", "duplicates"); of "llm" only requests and cache hits.
 * New reference.
 */
json_t *condor_report_row(const char *step, const json_t *stats);

/* Append the table of `report` ({"steps": [...]}, borrowed) as an HTML
 * <section>, every string escaped. */
void condor_report_html_section(struct sbuf *out, const json_t *report);

/*
 * A whole page: the section, inside `page` (an HTML document such as
 * smelt-stats writes) just after its <body> tag, or in a page of its own
 * when `page` is NULL or has no <body>.
 */
void condor_report_html_page(struct sbuf *out, const json_t *report, const char *page);

#endif
