/*
 * filter_run.h — smelt-filter's two passes over its input.
 *
 * Pass 1 reads every input once (stdin included): each record's score and
 * group go into the statistics (filter_stats.h, 8 bytes per score), its
 * canonical text into a spool — a temporary zstd file, unlinked as soon as
 * it is created so that nothing is left behind even after kill -9 — and
 * its original location into a small fixed-size index beside it. Records
 * that do not parse are set aside here, once, with their real file and
 * line.
 *
 * Pass 2 reads the spool back in the same order and decides each record:
 * kept records go to the output; dropped ones to the rejects, kind = the
 * rule, with "filter": {rule, group, score, threshold} and the location
 * they had in the input (or are discarded with `drop`). The report and
 * --stats figures are made from both passes.
 *
 * Under a control (cfg->control, filter_control.h) pass 1 also measures
 * each record's control value (in the worker threads) and the index entry
 * carries it, so pass 2 recomputes the residual from the entry alone; a
 * drop adds {residual, fitted, control} to "filter".
 */
#ifndef SMELT_FILTER_RUN_H
#define SMELT_FILTER_RUN_H

#include <stddef.h>

#include "reward/filter_control.h"
#include "reward/filter_report.h"
#include "reward/filter_stats.h"
#include "stage/stage.h"

struct filter_config {
	const char *score;          /* path of the score, e.g. scores.rm */
	char **by;                  /* group fields (borrowed); none: one global group */
	size_t nby;
	struct filter_rules rules;
	struct filter_control control; /* kind FILTER_CONTROL_NONE: cut the raw score */
	int drop;                   /* discard dropped records (counted) instead of rejecting them */
	int dry_run;                /* write nothing but the report and --stats */
	const char *report;         /* HTML report path, or NULL */
	struct filter_report_opts report_opts;
};

/*
 * Run both passes over st's inputs (stdin when none). `st` must be opened
 * (stage_open) unless cfg->dry_run. Adds the "filter" figures to
 * st->figures and writes the report. Returns 0, or -1 on a fatal error
 * (already reported).
 */
int filter_run(struct stage *st, const struct filter_config *cfg) MUST_CHECK;

#endif
