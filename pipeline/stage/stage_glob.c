/*
 * stage_glob.c — expanding quoted globs among a stage's input operands with
 * glob(3). Done once, where the frame takes the operands, so every stage and
 * the same-file guard see the files, never the pattern.
 */
#include "stage/stage_glob.h"

#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/util.h"

/*
 * The expanded operands live until exit, like argv, and are freed then
 * (atexit): a stage may leave through die() anywhere, and a static pointer
 * that is only written is no root a leak checker can count on.
 */
static char **expanded;

static void free_expanded(void)
{
	for (char **p = expanded; p && *p; p++)
		free(*p);
	free(expanded);
	expanded = NULL;
}

static int wants_glob(const char *operand)
{
	struct stat sb;

	return strcmp(operand, "-") && strpbrk(operand, "*?[") && lstat(operand, &sb) < 0;
}

char **stage_glob_inputs(char **in, int n, int *nout)
{
	size_t len = 0, cap = 0;
	char **out = NULL;
	int need = 0;

	for (int i = 0; i < n && !need; i++)
		need = wants_glob(in[i]);
	*nout = n;
	if (!need)
		return in;
	for (int i = 0; i < n; i++) {
		glob_t g;

		/*
		 * Without GLOB_NOCHECK: a pattern matching nothing (or one glob
		 * cannot read through) is kept below, to fail as "cannot open".
		 */
		if (wants_glob(in[i])) {
			int r = glob(in[i], 0, NULL, &g);
			if (r == 0)
				for (size_t k = 0; k < g.gl_pathc; k++) {
					ALLOC_GROW(out, len + 2, cap);
					out[len++] = xstrdup(g.gl_pathv[k]);
				}
			globfree(&g);
			if (r == 0)
				continue;
		}
		ALLOC_GROW(out, len + 2, cap);
		out[len++] = xstrdup(in[i]);
	}
	if (len > (size_t)INT_MAX)
		die("too many input files (%zu)", len);
	out[len] = NULL;
	free_expanded();
	expanded = out;
	atexit(free_expanded);
	*nout = (int)len;
	return out;
}
