/*
 * run_shard.h — the shards of a smelt-run: which input each one reads, the
 * name its output gets, and running one shard's command so that the output
 * appears at that name only when the command exits 0.
 *
 *	struct run_plan p;
 *	run_plan_init(&p, "parts/all-*.jsonl.zst", "out/scored-{shard}.jsonl.zst", "out/logs");
 *	for each shard: run_shard_done(s, 0) ... run_shard_start / _finish
 *	run_plan_release(&p);
 *
 * Shard i reads the i-th file the glob matches (sorted; SMELT_SHARD=i,
 * SMELT_SHARDS=the count); its output is the pattern with {shard} as i in
 * five digits (00003, as smelt-shard names its files). The command writes
 * SMELT_OUT, a hidden temporary beside the output,
 * ".smelt-run.PID.HOST.NAME" (NAME keeps the suffix, so ".zst" still means
 * zstd), renamed onto the output when the command exits 0. Its stdout and
 * stderr are appended to LOGS/NAME.log; its outcome goes to
 * LOGS/NAME.status ("exit 1", "signal 9"), removed on success. So "the
 * output exists" means "the shard is done", and a rerun does the rest.
 *
 * A temporary whose PID is dead on this host is debris of a killed task
 * (kill -9, a node lost mid-write): run_plan_sweep removes those, and only
 * those — a temporary of another host, or of a live PID, may be a task
 * still running.
 */
#ifndef SMELT_RUN_SHARD_H
#define SMELT_RUN_SHARD_H

#include <sys/types.h>

#include "core/util.h"

struct run_shard {
	long index;   /* SMELT_SHARD */
	char *in;     /* SMELT_IN */
	char *out;    /* the final name */
	char *log;    /* LOGS/NAME.log */
	char *status; /* LOGS/NAME.status */
	char *tmp;    /* SMELT_OUT while running, NULL otherwise */
	pid_t pid;    /* the command's, while running */
};

struct run_plan {
	struct run_shard *shards;
	long n;              /* the shards in this plan */
	long total;          /* SMELT_SHARDS: all the glob matched */
	const char *pattern; /* the --out pattern (borrowed) */
	const char *logs;    /* the log directory (borrowed) */
};

/*
 * Expand `glob_pattern` and name every shard's output from `out_pattern`
 * (which must hold {shard} unless the glob matches one file). Returns 0,
 * or -1 after error() (no match, a bad pattern).
 */
int run_plan_init(struct run_plan *p, const char *glob_pattern, const char *out_pattern,
		  const char *logs) MUST_CHECK;
/*
 * The same for the `n` shards listed (a Slurm task's share of a run):
 * indices[i] reads inputs[i] (copied); `total` is SMELT_SHARDS.
 */
void run_plan_init_list(struct run_plan *p, const char *out_pattern, const char *logs, long total,
			const long *indices, char *const *inputs, long n);
void run_plan_release(struct run_plan *p);

/*
 * The shards' name stem for the run's own files: the --out pattern's file
 * name with {shard} as "N" ("scored-N.jsonl.zst"). New string.
 */
char *run_plan_stem(const struct run_plan *p);

/* Create the output and log directories. Returns 0, or -1 after error(). */
int run_plan_mkdirs(const struct run_plan *p) MUST_CHECK;

/* Remove the temporaries of dead processes of this host beside every output. */
void run_plan_sweep(const struct run_plan *p);

/* The modification time of `path` in seconds (to the nanosecond), or -1. */
double run_mtime(const char *path);

/*
 * Is the shard done: its output exists and, when `since` is not 0, was
 * made at or after `since` (a run_mtime; --force: done again in this run).
 */
int run_shard_done(const struct run_shard *s, double since);

/*
 * The shard's recorded failure ("exit 1", "signal 9"; a new string), or
 * NULL when it has none (every run removes its shards' old statuses).
 */
char *run_shard_failure(const struct run_shard *s);

/*
 * Start the shard's command: argv with {in}, {out} and {shard}
 * substituted, SMELT_* in its environment, output appended to the log (its
 * old status removed: a requeued task is not failed). A new process group when `own_group` (the local runner forwards signals
 * itself). Returns 0 with s->pid set, or -1 after error().
 */
int run_shard_start(const struct run_plan *p, struct run_shard *s, char *const *argv,
		    int own_group) MUST_CHECK;

/*
 * The command ended with wait status `wstatus`: rename its output into
 * place (exit 0 and SMELT_OUT exists) and clear the status file, or remove
 * the temporary and record the failure. Returns 0 when the shard is done.
 */
int run_shard_finish(struct run_shard *s, int wstatus);

/* "exit 1" / "signal 9" / "exit 0" for a wait status (static buffer). */
const char *run_wait_text(int wstatus);

#endif
