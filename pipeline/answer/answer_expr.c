/*
 * answer_expr.c — a recursive-descent evaluator over a span:
 *
 *   expr    = term { ("+" | "-") term }
 *   term    = unary { ("*" | "/") unary | power }   (a bare power: 2\pi, 3(4))
 *   unary   = ("+" | "-") unary | power
 *   power   = primary [ "^" unary ]
 *   primary = number | "(" expr ")" | "{" expr "}" | \frac g g
 *           | \sqrt ["[" expr "]"] ("(" expr ")" | g)
 *           | \pi | e | \infty      (also sqrt, pi, infty, infinity, inf)
 *   g       = "{" expr "}" | one digit (\frac12) | a command (\sqrt\pi)
 *
 * Numbers are copied into a buffer and read with strtod (C locale). An
 * implicit product with a proper \frac right after an integer literal is
 * a mixed number: "3\frac{1}{2}" adds, it does not multiply.
 *
 * Every cycle of the grammar passes through ev_unary or ev_primary (a
 * bracket, a \frac or \sqrt argument, a sign, an exponent), so those two
 * count the depth; past EVAL_MAX_DEPTH the evaluation fails as too deep.
 * A failure stops the descent at once: the rest of a 600 KB reply is not
 * walked, and a failed \frac does not go on to read its second argument.
 */
#include "answer/answer_expr.h"

#include <math.h>

#include "answer/answer_check.h"
#include <stdlib.h>

#define EVAL_MAX_DEPTH 200	/* nesting the evaluator follows before giving up */

struct eval {
	const char *s;
	size_t i, n;
	bool lenient;
	bool bad;
	bool too_deep;		/* bad because the input nests past EVAL_MAX_DEPTH */
	int depth;
	bool last_int;		/* the last factor was a bare integer literal */
	bool last_proper;	/* the last \frac was a proper fraction of integers */
};

static double ev_expr(struct eval *e);
static double ev_unary(struct eval *e);

static double ev_fail(struct eval *e)
{
	e->bad = true;
	return 0;
}

/* One level down; false (and the evaluation failed) past the limit. */
static bool ev_enter(struct eval *e)
{
	if (e->bad)
		return false;
	if (e->depth >= EVAL_MAX_DEPTH) {
		e->too_deep = true;
		e->bad = true;
		return false;
	}
	e->depth++;
	return true;
}

static int ev_peek(struct eval *e)
{
	while (e->i < e->n && is_sp((unsigned char)e->s[e->i]))
		e->i++;
	return e->i < e->n ? (unsigned char)e->s[e->i] : 0;
}

/* Consume word w (a control word or a name) if it stands at the cursor. */
static bool ev_word(struct eval *e, const char *w)
{
	size_t k = strlen(w);

	if (ev_peek(e) && span_starts(e->s + e->i, e->n - e->i, w) &&
	    (e->i + k == e->n || !is_alpha((unsigned char)e->s[e->i + k]))) {
		e->i += k;
		return true;
	}
	return false;
}

static size_t digit_run(const char *s, size_t n, size_t i)
{
	size_t k = i;

	while (k < n && is_digit((unsigned char)s[k]))
		k++;
	return k - i;
}

/*
 * A number literal. Lenient reading also takes thousands separators
 * ("1,234,567": groups of exactly three after a 1-3 digit head not
 * starting with 0) and a decimal comma when it cannot be a separator
 * ("3,5", "0,500"; "3,500" stays 3500).
 */
static double ev_number(struct eval *e)
{
	char buf[128];
	size_t k = 0, i = e->i, head;
	const char *s = e->s;
	bool integer = true;

#define EV_PUT(c)                                     \
	do {                                          \
		if (k + 1 >= sizeof(buf))             \
			return ev_fail(e);            \
		buf[k++] = (char)(c);                 \
	} while (0)

	head = digit_run(s, e->n, i);
	for (size_t d = 0; d < head; d++)
		EV_PUT(s[i++]);
	if (e->lenient && head && i + 1 < e->n && s[i] == ',' && is_digit((unsigned char)s[i + 1])) {
		size_t run = digit_run(s, e->n, i + 1);

		if (run == 3 && head <= 3 && s[e->i] != '0') {
			while (i + 1 < e->n && s[i] == ',' && digit_run(s, e->n, i + 1) == 3) {
				for (size_t d = 1; d <= 3; d++)
					EV_PUT(s[i + d]);
				i += 4;
			}
		} else if (!(i + 1 + run < e->n && (s[i + 1 + run] == '.' || s[i + 1 + run] == ','))) {
			EV_PUT('.');
			for (size_t d = 1; d <= run; d++)
				EV_PUT(s[i + d]);
			i += 1 + run;
			integer = false;
		}
	}
	if (integer && i + 1 < e->n && s[i] == '.' && is_digit((unsigned char)s[i + 1])) {
		EV_PUT(s[i++]);
		while (i < e->n && is_digit((unsigned char)s[i]))
			EV_PUT(s[i++]);
		integer = false;
	}
	if (!k)
		return ev_fail(e);
	if (i < e->n && (s[i] == 'e' || s[i] == 'E')) {
		size_t j = i + 1;

		if (j < e->n && (s[j] == '+' || s[j] == '-'))
			j++;
		if (j < e->n && is_digit((unsigned char)s[j])) {
			while (i < j)
				EV_PUT(s[i++]);
			while (i < e->n && is_digit((unsigned char)s[i]))
				EV_PUT(s[i++]);
			integer = false;
		}
	}
#undef EV_PUT
	buf[k] = '\0';
	e->i = i;
	e->last_int = integer;
	return strtod(buf, NULL);
}

static double ev_bracketed(struct eval *e, char close)
{
	double v;

	e->i++;
	v = ev_expr(e);
	if (ev_peek(e) != close)
		return ev_fail(e);
	e->i++;
	return v;
}

static double ev_primary(struct eval *e);

/* A \frac or \sqrt argument: {expr}, one digit (\frac12), or a command. */
static double ev_group(struct eval *e)
{
	int c = ev_peek(e);

	if (c == '{' || c == '\\')
		return ev_primary(e);
	if (is_digit(c)) {
		e->i++;
		return c - '0';
	}
	return ev_fail(e);
}

static double ev_root(struct eval *e, double x, double index)
{
	if (index == 2)
		return x < 0 ? ev_fail(e) : sqrt(x);
	if (x < 0 && fmod(index, 2) == 1)
		return -pow(-x, 1 / index);
	return pow(x, 1 / index);
}

static double ev_primary_in(struct eval *e)
{
	int c = ev_peek(e);
	double a, b, index = 2;

	e->last_int = false;
	if (is_digit(c) || (c == '.' && e->i + 1 < e->n && is_digit((unsigned char)e->s[e->i + 1])))
		return ev_number(e);
	if (c == '(')
		return ev_bracketed(e, ')');
	if (c == '{')
		return ev_bracketed(e, '}');
	if (ev_word(e, "\\frac")) {
		a = ev_group(e);
		b = e->bad ? 0 : ev_group(e);
		if (e->bad || b == 0)
			return ev_fail(e);
		e->last_proper = a == floor(a) && b == floor(b) && a >= 0 && a < b;
		e->last_int = false;
		return a / b;
	}
	if (ev_word(e, "\\sqrt") || ev_word(e, "sqrt")) {
		if (ev_peek(e) == '[')
			index = ev_bracketed(e, ']');
		a = ev_peek(e) == '(' ? ev_bracketed(e, ')') : ev_group(e);
		e->last_int = false;
		return ev_root(e, a, index);
	}
	if (ev_word(e, "\\pi") || ev_word(e, "pi"))
		return M_PI;
	if (ev_word(e, "\\infty") || ev_word(e, "infty") || ev_word(e, "infinity") ||
	    ev_word(e, "inf"))
		return INFINITY;
	if (ev_word(e, "e"))
		return M_E;
	return ev_fail(e);
}

static double ev_primary(struct eval *e)
{
	double v;

	if (!ev_enter(e))
		return 0;
	v = ev_primary_in(e);
	e->depth--;
	return v;
}

static double ev_power(struct eval *e)
{
	double base = ev_primary(e);

	if (!e->bad && ev_peek(e) == '^') {
		e->i++;
		base = pow(base, ev_unary(e));
		e->last_int = false;
	}
	return base;
}

static double ev_unary(struct eval *e)
{
	int c = ev_peek(e);
	double v;

	if (!ev_enter(e))
		return 0;
	if (c == '-' || c == '+') {
		e->i++;
		v = ev_unary(e);
		v = c == '-' ? -v : v;
	} else {
		v = ev_power(e);
	}
	e->depth--;
	return v;
}

/* Can an implicit product continue here (2\pi, 3(x), 2\sqrt3)? Not before a number. */
static bool ev_implicit(struct eval *e)
{
	int c = ev_peek(e);

	return c == '(' || c == '{' || c == '\\' || is_alpha(c);
}

static double ev_term(struct eval *e)
{
	double v = ev_unary(e), f;
	bool can_mix = e->last_int;

	while (!e->bad) {
		int c = ev_peek(e);

		if (c == '*') {
			e->i++;
			v *= ev_unary(e);
		} else if (c == '/') {
			e->i++;
			f = ev_unary(e);
			if (f == 0)
				return ev_fail(e);
			v /= f;
		} else if (ev_implicit(e)) {
			bool frac = span_starts(e->s + e->i, e->n - e->i, "\\frac");

			e->last_proper = false;
			f = ev_power(e);
			/* "3\frac{1}{2}" is the mixed number 3.5, never 1.5. */
			if (can_mix && frac && e->last_proper)
				v = v < 0 ? v - f : v + f;
			else
				v *= f;
		} else {
			break;
		}
		can_mix = false;
	}
	return v;
}

static double ev_expr(struct eval *e)
{
	double v = ev_term(e);

	while (!e->bad) {
		int c = ev_peek(e);

		if (c == '+') {
			e->i++;
			v += ev_term(e);
		} else if (c == '-') {
			e->i++;
			v -= ev_term(e);
		} else {
			break;
		}
	}
	return v;
}

int answer_expr_eval(struct span s, bool lenient, double *x)
{
	struct eval e = { s.p, 0, s.n, lenient, false, false, 0, false, false };
	double v = ev_expr(&e);

	if (e.too_deep)
		return ANSWER_TOO_DEEP;
	if (e.bad || ev_peek(&e) || isnan(v))
		return -1;
	*x = v;
	return 0;
}
