/*
 * run_shard.c — shards from a glob, their output/log/status names, and one
 * shard's command run under a temporary name (see run_shard.h).
 */
#include "run/run_shard.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/sbuf.h"

#define TMP_PREFIX ".smelt-run."

/* This host's name, as temporaries carry it ('/' and '.' would confuse them). */
static const char *host_name(void)
{
	static char name[256];

	if (!name[0]) {
		if (gethostname(name, sizeof(name) - 1) < 0 || !name[0])
			strcpy(name, "localhost");
		for (char *c = name; *c; c++)
			if (*c == '/' || *c == '.')
				*c = '_';
	}
	return name;
}

/* `s` with every {key} of the three replaced (a new string). */
static char *substitute(const char *s, const char *in, const char *out, const char *shard)
{
	struct sbuf sb = SBUF_INIT;
	static const char *const keys[] = { "{in}", "{out}", "{shard}" };
	const char *vals[] = { in, out, shard };

	while (*s) {
		size_t k;
		for (k = 0; k < ARRAY_SIZE(keys); k++)
			if (vals[k] && !strncmp(s, keys[k], strlen(keys[k])))
				break;
		if (k < ARRAY_SIZE(keys)) {
			sbuf_addstr(&sb, vals[k]);
			s += strlen(keys[k]);
		} else {
			sbuf_addch(&sb, *s++);
		}
	}
	sbuf_addstr(&sb, ""); /* an empty result is still a string */
	return sbuf_detach(&sb, NULL);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static void shard_name(const struct run_plan *p, struct run_shard *s, long index, const char *in)
{
	char num[24];

	snprintf(num, sizeof(num), "%05ld", index);
	s->index = index;
	s->in = xstrdup(in);
	s->out = substitute(p->pattern, NULL, NULL, num);
	s->log = xasprintf("%s/%s.log", p->logs, base_of(s->out));
	s->status = xasprintf("%s/%s.status", p->logs, base_of(s->out));
}

int run_plan_init(struct run_plan *p, const char *glob_pattern, const char *out_pattern,
		  const char *logs)
{
	glob_t g;
	int r;

	memset(p, 0, sizeof(*p));
	p->pattern = out_pattern;
	p->logs = logs;
	r = glob(glob_pattern, 0, NULL, &g);
	if (r == GLOB_NOMATCH)
		return error("--in '%s' matches no file", glob_pattern);
	if (r)
		return error("--in '%s': cannot expand the pattern", glob_pattern);
	if (g.gl_pathc > 1 && !strstr(out_pattern, "{shard}")) {
		globfree(&g);
		return error("--out '%s' has no {shard} but --in matches %zu files", out_pattern,
			     (size_t)g.gl_pathc);
	}
	if (!*base_of(out_pattern)) {
		globfree(&g);
		return error("--out '%s' names a directory, not a file", out_pattern);
	}
	p->n = p->total = (long)g.gl_pathc;
	p->shards = xcalloc((size_t)p->n, sizeof(*p->shards));
	for (long i = 0; i < p->n; i++)
		shard_name(p, &p->shards[i], i, g.gl_pathv[i]);
	globfree(&g);
	return 0;
}

void run_plan_init_list(struct run_plan *p, const char *out_pattern, const char *logs, long total,
			const long *indices, char *const *inputs, long n)
{
	memset(p, 0, sizeof(*p));
	p->pattern = out_pattern;
	p->logs = logs;
	p->n = n;
	p->total = total;
	p->shards = xcalloc(n ? (size_t)n : 1, sizeof(*p->shards));
	for (long i = 0; i < n; i++)
		shard_name(p, &p->shards[i], indices[i], inputs[i]);
}

void run_plan_release(struct run_plan *p)
{
	for (long i = 0; i < p->n; i++) {
		struct run_shard *s = &p->shards[i];
		free(s->in);
		free(s->out);
		free(s->log);
		free(s->status);
		free(s->tmp);
	}
	free(p->shards);
	memset(p, 0, sizeof(*p));
}

char *run_plan_stem(const struct run_plan *p)
{
	return substitute(base_of(p->pattern), NULL, NULL, "N");
}

int run_plan_mkdirs(const struct run_plan *p)
{
	char *prev = NULL;
	int r = mkdir_p(p->logs);

	for (long i = 0; i < p->n && !r; i++) {
		char *d = dir_of(p->shards[i].out);
		if (!prev || strcmp(prev, d))
			r = mkdir_p(d);
		free(prev);
		prev = d;
	}
	free(prev);
	return r;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) < 0 ? 0 : 0; /* best effort: the rest is still removed */
}

/* Remove a file, or a directory with what is in it. */
static void remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return;
	if (S_ISDIR(st.st_mode))
		nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	else
		unlink(path);
}

/*
 * Is `name` a temporary of a dead process of this host: ".smelt-run.PID.HOST."
 * (or the stage's own temporary of one, "..smelt-run.PID.HOST.").
 */
static int is_dead_temporary(const char *name)
{
	const char *host = host_name();
	char *end;
	long pid;

	if (name[0] == '.' && name[1] == '.')
		name++;
	if (strncmp(name, TMP_PREFIX, strlen(TMP_PREFIX)))
		return 0;
	name += strlen(TMP_PREFIX);
	errno = 0;
	pid = strtol(name, &end, 10);
	if (end == name || *end != '.' || errno || pid <= 0)
		return 0;
	end++;
	if (strncmp(end, host, strlen(host)) || end[strlen(host)] != '.')
		return 0;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

void run_plan_sweep(const struct run_plan *p)
{
	char *prev = NULL;

	for (long i = 0; i < p->n; i++) {
		char *d = dir_of(p->shards[i].out);
		DIR *dir;
		struct dirent *e;

		if (prev && !strcmp(prev, d)) {
			free(d);
			continue;
		}
		free(prev);
		prev = d;
		if (!(dir = opendir(d)))
			continue;
		while ((e = readdir(dir)))
			if (is_dead_temporary(e->d_name)) {
				char *path = xasprintf("%s/%s", d, e->d_name);
				remove_tree(path);
				free(path);
			}
		closedir(dir);
	}
	free(prev);
}

double run_mtime(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	return (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec * 1e-9;
}

int run_shard_done(const struct run_shard *s, double since)
{
	double t = run_mtime(s->out);

	return t >= 0 && (!since || t >= since);
}

char *run_shard_failure(const struct run_shard *s)
{
	char buf[128];
	FILE *f;
	size_t n;

	if (!(f = fopen(s->status, "r")))
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return n && strcmp(buf, "exit 0") ? xstrdup(buf) : NULL;
}

const char *run_wait_text(int wstatus)
{
	static char text[32];

	if (WIFSIGNALED(wstatus))
		snprintf(text, sizeof(text), "signal %d", WTERMSIG(wstatus));
	else
		snprintf(text, sizeof(text), "exit %d", WEXITSTATUS(wstatus));
	return text;
}

static void record_status(const struct run_shard *s, const char *text)
{
	char *line = xasprintf("%s\n", text);

	if (atomic_file_write(s->status, line, strlen(line), 0644) < 0)
		warning("shard %ld: cannot record its status (%s)", s->index, text);
	free(line);
}

/* One line in the log before each attempt: which shard, where, when. */
static void log_header(const struct run_shard *s, int fd)
{
	char when[64];
	time_t t = time(NULL);
	struct tm tm;

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime_r(&t, &tm));
	dprintf(fd, "== smelt-run: shard %ld (%s -> %s) on %s, pid %ld, %s ==\n", s->index, s->in,
		s->out, host_name(), (long)getpid(), when);
}

int run_shard_start(const struct run_plan *p, struct run_shard *s, char *const *argv,
		    int own_group)
{
	char num[24], count[24], index[24];
	char *dir = dir_of(s->out);
	int log, argc = 0;
	pid_t pid;

	free(s->tmp);
	s->tmp = xasprintf("%s/" TMP_PREFIX "%ld.%s.%s", dir, (long)getpid(), host_name(),
			   base_of(s->out));
	free(dir);
	remove_tree(s->tmp); /* a pid reused from an earlier run of ours */
	log = open(s->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log < 0)
		return error("shard %ld: cannot open its log '%s': %s", s->index, s->log,
			     strerror(errno));
	log_header(s, log);
	snprintf(num, sizeof(num), "%05ld", s->index);
	snprintf(index, sizeof(index), "%ld", s->index);
	snprintf(count, sizeof(count), "%ld", p->total);
	unlink(s->status);
	while (argv[argc])
		argc++;
	char **args = xcalloc((size_t)argc + 1, sizeof(*args));
	for (int i = 0; i < argc; i++)
		args[i] = substitute(argv[i], s->in, s->tmp, num);

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		if (own_group)
			setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		if (null >= 0)
			dup2(null, 0);
		dup2(log, 1);
		dup2(log, 2);
		setenv("SMELT_IN", s->in, 1);
		setenv("SMELT_OUT", s->tmp, 1);
		setenv("SMELT_SHARD", index, 1);
		setenv("SMELT_SHARDS", count, 1);
		execvp(args[0], args);
		dprintf(2, "smelt-run: cannot run '%s': %s\n", args[0], strerror(errno));
		_exit(127);
	}
	for (int i = 0; i < argc; i++)
		free(args[i]);
	free(args);
	close(log);
	if (pid < 0)
		return error("shard %ld: cannot fork: %s", s->index, strerror(errno));
	s->pid = pid;
	return 0;
}

int run_shard_finish(struct run_shard *s, int wstatus)
{
	struct stat st;
	int ok = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;

	s->pid = 0;
	if (ok && lstat(s->tmp, &st) < 0) {
		record_status(s, "exit 0 without writing SMELT_OUT");
		ok = -1;
	} else if (ok && rename(s->tmp, s->out) < 0) {
		char *why = xasprintf("exit 0, but renaming onto the output failed: %s",
				      strerror(errno));
		record_status(s, why);
		free(why);
		ok = -1;
	} else if (ok) {
		unlink(s->status);
	} else {
		record_status(s, run_wait_text(wstatus));
	}
	if (ok != 1)
		remove_tree(s->tmp);
	free(s->tmp);
	s->tmp = NULL;
	return ok == 1 ? 0 : -1;
}
