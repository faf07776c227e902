/*
 * run_slurm.h — smelt-run's Slurm runner: the shards as one job array (or
 * several, when there are more elements than the cluster's MaxArraySize),
 * an optional job after them all (afterok), and --wait's watch.
 *
 * Submitting writes three files in the log directory, named after the
 * --out pattern's stem (STEM = "scored-N.jsonl.zst"):
 *   STEM.shards   the shards this submission runs, one "INDEX<TAB>INPUT"
 *                 a line after a header; array element e runs lines
 *                 e*K .. e*K+K-1 (K = --tasks-per-job)
 *   STEM.sbatch   the array's batch script: `smelt-run --task STEM.shards
 *                 --task-base B ...`, which runs its shards one after the other
 *                 with the same rename-on-success as the local runner
 *   STEM.then.sbatch  --then's job: `sh -c CMD`, its exit status in
 *                 STEM.then.status
 * Slurm's own output of element e goes to STEM.%A_%a.out; each shard's
 * command writes to its log as locally.
 *
 * Watching needs no accounting (sacct): squeue says which elements are
 * pending or running, and the shards' outputs and status files say how
 * the others ended. An element gone from the queue whose shard has neither
 * is one killed before it could say (scancel, SIGKILL): failed.
 */
#ifndef SMELT_RUN_SLURM_H
#define SMELT_RUN_SLURM_H

#include "run/run_shard.h"

struct run_slurm_opts {
	const char *partition, *time, *cpus_per_task, *mem, *gres;
	char **sbatch_args; /* --sbatch-arg, each one sbatch argument */
	int nsbatch_args;
	long max_running;   /* %K: 0 for none */
	long tasks_per_job; /* shards per array element, >= 1 */
	int requeue, wait, force, quiet;
	const char *then;   /* --then CMD, or NULL */
};

/*
 * Submit the shards todo[0..ntodo) of `p` (and --then) and, with
 * o->wait, watch them to the end. Returns the exit code: 0 all done (or
 * submitted, without --wait), 1 a shard or --then failed or submitting
 * failed (each named with its log).
 */
int run_slurm(struct run_plan *p, const long *todo, long ntodo, char *const *argv,
	      const struct run_slurm_opts *o);

/*
 * The array element's side (`smelt-run --task LIST --task-base B`): run the shards
 * of element B + $SLURM_ARRAY_TASK_ID listed in LIST. Returns the exit
 * code: 0, 1 when a shard failed, 128 + N when stopped by signal N.
 */
int run_slurm_task(const char *list, const char *base, const char *out_pattern, const char *logs,
		   char *const *argv);

#endif
