/*
 * smelt-filter — drop records whose score is an outlier of their group:
 * the bottom quantile per group, a robust z-score bound, absolute bounds,
 * and a declared rule for records without a score — on the raw score, or
 * with --control on its residual against the answer's length (or a field),
 * so a reward model's length bias is not taken for defects. Two passes (statistics,
 * then decisions) over a spooled copy of the input, an HTML report to check
 * the cut by hand. See stages/README.md.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/record_key.h"
#include "reward/filter_run.h"
#include "stage/stage.h"

STAGE_OPTIONS(filter_options,
	"score=PATH          the score to cut on, e.g. scores.rm (required)\n"
	"by=F,...            group by these fields (e.g. source,task); default one group\n"
	"control=length|FIELD  cut on the residual of score against log(1 + length of\n"
	"                    the assistant turns) or of a numeric field, fitted per group\n"
	"control-scale=S     log (default: log(1 + x)) or linear\n"
	"min-group=N         groups with fewer scores use global statistics (default 30)\n"
	"drop-quantile=Q     drop the bottom Q of each group (0 <= Q < 1)\n"
	"robust-z=Z          drop scores below median - Z * 1.4826 * MAD\n"
	"min=X               drop scores below X\n"
	"max=X               drop scores above X\n"
	"missing=RULE        records without a score: reject (default) or keep\n"
	"drop                discard dropped records (counted in --stats), do not reject them\n"
	"report=FILE         write an HTML report: histograms, cuts, sampled records\n"
	"dry-run             decide but write only the report and --stats\n"
	"samples=N           report: dropped and borderline records shown per group (default 6)\n"
	"borderline=F        report: the share of a group above its cut called borderline\n"
	"                    (default 0.05)\n"
	"seed=S              report: seed of the random samples (default 0)\n"
	"report-groups=N     report: sections for the N largest groups (default 50)\n"
	"image-root=DIR      report: relative image paths are under DIR\n"
	"allow-absolute-images  report: read absolute image paths and paths leaving the root\n"
	"thumb-max-bytes=SZ  report: largest image embedded (default 512k)\n",
	OPT_SCORE, OPT_BY, OPT_CONTROL, OPT_CONTROL_SCALE, OPT_MIN_GROUP, OPT_DROP_QUANTILE, OPT_ROBUST_Z, OPT_MIN, OPT_MAX,
	OPT_MISSING, OPT_DROP, OPT_REPORT, OPT_DRY_RUN, OPT_SAMPLES, OPT_BORDERLINE, OPT_SEED,
	OPT_REPORT_GROUPS, OPT_IMAGE_ROOT, OPT_ALLOW_ABSOLUTE_IMAGES, OPT_THUMB_MAX_BYTES);

static const char filter_help[] =
	"Pass 1 reads the input once (stdin is spooled to a temporary zstd file in\n"
	"$TMPDIR) and keeps 8 bytes per score; pass 2 decides. Rules, first match\n"
	"names the drop: missing_score, below_min, above_max, quantile (score below\n"
	"the floor(Q*n)-th smallest of its group), robust_z. A group with fewer than\n"
	"--min-group scores is cut by the statistics of all scores. Dropped records\n"
	"go to --rejects (kind = rule, with filter: {rule, group, score, threshold})\n"
	"or, with --drop, are discarded; without either the stage exits 3.\n"
	"\n"
	"--control fits score = a + b*x per group (Theil-Sen: the median of pair\n"
	"slopes, at most 200,000 seeded pairs; groups under --min-group use the line\n"
	"through all points) and the quantile and robust-z rules cut the residual,\n"
	"score - fitted, so a score low only because the answer is short is kept.\n"
	"--min/--max still bound the raw score. A record without a control value is\n"
	"dropped as missing_control (kept with --missing keep). Drops add filter:\n"
	"{residual, fitted, control}; the report plots score and residual against x.";

struct filter_cli {
	struct filter_config cfg;
	const char *by_arg;
	int scale_set;
};

static int filter_option(struct stage *st, int id, const char *arg, void *ctx)
{
	struct filter_cli *c = ctx;
	struct filter_config *cfg = &c->cfg;
	uint64_t size;

	switch (id) {
	case OPT_SCORE: cfg->score = stage_arg_field(st, "--score", arg); return 0;
	case OPT_BY: c->by_arg = arg; return 0;
	case OPT_CONTROL:
		if (!strcmp(arg, "length")) {
			cfg->control.kind = FILTER_CONTROL_LENGTH;
		} else {
			cfg->control.kind = FILTER_CONTROL_FIELD;
			cfg->control.field = stage_arg_field(st, "--control", arg);
		}
		cfg->rules.control = 1;
		return 0;
	case OPT_CONTROL_SCALE:
		if (strcmp(arg, "log") && strcmp(arg, "linear"))
			stage_usage_error(st, "--control-scale wants log or linear, not '%s'", arg);
		cfg->control.scale = !strcmp(arg, "log") ? FILTER_CONTROL_LOG : FILTER_CONTROL_LINEAR;
		c->scale_set = 1;
		return 0;
	case OPT_MIN_GROUP:
		cfg->rules.min_group = (uint64_t)stage_arg_long(st, "--min-group", arg, 1, 1000000000L);
		return 0;
	case OPT_DROP_QUANTILE:
		cfg->rules.drop_quantile = stage_arg_double(st, "--drop-quantile", arg, 0, 1, "a number in [0, 1]");
		if (cfg->rules.drop_quantile >= 1)
			stage_usage_error(st, "--drop-quantile must be below 1");
		return 0;
	case OPT_ROBUST_Z:
		cfg->rules.robust_z = stage_arg_double(st, "--robust-z", arg, 0, 1e9, "a number in [0, 1e+09]");
		if (cfg->rules.robust_z <= 0)
			stage_usage_error(st, "--robust-z must be above 0");
		return 0;
	case OPT_MIN: cfg->rules.min = stage_arg_double(st, "--min", arg, -INFINITY, INFINITY, "a number"); return 0;
	case OPT_MAX: cfg->rules.max = stage_arg_double(st, "--max", arg, -INFINITY, INFINITY, "a number"); return 0;
	case OPT_MISSING:
		if (strcmp(arg, "reject") && strcmp(arg, "keep"))
			stage_usage_error(st, "--missing wants reject or keep, not '%s'", arg);
		cfg->rules.keep_missing = !strcmp(arg, "keep");
		return 0;
	case OPT_DROP: cfg->drop = 1; return 0;
	case OPT_REPORT: cfg->report = arg; stage_add_output(st, "--report", arg); return 0;
	case OPT_DRY_RUN: cfg->dry_run = 1; return 0;
	case OPT_SAMPLES: cfg->report_opts.samples = (size_t)stage_arg_long(st, "--samples", arg, 0, 10000); return 0;
	case OPT_BORDERLINE:
		cfg->rules.borderline = stage_arg_double(st, "--borderline", arg, 0, 1, "a number in [0, 1]");
		return 0;
	case OPT_SEED:
		cfg->report_opts.seed = (uint64_t)stage_arg_long(st, "--seed", arg, 0, 0x7fffffffffffffffL);
		return 0;
	case OPT_REPORT_GROUPS:
		cfg->report_opts.max_groups = (size_t)stage_arg_long(st, "--report-groups", arg, 0, 100000);
		return 0;
	case OPT_IMAGE_ROOT: cfg->report_opts.images.root = arg; return 0;
	case OPT_ALLOW_ABSOLUTE_IMAGES: cfg->report_opts.images.allow_absolute = 1; return 0;
	case OPT_THUMB_MAX_BYTES:
		if (parse_size(arg, &size) || !size)
			stage_usage_error(st, "--thumb-max-bytes: bad size '%s'", arg);
		cfg->report_opts.images.max_bytes = size;
		return 0;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct stage st;
	struct filter_cli c = { 0 };
	struct filter_config *cfg = &c.cfg;
	const struct filter_rules rules = FILTER_RULES_INIT;

	cfg->rules = rules;
	cfg->report_opts.samples = 6;
	cfg->report_opts.max_groups = 50;
	cfg->report_opts.images.max_bytes = 512u << 10;
	cfg->report_opts.image_budget = 64u << 20;
	stage_init(&st, "smelt-filter", "Drop records whose score is an outlier of their group, with a report.",
		   "smelt-filter --score scores.rm --by source,task --drop-quantile 0.05 \\\n"
		   "      --report report.html --rejects dropped.jsonl.zst scored.jsonl.zst -o kept.jsonl.zst");
	st.extra_help = filter_help;
	stage_parse_options(&st, argc, argv, &filter_options, filter_option, &c);
	if (!cfg->score)
		stage_usage_error(&st, "--score PATH is required");
	if (cfg->rules.min > cfg->rules.max)
		stage_usage_error(&st, "--min %g is above --max %g", cfg->rules.min, cfg->rules.max);
	if (c.by_arg && record_key_split_paths(c.by_arg, &cfg->by, &cfg->nby) < 0)
		stage_usage_error(&st, "--by: bad field list '%s' (paths separated by commas)", c.by_arg);
	if (cfg->dry_run && (st.output || st.rejects_path))
		stage_usage_error(&st, "--dry-run writes nothing but the report: drop -o and --rejects");
	if (cfg->control.kind == FILTER_CONTROL_NONE && c.scale_set)
		stage_usage_error(&st, "--control-scale needs --control");
	cfg->report_opts.control_name = filter_control_name(&cfg->control);
	cfg->report_opts.control_log = cfg->control.scale == FILTER_CONTROL_LOG;
	if (!cfg->dry_run)
		stage_open(&st);
	if (filter_run(&st, cfg) < 0)
		st.failed = 1;
	for (size_t i = 0; i < cfg->nby; i++)
		free(cfg->by[i]);
	free(cfg->by);
	return stage_finish(&st);
}
