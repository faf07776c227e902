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
#include "json/json_path.h"
#include "llm/llm_engine.h"
#include "stage/llm_options.h"
#include "prm/prm_check.h"
#include "prm/prm_judge.h"
#include "text/prompt_file.h"
#include "io/provenance.h"
#include "text/reply_parse.h"
#include "stage/stage.h"

enum {
	OPT_GOLD = 256, OPT_PRED, OPT_INTO, OPT_MODE, OPT_EXTRACT, OPT_REL_TOL, OPT_RELAXED_TOL,
	OPT_ANLS_THRESHOLD, OPT_PERCENT, OPT_JUDGE, OPT_JUDGE_PROMPT,
};

static const struct stage_option check_options[] = {
	{ "gold", 0, 1, OPT_GOLD, "PATH", "gold answer field (default answer)" },
	{ "pred", 0, 1, OPT_PRED, "PATH", "reply field: a string or a list of strings (default response)" },
	{ "into", 0, 1, OPT_INTO, "FIELD", "write the results into this object instead of the top level" },
	{ "mode", 0, 1, OPT_MODE, "MODE", "auto (default), exact, vqa, mc, numeric, relaxed, anls, expr, set" },
	{ "extract", 0, 1, OPT_EXTRACT, "HOW", "auto (default), answer-tag, final-answer, boxed, phrase, option, whole, last-number" },
	{ "rel-tol", 0, 1, OPT_REL_TOL, "X", "relative tolerance of numbers (default 1e-3)" },
	{ "relaxed-tol", 0, 1, OPT_RELAXED_TOL, "X", "tolerance of --mode relaxed (default 0.05)" },
	{ "anls-threshold", 0, 1, OPT_ANLS_THRESHOLD, "X", "ANLS distance-ratio cut (default 0.5)" },
	{ "percent", 0, 1, OPT_PERCENT, "HOW", "either (default), strip or scale" },
	{ "judge", 0, 0, OPT_JUDGE, NULL, "ask an LLM about replies the rules cannot decide" },
	{ "judge-prompt", 0, 1, OPT_JUDGE_PROMPT, "FILE", "judge prompt (default prompts/visualprm/en/judge.prompt)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static const char check_help[] =
	"Adds extracted (null if nothing was found), correct, method (the rule that\n"
	"decided, or judge) and extracted_by (lists when the reply field is a list;\n"
	"score too under anls). A record's \"answer_mode\" overrides --mode and its\n"
	"\"options\" list gives multiple-choice options. A reply is left to --judge\n"
	"when nothing was extracted or only the exact/vqa rule found it wrong.\n"
	"The LLM options below apply to --judge only.\n\n";

struct check_cli {
	struct llm_options lo;
	struct prm_check c;
	const char *judge_prompt;
	int judge;
};

static int check_option(struct stage *st, int id, const char *arg, void *ctx)
{
	struct check_cli *cl = ctx;
	struct answer_opts *o = &cl->c.opts;
	int r = llm_options_parse(st, &cl->lo, id, arg);

	if (r <= 0)
		return r;
	switch (id) {
	case OPT_GOLD:
	case OPT_PRED:
	case OPT_INTO:
		if (jpath_check(arg) < 0)
			stage_usage_error(st, "'%s' is not a field path", arg);
		*(id == OPT_GOLD ? &cl->c.gold : id == OPT_PRED ? &cl->c.pred : &cl->c.into) = arg;
		return 0;
	case OPT_MODE:
		if (answer_mode_parse(arg, &o->mode) < 0 || o->mode == ANSWER_NONE)
			stage_usage_error(st, "--mode: unknown mode '%s'", arg);
		return 0;
	case OPT_EXTRACT:
		if (extract_method_parse(arg, &o->extract) < 0 || o->extract == EXTRACT_NONE)
			stage_usage_error(st, "--extract: unknown method '%s'", arg);
		return 0;
	case OPT_REL_TOL:
	case OPT_RELAXED_TOL:
	case OPT_ANLS_THRESHOLD: {
		double *d = id == OPT_REL_TOL ? &o->rel_tol : id == OPT_RELAXED_TOL ? &o->relaxed_tol
										 : &o->anls_threshold;
		if (parse_double(arg, 0, 1, d))
			stage_usage_error(st, "a number in [0, 1] is wanted, not '%s'", arg);
		return 0;
	}
	case OPT_PERCENT:
		if (answer_percent_parse(arg, &o->percent) < 0)
			stage_usage_error(st, "--percent wants either, strip or scale, not '%s'", arg);
		return 0;
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

int main(int argc, char **argv)
{
	struct stage st;
	struct check_cli cl = { .c = { .gold = "answer", .pred = "response" } };
	struct stage_ops ops = { .map = check_map };
	struct prm_judge j = { 0 };
	struct llm_params defaults;
	struct stage_option *table;
	struct prompt_file *pf = NULL;
	struct reply_parser *parser = NULL;
	struct llm_engine *engine = NULL;
	struct sbuf err = SBUF_INIT, help = SBUF_INIT;
	char *default_prompt = NULL;
	json_t *params;
	const char *fatal;

	stage_init(&st, "smelt-check", "Check replies against gold answers: extraction and equivalence rules.",
		   "smelt-check --gold answer --pred response solutions.jsonl.zst -o checked.jsonl.zst");
	sbuf_addstr(&help, check_help);
	sbuf_addstr(&help, llm_options_help);
	st.extra_help = help.buf;
	llm_options_init(&cl.lo);
	llm_params_init(&defaults);
	answer_opts_init(&cl.c.opts);
	table = llm_options_table(check_options);
	stage_parse_options(&st, argc, argv, table, check_option, &cl);

	params = json_pack("{s:s, s:s, s:s, s:s, s:f}", "gold", cl.c.gold, "pred", cl.c.pred,
			   "mode", answer_mode_name(cl.c.opts.mode), "extract", extract_method_name(cl.c.opts.extract),
			   "rel_tol", cl.c.opts.rel_tol);
	if (cl.judge) {
		if (llm_options_finish(&st, &cl.lo) < 0) {
			fprintf(stderr, "Try '%s --help' for more information.\n", st.name);
			exit(EXIT_USAGE);
		}
		if (!cl.judge_prompt)
			cl.judge_prompt = default_prompt = smelt_share_path("prompts/visualprm/en/judge.prompt");
		if (!(pf = prompt_file_load(cl.judge_prompt)))
			goto fail;
		if (llm_params_from_json(&defaults, prompt_file_defaults(pf), &err) < 0) {
			error("%s: front matter: %s", cl.judge_prompt, err.buf);
			goto fail;
		}
		llm_params_merge(&cl.lo.params, &defaults);
		if (!cl.lo.params.model)
			stage_usage_error(&st, "no model for --judge: give --model");
		if (!(parser = reply_parser_new(prompt_file_defaults(pf), &err))) {
			error("%s: %s", cl.judge_prompt, err.buf);
			goto fail;
		}
		json_object_set_new(params, "judge", llm_params_json(&cl.lo.params));
	}
	cl.c.provenance = provenance_entry(st.name, cl.judge ? cl.lo.params.model : NULL,
					   pf ? prompt_file_hash(pf) : NULL, params);
	params = NULL;
	if (cl.judge) {
		if (!(engine = llm_engine_new(&cl.lo)))
			goto fail;
		stage_open(&st);
		j.check = &cl.c;
		j.prompt = pf;
		j.parser = parser;
		j.params = cl.lo.params;
		j.engine = engine;
		if (llm_loop_run(&st, engine, &cl.lo, &prm_judge_ops, &j) < 0) {
			st.failed = 1;
			if ((fatal = llm_engine_fatal(engine)) && strcmp(fatal, "cancelled"))
				fprintf(stderr, "%s: fatal: %s\n", st.name, fatal);
		}
		json_object_set_new(st.figures, "llm", llm_engine_stats_json(engine));
	} else {
		stage_open(&st);
		if (stage_run(&st, &ops, &cl.c) < 0)
			st.failed = 1;
	}
	json_object_set_new(st.figures, "check", prm_check_figures(&cl.c));
	goto out;
fail:
	st.failed = 1;
out:
	json_decref(params);
	json_decref(cl.c.provenance);
	llm_engine_free(engine);
	reply_parser_free(parser);
	prompt_file_free(pf);
	free(default_prompt);
	llm_params_release(&defaults);
	llm_options_release(&cl.lo);
	sbuf_release(&err);
	free(table);
	{
		int code = stage_finish(&st);
		sbuf_release(&help);
		return code;
	}
}
