/*
 * answer_norm.c — rewrite the notations that several rules must read
 * alike, before any rule sees an answer:
 *
 *   "\\frac" (a doubled backslash before a command, an escaping slip)
 *   "x = 1/3 \approx 0.33"         "x = 1/3": the rounding after it dropped
 *   "7, -2, \text{ and } -5"        "7, -2, -5"
 *   "3 1/2"                          "3\frac{1}{2}", a mixed number
 *   "20:34:00", "8:34 \text{P.M.}"   "20:34", a time of day
 *   "-2 \le x < 7"                   "[-2, 7)"; a single "x > 5" becomes
 *                                    "(5, \infty)" only against an interval
 *                                    (answer_norm_inequality)
 *   "12,\!000", "14{,}916", "1 000"  thousands separators → "12,000"
 *   "x \in [0, 1)"                   the interval alone
 *   \begin{pmatrix} a & b \\ c & d \end{pmatrix} (also bmatrix, matrix,
 *   vmatrix, smallmatrix, array with its column spec, and a \left[ …
 *   \right] or ( … ) around one)    "[[a, b], [c, d]]"; one row or one
 *                                    column is "[a, b]"
 *   \begin{cases} e1 \\ e2 \end{cases} "\{e1, e2\}", a set of equations
 *
 * Each step is one pass over its input; nothing recurses. A matrix whose
 * cells hold another environment is left as written.
 */
#include "answer/answer_norm.h"

#include <stdlib.h>
#include <string.h>

#include "answer/answer_latex.h"
#include "core/util.h"

static const char *const doubled_commands[] = {
	"begin", "end", "frac", "dfrac", "tfrac", "sqrt", "text", "boxed", "left", "right",
	"pi", "cdot", "times", "infty", "in", "cup", "le", "ge", "leq", "geq", "neq",
};

/* Is every run of backslashes in s of even length, one of them before a letter? */
static bool all_doubled(struct span s)
{
	bool before_letter = false;

	for (size_t i = 0; i < s.n; i++) {
		size_t run = 0;

		while (i + run < s.n && s.p[i + run] == '\\')
			run++;
		if (run % 2)
			return false;
		if (run && i + run < s.n && is_alpha((unsigned char)s.p[i + run]))
			before_letter = true;
		i += run;
	}
	return before_letter;
}

/*
 * A JSON-escaped backslash left doubled: when every backslash is doubled
 * ("\\frac12 \\\\ 3"), all are halved; otherwise only a lone pair
 * before a known command ("\\frac") is.
 */
static void undouble(struct span s, struct sbuf *out)
{
	bool halve = all_doubled(s);

	for (size_t i = 0; i < s.n; i++) {
		if (halve && s.p[i] == '\\') {
			sbuf_addch(out, '\\');
			i++;
			continue;
		}
		if (s.p[i] == '\\' && (!i || s.p[i - 1] != '\\') && i + 2 < s.n &&
		    s.p[i + 1] == '\\' && is_alpha((unsigned char)s.p[i + 2])) {
			size_t run = 0;

			while (i + 2 + run < s.n && is_alpha((unsigned char)s.p[i + 2 + run]))
				run++;
			for (size_t k = 0; k < ARRAY_SIZE(doubled_commands); k++)
				if (strlen(doubled_commands[k]) == run &&
				    !memcmp(s.p + i + 2, doubled_commands[k], run)) {
					i++;	/* drop one backslash */
					break;
				}
		}
		sbuf_addch(out, s.p[i]);
	}
}

/* "x = 1/3 \approx 0.33": what follows \approx after an '=' is a rounding. */
static struct span cut_rounding(struct span s)
{
	const char *eq = memchr(s.p, '=', s.n);

	for (size_t i = eq ? (size_t)(eq - s.p) : s.n; i < s.n; i++)
		if (span_starts(s.p + i, s.n - i, "\\approx") ||
		    span_starts(s.p + i, s.n - i, "\xe2\x89\x88"))	/* ≈ */
			return span_trim(span_make(s.p, i));
	return s;
}

/* "7, -2, \text{ and } -5": the word is a list's last comma. */
static void and_as_comma(struct span s, struct sbuf *out)
{
	static const char *const ands[] = { "\\text{ and }", "\\text{and}", "\\text{ and}", "\\text{and }" };

	for (size_t i = 0; i < s.n;) {
		bool hit = false;

		for (size_t k = 0; k < ARRAY_SIZE(ands) && !hit; k++) {
			size_t l = strlen(ands[k]);
			size_t b = out->len;

			if (!span_starts(s.p + i, s.n - i, ands[k]))
				continue;
			while (b && out->buf[b - 1] == ' ')
				b--;
			if (!(b && out->buf[b - 1] == ','))
				sbuf_addch(out, ',');
			sbuf_addch(out, ' ');
			i += l;
			hit = true;
		}
		if (!hit)
			sbuf_addch(out, s.p[i++]);
	}
}

/* ",\!" and "{,}" with the spaces after them → ",". */
static void join_separators(struct span s, struct sbuf *out)
{
	for (size_t i = 0; i < s.n;) {
		size_t j = 0;

		if (span_starts(s.p + i, s.n - i, ",\\!"))
			j = i + 3;
		else if (span_starts(s.p + i, s.n - i, "{,}"))
			j = i + 3;
		if (j) {
			while (j < s.n && s.p[j] == ' ')
				j++;
			if (j < s.n && is_digit((unsigned char)s.p[j]) && i && is_digit((unsigned char)s.p[i - 1])) {
				sbuf_addch(out, ',');
				i = j;
				continue;
			}
		}
		sbuf_addch(out, s.p[i++]);
	}
}

/* "1 000", "-12 345 678.5": digits grouped by single spaces, the whole answer. */
static bool space_grouped(struct span s)
{
	size_t i = 0, head = 0, groups = 0;

	if (i < s.n && s.p[i] == '-')
		i++;
	while (i < s.n && is_digit((unsigned char)s.p[i]) && head < 4) {
		i++;
		head++;
	}
	if (!head || head > 3)
		return false;
	while (i + 3 < s.n && s.p[i] == ' ' && is_digit((unsigned char)s.p[i + 1]) &&
	       is_digit((unsigned char)s.p[i + 2]) && is_digit((unsigned char)s.p[i + 3]) &&
	       (i + 4 == s.n || !is_digit((unsigned char)s.p[i + 4]))) {
		i += 4;
		groups++;
	}
	if (i < s.n && s.p[i] == '.')
		for (i++; i < s.n && is_digit((unsigned char)s.p[i]); i++)
			;
	return groups && i == s.n;
}

/* "x \in S", "x∈S": S. */
static struct span drop_membership(struct span s)
{
	size_t i = 0;

	if (!s.n || !is_alpha((unsigned char)s.p[0]))
		return s;
	i = 1;
	if (i < s.n && s.p[i] == '_')
		for (i++; i < s.n && (is_alnum((unsigned char)s.p[i]) || s.p[i] == '{' || s.p[i] == '}'); i++)
			;
	while (i < s.n && s.p[i] == ' ')
		i++;
	if (span_starts(s.p + i, s.n - i, "\\in") && !(i + 3 < s.n && is_alpha((unsigned char)s.p[i + 3])))
		i += 3;
	else if (span_starts(s.p + i, s.n - i, "\xe2\x88\x88"))	/* ∈ */
		i += 3;
	else
		return s;
	return span_trim(span_make(s.p + i, s.n - i));
}

static const char *const matrix_envs[] = {
	"pmatrix", "bmatrix", "Bmatrix", "vmatrix", "matrix", "smallmatrix", "array", "cases",
};

/* If \begin{env} starts s.p[i], its env index and the offset after it (and an array's spec). */
static int env_begin(struct span s, size_t i, size_t *after)
{
	if (!span_starts(s.p + i, s.n - i, "\\begin{"))
		return -1;
	i += 7;
	for (size_t k = 0; k < ARRAY_SIZE(matrix_envs); k++) {
		size_t l = strlen(matrix_envs[k]);

		if (span_starts(s.p + i, s.n - i, matrix_envs[k]) && i + l < s.n && s.p[i + l] == '}') {
			i += l + 1;
			if (!strcmp(matrix_envs[k], "array")) {
				while (i < s.n && s.p[i] == ' ')
					i++;
				if (i < s.n && s.p[i] == '{') {
					long close = span_brace_close(s.p, s.n, i);

					if (close < 0)
						return -1;
					i = (size_t)close + 1;
				}
			}
			*after = i;
			return (int)k;
		}
	}
	return -1;
}

struct cell {
	struct span text;
	bool row_end;
};

#define MATRIX_MAX_CELLS 1024

/*
 * Cells of the body s up to "\end{env}": split at top-level '&' and "\\".
 * Returns the offset just past \end{…}, or 0 when it is no plain matrix.
 */
static size_t matrix_cells(struct span s, size_t i, struct cell *cells, size_t *ncells)
{
	size_t start = i, n = 0;
	int depth = 0;

	for (; i < s.n; i++) {
		char c = s.p[i];
		bool cut = false, row = false;
		size_t skip = 1;

		if (c == '{')
			depth++;
		else if (c == '}')
			depth--;
		if (depth < 0)
			return 0;
		if (!depth && span_starts(s.p + i, s.n - i, "\\begin{"))
			return 0;	/* nested environment */
		if (!depth && span_starts(s.p + i, s.n - i, "\\end{")) {
			long close = span_brace_close(s.p, s.n, i + 4);
			struct span last = span_trim(span_make(s.p + start, i - start));

			if (close < 0)
				return 0;
			if (last.n) {
				if (n >= MATRIX_MAX_CELLS)
					return 0;
				cells[n].text = last;
				cells[n++].row_end = true;
			} else if (n) {
				cells[n - 1].row_end = true;
			}
			*ncells = n;
			return (size_t)close + 1;
		}
		if (!depth && c == '&') {
			cut = true;
		} else if (!depth && c == '\\' && i + 1 < s.n && s.p[i + 1] == '\\') {
			cut = row = true;
			skip = 2;
		} else if (c == '\\' && i + 1 < s.n) {
			i++;
			continue;
		}
		if (cut) {
			if (n >= MATRIX_MAX_CELLS)
				return 0;
			cells[n].text = span_trim(span_make(s.p + start, i - start));
			cells[n++].row_end = row;
			i += skip - 1;
			start = i + 1;
		}
	}
	return 0;
}

static void put_cells(const struct cell *cells, size_t n, bool cases, struct sbuf *out)
{
	size_t rows = 0, cols = 0, width = 0;

	for (size_t k = 0; k < n; k++) {
		width++;
		if (cells[k].row_end) {
			rows++;
			cols = width > cols ? width : cols;
			width = 0;
		}
	}
	if (cases) {
		sbuf_addstr(out, "\\{");
		for (size_t k = 0; k < n; k++) {
			if (k)
				sbuf_addstr(out, ", ");
			sbuf_add(out, cells[k].text.p, cells[k].text.n);
		}
		sbuf_addstr(out, "\\}");
		return;
	}
	sbuf_addch(out, '[');
	if (rows <= 1 || cols <= 1) {
		/* a vector, row or column */
		for (size_t k = 0; k < n; k++) {
			if (k)
				sbuf_addstr(out, ", ");
			sbuf_add(out, cells[k].text.p, cells[k].text.n);
		}
	} else {
		bool open = false;

		for (size_t k = 0; k < n; k++) {
			if (!open) {
				sbuf_addstr(out, k ? ", [" : "[");
				open = true;
			} else {
				sbuf_addstr(out, ", ");
			}
			sbuf_add(out, cells[k].text.p, cells[k].text.n);
			if (cells[k].row_end) {
				sbuf_addch(out, ']');
				open = false;
			}
		}
	}
	sbuf_addch(out, ']');
}

/* A bracket pair around nothing but one environment: "\left[ \begin… \right]", "( \begin… )". */
static struct span unwrap_environment(struct span s)
{
	static const char *const pairs[][2] = {
		{ "\\left[", "\\right]" }, { "\\left(", "\\right)" }, { "(", ")" }, { "[", "]" },
	};

	for (size_t k = 0; k < ARRAY_SIZE(pairs); k++) {
		size_t a = strlen(pairs[k][0]), b = strlen(pairs[k][1]);
		struct span in;

		if (s.n < a + b || !span_starts(s.p, s.n, pairs[k][0]) || !span_ends_with(s, pairs[k][1]))
			continue;
		in = span_trim(span_make(s.p + a, s.n - a - b));
		if (span_starts(in.p, in.n, "\\begin{") && span_ends_with(in, "}") &&
		    !span_contains(span_make(in.p + 1, in.n - 1), "\\begin{"))
			return in;
	}
	return s;
}

static void rewrite_matrices(struct span s, struct sbuf *out)
{
	struct cell *cells = NULL;

	s = unwrap_environment(s);
	for (size_t i = 0; i < s.n;) {
		size_t after, n = 0, end;
		int env = env_begin(s, i, &after);

		if (env < 0) {
			sbuf_addch(out, s.p[i++]);
			continue;
		}
		if (!cells)
			cells = xcalloc(MATRIX_MAX_CELLS, sizeof(*cells));
		end = matrix_cells(s, after, cells, &n);
		if (!end || !n) {
			sbuf_addch(out, s.p[i++]);
			continue;
		}
		put_cells(cells, n, !strcmp(matrix_envs[env], "cases"), out);
		i = end;
	}
	free(cells);
}

/* Digits from s.p[*i], at most max of them; their count. */
static size_t digits_at(struct span s, size_t *i, size_t max, long *value)
{
	size_t k = 0;

	*value = 0;
	while (*i < s.n && k < max && is_digit((unsigned char)s.p[*i])) {
		*value = *value * 10 + (s.p[*i] - '0');
		(*i)++;
		k++;
	}
	return k;
}

/* "3 1/2" → "3\frac{1}{2}", which the evaluator reads as the mixed number 3.5. */
static bool mixed_number(struct span s, struct sbuf *out)
{
	size_t i = 0, whole_at;
	long whole, num, den;

	if (i < s.n && s.p[i] == '-')
		i++;
	whole_at = i;
	if (!digits_at(s, &i, 9, &whole) || i >= s.n || s.p[i] != ' ')
		return false;
	i++;
	if (!digits_at(s, &i, 9, &num) || i >= s.n || s.p[i] != '/')
		return false;
	i++;
	if (!digits_at(s, &i, 9, &den) || i != s.n || !den || num >= den)
		return false;
	sbuf_addf(out, "%.*s%ld\\frac{%ld}{%ld}", (int)whole_at, s.p, whole, num, den);
	return true;
}

/*
 * "20:34", "20:34:00", "8:34 p.m.": a time of day as "HH:MM" (24 hours),
 * seconds dropped when zero.
 */
static bool time_of_day(struct span s, struct sbuf *out)
{
	static const char *const pm[] = { "pm", "p.m.", "\\text{pm}", "\\text{p.m.}", "\\text{P.M.}", "PM", "P.M." };
	static const char *const am[] = { "am", "a.m.", "\\text{am}", "\\text{a.m.}", "\\text{A.M.}", "AM", "A.M." };
	size_t i = 0;
	long h, m, sec = 0;
	struct span rest;

	if (!digits_at(s, &i, 2, &h) || i >= s.n || s.p[i] != ':')
		return false;
	i++;
	if (digits_at(s, &i, 2, &m) != 2 || m > 59)
		return false;
	if (i < s.n && s.p[i] == ':') {
		i++;
		if (digits_at(s, &i, 2, &sec) != 2 || sec)
			return false;
	}
	rest = span_trim(span_make(s.p + i, s.n - i));
	for (size_t k = 0; rest.n && k < ARRAY_SIZE(pm); k++) {
		size_t l = strlen(pm[k]);

		if (rest.n == l && !memcmp(rest.p, pm[k], l) && h >= 1 && h <= 12) {
			h = h % 12 + 12;
			rest.n = 0;
		} else if (rest.n == strlen(am[k]) && !memcmp(rest.p, am[k], rest.n) && h >= 1 && h <= 12) {
			h %= 12;
			rest.n = 0;
		}
	}
	if (rest.n || h > 23)
		return false;
	sbuf_addf(out, "%02ld:%02ld", h, m);
	return true;
}

/* Is s (trimmed) one variable: a letter, a Greek letter, with an optional subscript? */
static bool lone_variable(struct span s)
{
	size_t i = 0;

	s = span_trim(s);
	if (!s.n)
		return false;
	if (s.p[0] == '\\')
		for (i = 1; i < s.n && is_alpha((unsigned char)s.p[i]); i++)
			;
	else if (is_alpha((unsigned char)s.p[0]))
		i = 1;
	if (!i || (s.p[0] == '\\' && i < 3))
		return false;
	if (i < s.n && s.p[i] == '_')
		for (i++; i < s.n && (is_alnum((unsigned char)s.p[i]) || s.p[i] == '{' || s.p[i] == '}'); i++)
			;
	return i == s.n;
}

#define INEQ_MAX_PARTS 3

/* Split flattened s at top-level <, <=, >, >=; the parts and whether each operator is strict / "less". */
static size_t split_inequality(struct span s, struct span *part, bool *strict, bool *less)
{
	size_t n = 0, start = 0;
	int depth = 0;

	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];

		if (strchr("([{", c))
			depth++;
		else if (strchr(")]}", c))
			depth--;
		else if (c == '=' || c == '!')
			return 0;	/* an equation is no interval */
		if (depth || (c != '<' && c != '>'))
			continue;
		if (n + 1 >= INEQ_MAX_PARTS)
			return 0;
		part[n] = span_trim(span_make(s.p + start, i - start));
		less[n] = c == '<';
		strict[n] = !(i + 1 < s.n && s.p[i + 1] == '=');
		n++;
		i += strict[n - 1] ? 0 : 1;
		start = i + 1;
	}
	part[n++] = span_trim(span_make(s.p + start, s.n - start));
	for (size_t k = 0; k < n; k++)
		if (!part[k].n)
			return 0;
	return n;
}

static void put_interval(struct sbuf *out, bool open_strict, struct span lo, struct span hi,
			 bool close_strict)
{
	sbuf_addch(out, open_strict ? '(' : '[');
	sbuf_add(out, lo.p, lo.n);
	sbuf_addstr(out, ", ");
	sbuf_add(out, hi.p, hi.n);
	sbuf_addch(out, close_strict ? ')' : ']');
}

bool answer_norm_inequality(struct span s, bool single, struct sbuf *out)
{
	struct sbuf flat = SBUF_INIT;
	struct span part[INEQ_MAX_PARTS];
	struct span inf = span_of("\\infty"), minus_inf = span_of("-\\infty");
	bool strict[INEQ_MAX_PARTS], less[INEQ_MAX_PARTS], done = false;
	size_t n;

	answer_latex_flatten(s, &flat);
	n = split_inequality(span_make(flat.buf, flat.len), part, strict, less);
	if (n == 3 && less[0] == less[1] && lone_variable(part[1])) {
		/* a < x <= b, or b > x >= a */
		if (less[0])
			put_interval(out, strict[0], part[0], part[2], strict[1]);
		else
			put_interval(out, strict[1], part[2], part[0], strict[0]);
		done = true;
	} else if (n == 2 && single && (lone_variable(part[0]) || lone_variable(part[1]))) {
		bool var_left = lone_variable(part[0]);
		struct span bound = var_left ? part[1] : part[0];
		bool upper = var_left == less[0];	/* x < b, b > x: b bounds from above */

		if (upper)
			put_interval(out, true, minus_inf, bound, strict[0]);
		else
			put_interval(out, strict[0], bound, inf, true);
		done = true;
	}
	sbuf_release(&flat);
	return done;
}

static bool has(struct span s, const char *lit)
{
	return memmem(s.p, s.n, lit, strlen(lit)) != NULL;
}

/* Could s hold a relation: <, >, \le, \ge, \lt, \gt, ≤, ≥? */
static bool may_relate(struct span s)
{
	return memchr(s.p, '<', s.n) || memchr(s.p, '>', s.n) || has(s, "\\l") ||
	       has(s, "\\g") || has(s, "\xe2\x89");
}

/*
 * Each rewrite runs only when its trigger occurs in the text, and only
 * then copies it: most answers pass through untouched, and a long reply
 * costs a few memmem scans.
 */
void answer_norm(struct span s, struct sbuf *out)
{
	struct sbuf buf[2] = { SBUF_INIT, SBUF_INIT };
	int cur = 0;
	struct span t = cut_rounding(s);

#define NORM_STEP(trigger, step)                                 \
	do {                                                     \
		if (trigger) {                                   \
			sbuf_reset(&buf[cur]);                   \
			step(t, &buf[cur]);                      \
			t = span_make(buf[cur].buf, buf[cur].len); \
			cur = !cur;                              \
		}                                                \
	} while (0)

	NORM_STEP(has(t, "\\\\"), undouble);
	NORM_STEP(has(t, ",\\!") || has(t, "{,}"), join_separators);
	NORM_STEP(has(t, "\\text{"), and_as_comma);
#undef NORM_STEP
	t = drop_membership(span_trim(t));
	if (mixed_number(t, out) || time_of_day(t, out) ||
	    (may_relate(t) && answer_norm_inequality(t, false, out)))
		;
	else if (space_grouped(t)) {
		for (size_t i = 0; i < t.n; i++)
			if (t.p[i] != ' ')
				sbuf_addch(out, t.p[i]);
	} else if (has(t, "\\begin{")) {
		rewrite_matrices(t, out);
	} else {
		sbuf_add(out, t.p, t.n);
	}
	sbuf_release(&buf[0]);
	sbuf_release(&buf[1]);
}
