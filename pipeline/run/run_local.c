/*
 * run_local.c — the shards as child processes, `jobs` at a time (see
 * run_local.h).
 */
#include "run/run_local.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	if (!stop_signal)
		stop_signal = sig;
}

int run_local(struct run_plan *p, const long *todo, long ntodo, char *const *argv, int jobs,
	      char *failed)
{
	struct sigaction sa = { .sa_handler = on_signal }, old[3];
	static const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
	long next = 0, running = 0;
	int forwarded = 0;

	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	stop_signal = 0;
	for (;;) {
		while (!stop_signal && next < ntodo && running < jobs) {
			struct run_shard *s = &p->shards[todo[next++]];
			if (run_shard_start(p, s, argv, 1) < 0)
				failed[s->index] = 1;
			else
				running++;
		}
		if (stop_signal && !forwarded) {
			for (long i = 0; i < p->n; i++)
				if (p->shards[i].pid > 0)
					kill(-p->shards[i].pid, stop_signal);
			forwarded = 1;
		}
		if (!running)
			break;
		int ws;
		pid_t pid = waitpid(-1, &ws, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (long i = 0; i < p->n; i++) {
			struct run_shard *s = &p->shards[i];
			if (s->pid != pid)
				continue;
			running--;
			if (run_shard_finish(s, ws) < 0)
				failed[s->index] = 1;
			break;
		}
	}
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	return stop_signal;
}
