/*
 * smelt-condor — the Condor-specific record steps around the LLM stages:
 *
 *   questions  question replies (whole, or exploded) -> question records,
 *              level label -> difficulty id, length bounds; the levels a
 *              reply lacks are counted per level, the others kept
 *   sft        question + answer -> canonical messages (D_V or D_R)
 *   dpo        question + refined + original -> {prompt, chosen, rejected}
 *   report     the count table of a run from the stages' --stats files
 *
 * See pipeline/condor_record.h, pipeline/condor_report.h and
 * stages/README.md ("Condor stages").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "condor/condor_record.h"
#include "core/atomic_file.h"
#include "condor/condor_report.h"
#include "io/provenance.h"
#include "stage/stage.h"

STAGE_OPTIONS(condor_options,
	"levels=FILE     questions: difficulty levels (default knowledge_tree/difficulty.json)\n"
	"min-chars=N     questions: reject questions shorter than N characters (default 10)\n"
	"max-chars=N     questions: reject questions longer than N characters (default 4000)\n"
	"answer=FIELD    sft: the answer field (default refined)\n"
	"set=NAME        sft: value of the \"set\" field (default D_R for refined, D_V for\n"
	"                answer)\n"
	"chosen=FIELD    dpo: the preferred answer (default refined)\n"
	"rejected=FIELD  dpo: the other answer (default answer)\n"
	"html=FILE       report: write the table as an HTML page\n"
	"page=FILE       report: put the table into this HTML page (smelt-stats --html)\n",
	OPT_LEVELS, OPT_MIN_CHARS, OPT_MAX_CHARS, OPT_ANSWER, OPT_SET, OPT_CHOSEN, OPT_REJECTED,
	OPT_HTML, OPT_PAGE);

static const char condor_help[] =
	"report takes [STEP=]STATS.json ... in pipeline order (STEP defaults to the\n"
	"file name without .stats.json) and writes {\"steps\": [...]} as JSON to -o.\n"
	"questions takes smelt-gen's question replies whole (question: [{label,\n"
	"text}, ...]) or exploded (--explode: question: {label, text}). A whole\n"
	"reply gives one record per question in it; the levels it lacks are counted\n"
	"per level in --stats (missing), and only a reply with no question at all\n"
	"is rejected whole. questions_in = records written + rejected.\n"
	"dpo leaves out records whose answer was not refined (counted as\n"
	"\"unrefined\" in --stats): there is no preference between equal answers.\n\n";

struct condor_cli {
	const char *cmd;
	const char *levels_path, *answer, *set, *chosen, *rejected, *html, *page;
	long min_chars, max_chars;
	struct condor_question_opts qo;
	json_t *provenance;
	uint64_t unrefined;
	/* questions: whole replies taken, those lacking a level, per-level misses */
	uint64_t replies, partial, questions_in;
	uint64_t *missing; /* [level] */
};

static int condor_option(struct stage *st, int id, const char *arg, void *ctx)
{
	struct condor_cli *c = ctx;

	switch (id) {
	case OPT_LEVELS: c->levels_path = arg; return 0;
	case OPT_MIN_CHARS:
		c->min_chars = stage_arg_long_as(st, "--min-chars", arg, 0, 1L << 30, "a count");
		return 0;
	case OPT_MAX_CHARS:
		c->max_chars = stage_arg_long_as(st, "--max-chars", arg, 0, 1L << 30, "a count");
		return 0;
	case OPT_ANSWER: c->answer = arg; return 0;
	case OPT_SET: c->set = arg; return 0;
	case OPT_CHOSEN: c->chosen = arg; return 0;
	case OPT_REJECTED: c->rejected = arg; return 0;
	case OPT_HTML: c->html = arg; stage_add_output(st, "--html", arg); return 0;
	case OPT_PAGE: c->page = arg; return 0;
	}
	return -1;
}

/* Worker threads: build the output with `fn`, then note this stage in its provenance. */
static int finish_record(struct record *rec, struct condor_cli *c, json_t *out, const char *kind)
{
	if (!out) {
		if (!kind) {
			__atomic_fetch_add(&c->unrefined, 1, __ATOMIC_RELAXED);
			return STAGE_DROP;
		}
		rec->reject_kind = kind;
		return STAGE_REJECT;
	}
	return record_replace(rec, out, c->provenance);
}

static void count(uint64_t *n, uint64_t by)
{
	__atomic_fetch_add(n, by, __ATOMIC_RELAXED);
}

/*
 * A whole question reply: its questions go out as rec->outputs; the ones
 * refused (length, level) travel in rec->aux to condor_serial, which sets
 * them aside one by one. Worker threads.
 */
static int questions_of_reply(struct record *rec, struct condor_cli *c)
{
	size_t nlevels = condor_levels_count(c->qo.levels), i;
	json_t *out = json_array(), *rejects = json_array(), *q;
	uint64_t present;
	size_t found = condor_question_explode(rec->json, &c->qo, out, rejects, &present);
	int lacks = 0;

	count(&c->replies, 1);
	for (size_t l = 0; l < nlevels && l < 64; l++)
		if (!(present & (UINT64_C(1) << l))) {
			count(&c->missing[l], 1);
			lacks = 1;
		}
	count(&c->questions_in, found ? found : 1);
	if (!found) {
		json_decref(out);
		json_decref(rejects);
		return record_reject(rec, CONDOR_MISSING, "the reply holds no question");
	}
	if (lacks)
		count(&c->partial, 1);
	json_array_foreach(out, i, q)
		if (provenance_append(q, c->provenance) < 0) {
			json_decref(out);
			json_decref(rejects);
			return record_reject(rec, "bad_field_type", "\"provenance\" is not a list");
		}
	if (json_array_size(rejects)) {
		char *text = json_dumps(rejects, JSON_COMPACT);
		sbuf_addstr(&rec->aux, text);
		free(text);
	}
	json_decref(rejects);
	rec->outputs = out;
	return STAGE_KEEP;
}

/* Main thread, in order: set aside the refused questions of a whole reply. */
static int condor_serial(struct stage *st, struct record *rec, void *ctx)
{
	json_t *rejects, *r;
	size_t i;

	(void)ctx;
	if (!rec->aux.len)
		return 0;
	rejects = json_loadb(rec->aux.buf, rec->aux.len, 0, NULL);
	json_array_foreach(rejects, i, r)
		stage_reject(st, &rec->loc, json_object_get(r, "record"), NULL, 0,
			     json_string_value(json_object_get(r, "kind")), "%s",
			     json_string_value(json_object_get(r, "message")));
	json_decref(rejects);
	return 0;
}

static int condor_map(struct record *rec, void *ctx)
{
	struct condor_cli *c = ctx;
	const char *kind = NULL;
	json_t *out;

	sbuf_reset(&rec->reject_msg);
	switch (c->cmd[0]) {
	case 'q':
		if (json_is_array(json_object_get(rec->json, "question")))
			return questions_of_reply(rec, c);
		count(&c->questions_in, 1);
		out = condor_question_record(rec->json, &c->qo, &kind, &rec->reject_msg);
		break;
	case 's':
		out = condor_sft_record(rec->json, c->answer, c->set, &kind, &rec->reject_msg);
		break;
	default:
		out = condor_dpo_record(rec->json, c->chosen, c->rejected, &kind, &rec->reject_msg);
		break;
	}
	return finish_record(rec, c, out, kind);
}

/* The provenance entry of this run: what the command did, with its settings. */
static json_t *make_provenance(const struct stage *st, const struct condor_cli *c)
{
	json_t *p = json_pack("{s:s}", "command", c->cmd);

	if (!strcmp(c->cmd, "questions")) {
		json_object_set_new(p, "min_chars", json_integer(c->min_chars));
		json_object_set_new(p, "max_chars", json_integer(c->max_chars));
	} else if (!strcmp(c->cmd, "sft")) {
		json_object_set_new(p, "answer", json_string(c->answer));
	} else {
		json_object_set_new(p, "chosen", json_string(c->chosen));
		json_object_set_new(p, "rejected", json_string(c->rejected));
	}
	return provenance_entry(st->name, NULL, NULL, p);
}

static int read_text(const char *path, struct sbuf *out)
{
	FILE *fp = fopen(path, "rb");
	char buf[65536];
	size_t n;
	int bad;

	if (!fp)
		return error("cannot open '%s'", path);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sbuf_add(out, buf, n);
	bad = ferror(fp);
	fclose(fp);
	return bad ? error("cannot read '%s'", path) : 0;
}

/* A file is replaced whole or not at all (core/atomic_file.h). */
static int write_text(const char *path, const char *text, size_t len)
{
	if (path && strcmp(path, "-"))
		return atomic_file_write(path, text, len, 0666);
	if (fwrite(text, 1, len, stdout) != len || fflush(stdout))
		return error("cannot write '<stdout>'");
	return 0;
}

/* "STEP=FILE" or "FILE" (step: the file name without directories and .stats.json). */
static char *step_name(const char *arg, const char **file)
{
	const char *eq = strchr(arg, '='), *base, *dot;

	if (eq && eq != arg) {
		*file = eq + 1;
		return xstrndup(arg, (size_t)(eq - arg));
	}
	*file = arg;
	base = strrchr(arg, '/') ? strrchr(arg, '/') + 1 : arg;
	dot = strstr(base, ".stats.json");
	if (!dot)
		dot = strstr(base, ".json");
	return dot ? xstrndup(base, (size_t)(dot - base)) : xstrdup(base);
}

static int cmd_report(struct stage *st, const struct condor_cli *c)
{
	json_t *steps = json_array(), *report;
	struct sbuf page = SBUF_INIT, html = SBUF_INIT;
	char *text = NULL;
	int r = -1;

	for (int i = 0; i < st->ninputs; i++) {
		const char *file;
		char *step = step_name(st->inputs[i], &file);
		json_error_t jerr;
		json_t *doc = json_load_file(file, 0, &jerr);
		if (!doc || !json_is_object(doc)) {
			error("'%s': not a --stats document: %s", file, doc ? "not an object" : jerr.text);
			json_decref(doc);
			free(step);
			goto out;
		}
		json_array_append_new(steps, condor_report_row(step, doc));
		json_decref(doc);
		free(step);
		st->records_in++;
	}
	report = json_pack("{s:O}", "steps", steps);
	text = json_dumps(report, JSON_INDENT(2));
	sbuf_addstr(&html, text);
	sbuf_addch(&html, '\n');
	r = write_text(st->output, html.buf, html.len);
	if (r == 0 && c->html) {
		sbuf_reset(&html);
		if (c->page && read_text(c->page, &page) < 0) {
			r = -1;
		} else {
			condor_report_html_page(&html, report, c->page ? page.buf : NULL);
			r = write_text(c->html, html.buf, html.len);
		}
	}
	json_decref(report);
out:
	free(text);
	json_decref(steps);
	sbuf_release(&page);
	sbuf_release(&html);
	return r;
}

static const char *const condor_commands[] = { "questions", "sft", "dpo", "report", NULL };

static const struct stage_ops condor_ops = { .map = condor_map, .require_id = 1 };
static const struct stage_ops questions_ops = { .map = condor_map, .serial = condor_serial,
						.require_id = 1 };

/* questions' --stats figures: replies, partial ones, and the levels missing. */
static void question_figures(struct stage *st, const struct condor_cli *c)
{
	json_t *missing = json_object();

	for (size_t l = 0; l < condor_levels_count(c->qo.levels) && l < 64; l++)
		json_object_set_new(missing, condor_levels_id_at(c->qo.levels, l),
				    json_integer((json_int_t)c->missing[l]));
	stage_figure_add(st, "replies", (double)c->replies);
	stage_figure_add(st, "partial_replies", (double)c->partial);
	stage_figure_add(st, "questions_in", (double)c->questions_in);
	json_object_set_new(st->figures, "missing", missing);
}

int main(int argc, char **argv)
{
	struct condor_cli c = { .min_chars = 10, .max_chars = 4000, .answer = "refined",
				.chosen = "refined", .rejected = "answer" };
	struct condor_levels *levels = NULL;
	struct stage st;
	char *path;

	stage_init(&st, "smelt-condor",
		   "Condor records. Commands:\n"
		   "  questions   question replies (smelt-gen --explode) -> question records\n"
		   "  sft         question + answer -> messages (D_V: --answer answer, D_R: refined)\n"
		   "  dpo         question + refined + answer -> {prompt, chosen, rejected}\n"
		   "  report      the count table of a run, from the stages' --stats files",
		   "smelt-condor questions --min-chars 20 raw.jsonl.zst -o questions.jsonl.zst\n"
		   "  smelt-condor sft --answer answer refined.jsonl.zst -o d_v.jsonl.zst\n"
		   "  smelt-condor report sample=s.stats.json questions=q.stats.json --html r.html -o counts.json");
	st.extra_help = condor_help;
	c.cmd = stage_parse_command(&st, argc, argv, condor_commands, &condor_options, condor_option, &c);
	if (!strcmp(c.cmd, "report")) {
		if (!st.ninputs)
			stage_usage_error(&st, "report wants the --stats files of the steps");
		if (cmd_report(&st, &c) < 0)
			st.failed = 1;
		return stage_finish(&st);
	}
	if (!c.set && !strcmp(c.cmd, "sft"))
		c.set = !strcmp(c.answer, "refined") ? "D_R" : !strcmp(c.answer, "answer") ? "D_V" : NULL;
	if (!strcmp(c.cmd, "questions")) {
		path = c.levels_path ? xstrdup(c.levels_path) : smelt_share_path("knowledge_tree/difficulty.json");
		levels = condor_levels_load(path);
		free(path);
		if (!levels) {
			st.failed = 1;
			return stage_finish(&st);
		}
		c.qo.levels = levels;
		c.qo.min_chars = (size_t)c.min_chars;
		c.qo.max_chars = (size_t)c.max_chars;
		c.missing = xcalloc(condor_levels_count(levels) + 1, sizeof(*c.missing));
	}
	c.provenance = make_provenance(&st, &c);
	stage_open(&st);
	if (stage_run(&st, levels ? &questions_ops : &condor_ops, &c) < 0)
		st.failed = 1;
	if (levels)
		question_figures(&st, &c);
	if (!strcmp(c.cmd, "dpo"))
		stage_figure_add(&st, "unrefined", (double)c.unrefined);
	free(c.missing);
	json_decref(c.provenance);
	condor_levels_free(levels);
	return stage_finish(&st);
}
