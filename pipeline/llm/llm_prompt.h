/*
 * llm_prompt.h — a prompt file as a model-calling module uses it: the
 * file, the reply parser its front matter asks for, and the generation
 * parameters (the command line's over the front matter's); and struct
 * llm_setup, what such a module is handed to make its requests.
 *
 *	struct llm_prompt p = { 0 };
 *	if (llm_prompt_load(&p, path, &cli_params) < 0 ||
 *	    llm_prompt_need_model(&p) < 0 || llm_prompt_parser(&p, NULL) < 0)
 *		goto fail;
 *	...
 *	llm_prompt_release(&p);
 *
 * A zero-initialised struct llm_prompt may be released at any point.
 */
#ifndef SMELT_LLM_PROMPT_H
#define SMELT_LLM_PROMPT_H

#include "core/util.h"
#include "llm/image_load.h"
#include "llm/llm_engine.h"
#include "llm/llm_params.h"
#include "text/prompt_file.h"
#include "text/reply_parse.h"

struct llm_prompt {
	struct prompt_file *pf;      /* NULL when no file was given (owned) */
	struct reply_parser *parser; /* NULL until llm_prompt_parser (owned) */
	struct llm_params params;    /* the command line's over the front matter's (owned) */
	const char *path;            /* as given (borrowed) */
};

/*
 * Load `path` (NULL: no file, the parameters are `cli`'s alone) and merge
 * `cli` (borrowed; copied) over its front matter's parameters. Returns 0,
 * or -1 after error() naming the file.
 */
int llm_prompt_load(struct llm_prompt *p, const char *path, const struct llm_params *cli) MUST_CHECK;

/* 0 when the parameters name a model, else -1 after error() naming the file. */
int llm_prompt_need_model(const struct llm_prompt *p) MUST_CHECK;

/*
 * The reply parser of the front matter's "parse" spec, or of `parse`
 * (e.g. a --parse option; NULL: the front matter's) when given. Returns
 * 0, or -1 after error() naming the file or "--parse".
 */
int llm_prompt_parser(struct llm_prompt *p, const char *parse) MUST_CHECK;

void llm_prompt_release(struct llm_prompt *p);

/*
 * What a model-calling module (llm_gen, mc_run, score_run, prm_judge)
 * needs from its stage; every pointer is borrowed and must outlive the
 * run. stage/llm_stage.h fills it from a loaded prompt and the stage's
 * options.
 */
struct llm_setup {
	const struct prompt_file *prompt;  /* NULL where the module needs none */
	const struct reply_parser *parser; /* NULL where the module needs none */
	struct llm_params params;          /* a shallow copy: its pointers are borrowed */
	struct image_load_opts images;
	struct llm_engine *engine;         /* NULL for a run that asks nothing (--dry-run) */
	const char *stage_name;            /* for provenance entries */
};

#endif
