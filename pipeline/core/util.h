/*
 * util.h — the few things every file needs: error reporting, allocation
 * that never returns NULL, and strict number parsing.
 *
 * Library code reports a failure with error() and returns -1 (or NULL);
 * only stage code calls die(). Messages are lowercase and name what
 * failed first ("cannot open 'x.jsonl': No such file or directory").
 */
#ifndef SMELT_UTIL_H
#define SMELT_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define SMELT_VERSION "0.1.0"

#define MUST_CHECK __attribute__((warn_unused_result))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Program name used as the prefix of every message; set by stage_init. */
extern const char *smelt_prog;

/* "PROG: fatal: MSG" on stderr, then exit(1). */
__attribute__((noreturn)) void die(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* "PROG: error: MSG" on stderr; returns -1 so callers can `return error(...)`. */
int error(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* "PROG: warning: MSG" on stderr. */
void warning(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Allocation that dies on out-of-memory: callers never check for NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Grow *p (an array of *alloc elements of size elem) to hold at least n. */
#define ALLOC_GROW(p, n, alloc)                                              \
	do {                                                                 \
		if ((size_t)(n) > (alloc)) {                                 \
			size_t alloc_grow_new_ = (alloc) ? (alloc) * 2 : 16; \
			while (alloc_grow_new_ < (size_t)(n))                \
				alloc_grow_new_ *= 2;                        \
			(p) = xrealloc((p), alloc_grow_new_ * sizeof(*(p))); \
			(alloc) = alloc_grow_new_;                           \
		}                                                            \
	} while (0)

/*
 * Strict parsers: the whole string must be a number within [min, max].
 * Return 0 on success, -1 (with nothing printed) otherwise.
 */
int parse_long(const char *s, long min, long max, long *out) MUST_CHECK;
int parse_double(const char *s, double min, double max, double *out) MUST_CHECK;
/* Sizes with an optional k/M/G suffix (powers of 1024). */
int parse_size(const char *s, uint64_t *out) MUST_CHECK;

/* Seconds since an arbitrary start (CLOCK_MONOTONIC). */
double now_seconds(void);
/* CPU seconds used by this process (user + system). */
double cpu_seconds(void);
/* Peak resident set size of this process, in KiB. */
long peak_rss_kb(void);

/*
 * Path of a data file shipped with smelt (prompts/, knowledge_tree/,
 * schemas/), as a new string: $SMELT_SHARE/REL if set, else beside the
 * binary's folder (a build tree: bin/../REL), else the installed copy
 * (PREFIX/bin/../share/smelt/REL). Returns the first that exists, or REL.
 */
char *smelt_share_path(const char *rel);

/*
 * Create `dir` and its missing parents (mode 0777 less the umask); an
 * existing directory is fine. Returns 0, or -1 after error() naming the
 * directory that could not be made.
 */
int mkdir_p(const char *dir) MUST_CHECK;

/* Number of online CPUs, at least 1. */
int cpu_count(void);

#endif
