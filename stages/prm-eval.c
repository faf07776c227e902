/*
 * smelt-prm-eval — VisualProcessBench-style evaluation of step labels or
 * PRM step scores against gold step correctness: F1 of correct and of
 * incorrect steps and their mean, neutral steps excluded, per data
 * source and pooled. Writes one report record; a table goes to stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json_path.h"
#include "prm/prm_eval.h"
#include "stage/stage.h"

static const char eval_help[] =
	"Gold: 1 correct, -1 incorrect, 0 neutral (left out); smelt-mc's labels \"+\", \"-\"\n"
	"and null (neutral) also serve, e.g. --gold labels. Predictions per step: scores\n"
	"(correct iff > --threshold), \"+\"/\"-\", booleans, or {score} objects; null = no\n"
	"prediction (counted as unpredicted). The report (one JSON record) has per-source\n"
	"and overall counts, f1_correct, f1_incorrect and macro_f1; overall pools every\n"
	"step (micro over sources). A markdown table goes to stderr unless -q.";

STAGE_OPTIONS(eval_options,
	"gold=PATH    gold step correctness, 1/0/-1 (default response.process_correctness)\n"
	"pred=PATH    step predictions (default: labels, else steps_with_score, else step_scores)\n"
	"source=PATH  data source to group by (default data_source)\n"
	"threshold=X  a score above X predicts a correct step (default 0.5)\n",
	OPT_GOLD, OPT_PRED, OPT_SOURCE, OPT_THRESHOLD);

struct eval_cli {
	const char *gold, *pred, *source;
	double threshold;
	struct prm_eval ev;
};

static int eval_option(struct stage *st, int id, const char *arg, void *ctx)
{
	struct eval_cli *c = ctx;

	switch (id) {
	case OPT_GOLD: c->gold = stage_arg_field(st, "--gold", arg); return 0;
	case OPT_PRED: c->pred = stage_arg_field(st, "--pred", arg); return 0;
	case OPT_SOURCE: c->source = stage_arg_field(st, "--source", arg); return 0;
	case OPT_THRESHOLD:
		c->threshold = stage_arg_double(st, "--threshold", arg, -1e300, 1e300, "a number");
		return 0;
	}
	return -1;
}

static const json_t *find_pred(const struct eval_cli *c, const json_t *rec)
{
	static const char *const defaults[] = { "labels", "steps_with_score", "step_scores" };
	const json_t *p;

	if (c->pred)
		return jpath_get(rec, c->pred);
	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
		if ((p = json_object_get(rec, defaults[i])))
			return p;
	return NULL;
}

static int eval_serial(struct stage *st, struct record *rec, void *ctx)
{
	struct eval_cli *c = ctx;
	const json_t *gold = jpath_get(rec->json, c->gold), *pred = find_pred(c, rec->json);
	const json_t *src = jpath_get(rec->json, c->source);
	struct sbuf err = SBUF_INIT;
	const char *kind = NULL;

	if (!gold || !pred) {
		stage_reject(st, &rec->loc, rec->json, NULL, 0, "missing_field", "record has no %s",
			     !gold ? "gold step correctness" : "step predictions");
	} else if (prm_eval_add(&c->ev, json_string_value(src), gold, pred, &kind, &err) < 0) {
		stage_reject(st, &rec->loc, rec->json, NULL, 0, kind, "%s", err.buf);
	}
	sbuf_release(&err);
	return 1;
}

int main(int argc, char **argv)
{
	struct stage st;
	struct eval_cli c = { .gold = "response.process_correctness", .source = "data_source", .threshold = 0.5 };
	struct stage_ops ops = { .serial = eval_serial, .keep_json = 1 };
	json_t *report;

	stage_init(&st, "smelt-prm-eval", "Step-level F1 of PRM labels or scores against gold (VisualProcessBench).",
		   "smelt-prm-eval --pred step_scores --threshold 0.5 visualprocessbench-scored.jsonl --plain");
	st.extra_help = eval_help;
	stage_parse_options(&st, argc, argv, &eval_options, eval_option, &c);
	prm_eval_init(&c.ev, c.threshold);
	stage_open(&st);
	if (stage_run(&st, &ops, &c) < 0)
		st.failed = 1;
	report = prm_eval_report(&c.ev);
	if (!st.failed) {
		if (stage_emit_json(&st, report) < 0)
			st.failed = 1;
		if (!st.quiet) {
			struct sbuf table = SBUF_INIT;
			prm_eval_table(&c.ev, &table);
			fputs(table.buf, stderr);
			sbuf_release(&table);
		}
	}
	json_object_set_new(st.figures, "prm_eval", report);
	prm_eval_release(&c.ev);
	return stage_finish(&st);
}
