/*
 * smelt-gen — the generic LLM map: render a prompt template for each
 * record, ask an OpenAI-compatible endpoint for one or more samples, parse
 * the replies and write them into a field (or one record per parsed item).
 * See stages/README-gen.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm/image_load.h"
#include "json/json_path.h"
#include "llm/llm_engine.h"
#include "gen/llm_gen.h"
#include "stage/llm_options.h"
#include "text/prompt_file.h"
#include "text/reply_parse.h"
#include "stage/stage.h"

enum {
	OPT_PROMPT = 256, OPT_INTO, OPT_PARSE, OPT_SAMPLES, OPT_EXPLODE, OPT_N_MODE, OPT_REPARSE,
};

static const struct stage_option gen_options[] = {
	{ "prompt", 0, 1, OPT_PROMPT, "FILE", "prompt file (front matter + messages; prompts/README.md)" },
	{ "into", 0, 1, OPT_INTO, "FIELD", "field that receives the parsed reply (a list when K > 1)" },
	{ "parse", 0, 1, OPT_PARSE, "MODE", "text, json, markers, list or regex (default: the prompt's)" },
	{ "samples", 0, 1, OPT_SAMPLES, "K", "samples per record (default 1)" },
	{ "explode", 0, 0, OPT_EXPLODE, NULL, "one output record per parsed item, ids <id>-<k>" },
	{ "n-mode", 0, 1, OPT_N_MODE, "MODE", "K samples as n=K (n), K seeded requests (seeds), or auto" },
	{ "reparse", 0, 1, OPT_REPARSE, "N", "re-sample a reply that does not parse up to N times (default 2)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static const char gen_help[] =
	"The prompt's front matter gives defaults (model, temperature, max_tokens,\n"
	"parse, ...) that options override. A record whose reply still does not\n"
	"parse after --reparse re-samples is rejected (kind parse_error) with the\n"
	"reply in raw_reply. Output records get a provenance entry.\n\n";

struct gen_cli {
	struct llm_options lo;
	const char *prompt, *into, *parse;
	long samples, reparse;
	int explode, n_mode, samples_set;
};

static int gen_option(struct stage *st, int id, const char *arg, void *ctx)
{
	struct gen_cli *c = ctx;
	int r = llm_options_parse(st, &c->lo, id, arg);

	if (r <= 0)
		return r;
	switch (id) {
	case OPT_PROMPT: c->prompt = arg; return 0;
	case OPT_INTO:
		if (jpath_check(arg) < 0)
			stage_usage_error(st, "--into: '%s' is not a field path", arg);
		c->into = arg;
		return 0;
	case OPT_PARSE: c->parse = arg; return 0;
	case OPT_SAMPLES:
		if (parse_long(arg, 1, 100000, &c->samples))
			stage_usage_error(st, "--samples wants 1..100000, not '%s'", arg);
		c->samples_set = 1;
		return 0;
	case OPT_EXPLODE: c->explode = 1; return 0;
	case OPT_N_MODE:
		if ((c->n_mode = llm_n_mode_parse(arg)) < 0)
			stage_usage_error(st, "--n-mode wants auto, n or seeds, not '%s'", arg);
		return 0;
	case OPT_REPARSE:
		if (parse_long(arg, 0, 1000, &c->reparse))
			stage_usage_error(st, "--reparse wants 0..1000, not '%s'", arg);
		return 0;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct stage st;
	struct gen_cli c = { .samples = 1, .reparse = 2, .n_mode = LLM_N_AUTO };
	struct llm_gen g = { 0 };
	struct llm_params defaults;
	struct stage_option *table;
	struct prompt_file *pf = NULL;
	struct reply_parser *parser = NULL;
	struct llm_engine *engine = NULL;
	struct sbuf err = SBUF_INIT, help = SBUF_INIT;
	json_t *spec = NULL;
	const char *fatal;

	stage_init(&st, "smelt-gen", "Ask an LLM about every record: prompt -> sample(s) -> parse -> field.",
		   "smelt-gen --prompt prompts/condor/question.prompt --into question \\\n"
		   "      --endpoint http://localhost:8000/v1 --model qwen2-vl-72b in.jsonl -o out.jsonl.zst");
	sbuf_addstr(&help, gen_help);
	sbuf_addstr(&help, llm_options_help);
	st.extra_help = help.buf;
	llm_options_init(&c.lo);
	llm_params_init(&defaults);
	table = llm_options_table(gen_options);
	stage_parse_options(&st, argc, argv, table, gen_option, &c);
	if (llm_options_finish(&st, &c.lo) < 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", st.name);
		exit(EXIT_USAGE);
	}
	if (!c.prompt || !c.into)
		stage_usage_error(&st, "--prompt FILE and --into FIELD are required");
	if (c.lo.params.n) {
		if (c.samples_set && c.samples != c.lo.params.n)
			stage_usage_error(&st, "--n %ld and --samples %ld disagree", c.lo.params.n, c.samples);
		c.samples = c.lo.params.n;
		c.lo.params.n = 0;
		if (c.n_mode == LLM_N_AUTO)
			c.n_mode = LLM_N_N;
	}

	if (!(pf = prompt_file_load(c.prompt)))
		goto fail;
	if (llm_params_from_json(&defaults, prompt_file_defaults(pf), &err) < 0) {
		error("%s: front matter: %s", c.prompt, err.buf);
		goto fail;
	}
	llm_params_merge(&c.lo.params, &defaults);
	if (!c.lo.params.model)
		stage_usage_error(&st, "no model: give --model or set model in the prompt's front matter");
	spec = json_deep_copy(prompt_file_defaults(pf));
	if (c.parse)
		json_object_set_new(spec, "parse", json_string(c.parse));
	if (!(parser = reply_parser_new(spec, &err))) {
		error("%s: %s", c.parse ? "--parse" : c.prompt, err.buf);
		goto fail;
	}
	if (!(engine = llm_engine_new(&c.lo)))
		goto fail;
	stage_open(&st);

	g.prompt = pf;
	g.parser = parser;
	g.into = c.into;
	g.samples = c.samples;
	g.explode = c.explode;
	g.n_mode = c.n_mode;
	g.reparse = c.reparse;
	g.params = c.lo.params;
	g.images.root = c.lo.image_root;
	g.images.max_bytes = c.lo.max_image_bytes;
	g.engine = engine;
	g.stage_name = st.name;
	llm_gen_prepare(&g);
	if (llm_loop_run(&st, engine, &c.lo, &llm_gen_ops, &g) < 0) {
		st.failed = 1;
		if ((fatal = llm_engine_fatal(engine)) && strcmp(fatal, "cancelled"))
			fprintf(stderr, "%s: fatal: %s\n", st.name, fatal);
	}
	json_object_set_new(st.figures, "llm", llm_engine_stats_json(engine));
	llm_gen_figures(&g, &st);
	llm_gen_release(&g);
	goto out;
fail:
	st.failed = 1;
out:
	llm_engine_free(engine);
	image_load_cleanup();
	reply_parser_free(parser);
	prompt_file_free(pf);
	json_decref(spec);
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
