/*
 * answer_check.c — the rule dispatcher: answer_equivalent runs the rules
 * in the order answer_check.h gives (or the one rule a mode names), and
 * answer_check extracts first, then compares. Also the names of modes,
 * extraction methods and percent policies as command lines spell them.
 *
 * Each rule lives in its own module and says whether it applies to both
 * sides before it says whether they match; the first rule that applies
 * decides. The set and mc rules compare parts of answers (elements,
 * option texts) through plain_equal, handed to them as a span_equal, so
 * that "{1/2, 3}" = "{0.5, 3}" and an option's text can match a number.
 *
 * A rule that hits a depth limit (answer_check.h) counts as applying and
 * not equal, and marks the ctx: the verdict is then too_deep, whatever
 * the rest of the comparison said.
 *
 * Nothing here is global or locale-dependent beyond strtod's decimal
 * point, which stages leave at "C".
 */
#include "answer/answer_check.h"

#include <stdlib.h>

#include "answer/answer_clean.h"
#include "answer/answer_mc.h"
#include "answer/answer_norm.h"
#include "answer/answer_number.h"
#include "answer/answer_set.h"
#include "answer/answer_sym.h"
#include "answer/answer_vqa.h"
#include "answer/span.h"
#include "core/util.h"

/* ---- rules --------------------------------------------------------- */

#define EXACT_MAX_TOL 1e-3	/* tolerances up to the default: rationals compare exactly */

struct ctx {
	const struct answer_opts *o;
	double tol;
	bool lenient;
	enum answer_mode num_method;	/* NUMERIC, RELAXED or EXPR */
	struct answer_mc_options mc;
	struct span_equal eq;		/* plain_equal over this ctx */
	bool too_deep;			/* a rule hit a depth limit */
};

struct outcome {
	bool correct;
	enum answer_mode method;
};

static bool rule_exact(struct span p, struct span g)
{
	struct sbuf a = SBUF_INIT, b = SBUF_INIT;
	bool eq;

	span_casefold(p, &a, false);
	span_casefold(g, &b, false);
	eq = a.len == b.len && !memcmp(a.buf, b.buf, a.len);
	sbuf_release(&a);
	sbuf_release(&b);
	return eq;
}

static int rule_mc(struct ctx *c, struct span p, struct span g, bool *correct)
{
	return answer_mc_compare(&c->mc, &c->eq, p, g, correct);
}

/* A rule's ANSWER_TOO_DEEP: it applies, the sides are not equal, the ctx is marked. */
static int rule_limit(struct ctx *c, int r, bool *correct)
{
	if (r != ANSWER_TOO_DEEP)
		return r;
	c->too_deep = true;
	*correct = false;
	return 1;
}

static int rule_set(struct ctx *c, struct span p, struct span g, int depth, bool *correct)
{
	return rule_limit(c, answer_set_compare(&c->eq, p, g, depth, correct), correct);
}

/*
 * Numbers within the tolerance; two rationals written with integers only
 * ("1000/1001" vs "1") must be exactly equal, unless a wider tolerance
 * than the default was asked for.
 */
static int rule_numeric(struct ctx *c, struct span p, struct span g, bool *correct)
{
	int r = answer_number_compare(p, g, c->lenient, c->tol, c->o->percent, correct);
	bool exact;

	if (r == 1 && *correct && c->tol <= EXACT_MAX_TOL && answer_sym_exact(p, g, &exact))
		*correct = exact;
	return rule_limit(c, r, correct);
}

static int rule_symbolic(struct ctx *c, struct span p, struct span g, bool *correct)
{
	return rule_limit(c, answer_sym_compare(p, g, c->tol, correct), correct);
}

/* Exact, set, numeric, symbolic, vqa: the rules that compare two texts. */
static bool plain_equal(void *data, struct span p, struct span g, int depth)
{
	struct ctx *c = data;
	bool correct = false;

	p = answer_clean_span(p);
	g = answer_clean_span(g);
	if (!p.n || !g.n)
		return false;
	if (rule_exact(p, g))
		return true;
	if (rule_set(c, p, g, depth, &correct) || rule_numeric(c, p, g, &correct) ||
	    rule_symbolic(c, p, g, &correct))
		return correct;
	return answer_vqa_equal(p, g);
}

/* ---- dispatch ------------------------------------------------------ */

void answer_opts_init(struct answer_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->mode = ANSWER_AUTO;
	opts->extract = EXTRACT_AUTO;
	opts->rel_tol = 1e-3;
	opts->relaxed_tol = 0.05;
	opts->anls_threshold = 0.5;
	opts->percent = ANSWER_PERCENT_EITHER;
}

static struct outcome decide(bool correct, enum answer_mode m)
{
	struct outcome r = { correct, m };
	return r;
}

static struct outcome run_auto(struct ctx *c, struct span p, struct span g)
{
	bool correct = false;

	if (rule_exact(p, g))
		return decide(true, ANSWER_EXACT);
	if (rule_mc(c, p, g, &correct))
		return decide(correct, ANSWER_MC);
	if (rule_set(c, p, g, 0, &correct))
		return decide(correct, ANSWER_SET);
	if (rule_numeric(c, p, g, &correct))
		return decide(correct, c->num_method);
	if (rule_symbolic(c, p, g, &correct))
		return decide(correct, ANSWER_SYMBOLIC);
	return decide(answer_vqa_equal(p, g), ANSWER_VQA);
}

static struct outcome run_mode(struct ctx *c, struct span p, struct span g)
{
	bool correct = false;

	switch (c->o->mode) {
	case ANSWER_EXACT:
		return decide(rule_exact(p, g), ANSWER_EXACT);
	case ANSWER_VQA:
		return decide(answer_vqa_equal(p, g), ANSWER_VQA);
	case ANSWER_MC:
		if (rule_exact(p, g))
			return decide(true, ANSWER_EXACT);
		return decide(rule_mc(c, p, g, &correct) && correct, ANSWER_MC);
	case ANSWER_NUMERIC:
		return decide(rule_numeric(c, p, g, &correct) && correct, ANSWER_NUMERIC);
	case ANSWER_SET:
		return decide(rule_set(c, p, g, 0, &correct) && correct, ANSWER_SET);
	case ANSWER_SYMBOLIC:
		if (rule_set(c, p, g, 0, &correct))
			return decide(correct, ANSWER_SET);
		return decide(rule_symbolic(c, p, g, &correct) && correct, ANSWER_SYMBOLIC);
	case ANSWER_EXPR:
		if (rule_set(c, p, g, 0, &correct))
			return decide(correct, ANSWER_SET);
		return decide(rule_numeric(c, p, g, &correct) && correct, ANSWER_EXPR);
	case ANSWER_AUTO:
	case ANSWER_RELAXED:
	case ANSWER_ANLS:
	case ANSWER_NONE:
		break;
	}
	return run_auto(c, p, g);
}

/* answer_norm's form of a cleaned answer, cleaned again only if it changed. */
static struct span normalized(struct span s, struct sbuf *buf)
{
	answer_norm(s, buf);
	if (buf->len == s.n && !memcmp(buf->buf, s.p, s.n))
		return s;
	return answer_clean_span(span_make(buf->buf, buf->len));
}

/* "(5, \infty)", "[1, 2) \cup (3, 4]": brackets and a comma. */
static bool looks_like_interval(struct span s)
{
	return s.n >= 5 && (s.p[0] == '(' || s.p[0] == '[') &&
	       (s.p[s.n - 1] == ')' || s.p[s.n - 1] == ']') && memchr(s.p, ',', s.n);
}

int answer_equivalent(const char *pred, const char *gold, const struct answer_opts *opts,
		      struct answer_verdict *v)
{
	struct answer_opts defaults;
	struct ctx c;
	struct span p, g;
	struct outcome r;
	struct sbuf np = SBUF_INIT, ng = SBUF_INIT, ip = SBUF_INIT;

	if (!pred || !gold || !v)
		return error("answer_equivalent: NULL argument");
	if (!opts) {
		answer_opts_init(&defaults);
		opts = &defaults;
	}
	v->correct = false;
	v->score = 0;
	v->too_deep = false;
	v->method = opts->mode == ANSWER_AUTO ? ANSWER_NONE : opts->mode;
	p = answer_clean_span(span_of(pred));
	g = answer_clean_span(span_of(gold));
	if (!p.n || !g.n)
		return 0;
	if (opts->mode == ANSWER_ANLS) {
		char *cp = xstrndup(p.p, p.n), *cg = xstrndup(g.p, g.n);
		double sim = answer_anls(cp, cg);

		free(cp);
		free(cg);
		v->method = ANSWER_ANLS;
		v->score = 1.0 - sim < opts->anls_threshold ? sim : 0;
		v->correct = v->score > 0;
		return 0;
	}
	/* ANLS compares document strings as written; the other rules read notation. */
	p = normalized(p, &np);
	g = normalized(g, &ng);
	/* "x > 5" against "(5, \infty)": the inequality read as an interval */
	if (looks_like_interval(g) && answer_norm_inequality(p, true, &ip))
		p = span_make(ip.buf, ip.len);
	else if (looks_like_interval(p) && answer_norm_inequality(g, true, &ip))
		g = span_make(ip.buf, ip.len);
	memset(&c, 0, sizeof(c));
	c.o = opts;
	c.lenient = opts->mode != ANSWER_EXPR;
	c.tol = opts->mode == ANSWER_RELAXED ? opts->relaxed_tol : opts->rel_tol;
	c.num_method = opts->mode == ANSWER_RELAXED ? ANSWER_RELAXED
		     : opts->mode == ANSWER_EXPR    ? ANSWER_EXPR
						    : ANSWER_NUMERIC;
	c.eq.fn = plain_equal;
	c.eq.data = &c;
	answer_mc_options_load(&c.mc, opts);
	r = run_mode(&c, p, g);
	if (c.too_deep)
		r = decide(false, ANSWER_NONE);
	v->too_deep = c.too_deep;
	v->correct = r.correct;
	v->method = r.method;
	v->score = r.correct ? 1 : 0;
	sbuf_release(&np);
	sbuf_release(&ng);
	sbuf_release(&ip);
	return 0;
}

int answer_check(const char *response, const char *gold, const struct answer_opts *opts,
		 struct answer_verdict *v, struct sbuf *extracted)
{
	struct sbuf local = SBUF_INIT;
	struct sbuf *ans = extracted ? extracted : &local;
	enum extract_method found = EXTRACT_NONE;
	int ret;

	if (!response || !gold || !v)
		return error("answer_check: NULL argument");
	ret = answer_extract(response, opts ? opts->extract : EXTRACT_AUTO, ans, &found);
	if (ret <= 0) {
		v->correct = false;
		v->method = ANSWER_NONE;
		v->score = 0;
		v->too_deep = false;
		v->extracted = EXTRACT_NONE;
	} else {
		ret = answer_equivalent(ans->buf, gold, opts, v);
		v->extracted = found;
	}
	sbuf_release(&local);
	return ret < 0 ? -1 : 0;
}

/* ---- names --------------------------------------------------------- */

static const char *const mode_names[] = {
	[ANSWER_AUTO] = "auto", [ANSWER_EXACT] = "exact", [ANSWER_VQA] = "vqa",
	[ANSWER_MC] = "mc", [ANSWER_NUMERIC] = "numeric", [ANSWER_RELAXED] = "relaxed",
	[ANSWER_ANLS] = "anls", [ANSWER_EXPR] = "expr", [ANSWER_SET] = "set",
	[ANSWER_NONE] = "none", [ANSWER_SYMBOLIC] = "symbolic",
};

static const char *const extract_names[] = {
	[EXTRACT_NONE] = "none", [EXTRACT_AUTO] = "auto", [EXTRACT_ANSWER_TAG] = "answer-tag",
	[EXTRACT_FINAL_ANSWER] = "final-answer", [EXTRACT_BOXED] = "boxed",
	[EXTRACT_PHRASE] = "phrase", [EXTRACT_OPTION] = "option", [EXTRACT_WHOLE] = "whole",
	[EXTRACT_LAST_NUMBER] = "last-number", [EXTRACT_LAST_MATH] = "last-math",
	[EXTRACT_STRICT] = "strict",
};

static const char *const percent_names[] = {
	[ANSWER_PERCENT_EITHER] = "either", [ANSWER_PERCENT_STRIP] = "strip",
	[ANSWER_PERCENT_SCALE] = "scale",
};

static int name_lookup(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			return (int)i;
	return -1;
}

static const char *name_of(const char *const *names, size_t n, size_t i)
{
	return i < n && names[i] ? names[i] : "unknown";
}

const char *answer_mode_name(enum answer_mode mode)
{
	return name_of(mode_names, ARRAY_SIZE(mode_names), (size_t)mode);
}

int answer_mode_parse(const char *name, enum answer_mode *out)
{
	int i = name_lookup(mode_names, ARRAY_SIZE(mode_names), name);

	/* "none" is a verdict, not a mode anyone can ask for. */
	if (i < 0 || i == ANSWER_NONE)
		return -1;
	*out = (enum answer_mode)i;
	return 0;
}

const char *extract_method_name(enum extract_method m)
{
	return name_of(extract_names, ARRAY_SIZE(extract_names), (size_t)m);
}

int extract_method_parse(const char *name, enum extract_method *out)
{
	int i = name_lookup(extract_names, ARRAY_SIZE(extract_names), name);

	if (i <= EXTRACT_NONE)
		return -1;
	*out = (enum extract_method)i;
	return 0;
}

const char *answer_percent_name(enum answer_percent p)
{
	return name_of(percent_names, ARRAY_SIZE(percent_names), (size_t)p);
}

int answer_percent_parse(const char *name, enum answer_percent *out)
{
	int i = name_lookup(percent_names, ARRAY_SIZE(percent_names), name);

	if (i < 0)
		return -1;
	*out = (enum answer_percent)i;
	return 0;
}
