/*
 * smelt-score — score every conversation with a reward model: vLLM's
 * /pooling or /classify, an LLM judge through chat completions, or a
 * score already in the record. The score goes to scores.NAME, per-turn
 * scores beside it. See stages/README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reward/score_run.h"
#include "stage/llm_stage.h"

static const char score_help[] =
	"pooling and classify post {\"model\", \"messages\"} (images as image_url parts) to\n"
	"/pooling or /classify at the server root (the endpoint without /v1). A unit\n"
	"is the conversation, or with --target turns each prefix ending at an\n"
	"assistant turn; the scores of the turns go to scores.NAME_turns. Records\n"
	"that cannot be scored are rejected (request_failed, bad_response,\n"
	"no_assistant_turn, missing_image, ...). Output records get a provenance\n"
	"entry.\n\n";

STAGE_OPTIONS(score_options,
	"backend=B    pooling, classify, judge or field (required)\n"
	"name=NAME    write the score to scores.NAME (required)\n"
	"target=T     conversation (default) or turns: each assistant turn\n"
	"aggregate=A  turns: scores.NAME is their min (default), mean or last\n"
	"index=I      pooling: element of a vector answer (default -1, the last)\n"
	"label=I      classify: class whose probability is the score (default -1)\n"
	"raw          classify: the class's raw logit (sends \"activation\": false)\n"
	"field=PATH   field: the score (a number, or a list of per-turn numbers)\n"
	"prompt=FILE  judge: prompt file (default prompts/reward/en/judge.prompt)\n",
	OPT_BACKEND, OPT_NAME, OPT_TARGET, OPT_AGGREGATE, OPT_INDEX, OPT_LABEL, OPT_RAW, OPT_FIELD,
	OPT_PROMPT);

struct score_cli {
	struct score_config cfg;
	const char *prompt;
	int backend_set;
};

static int score_option(struct stage *st, int id, const char *arg, void *ctx)
{
	struct score_cli *c = ctx;
	struct score_config *cfg = &c->cfg;
	int v;

	switch (id) {
	case OPT_BACKEND:
		if ((v = score_backend_parse(arg)) < 0)
			stage_usage_error(st, "--backend wants pooling, classify, judge or field, not '%s'", arg);
		cfg->backend = (enum score_backend)v;
		c->backend_set = 1;
		return 0;
	case OPT_NAME:
		if (!*arg || strpbrk(arg, ".[]"))
			stage_usage_error(st, "--name: '%s' is not a plain name (scores.NAME)", arg);
		cfg->name = arg;
		return 0;
	case OPT_TARGET:
		if ((v = score_target_parse(arg)) < 0)
			stage_usage_error(st, "--target wants conversation or turns, not '%s'", arg);
		cfg->target = (enum score_target)v;
		return 0;
	case OPT_AGGREGATE:
		if ((v = score_agg_parse(arg)) < 0)
			stage_usage_error(st, "--aggregate wants min, mean or last, not '%s'", arg);
		cfg->agg = (enum score_agg)v;
		return 0;
	case OPT_INDEX:
		cfg->index = stage_arg_long_as(st, "--index", arg, -1000000, 1000000, "an integer");
		return 0;
	case OPT_LABEL:
		cfg->label = stage_arg_long_as(st, "--label", arg, -1000000, 1000000, "an integer");
		return 0;
	case OPT_RAW: cfg->raw = 1; return 0;
	case OPT_FIELD: cfg->field = stage_arg_field(st, "--field", arg); return 0;
	case OPT_PROMPT: c->prompt = arg; return 0;
	}
	return -1;
}

/* The options that go together; the LLM options unless --backend field. */
static void score_check(struct llm_stage *ls, const struct score_cli *c)
{
	const struct score_config *cfg = &c->cfg;

	if (!c->backend_set || !cfg->name)
		stage_usage_error(&ls->st, "--backend and --name are required");
	if (cfg->backend == SCORE_FIELD && !cfg->field)
		stage_usage_error(&ls->st, "--backend field needs --field PATH");
	if (cfg->backend != SCORE_FIELD && cfg->field)
		stage_usage_error(&ls->st, "--field is for --backend field");
	if (cfg->backend != SCORE_JUDGE && c->prompt)
		stage_usage_error(&ls->st, "--prompt is for --backend judge");
	if (cfg->backend != SCORE_FIELD)
		llm_stage_options_finish(ls);
}

static const struct llm_stage_def score_stage = {
	.name = "smelt-score", .prompt_default = "prompts/reward/en/judge.prompt",
	.help = score_help, .options = &score_options, .option = score_option,
	.summary = "Score conversations with a reward model or an LLM judge.",
	.example = "smelt-score --backend pooling --name rm --model internlm-xcomposer2d5-7b-reward \\\n"
		   "      --endpoint http://node1:8000/v1 --concurrency 256 --cache cache/ \\\n"
		   "      corpus.jsonl.zst -o scored.jsonl.zst",
};

int main(int argc, char **argv)
{
	struct score_cli c = { .cfg = { .index = -1, .label = -1 } };
	struct score_config *cfg = &c.cfg;
	struct llm_stage ls;
	int judge;

	llm_stage_init(&ls, &score_stage, &c);
	llm_stage_parse(&ls, argc, argv);
	score_check(&ls, &c);
	judge = cfg->backend == SCORE_JUDGE;
	if ((judge && (llm_stage_prompt(&ls, c.prompt) < 0 || llm_prompt_parser(&ls.prompt, NULL) < 0)) ||
	    (cfg->backend != SCORE_FIELD && !llm_stage_engine(&ls))) {
		ls.st.failed = 1;
		return llm_stage_finish(&ls);
	}
	llm_stage_setup(&ls, judge ? &ls.prompt : NULL, &cfg->llm);
	score_prepare(cfg);
	if (cfg->backend == SCORE_FIELD) {
		stage_open(&ls.st);
		if (score_run_field(&ls.st, cfg) < 0)
			ls.st.failed = 1;
	} else {
		llm_stage_run(&ls, &score_ops, cfg);
	}
	score_figures(cfg, &ls.st);
	score_release(cfg);
	return llm_stage_finish(&ls);
}
