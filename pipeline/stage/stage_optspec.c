/*
 * stage_optspec.c — turning an option spec (stage_optspec.h) into its
 * table. One pass sizes the block (rows, then the strings they point to;
 * no string comes out longer than the text it is cut from), a second
 * fills it; then the ids are checked against the lines' names.
 */
#include "stage/stage_optspec.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define BLANKS " \t"
#define NAME_CHARS "abcdefghijklmnopqrstuvwxyz0123456789-"

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The next line of `*p` and its length without the newline; NULL at the end. */
static const char *next_line(const char **p, size_t *len)
{
	const char *line = *p;

	if (!line || !*line)
		return NULL;
	*len = strcspn(line, "\n");
	*p = line + *len + (line[*len] == '\n');
	return line;
}

/* Copy `len` bytes of `s` to *w as a string; returns where it starts. */
static const char *put(char **w, const char *s, size_t len)
{
	char *start = *w;

	memcpy(start, s, len);
	start[len] = '\0';
	*w += len + 1;
	return start;
}

__attribute__((noreturn)) static void bad_line(size_t n, const char *line, size_t len, const char *what)
{
	die("option spec line %zu '%.*s': %s", n, (int)len, line, what);
}

/*
 * Fill `o` from the option line `line` (`len` bytes), its strings written
 * to *w; the help goes on over the continuation lines that follow at *p.
 */
static void parse_line(struct stage_option *o, const char *line, size_t len, const char **p, char **w,
		       size_t *n)
{
	const char *s = line, *end = line + len, *help;
	size_t k;

	memset(o, 0, sizeof(*o));
	if (len >= 2 && isalnum((unsigned char)s[0]) && s[1] == ',') {
		o->short_name = s[0];
		s += 2;
	}
	k = strspn(s, NAME_CHARS);
	if (!k || s + k > end)
		bad_line(*n, line, len, "no long name ([c,]name[=ARG], blanks, help)");
	o->name = put(w, s, k);
	s += k;
	if (*s == '=') {
		k = strcspn(++s, BLANKS "\n");
		if (!k)
			bad_line(*n, line, len, "'=' without an argument name");
		o->has_arg = 1;
		o->arg_name = put(w, s, k);
		s += k;
	}
	if (s == end || !is_blank(*s))
		bad_line(*n, line, len, "the name is not followed by blanks and the help");
	s += strspn(s, BLANKS);
	if (s == end)
		bad_line(*n, line, len, "no help");
	help = *w;
	memcpy(*w, s, (size_t)(end - s));
	*w += end - s;
	while (is_blank(**p)) {
		line = next_line(p, &len);
		++*n;
		k = strspn(line, BLANKS);
		if (k == len)
			bad_line(*n, line, len, "an empty continuation");
		*(*w)++ = ' ';
		memcpy(*w, line + k, len - k);
		*w += len - k;
	}
	*(*w)++ = '\0';
	o->help = help;
}

static size_t count_rows(const struct stage_option *rows, size_t *text)
{
	size_t n = 0;

	for (; rows && rows[n].name; n++)
		*text += strlen(rows[n].name) + 1 + strlen(rows[n].help) + 1 +
			 (rows[n].arg_name ? strlen(rows[n].arg_name) + 1 : 0);
	return n;
}

/* Is `id` (`len` bytes) the name of option `name`: ...OPT_ and NAME as OPT_N_MODE for n-mode? */
static int id_names(const char *id, size_t len, const char *name)
{
	size_t n = strlen(name);
	const char *tail;

	if (len < n + 4)
		return 0;
	tail = id + len - n;
	if (memcmp(tail - 4, "OPT_", 4) || (tail - 4 > id && tail[-5] != '_'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (tail[i] != (name[i] == '-' ? '_' : toupper((unsigned char)name[i])))
			return 0;
	return 1;
}

/* Give the `n` rows of the lines their ids, checking each name against its line. */
static void set_ids(struct stage_option *t, size_t n, const struct stage_optspec *spec)
{
	const char *p = spec->names ? spec->names : "";
	size_t i;

	for (i = 0; *p; i++) {
		size_t len = strcspn(p, ",");
		const char *next = p + len + (p[len] == ',');

		p += strspn(p, BLANKS);
		len = strcspn(p, BLANKS ",");
		if (i >= n)
			die("option spec: %zu lines but more ids, from %.*s on", n, (int)len, p);
		if (!id_names(p, len, t[i].name))
			die("option spec: the id for --%s is %.*s: the ids go in the lines' order, each "
			    "named OPT_ and the option's name in capitals", t[i].name, (int)len, p);
		t[i].id = 256 + (int)i;
		p = next;
	}
	if (i < n)
		die("option spec: %zu lines but %zu ids: none for --%s", n, i, t[i].name);
}

int stage_optspec_in_group(const char *names, int id, const char *prefix)
{
	const char *p = names;

	if (!p || id < 256)
		return 0;
	for (int i = 256; i < id && p; i++)
		if ((p = strchr(p, ',')))
			p++;
	if (!p)
		return 0;
	p += strspn(p, BLANKS);
	return !strncmp(p, prefix, strlen(prefix)) && !strncmp(p + strlen(prefix), "OPT_", 4);
}

/* Ids become getopt_long's values: none may stand for a short option or for another row. */
static void check_rows(const struct stage_option *t)
{
	for (size_t i = 0; t[i].name; i++) {
		if (t[i].id < 256)
			die("option spec: --%s has id %d, below 256", t[i].name, t[i].id);
		for (size_t j = 0; j < i; j++)
			if (t[j].id == t[i].id || !strcmp(t[j].name, t[i].name))
				die("option spec: --%s and --%s have the same %s", t[j].name, t[i].name,
				    t[j].id == t[i].id ? "id" : "name");
	}
}

struct stage_option *stage_optspec_table(const struct stage_optspec *spec)
{
	size_t nlines = 0, nrows, text = spec->lines ? strlen(spec->lines) + 1 : 0, len, n = 0;
	const char *p = spec->lines, *line;
	struct stage_option *t;
	char *w;

	while ((line = next_line(&p, &len)))
		nlines += !is_blank(*line);
	nrows = count_rows(spec->rows, &text);
	t = xcalloc(1, (nlines + nrows + 1) * sizeof(*t) + text);
	w = (char *)(t + nlines + nrows + 1);
	p = spec->lines;
	for (size_t i = 0; (line = next_line(&p, &len)); i++) {
		n++;
		if (is_blank(*line))
			bad_line(n, line, len, "a continuation without an option before it");
		parse_line(&t[i], line, len, &p, &w, &n);
	}
	set_ids(t, nlines, spec);
	for (size_t i = 0; i < nrows; i++) {
		const struct stage_option *r = &spec->rows[i];
		struct stage_option *o = &t[nlines + i];

		*o = *r;
		o->name = put(&w, r->name, strlen(r->name));
		o->arg_name = r->arg_name ? put(&w, r->arg_name, strlen(r->arg_name)) : NULL;
		o->help = put(&w, r->help, strlen(r->help));
	}
	check_rows(t);
	return t;
}
