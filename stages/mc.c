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
#include "prm/mc_plan.h"
#include "prm/mc_run.h"
#include "prm/step_split.h"
#include "stage/answer_options.h"
#include "stage/llm_stage.h"

static const char mc_help[] =
	"Input records: question, answer (gold), optional images / options /\n"
	"answer_mode, and response (split on blank lines) or steps (a list). Output:\n"
	"the record plus steps_with_score, labels, num_mc_sequences, mc and a\n"
	"provenance entry. Modes: full rolls every step out N times; visualprm stops\n"
	"after the first step with no correct continuation (later steps: score 0,\n"
	"total 0); exact-binary stops each step as soon as its label is certain\n"
	"(expected samples per step at success rate p: (1-(1-p)^N)/p, full: N);\n"
	"first-error binary-searches the first \"-\" step. Sample i of a step uses\n"
	"seed --seed + i.\n\n"
	"Scores: only full and visualprm write score (correct/N, the Monte-Carlo\n"
	"estimate); exact-binary and first-error write score null with the label,\n"
	"num_mc_correct and num_mc_total (samples drawn). Their labels equal full's\n"
	"sample by sample only with --n-mode seeds against a server that reproduces a\n"
	"sample from its seed (smelt-sim); otherwise they have the same distribution.\n\n"
	"A continuation is correct only if its answer is found by --extract alone (no\n"
	"last-number or whole-reply fallback unless --extract auto) and it did not end\n"
	"by length (finish_reason \"length\"); --stats counts no_answer and\n"
	"cut_by_length.\n\n";

STAGE_OPTIONS(mc_options,
	"prompt=FILE       the prompt the solutions were sampled with (prompts/visualprm/)\n"
	"mode=MODE         full (default), visualprm, exact-binary or first-error\n"
	"rollouts=N        continuations per step (default 16)\n"
	"threshold=X       label \"+\" iff score > X (default 0)\n"
	"first-batch=B     exact-binary/first-error: first request's samples, then doubling\n"
	"                  (default 1)\n"
	"max-steps=N       merge a response of more pieces down (default 12; 0: never)\n"
	"merge=HOW         chunk (VisualPRM's, default) or even\n"
	"n-mode=MODE       a batch as n=K (n), K seeded requests (seeds), or auto\n"
	"continuation=HOW  vllm (continue_final_message, default) or plain\n"
	"extract=HOW       where a continuation's answer is: final-answer, boxed,\n"
	"                  answer-tag (tag), auto, ... (default: the prompt's front\n"
	"                  matter 'extract:', else final-answer); only auto falls back\n"
	ANSWER_SPEC_ANSWER_MODE("answer equivalence: " ANSWER_MODES)
	ANSWER_SPEC_TOLERANCE("--answer-mode")
	ANSWER_SPEC_PERCENT
	"dry-run           print the planned request and generation counts; ask nothing\n",
	OPT_PROMPT, OPT_MODE, OPT_ROLLOUTS, OPT_THRESHOLD, OPT_FIRST_BATCH, OPT_MAX_STEPS,
	OPT_MERGE, OPT_N_MODE, OPT_CONTINUATION, OPT_EXTRACT, ANSWER_OPT_ANSWER_MODE, ANSWER_OPT_REL_TOL,
	ANSWER_OPT_RELAXED_TOL, ANSWER_OPT_PERCENT, OPT_DRY_RUN);

struct mc_cli {
	struct mc_config cfg;
	struct answer_opts check;
	const char *prompt;
	long max_steps;
	enum step_merge merge;
	int n_mode, continuation, dry_run;
	const char *extract; /* --extract as given, NULL: the prompt's */
};

static int mc_option(struct stage *st, int id, const char *arg, void *ctx)
{
	struct mc_cli *c = ctx;

	if (answer_options_parse(st, &c->check, id, arg) == 0)
		return 0;
	switch (id) {
	case OPT_PROMPT: c->prompt = arg; return 0;
	case OPT_MODE:
		if (mc_mode_parse(arg, &c->cfg.mode) < 0)
			stage_usage_error(st, "--mode wants full, visualprm, exact-binary or first-error, not '%s'", arg);
		return 0;
	case OPT_ROLLOUTS: c->cfg.rollouts = stage_arg_long(st, "--rollouts", arg, 1, MC_ROLLOUTS_MAX); return 0;
	case OPT_THRESHOLD:
		c->cfg.threshold = stage_arg_double(st, "--threshold", arg, 0, 1, "a number in [0, 1]");
		return 0;
	case OPT_FIRST_BATCH:
		c->cfg.first_batch = stage_arg_long(st, "--first-batch", arg, 1, MC_ROLLOUTS_MAX);
		return 0;
	case OPT_MAX_STEPS: c->max_steps = stage_arg_long(st, "--max-steps", arg, 0, 1000000); return 0;
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
	case OPT_EXTRACT: c->extract = arg; return 0;
	case OPT_DRY_RUN: c->dry_run = 1; return 0;
	}
	return -1;
}

/*
 * The extraction method: --extract, else the one the policy prompt
 * declares (front matter "extract: final-answer" or "boxed"), else
 * final-answer. A specific method never falls back to another.
 */
static void mc_pick_extract(struct llm_stage *ls, struct mc_cli *c)
{
	const char *how = c->extract, *from = "--extract";

	if (!how && ls->prompt.pf) {
		how = json_string_value(json_object_get(prompt_file_defaults(ls->prompt.pf), "extract"));
		from = prompt_file_path(ls->prompt.pf);
	}
	if (!how) {
		c->check.extract = EXTRACT_FINAL_ANSWER;
		return;
	}
	if (!strcmp(how, "tag"))
		how = "answer-tag";
	if (extract_method_parse(how, &c->check.extract) < 0)
		stage_usage_error(&ls->st, "%s: extract wants final-answer, boxed, answer-tag, auto, phrase, "
				  "option, whole or last-number, not '%s'", from, how);
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

/* --dry-run: read and split every record, write and print the plan; ask nothing. */
static void mc_dry_run(struct stage *st, struct mc_run *r)
{
	json_t *plan;

	stage_open(st);
	if (stage_run(st, &mc_dry_ops, r) < 0)
		st->failed = 1;
	plan = mc_run_dry_summary(r);
	if (!st->failed) {
		if (stage_emit_json(st, plan) < 0)
			st->failed = 1;
		if (!st->quiet)
			print_plan(plan);
	}
	json_object_set_new(st->figures, "plan", plan);
}

static const struct llm_stage_def mc_stage = {
	.name = "smelt-mc", .help = mc_help, .options = &mc_options, .option = mc_option,
	.summary = "Label solution steps by Monte-Carlo rollouts (VisualPRM400K).",
	.example = "smelt-mc --prompt prompts/visualprm/en/final_answer.prompt --mode exact-binary \\\n"
		   "      --endpoint http://localhost:8000/v1 --model internvl2.5-8b solutions.jsonl.zst -o labels.jsonl.zst",
};

int main(int argc, char **argv)
{
	struct mc_cli c = { .max_steps = STEP_MAX_DEFAULT, .merge = STEP_MERGE_CHUNK,
			    .n_mode = LLM_N_AUTO, .continuation = MC_CONT_VLLM };
	struct llm_stage ls;
	struct mc_run r = { 0 };

	mc_config_init(&c.cfg);
	answer_opts_init(&c.check);
	llm_stage_init(&ls, &mc_stage, &c);
	llm_stage_parse(&ls, argc, argv);
	if (ls.lo.params.n)
		stage_usage_error(&ls.st, "--n is not used here: --rollouts sets the continuations per step");
	if (!c.dry_run)
		llm_stage_options_finish(&ls);
	if (!c.prompt && !c.dry_run)
		stage_usage_error(&ls.st, "--prompt FILE is required");
	if (llm_prompt_load(&ls.prompt, c.prompt, &ls.lo.params) < 0) {
		ls.st.failed = 1;
		return llm_stage_finish(&ls);
	}
	if (!c.dry_run)
		llm_stage_require_model(&ls, &ls.prompt.params);
	mc_pick_extract(&ls, &c);
	llm_stage_setup(&ls, &ls.prompt, &r.llm);
	r.cfg = c.cfg;
	r.check = c.check;
	r.max_steps = (size_t)c.max_steps;
	r.merge = c.merge;
	r.sampling.mode = c.n_mode;
	r.continuation = c.continuation;
	mc_run_prepare(&r);
	if (c.dry_run) {
		mc_dry_run(&ls.st, &r);
	} else if ((r.llm.engine = llm_stage_engine(&ls))) {
		llm_stage_run(&ls, &mc_run_ops, &r);
		mc_run_figures(&r, &ls.st);
	}
	mc_run_release(&r);
	return llm_stage_finish(&ls);
}
