/*
 * filter_run.c — the two passes of smelt-filter (see filter_run.h).
 *
 * Pass 1 runs stage_run with a map (worker threads: find the score and
 * the group key) and a serial step (main thread, input order: add to the
 * statistics, append the text to the spool and an index entry to the
 * index file). Pass 2 runs stage_run over the spool with no map — records
 * pass through the loop's fast path untouched — and a serial step that
 * reads the index entry of each record in step and decides it.
 *
 * The index entry carries the location as a pointer to the file name: the
 * names live in st->inputs (or are the static "<stdin>") for the whole
 * run, and the index never leaves this process.
 */
#include "reward/filter_run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json/json_path.h"
#include "json/json_write.h"

enum score_state { SCORE_OK, SCORE_ABSENT, SCORE_NOT_NUMBER };

struct index_entry {
	double score;          /* NAN when there is none */
	double x, control;     /* under a control: the fit's x and the value (NAN: none) */
	const char *file;
	uint64_t line;
	int64_t index;
	uint32_t gid;
	uint8_t state;         /* enum score_state */
	uint8_t type;          /* json_type of a score that is not a number */
};

struct run {
	const struct filter_config *cfg;
	struct filter_stats fs;
	struct filter_report *report;
	struct record_writer *spool;
	FILE *index;
	uint64_t discarded, index_errors;
};

static const char *const type_names[] = {
	[JSON_OBJECT] = "an object", [JSON_ARRAY] = "a list", [JSON_STRING] = "a string",
	[JSON_INTEGER] = "a number", [JSON_REAL] = "a number", [JSON_TRUE] = "a boolean",
	[JSON_FALSE] = "a boolean", [JSON_NULL] = "null",
};

/* ---- pass 1 -------------------------------------------------------------- */

/* Worker threads: the score into scratch, the group key into aux. */
static int pass1_map(struct record *rec, void *ctx)
{
	const struct run *run = ctx;
	const struct filter_config *cfg = run->cfg;
	const json_t *v = jpath_get(rec->json, cfg->score);
	double score = NAN;
	enum score_state state = SCORE_OK;

	if (!v || json_is_null(v))
		state = SCORE_ABSENT;
	else if (!json_is_number(v))
		state = SCORE_NOT_NUMBER;
	else
		score = json_number_value(v);
	memcpy(&rec->scratch[0], &score, sizeof(score));
	rec->scratch[1] = state | (v ? (uint64_t)json_typeof(v) : 0) << 8;
	if (cfg->control.kind != FILTER_CONTROL_NONE) {
		struct sbuf why = SBUF_INIT;
		double value, x;

		/* the reason is found again for the reject, the rare case */
		filter_control_value(&cfg->control, rec->json, &value, &x, &why);
		sbuf_release(&why);
		memcpy(&rec->scratch[2], &x, sizeof(x));
		memcpy(&rec->scratch[3], &value, sizeof(value));
	}

	/* the group key travels to serial in aux */
	sbuf_reset(&rec->aux);
	for (size_t i = 0; i < cfg->nby; i++) {
		const json_t *g = jpath_get(rec->json, cfg->by[i]);
		if (i)
			sbuf_addch(&rec->aux, '\x1f');
		if (json_is_string(g))
			sbuf_add(&rec->aux, json_string_value(g), json_string_length(g));
		else if (!g || json_is_null(g))
			sbuf_addch(&rec->aux, '-');
		else
			json_write(&rec->aux, g);
	}
	if (!cfg->nby)
		sbuf_addstr(&rec->aux, "all");
	return STAGE_KEEP;
}

/* Main thread, input order. */
static int pass1_serial(struct stage *st, struct record *rec, void *ctx)
{
	struct run *run = ctx;
	struct index_entry e;

	memset(&e, 0, sizeof(e));
	memcpy(&e.score, &rec->scratch[0], sizeof(e.score));
	e.state = (uint8_t)rec->scratch[1];
	e.type = (uint8_t)(rec->scratch[1] >> 8);
	e.x = e.control = NAN;
	if (run->cfg->control.kind != FILTER_CONTROL_NONE) {
		memcpy(&e.x, &rec->scratch[2], sizeof(e.x));
		memcpy(&e.control, &rec->scratch[3], sizeof(e.control));
	}
	e.file = rec->loc.file;
	e.line = rec->loc.line;
	e.index = rec->loc.index;
	e.gid = filter_stats_group(&run->fs, rec->aux.buf, rec->aux.len);
	if (run->cfg->control.kind != FILTER_CONTROL_NONE)
		filter_stats_add_x(&run->fs, e.gid, e.score, e.x);
	else
		filter_stats_add(&run->fs, e.gid, e.score);
	if (fwrite(&e, sizeof(e), 1, run->index) != 1) {
		error("cannot write the spool index: %s", strerror(errno));
		return -1;
	}
	if (record_writer_add_lines(run->spool, rec->text.buf, rec->text.len, rec->nout) < 0)
		return -1;
	(void)st;
	return 1;
}

/* ---- pass 2 -------------------------------------------------------------- */

static void add_reason(struct sbuf *msg, const struct run *run, const struct index_entry *e,
		       enum filter_rule rule, double t, double value, const json_t *json)
{
	const struct filter_config *cfg = run->cfg;
	const struct filter_group *g = &run->fs.groups[e->gid];
	const char *what = cfg->control.kind != FILTER_CONTROL_NONE ? "residual" : "score";
	double v, x;

	switch (rule) {
	case FILTER_MISSING:
		if (e->state == SCORE_NOT_NUMBER)
			sbuf_addf(msg, "'%s' is %s, not a number", cfg->score,
				  e->type < ARRAY_SIZE(type_names) ? type_names[e->type] : "not a number");
		else
			sbuf_addf(msg, "no score at '%s'", cfg->score);
		break;
	case FILTER_MISSING_CONTROL:
		/* measured again for its reason: the entry keeps only NAN */
		if (!json || filter_control_value(&cfg->control, json, &v, &x, msg) == 0)
			sbuf_addf(msg, "no value of the control '%s'", filter_control_name(&cfg->control));
		break;
	case FILTER_BELOW_MIN:
		sbuf_addf(msg, "score %g is below --min %g", e->score, t);
		break;
	case FILTER_ABOVE_MAX:
		sbuf_addf(msg, "score %g is above --max %g", e->score, t);
		break;
	case FILTER_QUANTILE:
	case FILTER_ROBUST_Z:
		if (cfg->control.kind != FILTER_CONTROL_NONE)
			sbuf_addf(msg, "score %g at %s %g, fitted %g: ", e->score, filter_control_name(&cfg->control),
				  e->control, e->score - value);
		if (rule == FILTER_QUANTILE)
			sbuf_addf(msg, "%s %g is below %g, the %g quantile of ", what, value, t,
				  cfg->rules.drop_quantile);
		else
			sbuf_addf(msg, "%s %g is below %g: robust z under -%g in ", what, value, t,
				  cfg->rules.robust_z);
		if (g->global)
			sbuf_addf(msg, "all %ss (small group '%s')", what, g->name);
		else
			sbuf_addf(msg, "group '%s'", g->name);
		break;
	default:
		break;
	}
}

static json_t *number_or_null(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static void reject_dropped(struct stage *st, struct run *run, struct record *rec,
			   const struct index_entry *e, enum filter_rule rule, double t, double value)
{
	struct record_loc loc = { e->file, e->line, e->index };
	json_t *json = json_loadb(rec->text.buf, rec->text.len, 0, NULL);
	struct sbuf msg = SBUF_INIT;
	json_t *f;

	add_reason(&msg, run, e, rule, t, value, json);
	if (json) {
		f = json_pack("{s:s, s:s, s:o, s:o}", "rule", filter_rule_name(rule),
			      "group", run->fs.groups[e->gid].name, "score", number_or_null(e->score),
			      "threshold", number_or_null(t));
		/* why, under a control: where the score sits against its line */
		if (run->cfg->control.kind != FILTER_CONTROL_NONE) {
			json_object_set_new(f, "residual", number_or_null(value));
			json_object_set_new(f, "fitted", number_or_null(e->score - value));
			json_object_set_new(f, "control", number_or_null(e->control));
		}
		json_object_set_new(json, "filter", f);
	}
	stage_reject(st, &loc, json, rec->text.buf, rec->text.len, filter_rule_name(rule), "%s", msg.buf);
	json_decref(json);
	sbuf_release(&msg);
}

static int pass2_serial(struct stage *st, struct record *rec, void *ctx)
{
	struct run *run = ctx;
	struct index_entry e;
	enum filter_rule rule;
	double t, value;

	if (fread(&e, sizeof(e), 1, run->index) != 1) {
		error("the spool has more records than its index");
		return -1;
	}
	rule = filter_stats_decide_x(&run->fs, e.gid, e.score, e.x, &t, &value);
	if (run->report)
		filter_report_offer(run->report, e.gid, &(struct filter_report_item){
			.rule = rule, .score = e.score, .threshold = t, .value = value, .x = e.x,
			.control = e.control, .text = rec->text.buf, .len = rec->text.len });
	if (run->cfg->dry_run)
		return 1;
	if (rule == FILTER_KEPT)
		return 0;
	if (run->cfg->drop)
		run->discarded++;
	else
		reject_dropped(st, run, rec, &e, rule, t, value);
	return 1;
}

/* ---- the run ------------------------------------------------------------- */

/*
 * A temporary file that exists only as an open descriptor: created and
 * unlinked at once, then reopened by its /proc/self/fd path by the writer
 * and the reader. Returns the descriptor (and the path in `path`) or -1.
 */
static int open_spool(struct sbuf *path)
{
	const char *dir = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/smelt-filter-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(tmpl);

	if (fd < 0) {
		error("cannot create a spool file in '%s': %s", dir && *dir ? dir : "/tmp", strerror(errno));
		free(tmpl);
		return -1;
	}
	unlink(tmpl);
	free(tmpl);
	sbuf_addf(path, "/proc/self/fd/%d", fd);
	return fd;
}

static json_t *run_figures(const struct run *run)
{
	const struct filter_config *cfg = run->cfg;
	json_t *f = filter_stats_json(&run->fs), *by = json_array();
	json_t *rules = json_pack("{s:o, s:o, s:o, s:o, s:I, s:s}",
				  "drop_quantile", number_or_null(cfg->rules.drop_quantile > 0 ?
								  cfg->rules.drop_quantile : NAN),
				  "robust_z", number_or_null(cfg->rules.robust_z > 0 ? cfg->rules.robust_z : NAN),
				  "min", number_or_null(cfg->rules.min), "max", number_or_null(cfg->rules.max),
				  "min_group", (json_int_t)cfg->rules.min_group,
				  "missing", cfg->rules.keep_missing ? "keep" : "reject");

	for (size_t i = 0; i < cfg->nby; i++)
		json_array_append_new(by, json_string(cfg->by[i]));
	json_object_set_new(f, "score", json_string(cfg->score));
	json_object_set_new(f, "by", by);
	json_object_set_new(f, "rules", rules);
	json_object_set_new(f, "control", cfg->control.kind == FILTER_CONTROL_NONE ? json_null() :
			    json_pack("{s:s, s:s}", "by", filter_control_name(&cfg->control),
				      "scale", filter_control_scale_name(cfg->control.scale)));
	json_object_set_new(f, "dry_run", json_boolean(cfg->dry_run));
	json_object_set_new(f, "discarded", json_integer((json_int_t)run->discarded));
	return f;
}

static int write_report(struct stage *st, struct run *run, uint64_t records_in, uint64_t input_rejects)
{
	const struct filter_config *cfg = run->cfg;
	json_t *info = json_pack("{s:s, s:[], s:I, s:I, s:b}", "score", cfg->score, "by",
				 "records_in", (json_int_t)records_in, "input_rejects", (json_int_t)input_rejects,
				 "dry_run", cfg->dry_run);
	int r;

	for (size_t i = 0; i < cfg->nby; i++)
		json_array_append_new(json_object_get(info, "by"), json_string(cfg->by[i]));
	if (cfg->control.kind != FILTER_CONTROL_NONE)
		json_object_set_new(info, "control", json_pack("{s:s, s:s}", "by", filter_control_name(&cfg->control),
							       "scale", filter_control_scale_name(cfg->control.scale)));
	r = filter_report_write(run->report, cfg->report, info);
	json_decref(info);
	(void)st;
	return r;
}

int filter_run(struct stage *st, const struct filter_config *cfg)
{
	struct run run = { .cfg = cfg };
	const struct stage_ops pass1 = { .map = pass1_map, .serial = pass1_serial };
	const struct stage_ops pass2 = { .serial = pass2_serial };
	struct record_writer_opts wo = RECORD_WRITER_OPTS_INIT;
	struct sbuf spool_path = SBUF_INIT;
	char *spool_inputs[1];
	char **inputs = st->inputs;
	int ninputs = st->ninputs, strict = st->strict, fd, r = -1;
	uint64_t records_in, input_rejects;
	struct index_entry extra;

	filter_stats_init(&run.fs, &cfg->rules);
	if ((fd = open_spool(&spool_path)) < 0)
		goto out;
	wo.compress = 1;
	wo.level = 1;
	wo.workers = 0;
	wo.frame_seconds = 1e9; /* nobody reads the spool while it is written */
	if (!(run.spool = record_writer_open(spool_path.buf, &wo)))
		goto out;
	if (!(run.index = tmpfile())) {
		error("cannot create the spool index: %s", strerror(errno));
		goto out;
	}

	if (stage_run(st, &pass1, &run) < 0)
		goto out;
	if (record_writer_close(run.spool) < 0) {
		run.spool = NULL;
		goto out;
	}
	run.spool = NULL;
	if (fflush(run.index) || fseeko(run.index, 0, SEEK_SET)) {
		error("cannot rewind the spool index: %s", strerror(errno));
		goto out;
	}
	filter_stats_finish(&run.fs);
	if (cfg->report)
		run.report = filter_report_new(&run.fs, &cfg->report_opts);

	/* pass 2: the records are known to parse, and a drop is no error */
	records_in = st->records_in;
	input_rejects = st->records_rejected;
	spool_inputs[0] = spool_path.buf;
	st->inputs = spool_inputs;
	st->ninputs = 1;
	st->strict = 0;
	st->records_in = 0;
	r = stage_run(st, &pass2, &run);
	st->inputs = inputs;
	st->ninputs = ninputs;
	st->strict = strict;
	st->records_in = records_in;
	if (r == 0 && fread(&extra, sizeof(extra), 1, run.index) == 1)
		r = error("the spool has fewer records than its index");
	if (r == 0 && cfg->report && write_report(st, &run, records_in, input_rejects) < 0)
		r = -1;
	json_object_set_new(st->figures, "filter", run_figures(&run));
out:
	if (run.spool && record_writer_close(run.spool) < 0)
		r = -1;
	if (run.index)
		fclose(run.index);
	if (fd >= 0)
		close(fd);
	filter_report_free(run.report);
	filter_stats_release(&run.fs);
	sbuf_release(&spool_path);
	return r;
}
