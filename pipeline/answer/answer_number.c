/*
 * answer_number.c — an answer read as a number, and two numbers compared.
 *
 * The lenient decoration is stripped from the outside in: currency
 * before, then units after, repeatedly ("5 km/h" and "3 square meters").
 * Unit words of three letters or more match in any case, shorter ones
 * exactly, so "m" is metres but "M" is not. A whole text of number words
 * is read by answer_numword.h before the evaluator sees it.
 */
#include "answer/answer_number.h"

#include <math.h>

#include "answer/answer_clean.h"
#include "answer/answer_expr.h"
#include "answer/answer_latex.h"
#include "answer/answer_norm.h"
#include "answer/answer_numword.h"
#include "core/util.h"

/*
 * Units dropped after a number. Words of three letters or more match in
 * any case; shorter ones exactly ("m" is not "M").
 */
static const char *const unit_words[] = {
	"km/h", "m/s", "mph", "kmh",
	"mm", "cm", "dm", "m", "km", "nm", "um", "\xce\xbcm",
	"in", "inch", "inches", "ft", "feet", "foot", "yd", "yard", "yards", "mi", "mile", "miles",
	"meter", "meters", "metre", "metres", "centimeter", "centimeters", "centimetre",
	"centimetres", "millimeter", "millimeters", "kilometer", "kilometers",
	"mg", "g", "kg", "t", "ton", "tons", "tonnes", "lb", "lbs", "pound", "pounds", "oz",
	"gram", "grams", "kilogram", "kilograms",
	"ms", "s", "sec", "secs", "second", "seconds", "min", "mins", "minute", "minutes",
	"h", "hr", "hrs", "hour", "hours", "day", "days", "week", "weeks", "month", "months",
	"year", "years",
	"ml", "mL", "l", "L", "liter", "liters", "litre", "litres",
	"deg", "degree", "degrees", "rad", "radian", "radians",
	"N", "J", "kJ", "W", "kW", "V", "Hz", "kHz", "Pa", "kPa", "K", "mol", "cal", "kcal",
	"unit", "units", "square", "sq", "cubic",
	"\xe2\x82\xac", "\xc2\xa3", "\xc2\xa5", "$",					/* € £ ¥ after */
	"dollar", "dollars", "usd", "cent", "cents", "yuan", "rmb", "euro", "euros",
	"\xe5\x8e\x98\xe7\xb1\xb3", "\xe6\xaf\xab\xe7\xb1\xb3", "\xe5\x8d\x83\xe7\xb1\xb3",	/* 厘米 毫米 千米 */
	"\xe7\xb1\xb3", "\xe5\x8d\x83\xe5\x85\x8b", "\xe5\x85\x8b", "\xe7\xa7\x92",		/* 米 千克 克 秒 */
	"\xe5\x88\x86\xe9\x92\x9f", "\xe5\xb0\x8f\xe6\x97\xb6", "\xe5\x85\x83",		/* 分钟 小时 元 */
	"\xe5\xba\xa6", "\xe4\xb8\xaa", "\xe5\xb9\xb3\xe6\x96\xb9",					/* 度 个 平方 */
};

static const char *const currency_prefixes[] = {
	"US$", "USD", "RMB", "Rs.", "Rs", "$", "\xe2\x82\xac", "\xc2\xa3", "\xc2\xa5",	/* € £ ¥ */
	"\xef\xbf\xa5", "\xe2\x82\xb9",						/* ￥ ₹ */
};

/* Strip one trailing unit word (or exponent of one) from s; true if done. */
static bool strip_unit(struct span *s)
{
	static const char *const exps[] = { "^{2}", "^{3}", "^2", "^3" };

	for (size_t k = 0; k < ARRAY_SIZE(exps); k++) {
		struct span before;

		if (!span_ends_with(*s, exps[k]))
			continue;
		before = span_trim(span_make(s->p, s->n - strlen(exps[k])));
		if (before.n && is_alpha((unsigned char)before.p[before.n - 1])) {
			struct span probe = before;

			if (strip_unit(&probe)) {
				*s = before;
				return true;
			}
		}
	}
	for (size_t k = 0; k < ARRAY_SIZE(unit_words); k++) {
		const char *u = unit_words[k];
		size_t l = strlen(u);
		const char *at = s->p + s->n - l;
		bool match;

		if (s->n <= l)
			continue;
		match = l >= 3 && (unsigned char)u[0] < 0x80 ? span_starts_ci(at, l, u) : !memcmp(at, u, l);
		if (!match || is_alpha((unsigned char)at[-1]) || at[-1] == '\\')
			continue;
		*s = span_trim(span_make(s->p, s->n - l));
		return true;
	}
	return false;
}

/* Digits joined by '-' or by two '/': "3-4", "2020-01-05", "1/2/3" are no arithmetic. */
static bool looks_like_date(struct span s)
{
	size_t dashes = 0, slashes = 0;

	for (size_t i = 0; i < s.n; i++) {
		bool between = i && i + 1 < s.n && is_digit((unsigned char)s.p[i - 1]) &&
			       is_digit((unsigned char)s.p[i + 1]);

		if (s.p[i] == '-' && between)
			dashes++;
		else if (s.p[i] == '/')
			slashes++;
		else if (!is_digit((unsigned char)s.p[i]) && s.p[i] != '-')
			return false;
	}
	return dashes || slashes >= 2;
}

bool answer_number_find_equals(struct span s, size_t *first, size_t *last)
{
	int depth = 0;
	bool any = false;

	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];

		if (c == '(' || c == '[' || c == '{')
			depth++;
		else if ((c == ')' || c == ']' || c == '}') && depth)
			depth--;
		else if (c == '=' && !depth && (!i || !strchr("<>!=", s.p[i - 1])) &&
			 (i + 1 == s.n || s.p[i + 1] != '=')) {
			if (!any)
				*first = i;
			*last = i;
			any = true;
		}
	}
	return any;
}

/*
 * Is the text before the first '=' something an answer may name: a name
 * ("x", "f(x)", "the area") or arithmetic ("2 + 3")? "a + 3z = 0" is an
 * equation, whose right side is no answer.
 */
static bool names_a_value(struct span lhs)
{
	static const char *const functions[] = {
		"\\sin", "\\cos", "\\tan", "\\sec", "\\csc", "\\cot", "\\log", "\\ln",
		"\\exp",
	};
	bool letters = false, operators = false;

	for (size_t k = 0; k < ARRAY_SIZE(functions); k++)
		if (span_contains(lhs, functions[k]))
			return false;	/* "\sin(x) = 1/2" is an equation */

	for (size_t i = 0; i < lhs.n; i++) {
		letters |= is_alpha((unsigned char)lhs.p[i]);
		operators |= strchr("+-*/^", lhs.p[i]) != NULL;
	}
	return !letters || !operators;
}

struct span answer_number_strip_assignment(struct span s)
{
	size_t first, last;
	struct span rhs;

	if (!answer_number_find_equals(s, &first, &last) || !names_a_value(span_make(s.p, first)))
		return s;
	rhs = span_trim(span_make(s.p + last + 1, s.n - last - 1));
	return rhs.n ? rhs : s;
}

/* Words that mean % after a number: "28 percent", "28 pct". */
static const char *const percent_words[] = { "percentage", "percent", "pct" };

/* A number as read, and whether it was written with % (or "percent"). */
struct value {
	double x;
	bool percent;
};

static int value_read(struct span s, bool lenient, struct value *v)
{
	struct sbuf flat = SBUF_INIT;
	struct span t;
	struct span words[16];
	size_t nw;
	long long wv;
	int ret = -1;

	answer_latex_flatten(s, &flat);
	t = answer_number_strip_assignment(span_trim(span_make(flat.buf, flat.len)));
	v->percent = false;
	if (span_ends_with(t, "%")) {
		t = span_trim(span_make(t.p, t.n - 1));
		v->percent = true;
	} else {
		for (size_t k = 0; k < ARRAY_SIZE(percent_words); k++) {
			size_t l = strlen(percent_words[k]);

			if (t.n > l && span_starts_ci(t.p + t.n - l, l, percent_words[k]) &&
			    !is_alpha((unsigned char)t.p[t.n - l - 1])) {
				t = span_trim(span_make(t.p, t.n - l));
				v->percent = true;
				break;
			}
		}
	}
	if (lenient) {
		for (size_t k = 0; k < ARRAY_SIZE(currency_prefixes); k++) {
			if (span_starts(t.p, t.n, currency_prefixes[k])) {
				size_t l = strlen(currency_prefixes[k]);

				t = span_trim(span_make(t.p + l, t.n - l));
				break;
			}
		}
		while (strip_unit(&t))
			;
		nw = answer_numword_split(t, words, ARRAY_SIZE(words));
		if (nw && nw <= ARRAY_SIZE(words) && answer_numword_run(words, nw, &wv) == nw) {
			v->x = (double)wv;
			ret = 0;
			goto out;
		}
		if (looks_like_date(t))
			goto out;
	}
	if (t.n)
		ret = answer_expr_eval(t, lenient, &v->x);
out:
	sbuf_release(&flat);
	return ret;
}

int answer_value(const char *s, bool lenient, double *x, bool *percent)
{
	struct sbuf norm = SBUF_INIT;
	struct value v;
	int r;

	if (!s)
		return -1;
	/* the reading answer_equivalent's numeric rule gets: cleaned, normalised, cleaned */
	answer_norm(answer_clean_span(span_of(s)), &norm);
	r = value_read(answer_clean_span(span_make(norm.buf, norm.len)), lenient, &v);
	sbuf_release(&norm);
	if (r)
		return r;
	*x = v.x;
	if (percent)
		*percent = v.percent;
	return 0;
}

static bool close_enough(double p, double g, double tol)
{
	if (isinf(p) || isinf(g))
		return p == g;
	if (g == 0)
		return fabs(p) <= 1e-9;
	return fabs(p - g) <= tol * fabs(g);
}

static bool values_close(struct value p, struct value g, double tol, enum answer_percent pol)
{
	double ps = p.percent ? p.x / 100 : p.x;
	double gs = g.percent ? g.x / 100 : g.x;

	if (p.percent == g.percent)
		return close_enough(p.x, g.x, tol);
	switch (pol) {
	case ANSWER_PERCENT_STRIP:
		return close_enough(p.x, g.x, tol);
	case ANSWER_PERCENT_SCALE:
		return close_enough(ps, gs, tol);
	case ANSWER_PERCENT_EITHER:
		break;
	}
	return close_enough(p.x, g.x, tol) || close_enough(ps, gs, tol);
}

int answer_number_compare(struct span p, struct span g, bool lenient, double tol,
			  enum answer_percent pol, bool *correct)
{
	struct value pv, gv;
	int r = value_read(g, lenient, &gv);

	if (!r)
		r = value_read(p, lenient, &pv);
	if (r)
		return r == ANSWER_TOO_DEEP ? ANSWER_TOO_DEEP : 0;
	*correct = values_close(pv, gv, tol, pol);
	return 1;
}
