/*
 * answer_check.c — answer extraction and equivalence; answer_check.h lists
 * the rules and the order they are tried in.
 *
 * Layout: small span helpers; cleaning; extraction (one linear scan per
 * method, so a megabyte of reply costs a few passes, never a quadratic
 * search); option letters; the numeric reading (LaTeX flattening, lenient
 * decoration stripping, then a recursive-descent evaluator over + - * / ^,
 * parentheses, implicit products, \frac, \sqrt, \pi); sets and intervals;
 * VQA normalisation; ANLS; and the rule dispatcher.
 *
 * Nothing here is global or locale-dependent beyond strtod's decimal
 * point, which stages leave at "C".
 */
#include "answer/answer_check.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/util.h"

#define WHOLE_REPLY_MAX 200	/* longest one-line reply taken whole */
#define ANLS_MAX_CP 4096	/* longest string ANLS computes a distance for */
#define EVAL_MAX_DEPTH 200	/* nesting the evaluator follows before giving up */
#define RULE_MAX_DEPTH 8	/* nested sets of sets of ... */
#define OPTIONS_MAX 26
#define STRUCT_MAX_ELEMS 256	/* larger "sets" are not compared as sets */

/* ---- spans and bytes ---------------------------------------------- */

struct span {
	const char *p;
	size_t n;
};

static struct span span_of(const char *s)
{
	struct span r = { s, strlen(s) };
	return r;
}

static struct span span_make(const char *p, size_t n)
{
	struct span r = { p, n };
	return r;
}

static int is_sp(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(int c)
{
	return is_alpha(c) || is_digit(c);
}

static int to_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int to_upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c;
}

/* Does p[0..n) start with lit (exact bytes)? */
static bool starts(const char *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	return n >= k && !memcmp(p, lit, k);
}

/* The same, ignoring ASCII case. */
static bool starts_ci(const char *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);

	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++)
		if (to_lower((unsigned char)p[i]) != to_lower((unsigned char)lit[i]))
			return false;
	return true;
}

static bool ends_with(struct span s, const char *lit)
{
	size_t k = strlen(lit);
	return s.n >= k && !memcmp(s.p + s.n - k, lit, k);
}

/* Bytes of the ideographic space, which zh replies pad with. */
#define IDEO_SPACE "\xe3\x80\x80"

static struct span span_trim(struct span s)
{
	for (;;) {
		if (s.n && is_sp((unsigned char)s.p[0])) {
			s.p++;
			s.n--;
		} else if (starts(s.p, s.n, IDEO_SPACE)) {
			s.p += 3;
			s.n -= 3;
		} else {
			break;
		}
	}
	for (;;) {
		if (s.n && is_sp((unsigned char)s.p[s.n - 1]))
			s.n--;
		else if (ends_with(s, IDEO_SPACE))
			s.n -= 3;
		else
			break;
	}
	return s;
}

/* Does lit occur in s unescaped? An escaped dollar is no math delimiter. */
static bool span_contains(struct span s, const char *lit)
{
	size_t k = strlen(lit);

	for (size_t i = 0; i + k <= s.n; i++)
		if (!memcmp(s.p + i, lit, k) && (!i || s.p[i - 1] != '\\'))
			return true;
	return false;
}

/* Offset of the '}' closing the '{' at s[open] (\{ and \} do not count), or -1. */
static long brace_close(const char *s, size_t n, size_t open)
{
	long depth = 0;

	for (size_t i = open; i < n; i++) {
		if (s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] == '{')
			depth++;
		else if (s[i] == '}' && --depth == 0)
			return (long)i;
	}
	return -1;
}

/* Case fold (and with compat, NFKC: full-width forms to ASCII). */
static void casefold(struct span s, struct sbuf *out, bool compat)
{
	utf8proc_uint8_t *dst = NULL;
	utf8proc_ssize_t r;
	int flags = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD;

	if (compat)
		flags |= UTF8PROC_COMPAT;
	r = utf8proc_map((const utf8proc_uint8_t *)s.p, (utf8proc_ssize_t)s.n, &dst,
			 (utf8proc_option_t)flags);
	if (r >= 0) {
		sbuf_add(out, dst, (size_t)r);
		free(dst);
		return;
	}
	free(dst);
	/* Not UTF-8: fold what ASCII there is and keep the rest as bytes. */
	for (size_t i = 0; i < s.n; i++)
		sbuf_addch(out, to_lower((unsigned char)s.p[i]));
}

/* ---- cleaning ------------------------------------------------------ */

/* Strip open..close around s when the inside does not hold `open` again. */
static bool strip_pair(struct span *s, const char *open, const char *close)
{
	size_t a = strlen(open), b = strlen(close);
	struct span in;

	if (s->n < a + b || memcmp(s->p, open, a) || memcmp(s->p + s->n - b, close, b))
		return false;
	in = span_make(s->p + a, s->n - a - b);
	if (span_contains(in, open) || span_contains(in, close))
		return false;
	*s = in;
	return true;
}

/* Commands whose argument is the answer when they wrap all of it. */
static const char *const wrapping_commands[] = {
	"\\boxed", "\\fbox", "\\text", "\\textbf", "\\textrm", "\\mathrm", "\\mathbf", "\\mbox",
};

static bool strip_command(struct span *s)
{
	for (size_t k = 0; k < ARRAY_SIZE(wrapping_commands); k++) {
		const char *cmd = wrapping_commands[k];
		size_t i = strlen(cmd);
		long close;

		if (!starts(s->p, s->n, cmd) || (i < s->n && is_alpha((unsigned char)s->p[i])))
			continue;
		while (i < s->n && s->p[i] == ' ')
			i++;
		if (i >= s->n || s->p[i] != '{')
			continue;
		close = brace_close(s->p, s->n, i);
		if (close != (long)s->n - 1)
			continue;
		*s = span_make(s->p + i + 1, s->n - i - 2);
		return true;
	}
	return false;
}

/* Occurrences of lit in s. */
static size_t span_count(struct span s, const char *lit)
{
	size_t k = strlen(lit), n = 0;

	for (size_t i = 0; i + k <= s.n; i++)
		if (!memcmp(s.p + i, lit, k)) {
			n++;
			i += k - 1;
		}
	return n;
}

/*
 * Strip layers until none is left. Unwrapping is capped: each layer costs
 * a scan, and a thousand nested boxes are no answer anyway.
 */
static struct span clean_span(struct span s)
{
	int unwraps = 0;

	for (;;) {
		s = span_trim(s);
		/* Half of a bold pair cut off by the marker: "**Answer:** 7", "7**". */
		if ((starts(s.p, s.n, "**") || ends_with(s, "**")) && span_count(s, "**") == 1) {
			if (starts(s.p, s.n, "**")) {
				s.p += 2;
				s.n -= 2;
				continue;
			}
			if (ends_with(s, "**")) {
				s.n -= 2;
				continue;
			}
		}
		if (s.n && s.p[s.n - 1] == '.') {
			s.n--;
			continue;
		}
		if (ends_with(s, "\xe3\x80\x82")) {	/* 。 */
			s.n -= 3;
			continue;
		}
		if (unwraps++ < 64 &&
		    (strip_pair(&s, "$$", "$$") || strip_pair(&s, "$", "$") ||
		     strip_pair(&s, "\\(", "\\)") || strip_pair(&s, "\\[", "\\]") ||
		     strip_pair(&s, "**", "**") || strip_pair(&s, "*", "*") || strip_command(&s)))
			continue;
		return s;
	}
}

void answer_clean(const char *s, struct sbuf *out)
{
	struct span c = clean_span(span_of(s));

	sbuf_add(out, c.p, c.n);
}

/* ---- option letters ------------------------------------------------ */

struct letter_form {
	char letter;		/* 'A'..'Z' */
	struct span rest;	/* text after "B." / "(B)", may be empty */
};

static size_t skip_bold(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] == '*')
		i++;
	return i;
}

/*
 * Is s an option letter: "B", "(B)", "[B]", "B.", "B)", "B:", "**B**",
 * "Option B", "B. text", "(B) text"? A lowercase letter only counts in
 * brackets or alone. `loose` also takes a letter followed by a space or
 * comma ("B because ..."), keeping just the letter: right after "the
 * answer is", but not for a whole answer, where "A cat" is no option.
 */
static bool letter_parse(struct span s, bool loose, struct letter_form *lf)
{
	const char *p, *end;
	const char *close = NULL;
	int c;

	s = span_trim(s);
	p = s.p;
	end = s.p + s.n;
	p += skip_bold(p, (size_t)(end - p));
	if ((starts_ci(p, (size_t)(end - p), "option") || starts_ci(p, (size_t)(end - p), "choice")) &&
	    end - p > 6 && (p[6] == ' ' || p[6] == '(')) {
		p += 6;
		while (p < end && *p == ' ')
			p++;
	}
	if (p < end && *p == '(') {
		close = ")";
		p++;
	} else if (p < end && *p == '[') {
		close = "]";
		p++;
	} else if (starts(p, (size_t)(end - p), "\xef\xbc\x88")) {	/* （ */
		close = "\xef\xbc\x89";					/* ） */
		p += 3;
	}
	if (p >= end)
		return false;
	c = (unsigned char)*p;
	if (!(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z' && (close || s.n == 1)))
		return false;
	lf->letter = (char)to_upper(c);
	p++;
	if (p < end && is_alnum((unsigned char)*p))
		return false;
	if (close) {
		if (!starts(p, (size_t)(end - p), close))
			return false;
		p += strlen(close);
	}
	p += skip_bold(p, (size_t)(end - p));
	if (p < end && !close) {
		if (*p == '.' || *p == ')' || *p == ':') {
			if (*p == '.' && p + 1 < end && !is_sp((unsigned char)p[1]) && p[1] != '*')
				return false;	/* "B.C.", "A.5" */
			p++;
		} else if (starts(p, (size_t)(end - p), "\xef\xbc\x9a")) {	/* ： */
			p += 3;
		} else if (loose && (is_sp((unsigned char)*p) || *p == ',' ||
				     starts(p, (size_t)(end - p), "\xef\xbc\x8c"))) {	/* ， */
			lf->rest = span_make(end, 0);
			return true;
		} else {
			return false;
		}
	}
	p += skip_bold(p, (size_t)(end - p));
	while (p < end && (is_sp((unsigned char)*p) || *p == '.' || *p == ':'))
		p++;
	lf->rest = span_trim(span_make(p, (size_t)(end - p)));
	return true;
}

/* ---- extraction ---------------------------------------------------- */

static const char *const zh_final_markers[] = {
	"\xe6\x9c\x80\xe7\xbb\x88\xe7\xad\x94\xe6\xa1\x88\xef\xbc\x9a",	/* 最终答案： */
	"\xe6\x9c\x80\xe7\xbb\x88\xe7\xad\x94\xe6\xa1\x88:",			/* 最终答案: */
	"\xe7\xad\x94\xe6\xa1\x88\xef\xbc\x9a",					/* 答案： */
};

/* If "final answer" starts at s[i], the offset just past its colon, else 0. */
static size_t final_marker_at(const char *s, size_t n, size_t i)
{
	size_t j = i + strlen("final answer");

	if (!starts_ci(s + i, n - i, "final answer") || (i && is_alpha((unsigned char)s[i - 1])))
		return 0;
	while (j < n && (s[j] == ' ' || s[j] == '*'))
		j++;
	if (j < n && s[j] == ':')
		j++;
	else if (starts(s + j, n - j, "\xef\xbc\x9a"))
		j += 3;
	else
		return 0;
	return j;
}

/* The answer after the last final-answer marker: up to the next blank line. */
static bool find_final_answer(const char *s, size_t n, struct span *out)
{
	size_t best = 0;
	const char *end;

	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		if (to_lower((unsigned char)s[i]) == 'f') {
			j = final_marker_at(s, n, i);
		} else if ((unsigned char)s[i] == 0xe6 || (unsigned char)s[i] == 0xe7) {
			for (size_t k = 0; k < ARRAY_SIZE(zh_final_markers) && !j; k++)
				if (starts(s + i, n - i, zh_final_markers[k]))
					j = i + strlen(zh_final_markers[k]);
		}
		if (j > best)
			best = j;
	}
	if (!best)
		return false;
	while (best < n && is_sp((unsigned char)s[best]))
		best++;
	end = strstr(s + best, "\n\n");
	*out = span_trim(span_make(s + best, end ? (size_t)(end - s) - best : n - best));
	return out->n > 0;
}

/* Is the '{' at s[i] the argument of \boxed or \fbox? */
static bool opens_box(const char *s, size_t i)
{
	while (i && s[i - 1] == ' ')
		i--;
	return (i >= 6 && !memcmp(s + i - 6, "\\boxed", 6)) ||
	       (i >= 5 && !memcmp(s + i - 5, "\\fbox", 5));
}

/*
 * The content of the last \boxed{…} / \fbox{…} whose braces close. One pass
 * with a stack of open braces, so unclosed boxes cost nothing extra.
 */
static bool find_boxed(struct span s, struct span *out)
{
	struct open {
		size_t pos;
		bool box;
	} *stack = NULL;
	size_t depth = 0, alloc = 0;
	bool found = false;

	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];

		if (c == '\\' && i + 1 < s.n &&
		    (s.p[i + 1] == '{' || s.p[i + 1] == '}' || s.p[i + 1] == '\\')) {
			i++;
		} else if (c == '{') {
			ALLOC_GROW(stack, depth + 1, alloc);
			stack[depth].pos = i;
			stack[depth].box = opens_box(s.p, i);
			depth++;
		} else if (c == '}' && depth) {
			struct open o = stack[--depth];

			if (o.box && (!found || o.pos + 1 > (size_t)(out->p - s.p))) {
				*out = span_make(s.p + o.pos + 1, i - o.pos - 1);
				found = true;
			}
		}
	}
	free(stack);
	return found;
}

/* Last offset < limit where lit occurs (ASCII case-insensitive), or -1. */
static long last_ci(const char *s, size_t limit, const char *lit)
{
	size_t k = strlen(lit);

	for (size_t i = limit >= k ? limit - k + 1 : 0; i-- > 0;)
		if (starts_ci(s + i, k, lit))
			return (long)i;
	return -1;
}

static bool find_answer_tag(const char *s, size_t n, struct span *out)
{
	long close = last_ci(s, n, "</answer>"), open;

	if (close < 0)
		return false;
	open = last_ci(s, (size_t)close, "<answer>");
	if (open < 0)
		return false;
	*out = span_trim(span_make(s + open + 8, (size_t)(close - open - 8)));
	return out->n > 0;
}

struct keyword {
	const char *word;
	bool ascii;		/* needs word boundaries */
	bool need_verb;		/* "answer" needs "is" or ':' ... */
	bool chooser;		/* ... unless a choosing word comes first */
};

/*
 * "option" and "choice" also need a verb, or a choosing word before them
 * ("choose option B"): "Option A: 3 cm is too small" in a walk through
 * the options names no answer.
 */
static const struct keyword phrase_keywords[] = {
	{ "answer", true, true, false },
	{ "option", true, true, true },
	{ "choice", true, true, true },
	{ "\xe7\xad\x94\xe6\xa1\x88\xe6\x98\xaf", false, false, false },	/* 答案是 */
	{ "\xe7\xad\x94\xe6\xa1\x88\xe4\xb8\xba", false, false, false },	/* 答案为 */
	{ "\xe6\x95\x85\xe9\x80\x89", false, false, false },		/* 故选 */
	{ "\xe5\xba\x94\xe9\x80\x89", false, false, false },		/* 应选 */
};

static const char *const choosing_words[] = {
	"correct", "right", "best", "choose", "select", "pick",
};

/* Is the word before s[i] one of choosing_words? */
static bool chosen_before(const char *s, size_t i)
{
	size_t end = i, st;

	while (end && s[end - 1] == ' ')
		end--;
	for (st = end; st && is_alpha((unsigned char)s[st - 1]); st--)
		;
	for (size_t k = 0; k < ARRAY_SIZE(choosing_words); k++)
		if (strlen(choosing_words[k]) == end - st && starts_ci(s + st, end - st, choosing_words[k]))
			return true;
	return false;
}

static const char *const phrase_verbs[] = {
	"is", "was", "would be", "should be", "will be", "must be", "=",
};

static size_t skip_blanks_and_bold(const char *s, size_t n, size_t j)
{
	while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '*'))
		j++;
	return j;
}

/* After keyword k at s[i]: the phrase's answer, to the end of its sentence. */
static bool phrase_at(const char *s, size_t n, size_t i, const struct keyword *k, struct span *out)
{
	size_t j = i + strlen(k->word), end;
	int depth;
	bool verb = false;

	if (k->ascii && ((i && is_alpha((unsigned char)s[i - 1])) ||
			 (j < n && is_alpha((unsigned char)s[j]))))
		return false;
	j = skip_blanks_and_bold(s, n, j);
	for (size_t v = 0; v < ARRAY_SIZE(phrase_verbs) && !verb; v++) {
		size_t l = strlen(phrase_verbs[v]);

		if (starts_ci(s + j, n - j, phrase_verbs[v]) &&
		    (j + l == n || !is_alpha((unsigned char)s[j + l]))) {
			j = skip_blanks_and_bold(s, n, j + l);
			verb = true;
		}
	}
	if (j < n && s[j] == ':') {
		j++;
		verb = true;
	} else if (starts(s + j, n - j, "\xef\xbc\x9a")) {
		j += 3;
		verb = true;
	}
	if (k->need_verb && !verb && !(k->chooser && chosen_before(s, i)))
		return false;
	while (j < n && (s[j] == ' ' || s[j] == '\t' || (verb && is_sp((unsigned char)s[j]))))
		j++;
	/* To the end of the sentence: ". ", ", ", ";" or a line end, outside brackets. */
	for (end = j, depth = 0; end < n && s[end] != '\n'; end++) {
		if (strchr("([{", s[end]))
			depth++;
		else if (strchr(")]}", s[end]) && depth)
			depth--;
		if (depth)
			continue;
		if ((s[end] == '.' || s[end] == ',') && (end + 1 == n || is_sp((unsigned char)s[end + 1])))
			break;
		if (s[end] == ';' || starts(s + end, n - end, "\xe3\x80\x82") ||	/* 。 */
		    starts(s + end, n - end, "\xef\xbc\x8c"))			/* ， */
			break;
	}
	*out = span_trim(span_make(s + j, end - j));
	return out->n > 0;
}

/*
 * The last phrase, searched from the end: a reply stuck repeating "the
 * answer is" must not cost a scan to the line end per repetition.
 */
static bool find_phrase(const char *s, size_t n, struct span *out)
{
	for (size_t i = n; i-- > 0;) {
		for (size_t k = 0; k < ARRAY_SIZE(phrase_keywords); k++) {
			const struct keyword *kw = &phrase_keywords[k];

			if ((kw->ascii ? starts_ci(s + i, n - i, kw->word)
				       : starts(s + i, n - i, kw->word)) &&
			    phrase_at(s, n, i, kw, out))
				return true;
		}
	}
	return false;
}

/* The last non-empty line, if it is an option letter and nothing else. */
static bool find_last_line_option(const char *s, size_t n, struct letter_form *lf)
{
	size_t end = n, start;
	struct span line;

	while (end && is_sp((unsigned char)s[end - 1]))
		end--;
	for (start = end; start && s[start - 1] != '\n'; start--)
		;
	line = clean_span(span_make(s + start, end - start));
	return line.n && letter_parse(line, false, lf) && !lf->rest.n;
}

static bool find_last_number(const char *s, size_t n, struct span *out)
{
	bool found = false;
	size_t i = 0;

	while (i < n) {
		size_t st = i;

		if (!is_digit((unsigned char)s[i]) &&
		    !(s[i] == '.' && i + 1 < n && is_digit((unsigned char)s[i + 1]))) {
			i++;
			continue;
		}
		while (i < n && (is_digit((unsigned char)s[i]) ||
				 ((s[i] == ',' || s[i] == '.') && i + 1 < n &&
				  is_digit((unsigned char)s[i + 1]))))
			i++;
		if (st && is_alpha((unsigned char)s[st - 1]))
			continue;	/* x2, H2O: part of a name */
		if (i + 1 < n && s[i] == '/' && is_digit((unsigned char)s[i + 1]))
			for (i++; i < n && is_digit((unsigned char)s[i]); i++)
				;
		if (i < n && s[i] == '%')
			i++;
		if (st && s[st - 1] == '-' && (st == 1 || !is_alnum((unsigned char)s[st - 2])))
			st--;
		else if (st >= 3 && !memcmp(s + st - 3, "\xe2\x88\x92", 3))	/* − */
			st -= 3;
		*out = span_make(s + st, i - st);
		found = true;
	}
	return found;
}

/* A tag or final-answer region holding a box is narrowed to the box. */
static struct span narrow_to_box(struct span s)
{
	struct span box;

	return find_boxed(s, &box) ? box : s;
}

/* "(B) because ...": what follows the letter is a reason, not the option's text. */
static bool starts_reason(struct span rest)
{
	static const char *const words[] = {
		"because", "since", "as", "which", "that", "for", "so", "and", "is", "was",
	};

	for (size_t k = 0; k < ARRAY_SIZE(words); k++) {
		size_t l = strlen(words[k]);

		if (starts(rest.p, rest.n, words[k]) && (rest.n == l || !is_alpha((unsigned char)rest.p[l])))
			return true;
	}
	return false;
}

static bool put_letter(struct sbuf *out, char letter)
{
	sbuf_reset(out);
	sbuf_addch(out, letter);
	return true;
}

/* Try one method; on success `out` holds the cleaned answer. */
static bool extract_with(const char *s, size_t n, enum extract_method m, struct sbuf *out,
			 enum extract_method *found)
{
	struct span sp = { NULL, 0 };
	struct letter_form lf;
	bool ok = false;

	*found = m;
	switch (m) {
	case EXTRACT_ANSWER_TAG:
		ok = find_answer_tag(s, n, &sp);
		if (ok)
			sp = narrow_to_box(sp);
		break;
	case EXTRACT_FINAL_ANSWER:
		ok = find_final_answer(s, n, &sp);
		if (ok)
			sp = narrow_to_box(sp);
		break;
	case EXTRACT_BOXED:
		ok = find_boxed(span_make(s, n), &sp);
		break;
	case EXTRACT_PHRASE:
	case EXTRACT_OPTION:
		if (find_phrase(s, n, &sp)) {
			sp = clean_span(sp);
			if (letter_parse(sp, true, &lf)) {
				*found = EXTRACT_OPTION;
				if (!lf.rest.n || starts_reason(lf.rest))
					return put_letter(out, lf.letter);
				ok = true;	/* "(B) 45°": the text may matter too */
				break;
			}
			if (m == EXTRACT_PHRASE) {
				ok = true;
				break;
			}
		}
		if (m == EXTRACT_PHRASE)
			break;
		/* A short reply that is an option, or a reply whose last line is one. */
		sp = clean_span(span_make(s, n));
		ok = sp.n <= WHOLE_REPLY_MAX && !memchr(sp.p, '\n', sp.n) &&
		     letter_parse(sp, false, &lf);
		if (ok && !lf.rest.n)
			return put_letter(out, lf.letter);
		if (!ok && find_last_line_option(s, n, &lf))
			return put_letter(out, lf.letter);
		break;
	case EXTRACT_WHOLE:
		sp = span_trim(span_make(s, n));
		ok = sp.n <= WHOLE_REPLY_MAX && !memchr(sp.p, '\n', sp.n);
		break;
	case EXTRACT_LAST_NUMBER:
		ok = find_last_number(s, n, &sp);
		break;
	default:
		ok = false;
	}
	if (!ok)
		return false;
	sbuf_reset(out);
	sp = clean_span(sp);
	sbuf_add(out, sp.p, sp.n);
	return out->len > 0;
}

int answer_extract(const char *text, enum extract_method pref, struct sbuf *out,
		   enum extract_method *found)
{
	static const enum extract_method order[] = {
		EXTRACT_ANSWER_TAG, EXTRACT_FINAL_ANSWER, EXTRACT_BOXED, EXTRACT_PHRASE,
		EXTRACT_OPTION, EXTRACT_WHOLE, EXTRACT_LAST_NUMBER,
	};
	enum extract_method dummy, m;
	size_t n;

	if (!found)
		found = &dummy;
	*found = EXTRACT_NONE;
	if (!text || !out)
		return error("answer_extract: NULL argument");
	sbuf_reset(out);
	n = strlen(text);
	if (pref != EXTRACT_AUTO) {
		if (extract_with(text, n, pref, out, &m)) {
			*found = m;
			return 1;
		}
		sbuf_reset(out);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		if (extract_with(text, n, order[i], out, &m)) {
			*found = m;
			return 1;
		}
	}
	sbuf_reset(out);
	return 0;
}

/* ---- numbers: LaTeX flattening ------------------------------------- */

struct rewrite {
	const char *from;
	const char *to;
};

/* Longer spellings first where one is a prefix of another. */
static const struct rewrite latex_rewrites[] = {
	{ "\\left", "" }, { "\\right", "" }, { "\\bigg", "" }, { "\\Bigg", "" },
	{ "\\big", "" }, { "\\Big", "" }, { "\\displaystyle", "" },
	{ "\\!", "" }, { "\\,", "" }, { "\\;", "" }, { "\\:", "" }, { "\\ ", " " },
	{ "\\qquad", " " }, { "\\quad", " " },
	{ "\\dfrac", "\\frac" }, { "\\tfrac", "\\frac" },
	{ "^{\\circ}", "" }, { "^\\circ", "" }, { "\\circ", "" }, { "\\degree", "" },
	{ "\xc2\xb0", "" }, { "\xc2\xba", "" },			/* ° º */
	{ "\\%", "%" }, { "\\$", "$" }, { "{,}", "," },
	{ "\\times", "*" }, { "\\cdot", "*" }, { "\\div", "/" },
	{ "\xc3\x97", "*" }, { "\xc2\xb7", "*" }, { "\xe2\x8b\x85", "*" },	/* × · ⋅ */
	{ "\xc3\xb7", "/" },					/* ÷ */
	{ "\xe2\x88\x92", "-" },				/* − */
	{ "\xcf\x80", "\\pi" }, { "\xe2\x88\x9a", "\\sqrt" },	/* π √ */
	{ "\xe2\x88\x9e", "\\infty" },				/* ∞ */
	{ "\xc2\xb2", "^2" }, { "\xc2\xb3", "^3" },		/* ² ³ */
	{ "\\approx", "=" }, { "\xe2\x89\x88", "=" },		/* ≈ */
	{ "\\cup", " \\cup " }, { "\xe2\x88\xaa", " \\cup " },	/* ∪ */
};

static const char *const text_commands[] = {
	"\\text", "\\textbf", "\\textrm", "\\textit", "\\mathrm", "\\mathbf", "\\mathit",
	"\\mbox", "\\operatorname",
};

/* Does control word w match at p without running into more letters? */
static bool command_at(const char *p, size_t n, const char *w)
{
	size_t k = strlen(w);

	if (!starts(p, n, w))
		return false;
	return w[0] != '\\' || !is_alpha((unsigned char)w[k - 1]) || k == n ||
	       !is_alpha((unsigned char)p[k]);
}

/*
 * Rewrite LaTeX decoration into the evaluator's plain syntax: \left( -> (,
 * \dfrac -> \frac, \times -> *, \text{cm} -> " cm ", degree marks dropped.
 * Set braces \{ \} are kept for the set parser. One pass: the brace that
 * closes a \text{ is found by a depth stack, not by scanning ahead.
 */
static void latex_flatten(struct span s, struct sbuf *out)
{
	long *text_depth = NULL, depth = 0;
	size_t ntext = 0, alloc = 0, i = 0;

	while (i < s.n) {
		const char *p = s.p + i;
		size_t left = s.n - i;
		unsigned char c = (unsigned char)*p;
		bool done = false;

		/* Every table entry starts with one of these bytes. */
		if (c != '\\' && c != '^' && c != '{' && c != '}' && c < 0x80) {
			sbuf_addch(out, c);
			i++;
			continue;
		}
		if (starts(p, left, "\\{") || starts(p, left, "\\}")) {
			sbuf_add(out, p, 2);
			i += 2;
			continue;
		}
		if (*p == '{') {
			depth++;
		} else if (*p == '}') {
			if (ntext && text_depth[ntext - 1] == depth) {
				ntext--;
				sbuf_addch(out, ' ');
				depth--;
				i++;
				continue;
			}
			depth--;
		}
		for (size_t k = 0; k < ARRAY_SIZE(text_commands) && !done; k++) {
			size_t j = strlen(text_commands[k]);

			if (!command_at(p, left, text_commands[k]))
				continue;
			while (j < left && p[j] == ' ')
				j++;
			if (j >= left || p[j] != '{')
				continue;
			ALLOC_GROW(text_depth, ntext + 1, alloc);
			text_depth[ntext++] = ++depth;
			sbuf_addch(out, ' ');
			i += j + 1;
			done = true;
		}
		for (size_t k = 0; k < ARRAY_SIZE(latex_rewrites) && !done; k++) {
			if (command_at(p, left, latex_rewrites[k].from)) {
				sbuf_addstr(out, latex_rewrites[k].to);
				i += strlen(latex_rewrites[k].from);
				done = true;
			}
		}
		if (!done)
			sbuf_addch(out, s.p[i++]);
	}
	free(text_depth);
}

/* ---- numbers: lenient decoration ----------------------------------- */

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

		if (!ends_with(*s, exps[k]))
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
		match = l >= 3 && (unsigned char)u[0] < 0x80 ? starts_ci(at, l, u) : !memcmp(at, u, l);
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

/*
 * Offsets of the first and last top-level '=' ("x = 2 + 3 = 5"), not
 * counting <=, >=, !=, ==; false if there is none.
 */
static bool find_equals(struct span s, size_t *first, size_t *last)
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

/* "x = 5", "2 + 3 = 5", "\approx 3.14": the value after the last '='. */
static struct span strip_assignment(struct span s)
{
	size_t first, last;
	struct span rhs;

	if (!find_equals(s, &first, &last))
		return s;
	rhs = span_trim(span_make(s.p + last + 1, s.n - last - 1));
	return rhs.n ? rhs : s;
}

/* ---- number words -------------------------------------------------- */

enum numword_kind { NW_START, NW_ZERO, NW_UNIT, NW_TEEN, NW_TENS, NW_HUNDRED, NW_SCALE };

struct numword {
	const char *word;
	long long value;
	enum numword_kind kind;
};

static const struct numword numwords[] = {
	{ "zero", 0, NW_ZERO }, { "one", 1, NW_UNIT }, { "two", 2, NW_UNIT },
	{ "three", 3, NW_UNIT }, { "four", 4, NW_UNIT }, { "five", 5, NW_UNIT },
	{ "six", 6, NW_UNIT }, { "seven", 7, NW_UNIT }, { "eight", 8, NW_UNIT },
	{ "nine", 9, NW_UNIT }, { "ten", 10, NW_TEEN }, { "eleven", 11, NW_TEEN },
	{ "twelve", 12, NW_TEEN }, { "thirteen", 13, NW_TEEN }, { "fourteen", 14, NW_TEEN },
	{ "fifteen", 15, NW_TEEN }, { "sixteen", 16, NW_TEEN }, { "seventeen", 17, NW_TEEN },
	{ "eighteen", 18, NW_TEEN }, { "nineteen", 19, NW_TEEN }, { "twenty", 20, NW_TENS },
	{ "thirty", 30, NW_TENS }, { "forty", 40, NW_TENS }, { "fifty", 50, NW_TENS },
	{ "sixty", 60, NW_TENS }, { "seventy", 70, NW_TENS }, { "eighty", 80, NW_TENS },
	{ "ninety", 90, NW_TENS }, { "hundred", 100, NW_HUNDRED },
	{ "thousand", 1000, NW_SCALE }, { "million", 1000000, NW_SCALE },
	{ "billion", 1000000000, NW_SCALE },
};

static const struct numword *numword_find(struct span w)
{
	for (size_t k = 0; k < ARRAY_SIZE(numwords); k++)
		if (strlen(numwords[k].word) == w.n && starts_ci(w.p, w.n, numwords[k].word))
			return &numwords[k];
	return NULL;
}

/* May a word of kind `next` continue a number whose last word was `last`? */
static bool numword_follows(enum numword_kind last, enum numword_kind next)
{
	switch (last) {
	case NW_START:
		return true;
	case NW_UNIT:
	case NW_TEEN:
		return next == NW_HUNDRED || next == NW_SCALE;
	case NW_TENS:
		return next == NW_UNIT || next == NW_SCALE;
	case NW_HUNDRED:
		return next == NW_UNIT || next == NW_TEEN || next == NW_TENS || next == NW_SCALE;
	case NW_SCALE:
		return next == NW_UNIT || next == NW_TEEN || next == NW_TENS;
	case NW_ZERO:
		break;
	}
	return false;
}

/* How many of the words w[0..n) make one number ("twenty one" -> 2, 21). */
static size_t numword_run(const struct span *w, size_t n, long long *value)
{
	long long total = 0, cur = 0;
	enum numword_kind last = NW_START;
	size_t k;

	for (k = 0; k < n; k++) {
		const struct numword *nw = numword_find(w[k]);

		if (!nw || !numword_follows(last, nw->kind))
			break;
		if (nw->kind == NW_HUNDRED)
			cur = (cur ? cur : 1) * 100;
		else if (nw->kind == NW_SCALE) {
			total += (cur ? cur : 1) * nw->value;
			cur = 0;
		} else {
			cur += nw->value;
		}
		last = nw->kind;
	}
	*value = total + cur;
	return k;
}

/* Split s at spaces and hyphens into word spans (at most max). */
static size_t split_words(struct span s, struct span *w, size_t max)
{
	size_t n = 0, i = 0;

	while (i < s.n && n < max) {
		size_t st;

		while (i < s.n && (is_sp((unsigned char)s.p[i]) || s.p[i] == '-'))
			i++;
		st = i;
		while (i < s.n && !is_sp((unsigned char)s.p[i]) && s.p[i] != '-')
			i++;
		if (i > st)
			w[n++] = span_make(s.p + st, i - st);
	}
	return i < s.n ? max + 1 : n;
}

/* ---- numbers: the evaluator ---------------------------------------- */

struct eval {
	const char *s;
	size_t i, n;
	bool lenient;
	bool bad;
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

	if (ev_peek(e) && starts(e->s + e->i, e->n - e->i, w) &&
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

static double ev_primary(struct eval *e)
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
		b = ev_group(e);
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

	if (++e->depth > EVAL_MAX_DEPTH)
		return ev_fail(e);
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
			bool frac = starts(e->s + e->i, e->n - e->i, "\\frac");

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
	double v;

	if (++e->depth > EVAL_MAX_DEPTH)
		return ev_fail(e);
	v = ev_term(e);
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
	e->depth--;
	return v;
}

static int evaluate(struct span s, bool lenient, double *x)
{
	struct eval e = { s.p, 0, s.n, lenient, false, 0, false, false };
	double v = ev_expr(&e);

	if (e.bad || ev_peek(&e) || isnan(v))
		return -1;
	*x = v;
	return 0;
}

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

	latex_flatten(s, &flat);
	t = strip_assignment(span_trim(span_make(flat.buf, flat.len)));
	v->percent = false;
	if (ends_with(t, "%")) {
		t = span_trim(span_make(t.p, t.n - 1));
		v->percent = true;
	} else if (t.n > 7 && starts_ci(t.p + t.n - 7, 7, "percent")) {
		t = span_trim(span_make(t.p, t.n - 7));
		v->percent = true;
	}
	if (lenient) {
		for (size_t k = 0; k < ARRAY_SIZE(currency_prefixes); k++) {
			if (starts(t.p, t.n, currency_prefixes[k])) {
				size_t l = strlen(currency_prefixes[k]);

				t = span_trim(span_make(t.p + l, t.n - l));
				break;
			}
		}
		while (strip_unit(&t))
			;
		nw = split_words(t, words, ARRAY_SIZE(words));
		if (nw && nw <= ARRAY_SIZE(words) && numword_run(words, nw, &wv) == nw) {
			v->x = (double)wv;
			ret = 0;
			goto out;
		}
		if (looks_like_date(t))
			goto out;
	}
	if (t.n)
		ret = evaluate(t, lenient, &v->x);
out:
	sbuf_release(&flat);
	return ret;
}

int answer_value(const char *s, bool lenient, double *x, bool *percent)
{
	struct value v;

	if (!s || value_read(clean_span(span_of(s)), lenient, &v))
		return -1;
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

/* ---- rules --------------------------------------------------------- */

struct option {
	char letter;
	struct span text;
};

struct ctx {
	const struct answer_opts *o;
	double tol;
	bool lenient;
	enum answer_mode num_method;	/* NUMERIC, RELAXED or EXPR */
	struct option opt[OPTIONS_MAX];
	size_t nopt;
	struct sbuf *scratch;		/* keeps option texts alive */
};

struct outcome {
	bool correct;
	enum answer_mode method;
};

static bool plain_equal(struct ctx *c, struct span p, struct span g, int depth);

static bool rule_exact(struct span p, struct span g)
{
	struct sbuf a = SBUF_INIT, b = SBUF_INIT;
	bool eq;

	casefold(p, &a, false);
	casefold(g, &b, false);
	eq = a.len == b.len && !memcmp(a.buf, b.buf, a.len);
	sbuf_release(&a);
	sbuf_release(&b);
	return eq;
}

/* ---- rules: vqa normalisation -------------------------------------- */

struct contraction {
	const char *from;
	const char *to;
};

/* Spellings with and without the apostrophe, after case folding. */
static const struct contraction contractions[] = {
	{ "can't", "can not" }, { "cant", "can not" }, { "cannot", "can not" },
	{ "won't", "will not" }, { "wont", "will not" }, { "shan't", "shall not" },
	{ "ain't", "is not" }, { "let's", "let us" }, { "it's", "it is" },
	{ "that's", "that is" }, { "thats", "that is" }, { "there's", "there is" },
	{ "theres", "there is" }, { "what's", "what is" }, { "whats", "what is" },
	{ "he's", "he is" }, { "she's", "she is" }, { "who's", "who is" },
	{ "where's", "where is" }, { "here's", "here is" },
	{ "dont", "do not" }, { "doesnt", "does not" }, { "didnt", "did not" },
	{ "isnt", "is not" }, { "arent", "are not" }, { "wasnt", "was not" },
	{ "werent", "were not" }, { "havent", "have not" }, { "hasnt", "has not" },
	{ "hadnt", "had not" }, { "couldnt", "could not" }, { "wouldnt", "would not" },
	{ "shouldnt", "should not" }, { "mustnt", "must not" }, { "im", "i am" },
	{ "ive", "i have" }, { "youre", "you are" }, { "theyre", "they are" },
	{ "weve", "we have" },
};

static const struct contraction suffixes[] = {
	{ "n't", " not" }, { "'re", " are" }, { "'ve", " have" }, { "'ll", " will" },
	{ "'m", " am" }, { "'d", " would" }, { "'s", "s" },
};

/* Append word w with its contraction expanded and apostrophes dropped. */
static void add_expanded(struct sbuf *out, struct span w)
{
	for (size_t k = 0; k < ARRAY_SIZE(contractions); k++) {
		if (strlen(contractions[k].from) == w.n && starts(w.p, w.n, contractions[k].from)) {
			sbuf_addstr(out, contractions[k].to);
			return;
		}
	}
	for (size_t k = 0; k < ARRAY_SIZE(suffixes); k++) {
		size_t l = strlen(suffixes[k].from);

		if (w.n > l && ends_with(w, suffixes[k].from)) {
			add_expanded(out, span_make(w.p, w.n - l));
			sbuf_addstr(out, suffixes[k].to);
			return;
		}
	}
	for (size_t i = 0; i < w.n; i++)
		if (w.p[i] != '\'')
			sbuf_addch(out, w.p[i]);
}

/* Punctuation to spaces, except where it is part of a number. */
static void vqa_punctuation(struct span s, struct sbuf *out)
{
	size_t i = 0;

	while (i < s.n) {
		int c = (unsigned char)s.p[i];
		int prev = i ? (unsigned char)s.p[i - 1] : ' ';
		int next = i + 1 < s.n ? (unsigned char)s.p[i + 1] : ' ';
		utf8proc_int32_t cp;
		utf8proc_ssize_t len;

		if (c < 0x80) {
			if (is_alnum(c) || c == '\'')
				sbuf_addch(out, c);
			else if (c == ',' && is_digit(prev) && is_digit(next))
				;	/* 1,000 -> 1000 */
			else if ((c == '.' || c == '/') && is_digit(prev) && is_digit(next))
				sbuf_addch(out, c);
			else if ((c == '.' || c == '-') && !is_alnum(prev) && is_digit(next))
				sbuf_addch(out, c);	/* .5, -3 */
			else
				sbuf_addch(out, ' ');
			i++;
			continue;
		}
		len = utf8proc_iterate((const utf8proc_uint8_t *)s.p + i, (utf8proc_ssize_t)(s.n - i), &cp);
		if (len <= 0) {
			sbuf_addch(out, c);
			i++;
			continue;
		}
		if (cp == 0x2019) {
			sbuf_addch(out, '\'');
		} else {
			utf8proc_category_t cat = utf8proc_category(cp);

			if ((cat >= UTF8PROC_CATEGORY_PC && cat <= UTF8PROC_CATEGORY_PO) ||
			    cat == UTF8PROC_CATEGORY_ZS)
				sbuf_addch(out, ' ');
			else
				sbuf_add(out, s.p + i, (size_t)len);
		}
		i += (size_t)len;
	}
}

static bool is_article(struct span w)
{
	return (w.n == 1 && w.p[0] == 'a') || (w.n == 2 && starts(w.p, 2, "an")) ||
	       (w.n == 3 && starts(w.p, 3, "the"));
}

/* Split at spaces only (hyphens were turned to spaces already). */
static size_t split_spaces(struct span s, struct span **w)
{
	size_t n = 0, alloc = 0, i = 0;

	*w = NULL;
	while (i < s.n) {
		size_t st;

		while (i < s.n && s.p[i] == ' ')
			i++;
		st = i;
		while (i < s.n && s.p[i] != ' ')
			i++;
		if (i > st) {
			ALLOC_GROW(*w, n + 1, alloc);
			(*w)[n++] = span_make(s.p + st, i - st);
		}
	}
	return n;
}

void answer_vqa_normalize(const char *s, struct sbuf *out)
{
	struct sbuf folded = SBUF_INIT, punct = SBUF_INIT, expanded = SBUF_INIT;
	struct span *w;
	size_t nw, start = out->len;

	casefold(span_trim(span_of(s)), &folded, true);
	vqa_punctuation(span_make(folded.buf, folded.len), &punct);
	nw = split_spaces(span_make(punct.buf, punct.len), &w);
	for (size_t i = 0; i < nw; i++) {
		sbuf_addch(&expanded, ' ');
		add_expanded(&expanded, w[i]);
	}
	free(w);
	nw = split_spaces(span_make(expanded.buf, expanded.len), &w);
	for (size_t i = 0; i < nw;) {
		long long v;
		size_t used;

		if (is_article(w[i])) {
			i++;
			continue;
		}
		if (out->len > start)
			sbuf_addch(out, ' ');
		used = numword_run(w + i, nw - i, &v);
		if (used) {
			sbuf_addf(out, "%lld", v);
			i += used;
		} else if (w[i].n == 4 && starts(w[i].p, 4, "none")) {
			sbuf_addch(out, '0');	/* VQA's convention for counts */
			i++;
		} else {
			sbuf_add(out, w[i].p, w[i].n);
			i++;
		}
	}
	free(w);
	sbuf_release(&folded);
	sbuf_release(&punct);
	sbuf_release(&expanded);
}

static bool rule_vqa(struct span p, struct span g)
{
	struct sbuf raw = SBUF_INIT, a = SBUF_INIT, b = SBUF_INIT;
	bool eq;

	sbuf_add(&raw, p.p, p.n);
	answer_vqa_normalize(raw.buf, &a);
	sbuf_reset(&raw);
	sbuf_add(&raw, g.p, g.n);
	answer_vqa_normalize(raw.buf, &b);
	/* A gold that normalises to nothing ("the", "?") must not match "a". */
	eq = b.len ? a.len == b.len && !memcmp(a.buf, b.buf, a.len) : false;
	sbuf_release(&raw);
	sbuf_release(&a);
	sbuf_release(&b);
	return eq;
}

/* ---- rules: numbers ------------------------------------------------ */

static int rule_numeric(struct ctx *c, struct span p, struct span g, bool *correct)
{
	struct value pv, gv;

	if (value_read(g, c->lenient, &gv) || value_read(p, c->lenient, &pv))
		return 0;
	*correct = values_close(pv, gv, c->tol, c->o->percent);
	return 1;
}

/* ---- rules: sets, intervals, tuples -------------------------------- */

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

static bool structure_fail(struct structure *st)
{
	free(st->elem);
	st->elem = NULL;
	st->nelem = 0;
	return false;
}

/* On failure st->elem is NULL; on success the caller frees it. */
static bool structure_parse(struct span s, struct structure *st)
{
	size_t ow, cw;
	int depth = 0;
	bool escaped;

	memset(st, 0, sizeof(*st));
	s = span_trim(s);
	if (s.n < 2)
		return false;
	if (bracket_at(s, 0, &ow) != 1) {
		st->kind = ST_LIST;
		if (!has_comma_space(s) || !split_commas(s, st) || st->nelem < 2)
			return structure_fail(st);
		return true;
	}
	escaped = ow == 2;
	cw = s.p[s.n - 2] == '\\' ? 2 : 1;
	if (s.n < ow + cw || !strchr(")]}", s.p[s.n - 1]))
		return false;
	/* The opening bracket must close at the very end: "(1)+(2)" is no tuple. */
	for (size_t i = 0; i < s.n - cw;) {
		size_t w;

		depth += bracket_at(s, i, &w);
		if (!depth)
			return false;
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

	if (!find_equals(s, &first, &last))
		return false;
	for (size_t i = 0; i < first; i++)
		if (!is_sp((unsigned char)s.p[i]))
			sbuf_addch(out, s.p[i]);
	return true;
}

/* "x=1" vs "x = 1": when either names its value, the names must agree too. */
static bool element_equal(struct ctx *c, struct span a, struct span b, int depth)
{
	struct sbuf na = SBUF_INIT, nb = SBUF_INIT;
	bool a_named = assignment_name(a, &na);
	bool b_named = assignment_name(b, &nb);
	bool same = (!a_named && !b_named) || !strcmp(na.buf, nb.buf);

	sbuf_release(&na);
	sbuf_release(&nb);
	return same && plain_equal(c, strip_assignment(a), strip_assignment(b), depth + 1);
}

/* Every element of a has an equal in b. */
static bool covered(struct ctx *c, const struct structure *a, const struct structure *b, int depth)
{
	for (size_t i = 0; i < a->nelem; i++) {
		bool hit = false;

		for (size_t j = 0; j < b->nelem && !hit; j++)
			hit = element_equal(c, a->elem[i], b->elem[j], depth);
		if (!hit)
			return false;
	}
	return true;
}

static bool structures_equal(struct ctx *c, const struct structure *a, const struct structure *b,
			     int depth)
{
	if (a->kind == ST_SEQ || b->kind == ST_SEQ) {
		if (a->kind != b->kind || a->open != b->open || a->close != b->close ||
		    a->nelem != b->nelem)
			return false;
		for (size_t i = 0; i < a->nelem; i++)
			if (!element_equal(c, a->elem[i], b->elem[i], depth))
				return false;
		return true;
	}
	return covered(c, a, b, depth) && covered(c, b, a, depth);
}

/* Split at top-level \cup (latex_flatten spells ∪ that way too). */
static size_t split_union(struct span s, struct span *parts, size_t max)
{
	size_t n = 0, start = 0;
	int depth = 0;

	for (size_t i = 0; i < s.n && n + 1 < max;) {
		size_t w;

		if (!depth && command_at(s.p + i, s.n - i, "\\cup")) {
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
static size_t parse_parts(const struct span *part, size_t n, struct structure *st)
{
	size_t ok = 0;

	while (ok < n && structure_parse(part[ok], &st[ok])) {
		if (n > 1 && st[ok].kind == ST_LIST) {
			structure_fail(&st[ok]);
			break;
		}
		ok++;
	}
	return ok;
}

static int rule_set(struct ctx *c, struct span p, struct span g, int depth, bool *correct)
{
	struct sbuf fp = SBUF_INIT, fg = SBUF_INIT;
	struct span up[8], ug[8];
	struct structure sp[8], sg[8];
	size_t np, ng, okp, okg;
	int decided = 0;

	if (depth > RULE_MAX_DEPTH)
		return 0;
	latex_flatten(p, &fp);
	latex_flatten(g, &fg);
	np = split_union(span_make(fp.buf, fp.len), up, ARRAY_SIZE(up));
	ng = split_union(span_make(fg.buf, fg.len), ug, ARRAY_SIZE(ug));
	okp = parse_parts(up, np, sp);
	okg = okp == np ? parse_parts(ug, ng, sg) : 0;
	if (okp == np && okg == ng) {
		decided = 1;
		*correct = np == ng;
		for (size_t i = 0; i < np && *correct; i++)
			*correct = structures_equal(c, &sp[i], &sg[i], depth);
	}
	for (size_t i = 0; i < okp; i++)
		free(sp[i].elem);
	for (size_t i = 0; i < okg; i++)
		free(sg[i].elem);
	sbuf_release(&fp);
	sbuf_release(&fg);
	return decided;
}

/* Exact, set, numeric, vqa: the rules that compare two texts. */
static bool plain_equal(struct ctx *c, struct span p, struct span g, int depth)
{
	bool correct = false;

	p = clean_span(p);
	g = clean_span(g);
	if (!p.n || !g.n)
		return false;
	if (rule_exact(p, g))
		return true;
	if (rule_set(c, p, g, depth, &correct) || rule_numeric(c, p, g, &correct))
		return correct;
	return rule_vqa(p, g);
}

/* ---- rules: multiple choice ---------------------------------------- */

static void option_add(struct ctx *c, struct span text, size_t idx)
{
	struct letter_form lf;

	if (c->nopt >= OPTIONS_MAX)
		return;
	if (letter_parse(text, false, &lf) && lf.rest.n) {
		c->opt[c->nopt].letter = lf.letter;
		c->opt[c->nopt].text = lf.rest;
	} else {
		c->opt[c->nopt].letter = (char)('A' + idx);
		c->opt[c->nopt].text = span_trim(text);
	}
	c->nopt++;
}

static void options_load(struct ctx *c)
{
	const struct answer_opts *o = c->o;

	c->nopt = 0;
	if (o->options && o->noptions) {
		for (size_t i = 0; i < o->noptions && i < OPTIONS_MAX; i++)
			if (o->options[i])
				option_add(c, span_of(o->options[i]), i);
	} else if (json_is_array(o->options_json) && json_array_size(o->options_json)) {
		size_t i;
		const json_t *v;

		json_array_foreach(o->options_json, i, v)
			if (json_is_string(v) && i < OPTIONS_MAX)
				option_add(c, span_make(json_string_value(v), json_string_length(v)), i);
	} else if (o->question) {
		const char *q = o->question;

		while (*q && c->nopt < OPTIONS_MAX) {
			const char *nl = strchr(q, '\n');
			size_t len = nl ? (size_t)(nl - q) : strlen(q);
			struct letter_form lf;

			if (letter_parse(span_make(q, len), false, &lf) && lf.rest.n) {
				c->opt[c->nopt].letter = lf.letter;
				c->opt[c->nopt].text = lf.rest;
				c->nopt++;
			}
			q += len + (nl ? 1 : 0);
		}
	}
}

static const struct option *option_by_letter(const struct ctx *c, char letter)
{
	for (size_t i = 0; i < c->nopt; i++)
		if (c->opt[i].letter == letter)
			return &c->opt[i];
	return NULL;
}

static const struct option *option_by_text(struct ctx *c, struct span text, int depth)
{
	for (size_t i = 0; i < c->nopt; i++)
		if (plain_equal(c, text, c->opt[i].text, depth + 1))
			return &c->opt[i];
	return NULL;
}

/* A letter in pred: pred itself, or "the answer is (B)" inside it. */
static bool pred_letter(struct span p, struct letter_form *lf)
{
	struct span cap;

	if (letter_parse(p, false, lf))
		return true;
	return find_phrase(p.p, p.n, &cap) && letter_parse(clean_span(cap), true, lf);
}

static int rule_mc(struct ctx *c, struct span p, struct span g, bool *correct)
{
	struct letter_form pl, gl;
	bool has_p = pred_letter(p, &pl), has_g = letter_parse(g, false, &gl);
	const struct option *o;

	if (has_g) {
		if (has_p) {
			*correct = pl.letter == gl.letter;
			return 1;
		}
		if (c->nopt && (o = option_by_text(c, p, 0))) {
			*correct = o->letter == gl.letter;
			return 1;
		}
		if (gl.rest.n && plain_equal(c, p, gl.rest, 1)) {
			*correct = true;
			return 1;
		}
		if (c->nopt) {
			*correct = false;	/* pred names no option at all */
			return 1;
		}
		return 0;
	}
	if (!has_p)
		return 0;
	if ((o = option_by_letter(c, pl.letter))) {
		*correct = plain_equal(c, o->text, g, 1) ||
			   (pl.rest.n && plain_equal(c, pl.rest, g, 1));
		return 1;
	}
	if (pl.rest.n && plain_equal(c, pl.rest, g, 1)) {
		*correct = true;
		return 1;
	}
	return 0;
}

/* ---- ANLS ---------------------------------------------------------- */

/* Case-folded, trimmed, runs of white space made one space, as code points. */
static size_t anls_codepoints(const char *s, int32_t **out)
{
	struct sbuf f = SBUF_INIT;
	size_t n = 0, i = 0;
	bool space = false;

	casefold(span_trim(span_of(s)), &f, false);
	*out = xmalloc((f.len + 1) * sizeof(**out));
	while (i < f.len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t *)f.buf + i,
							(utf8proc_ssize_t)(f.len - i), &cp);

		if (len <= 0) {
			cp = 0x110000 + (unsigned char)f.buf[i];	/* a stray byte is its own symbol */
			len = 1;
		}
		i += (size_t)len;
		if (cp < 0x80 && is_sp(cp)) {
			space = true;
			continue;
		}
		if (space && n)
			(*out)[n++] = ' ';
		space = false;
		(*out)[n++] = cp;
	}
	sbuf_release(&f);
	return n;
}

double answer_anls(const char *pred, const char *gold)
{
	int32_t *a, *b;
	size_t na = anls_codepoints(pred, &a), nb = anls_codepoints(gold, &b);
	size_t *row, maxlen = na > nb ? na : nb;
	double sim;

	if (!maxlen) {
		sim = 1;
	} else if (maxlen > ANLS_MAX_CP) {
		sim = na == nb && !memcmp(a, b, na * sizeof(*a));
	} else {
		row = xmalloc((nb + 1) * sizeof(*row));
		for (size_t j = 0; j <= nb; j++)
			row[j] = j;
		for (size_t i = 1; i <= na; i++) {
			size_t diag = row[0];

			row[0] = i;
			for (size_t j = 1; j <= nb; j++) {
				size_t up = row[j];
				size_t best = diag + (a[i - 1] != b[j - 1]);

				if (up + 1 < best)
					best = up + 1;
				if (row[j - 1] + 1 < best)
					best = row[j - 1] + 1;
				row[j] = best;
				diag = up;
			}
		}
		sim = 1.0 - (double)row[nb] / (double)maxlen;
		free(row);
	}
	free(a);
	free(b);
	return sim;
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
	return decide(rule_vqa(p, g), ANSWER_VQA);
}

static struct outcome run_mode(struct ctx *c, struct span p, struct span g)
{
	bool correct = false;

	switch (c->o->mode) {
	case ANSWER_EXACT:
		return decide(rule_exact(p, g), ANSWER_EXACT);
	case ANSWER_VQA:
		return decide(rule_vqa(p, g), ANSWER_VQA);
	case ANSWER_MC:
		if (rule_exact(p, g))
			return decide(true, ANSWER_EXACT);
		return decide(rule_mc(c, p, g, &correct) && correct, ANSWER_MC);
	case ANSWER_NUMERIC:
		return decide(rule_numeric(c, p, g, &correct) && correct, ANSWER_NUMERIC);
	case ANSWER_SET:
		return decide(rule_set(c, p, g, 0, &correct) && correct, ANSWER_SET);
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

int answer_equivalent(const char *pred, const char *gold, const struct answer_opts *opts,
		      struct answer_verdict *v)
{
	struct answer_opts defaults;
	struct ctx c;
	struct span p, g;
	struct outcome r;

	if (!pred || !gold || !v)
		return error("answer_equivalent: NULL argument");
	if (!opts) {
		answer_opts_init(&defaults);
		opts = &defaults;
	}
	v->correct = false;
	v->score = 0;
	v->method = opts->mode == ANSWER_AUTO ? ANSWER_NONE : opts->mode;
	p = clean_span(span_of(pred));
	g = clean_span(span_of(gold));
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
	memset(&c, 0, sizeof(c));
	c.o = opts;
	c.lenient = opts->mode != ANSWER_EXPR;
	c.tol = opts->mode == ANSWER_RELAXED ? opts->relaxed_tol : opts->rel_tol;
	c.num_method = opts->mode == ANSWER_RELAXED ? ANSWER_RELAXED
		     : opts->mode == ANSWER_EXPR    ? ANSWER_EXPR
						    : ANSWER_NUMERIC;
	options_load(&c);
	r = run_mode(&c, p, g);
	v->correct = r.correct;
	v->method = r.method;
	v->score = r.correct ? 1 : 0;
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
	[ANSWER_NONE] = "none",
};

static const char *const extract_names[] = {
	[EXTRACT_NONE] = "none", [EXTRACT_AUTO] = "auto", [EXTRACT_ANSWER_TAG] = "answer-tag",
	[EXTRACT_FINAL_ANSWER] = "final-answer", [EXTRACT_BOXED] = "boxed",
	[EXTRACT_PHRASE] = "phrase", [EXTRACT_OPTION] = "option", [EXTRACT_WHOLE] = "whole",
	[EXTRACT_LAST_NUMBER] = "last-number",
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
