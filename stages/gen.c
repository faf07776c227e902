/*
 * smelt-gen — the generic LLM map: render a prompt template for each
 * record, ask an OpenAI-compatible endpoint for one or more samples, parse
 * the replies and write them into a field (or one record per parsed item).
 * See stages/README-gen.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/llm_gen.h"
#include "stage/llm_stage.h"

static const char gen_help[] =
	"The prompt's front matter gives defaults (model, temperature, max_tokens,\n"
	"parse, ...) that options override. A record whose reply still does not\n"
	"parse after --reparse re-samples is rejected (kind parse_error) with the\n"
	"reply in raw_reply. Output records get a provenance entry.\n\n";

STAGE_OPTIONS(gen_options,
	"prompt=FILE  prompt file (front matter + messages; prompts/README.md)\n"
	"into=FIELD   field that receives the parsed reply (a list when K > 1)\n"
	"parse=MODE   text, json, markers, list or regex (default: the prompt's)\n"
	"samples=K    samples per record (default 1)\n"
	"explode      one output record per parsed item, ids <id>-<k>\n"
	"n-mode=MODE  K samples as n=K (n), K seeded requests (seeds), or auto\n"
	"reparse=N    re-sample a reply that does not parse up to N times (default 2)\n",
	OPT_PROMPT, OPT_INTO, OPT_PARSE, OPT_SAMPLES, OPT_EXPLODE, OPT_N_MODE, OPT_REPARSE);

struct gen_cli {
	const char *prompt, *into, *parse;
	long samples, reparse;
	int explode, n_mode, samples_set;
};

static int gen_option(struct stage *st, int id, const char *arg, void *ctx)
{
	struct gen_cli *c = ctx;

	switch (id) {
	case OPT_PROMPT: c->prompt = arg; return 0;
	case OPT_INTO: c->into = stage_arg_field(st, "--into", arg); return 0;
	case OPT_PARSE: c->parse = arg; return 0;
	case OPT_SAMPLES:
		c->samples = stage_arg_long(st, "--samples", arg, 1, 100000);
		c->samples_set = 1;
		return 0;
	case OPT_EXPLODE: c->explode = 1; return 0;
	case OPT_N_MODE:
		if ((c->n_mode = llm_n_mode_parse(arg)) < 0)
			stage_usage_error(st, "--n-mode wants auto, n or seeds, not '%s'", arg);
		return 0;
	case OPT_REPARSE: c->reparse = stage_arg_long(st, "--reparse", arg, 0, 1000); return 0;
	}
	return -1;
}

static const struct llm_stage_def gen_stage = {
	.name = "smelt-gen", .help = gen_help, .options = &gen_options, .option = gen_option,
	.summary = "Ask an LLM about every record: prompt -> sample(s) -> parse -> field.",
	.example = "smelt-gen --prompt prompts/condor/question.prompt --into question \\\n"
		   "      --endpoint http://localhost:8000/v1 --model qwen2-vl-72b in.jsonl -o out.jsonl.zst",
};

/* --n K is --samples K sent as n=K: it moves from the request to the samples. */
static void gen_check(struct llm_stage *ls, struct gen_cli *c)
{
	struct llm_params *p = &ls->lo.params;

	if (!c->prompt || !c->into)
		stage_usage_error(&ls->st, "--prompt FILE and --into FIELD are required");
	if (!p->n)
		return;
	if (c->samples_set && c->samples != p->n)
		stage_usage_error(&ls->st, "--n %ld and --samples %ld disagree", p->n, c->samples);
	c->samples = p->n;
	p->n = 0;
	if (c->n_mode == LLM_N_AUTO)
		c->n_mode = LLM_N_N;
}

int main(int argc, char **argv)
{
	struct gen_cli c = { .samples = 1, .reparse = 2, .n_mode = LLM_N_AUTO };
	struct llm_stage ls;
	struct llm_gen g = { 0 };

	llm_stage_init(&ls, &gen_stage, &c);
	llm_stage_parse(&ls, argc, argv);
	llm_stage_options_finish(&ls);
	gen_check(&ls, &c);
	if (llm_stage_prompt(&ls, c.prompt) < 0 || llm_prompt_parser(&ls.prompt, c.parse) < 0 ||
	    !llm_stage_engine(&ls)) {
		ls.st.failed = 1;
		return llm_stage_finish(&ls);
	}
	llm_stage_setup(&ls, &ls.prompt, &g.llm);
	g.into = c.into;
	g.samples = c.samples;
	g.explode = c.explode;
	g.sampling.mode = c.n_mode;
	g.reparse = c.reparse;
	llm_gen_prepare(&g);
	llm_stage_run(&ls, &llm_gen_ops, &g);
	llm_gen_figures(&g, &ls.st);
	llm_gen_release(&g);
	return llm_stage_finish(&ls);
}
