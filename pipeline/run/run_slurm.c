/*
 * run_slurm.c — the shards as Slurm job arrays, the --then job, --wait's
 * watch, and the array element's side (see run_slurm.h).
 */
#include "run/run_slurm.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/sbuf.h"

/* Slurm's default MaxArraySize, when scontrol cannot tell. */
#define DEFAULT_MAX_ARRAY 1001
/* --wait polls squeue every POLL_MIN s, slowing down to POLL_MAX while nothing changes. */
#define POLL_MIN 0.5
#define POLL_MAX 10.0
/* squeue failing this many times in a row (POLL_MAX apart) ends --wait. */
#define SQUEUE_TRIES 30

/* One sbatch --array of a submission: its job id and first element. */
struct array_job {
	char *id;
	long base, count;
};

/*
 * Run argv with stdout captured into `out`, stderr passed through.
 * Returns the exit status (127 when it could not run; -1 on a fork error).
 */
static int capture(char *const *argv, struct sbuf *out)
{
	int fd[2], ws;
	pid_t pid;
	char buf[4096];
	ssize_t n;

	sbuf_reset(out);
	if (pipe(fd) < 0)
		return error("cannot create a pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return error("cannot fork: %s", strerror(errno));
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, 0);
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execvp(argv[0], argv);
		dprintf(2, "%s: cannot run '%s': %s\n", smelt_prog, argv[0], strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	while ((n = read(fd[0], buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		sbuf_add(out, buf, (size_t)n);
	}
	sbuf_addstr(out, "");
	close(fd[0]);
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

/* The cluster's MaxArraySize: an array holds elements 0 .. MaxArraySize-1. */
static long max_array_size(void)
{
	static char *const argv[] = { "scontrol", "show", "config", NULL };
	struct sbuf out = SBUF_INIT;
	long v = 0;

	if (capture(argv, &out) == 0) {
		const char *at = strstr(out.buf, "\nMaxArraySize");
		const char *eq = at ? strchr(at, '=') : NULL;
		if (eq)
			v = strtol(eq + 1, NULL, 10);
	}
	sbuf_release(&out);
	if (v < 1) {
		warning("cannot read MaxArraySize from 'scontrol show config'; assuming %d",
			DEFAULT_MAX_ARRAY);
		v = DEFAULT_MAX_ARRAY;
	}
	return v;
}

/* `s` in single quotes for sh. */
static void add_quoted(struct sbuf *sb, const char *s)
{
	sbuf_addch(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sbuf_addstr(sb, "'\\''");
		else
			sbuf_addch(sb, *s);
	}
	sbuf_addch(sb, '\'');
}

/* This program, by an absolute name a batch job can run. */
static char *self_path(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return xstrdup("smelt-run");
	buf[n] = '\0';
	return xstrdup(buf);
}

static char *cwd_path(void)
{
	char buf[PATH_MAX];

	return xstrdup(getcwd(buf, sizeof(buf)) ? buf : ".");
}

static int write_file(const char *path, const struct sbuf *sb, mode_t mode)
{
	return atomic_file_write(path, sb->buf, sb->len, mode);
}

/* The #SBATCH lines of the shards' resources. */
static void add_resources(struct sbuf *sb, const struct run_slurm_opts *o, int shards)
{
	if (o->partition)
		sbuf_addf(sb, "#SBATCH --partition=%s\n", o->partition);
	if (o->time)
		sbuf_addf(sb, "#SBATCH --time=%s\n", o->time);
	if (!shards)
		return;
	if (o->cpus_per_task)
		sbuf_addf(sb, "#SBATCH --cpus-per-task=%s\n", o->cpus_per_task);
	if (o->mem)
		sbuf_addf(sb, "#SBATCH --mem=%s\n", o->mem);
	if (o->gres)
		sbuf_addf(sb, "#SBATCH --gres=%s\n", o->gres);
	if (o->requeue)
		sbuf_addstr(sb, "#SBATCH --requeue\n");
}

/*
 * A batch script's first lines: the shebang, what it is, its #SBATCH
 * lines (job name PREFIX+STEM, output LOGS/STEM+OUTPUT) and the cd to
 * where smelt-run was started, which relative paths are relative to.
 */
static void script_head(struct sbuf *sb, const struct run_slurm_opts *o, int shards,
			const char *what, const char *prefix, const char *stem, const char *logs,
			const char *output)
{
	char *cwd = cwd_path();

	sbuf_addf(sb, "#!/bin/sh\n# Written by smelt-run: %s.\n", what);
	sbuf_addf(sb, "#SBATCH --job-name=%s%s\n", prefix, stem);
	sbuf_addf(sb, "#SBATCH --output=%s/%s%s\n", logs, stem, output);
	add_resources(sb, o, shards);
	sbuf_addstr(sb, "cd ");
	add_quoted(sb, cwd);
	sbuf_addstr(sb, " || exit 1\n");
	free(cwd);
}

/*
 * STEM.shards and STEM.sbatch for the shards to run. The header carries
 * what every element needs: the shard count, the shards per element and
 * whether --force redoes finished ones.
 */
static int write_array_files(const struct run_plan *p, const long *todo, long ntodo,
			     char *const *argv, const struct run_slurm_opts *o, const char *list,
			     const char *script, const char *stem)
{
	struct sbuf sb = SBUF_INIT;
	char *self = self_path();
	int r;

	sbuf_addf(&sb, "# smelt-run shards %ld per-task %ld force %d\n", p->total,
		  o->tasks_per_job, o->force);
	for (long i = 0; i < ntodo; i++) {
		const struct run_shard *s = &p->shards[todo[i]];
		if (strchr(s->in, '\n') || strchr(s->in, '\t')) {
			sbuf_release(&sb);
			free(self);
			return error("input '%s' has a tab or newline in its name", s->in);
		}
		sbuf_addf(&sb, "%ld\t%s\n", s->index, s->in);
	}
	r = write_file(list, &sb, 0644);
	sbuf_reset(&sb);
	script_head(&sb, o, 1, "the job array of its shards. Each element runs\n"
		    "# its shards of the .shards list beside this file; $1 is the first\n"
		    "# element of this array (several arrays when MaxArraySize is passed)",
		    "smelt-run:", stem, p->logs, ".%A_%a.out");
	sbuf_addstr(&sb, "exec ");
	add_quoted(&sb, self);
	sbuf_addstr(&sb, " --task ");
	add_quoted(&sb, list);
	sbuf_addstr(&sb, " --task-base \"$1\" --out ");
	add_quoted(&sb, p->pattern);
	sbuf_addstr(&sb, " --logs ");
	add_quoted(&sb, p->logs);
	sbuf_addstr(&sb, " --");
	for (int i = 0; argv[i]; i++) {
		sbuf_addch(&sb, ' ');
		add_quoted(&sb, argv[i]);
	}
	sbuf_addch(&sb, '\n');
	if (!r)
		r = write_file(script, &sb, 0755);
	sbuf_release(&sb);
	free(self);
	return r;
}

static int write_then_file(const struct run_plan *p, const struct run_slurm_opts *o,
			   const char *script, const char *status, const char *stem)
{
	struct sbuf sb = SBUF_INIT;
	int r;

	script_head(&sb, o, 0, "--then, after every shard succeeded", "smelt-run-then:", stem,
		    p->logs, ".then.log");
	sbuf_addstr(&sb, "sh -c ");
	add_quoted(&sb, o->then);
	sbuf_addstr(&sb, "\ns=$?\necho \"exit $s\" >");
	add_quoted(&sb, status);
	sbuf_addstr(&sb, ".tmp && mv -f ");
	add_quoted(&sb, status);
	sbuf_addstr(&sb, ".tmp ");
	add_quoted(&sb, status);
	sbuf_addstr(&sb, "\nexit $s\n");
	r = write_file(script, &sb, 0755);
	sbuf_release(&sb);
	return r;
}

/*
 * sbatch --parsable ARGS...: the job id in `id` (new string). Returns 0,
 * or -1 after error() with sbatch's own message already on stderr.
 */
static int sbatch(const struct run_slurm_opts *o, char **args, int nargs, char **id)
{
	char **argv = xcalloc((size_t)(nargs + o->nsbatch_args + 3), sizeof(*argv));
	struct sbuf out = SBUF_INIT;
	int n = 0, r;

	argv[n++] = "sbatch";
	argv[n++] = "--parsable";
	for (int i = 0; i < o->nsbatch_args; i++)
		argv[n++] = o->sbatch_args[i];
	for (int i = 0; i < nargs; i++)
		argv[n++] = args[i];
	r = capture(argv, &out);
	free(argv);
	if (r) {
		sbuf_release(&out);
		return error("sbatch failed (exit %d)", r);
	}
	out.buf[strcspn(out.buf, ";\n")] = '\0'; /* "123" or "123;cluster" */
	if (!*out.buf) {
		sbuf_release(&out);
		return error("sbatch printed no job id");
	}
	*id = sbuf_detach(&out, NULL);
	return 0;
}

static void scancel(const char *id)
{
	char *argv[] = { "scancel", (char *)id, NULL };
	struct sbuf out = SBUF_INIT;

	if (capture(argv, &out))
		warning("scancel %s failed", id);
	sbuf_release(&out);
}

/* What --wait knows of one shard. */
enum shard_state { S_UNKNOWN, S_PENDING, S_RUNNING, S_DONE, S_FAILED };

struct watch {
	struct run_plan *p;
	const long *todo;
	long ntodo, per;
	struct array_job *arrays;
	int narrays;
	char *then_id;
	enum shard_state *state;
	char *silent; /* out of the queue without a word at the last poll */
	int then_queued;
};

/* Mark the shards of array element `elem` of `a` as pending or running. */
static void mark_element(struct watch *w, const struct array_job *a, long elem, int running)
{
	long first = (a->base + elem) * w->per;

	for (long k = first; k < first + w->per && k < w->ntodo; k++)
		w->state[k] = running ? S_RUNNING : S_PENDING;
}

/*
 * One squeue of this user's jobs: which shards' elements are still queued,
 * and whether --then's job is. Returns 0, or -1 when squeue failed.
 */
static int poll_queue(struct watch *w)
{
	char uid[24];
	char *argv[] = { "squeue", "-h", "-r", "-u", uid, "-o", "%i %t", NULL };
	struct sbuf out = SBUF_INIT;
	char *line, *save = NULL;

	snprintf(uid, sizeof(uid), "%lu", (unsigned long)getuid());
	if (capture(argv, &out)) {
		sbuf_release(&out);
		return -1;
	}
	for (long k = 0; k < w->ntodo; k++)
		w->state[k] = S_UNKNOWN;
	w->then_queued = 0;
	for (line = strtok_r(out.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' '), *us;
		if (!sp)
			continue;
		*sp = '\0';
		int running = strcmp(sp + 1, "PD") != 0;
		if (w->then_id && !strcmp(line, w->then_id)) {
			w->then_queued = 1;
			continue;
		}
		if (!(us = strchr(line, '_')))
			continue;
		*us = '\0';
		for (int a = 0; a < w->narrays; a++) {
			if (strcmp(line, w->arrays[a].id))
				continue;
			char *end;
			long e = strtol(us + 1, &end, 10);
			if (end != us + 1 && !*end && e >= 0 && e < w->arrays[a].count)
				mark_element(w, &w->arrays[a], e, running);
		}
	}
	sbuf_release(&out);
	return 0;
}

static void print_progress(const struct watch *w, const long *n, const char *then, int tty, int last)
{
	fprintf(stderr, "%s%s: %ld shard%s: %ld pending, %ld running, %ld done, %ld failed%s%s%s",
		tty ? "\r" : "", smelt_prog, w->ntodo, w->ntodo == 1 ? "" : "s", n[S_PENDING],
		n[S_RUNNING], n[S_DONE], n[S_FAILED], then ? "; then: " : "", then ? then : "",
		tty && !last ? "\033[K" : "\n");
	if (tty && last)
		fputc('\n', stderr);
}

static void sleep_seconds(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Watch the submission to its end. Returns 0 when every shard and --then
 * succeeded, 1 otherwise (each failure named with its log).
 */
static int watch(struct watch *w, const struct run_slurm_opts *o, double since,
		 const char *then_status, const char *then_log)
{
	long prev[5] = { -1, -1, -1, -1, -1 };
	const char *prev_then = NULL;
	double interval = POLL_MIN;
	int tty = isatty(2), cancelled = 0, fails = 0, squeue_fails = 0;

	for (;;) {
		long n[5] = { 0 };
		const char *then = NULL;
		int changed;

		if (poll_queue(w) < 0) {
			if (++squeue_fails >= SQUEUE_TRIES)
				return error("squeue failed %d times in a row; the jobs may still run: "
					     "rerun the same command to see what is done", squeue_fails), 1;
			warning("squeue failed; trying again in %g s", POLL_MAX);
			sleep_seconds(POLL_MAX);
			continue;
		}
		squeue_fails = 0;
		/* After squeue: a shard that left the queue wrote its files first. */
		for (long k = 0; k < w->ntodo; k++) {
			struct run_shard *s = &w->p->shards[w->todo[k]];
			/*
			 * Out of the queue: done, or failed — said so in its status, or
			 * killed unable to. Silence counts as failure only on a second
			 * look: a shared filesystem may show the files a moment late.
			 */
			if (w->state[k] == S_UNKNOWN) {
				char *f = NULL;
				if (run_shard_done(s, o->force ? since : 0)) {
					w->state[k] = S_DONE;
				} else if ((f = run_shard_failure(s)) || w->silent[k]) {
					w->state[k] = S_FAILED;
				} else {
					w->state[k] = S_RUNNING;
					w->silent[k] = 1;
				}
				free(f);
			} else {
				w->silent[k] = 0;
			}
			n[w->state[k]]++;
		}
		if (n[S_FAILED] && w->then_id && !cancelled) {
			/* afterok can never be met: cancel rather than leave it pending */
			scancel(w->then_id);
			cancelled = 1;
		}
		if (w->then_id && !cancelled)
			then = w->then_queued ? "queued" : "ended";
		changed = memcmp(n, prev, sizeof(n)) || then != prev_then;
		if (!o->quiet && (changed || tty))
			print_progress(w, n, then, tty, 0);
		memcpy(prev, n, sizeof(n));
		prev_then = then;
		if (!n[S_PENDING] && !n[S_RUNNING] && !(w->then_id && !cancelled && w->then_queued))
			break;
		interval = changed ? POLL_MIN : interval * 1.5 > POLL_MAX ? POLL_MAX : interval * 1.5;
		sleep_seconds(interval);
	}
	if (!o->quiet && tty)
		fputc('\n', stderr);
	for (long k = 0; k < w->ntodo; k++) {
		struct run_shard *s = &w->p->shards[w->todo[k]];
		if (w->state[k] != S_FAILED)
			continue;
		char *f = run_shard_failure(s);
		error("shard %ld (%s) failed: %s; log: %s", s->index, s->in,
		      f ? f : "no exit status (cancelled, or killed by SIGKILL)", s->log);
		free(f);
		fails++;
	}
	if (fails) {
		if (w->then_id)
			error("--then did not run (job %s cancelled): %d shard%s failed; rerun the "
			      "same command to run the failed shards only", w->then_id, fails,
			      fails == 1 ? "" : "s");
		return 1;
	}
	if (w->then_id) {
		struct run_shard st = { .status = (char *)then_status };
		char *f = run_shard_failure(&st);
		if (f || access(then_status, F_OK) < 0) {
			error("--then failed: %s; log: %s", f ? f : "no exit status (cancelled?)",
			      then_log);
			free(f);
			return 1;
		}
	}
	return 0;
}

int run_slurm(struct run_plan *p, const long *todo, long ntodo, char *const *argv,
	      const struct run_slurm_opts *o)
{
	char *stem = run_plan_stem(p);
	char *list = xasprintf("%s/%s.shards", p->logs, stem);
	char *script = xasprintf("%s/%s.sbatch", p->logs, stem);
	char *then_script = xasprintf("%s/%s.then.sbatch", p->logs, stem);
	char *then_status = xasprintf("%s/%s.then.status", p->logs, stem);
	char *then_log = xasprintf("%s/%s.then.log", p->logs, stem);
	long elements = (ntodo + o->tasks_per_job - 1) / o->tasks_per_job, max = 0;
	struct watch w = { .p = p, .todo = todo, .ntodo = ntodo, .per = o->tasks_per_job };
	struct sbuf deps = SBUF_INIT, ids = SBUF_INIT;
	double since = 0;
	int r = 1;

	if (!ntodo && !o->then) {
		if (!o->quiet)
			fprintf(stderr, "%s: all %ld shard%s done; nothing to submit\n", smelt_prog, p->n,
				p->n == 1 ? "" : "s");
		r = 0;
		goto out;
	}
	if (ntodo) {
		max = max_array_size();
		w.narrays = (int)((elements + max - 1) / max);
		w.arrays = xcalloc((size_t)w.narrays, sizeof(*w.arrays));
		/* A status left by an earlier run would read as this run's failure. */
		for (long i = 0; i < ntodo; i++)
			unlink(p->shards[todo[i]].status);
		if (write_array_files(p, todo, ntodo, argv, o, list, script, stem) < 0)
			goto out;
		/* --force: an output is this run's when it is newer than the list (one clock: the filesystem's) */
		since = run_mtime(list);
	}
	for (int a = 0; a < w.narrays; a++) {
		struct array_job *aj = &w.arrays[a];
		char *spec, *base;
		aj->base = (long)a * max;
		aj->count = elements - aj->base < max ? elements - aj->base : max;
		spec = o->max_running ? xasprintf("--array=0-%ld%%%ld", aj->count - 1, o->max_running)
				      : xasprintf("--array=0-%ld", aj->count - 1);
		base = xasprintf("%ld", aj->base);
		char *args[] = { spec, script, base };
		int s = sbatch(o, args, 3, &aj->id);
		free(spec);
		free(base);
		if (s < 0) {
			/* no half submission: what went in comes out */
			for (int b = 0; b < a; b++)
				scancel(w.arrays[b].id);
			goto out;
		}
		sbuf_addf(&deps, "%s%s", a ? ":" : "afterok:", aj->id);
		sbuf_addf(&ids, "%s%s", a ? " " : "", aj->id);
	}
	if (o->then) {
		unlink(then_status);
		if (write_then_file(p, o, then_script, then_status, stem) < 0)
			goto cancel;
		char *dep = deps.len ? xasprintf("--dependency=%s", deps.buf) : NULL;
		char *args[3];
		int nargs = 0;
		args[nargs++] = "--kill-on-invalid-dep=yes";
		if (dep)
			args[nargs++] = dep;
		args[nargs++] = then_script;
		int s = sbatch(o, args, nargs, &w.then_id);
		free(dep);
		if (s < 0)
			goto cancel;
	}
	if (!o->quiet) {
		if (ntodo)
			fprintf(stderr, "%s: submitted %ld shard%s as %ld array element%s (%ld per task) in job%s %s%s%s; logs in %s/\n",
				smelt_prog, ntodo, ntodo == 1 ? "" : "s", elements,
				elements == 1 ? "" : "s", o->tasks_per_job, w.narrays == 1 ? "" : "s",
				ids.buf, w.then_id ? ", then job " : "", w.then_id ? w.then_id : "",
				p->logs);
		else if (w.then_id)
			fprintf(stderr, "%s: every shard is done; submitted --then as job %s\n",
				smelt_prog, w.then_id);
	}
	if (!o->wait) {
		/* the job ids, for scripts: arrays first, --then last */
		printf("%s%s%s\n", ids.len ? ids.buf : "", ids.len && w.then_id ? " " : "",
		       w.then_id ? w.then_id : "");
		r = 0;
		goto out;
	}
	w.state = xcalloc(ntodo ? (size_t)ntodo : 1, sizeof(*w.state));
	w.silent = xcalloc(ntodo ? (size_t)ntodo : 1, 1);
	r = watch(&w, o, since, then_status, then_log);
	goto out;
cancel:
	for (int a = 0; a < w.narrays; a++)
		if (w.arrays[a].id)
			scancel(w.arrays[a].id);
out:
	for (int a = 0; a < w.narrays; a++)
		free(w.arrays[a].id);
	free(w.arrays);
	free(w.state);
	free(w.silent);
	free(w.then_id);
	sbuf_release(&deps);
	sbuf_release(&ids);
	free(stem);
	free(list);
	free(script);
	free(then_script);
	free(then_status);
	free(then_log);
	return r;
}

/* The task's side. */

static volatile sig_atomic_t task_signal;

static void on_task_signal(int sig)
{
	if (!task_signal)
		task_signal = sig;
}

/* Read LIST's header and the `per` lines of element `elem`. */
static int read_list(const char *list, long elem, long *total, long *per, int *force,
		     long **indices, char ***inputs, long *n)
{
	FILE *f = fopen(list, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0, first, have = 0;

	*n = 0;
	if (!f)
		return error("cannot open '%s': %s", list, strerror(errno));
	if (getline(&line, &cap, f) < 0 ||
	    sscanf(line, "# smelt-run shards %ld per-task %ld force %d", total, per, force) != 3 ||
	    *per < 1) {
		free(line);
		fclose(f);
		return error("%s:1: not a smelt-run shard list", list);
	}
	first = elem * *per;
	*indices = xcalloc((size_t)*per, sizeof(**indices));
	*inputs = xcalloc((size_t)*per, sizeof(**inputs));
	while ((len = getline(&line, &cap, f)) > 0 && have < *per) {
		char *tab, *end;
		if (lineno++ < first)
			continue;
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		tab = strchr(line, '\t');
		if (!tab || (((*indices)[have] = strtol(line, &end, 10)), end != tab)) {
			free(line);
			fclose(f);
			return error("%s:%ld: not INDEX<TAB>INPUT", list, lineno + 1);
		}
		(*inputs)[have++] = xstrdup(tab + 1);
	}
	free(line);
	fclose(f);
	*n = have;
	return 0;
}

int run_slurm_task(const char *list, const char *base, const char *out_pattern, const char *logs,
		   char *const *argv)
{
	const char *id = getenv("SLURM_ARRAY_TASK_ID");
	long b, e, total = 0, per = 0, n = 0, *indices = NULL;
	char **inputs = NULL;
	int force = 0, failed = 0;
	struct run_plan p;
	struct sigaction sa = { .sa_handler = on_task_signal };

	if (parse_long(base, 0, LONG_MAX / 2, &b) < 0 || !id || parse_long(id, 0, LONG_MAX / 2, &e) < 0)
		return error("--task: want BASE and SLURM_ARRAY_TASK_ID (an array element's job)"), 2;
	if (read_list(list, b + e, &total, &per, &force, &indices, &inputs, &n) < 0)
		return 1;
	/* With --force, "done" means made since the submission wrote the list. */
	double since = force ? run_mtime(list) : 0;
	run_plan_init_list(&p, out_pattern, logs, total, indices, inputs, n);
	/*
	 * Slurm signals every process of the job (proctrack): the command gets
	 * SIGTERM from Slurm itself. Forwarding it would be a second signal,
	 * which stops a model-calling stage at once; so only note it, let the
	 * command stop gracefully, and run no further shard.
	 */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	run_plan_sweep(&p);
	for (long i = 0; i < p.n && !task_signal; i++) {
		struct run_shard *s = &p.shards[i];
		int ws;
		if (run_shard_done(s, since)) {
			printf("shard %ld: already done (%s)\n", s->index, s->out);
			continue;
		}
		if (run_shard_start(&p, s, argv, 0) < 0) {
			failed++;
			continue;
		}
		while (waitpid(s->pid, &ws, 0) < 0)
			if (errno != EINTR) {
				ws = 1 << 8;
				break;
			}
		if (run_shard_finish(s, ws) < 0) {
			printf("shard %ld: failed (%s); log: %s\n", s->index, run_wait_text(ws), s->log);
			failed++;
		} else {
			printf("shard %ld: done (%s)\n", s->index, s->out);
		}
		fflush(stdout);
	}
	run_plan_release(&p);
	for (long i = 0; i < n; i++)
		free(inputs[i]);
	free(inputs);
	free(indices);
	if (task_signal)
		return 128 + task_signal;
	return failed ? 1 : 0;
}
