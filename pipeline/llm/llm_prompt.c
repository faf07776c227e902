/*
 * llm_prompt.c — loading a prompt file with its parameters and parser
 * (see llm_prompt.h).
 */
#include "llm/llm_prompt.h"

#include <stdlib.h>

#include "core/util.h"

int llm_prompt_load(struct llm_prompt *p, const char *path, const struct llm_params *cli)
{
	struct llm_params defaults;
	struct sbuf err = SBUF_INIT;
	int r = -1;

	llm_params_init(&p->params);
	llm_params_init(&defaults);
	p->path = path;
	if (path && !(p->pf = prompt_file_load(path)))
		goto out;
	if (p->pf && llm_params_from_json(&defaults, prompt_file_defaults(p->pf), &err) < 0) {
		error("%s: front matter: %s", path, err.buf);
		goto out;
	}
	llm_params_merge(&p->params, cli);
	llm_params_merge(&p->params, &defaults);
	r = 0;
out:
	llm_params_release(&defaults);
	sbuf_release(&err);
	return r;
}

int llm_prompt_need_model(const struct llm_prompt *p)
{
	if (p->params.model)
		return 0;
	if (!p->path)
		return error("no model: give --model");
	return error("no model: give --model or set model in the front matter of '%s'", p->path);
}

int llm_prompt_parser(struct llm_prompt *p, const char *parse)
{
	struct sbuf err = SBUF_INIT;
	json_t *spec = p->pf ? json_deep_copy(prompt_file_defaults(p->pf)) : NULL;

	if (parse) {
		if (!spec)
			spec = json_object();
		json_object_set_new(spec, "parse", json_string(parse));
	}
	p->parser = reply_parser_new(spec, &err);
	if (!p->parser)
		error("%s: %s", parse ? "--parse" : p->path, err.buf);
	json_decref(spec);
	sbuf_release(&err);
	return p->parser ? 0 : -1;
}

void llm_prompt_release(struct llm_prompt *p)
{
	reply_parser_free(p->parser);
	prompt_file_free(p->pf);
	llm_params_release(&p->params);
	p->parser = NULL;
	p->pf = NULL;
}
