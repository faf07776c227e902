/*
 * smelt-redundancy — how much of an evaluation suite repeats itself, over
 * a table of per-item results of many models: dimension, instance and
 * cross-benchmark redundancy ("Redundancy Principles for MLLM
 * Benchmarks"), a ranking-keeping item subset (--prune), an HTML report.
 * See stages/README.md and pipeline/bench/.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_csv.h"
#include "bench/bench_redundancy.h"
#include "bench/bench_report.h"
#include "bench/bench_table.h"
#include "core/atomic_file.h"
#include "json/json_path.h"
#include "stage/stage.h"

STAGE_OPTIONS(redundancy_options,
	"format=F        jsonl or csv (default: csv for inputs named *.csv, else jsonl)\n"
	"target=X        the SRCC / PLCC that counts as the same ranking (default 0.95)\n"
	"sizes=A..B:S    subset sizes in percent, A to B by S, or a list 5,10,50\n"
	"                (default 5..95:5)\n"
	"draws=N         random subsets per size (default 100)\n"
	"seed=S          seed of the subsets (default 0)\n"
	"prune=K         choose a K% subset of each benchmark that keeps its ranking\n"
	"subset=FILE     with --prune: write its items, one {benchmark, item} a line\n"
	"report=FILE     write an HTML report: heatmaps and subset-size curves\n",
	OPT_FORMAT, OPT_TARGET, OPT_SIZES, OPT_DRAWS, OPT_SEED, OPT_PRUNE, OPT_SUBSET, OPT_REPORT);

static const char redundancy_help[] =
	"Input: per-item scores, one cell a record {\"model\", \"item\", \"benchmark\",\n"
	"\"dimension\", \"score\"} (item a string or number; benchmark and dimension\n"
	"optional; score a number or a boolean), or CSV long (columns model, item,\n"
	"score[, benchmark, dimension]) or wide (a model a row, a column per item named\n"
	"BENCHMARK/DIMENSION/ITEM). Writes one JSON document (plain, pretty):\n"
	"dimensions and benchmarks {names, items, srcc, plcc, r2, mean_srcc, mean_plcc,\n"
	"mean_r2, redundant_pairs}, instances [{benchmark, items, min_k_srcc,\n"
	"min_k_plcc, curve: [{k, size, srcc, srcc_min, plcc, kendall}]}] and, with\n"
	"--prune, prune {k, kept, benchmarks: [{benchmark, items, kept, srcc, plcc,\n"
	"kendall}]}. A model's score on a set of items is its mean over the cells it\n"
	"has. Rejects: missing_field, bad_field_type, bad_score, bad_row,\n"
	"duplicate_cell, conflicting_item (an item given two dimensions).";

struct redundancy_cli {
	struct redundancy_opts o;
	double sizes[1000];
	const char *format, *subset, *report;
	struct bench_table t;
};

/* A whole number string `s` of `len` bytes (a percent); 0 or -1. */
static int number_part(const char *s, size_t len, double *x)
{
	char *copy = xstrndup(s, len), *end;
	int r;

	*x = strtod(copy, &end);
	r = end != copy && !*end && isfinite(*x) ? 0 : -1;
	free(copy);
	return r;
}

static int parse_sizes(const char *arg, struct redundancy_cli *c)
{
	const char *dots = strstr(arg, ".."), *colon = strchr(arg, ':');
	double a, b, step;
	char *end;

	c->o.nsizes = 0;
	if (dots) {
		/* "5..95:5": strtod would read "5." as a number, so the parts are cut first */
		if (!colon || colon < dots || number_part(arg, (size_t)(dots - arg), &a) < 0 ||
		    number_part(dots + 2, (size_t)(colon - dots - 2), &b) < 0 ||
		    number_part(colon + 1, strlen(colon + 1), &step) < 0)
			return -1;
		if (!(step > 0) || !(a > 0) || !(b <= 100) || a > b)
			return -1;
		for (size_t i = 0; c->o.nsizes < 1000; i++) {
			double k = a + (double)i * step;

			if (k > b + 1e-9)
				break;
			c->sizes[c->o.nsizes++] = k;
		}
		return 0;
	}
	for (;;) {
		a = strtod(arg, &end);
		if (end == arg || !(a > 0) || !(a <= 100) || c->o.nsizes == 1000 ||
		    (c->o.nsizes && a <= c->sizes[c->o.nsizes - 1]))
			return -1;
		c->sizes[c->o.nsizes++] = a;
		if (!*end)
			return 0;
		if (*end != ',')
			return -1;
		arg = end + 1;
	}
}

static int redundancy_option(struct stage *st, int id, const char *arg, void *ctx)
{
	struct redundancy_cli *c = ctx;

	switch (id) {
	case OPT_FORMAT:
		if (strcmp(arg, "jsonl") && strcmp(arg, "csv"))
			stage_usage_error(st, "--format wants jsonl or csv, not '%s'", arg);
		c->format = arg;
		return 0;
	case OPT_TARGET:
		c->o.target = stage_arg_double(st, "--target", arg, -1, 1, "a number in [-1, 1]");
		return 0;
	case OPT_SIZES:
		if (parse_sizes(arg, c) < 0)
			stage_usage_error(st, "--sizes wants A..B:STEP or ascending percents 5,10,50 in (0, 100], not '%s'",
					  arg);
		return 0;
	case OPT_DRAWS: c->o.draws = (size_t)stage_arg_long(st, "--draws", arg, 1, 1000000); return 0;
	case OPT_SEED: c->o.seed = (uint64_t)stage_arg_long(st, "--seed", arg, 0, 0x7fffffffffffffffL); return 0;
	case OPT_PRUNE:
		c->o.prune = stage_arg_double(st, "--prune", arg, 0, 100, "a percent in (0, 100]");
		if (c->o.prune <= 0)
			stage_usage_error(st, "--prune wants a percent above 0");
		return 0;
	case OPT_SUBSET: c->subset = arg; stage_add_output(st, "--subset", arg); return 0;
	case OPT_REPORT: c->report = arg; stage_add_output(st, "--report", arg); return 0;
	}
	return -1;
}

/* A field as text: a string, or an integer written as one. */
static char *field_text(const json_t *rec, const char *name)
{
	const json_t *v = json_object_get(rec, name);

	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	return NULL;
}

static int cell_serial(struct stage *st, struct record *rec, void *ctx)
{
	struct redundancy_cli *c = ctx;
	const json_t *score = json_object_get(rec->json, "score");
	const char *names[] = { "model", "item", "benchmark", "dimension" }, *kind = NULL;
	char *f[4];
	struct sbuf err = SBUF_INIT;
	double x = json_is_boolean(score) ? json_is_true(score) : json_number_value(score);
	size_t i;

	for (i = 0; i < 4; i++)
		f[i] = field_text(rec->json, names[i]);
	for (i = 0; i < 4; i++) {
		const json_t *v = json_object_get(rec->json, names[i]);

		if (!f[i] && (i < 2 || (v && !json_is_null(v)))) {
			stage_reject(st, &rec->loc, rec->json, NULL, 0, v ? "bad_field_type" : "missing_field",
				     v ? "'%s' is neither a string nor an integer" : "record has no '%s'", names[i]);
			break;
		}
	}
	if (i == 4 && !json_is_number(score) && !json_is_boolean(score))
		stage_reject(st, &rec->loc, rec->json, NULL, 0, score ? "bad_score" : "missing_field",
			     score ? "'score' is neither a number nor a boolean" : "record has no 'score'");
	else if (i == 4 && bench_table_add(&c->t, f[0], f[1], f[2], f[3], x, &kind, &err) < 0)
		stage_reject(st, &rec->loc, rec->json, NULL, 0, kind, "%s", err.buf);
	for (i = 0; i < 4; i++)
		free(f[i]);
	sbuf_release(&err);
	return 1;
}

struct csv_ctx {
	struct stage *st;
	const char *file;
};

static void csv_reject(void *vctx, uint64_t line, const char *raw, const char *kind, const char *msg)
{
	struct csv_ctx *cc = vctx;
	struct record_loc loc = { cc->file, line, -1 };

	stage_reject(cc->st, &loc, NULL, raw, strlen(raw), kind, "%s", msg);
}

static int read_csv(struct stage *st, struct redundancy_cli *c)
{
	for (int i = 0; i < (st->ninputs ? st->ninputs : 1); i++) {
		const char *name = st->ninputs ? st->inputs[i] : "-";
		FILE *fp = strcmp(name, "-") ? fopen(name, "r") : stdin;
		struct csv_ctx cc = { st, name };
		long rows;

		if (!fp) {
			error("%s: %s", name, strerror(errno));
			return -1;
		}
		rows = bench_csv_read(fp, name, &c->t, csv_reject, &cc);
		if (fp != stdin)
			fclose(fp);
		if (rows < 0)
			return -1;
		st->records_in += (uint64_t)rows;
	}
	return 0;
}

static int is_csv_name(const char *s)
{
	size_t n = strlen(s);

	return n > 4 && !strcmp(s + n - 4, ".csv");
}

static int write_outputs(struct stage *st, struct redundancy_cli *c)
{
	json_t *kept = NULL, *doc = redundancy_analyse(&c->t, &c->o, c->subset ? &kept : NULL), *v;
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
	int r = 0;
	size_t i;

	if (!text || record_writer_add(st->out, text, strlen(text)) < 0)
		r = -1;
	if (c->report) {
		struct sbuf page = SBUF_INIT;

		bench_report_render(&page, doc);
		if (atomic_file_write(c->report, page.buf, page.len, 0666) < 0)
			r = -1;
		sbuf_release(&page);
	}
	if (c->subset && r == 0) {
		struct record_writer_opts o = stage_writer_opts(st);
		struct record_writer *w = record_writer_open(c->subset, &o);

		if (!w)
			r = -1;
		json_array_foreach(kept, i, v)
			if (w && r == 0 && record_writer_add_json(w, v) < 0)
				r = -1;
		if (w && (r < 0 ? (record_writer_abort(w), -1) : record_writer_close(w)) < 0)
			r = -1;
	}
	json_object_set_new(st->figures, "redundancy",
			    json_pack("{s:I, s:I, s:I, s:I}", "models", (json_int_t)c->t.nmodels, "items",
				      (json_int_t)c->t.nitems, "benchmarks", (json_int_t)c->t.nbench, "dimensions",
				      (json_int_t)c->t.ndims));
	json_decref(kept);
	json_decref(doc);
	free(text);
	return r;
}

int main(int argc, char **argv)
{
	struct stage st;
	struct redundancy_cli c = { .o = { .target = 0.95, .draws = 100 } };
	const struct stage_ops ops = { .serial = cell_serial, .keep_json = 1 };
	int csv;

	stage_init(&st, "smelt-redundancy",
		   "Benchmark redundancy: dimensions, instances, benchmarks; a ranking-keeping subset.",
		   "smelt-redundancy results.jsonl.zst --report redundancy.html -o redundancy.json \\\n"
		   "      --prune 30 --subset kept-items.jsonl");
	st.extra_help = redundancy_help;
	c.o.sizes = c.sizes;
	parse_sizes("5..95:5", &c);
	stage_parse_options(&st, argc, argv, &redundancy_options, redundancy_option, &c);
	if (c.o.prune > 0 && !c.subset)
		stage_usage_error(&st, "--prune K needs --subset FILE for the items it keeps");
	if (c.subset && !(c.o.prune > 0))
		stage_usage_error(&st, "--subset FILE needs --prune K");
	csv = c.format ? !strcmp(c.format, "csv") : st.ninputs > 0 && is_csv_name(st.inputs[0]);
	st.plain = 1; /* the document is for reading, never compressed */
	bench_table_init(&c.t);
	stage_open(&st);
	if (csv ? read_csv(&st, &c) < 0 : stage_run(&st, &ops, &c) < 0)
		st.failed = 1;
	if (!st.failed) {
		bench_table_seal(&c.t);
		if (c.t.nmodels < 3)
			warning("%zu models: every correlation needs at least 3", c.t.nmodels);
		if (write_outputs(&st, &c) < 0)
			st.failed = 1;
	}
	bench_table_release(&c.t);
	return stage_finish(&st);
}
