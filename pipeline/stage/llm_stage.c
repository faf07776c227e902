/*
 * llm_stage.c — the frame of model-calling stages (see llm_stage.h).
 */
#include "stage/llm_stage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/term_escape.h"
#include "llm/image_load.h"

#define NO_MODEL "no model: give --model or set model in the prompt's front matter"

void llm_stage_init(struct llm_stage *ls, const struct llm_stage_def *def, void *ctx)
{
	memset(ls, 0, sizeof(*ls));
	stage_init(&ls->st, def->name, def->summary, def->example);
	ls->def = def;
	ls->ctx = ctx;
	sbuf_init(&ls->help, 0);
	if (def->help)
		sbuf_addstr(&ls->help, def->help);
	sbuf_addstr(&ls->help, llm_options_help);
	ls->st.extra_help = ls->help.buf;
	llm_options_init(&ls->lo);
}

/* The stage is the frame's first member, so the callback finds the frame from it. */
static int frame_option(struct stage *st, int id, const char *arg, void *ctx)
{
	struct llm_stage *ls = ctx;
	int r = llm_options_parse(st, &ls->lo, id, arg);

	if (r <= 0)
		return r;
	return ls->def->option ? ls->def->option(st, id, arg, ls->ctx) : -1;
}

void llm_stage_parse(struct llm_stage *ls, int argc, char **argv)
{
	struct stage_optspec all = { NULL, NULL, NULL };
	struct stage_option *llm;

	if (ls->def->options)
		all = *ls->def->options;
	/* the LLM options follow the stage's own, in --help too */
	all.rows = llm = llm_options_table(all.rows);
	stage_parse_options(&ls->st, argc, argv, &all, frame_option, ls);
	free(llm);
}

void llm_stage_options_finish(struct llm_stage *ls)
{
	if (llm_options_finish(&ls->st, &ls->lo) < 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", ls->st.name);
		exit(EXIT_USAGE);
	}
}

void llm_stage_require_model(struct llm_stage *ls, const struct llm_params *params)
{
	if (!params->model)
		stage_usage_error(&ls->st, "%s", ls->def->no_model ? ls->def->no_model : NO_MODEL);
}

int llm_stage_prompt(struct llm_stage *ls, const char *path)
{
	struct llm_prompt *p = &ls->prompt;

	if (!path && ls->def->prompt_default) {
		free(ls->prompt_path);
		path = ls->prompt_path = smelt_share_path(ls->def->prompt_default);
	}
	if (llm_prompt_load(p, path, &ls->lo.params) < 0) {
		ls->st.failed = 1;
		return -1;
	}
	llm_stage_require_model(ls, &p->params);
	return 0;
}

struct llm_engine *llm_stage_engine(struct llm_stage *ls)
{
	if (!ls->engine && !(ls->engine = llm_options_engine_new(&ls->lo)))
		ls->st.failed = 1;
	return ls->engine;
}

void llm_stage_setup(const struct llm_stage *ls, const struct llm_prompt *p, struct llm_setup *out)
{
	out->prompt = p ? p->pf : NULL;
	out->parser = p ? p->parser : NULL;
	out->params = p ? p->params : ls->lo.params;
	out->images.root = ls->lo.image_root;
	out->images.allow_absolute = ls->lo.allow_absolute_images;
	out->images.max_bytes = ls->lo.max_image_bytes;
	out->engine = ls->engine;
	out->stage_name = ls->st.name;
}

int llm_stage_run(struct llm_stage *ls, const struct llm_loop_ops *ops, void *ctx)
{
	struct stage *st = &ls->st;
	const char *why;
	uint64_t unsaved;
	int r;

	if (!llm_stage_engine(ls))
		return -1;
	stage_open(st);
	r = llm_loop_run(st, ls->engine, &ls->lo, ops, ctx);
	switch (llm_engine_fatal_cause(ls->engine)) {
	case LLM_FATAL_NONE:
		break;
	case LLM_FATAL_UNUSABLE: {
		/* the cause may quote a server's reply: escaped for the terminal */
		const char *cause = llm_engine_fatal(ls->engine);
		struct sbuf safe = SBUF_INIT;

		term_escape(&safe, cause, strlen(cause));
		fprintf(stderr, "%s: fatal: %s\n", st->name, safe.buf);
		sbuf_release(&safe);
	}
		/* fall through */
	case LLM_FATAL_CANCELLED:
		r = -1;
		break;
	}
	if (r < 0)
		st->failed = 1;
	else if ((unsaved = llm_engine_cache_write_errors(ls->engine, &why))) {
		fprintf(stderr, "%s: %llu answers were not cached (%s); a rerun asks for them again\n",
			st->name, (unsigned long long)unsaved, why);
		ls->cache_unsaved = 1;
	}
	json_object_set_new(st->figures, "llm", llm_engine_stats_json(ls->engine));
	return r;
}

int llm_stage_finish(struct llm_stage *ls)
{
	int code;

	llm_engine_free(ls->engine);
	ls->engine = NULL;
	llm_prompt_release(&ls->prompt);
	image_load_cleanup();
	llm_options_release(&ls->lo);
	free(ls->prompt_path);
	ls->prompt_path = NULL;
	code = stage_finish(&ls->st);
	if (!code && ls->cache_unsaved)
		code = EXIT_REJECTS; /* --cache-errors warn: finished, but not all saved */
	sbuf_release(&ls->help);
	return code;
}
