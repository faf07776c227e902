/*
 * llm_options.h — the command-line options every LLM stage shares
 * (endpoints, limits, generation parameters, cache, images), as a table a
 * stage adds to its own, a parser callback, and the --help text.
 *
 * Model-calling stages get all of this through the frame (llm_stage.h),
 * which adds the table to the stage's own, tries llm_options_parse first
 * in its option callback, and calls llm_options_finish. A stage that
 * drives a library module with its own table (smelt-tree grow, through
 * tree_grow.h) does the same by hand:
 *
 *	llm_options_init(&lo);
 *	table = llm_options_table(own);            // free() after parsing
 *	... the option callback: r = llm_options_parse(st, &lo, id, arg); if (r <= 0) return r;
 *	if (llm_options_finish(st, &lo) < 0) exit(EXIT_USAGE);
 *	engine = llm_options_engine_new(&lo);      // via struct llm_engine_config
 */
#ifndef SMELT_LLM_OPTIONS_H
#define SMELT_LLM_OPTIONS_H

#include <jansson.h>
#include <stdint.h>

#include "llm/llm_engine.h"
#include "llm/llm_params.h"
#include "stage/stage.h"

struct llm_options {
	char **endpoints;         /* base URLs ending in /v1 (owned) */
	size_t nendpoints, endpoints_alloc;
	const char *endpoints_file; /* --endpoints-file: more endpoints, re-read as it changes */
	double endpoints_wait;    /* seconds to wait for a usable one of them; 0 = forever */
	const char *api_key_env;  /* variable holding the key; default OPENAI_API_KEY */
	long concurrency;         /* requests in flight across endpoints */
	double rpm, tpm;          /* limits per minute; 0 = none */
	double timeout;           /* seconds per attempt */
	long retries;             /* further attempts after the first */
	struct llm_params params;
	const char *cache_dir;
	int cache_mode;           /* enum llm_cache_mode; -1 until set */
	enum llm_cache_errors cache_errors; /* --cache-errors; fatal unless warn */
	int unordered;
	long window;              /* records waiting for answers; 0 = from concurrency */
	const char *image_root;
	int allow_absolute_images; /* image paths may leave image_root */
	uint64_t max_image_bytes;
	double stop_grace;        /* seconds requests in flight get after a stop signal */
};

#define LLM_DEFAULT_MAX_IMAGE_BYTES (20u << 20)
/* Under Slurm's default KillWait of 30 s, with room for the exit. */
#define LLM_DEFAULT_STOP_GRACE 20.0

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

/*
 * The engine configuration the options describe; it borrows o's strings,
 * so `o` must outlive its use (llm_engine_new copies what it keeps).
 */
void llm_options_engine_config(const struct llm_options *o, struct llm_engine_config *c);

/* llm_engine_new for the configuration of `o`: a new engine, or NULL after error(). */
struct llm_engine *llm_options_engine_new(const struct llm_options *o);

/*
 * How to resume after a stop, for stage_stop_graceful: rerun with the
 * same --cache (or, without one, that a rerun asks everything again).
 * Written into `sb`; returns sb->buf.
 */
const char *llm_options_resume_hint(const struct llm_options *o, struct sbuf *sb);

/* Text for stage->extra_help: environment and cache modes. */
extern const char llm_options_help[];

#endif
