/*
 * llm_options.h — the command-line options every LLM stage shares
 * (endpoints, limits, generation parameters, cache, images), as a table a
 * stage adds to its own, a parser callback, and the --help text.
 *
 * A stage's main:
 *
 *	struct llm_options lo;
 *	llm_options_init(&lo);
 *	table = llm_options_table(gen_options);
 *	stage_parse_options(&st, argc, argv, table, gen_option_cb, &ctx);
 *	    ... where gen_option_cb first tries llm_options_parse(&st, &lo, id, arg)
 *	if (llm_options_finish(&st, &lo) < 0) exit(EXIT_USAGE);
 */
#ifndef SMELT_LLM_OPTIONS_H
#define SMELT_LLM_OPTIONS_H

#include <jansson.h>
#include <stdint.h>

#include "stage/stage.h"

/* Generation parameters: what goes into a request body. Unset ones are not sent. */
struct llm_params {
	char *model;               /* NULL: unset */
	double temperature, top_p; /* NAN: unset */
	long max_tokens;           /* -1: unset */
	long long seed;
	int has_seed;
	long n;                    /* 0: unset */
	json_t *stop;              /* NULL or an array of strings (owned) */
	json_t *extra;             /* NULL or an object merged into the body (owned) */
};

void llm_params_init(struct llm_params *p);
void llm_params_release(struct llm_params *p);
/* Fill what is unset in `p` from `defaults` (copies). */
void llm_params_merge(struct llm_params *p, const struct llm_params *defaults);
/*
 * Read defaults from an object such as a prompt file's front matter:
 * model, temperature, top_p, max_tokens, seed, n, stop (string or list),
 * extra (object). Unknown keys are ignored. Returns 0, or -1 with a
 * message in `err` naming the bad key.
 */
int llm_params_from_json(struct llm_params *p, const json_t *obj, struct sbuf *err);
/* The parameters as an object for provenance (new reference). */
json_t *llm_params_json(const struct llm_params *p);

struct llm_options {
	char **endpoints;         /* base URLs ending in /v1 (owned) */
	size_t nendpoints, endpoints_alloc;
	const char *api_key_env;  /* variable holding the key; default OPENAI_API_KEY */
	long concurrency;         /* requests in flight across endpoints */
	double rpm, tpm;          /* limits per minute; 0 = none */
	double timeout;           /* seconds per attempt */
	long retries;             /* further attempts after the first */
	struct llm_params params;
	const char *cache_dir;
	int cache_mode;           /* enum llm_cache_mode; -1 until set */
	int unordered;
	long window;              /* records waiting for answers; 0 = from concurrency */
	const char *image_root;
	uint64_t max_image_bytes;
};

#define LLM_DEFAULT_CONCURRENCY 64
#define LLM_DEFAULT_TIMEOUT 600.0
#define LLM_DEFAULT_RETRIES 8
#define LLM_DEFAULT_MAX_IMAGE_BYTES (20u << 20)

void llm_options_init(struct llm_options *o);
void llm_options_release(struct llm_options *o);

/*
 * A new option table: `own` (may be NULL) followed by the LLM options.
 * The caller frees it with free() once options are parsed.
 */
struct stage_option *llm_options_table(const struct stage_option *own);

/* Returns 0 if `id` was an LLM option and is parsed, 1 if it is not an
 * LLM option, -1 after printing a usage error. */
int llm_options_parse(struct stage *st, struct llm_options *o, int id, const char *arg);

/*
 * After parsing: endpoints from SMELT_ENDPOINTS or OPENAI_BASE_URL when
 * none were given, defaults, consistency checks. Returns 0, or -1 after
 * printing a usage error.
 */
int llm_options_finish(struct stage *st, struct llm_options *o);

/* Text for stage->extra_help: environment and cache modes. */
extern const char llm_options_help[];

#endif
