/*
 * smelt-check — extract the answer from a reply field and compare it
 * with a gold answer by rule (answer_check.h), writing {extracted,
 * correct, method}; with --judge an LLM decides what the rules cannot.
 * See stages/README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer/answer_check.h"
#include "io/provenance.h"
#include "prm/prm_check.h"
#include "prm/prm_judge.h"
#include "stage/answer_options.h"
#include "stage/llm_stage.h"

struct check_cli {
	struct prm_check c;
	const char *judge_prompt;
	int judge;
};

static const char check_help[] =
	"Adds extracted (null if nothing was found), correct, method (the rule that\n"
	"decided, or judge) and extracted_by (lists when the reply field is a list;\n"
	"score too under anls). A record's \"answer_mode\" overrides --mode and its\n"
	"\"options\" list gives multiple-choice options. A reply is left to --judge\n"
	"when nothing was extracted or only the exact/vqa rule found it wrong.\n"
	"The LLM options below apply to --judge only.\n\n";

STAGE_OPTIONS(check_options,
	"gold=PATH          gold answer field (default answer)\n"
	"pred=PATH          reply field: a string or a list of strings (default response)\n"
	"into=FIELD         write the results into this object instead of the top level\n"
	ANSWER_SPEC_MODE(ANSWER_MODES)
	ANSWER_SPEC_EXTRACT
	ANSWER_SPEC_TOLERANCE("--mode")
	ANSWER_SPEC_ANLS_THRESHOLD
	ANSWER_SPEC_PERCENT
	"judge              ask an LLM about replies the rules cannot decide\n"
	"judge-prompt=FILE  judge prompt (default prompts/visualprm/en/judge.prompt)\n",
	OPT_GOLD, OPT_PRED, OPT_INTO, ANSWER_OPT_MODE, ANSWER_OPT_EXTRACT, ANSWER_OPT_REL_TOL,
	ANSWER_OPT_RELAXED_TOL, ANSWER_OPT_ANLS_THRESHOLD, ANSWER_OPT_PERCENT,
	OPT_JUDGE, OPT_JUDGE_PROMPT);

static int check_option(struct stage *st, int id, const char *arg, void *ctx)
{
	struct check_cli *cl = ctx;

	if (answer_options_parse(st, &cl->c.opts, id, arg) == 0)
		return 0;
	switch (id) {
	case OPT_GOLD: cl->c.gold = stage_arg_field(st, "--gold", arg); return 0;
	case OPT_PRED: cl->c.pred = stage_arg_field(st, "--pred", arg); return 0;
	case OPT_INTO: cl->c.into = stage_arg_field(st, "--into", arg); return 0;
	case OPT_JUDGE: cl->judge = 1; return 0;
	case OPT_JUDGE_PROMPT: cl->judge_prompt = arg; cl->judge = 1; return 0;
	}
	return -1;
}

static int check_map(struct record *rec, void *ctx)
{
	struct prm_check *c = ctx;
	const char *kind = NULL;

	sbuf_reset(&rec->reject_msg);
	if (prm_check_apply(c, rec->json, &kind, &rec->reject_msg) < 0) {
		rec->reject_kind = kind;
		return STAGE_REJECT;
	}
	return STAGE_KEEP;
}

/* The provenance entry: the rules' settings, and the judge's when there is one. */
static json_t *check_provenance(const struct stage *st, const struct check_cli *cl, const struct llm_prompt *p)
{
	json_t *params = json_pack("{s:s, s:s, s:s, s:s, s:f}", "gold", cl->c.gold, "pred", cl->c.pred,
				   "mode", answer_mode_name(cl->c.opts.mode),
				   "extract", extract_method_name(cl->c.opts.extract), "rel_tol", cl->c.opts.rel_tol);

	if (cl->judge)
		json_object_set_new(params, "judge", llm_params_json(&p->params));
	return provenance_entry(st->name, cl->judge ? p->params.model : NULL,
				p->pf ? prompt_file_hash(p->pf) : NULL, params);
}

static const struct llm_stage_def check_stage = {
	.name = "smelt-check", .help = check_help, .options = &check_options, .option = check_option,
	.summary = "Check replies against gold answers: extraction and equivalence rules.",
	.example = "smelt-check --gold answer --pred response solutions.jsonl.zst -o checked.jsonl.zst",
	.no_model = "no model for --judge: give --model",
	.prompt_default = "prompts/visualprm/en/judge.prompt",
};

int main(int argc, char **argv)
{
	struct check_cli cl = { .c = { .gold = "answer", .pred = "response" } };
	struct stage_ops ops = { .map = check_map };
	struct prm_judge j = { .check = &cl.c };
	struct llm_stage ls;

	answer_opts_init(&cl.c.opts);
	llm_stage_init(&ls, &check_stage, &cl);
	llm_stage_parse(&ls, argc, argv);
	if (cl.judge) {
		llm_stage_options_finish(&ls);
		if (llm_stage_prompt(&ls, cl.judge_prompt) < 0 || llm_prompt_parser(&ls.prompt, NULL) < 0 ||
		    !llm_stage_engine(&ls)) {
			ls.st.failed = 1;
			goto out;
		}
	}
	cl.c.provenance = check_provenance(&ls.st, &cl, &ls.prompt);
	if (cl.judge) {
		llm_stage_setup(&ls, &ls.prompt, &j.llm);
		llm_stage_run(&ls, &prm_judge_ops, &j);
	} else {
		stage_open(&ls.st);
		if (stage_run(&ls.st, &ops, &cl.c) < 0)
			ls.st.failed = 1;
	}
	json_object_set_new(ls.st.figures, "check", prm_check_figures(&cl.c));
out:
	json_decref(cl.c.provenance);
	return llm_stage_finish(&ls);
}
