/*
 * stage.h — what every stage binary shares: the common options, output and
 * rejects sinks, --stats, progress, exit codes, and a record loop that
 * parses and transforms records on worker threads while keeping order.
 *
 * A stage's main (model-calling stages use the frame in llm_stage.h,
 * which wraps these):
 *
 *	struct stage st;
 *	stage_init(&st, "smelt-foo", "one-line summary", "smelt-foo in.jsonl > out.jsonl.zst");
 *	stage_parse_options(&st, argc, argv, &foo_options, foo_option_cb, &ctx);
 *	stage_open(&st);
 *	stage_run(&st, &foo_ops, &ctx);
 *	return stage_finish(&st);
 *
 * Exit codes (DESIGN's stage contract): 0 every record written or set aside
 * in --rejects; 1 fatal error; 2 usage error; 3 finished but records were
 * rejected with no --rejects sink, or the reject ratio passed
 * --max-reject-ratio; 128 + N stopped by signal N (stage_stop.h).
 *
 * Every file a stage writes appears at its final name only when the stage
 * finishes with 0 or 3 (core/atomic_file.h); after 1 or a signal the names
 * keep what they held. An output naming an input or another output is a
 * usage error before anything is written.
 *
 * A stage's own options are a spec (STAGE_OPTIONS, stage_optspec.h): one
 * line each, as --help shows them, then their ids in the same order, each
 * named OPT_ and the option's name (--n-mode: OPT_N_MODE); the macro
 * declares them, 256 up. A spec whose ids do not match its lines dies at
 * startup, so every run (and --help) tries it.
 */
#ifndef SMELT_STAGE_H
#define SMELT_STAGE_H

#include <jansson.h>
#include <stdint.h>

#include "io/record_reader.h"
#include "io/record_writer.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "stage/stage_loop.h"
#include "stage/stage_optspec.h"

#define EXIT_FATAL 1
#define EXIT_USAGE 2
#define EXIT_REJECTS 3

struct stage;

/* Returns 0, or -1 after printing what is wrong (a usage error, exit 2). */
typedef int (*stage_option_fn)(struct stage *st, int id, const char *arg, void *ctx);

struct stage_progress;

/* An output beyond -o, --rejects and --stats, for the same-file guard. */
struct stage_output {
	const char *option; /* "--report", "--html", ... */
	const char *path;
};

struct stage {
	const char *name, *summary, *example;
	const char *extra_help; /* free text after the options (optional) */

	/* common options */
	const char *output, *rejects_path, *stats_path;
	int plain, strict, quiet, progress; /* progress: -1 auto */
	double max_reject_ratio;           /* < 0: no limit */
	int level, zstd_workers, threads;
	char **inputs;
	int ninputs;
	struct stage_output *extra_outputs; /* stage_add_output */
	size_t nextra_outputs, extra_outputs_alloc;

	struct record_writer *out, *rejects;
	uint64_t records_in, records_out, records_rejected;
	json_t *rejects_by_kind; /* {kind: count} */
	json_t *figures;         /* the stage's own --stats figures, merged top-level */
	uint64_t rejects_shown;
	int failed;
	int damaged; /* an input failed its checksum or had garbage after it: exit 3 */

	double t_start, cpu_start;
	struct stage_progress *prog;
	/* Extra text for the progress line (LLM stages: in flight, tokens). */
	void (*progress_extra)(struct stage *st, struct sbuf *line, void *ctx);
	void *progress_ctx;

	struct stage_option *options; /* private: the own options' table, for --help */
	const char *option_ids;       /* private: their spec's ids as written */
};

void stage_init(struct stage *st, const char *name, const char *summary, const char *example);
/*
 * Parse argv: the common options and `own` (NULL: none), whose ids go to
 * `cb`. Exits 0 on --help/--version, 2 on a usage error.
 */
void stage_parse_options(struct stage *st, int argc, char **argv,
			 const struct stage_optspec *own, stage_option_fn cb, void *ctx);
/* The row of the stage's own option `id` (borrowed: until stage_finish), or NULL. */
const struct stage_option *stage_option_of(const struct stage *st, int id);
/* Is `id` a spec line of the group `prefix` (its id named ANSWER_OPT_...: "ANSWER_")? */
int stage_option_in_group(const struct stage *st, int id, const char *prefix);
/* Print the usage text to `fp`. */
void stage_usage(const struct stage *st, FILE *fp);
/* Report a usage error and exit 2. */
__attribute__((noreturn)) void stage_usage_error(const struct stage *st, const char *fmt, ...)
	PRINTF_LIKE(2, 3);

/*
 * Option arguments for stage_option_fn callbacks: each returns the value,
 * or reports a usage error (exit 2) naming `opt` (e.g. "--samples"):
 * "--samples wants 1..100000, not 'x'", or with `want` what is wanted
 * ("--index wants an integer, not 'x'").
 */
long stage_arg_long(const struct stage *st, const char *opt, const char *arg, long min, long max);
long stage_arg_long_as(const struct stage *st, const char *opt, const char *arg, long min, long max,
		       const char *want);
double stage_arg_double(const struct stage *st, const char *opt, const char *arg, double min, double max,
			const char *want);
/* A field path (json_path.h): "--into: 'x' is not a field path" otherwise. */
const char *stage_arg_field(const struct stage *st, const char *opt, const char *arg);

/*
 * For a stage with commands (smelt-tree validate ..., smelt-condor sft
 * ...): argv[1] is the command, one of the NULL-terminated `commands`,
 * and the options follow it. Parses them like stage_parse_options and
 * returns the command (borrowed from argv); --help and --version work
 * without one; no command or an unknown one is a usage error.
 */
const char *stage_parse_command(struct stage *st, int argc, char **argv, const char *const *commands,
				const struct stage_optspec *own, stage_option_fn cb, void *ctx);

/*
 * Name a further file the stage writes (`path` borrowed; NULL or "-" is
 * ignored), shown as `option` in messages. Call it from the option
 * callback, or before stage_open for names made later (shard files).
 */
void stage_add_output(struct stage *st, const char *option, const char *path);

/*
 * The same-file guard: a usage error (exit 2) when an output is the same
 * file as an input or another output — the same device and inode, or the
 * same absolute name while it does not exist. stage_parse_options and
 * stage_open call it.
 */
void stage_check_outputs(struct stage *st);

/*
 * Check the outputs again, open -o and --rejects (under temporary names
 * until stage_finish); dies (exit 1) if they cannot be created.
 */
void stage_open(struct stage *st);

/* Writer options derived from the common options for `path`. */
struct record_writer_opts stage_writer_opts(const struct stage *st);

/*
 * Set a record aside: writes it (or the raw text when it did not parse) to
 * the rejects sink with error: {stage, kind, message, file, line[, index]}.
 * `rec` is borrowed; `raw` may be NULL. Under --strict it dies instead.
 * Main thread only.
 */
void stage_reject(struct stage *st, const struct record_loc *loc, const json_t *rec,
		  const char *raw, size_t rawlen, const char *kind, const char *fmt, ...)
	PRINTF_LIKE(7, 8);

/* Count and write an output record (main thread only). */
int stage_emit_json(struct stage *st, const json_t *rec) MUST_CHECK;
int stage_emit_text(struct stage *st, const char *text, size_t len) MUST_CHECK;

/* Add n to the figure `key` of --stats (main thread only). */
void stage_figure_add(struct stage *st, const char *key, double n);

/* Progress: call from long loops that do not use stage_run. */
void stage_progress_tick(struct stage *st, uint64_t done, uint64_t total);

/*
 * Commit the sinks and write --stats after a clean run (abort them after a
 * fatal error or a stop signal), print a summary; returns the exit code.
 */
int stage_finish(struct stage *st);

/* "file:line" or "file:line (element N)" for messages. */
void record_loc_format(const struct record_loc *loc, struct sbuf *out);

#endif
