/*
 * smelt-refine — Condor's self-reflection: rewrite each answer from its
 * critique, and with --rounds R > 1 critique the new answer and rewrite
 * again. --always refines every answer in every round (the paper's
 * procedure); --if-weak (the default) stops early when a critique finds no
 * weakness. Every round's critique is kept. See
 * pipeline/condor/condor_refine.h and stages/README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "condor/condor_refine.h"
#include "json/json_path.h"
#include "stage/llm_stage.h"

static const char refine_help[] =
	"Input records carry question, answer and critique (the critique stage's\n"
	"parsed blocks). --always (Condor's procedure) refines every answer once per\n"
	"round, R rounds, whatever the critique says. --if-weak (the default) lets a\n"
	"critique whose weakness block holds the language's 'none' word\n"
	"(markers.json: Weakness=None, 缺点=无; or --none) end the rounds; a first\n"
	"critique like that leaves the answer as it is (refine_rounds 0). Output adds\n"
	"refined, rounds, refine_rounds, refine_stop.\n\n";

STAGE_OPTIONS(refine_options,
	"prompt=FILE           refine prompt (e.g. prompts/condor/en/refine.prompt)\n"
	"critique-prompt=FILE  critique prompt, needed for --rounds > 1\n"
	"rounds=R              refinements at most (default 1)\n"
	"always                refine every answer in every round (Condor's procedure)\n"
	"if-weak               stop at a critique without weakness (the default)\n"
	"into=FIELD            field of the final answer (default refined)\n"
	"reparse=N             re-sample a reply that does not parse up to N times (default 2)\n"
	"none=KEY=WORD         critique block KEY holding WORD means no weakness (repeatable)\n"
	"markers=FILE          marker words per language (default knowledge_tree/markers.json)\n",
	OPT_PROMPT, OPT_CRITIQUE_PROMPT, OPT_ROUNDS, OPT_ALWAYS, OPT_IF_WEAK, OPT_INTO, OPT_REPARSE, OPT_NONE, OPT_MARKERS);

struct refine_cli {
	const char *prompt, *critique_prompt, *into, *markers;
	long rounds, reparse;
	int always, if_weak;
	char **nones;
	size_t nr_nones, alloc_nones;
};

static int refine_option(struct stage *st, int id, const char *arg, void *ctx)
{
	struct refine_cli *c = ctx;

	switch (id) {
	case OPT_PROMPT: c->prompt = arg; return 0;
	case OPT_CRITIQUE_PROMPT: c->critique_prompt = arg; return 0;
	case OPT_ROUNDS: c->rounds = stage_arg_long(st, "--rounds", arg, 1, 100); return 0;
	case OPT_ALWAYS: c->always = 1; return 0;
	case OPT_IF_WEAK: c->if_weak = 1; return 0;
	case OPT_INTO:
		if (jpath_check(arg) < 0 || strchr(arg, '.') || strchr(arg, '['))
			stage_usage_error(st, "--into wants a top-level field name, not '%s'", arg);
		c->into = arg;
		return 0;
	case OPT_REPARSE: c->reparse = stage_arg_long(st, "--reparse", arg, 0, 1000); return 0;
	case OPT_NONE:
		if (!strchr(arg, '=') || arg[0] == '=')
			stage_usage_error(st, "--none wants KEY=WORD, not '%s'", arg);
		ALLOC_GROW(c->nones, c->nr_nones + 1, c->alloc_nones);
		c->nones[c->nr_nones++] = (char *)arg;
		return 0;
	case OPT_MARKERS: c->markers = arg; return 0;
	}
	return -1;
}

/* A prompt, its parser and its parameters (CLI over front matter); a model is required. */
static int prompt_open(struct llm_prompt *p, const char *path, const struct llm_params *cli)
{
	return llm_prompt_load(p, path, cli) < 0 || llm_prompt_need_model(p) < 0 ||
	       llm_prompt_parser(p, NULL) < 0 ? -1 : 0;
}

static int load_nones(struct condor_refine *r, const struct refine_cli *c)
{
	char *path;
	json_t *doc;
	json_error_t jerr;

	for (size_t i = 0; i < c->nr_nones; i++) {
		char *key = xstrdup(c->nones[i]), *eq = strchr(key, '=');
		*eq = '\0';
		condor_refine_add_none(r, key, eq + 1);
		free(key);
	}
	if (c->nr_nones && !c->markers)
		return 0;
	path = c->markers ? xstrdup(c->markers) : smelt_share_path("knowledge_tree/markers.json");
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc || !condor_refine_add_markers(r, doc)) {
		error("'%s': %s", path, doc ? "no language with words.weakness and none" : jerr.text);
		json_decref(doc);
		free(path);
		return -1;
	}
	json_decref(doc);
	free(path);
	return 0;
}

static const struct llm_stage_def refine_stage = {
	.name = "smelt-refine", .help = refine_help, .options = &refine_options, .option = refine_option,
	.summary = "Refine answers from their critiques, for one or more rounds (Condor self-reflection).",
	.example = "smelt-refine --always --prompt prompts/condor/en/paper/refine.prompt \\\n"
		   "      --endpoint http://localhost:8000/v1 --model M critiques.jsonl.zst -o refined.jsonl.zst\n"
		   "  smelt-refine --prompt prompts/condor/en/refine.prompt \\\n"
		   "      --critique-prompt prompts/condor/en/critique.prompt --rounds 3 \\\n"
		   "      --endpoint http://localhost:8000/v1 --model M critiques.jsonl.zst -o refined.jsonl.zst",
};

int main(int argc, char **argv)
{
	struct refine_cli c = { .rounds = 1, .reparse = 2, .into = "refined" };
	struct llm_prompt cp = { 0 };
	struct condor_refine r;
	struct llm_stage ls;

	condor_refine_init(&r);
	llm_stage_init(&ls, &refine_stage, &c);
	llm_stage_parse(&ls, argc, argv);
	llm_stage_options_finish(&ls);
	if (!c.prompt)
		stage_usage_error(&ls.st, "--prompt FILE (the refine prompt) is required");
	if (c.rounds > 1 && !c.critique_prompt)
		stage_usage_error(&ls.st, "--rounds %ld needs --critique-prompt FILE", c.rounds);
	if (c.always && c.if_weak)
		stage_usage_error(&ls.st, "--always and --if-weak are two policies: give one");
	if (ls.lo.params.n)
		stage_usage_error(&ls.st, "--n does not apply: each round takes one answer");
	if (prompt_open(&ls.prompt, c.prompt, &ls.lo.params) < 0 ||
	    (c.rounds > 1 && prompt_open(&cp, c.critique_prompt, &ls.lo.params) < 0) ||
	    load_nones(&r, &c) < 0 || !llm_stage_engine(&ls)) {
		ls.st.failed = 1;
		goto out;
	}
	llm_stage_setup(&ls, &ls.prompt, &r.llm);
	r.critique = c.rounds > 1 ? &cp : NULL;
	r.rounds = c.rounds;
	r.reparse = c.reparse;
	r.into = c.into;
	r.always = c.always;
	condor_refine_prepare(&r);
	llm_stage_run(&ls, &condor_refine_ops, &r);
	condor_refine_figures(&r, &ls.st);
out:
	condor_refine_release(&r);
	llm_prompt_release(&cp);
	free(c.nones);
	return llm_stage_finish(&ls);
}
