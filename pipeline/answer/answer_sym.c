/*
 * answer_sym.c — the symbolic rule: two forms (answer_sym_parse.c)
 * compared by evaluating both at seeded random points.
 *
 * Evaluation is in complex doubles, node by node over the array. A
 * variable's value at point k is a hash of its name and k, so the same
 * name gets the same value on both sides and different names independent
 * values ("f(x)" vs "f(y)" differ). An unknown function is a fixed smooth
 * pseudo-random function of its name and arguments. Unless i is the
 * imaginary unit, a value with an imaginary part is outside the real
 * domain and the point is skipped, as is one where either side is
 * undefined; SYM_MIN_VALID points must remain, and at most SYM_MAX_MISSES
 * of them may disagree: a side with a rounded decimal ("1.414" for
 * \sqrt2) misses, relatively, where the value nears zero, while different
 * expressions disagree almost everywhere. Odd roots and powers p/q with
 * odd q of a negative number are real ("\sqrt[3]{-8}" = -2,
 * "(-8)^{2/3}" = 4).
 */
#include "answer/answer_sym.h"

#include <complex.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "answer/answer_check.h"
#include "answer/answer_sym_tree.h"
#include "core/util.h"

#define SYM_POINTS 24		/* random points tried */
#define SYM_MIN_VALID 4		/* points where both sides must be defined */
#define SYM_MAX_MISSES 2	/* points that may miss: a rounded decimal near a zero */
#define SYM_SEED 0x5eed5eed2024ULL

static uint64_t mix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double unit_of(uint64_t h)
{
	return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

/* ---- evaluation ---------------------------------------------------- */

struct point {
	uint64_t seed;	/* 0: the one point of a variable-free comparison */
	bool imag;	/* i is the imaginary unit */
	bool small;	/* values below 1 (var_value) */
};

/*
 * Half the points draw values of magnitude 0.1 to 0.95, where \arcsin
 * and \arccos are real, half 0.5 to 3.5; either sign.
 */
static double complex var_value(struct point pt, uint64_t name)
{
	uint64_t h = mix64(name ^ pt.seed);
	double r = pt.small ? 0.1 + 0.85 * unit_of(h) : 0.5 + 3.0 * unit_of(h);

	return (h & 1) ? -r : r;
}

/* A smooth function standing for the unknown function `name`. */
static double complex apply_value(uint64_t name, double complex v)
{
	uint64_t h = mix64(name);
	double a = 0.5 + unit_of(h), b = 0.5 + unit_of(mix64(h)), c = unit_of(mix64(h + 1));

	return csin(a * v + c) + 0.7 * ccos(b * v + 2 * c) + 0.3 * v;
}

static bool real_of(double complex z, double *x)
{
	if (fabs(cimag(z)) > 1e-12 * (1 + fabs(creal(z))))
		return false;
	*x = creal(z);
	return true;
}

/* q <= 15 odd with |e - p/q| tiny: e is p/q, and (-x)^(p/q) is real. */
static bool odd_ratio(double e, long *num, long *den)
{
	if (!(fabs(e) < 1e9))
		return false;	/* also NaN: (long) of it would be undefined */
	for (long q = 1; q <= 15; q += 2) {
		double pq = e * (double)q;

		if (fabs(pq - round(pq)) < 1e-9) {
			*num = (long)round(pq);
			*den = q;
			return true;
		}
	}
	return false;
}

static double complex power_of(double complex base, double complex expo)
{
	double b, e;
	long num, den;

	if (real_of(base, &b) && real_of(expo, &e)) {
		if (b >= 0 || e == floor(e))
			return pow(b, e);
		if (odd_ratio(e, &num, &den)) {
			double m = pow(-b, e);

			return (num % 2) ? -m : m;
		}
	}
	if (base == 0)
		return creal(expo) > 0 ? 0 : NAN;
	return cpow(base, expo);
}

static double complex root_of(double complex x, double complex index)
{
	double r, n;

	if (!real_of(index, &n) || n == 0)
		return NAN;
	if (real_of(x, &r) && r < 0 && n == floor(n) && fmod(n, 2) != 0)
		return -pow(-r, 1 / n);
	if (n == 2)
		return csqrt(x);
	return power_of(x, 1 / n);
}

static double complex fn_value(enum sym_fn fn, double complex x)
{
	switch (fn) {
	case F_SIN: return csin(x);
	case F_COS: return ccos(x);
	case F_TAN: return ctan(x);
	case F_SEC: return 1 / ccos(x);
	case F_CSC: return 1 / csin(x);
	case F_COT: return ccos(x) / csin(x);
	case F_ASIN: return casin(x);
	case F_ACOS: return cacos(x);
	case F_ATAN: return catan(x);
	case F_SINH: return csinh(x);
	case F_COSH: return ccosh(x);
	case F_TANH: return ctanh(x);
	case F_LN: return x == 0 ? NAN : clog(x);
	case F_EXP: return cexp(x);
	}
	return NAN;
}

static double complex gamma_of(double complex x)
{
	double r;

	if (!real_of(x, &r) || (r <= 0 && r == floor(r)))
		return NAN;
	return tgamma(r);
}

static double complex node_value(const struct sym_node *d, const double complex *v, struct point pt)
{
	double complex a = d->a >= 0 ? v[d->a] : 0, b = d->b >= 0 ? v[d->b] : 0;

	switch ((enum sym_kind)d->kind) {
	case K_NUM: return d->x;
	case K_VAR: return var_value(pt, d->name);
	case K_I: return pt.imag ? I : var_value(pt, 'i');
	case K_ADD: return a + b;
	case K_SUB: return a - b;
	case K_MUL: return a * b;
	case K_DIV: return b == 0 ? NAN : a / b;
	case K_POW: return power_of(a, b);
	case K_NEG: return -a;
	case K_FN: return fn_value((enum sym_fn)d->fn, a);
	case K_APPLY: return apply_value(d->name, a);
	case K_ROOT: return d->b >= 0 ? root_of(a, b) : csqrt(a);
	case K_FACT: return gamma_of(a + 1);
	case K_ABS: return cabs(a);
	case K_COMMA: return 1.618 * a + 2.718 * b + 0.5;
	case K_BINOM: return gamma_of(a + 1) / (gamma_of(b + 1) * gamma_of(a - b + 1));
	case K_LOGB: return (a == 0 || b == 0 || b == 1) ? NAN : clog(a) / clog(b);
	}
	return NAN;
}

/*
 * How large the terms summed into a node are: |x + 1.414i| may be near
 * zero while |x| + |1.414i| is not, and a rounded coefficient's error
 * scales with the terms, not with their sum.
 */
static double node_magnitude(const struct sym_node *d, const double complex *v, const double *m,
			     double complex self)
{
	switch ((enum sym_kind)d->kind) {
	case K_ADD:
	case K_SUB:
		return m[d->a] + m[d->b];
	case K_NEG:
		return m[d->a];
	case K_MUL:
		return m[d->a] * m[d->b];
	case K_DIV:
		return cabs(v[d->b]) > 0 ? m[d->a] / cabs(v[d->b]) : cabs(self);
	default:
		return cabs(self);
	}
}

/*
 * Every node of f at point pt into v, and its magnitude into m (f->nr
 * entries each); false if any part is undefined.
 */
static bool eval_form(const struct sym_form *f, struct point pt, double complex *v, double *m)
{
	for (size_t i = 0; i < f->nr; i++) {
		v[i] = node_value(&f->n[i], v, pt);
		m[i] = node_magnitude(&f->n[i], v, m, v[i]);
	}
	for (size_t k = 0; k < f->nparts; k++) {
		double complex z = v[f->part[k]];
		double x;

		if (!isfinite(creal(z)) || !isfinite(cimag(z)) || (!pt.imag && !real_of(z, &x)))
			return false;
	}
	return true;
}

static bool close_to(double complex a, double complex b, double scale, double tol)
{
	double m = fmax(fmax(cabs(a), cabs(b)), scale);

	return cabs(a - b) <= 1e-9 + tol * m;
}

/* ---- comparing forms ----------------------------------------------- */

/* The shape of a form: what one compares it by. */
enum shape { S_VALUE, S_EQUATION, S_INEQUALITY, S_CHAIN };

struct reading {
	enum shape shape;
	int lhs, rhs;		/* S_VALUE: rhs is the value; else lhs op rhs */
	enum sym_relop op;
};

static bool lone_name(const struct sym_form *f, int v)
{
	return f->n[v].kind == K_VAR || f->n[v].kind == K_APPLY;
}

static struct reading read_form(const struct sym_form *f)
{
	struct reading r = { S_VALUE, -1, f->part[f->nparts - 1], R_EQ };
	bool all_eq = true;

	if (f->nparts == 1)
		return r;
	for (size_t k = 0; k + 1 < f->nparts; k++)
		all_eq &= f->op[k] == R_EQ;
	if (all_eq) {
		for (size_t k = 0; k + 1 < f->nparts; k++)
			if (lone_name(f, f->part[k])) {
				r.lhs = f->part[k];
				return r;	/* an assignment: its value */
			}
		r.shape = S_EQUATION;
		r.lhs = f->part[0];
		return r;
	}
	if (f->nparts > 2) {
		r.shape = S_CHAIN;
		return r;
	}
	r.lhs = f->part[0];
	r.op = f->op[0];
	r.shape = r.op == R_NE ? S_EQUATION : S_INEQUALITY;
	if (r.op == R_GT || r.op == R_GE) {
		/* a > b is b < a */
		r.lhs = f->part[1];
		r.rhs = f->part[0];
		r.op = r.op == R_GT ? R_LT : R_LE;
	}
	return r;
}

struct pair {
	const struct sym_form *f[2];
	double complex *v[2];
	double *m[2];		/* magnitudes, see node_magnitude */
	struct point pt;
};

/*
 * Walk the points; for each where both forms are defined call check.
 * True when every such point passed and at least `need` points were valid.
 */
static bool over_points(struct pair *pr, bool (*check)(struct pair *, void *), void *data)
{
	bool vars = pr->f[0]->nvars || pr->f[1]->nvars || (!pr->pt.imag && (pr->f[0]->has_i || pr->f[1]->has_i));
	int valid = 0, misses = 0, points = vars ? SYM_POINTS : 1;

	for (int k = 0; k < points; k++) {
		pr->pt.seed = vars ? mix64(SYM_SEED + (uint64_t)k) : 0;
		pr->pt.small = k % 2;
		if (!eval_form(pr->f[0], pr->pt, pr->v[0], pr->m[0]) ||
		    !eval_form(pr->f[1], pr->pt, pr->v[1], pr->m[1]))
			continue;
		valid++;
		if (!check(pr, data) && (!vars || ++misses > SYM_MAX_MISSES))
			return false;
	}
	return valid - misses >= (vars ? SYM_MIN_VALID : 1);
}

struct value_check {
	int a, b;
	double tol;
};

static bool check_values(struct pair *pr, void *data)
{
	struct value_check *c = data;

	return close_to(pr->v[0][c->a], pr->v[1][c->b], fmax(pr->m[0][c->a], pr->m[1][c->b]), c->tol);
}

struct ratio_check {
	int l[2], r[2];
	double tol;
	bool positive;		/* inequalities: the factor must be > 0 */
	bool have;
	bool wrong_sign;	/* "x < 5" against "5 < x": a factor of -1 */
	double complex ratio;
	bool zero[2];		/* some side was zero at every point so far */
};

static bool check_ratio(struct pair *pr, void *data)
{
	struct ratio_check *c = data;
	double complex d0 = pr->v[0][c->l[0]] - pr->v[0][c->r[0]];
	double complex d1 = pr->v[1][c->l[1]] - pr->v[1][c->r[1]];
	double scale0 = cabs(pr->v[0][c->l[0]]) + cabs(pr->v[0][c->r[0]]);
	double scale1 = cabs(pr->v[1][c->l[1]]) + cabs(pr->v[1][c->r[1]]);
	bool z0 = cabs(d0) <= 1e-9 * (1 + scale0), z1 = cabs(d1) <= 1e-9 * (1 + scale1);

	if (z0 || z1)
		return z0 == z1;	/* both sides hold here, or neither is an identity */
	if (!c->have) {
		c->ratio = d0 / d1;
		c->have = true;
		c->wrong_sign = c->positive && creal(c->ratio) <= 0;
		return !c->wrong_sign;
	}
	return close_to(d0, c->ratio * d1, fmax(scale0, cabs(c->ratio) * scale1), c->tol);
}

static bool same_values(struct pair *pr, int a, int b, double tol)
{
	struct value_check c = { a, b, tol };

	return over_points(pr, check_values, &c);
}

static bool proportional(struct pair *pr, const struct reading *a, const struct reading *b,
			 double tol, bool positive)
{
	struct ratio_check c;

	memset(&c, 0, sizeof(c));
	c.l[0] = a->lhs;
	c.r[0] = a->rhs;
	c.l[1] = b->lhs;
	c.r[1] = b->rhs;
	c.tol = tol;
	c.positive = positive;
	return over_points(pr, check_ratio, &c) && !c.wrong_sign;
}

static bool chains_equal(struct pair *pr, double tol)
{
	const struct sym_form *a = pr->f[0], *b = pr->f[1];

	if (a->nparts != b->nparts)
		return false;
	for (size_t k = 0; k + 1 < a->nparts; k++)
		if (a->op[k] != b->op[k])
			return false;
	for (size_t k = 0; k < a->nparts; k++)
		if (!same_values(pr, a->part[k], b->part[k], tol))
			return false;
	return true;
}

static bool forms_equal(struct pair *pr, double tol)
{
	struct reading a = read_form(pr->f[0]), b = read_form(pr->f[1]);

	if (a.shape == S_VALUE && b.shape == S_VALUE)
		return same_values(pr, a.rhs, b.rhs, tol);
	/* An assignment against an equation: the equation name = value. */
	if (a.shape == S_VALUE && a.lhs >= 0 && b.shape == S_EQUATION)
		a.shape = S_EQUATION;
	if (b.shape == S_VALUE && b.lhs >= 0 && a.shape == S_EQUATION)
		b.shape = S_EQUATION;
	if (a.shape != b.shape)
		return false;
	if (a.shape == S_CHAIN)
		return chains_equal(pr, tol);
	if (a.op != b.op)
		return false;
	return proportional(pr, &a, &b, tol, a.shape == S_INEQUALITY);
}

/* ---- entry points -------------------------------------------------- */

/* A letter (a variable, a function, a command) or a factorial: no plain arithmetic. */
static bool has_letter(struct span s)
{
	for (size_t i = 0; i < s.n; i++)
		if (is_alpha((unsigned char)s.p[i]) || s.p[i] == '!')
			return true;
	return false;
}

int answer_sym_compare(struct span p, struct span g, double tol, bool *correct)
{
	struct sbuf fp = SBUF_INIT, fg = SBUF_INIT;
	struct sym_form a, b;
	struct pair pr;
	int rp, rg, ret = 0;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (!has_letter(p) && !has_letter(g))
		return 0;	/* plain arithmetic is the numeric rule's */
	rp = answer_sym_read(p, &fp, &a);
	rg = rp == 0 ? answer_sym_read(g, &fg, &b) : -1;
	if (rp == ANSWER_TOO_DEEP || rg == ANSWER_TOO_DEEP) {
		ret = ANSWER_TOO_DEEP;
	} else if (rp == 0 && rg == 0) {
		memset(&pr, 0, sizeof(pr));
		pr.f[0] = &a;
		pr.f[1] = &b;
		pr.v[0] = xcalloc(a.nr, sizeof(double complex));
		pr.v[1] = xcalloc(b.nr, sizeof(double complex));
		pr.m[0] = xcalloc(a.nr, sizeof(double));
		pr.m[1] = xcalloc(b.nr, sizeof(double));
		pr.pt.imag = (a.has_i || b.has_i) && !a.nvars && !b.nvars;
		*correct = forms_equal(&pr, tol);
		free(pr.v[0]);
		free(pr.v[1]);
		free(pr.m[0]);
		free(pr.m[1]);
		ret = 1;
	}
	free(a.n);
	free(b.n);
	sbuf_release(&fp);
	sbuf_release(&fg);
	return ret;
}
