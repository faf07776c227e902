/*
 * smelt-run — run one command per shard, locally (-j N processes) or as a
 * Slurm job array, and know which shards are done: a shard's output
 * appears at its final name only when its command exits 0, so a rerun runs
 * only the shards that failed or never ran.
 *
 * Not a record stage: it reads no records and takes none of the common
 * options; the commands it runs are the stages. The work is in
 * pipeline/run/.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/util.h"
#include "run/run_local.h"
#include "run/run_shard.h"
#include "run/run_slurm.h"

static const char usage_text[] =
"usage: smelt-run --in 'GLOB' --out 'DIR/NAME-{shard}.EXT' [options] -- CMD [ARG...]\n"
"\n"
"Run CMD once per file GLOB matches (sorted): shard i reads the i-th. CMD sees\n"
"SMELT_IN, SMELT_OUT, SMELT_SHARD (i), SMELT_SHARDS (the count) in its\n"
"environment and {in}, {out}, {shard} in its arguments ({shard}: i in five\n"
"digits, 00003). SMELT_OUT is a temporary beside the output: it is renamed to\n"
"the --out name only when CMD exits 0, so an output that exists is a shard\n"
"that is done. A rerun skips finished shards and runs failed or missing ones.\n"
"\n"
"  --in GLOB          the shards' inputs (quote it: smelt-run expands it)\n"
"  --out PATTERN      each shard's output, with {shard}\n"
"  --runner R         local (default) or slurm\n"
"  -j, --jobs N       local: shards at once (default: CPUs)\n"
"  --logs DIR         per-shard logs NAME.log and NAME.status, and the Slurm\n"
"                     scripts (default: the output directory's logs/)\n"
"  --force            run finished shards again\n"
"  --then CMD         run `sh -c CMD` once every shard succeeded (e.g. the\n"
"                     merge); slurm: a job with afterok, cancelled if a shard\n"
"                     fails\n"
"  --wait             slurm: watch the jobs (pending/running/done/failed) and\n"
"                     exit 0 only if all succeeded; without it print the job\n"
"                     ids and return\n"
"  -q, --quiet        no progress or summary lines\n"
"Slurm (one sbatch --array; more arrays past the cluster's MaxArraySize):\n"
"  --partition P, --time T, --cpus-per-task N, --mem M, --gres G\n"
"  --sbatch-arg ARG   one more sbatch argument (repeatable)\n"
"  --max-running K    at most K elements of an array at once (%K)\n"
"  --tasks-per-job K  K shards per array element, one after the other\n"
"  --requeue          a task preempted or killed with its node comes back\n"
"                     (and resumes from the shared --cache of the stages)\n"
"\n"
"Exit: 0 all done, 1 a shard or --then failed (each named with its log),\n"
"2 usage, 128+N stopped by signal N.\n"
"\n"
"example:\n"
"  smelt-run --in 'parts/all-*.jsonl.zst' --out 'scored/s-{shard}.jsonl.zst' \\\n"
"    --runner slurm --gres gpu:1 --wait --then 'smelt-merge scored/s-*.jsonl.zst -o scored.jsonl.zst' \\\n"
"    -- smelt-score --endpoint URL --model M --cache /shared/cache {in} -o {out}\n";

enum {
	OPT_IN = 256, OPT_OUT, OPT_RUNNER, OPT_LOGS, OPT_FORCE, OPT_THEN, OPT_WAIT, OPT_PARTITION,
	OPT_TIME, OPT_CPUS, OPT_MEM, OPT_GRES, OPT_SBATCH_ARG, OPT_MAX_RUNNING, OPT_TASKS_PER_JOB,
	OPT_REQUEUE, OPT_TASK, OPT_TASK_BASE, OPT_HELP, OPT_VERSION,
};

static const struct option long_options[] = {
	{ "in", 1, NULL, OPT_IN },
	{ "out", 1, NULL, OPT_OUT },
	{ "runner", 1, NULL, OPT_RUNNER },
	{ "jobs", 1, NULL, 'j' },
	{ "logs", 1, NULL, OPT_LOGS },
	{ "force", 0, NULL, OPT_FORCE },
	{ "then", 1, NULL, OPT_THEN },
	{ "wait", 0, NULL, OPT_WAIT },
	{ "quiet", 0, NULL, 'q' },
	{ "partition", 1, NULL, OPT_PARTITION },
	{ "time", 1, NULL, OPT_TIME },
	{ "cpus-per-task", 1, NULL, OPT_CPUS },
	{ "mem", 1, NULL, OPT_MEM },
	{ "gres", 1, NULL, OPT_GRES },
	{ "sbatch-arg", 1, NULL, OPT_SBATCH_ARG },
	{ "max-running", 1, NULL, OPT_MAX_RUNNING },
	{ "tasks-per-job", 1, NULL, OPT_TASKS_PER_JOB },
	{ "requeue", 0, NULL, OPT_REQUEUE },
	{ "task", 1, NULL, OPT_TASK },           /* an array element's side (generated scripts) */
	{ "task-base", 1, NULL, OPT_TASK_BASE },
	{ "help", 0, NULL, OPT_HELP },
	{ "version", 0, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

__attribute__((noreturn)) PRINTF_LIKE(1, 2) static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", smelt_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see smelt-run --help)\n");
	exit(2);
}

static long arg_long(const char *opt, const char *arg, long min, long max)
{
	long v;

	if (parse_long(arg, min, max, &v) < 0)
		usage_error("%s wants %ld..%ld, not '%s'", opt, min, max, arg);
	return v;
}

/* The default --logs: beside the outputs. */
static char *default_logs(const char *pattern)
{
	const char *slash = strrchr(pattern, '/');

	if (!slash)
		return xstrdup("logs");
	return xasprintf("%.*s/logs", (int)(slash - pattern), pattern);
}

/* `sh -c CMD` here; its exit code. */
static int run_then(const char *cmd)
{
	int ws;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &ws, 0) < 0)
		return error("--then: cannot run 'sh -c %s'", cmd), 1;
	if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0)
		return 0;
	error("--then failed (%s): %s", run_wait_text(ws), cmd);
	return 1;
}

static int main_local(struct run_plan *p, const long *todo, long ntodo, char *const *argv,
		      int jobs, const char *then, int quiet)
{
	char *failed = xcalloc((size_t)p->n, 1);
	long nfailed = 0;
	int sig;

	if (!quiet && ntodo)
		fprintf(stderr, "%s: running %ld of %ld shard%s, %d at a time; logs in %s/\n",
			smelt_prog, ntodo, p->n, p->n == 1 ? "" : "s", jobs, p->logs);
	sig = run_local(p, todo, ntodo, argv, jobs, failed);
	for (long i = 0; i < ntodo; i++) {
		const struct run_shard *s = &p->shards[todo[i]];
		char *f;
		if (!failed[s->index])
			continue;
		nfailed++;
		f = run_shard_failure(s);
		error("shard %ld (%s) failed: %s; log: %s", s->index, s->in, f ? f : "not started",
		      s->log);
		free(f);
	}
	free(failed);
	if (sig) {
		error("stopped by signal %d; rerun the same command to finish the missing shards", sig);
		return 128 + sig;
	}
	if (nfailed) {
		error("%ld of %ld shard%s failed%s; rerun the same command to run them only", nfailed,
		      p->n, p->n == 1 ? "" : "s", then ? " (--then not run)" : "");
		return 1;
	}
	if (!quiet)
		fprintf(stderr, "%s: %ld shard%s done (%ld run now)\n", smelt_prog, p->n,
			p->n == 1 ? "" : "s", ntodo);
	return then ? run_then(then) : 0;
}

int main(int argc, char **argv)
{
	const char *in = NULL, *out = NULL, *runner = "local", *then = NULL, *task = NULL;
	const char *task_base = NULL;
	char *logs = NULL;
	struct run_slurm_opts so = { .tasks_per_job = 1 };
	int jobs = cpu_count(), c, r;
	struct run_plan p;

	smelt_prog = "smelt-run";
	while ((c = getopt_long(argc, argv, "+j:q", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_IN: in = optarg; break;
		case OPT_OUT: out = optarg; break;
		case OPT_RUNNER: runner = optarg; break;
		case 'j': jobs = (int)arg_long("-j", optarg, 1, 4096); break;
		case OPT_LOGS: free(logs); logs = xstrdup(optarg); break;
		case OPT_FORCE: so.force = 1; break;
		case OPT_THEN: then = so.then = optarg; break;
		case OPT_WAIT: so.wait = 1; break;
		case 'q': so.quiet = 1; break;
		case OPT_PARTITION: so.partition = optarg; break;
		case OPT_TIME: so.time = optarg; break;
		case OPT_CPUS: so.cpus_per_task = optarg; break;
		case OPT_MEM: so.mem = optarg; break;
		case OPT_GRES: so.gres = optarg; break;
		case OPT_SBATCH_ARG:
			so.sbatch_args = xrealloc(so.sbatch_args,
						  (size_t)(so.nsbatch_args + 1) * sizeof(char *));
			so.sbatch_args[so.nsbatch_args++] = optarg;
			break;
		case OPT_MAX_RUNNING: so.max_running = arg_long("--max-running", optarg, 1, 1000000); break;
		case OPT_TASKS_PER_JOB:
			so.tasks_per_job = arg_long("--tasks-per-job", optarg, 1, 1000000);
			break;
		case OPT_REQUEUE: so.requeue = 1; break;
		case OPT_TASK: task = optarg; break;
		case OPT_TASK_BASE: task_base = optarg; break;
		case OPT_HELP: fputs(usage_text, stdout); return 0;
		case OPT_VERSION: printf("smelt-run %s\n", SMELT_VERSION); return 0;
		default: fprintf(stderr, "(see smelt-run --help)\n"); return 2;
		}
	}
	argv += optind;
	argc -= optind;
	if (!argc)
		usage_error("no command: smelt-run [options] -- CMD [ARG...]");
	if (!out)
		usage_error("--out PATTERN is required");
	if (!logs)
		logs = default_logs(out);
	if (task) {
		r = run_slurm_task(task, task_base ? task_base : "", out, logs, argv);
		free(logs);
		return r;
	}
	if (!in)
		usage_error("--in GLOB is required");
	if (strcmp(runner, "local") && strcmp(runner, "slurm"))
		usage_error("--runner wants local or slurm, not '%s'", runner);
	if (run_plan_init(&p, in, out, logs) < 0 || run_plan_mkdirs(&p) < 0) {
		run_plan_release(&p);
		free(so.sbatch_args);
		free(logs);
		return 1;
	}
	run_plan_sweep(&p);

	long *todo = xcalloc((size_t)p.n, sizeof(*todo)), ntodo = 0;
	for (long i = 0; i < p.n; i++)
		if (so.force || !run_shard_done(&p.shards[i], 0))
			todo[ntodo++] = i;
	if (!so.quiet && ntodo < p.n)
		fprintf(stderr, "%s: %ld of %ld shard%s already done (--force redoes them)\n",
			smelt_prog, p.n - ntodo, p.n, p.n == 1 ? "" : "s");
	if (!strcmp(runner, "local"))
		r = main_local(&p, todo, ntodo, argv, jobs, then, so.quiet);
	else
		r = run_slurm(&p, todo, ntodo, argv, &so);
	free(todo);
	run_plan_release(&p);
	free(so.sbatch_args);
	free(logs);
	return r;
}
