/*
 * smelt-stats — describe a dataset: counts, field presence and types,
 * string lengths, conversation turns and per-role lengths, groups and
 * numeric histograms, as one JSON document (schemas/stats.schema.json) and
 * optionally a self-contained HTML report with charts.
 *
 * One pass: stdin cannot be read twice, so quantiles and histograms come
 * from a bounded reservoir per distribution (exact up to --reservoir
 * values; the JSON says when they are estimates). See pipeline/stats_agg.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "text/record_key.h"
#include "stage/stage.h"
#include "corpus/stats_agg.h"
#include "corpus/stats_report.h"

STAGE_OPTIONS(stats_options,
	"by=PATH          also count and describe the groups of the value at PATH\n"
	"html=FILE        write a self-contained HTML report with charts\n"
	"fields=PATH,...  describe only these fields (default: every one)\n"
	"bins=N           histogram bins (default 20)\n"
	"reservoir=N      values kept per distribution (default 10000)\n"
	"max-groups=N     groups described at most (default 1000)\n"
	"max-fields=N     fields described at most (default 256)\n",
	OPT_BY, OPT_HTML, OPT_FIELDS, OPT_BINS, OPT_RESERVOIR, OPT_MAX_GROUPS, OPT_MAX_FIELDS);

struct stats_ctx {
	struct stats_opts o;
	const char *html, *fields_arg;
	char **fields;
	size_t nfields;
	struct stats_agg *agg;
};

static int stats_option(struct stage *st, int id, const char *arg, void *vctx)
{
	struct stats_ctx *c = vctx;

	switch (id) {
	case OPT_BY: c->o.by = stage_arg_field(st, "--by", arg); return 0;
	case OPT_HTML:
		c->html = arg;
		stage_add_output(st, "--html", arg);
		return 0;
	case OPT_FIELDS: c->fields_arg = arg; return 0;
	case OPT_BINS: c->o.bins = (int)stage_arg_long(st, "--bins", arg, 1, 200); return 0;
	case OPT_RESERVOIR:
		c->o.reservoir = (size_t)stage_arg_long(st, "--reservoir", arg, 10, 100000000);
		return 0;
	case OPT_MAX_GROUPS:
		c->o.max_groups = (size_t)stage_arg_long(st, "--max-groups", arg, 1, 1000000);
		return 0;
	case OPT_MAX_FIELDS:
		c->o.max_fields = (size_t)stage_arg_long(st, "--max-fields", arg, 1, 100000);
		return 0;
	}
	return -1;
}

static void split_fields(struct stage *st, struct stats_ctx *c)
{
	if (record_key_split_paths(c->fields_arg, &c->fields, &c->nfields) < 0)
		stage_usage_error(st, "--fields: bad path list '%s' (paths separated by commas)",
				  c->fields_arg);
	c->o.fields = c->fields;
	c->o.nfields = c->nfields;
}

/*
 * Worker threads walk the record; what it contributes travels to serial
 * in rec->aux, so the JSON tree need not be
 * kept until the main thread (which costs more than the walk itself).
 */
static int stats_map(struct record *rec, void *vctx)
{
	const struct stats_ctx *c = vctx;

	stats_observe(&c->o, rec->json, &rec->aux);
	return STAGE_KEEP;
}

static int stats_serial(struct stage *st, struct record *rec, void *vctx)
{
	struct stats_ctx *c = vctx;

	stats_agg_add_observed(c->agg, rec->aux.buf, rec->aux.len);
	return 1;
}

/* The document: the stage's header, then the aggregate. */
static json_t *stats_document(struct stage *st, struct stats_ctx *c)
{
	json_t *doc = json_object(), *inputs = json_array(), *body = stats_agg_result(c->agg);

	for (int i = 0; i < st->ninputs; i++)
		json_array_append_new(inputs, json_string(st->inputs[i]));
	if (!st->ninputs)
		json_array_append_new(inputs, json_string("-"));
	json_object_set_new(doc, "stage", json_string(st->name));
	json_object_set_new(doc, "version", json_string(SMELT_VERSION));
	json_object_set_new(doc, "inputs", inputs);
	json_object_set_new(doc, "rejected", json_integer((json_int_t)st->records_rejected));
	json_object_update(doc, body);
	json_decref(body);
	return doc;
}

/* Whole or not at all, like every output (core/atomic_file.h). */
static int write_html(const char *path, const json_t *doc)
{
	struct sbuf page = SBUF_INIT;
	int r;

	stats_report_render(&page, doc);
	r = atomic_file_write(path, page.buf, page.len, 0666);
	sbuf_release(&page);
	return r;
}

static int write_report(struct stage *st, struct stats_ctx *c)
{
	json_t *doc = stats_document(st, c);
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	int r = 0;

	if (!text || record_writer_add(st->out, text, strlen(text)) < 0)
		r = -1;
	if (c->html && write_html(c->html, doc) < 0)
		r = -1;
	free(text);
	json_decref(doc);
	return r;
}

int main(int argc, char **argv)
{
	struct stage st;
	struct stats_ctx c = { .o = STATS_OPTS_INIT };
	const struct stage_ops ops = { .map = stats_map, .serial = stats_serial };

	stage_init(&st, "smelt-stats", "Describe a dataset: counts, fields, lengths, groups, histograms.",
		   "smelt-stats --by source --html report.html data.jsonl.zst -o stats.json");
	st.extra_help =
		"Writes one JSON document (plain, pretty; schemas/stats.schema.json), not\n"
		"records. Every top-level field is described (presence, JSON types, string\n"
		"lengths in characters, array sizes, numbers) and one level into objects\n"
		"(e.g. scores.rm); `messages` / `conversations` get turn counts and per-role\n"
		"content lengths. Counts, min, max and mean are exact; quantiles and\n"
		"histograms are exact up to --reservoir values per distribution and\n"
		"estimated from a uniform sample beyond (\"exact\": false).";
	stage_parse_options(&st, argc, argv, &stats_options, stats_option, &c);
	if (c.fields_arg)
		split_fields(&st, &c);
	st.plain = 1; /* the report is a document to read, never compressed */
	c.agg = stats_agg_new(&c.o);
	stage_open(&st);
	if (stage_run(&st, &ops, &c) < 0)
		st.failed = 1;
	if (!st.failed && write_report(&st, &c) < 0)
		st.failed = 1;
	stats_agg_free(c.agg);
	for (size_t i = 0; i < c.nfields; i++)
		free(c.fields[i]);
	free(c.fields);
	return stage_finish(&st);
}
