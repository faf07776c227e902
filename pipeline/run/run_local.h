/*
 * run_local.h — smelt-run's local runner: the shards' commands as child
 * processes, at most `jobs` at a time.
 *
 * Each command runs in a process group of its own, so a Ctrl-C reaches it
 * once, forwarded by the runner (a model-calling stage treats a second
 * signal as "stop at once"). On SIGINT/SIGTERM/SIGHUP the runner starts
 * nothing more, forwards the signal to the commands running, waits for them
 * (their outputs stay temporaries unless they finished) and returns.
 */
#ifndef SMELT_RUN_LOCAL_H
#define SMELT_RUN_LOCAL_H

#include "run/run_shard.h"

/*
 * Run the shards `todo[0..ntodo)` (indices into p->shards). `failed[i]`
 * is set to 1 for each shard i that failed. Returns 0, or the signal that
 * stopped the run.
 */
int run_local(struct run_plan *p, const long *todo, long ntodo, char *const *argv, int jobs,
	      char *failed);

#endif
