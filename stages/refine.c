/*
 * smelt-refine — Condor's self-reflection: rewrite each answer from its
 * critique, and with --rounds R > 1 critique the new answer and rewrite
 * again, stopping early when a critique finds no weakness. Every round's
 * critique is kept. See pipeline/condor_refine.h and stages/README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "condor/condor_refine.h"
#include "llm/image_load.h"
#include "json/json_path.h"
#include "llm/llm_engine.h"
#include "stage/llm_options.h"
#include "text/prompt_file.h"
#include "text/reply_parse.h"
#include "stage/stage.h"

enum { OPT_PROMPT = 256, OPT_CRITIQUE_PROMPT, OPT_ROUNDS, OPT_INTO, OPT_REPARSE, OPT_NONE, OPT_MARKERS };

static const struct stage_option refine_options[] = {
	{ "prompt", 0, 1, OPT_PROMPT, "FILE", "refine prompt (e.g. prompts/condor/en/refine.prompt)" },
	{ "critique-prompt", 0, 1, OPT_CRITIQUE_PROMPT, "FILE", "critique prompt, needed for --rounds > 1" },
	{ "rounds", 0, 1, OPT_ROUNDS, "R", "refinements at most (default 1)" },
	{ "into", 0, 1, OPT_INTO, "FIELD", "field of the final answer (default refined)" },
	{ "reparse", 0, 1, OPT_REPARSE, "N", "re-sample a reply that does not parse up to N times (default 2)" },
	{ "none", 0, 1, OPT_NONE, "KEY=WORD", "critique block KEY holding WORD means no weakness (repeatable)" },
	{ "markers", 0, 1, OPT_MARKERS, "FILE", "marker words per language (default knowledge_tree/markers.json)" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

static const char refine_help[] =
	"Input records carry question, answer and critique (the critique stage's\n"
	"parsed blocks). A critique whose weakness block holds the language's\n"
	"'none' word (markers.json: Weakness=None, 缺点=无; or --none) ends the\n"
	"rounds; a first critique like that leaves the answer as it is\n"
	"(refine_rounds 0). Output adds refined, rounds, refine_rounds, refine_stop.\n\n";

struct refine_cli {
	struct llm_options lo;
	const char *prompt, *critique_prompt, *into, *markers;
	long rounds, reparse;
	char **nones;
	size_t nr_nones, alloc_nones;
};

static int refine_option(struct stage *st, int id, const char *arg, void *ctx)
{
	struct refine_cli *c = ctx;
	int r = llm_options_parse(st, &c->lo, id, arg);

	if (r <= 0)
		return r;
	switch (id) {
	case OPT_PROMPT: c->prompt = arg; return 0;
	case OPT_CRITIQUE_PROMPT: c->critique_prompt = arg; return 0;
	case OPT_ROUNDS:
		if (parse_long(arg, 1, 100, &c->rounds))
			stage_usage_error(st, "--rounds wants 1..100, not '%s'", arg);
		return 0;
	case OPT_INTO:
		if (jpath_check(arg) < 0 || strchr(arg, '.') || strchr(arg, '['))
			stage_usage_error(st, "--into wants a top-level field name, not '%s'", arg);
		c->into = arg;
		return 0;
	case OPT_REPARSE:
		if (parse_long(arg, 0, 1000, &c->reparse))
			stage_usage_error(st, "--reparse wants 0..1000, not '%s'", arg);
		return 0;
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

/* A prompt, its parser and its parameters (CLI over front matter). */
struct refine_prompt {
	struct prompt_file *pf;
	struct reply_parser *parser;
	struct llm_params params;
};

static int prompt_open(struct refine_prompt *p, const char *path, const struct llm_params *cli)
{
	struct llm_params defaults;
	struct sbuf err = SBUF_INIT;
	int r = -1;

	llm_params_init(&defaults);
	llm_params_init(&p->params);
	if (!(p->pf = prompt_file_load(path)))
		goto out;
	if (llm_params_from_json(&defaults, prompt_file_defaults(p->pf), &err) < 0) {
		error("%s: front matter: %s", path, err.buf);
		goto out;
	}
	llm_params_merge(&p->params, cli);
	llm_params_merge(&p->params, &defaults);
	if (!p->params.model) {
		error("no model: give --model or set model in the front matter of '%s'", path);
		goto out;
	}
	if (!(p->parser = reply_parser_new(prompt_file_defaults(p->pf), &err))) {
		error("%s: %s", path, err.buf);
		goto out;
	}
	r = 0;
out:
	llm_params_release(&defaults);
	sbuf_release(&err);
	return r;
}

static void prompt_close(struct refine_prompt *p)
{
	reply_parser_free(p->parser);
	prompt_file_free(p->pf);
	llm_params_release(&p->params);
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

int main(int argc, char **argv)
{
	struct stage st;
	struct refine_cli c = { .rounds = 1, .reparse = 2, .into = "refined" };
	struct refine_prompt rp = { 0 }, cp = { 0 };
	struct condor_refine r;
	struct stage_option *table;
	struct llm_engine *engine = NULL;
	struct sbuf help = SBUF_INIT;
	const char *fatal;
	int code;

	stage_init(&st, "smelt-refine",
		   "Refine answers from their critiques, for one or more rounds (Condor self-reflection).",
		   "smelt-refine --prompt prompts/condor/en/refine.prompt \\\n"
		   "      --critique-prompt prompts/condor/en/critique.prompt --rounds 3 \\\n"
		   "      --endpoint http://localhost:8000/v1 --model M critiques.jsonl.zst -o refined.jsonl.zst");
	sbuf_addstr(&help, refine_help);
	sbuf_addstr(&help, llm_options_help);
	st.extra_help = help.buf;
	llm_options_init(&c.lo);
	condor_refine_init(&r);
	table = llm_options_table(refine_options);
	stage_parse_options(&st, argc, argv, table, refine_option, &c);
	free(table);
	if (llm_options_finish(&st, &c.lo) < 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", st.name);
		exit(EXIT_USAGE);
	}
	if (!c.prompt)
		stage_usage_error(&st, "--prompt FILE (the refine prompt) is required");
	if (c.rounds > 1 && !c.critique_prompt)
		stage_usage_error(&st, "--rounds %ld needs --critique-prompt FILE", c.rounds);
	if (c.lo.params.n)
		stage_usage_error(&st, "--n does not apply: each round takes one answer");

	if (prompt_open(&rp, c.prompt, &c.lo.params) < 0 ||
	    (c.rounds > 1 && prompt_open(&cp, c.critique_prompt, &c.lo.params) < 0) ||
	    load_nones(&r, &c) < 0 || !(engine = llm_engine_new(&c.lo))) {
		st.failed = 1;
		goto out;
	}
	stage_open(&st);
	r.refine_prompt = rp.pf;
	r.refine_parser = rp.parser;
	r.refine_params = &rp.params;
	if (c.rounds > 1) {
		r.critique_prompt = cp.pf;
		r.critique_parser = cp.parser;
		r.critique_params = &cp.params;
	}
	r.rounds = c.rounds;
	r.reparse = c.reparse;
	r.into = c.into;
	r.images.root = c.lo.image_root;
	r.images.max_bytes = c.lo.max_image_bytes;
	r.engine = engine;
	r.stage_name = st.name;
	condor_refine_prepare(&r);
	if (llm_loop_run(&st, engine, &c.lo, &condor_refine_ops, &r) < 0) {
		st.failed = 1;
		if ((fatal = llm_engine_fatal(engine)) && strcmp(fatal, "cancelled"))
			fprintf(stderr, "%s: fatal: %s\n", st.name, fatal);
	}
	json_object_set_new(st.figures, "llm", llm_engine_stats_json(engine));
	condor_refine_figures(&r, &st);
out:
	llm_engine_free(engine);
	image_load_cleanup();
	condor_refine_release(&r);
	prompt_close(&rp);
	prompt_close(&cp);
	llm_options_release(&c.lo);
	free(c.nones);
	code = stage_finish(&st);
	sbuf_release(&help);
	return code;
}
