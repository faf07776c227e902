/*
 * answer_set.c — parse each side into a structure (kind, brackets, element
 * spans split at top-level commas), then compare: sequences position by
 * position, sets and lists by covering each other both ways (every element
 * of one has an equal in the other), so duplicates do not count.
 *
 * Elements are compared all against all, hence the bound on their number;
 * an element may itself be a set, hence the bound on depth.
 */
#include "answer/answer_set.h"

#include <stdlib.h>

#include "answer/answer_check.h"
#include "answer/answer_latex.h"
#include "answer/answer_number.h"
#include "core/util.h"

#define RULE_MAX_DEPTH 8	/* nested sets of sets of ... */
#define STRUCT_MAX_ELEMS 256	/* larger "sets" are not compared as sets */

enum struct_kind { ST_SEQ, ST_SET, ST_LIST };

struct structure {
	enum struct_kind kind;
	char open, close;
	struct span *elem;
	size_t nelem;
};

/* Bracket depth change at s[i], and its width (\{ is two bytes). */
static int bracket_at(struct span s, size_t i, size_t *width)
{
	*width = 1;
	if (s.p[i] == '\\' && i + 1 < s.n && (s.p[i + 1] == '{' || s.p[i + 1] == '}')) {
		*width = 2;
		return s.p[i + 1] == '{' ? 1 : -1;
	}
	if (strchr("([{", s.p[i]))
		return 1;
	if (strchr(")]}", s.p[i]))
		return -1;
	return 0;
}

/* Split s at top-level commas; false if a bracket closes too early. */
static bool split_commas(struct span s, struct structure *st)
{
	size_t alloc = 0, start = 0;
	int depth = 0;

	st->elem = NULL;
	st->nelem = 0;
	for (size_t i = 0; i <= s.n;) {
		size_t w = 1;

		if (i == s.n || (s.p[i] == ',' && !depth)) {
			struct span e = span_trim(span_make(s.p + start, i - start));

			if (st->nelem >= STRUCT_MAX_ELEMS)
				return false;	/* element pairs are compared all against all */
			ALLOC_GROW(st->elem, st->nelem + 1, alloc);
			st->elem[st->nelem++] = e;
			if (!e.n || i == s.n)
				return e.n > 0;
			start = ++i;
			continue;
		}
		depth += bracket_at(s, i, &w);
		if (depth < 0)
			return false;
		i += w;
	}
	return true;
}

static bool has_comma_space(struct span s)
{
	int depth = 0;

	for (size_t i = 0; i + 1 < s.n; i++) {
		size_t w;

		depth += bracket_at(s, i, &w);
		if (!depth && s.p[i] == ',' && s.p[i + 1] == ' ')
			return true;
	}
	return false;
}

/*
 * Without a space after its commas, "1,234" is a number and "3,5" may be
 * one; "-5,-2,7" and "a,b" are lists: some element after the first is
 * signed or not a number, or there are three elements and one after the
 * first is no group of three digits.
 */
static bool plainly_list(const struct structure *st)
{
	bool grouped = true;

	for (size_t i = 1; i < st->nelem; i++) {
		struct span e = st->elem[i];

		if (!is_digit((unsigned char)e.p[0]))
			return true;
		if (e.n != 3 || !is_digit((unsigned char)e.p[1]) || !is_digit((unsigned char)e.p[2]))
			grouped = false;
	}
	return st->nelem >= 3 && !grouped;
}

static bool structure_fail(struct structure *st)
{
	free(st->elem);
	st->elem = NULL;
	st->nelem = 0;
	return false;
}

/* A bare list "a, b, c" (see plainly_list for one without spaces). */
static bool parse_list(struct span s, struct structure *st, bool loose)
{
	st->kind = ST_LIST;
	if (!split_commas(s, st) || st->nelem < 2 ||
	    (!loose && !has_comma_space(s) && !plainly_list(st)))
		return structure_fail(st);
	return true;
}

/*
 * On failure st->elem is NULL; on success the caller frees it. `loose`
 * reads any bare "a,b" as a list: when the other side is a list, "1,2"
 * is one too, not the decimal 1.2.
 */
static bool structure_parse(struct span s, struct structure *st, bool loose)
{
	size_t ow, cw;
	int depth = 0;
	bool escaped;

	memset(st, 0, sizeof(*st));
	s = span_trim(s);
	if (s.n < 2)
		return false;
	if (bracket_at(s, 0, &ow) != 1)
		return parse_list(s, st, loose);
	escaped = ow == 2;
	cw = s.p[s.n - 2] == '\\' ? 2 : 1;
	if (s.n < ow + cw || !strchr(")]}", s.p[s.n - 1]))
		return false;
	/*
	 * The opening bracket must close at the very end: "(1)+(2)" is no
	 * tuple, and "(1, 2), (3, 4)" is a list of tuples.
	 */
	for (size_t i = 0; i < s.n - cw;) {
		size_t w;

		depth += bracket_at(s, i, &w);
		if (!depth)
			return parse_list(s, st, loose);
		i += w;
	}
	st->open = escaped ? '{' : s.p[0];
	st->close = s.p[s.n - 1];
	if ((st->open == '{') != (st->close == '}'))
		return false;
	st->kind = st->open == '{' ? ST_SET : ST_SEQ;
	if (!split_commas(span_make(s.p + ow, s.n - ow - cw), st))
		return structure_fail(st);
	/* "(5)" and "{5}" are grouping; "\{5\}" is a set. */
	if (st->nelem < 2 && !escaped)
		return structure_fail(st);
	return true;
}

/* The name in "x = 1", spaces dropped, into out; false if there is no '='. */
static bool assignment_name(struct span s, struct sbuf *out)
{
	size_t first, last;

	if (!answer_number_find_equals(s, &first, &last))
		return false;
	for (size_t i = 0; i < first; i++)
		if (!is_sp((unsigned char)s.p[i]))
			sbuf_addch(out, s.p[i]);
	return true;
}

/*
 * "x=1" vs "x = 1": when both name their values, the names must agree
 * too; "x = 1, y = 2" against "1, 2" compares the values.
 */
static bool element_equal(const struct span_equal *eq, struct span a, struct span b, int depth)
{
	struct sbuf na = SBUF_INIT, nb = SBUF_INIT;
	bool a_named = assignment_name(a, &na);
	bool b_named = assignment_name(b, &nb);
	bool same = !a_named || !b_named || !strcmp(na.buf, nb.buf);

	sbuf_release(&na);
	sbuf_release(&nb);
	return same && eq->fn(eq->data, answer_number_strip_assignment(a),
			      answer_number_strip_assignment(b), depth + 1);
}

/* Every element of a has an equal in b. */
static bool covered(const struct span_equal *eq, const struct structure *a,
		    const struct structure *b, int depth)
{
	for (size_t i = 0; i < a->nelem; i++) {
		bool hit = false;

		for (size_t j = 0; j < b->nelem && !hit; j++)
			hit = element_equal(eq, a->elem[i], b->elem[j], depth);
		if (!hit)
			return false;
	}
	return true;
}

static bool structures_equal(const struct span_equal *eq, const struct structure *a,
			     const struct structure *b, int depth)
{
	if (a->kind == ST_SEQ || b->kind == ST_SEQ) {
		if (a->kind != b->kind || a->open != b->open || a->close != b->close ||
		    a->nelem != b->nelem)
			return false;
		for (size_t i = 0; i < a->nelem; i++)
			if (!element_equal(eq, a->elem[i], b->elem[i], depth))
				return false;
		return true;
	}
	return covered(eq, a, b, depth) && covered(eq, b, a, depth);
}

/* Split at top-level \cup (answer_latex_flatten spells ∪ that way too). */
static size_t split_union(struct span s, struct span *parts, size_t max)
{
	size_t n = 0, start = 0;
	int depth = 0;

	for (size_t i = 0; i < s.n && n + 1 < max;) {
		size_t w;

		if (!depth && answer_latex_command_at(s.p + i, s.n - i, "\\cup")) {
			parts[n++] = span_make(s.p + start, i - start);
			i += 4;
			start = i;
			continue;
		}
		depth += bracket_at(s, i, &w);
		i += w;
	}
	parts[n++] = span_make(s.p + start, s.n - start);
	return n;
}

/* Parse each part of a union; how many parsed (a bare list only stands alone). */
static size_t parse_parts(const struct span *part, size_t n, struct structure *st, bool loose)
{
	size_t ok = 0;

	while (ok < n && structure_parse(part[ok], &st[ok], loose)) {
		if (n > 1 && st[ok].kind == ST_LIST) {
			structure_fail(&st[ok]);
			break;
		}
		ok++;
	}
	return ok;
}

int answer_set_compare(const struct span_equal *eq, struct span p, struct span g, int depth,
		       bool *correct)
{
	struct sbuf fp = SBUF_INIT, fg = SBUF_INIT;
	struct span up[8], ug[8];
	struct structure sp[8], sg[8];
	size_t np, ng, okp, okg;
	int decided = 0;

	if (depth > RULE_MAX_DEPTH)
		return ANSWER_TOO_DEEP;
	answer_latex_flatten(p, &fp);
	answer_latex_flatten(g, &fg);
	np = split_union(span_make(fp.buf, fp.len), up, ARRAY_SIZE(up));
	ng = split_union(span_make(fg.buf, fg.len), ug, ARRAY_SIZE(ug));
	okp = parse_parts(up, np, sp, false);
	okg = parse_parts(ug, ng, sg, false);
	/* One side a bare list, the other "1,2": read that as a list too. */
	if (okp == np && okg < ng && np == 1 && ng == 1 && sp[0].kind == ST_LIST)
		okg = parse_parts(ug, ng, sg, true);
	else if (okg == ng && okp < np && np == 1 && ng == 1 && sg[0].kind == ST_LIST)
		okp = parse_parts(up, np, sp, true);
	if (okp == np && okg == ng) {
		decided = 1;
		*correct = np == ng;
		for (size_t i = 0; i < np && *correct; i++)
			*correct = structures_equal(eq, &sp[i], &sg[i], depth);
	}
	for (size_t i = 0; i < okp; i++)
		free(sp[i].elem);
	for (size_t i = 0; i < okg; i++)
		free(sg[i].elem);
	sbuf_release(&fp);
	sbuf_release(&fg);
	return decided;
}
