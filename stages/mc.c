/*
 * smelt-mc — Monte-Carlo step-correctness labels: roll every step of a
 * solution out N times through an LLM endpoint and label the step by
 * whether the continuations reach the gold answer (VisualPRM400K), in
 * VisualPRM's modes or cheaper exact ones. See stages/README.md.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer/answer_check.h"
#include "llm/image_load.h"
#include "llm/llm_engine.h"
#include "gen/llm_gen.h"
#include "stage/llm_options.h"
#include "prm/mc_plan.h"
#include "prm/mc_run.h"
#include "text/prompt_file.h"
#include "stage/stage.h"
#include "prm/step_split.h"

enum {
	OPT_PROMPT = 256, OPT_MODE, OPT_ROLLOUTS, OPT_THRESHOLD, OPT_FIRST_BATCH, OPT_MAX_STEPS,
	OPT_MERGE, OPT_N_MODE, OPT_CONTINUATION, OPT_ANSWER_MODE, OPT_REL_TOL, OPT_RELAXED_TOL,
	OPT_PERCENT, OPT_DRY_RUN,
};

static const struct stage_option mc_options[] = {
	{ "prompt", 0, 1, OPT_PROMPT, "FILE", "the prompt the solutions were sampled with (prompts/visualprm/)" },
	{ "mode", 0, 1, OPT_MODE, "MODE", "full (default), visualprm, exact-binary or first-error" },
	{ "rollouts", 0, 1, OPT_ROLLOUTS, "N", "continuations per step (default 16)" },
	{ "threshold", 0, 1, OPT_THRESHOLD, "X", "label \"+\" iff score > X (default 0)" },
	{ "first-batch", 0, 1, OPT_FIRST_BATCH, "B", "exact-binary/first-error: first request's samples, then doubling (default 1)" },
	{ "max-steps", 0, 1, OPT_MAX_STEPS, "N", "merge a response of more pieces down (default 12; 0: never)" },
	{ "merge", 0, 1, OPT_MERGE, "HOW", "chunk (VisualPRM's, default) or even" },
	{ "n-mode", 0, 1, OPT_N_MODE, "MODE", "a batch as n=K (n), K seeded requests (seeds), or auto" },
	{ "continuation", 0, 1, OPT_CONTINUATION, "HOW", "vllm (continue_final_message, default) or plain" },
	{ "answer-mode", 0, 1, OPT_ANSWER_MODE, "MODE", "answer equivalence: auto (default), exact, vqa, mc, numeric, relaxed, anls, expr, set" },
	{ "rel-tol", 0, 1, OPT_REL_TOL, "X", "relative tolerance of numbers (default 1e-3)" },
	{ "relaxed-tol", 0, 1, OPT_RELAXED_TOL, "X", "tolerance of --answer-mode relaxed (default 0.05)" },
	{ "percent", 0, 1, OPT_PERCENT, "HOW", "either (default), strip or scale" },
	{ "dry-run", 0, 0, OPT_DRY_RUN, NULL, "print the planned request and generation counts; ask nothing" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static const char mc_help[] =
	"Input records: question, answer (gold), optional images / options /\n"
	"answer_mode, and response (split on blank lines) or steps (a list). Output:\n"
	"the record plus steps_with_score, labels, num_mc_sequences, mc and a\n"
	"provenance entry. Modes: full rolls every step out N times; visualprm stops\n"
	"after the first step with no correct continuation (later steps: score 0,\n"
	"total 0); exact-binary stops each step as soon as its label is certain\n"
	"(same labels as full on the same seeds); first-error binary-searches the\n"
	"first \"-\" step. Sample i of a step uses seed --seed + i.\n\n";

struct mc_cli {
	struct llm_options lo;
	struct mc_config cfg;
	struct answer_opts check;
	const char *prompt;
	long max_steps;
	enum step_merge merge;
	int n_mode, continuation, dry_run;
};

static int mc_option(struct stage *st, int id, const char *arg, void *ctx)
{
	struct mc_cli *c = ctx;
	int r = llm_options_parse(st, &c->lo, id, arg);

	if (r <= 0)
		return r;
	switch (id) {
	case OPT_PROMPT: c->prompt = arg; return 0;
	case OPT_MODE:
		if (mc_mode_parse(arg, &c->cfg.mode) < 0)
			stage_usage_error(st, "--mode wants full, visualprm, exact-binary or first-error, not '%s'", arg);
		return 0;
	case OPT_ROLLOUTS:
		if (parse_long(arg, 1, MC_ROLLOUTS_MAX, &c->cfg.rollouts))
			stage_usage_error(st, "--rollouts wants 1..%d, not '%s'", MC_ROLLOUTS_MAX, arg);
		return 0;
	case OPT_THRESHOLD:
		if (parse_double(arg, 0, 1, &c->cfg.threshold))
			stage_usage_error(st, "--threshold wants a number in [0, 1], not '%s'", arg);
		return 0;
	case OPT_FIRST_BATCH:
		if (parse_long(arg, 1, MC_ROLLOUTS_MAX, &c->cfg.first_batch))
			stage_usage_error(st, "--first-batch wants 1..%d, not '%s'", MC_ROLLOUTS_MAX, arg);
		return 0;
	case OPT_MAX_STEPS:
		if (parse_long(arg, 0, 1000000, &c->max_steps))
			stage_usage_error(st, "--max-steps wants 0..1000000, not '%s'", arg);
		return 0;
	case OPT_MERGE:
		if (step_merge_parse(arg, &c->merge) < 0)
			stage_usage_error(st, "--merge wants chunk or even, not '%s'", arg);
		return 0;
	case OPT_N_MODE:
		if ((c->n_mode = llm_n_mode_parse(arg)) < 0)
			stage_usage_error(st, "--n-mode wants auto, n or seeds, not '%s'", arg);
		return 0;
	case OPT_CONTINUATION:
		if ((c->continuation = mc_continuation_parse(arg)) < 0)
			stage_usage_error(st, "--continuation wants vllm or plain, not '%s'", arg);
		return 0;
	case OPT_ANSWER_MODE:
		if (answer_mode_parse(arg, &c->check.mode) < 0)
			stage_usage_error(st, "--answer-mode: unknown mode '%s'", arg);
		return 0;
	case OPT_REL_TOL:
		if (parse_double(arg, 0, 1, &c->check.rel_tol))
			stage_usage_error(st, "--rel-tol wants a number in [0, 1], not '%s'", arg);
		return 0;
	case OPT_RELAXED_TOL:
		if (parse_double(arg, 0, 1, &c->check.relaxed_tol))
			stage_usage_error(st, "--relaxed-tol wants a number in [0, 1], not '%s'", arg);
		return 0;
	case OPT_PERCENT:
		if (answer_percent_parse(arg, &c->check.percent) < 0)
			stage_usage_error(st, "--percent wants either, strip or scale, not '%s'", arg);
		return 0;
	case OPT_DRY_RUN: c->dry_run = 1; return 0;
	}
	return -1;
}

static void print_plan(const json_t *plan)
{
	const json_t *req = json_object_get(plan, "requests"), *gen = json_object_get(plan, "generations");

	fprintf(stderr, "smelt-mc: dry run, mode %s: %" JSON_INTEGER_FORMAT " solutions, %"
		JSON_INTEGER_FORMAT " steps; requests %" JSON_INTEGER_FORMAT "..%" JSON_INTEGER_FORMAT
		", generations %" JSON_INTEGER_FORMAT "..%" JSON_INTEGER_FORMAT " (full: %"
		JSON_INTEGER_FORMAT ")\n",
		json_string_value(json_object_get(plan, "mode")),
		json_integer_value(json_object_get(plan, "solutions")),
		json_integer_value(json_object_get(plan, "steps")),
		json_integer_value(json_object_get(req, "min")), json_integer_value(json_object_get(req, "max")),
		json_integer_value(json_object_get(gen, "min")), json_integer_value(json_object_get(gen, "max")),
		json_integer_value(json_object_get(plan, "full_generations")));
}

int main(int argc, char **argv)
{
	struct stage st;
	struct mc_cli c = { .max_steps = STEP_MAX_DEFAULT, .merge = STEP_MERGE_CHUNK,
			    .n_mode = LLM_N_AUTO, .continuation = MC_CONT_VLLM };
	struct mc_run r = { 0 };
	struct llm_params defaults;
	struct stage_option *table;
	struct prompt_file *pf = NULL;
	struct llm_engine *engine = NULL;
	struct sbuf err = SBUF_INIT, help = SBUF_INIT;
	const char *fatal;

	stage_init(&st, "smelt-mc", "Label solution steps by Monte-Carlo rollouts (VisualPRM400K).",
		   "smelt-mc --prompt prompts/visualprm/en/final_answer.prompt --mode exact-binary \\\n"
		   "      --endpoint http://localhost:8000/v1 --model internvl2.5-8b solutions.jsonl.zst -o labels.jsonl.zst");
	sbuf_addstr(&help, mc_help);
	sbuf_addstr(&help, llm_options_help);
	st.extra_help = help.buf;
	llm_options_init(&c.lo);
	llm_params_init(&defaults);
	mc_config_init(&c.cfg);
	answer_opts_init(&c.check);
	table = llm_options_table(mc_options);
	stage_parse_options(&st, argc, argv, table, mc_option, &c);
	if (c.lo.params.n)
		stage_usage_error(&st, "--n is not used here: --rollouts sets the continuations per step");
	if (!c.dry_run && llm_options_finish(&st, &c.lo) < 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", st.name);
		exit(EXIT_USAGE);
	}
	if (!c.prompt && !c.dry_run)
		stage_usage_error(&st, "--prompt FILE is required");

	if (c.prompt) {
		if (!(pf = prompt_file_load(c.prompt)))
			goto fail;
		if (llm_params_from_json(&defaults, prompt_file_defaults(pf), &err) < 0) {
			error("%s: front matter: %s", c.prompt, err.buf);
			goto fail;
		}
		llm_params_merge(&c.lo.params, &defaults);
	}
	if (!c.dry_run && !c.lo.params.model)
		stage_usage_error(&st, "no model: give --model or set model in the prompt's front matter");

	r.cfg = c.cfg;
	r.prompt = pf;
	r.params = c.lo.params;
	r.images.root = c.lo.image_root;
	r.images.max_bytes = c.lo.max_image_bytes;
	r.check = c.check;
	r.max_steps = (size_t)c.max_steps;
	r.merge = c.merge;
	r.n_mode = c.n_mode;
	r.continuation = c.continuation;
	r.stage_name = st.name;
	mc_run_prepare(&r);

	if (c.dry_run) {
		json_t *plan;

		stage_open(&st);
		if (stage_run(&st, &mc_dry_ops, &r) < 0)
			st.failed = 1;
		plan = mc_run_dry_summary(&r);
		if (!st.failed) {
			if (stage_emit_json(&st, plan) < 0)
				st.failed = 1;
			if (!st.quiet)
				print_plan(plan);
		}
		json_object_set_new(st.figures, "plan", plan);
		goto done;
	}
	if (!(engine = llm_engine_new(&c.lo)))
		goto fail;
	stage_open(&st);
	r.engine = engine;
	if (llm_loop_run(&st, engine, &c.lo, &mc_run_ops, &r) < 0) {
		st.failed = 1;
		if ((fatal = llm_engine_fatal(engine)) && strcmp(fatal, "cancelled"))
			fprintf(stderr, "%s: fatal: %s\n", st.name, fatal);
	}
	json_object_set_new(st.figures, "llm", llm_engine_stats_json(engine));
	mc_run_figures(&r, &st);
	goto done;
fail:
	st.failed = 1;
done:
	mc_run_release(&r);
	llm_engine_free(engine);
	image_load_cleanup();
	prompt_file_free(pf);
	llm_params_release(&defaults);
	llm_options_release(&c.lo);
	sbuf_release(&err);
	free(table);
	{
		int code = stage_finish(&st);
		sbuf_release(&help);
		return code;
	}
}
