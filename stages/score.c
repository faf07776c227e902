/*
 * smelt-score — score every conversation with a reward model: vLLM's
 * /pooling or /classify, an LLM judge through chat completions, or a
 * score already in the record. The score goes to scores.NAME, per-turn
 * scores beside it. See stages/README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm/image_load.h"
#include "json/json_path.h"
#include "llm/llm_engine.h"
#include "stage/llm_loop.h"
#include "stage/llm_options.h"
#include "text/prompt_file.h"
#include "text/reply_parse.h"
#include "reward/score_run.h"
#include "stage/stage.h"

enum {
	OPT_BACKEND = 256, OPT_NAME, OPT_TARGET, OPT_AGGREGATE, OPT_INDEX, OPT_LABEL, OPT_RAW,
	OPT_FIELD, OPT_PROMPT,
};

static const struct stage_option score_options[] = {
	{ "backend", 0, 1, OPT_BACKEND, "B", "pooling, classify, judge or field (required)" },
	{ "name", 0, 1, OPT_NAME, "NAME", "write the score to scores.NAME (required)" },
	{ "target", 0, 1, OPT_TARGET, "T", "conversation (default) or turns: each assistant turn" },
	{ "aggregate", 0, 1, OPT_AGGREGATE, "A", "turns: scores.NAME is their min (default), mean or last" },
	{ "index", 0, 1, OPT_INDEX, "I", "pooling: element of a vector answer (default -1, the last)" },
	{ "label", 0, 1, OPT_LABEL, "I", "classify: class whose probability is the score (default -1)" },
	{ "raw", 0, 0, OPT_RAW, NULL, "classify: the class's raw logit (sends \"activation\": false)" },
	{ "field", 0, 1, OPT_FIELD, "PATH", "field: the score (a number, or a list of per-turn numbers)" },
	{ "prompt", 0, 1, OPT_PROMPT, "FILE", "judge: prompt file (default prompts/reward/en/judge.prompt)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static const char score_help[] =
	"pooling and classify post {\"model\", \"messages\"} (images as image_url parts) to\n"
	"/pooling or /classify at the server root (the endpoint without /v1). A unit\n"
	"is the conversation, or with --target turns each prefix ending at an\n"
	"assistant turn; the scores of the turns go to scores.NAME_turns. Records\n"
	"that cannot be scored are rejected (request_failed, bad_response,\n"
	"no_assistant_turn, missing_image, ...). Output records get a provenance\n"
	"entry.\n\n";

struct score_cli {
	struct llm_options lo;
	struct score_config cfg;
	const char *prompt;
	int backend_set;
};

static long long_arg(struct stage *st, const char *opt, const char *arg)
{
	long x;

	if (parse_long(arg, -1000000, 1000000, &x))
		stage_usage_error(st, "--%s wants an integer, not '%s'", opt, arg);
	return x;
}

static int score_option(struct stage *st, int id, const char *arg, void *ctx)
{
	struct score_cli *c = ctx;
	struct score_config *cfg = &c->cfg;
	int r = llm_options_parse(st, &c->lo, id, arg), v;

	if (r <= 0)
		return r;
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
	case OPT_INDEX: cfg->index = long_arg(st, "index", arg); return 0;
	case OPT_LABEL: cfg->label = long_arg(st, "label", arg); return 0;
	case OPT_RAW: cfg->raw = 1; return 0;
	case OPT_FIELD:
		if (jpath_check(arg) < 0)
			stage_usage_error(st, "--field: '%s' is not a field path", arg);
		cfg->field = arg;
		return 0;
	case OPT_PROMPT: c->prompt = arg; return 0;
	}
	return -1;
}

/* The judge's prompt and reply parser; model defaults from its front matter. */
static int load_judge(struct score_cli *c, struct llm_params *defaults, struct prompt_file **pf,
		      struct reply_parser **parser)
{
	char *path = c->prompt ? xstrdup(c->prompt) : smelt_share_path("prompts/reward/en/judge.prompt");
	struct sbuf err = SBUF_INIT;
	int r = -1;

	if (!(*pf = prompt_file_load(path)))
		goto out;
	if (llm_params_from_json(defaults, prompt_file_defaults(*pf), &err) < 0) {
		error("%s: front matter: %s", path, err.buf);
		goto out;
	}
	llm_params_merge(&c->lo.params, defaults);
	if (!(*parser = reply_parser_new(prompt_file_defaults(*pf), &err))) {
		error("%s: %s", path, err.buf);
		goto out;
	}
	c->cfg.prompt = *pf;
	c->cfg.parser = *parser;
	r = 0;
out:
	free(path);
	sbuf_release(&err);
	return r;
}

int main(int argc, char **argv)
{
	struct stage st;
	struct score_cli c = { .cfg = { .index = -1, .label = -1 } };
	struct score_config *cfg = &c.cfg;
	struct llm_params defaults;
	struct stage_option *table;
	struct prompt_file *pf = NULL;
	struct reply_parser *parser = NULL;
	struct llm_engine *engine = NULL;
	struct sbuf help = SBUF_INIT;
	const char *fatal;

	stage_init(&st, "smelt-score", "Score conversations with a reward model or an LLM judge.",
		   "smelt-score --backend pooling --name rm --model internlm-xcomposer2d5-7b-reward \\\n"
		   "      --endpoint http://node1:8000/v1 --concurrency 256 --cache cache/ \\\n"
		   "      corpus.jsonl.zst -o scored.jsonl.zst");
	sbuf_addstr(&help, score_help);
	sbuf_addstr(&help, llm_options_help);
	st.extra_help = help.buf;
	llm_options_init(&c.lo);
	llm_params_init(&defaults);
	table = llm_options_table(score_options);
	stage_parse_options(&st, argc, argv, table, score_option, &c);
	if (!c.backend_set || !cfg->name)
		stage_usage_error(&st, "--backend and --name are required");
	if (cfg->backend == SCORE_FIELD && !cfg->field)
		stage_usage_error(&st, "--backend field needs --field PATH");
	if (cfg->backend != SCORE_FIELD && cfg->field)
		stage_usage_error(&st, "--field is for --backend field");
	if (cfg->backend != SCORE_JUDGE && c.prompt)
		stage_usage_error(&st, "--prompt is for --backend judge");
	if (cfg->backend != SCORE_FIELD && llm_options_finish(&st, &c.lo) < 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", st.name);
		exit(EXIT_USAGE);
	}
	cfg->stage_name = st.name;
	cfg->images.root = c.lo.image_root;
	cfg->images.max_bytes = c.lo.max_image_bytes;

	if (cfg->backend == SCORE_FIELD) {
		score_prepare(cfg);
		stage_open(&st);
		if (score_run_field(&st, cfg) < 0)
			st.failed = 1;
		goto done;
	}
	if (cfg->backend == SCORE_JUDGE && load_judge(&c, &defaults, &pf, &parser) < 0)
		goto fail;
	if (cfg->backend == SCORE_JUDGE && !c.lo.params.model)
		stage_usage_error(&st, "no model: give --model or set model in the prompt's front matter");
	cfg->params = c.lo.params;
	if (!(engine = llm_engine_new(&c.lo)))
		goto fail;
	cfg->engine = engine;
	score_prepare(cfg);
	stage_open(&st);
	if (llm_loop_run(&st, engine, &c.lo, &score_ops, cfg) < 0)
		st.failed = 1;
	if ((fatal = llm_engine_fatal(engine))) {
		st.failed = 1;
		if (strcmp(fatal, "cancelled"))
			fprintf(stderr, "%s: fatal: %s\n", st.name, fatal);
	}
	json_object_set_new(st.figures, "llm", llm_engine_stats_json(engine));
done:
	score_figures(cfg, &st);
	score_release(cfg);
	goto out;
fail:
	st.failed = 1;
out:
	llm_engine_free(engine);
	image_load_cleanup();
	reply_parser_free(parser);
	prompt_file_free(pf);
	llm_params_release(&defaults);
	llm_options_release(&c.lo);
	free(table);
	{
		int code = stage_finish(&st);
		sbuf_release(&help);
		return code;
	}
}
