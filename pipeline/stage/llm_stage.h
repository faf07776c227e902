/*
 * llm_stage.h — the frame of every model-calling stage (smelt-gen, mc,
 * check --judge, score, refine): options, prompt, model check, engine,
 * the record loop, fatal errors, figures and clean-up written once, so a
 * stage's main keeps only what is its own.
 *
 * A stage describes itself in a struct llm_stage_def (name, help, its own
 * option spec and callback) and its main reads:
 *
 *	struct llm_stage ls;
 *
 *	llm_stage_init(&ls, &foo_def, &foo_cli);   // foo_cli: the option callback's ctx
 *	llm_stage_parse(&ls, argc, argv);          // own + LLM options; exits on --help or a usage error
 *	llm_stage_options_finish(&ls);             // endpoints, defaults; exits 2 if unusable
 *	if (llm_stage_prompt(&ls, foo_cli.prompt) < 0 ||       // front matter, "no model" check
 *	    llm_prompt_parser(&ls.prompt, NULL) < 0 || !llm_stage_engine(&ls)) {
 *		ls.st.failed = 1;
 *		return llm_stage_finish(&ls);
 *	}
 *	llm_stage_setup(&ls, &ls.prompt, &foo.llm); // prompt, params, images, engine for the module
 *	llm_stage_run(&ls, &foo_ops, &foo);        // open, loop, "fatal:" line, "llm" figures
 *	...the stage's own figures
 *	return llm_stage_finish(&ls);              // engine, prompt, images, options, stage_finish
 *
 * A stage that asks a model only sometimes (check without --judge, score
 * --backend field, mc --dry-run) skips the LLM steps and runs stage_run
 * on ls.st itself; llm_stage_finish is right either way.
 */
#ifndef SMELT_LLM_STAGE_H
#define SMELT_LLM_STAGE_H

#include "llm/llm_engine.h"
#include "llm/llm_prompt.h"
#include "stage/llm_loop.h"
#include "stage/llm_options.h"
#include "stage/stage.h"

struct llm_stage_def {
	const char *name, *summary, *example;
	const char *help;                   /* the stage's own text; the LLM options' follows */
	const struct stage_optspec *options; /* the stage's own (NULL: none) */
	stage_option_fn option;             /* parses them; gets llm_stage_init's ctx */
	const char *no_model;               /* usage error without a model; NULL: the usual one */
	const char *prompt_default;         /* prompt under the share dir when none is given (or NULL) */
};

struct llm_stage {
	struct stage st;
	struct llm_options lo;
	struct llm_engine *engine;          /* from llm_stage_engine; NULL before */
	struct llm_prompt prompt;           /* from llm_stage_prompt; released by llm_stage_finish */

	/* private */
	const struct llm_stage_def *def;
	void *ctx;
	struct sbuf help;
	char *prompt_path;
	int cache_unsaved;                  /* answers went uncached (--cache-errors warn): exit 3 */
};

void llm_stage_init(struct llm_stage *ls, const struct llm_stage_def *def, void *ctx);

/* Parse argv: the LLM options, then the stage's. Exits 0 on --help, 2 on a usage error. */
void llm_stage_parse(struct llm_stage *ls, int argc, char **argv);

/* llm_options_finish, exiting 2 (with the --help hint) when the options cannot work. */
void llm_stage_options_finish(struct llm_stage *ls);

/* A usage error (exit 2) with def->no_model's message unless `params` name a model. */
void llm_stage_require_model(struct llm_stage *ls, const struct llm_params *params);

/*
 * llm_prompt_load into ls->prompt of `path` (NULL: def->prompt_default
 * under the share directory, if any) with the command line's parameters,
 * then llm_stage_require_model. Returns 0, or -1 after error() (st.failed set).
 */
int llm_stage_prompt(struct llm_stage *ls, const char *path) MUST_CHECK;

/* The engine for the options (made on the first call); NULL after error() (st.failed set). */
struct llm_engine *llm_stage_engine(struct llm_stage *ls);

/* Fill `out` from `p` (may be NULL), the image options and the engine (all borrowed). */
void llm_stage_setup(const struct llm_stage *ls, const struct llm_prompt *p, struct llm_setup *out);

/*
 * Open the outputs and run llm_loop_run with the engine; when the engine
 * stopped because the configuration cannot work, say why on stderr. Adds
 * the engine's "llm" figures. Returns 0, or -1 with st.failed set.
 */
int llm_stage_run(struct llm_stage *ls, const struct llm_loop_ops *ops, void *ctx);

/* Free the engine, the prompt, the image cache and the options; stage_finish's exit code. */
int llm_stage_finish(struct llm_stage *ls);

#endif
