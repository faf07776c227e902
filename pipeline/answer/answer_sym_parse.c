/*
 * answer_sym_parse.c — LaTeX (after answer_latex_flatten) into the tree
 * of answer_sym_tree.h, by recursive descent:
 *
 *   form    = expr { relop expr }            (at most SYM_MAX_PARTS parts)
 *   expr    = term { ("+" | "-") term }
 *   term    = unary { ("*" | "/") unary | implicit power }
 *   unary   = ("+" | "-") unary | power
 *   power   = postfix [ "^" exponent ]
 *   postfix = primary { "!" }
 *   primary = number | name | "(" expr ")" | "{" expr "}" | "|" expr "|"
 *           | \frac g g | \sqrt ["[" expr "]"] g | \binom g g
 *           | function [ "^" exponent ] argument | f "(" expr {"," expr} ")"
 *
 * A node's children are always made before it. The recursion is bounded:
 * every cycle of the grammar passes through p_unary or p_primary, which
 * count SYM_MAX_DEPTH levels, and a failure stops the descent at once.
 * Degrees ("90^\circ") become radians here, for the trig functions.
 */
#include "answer/answer_sym_tree.h"

#include <math.h>
#include <stdlib.h>

#include "answer/answer_check.h"
#include "answer/answer_latex.h"
#include "core/util.h"

#define SYM_MAX_DEPTH 200	/* nesting the parser follows before giving up */
#define SYM_MAX_INPUT 4096	/* longer answers are no expression for this rule */

static const struct {
	const char *name;
	enum sym_fn fn;
	enum sym_fn inverse;	/* what ^{-1} makes of it */
} functions[] = {
	{ "arcsin", F_ASIN, F_ASIN }, { "arccos", F_ACOS, F_ACOS }, { "arctan", F_ATAN, F_ATAN },
	{ "sinh", F_SINH, F_SINH }, { "cosh", F_COSH, F_COSH }, { "tanh", F_TANH, F_TANH },
	{ "sin", F_SIN, F_ASIN }, { "cos", F_COS, F_ACOS }, { "tan", F_TAN, F_ATAN },
	{ "sec", F_SEC, F_SEC }, { "csc", F_CSC, F_CSC }, { "cot", F_COT, F_COT },
	{ "ln", F_LN, F_LN }, { "log", F_LN, F_LN }, { "exp", F_EXP, F_EXP },
};

/* Control words that are structure, never a variable's name. */
static const char *const structural_words[] = {
	"in", "notin", "cup", "cap", "infty", "pm", "mp", "begin", "end", "dots", "ldots",
	"cdots", "to", "mid", "setminus", "emptyset", "varnothing", "equiv", "pmod", "bmod",
	"mod", "angle", "overline", "vec", "hat", "bar", "mathbb", "not", "quad", "implies",
	"iff", "Rightarrow", "rightarrow", "land", "lor", "wedge", "vee", "forall", "exists",
	"frac", "sqrt", "binom", "triangle", "perp", "parallel", "sim", "cong", "subset",
	"subseteq", "supset", "supseteq", "neg", "ge", "le", "geq", "leq", "neq", "ne", "lt",
	"gt", "approx", "cdot", "times", "div",
};

struct parser {
	const char *s;
	size_t i, n;
	struct sym_form *f;
	int depth;
	bool bad, too_deep;
	bool last_literal;	/* the last factor was a bare number literal */
};

static int p_expr(struct parser *p);
static int p_unary(struct parser *p);
static int p_primary(struct parser *p);

/* ---- names and hashing --------------------------------------------- */

static uint64_t hash_bytes(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* ---- the parser ---------------------------------------------------- */

static int p_fail(struct parser *p)
{
	p->bad = true;
	return -1;
}

static int mk(struct parser *p, enum sym_kind k, int a, int b)
{
	struct sym_node *nd;

	if (p->bad)
		return -1;
	ALLOC_GROW(p->f->n, p->f->nr + 1, p->f->alloc);
	nd = &p->f->n[p->f->nr];
	memset(nd, 0, sizeof(*nd));
	nd->kind = (unsigned char)k;
	nd->a = a;
	nd->b = b;
	return (int)p->f->nr++;
}

static int mk_num(struct parser *p, double x, bool decimal)
{
	int i = mk(p, K_NUM, -1, -1);

	if (i >= 0) {
		p->f->n[i].x = x;
		p->f->n[i].decimal = decimal;
	}
	return i;
}

static int mk_var(struct parser *p, uint64_t name)
{
	int i = mk(p, K_VAR, -1, -1);
	struct sym_form *f = p->f;
	size_t k;

	if (i < 0)
		return i;
	f->n[i].name = name;
	for (k = 0; k < f->nvars && f->var[k] != name; k++)
		;
	if (k == f->nvars && f->nvars < ARRAY_SIZE(f->var))
		f->var[f->nvars++] = name;
	return i;
}

static bool p_enter(struct parser *p)
{
	if (p->bad)
		return false;
	if (p->depth >= SYM_MAX_DEPTH) {
		p->too_deep = true;
		p->bad = true;
		return false;
	}
	p->depth++;
	return true;
}

static int p_peek(struct parser *p)
{
	while (p->i < p->n && is_sp((unsigned char)p->s[p->i]))
		p->i++;
	return p->i < p->n ? (unsigned char)p->s[p->i] : 0;
}

static size_t letter_run(struct parser *p, size_t i)
{
	size_t k = i;

	while (k < p->n && is_alpha((unsigned char)p->s[k]))
		k++;
	return k - i;
}

/* Consume '\' + word or word (a name of letters) when it stands whole at the cursor. */
static bool p_word(struct parser *p, const char *w, bool backslash_optional)
{
	size_t at, k = strlen(w);

	p_peek(p);
	at = p->i;
	if (at < p->n && p->s[at] == '\\')
		at++;
	else if (!backslash_optional)
		return false;
	if (letter_run(p, at) != k || !span_starts(p->s + at, p->n - at, w))
		return false;
	p->i = at + k;
	return true;
}

static int p_bracketed(struct parser *p, char close)
{
	int v;

	p->i++;
	v = p_expr(p);
	if (p->bad || p_peek(p) != close)
		return p_fail(p);
	p->i++;
	return v;
}

/* A \frac, \sqrt or \binom argument: {expr}, one digit or letter, or a command. */
static int p_group(struct parser *p)
{
	int c = p_peek(p);

	if (c == '{' || c == '\\')
		return p_primary(p);
	if (is_digit(c)) {
		p->i++;
		return mk_num(p, c - '0', false);
	}
	if (is_alpha(c)) {
		p->i++;
		return mk_var(p, hash_bytes(0xcbf29ce484222325ULL, p->s + p->i - 1, 1));
	}
	return p_fail(p);
}

/* A subscript after a name: _x, _0, _{12}, _{ab}; appended to h. */
static uint64_t p_subscript(struct parser *p, uint64_t h)
{
	size_t st;

	if (p->i >= p->n || p->s[p->i] != '_')
		return h;
	p->i++;
	h = hash_bytes(h, "_", 1);
	if (p->i < p->n && p->s[p->i] == '{') {
		for (st = ++p->i; p->i < p->n && p->s[p->i] != '}'; p->i++)
			if (!is_alnum((unsigned char)p->s[p->i]) && p->s[p->i] != ' ') {
				p_fail(p);
				return h;
			}
		if (p->i >= p->n) {
			p_fail(p);
			return h;
		}
		for (size_t k = st; k < p->i; k++)
			if (p->s[k] != ' ')
				h = hash_bytes(h, p->s + k, 1);
		p->i++;
		return h;
	}
	if (p->i < p->n && is_alnum((unsigned char)p->s[p->i])) {
		h = hash_bytes(h, p->s + p->i, 1);
		p->i++;
		return h;
	}
	p_fail(p);
	return h;
}

static int p_number(struct parser *p)
{
	char buf[64];
	size_t k = 0;
	bool decimal = false;

	while (p->i < p->n && (is_digit((unsigned char)p->s[p->i]) ||
			       (p->s[p->i] == '.' && !decimal && p->i + 1 < p->n &&
				is_digit((unsigned char)p->s[p->i + 1])))) {
		if (p->s[p->i] == '.')
			decimal = true;
		if (k + 1 >= sizeof(buf))
			return p_fail(p);
		buf[k++] = p->s[p->i++];
	}
	buf[k] = '\0';
	if (p->i < p->n && p->s[p->i] == '_') {
		/* "4210_7": a numeral in another base, compared as a name */
		uint64_t h = hash_bytes(0x6e756d0000000000ULL, buf, k);

		return mk_var(p, p_subscript(p, h));
	}
	p->last_literal = true;
	return mk_num(p, strtod(buf, NULL), decimal);
}

/* "^" and what follows: {expr}, (expr), a signed number, a letter or a command. */
static int p_exponent(struct parser *p)
{
	int c = p_peek(p), v;

	if (c == '{')
		return p_bracketed(p, '}');
	if (c == '(')
		return p_bracketed(p, ')');
	if (c == '-' || c == '+') {
		bool neg = false;

		/* a run of signs, read in a loop: "x^{--2}" must not recurse per sign */
		for (; c == '-' || c == '+'; c = p_peek(p)) {
			neg ^= c == '-';
			p->i++;
		}
		v = is_digit(c) ? p_number(p) : p_group(p);
		return neg ? mk(p, K_NEG, v, -1) : v;
	}
	if (is_digit(c))
		return p_number(p);
	return p_group(p);
}

static bool is_neg_one(const struct sym_form *f, int e)
{
	return e >= 0 && f->n[e].kind == K_NEG && f->n[f->n[e].a].kind == K_NUM &&
	       f->n[f->n[e].a].x == 1;
}

/* After a function name: optional ^power, optional _base (log), the argument. */
static int p_function(struct parser *p, size_t k)
{
	int expo = -1, base = -1, arg, fn;
	enum sym_fn which = functions[k].fn;

	if (p_peek(p) == '_' && which == F_LN) {
		p->i++;
		base = p_group(p);
	}
	if (p_peek(p) == '^') {
		p->i++;
		expo = p_exponent(p);
		if (is_neg_one(p->f, expo)) {
			which = functions[k].inverse;
			expo = -1;
		}
	}
	if (p_peek(p) == '(') {
		arg = p_bracketed(p, ')');
	} else {
		p->last_literal = false;
		arg = p_unary(p);
		/* "\sin 2x": a number and the letters right after it */
		if (!p->bad && p->last_literal && is_alpha(p_peek(p)))
			arg = mk(p, K_MUL, arg, p_primary(p));
	}
	if (base >= 0)
		fn = mk(p, K_LOGB, arg, base);
	else
		fn = mk(p, K_FN, arg, -1);
	if (fn >= 0 && base < 0)
		p->f->n[fn].fn = (unsigned char)which;
	p->last_literal = false;
	return expo >= 0 ? mk(p, K_POW, fn, expo) : fn;
}

/* f(x), g(x, y): an unknown function, compared by name and arguments. */
static int p_apply(struct parser *p, uint64_t name)
{
	int args, node;

	p->i++;
	args = p_expr(p);
	while (!p->bad && p_peek(p) == ',') {
		p->i++;
		args = mk(p, K_COMMA, args, p_expr(p));
	}
	if (p->bad || p_peek(p) != ')')
		return p_fail(p);
	p->i++;
	node = mk(p, K_APPLY, args, -1);
	if (node >= 0)
		p->f->n[node].name = name;
	return node;
}

#define NOT_KNOWN (-2)	/* p_known_name: no function and no constant */

/* A function or \pi named by the run of letters at the cursor (at, run bytes), consumed. */
static int p_known_name(struct parser *p, const char *at, size_t run)
{
	for (size_t k = 0; k < ARRAY_SIZE(functions); k++)
		if (run == strlen(functions[k].name) && span_starts(at, run, functions[k].name)) {
			p->i += run;
			return p_function(p, k);
		}
	if (run == 2 && span_starts(at, 2, "pi")) {
		p->i += 2;
		return mk_num(p, M_PI, true);
	}
	return NOT_KNOWN;
}

static int p_name(struct parser *p)
{
	size_t run = letter_run(p, p->i);
	const char *at = p->s + p->i;
	uint64_t h;

	int known = p_known_name(p, at, run);

	if (known != NOT_KNOWN)
		return known;
	if (run >= 3)
		return p_fail(p);	/* a word, not a product of letters */
	p->i++;
	if (*at == 'e' && (p->i >= p->n || p->s[p->i] != '_'))
		return mk_num(p, M_E, true);
	if (*at == 'i' && (p->i >= p->n || p->s[p->i] != '_')) {
		p->f->has_i = true;
		return mk(p, K_I, -1, -1);
	}
	h = p_subscript(p, hash_bytes(0xcbf29ce484222325ULL, at, 1));
	if (strchr("fghFGH", *at) && h == hash_bytes(0xcbf29ce484222325ULL, at, 1) &&
	    p->i < p->n && p->s[p->i] == '(')
		return p_apply(p, h);
	return mk_var(p, h);
}

static int p_command(struct parser *p)
{
	size_t run = letter_run(p, p->i + 1);
	const char *w = p->s + p->i + 1;
	int a, b, known;

	if (!run)
		return p_fail(p);
	if (p_word(p, "frac", false) || p_word(p, "cfrac", false)) {
		a = p_group(p);
		b = p->bad ? -1 : p_group(p);
		p->last_literal = false;
		return mk(p, K_DIV, a, b);
	}
	if (p_word(p, "binom", false)) {
		a = p_group(p);
		b = p->bad ? -1 : p_group(p);
		return mk(p, K_BINOM, a, b);
	}
	if (p_word(p, "sqrt", false)) {
		b = p_peek(p) == '[' ? p_bracketed(p, ']') : -1;
		a = p_peek(p) == '(' ? p_bracketed(p, ')') : p_group(p);
		p->last_literal = false;
		return mk(p, K_ROOT, a, b);
	}
	for (size_t k = 0; k < ARRAY_SIZE(structural_words); k++)
		if (run == strlen(structural_words[k]) && span_starts(w, run, structural_words[k]))
			return p_fail(p);
	p->i++;
	known = p_known_name(p, w, run);
	if (known != NOT_KNOWN)
		return known;
	/* \alpha, \theta, any other control word: a variable of that name */
	p->i += run;
	return mk_var(p, p_subscript(p, hash_bytes(0x636d640000000000ULL, w, run)));
}

static int p_primary_in(struct parser *p)
{
	int c = p_peek(p);

	p->last_literal = false;
	if (is_digit(c) || (c == '.' && p->i + 1 < p->n && is_digit((unsigned char)p->s[p->i + 1])))
		return p_number(p);
	if (c == '(')
		return p_bracketed(p, ')');
	if (c == '{')
		return p_bracketed(p, '}');
	if (c == '|')
		return mk(p, K_ABS, p_bracketed(p, '|'), -1);
	if (c == '\\')
		return p_command(p);
	if (is_alpha(c))
		return p_name(p);
	return p_fail(p);
}

static int p_primary(struct parser *p)
{
	int v;

	if (!p_enter(p))
		return -1;
	v = p_primary_in(p);
	p->depth--;
	return v;
}

static int p_power(struct parser *p)
{
	int v = p_primary(p);
	bool literal = p->last_literal;

	while (!p->bad && p->i < p->n && p->s[p->i] == '!' &&
	       !(p->i + 1 < p->n && p->s[p->i + 1] == '=')) {
		p->i++;
		v = mk(p, K_FACT, v, -1);
		literal = false;
	}
	if (!p->bad && p_peek(p) == '^') {
		p->i++;
		v = mk(p, K_POW, v, p_exponent(p));
		literal = false;
	}
	p->last_literal = literal;
	return v;
}

static int p_unary(struct parser *p)
{
	int c = p_peek(p), v;

	if (!p_enter(p))
		return -1;
	if (c == '-' || c == '+') {
		p->i++;
		v = p_unary(p);
		if (c == '-')
			v = mk(p, K_NEG, v, -1);
		p->last_literal = false;
	} else {
		v = p_power(p);
	}
	p->depth--;
	return v;
}

/* Is node v an integer literal, or minus one? Its sign in *neg. */
static bool integer_literal(const struct sym_form *f, int v, bool *neg)
{
	*neg = v >= 0 && f->n[v].kind == K_NEG;
	if (*neg)
		v = f->n[v].a;
	return v >= 0 && f->n[v].kind == K_NUM && !f->n[v].decimal && f->n[v].x == floor(f->n[v].x);
}

/* A proper fraction of integer literals: the tail of a mixed number. */
static bool proper_fraction(const struct sym_form *f, int v)
{
	const struct sym_node *d = &f->n[v], *a, *b;

	if (d->kind != K_DIV)
		return false;
	a = &f->n[d->a];
	b = &f->n[d->b];
	return a->kind == K_NUM && b->kind == K_NUM && !a->decimal && !b->decimal &&
	       a->x == floor(a->x) && b->x == floor(b->x) && a->x < b->x;
}

/*
 * A number as a factor after another factor: "2^6 3^5", "(x+1)2", but not
 * "x2" or "CO2", which name things (a chemical formula is no product).
 */
static bool digit_factor_ok(const struct parser *p)
{
	char before = p->i ? p->s[p->i - 1] : ' ';

	return is_sp((unsigned char)before) || before == ')' || before == '}';
}

static int p_term(struct parser *p)
{
	int v = p_unary(p), f;
	bool first = true;

	while (!p->bad) {
		int c = p_peek(p);
		bool was_literal = p->last_literal, neg;

		if (c == '*' || c == '/') {
			p->i++;
			f = p_unary(p);
			v = mk(p, c == '*' ? K_MUL : K_DIV, v, f);
		} else if (c == '(' || c == '{' || c == '\\' || is_alpha(c) ||
			   (is_digit(c) && !was_literal && digit_factor_ok(p))) {
			bool frac = span_starts(p->s + p->i, p->n - p->i, "\\frac");

			f = p_power(p);
			/* "3\frac{1}{2}" is the mixed number 3.5 */
			if (!p->bad && first && frac && integer_literal(p->f, v, &neg) &&
			    proper_fraction(p->f, f))
				v = mk(p, neg ? K_SUB : K_ADD, v, f);
			else
				v = mk(p, K_MUL, v, f);
		} else {
			break;
		}
		first = false;
	}
	return v;
}

static int p_expr(struct parser *p)
{
	int v = p_term(p);

	while (!p->bad) {
		int c = p_peek(p);

		if (c != '+' && c != '-')
			break;
		p->i++;
		v = mk(p, c == '+' ? K_ADD : K_SUB, v, p_term(p));
	}
	return v;
}

/* A relation operator at the cursor, consumed; false if none. */
static bool p_relop(struct parser *p, enum sym_relop *op)
{
	static const struct {
		const char *s;
		enum sym_relop op;
	} ops[] = {
		{ "<=", R_LE }, { ">=", R_GE }, { "!=", R_NE }, { "==", R_EQ },
		{ "=", R_EQ }, { "<", R_LT }, { ">", R_GT },
	};

	p_peek(p);
	for (size_t k = 0; k < ARRAY_SIZE(ops); k++)
		if (span_starts(p->s + p->i, p->n - p->i, ops[k].s)) {
			p->i += strlen(ops[k].s);
			*op = ops[k].op;
			return true;
		}
	return false;
}

/* Parse the flattened text into f; 0, -1 (no expression) or ANSWER_TOO_DEEP. */
static int parse_form(const char *s, size_t n, struct sym_form *f)
{
	struct parser p = { s, 0, n, f, 0, false, false, false };
	enum sym_relop op;

	memset(f, 0, sizeof(*f));
	f->part[f->nparts++] = p_expr(&p);
	while (!p.bad && f->nparts < SYM_MAX_PARTS && p_relop(&p, &op)) {
		f->op[f->nparts - 1] = op;
		f->part[f->nparts++] = p_expr(&p);
	}
	if (p.too_deep)
		return ANSWER_TOO_DEEP;
	if (p.bad || p_peek(&p) || !f->nr)
		return -1;
	return 0;
}

/* "90^\circ" is 90 degrees: \pi/2 to the trig functions, so it becomes 90*\pi/180. */
static void degrees_to_radians(struct span s, struct sbuf *out)
{
	static const char *const marks[] = { "^{\\circ}", "^\\circ", "\xc2\xb0" };

	for (size_t i = 0; i < s.n;) {
		bool hit = false;

		for (size_t k = 0; k < ARRAY_SIZE(marks) && !hit; k++)
			if (span_starts(s.p + i, s.n - i, marks[k])) {
				sbuf_addstr(out, "*\\frac{\\pi}{180}");
				i += strlen(marks[k]);
				hit = true;
			}
		if (!hit)
			sbuf_addch(out, s.p[i++]);
	}
}

int answer_sym_read(struct span s, struct sbuf *flat, struct sym_form *f)
{
	struct sbuf rad = SBUF_INIT;
	int r;

	if (s.n > SYM_MAX_INPUT)
		return -1;
	degrees_to_radians(s, &rad);
	answer_latex_flatten(span_make(rad.buf, rad.len), flat);
	sbuf_release(&rad);
	r = parse_form(flat->buf, flat->len, f);
	return r;
}
