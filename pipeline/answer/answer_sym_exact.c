/*
 * answer_sym_exact.c — exact rationals for the numeric rule: a side
 * written with integers only (+ - * / and integer powers, no decimal
 * point, no variable, no irrational function) has an exact value, in
 * int64 numerator and denominator; an overflow means it has none.
 */
#include "answer/answer_sym.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "answer/answer_sym_tree.h"
#include "core/util.h"

struct rational {
	int64_t num, den;	/* den > 0, lowest terms */
};

static int64_t gcd64(int64_t a, int64_t b)
{
	a = a < 0 ? -a : a;
	b = b < 0 ? -b : b;
	while (b) {
		int64_t t = a % b;

		a = b;
		b = t;
	}
	return a ? a : 1;
}

static bool rat_make(int64_t num, int64_t den, struct rational *r)
{
	int64_t g;

	if (!den || num == INT64_MIN || den == INT64_MIN)
		return false;
	if (den < 0) {
		num = -num;
		den = -den;
	}
	g = gcd64(num, den);
	r->num = num / g;
	r->den = den / g;
	return true;
}

static bool rat_mul(struct rational a, struct rational b, struct rational *r)
{
	int64_t n, d;

	return !__builtin_mul_overflow(a.num, b.num, &n) &&
	       !__builtin_mul_overflow(a.den, b.den, &d) && rat_make(n, d, r);
}

static bool rat_add(struct rational a, struct rational b, bool sub, struct rational *r)
{
	int64_t x, y, n, d;

	if (__builtin_mul_overflow(a.num, b.den, &x) || __builtin_mul_overflow(b.num, a.den, &y) ||
	    __builtin_mul_overflow(a.den, b.den, &d))
		return false;
	if (sub ? __builtin_sub_overflow(x, y, &n) : __builtin_add_overflow(x, y, &n))
		return false;
	return rat_make(n, d, r);
}

static bool rat_node(const struct sym_node *d, const struct rational *v, struct rational *r)
{
	struct rational a = { 0, 1 }, b = { 0, 1 }, acc = { 1, 1 };

	if (d->a >= 0)
		a = v[d->a];
	if (d->b >= 0)
		b = v[d->b];
	switch ((enum sym_kind)d->kind) {
	case K_NUM:
		return !d->decimal && d->x == floor(d->x) && fabs(d->x) < 9e15 &&
		       rat_make((int64_t)d->x, 1, r);
	case K_ADD: return rat_add(a, b, false, r);
	case K_SUB: return rat_add(a, b, true, r);
	case K_MUL: return rat_mul(a, b, r);
	case K_DIV: return b.num && rat_mul(a, (struct rational){ b.den, b.num }, r) &&
			   rat_make(r->num, r->den, r);
	case K_NEG: return rat_make(-a.num, a.den, r);
	case K_POW:
		if (b.den != 1 || b.num > 64 || b.num < -64 || (b.num < 0 && !a.num))
			return false;
		for (int64_t k = 0; k < (b.num < 0 ? -b.num : b.num); k++)
			if (!rat_mul(acc, a, &acc))
				return false;
		return b.num < 0 ? rat_make(acc.den, acc.num, r) : rat_make(acc.num, acc.den, r);
	default:
		return false;
	}
}

/* The value of a variable-free, integer-only single expression; false if it has none. */
static bool exact_value(struct span s, struct rational *out)
{
	struct sbuf flat = SBUF_INIT;
	struct sym_form f;
	struct rational *v = NULL;
	bool ok;

	memset(&f, 0, sizeof(f));
	ok = answer_sym_read(s, &flat, &f) == 0 && f.nparts == 1 && !f.nvars && !f.has_i;
	if (ok) {
		v = xcalloc(f.nr, sizeof(*v));
		for (size_t i = 0; i < f.nr && ok; i++)
			ok = rat_node(&f.n[i], v, &v[i]);
		if (ok)
			*out = v[f.part[0]];
	}
	free(v);
	free(f.n);
	sbuf_release(&flat);
	return ok;
}

int answer_sym_exact(struct span p, struct span g, bool *correct)
{
	struct rational a, b;

	if (!exact_value(p, &a) || !exact_value(g, &b))
		return 0;
	*correct = a.num == b.num && a.den == b.den;
	return 1;
}
