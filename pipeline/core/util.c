/*
 * util.c — message printing, allocation wrappers and strict number parsing
 * shared by every module. Nothing here knows about records.
 */
#include "core/util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/term_escape.h"

const char *smelt_prog = "smelt";

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	char msg[4096];
	struct sbuf safe = SBUF_INIT;
	const char *text = msg;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* Messages quote records and servers: never let them drive the
	 * terminal. Only an unsafe message allocates, so "out of memory"
	 * cannot recurse. */
	if (term_escape_needed(msg, strlen(msg))) {
		term_escape(&safe, msg, strlen(msg));
		text = safe.buf;
	}
	/* One fprintf so concurrent threads do not interleave halves of lines. */
	fprintf(stderr, "%s: %s%s\n", smelt_prog, prefix, text);
	sbuf_release(&safe);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("fatal: ", fmt, ap);
	va_end(ap);
	exit(1);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("error: ", fmt, ap);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}

static void *check_alloc(void *p, size_t n)
{
	if (!p && n)
		die("out of memory allocating %zu bytes", n);
	return p;
}

void *xmalloc(size_t n)
{
	return check_alloc(malloc(n ? n : 1), n ? n : 1);
}

void *xcalloc(size_t n, size_t size)
{
	return check_alloc(calloc(n ? n : 1, size ? size : 1), n * size + 1);
}

void *xrealloc(void *p, size_t n)
{
	return check_alloc(realloc(p, n ? n : 1), n ? n : 1);
}

char *xstrdup(const char *s)
{
	return check_alloc(strdup(s), strlen(s) + 1);
}

char *xstrndup(const char *s, size_t n)
{
	return check_alloc(strndup(s, n), n + 1);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("out of memory formatting a string");
	return s;
}

int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || isnan(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (*end && strcmp(end, "B") && strcmp(end, "iB"))
		return -1;
	if (shift && v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

long peak_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

char *smelt_share_path(const char *rel)
{
	const char *env = getenv("SMELT_SHARE");
	char exe[4096], *slash;
	ssize_t n;

	if (env && *env)
		return xasprintf("%s/%s", env, rel);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')))
			*slash = '\0'; /* .../bin */
		if ((slash = strrchr(exe, '/')))
			*slash = '\0'; /* the build tree or PREFIX */
		const char *const under[] = { "", "/share/smelt" };
		for (size_t i = 0; i < ARRAY_SIZE(under); i++) {
			char *p = xasprintf("%s%s/%s", exe, under[i], rel);
			if (access(p, F_OK) == 0)
				return p;
			free(p);
		}
	}
	return xstrdup(rel);
}

int cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : (int)n;
}

int mkdir_p(const char *dir)
{
	char *p = xstrdup(dir);
	int r = 0;

	for (char *s = p + 1; ; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			r = error("cannot create directory '%s': %s", p, strerror(errno));
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return r;
}
