/*
 * answer_extract.c — pull the final answer out of a model's reply.
 *
 * One function per method (answer tag, "Final answer:" marker, \boxed{},
 * phrase, option letter, whole reply, last number), each a linear scan,
 * so a megabyte of reply costs a few passes and never a quadratic search;
 * answer_extract tries them in the order answer_check.h lists. Whatever a
 * method finds goes through answer_clean_span before it is returned.
 */
#include "answer/answer_extract.h"

#include <stdlib.h>

#include "answer/answer_check.h"
#include "answer/answer_clean.h"
#include "answer/answer_letter.h"
#include "core/util.h"

#define WHOLE_REPLY_MAX 200	/* longest one-line reply taken whole */

static const char *const zh_final_markers[] = {
	"\xe6\x9c\x80\xe7\xbb\x88\xe7\xad\x94\xe6\xa1\x88\xef\xbc\x9a",	/* 最终答案： */
	"\xe6\x9c\x80\xe7\xbb\x88\xe7\xad\x94\xe6\xa1\x88:",			/* 最终答案: */
	"\xe7\xad\x94\xe6\xa1\x88\xef\xbc\x9a",					/* 答案： */
};

/* First offset of lit in s (ASCII case-insensitive), or -1. */
static long find_ci(struct span s, const char *lit)
{
	size_t k = strlen(lit);

	for (size_t i = 0; i + k <= s.n; i++)
		if (span_starts_ci(s.p + i, s.n - i, lit))
			return (long)i;
	return -1;
}

/*
 * "Jane started growing Sphere 3 hours ago": a plain sentence (no math,
 * three words or more) holding exactly one number stands for that number.
 */
static struct span sole_number(struct span r)
{
	struct span num = { NULL, 0 };
	size_t words = 0, numbers = 0;

	for (size_t i = 0; i < r.n;) {
		size_t st = i;

		if (r.p[i] == '$' || r.p[i] == '\\')
			return r;
		if (is_digit((unsigned char)r.p[i])) {
			while (i < r.n && (is_digit((unsigned char)r.p[i]) ||
					   (strchr(".,/", r.p[i]) && i + 1 < r.n && is_digit((unsigned char)r.p[i + 1]))))
				i++;
			if (st && r.p[st - 1] == '-')
				st--;
			num = span_make(r.p + st, i - st);
			numbers++;
		} else if (is_alpha((unsigned char)r.p[i])) {
			while (i < r.n && is_alpha((unsigned char)r.p[i]))
				i++;
			words++;
		} else {
			i++;
		}
	}
	return numbers == 1 && words >= 3 ? num : r;
}

/* Does s hold a digit or math ($, a backslash command)? */
static bool mathlike(struct span s)
{
	for (size_t i = 0; i < s.n; i++)
		if (is_digit((unsigned char)s.p[i]) || s.p[i] == '$' || s.p[i] == '\\')
			return true;
	return false;
}

/*
 * Minerva's form, "Final Answer: The final answer is 12. I hope it is
 * correct.", and its kin "Final Answer: The volume of $V$ is 120.": the
 * answer is what follows the last " is " outside math, up to "I hope",
 * when that is a number or math.
 */
static struct span minerva_answer(struct span r)
{
	static const char *const leads[] = { "the final answer is", "the answer is" };
	long at = find_ci(r, "i hope it is correct");
	size_t after = 0;
	bool math = false;

	if (at >= 0)
		r = span_trim(span_make(r.p, (size_t)at));
	for (size_t k = 0; k < ARRAY_SIZE(leads); k++)
		if (span_starts_ci(r.p, r.n, leads[k])) {
			size_t l = strlen(leads[k]);

			return span_trim(span_make(r.p + l, r.n - l));
		}
	for (size_t i = 0; i < r.n; i++) {
		if (r.p[i] == '$' && (!i || r.p[i - 1] != '\\'))
			math = !math;
		else if (!math && r.p[i] == '\n')
			return r;	/* a multi-line answer is taken whole */
		else if (!math && i + 4 <= r.n && !memcmp(r.p + i, " is ", 4))
			after = i + 4;
	}
	/*
	 * Only a number or math after " is " is taken: "12 is the smallest"
	 * names 12, and "The man is holding a cup" stays a whole answer.
	 */
	if (after && mathlike(span_make(r.p + after, r.n - after)))
		return span_trim(span_make(r.p + after, r.n - after));
	return sole_number(r);
}

/* If "final answer" starts at s[i], the offset just past its colon, else 0. */
static size_t final_marker_at(const char *s, size_t n, size_t i)
{
	size_t j = i + strlen("final answer");

	if (!span_starts_ci(s + i, n - i, "final answer") || (i && is_alpha((unsigned char)s[i - 1])))
		return 0;
	while (j < n && (s[j] == ' ' || s[j] == '*'))
		j++;
	if (j < n && s[j] == ':')
		j++;
	else if (span_starts(s + j, n - j, "\xef\xbc\x9a"))
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
				if (span_starts(s + i, n - i, zh_final_markers[k]))
					j = i + strlen(zh_final_markers[k]);
		}
		if (j > best)
			best = j;
	}
	if (!best)
		return false;
	while (best < n && is_sp((unsigned char)s[best]))
		best++;
	for (end = s + best; end + 1 < s + n && !(end[0] == '\n' && end[1] == '\n'); end++)
		;
	if (end + 1 >= s + n)
		end = s + n;
	*out = minerva_answer(span_trim(span_make(s + best, (size_t)(end - s) - best)));
	return out->n > 0;
}

/* Where the \boxed / \fbox owning the '{' at s[i] starts, or -1. */
static long box_keyword(const char *s, size_t i)
{
	while (i && s[i - 1] == ' ')
		i--;
	if (i >= 6 && !memcmp(s + i - 6, "\\boxed", 6))
		return (long)i - 6;
	if (i >= 5 && !memcmp(s + i - 5, "\\fbox", 5))
		return (long)i - 5;
	return -1;
}

struct box {
	size_t keyword, close;	/* where "\boxed" starts, where its '}' is */
	struct span in;
};

/*
 * Every \boxed{…} / \fbox{…} whose braces close, in the order they close
 * (an inner box before the box around it). One pass with a stack of open
 * braces, so unclosed boxes cost nothing extra. The caller frees *out.
 */
static size_t find_boxes(struct span s, struct box **out)
{
	struct open {
		size_t pos;
		long keyword;
	} *stack = NULL;
	size_t depth = 0, alloc = 0, nbox = 0, box_alloc = 0;

	*out = NULL;
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];

		if (c == '\\' && i + 1 < s.n &&
		    (s.p[i + 1] == '{' || s.p[i + 1] == '}' || s.p[i + 1] == '\\')) {
			i++;
		} else if (c == '{') {
			ALLOC_GROW(stack, depth + 1, alloc);
			stack[depth].pos = i;
			stack[depth].keyword = box_keyword(s.p, i);
			depth++;
		} else if (c == '}' && depth) {
			struct open o = stack[--depth];

			if (o.keyword >= 0) {
				ALLOC_GROW(*out, nbox + 1, box_alloc);
				(*out)[nbox].keyword = (size_t)o.keyword;
				(*out)[nbox].close = i;
				(*out)[nbox].in = span_make(s.p + o.pos + 1, i - o.pos - 1);
				nbox++;
			}
		}
	}
	free(stack);
	return nbox;
}

/* The box that opens last (an inner box wins over the box around it). */
static size_t last_opening(const struct box *b, size_t n)
{
	size_t best = 0;

	for (size_t i = 1; i < n; i++)
		if (b[i].in.p > b[best].in.p)
			best = i;
	return best;
}

/* The content of the last \boxed{…} / \fbox{…} whose braces close. */
static bool find_boxed(struct span s, struct span *out)
{
	struct box *b;
	size_t n = find_boxes(s, &b);

	if (n)
		*out = b[last_opening(b, n)].in;
	free(b);
	return n > 0;
}

/*
 * Does s[from..to) only join two boxed answers: white space, $, commas,
 * "and", "or", \quad, \( \)? A blank line or any other word separates them.
 */
static bool joins_boxes(const char *s, size_t from, size_t to)
{
	static const char *const words[] = { "and", "or", "\\quad", "\\qquad", "\\(", "\\)", "\\," };

	if (to - from > 40)
		return false;
	for (size_t i = from; i < to;) {
		bool hit = false;

		if (s[i] == '\n' && i + 1 < to && s[i + 1] == '\n')
			return false;
		if (strchr(" \t\r\n$,;", s[i])) {
			i++;
			continue;
		}
		for (size_t k = 0; k < ARRAY_SIZE(words) && !hit; k++) {
			size_t l = strlen(words[k]);

			if (i + l <= to && !memcmp(s + i, words[k], l) &&
			    (i + l == to || !is_alpha((unsigned char)s[i + l]))) {
				i += l;
				hit = true;
			}
		}
		if (!hit)
			return false;
	}
	return true;
}

#define JOINED_BOXES_MAX 16	/* boxed answers read as one list */

/*
 * The last boxed answer, with the boxes right before it when only
 * connectors stand between them ("$\boxed{2}$ and $\boxed{3}$" is "2, 3"),
 * cleaned into out; repeats of the same text count once.
 */
static bool put_boxes(struct span s, struct sbuf *out)
{
	struct box *b;
	size_t n = find_boxes(s, &b), cur, parts[JOINED_BOXES_MAX], np = 0;

	if (!n)
		return false;
	cur = last_opening(b, n);
	parts[np++] = cur;
	for (size_t i = cur; i-- > 0 && np < JOINED_BOXES_MAX;) {
		if (b[i].close > b[cur].keyword)
			continue;	/* inside the current box */
		if (!joins_boxes(s.p, b[i].close + 1, b[cur].keyword))
			break;
		cur = i;
		parts[np++] = cur;
	}
	sbuf_reset(out);
	for (size_t k = np; k-- > 0;) {
		struct span c = answer_clean_span(b[parts[k]].in);
		bool repeat = false;

		for (size_t j = np; j-- > k + 1 && !repeat;) {
			struct span d = answer_clean_span(b[parts[j]].in);

			repeat = d.n == c.n && !memcmp(d.p, c.p, c.n);
		}
		if (repeat || !c.n)
			continue;
		if (out->len)
			sbuf_addstr(out, ", ");
		sbuf_add(out, c.p, c.n);
	}
	free(b);
	return out->len > 0;
}

/*
 * The content of the last complete math span: $…$ and \(…\) on one line,
 * $$…$$ and \[…\] over several. One pass, left to right.
 */
static bool find_last_math_span(const char *s, size_t n, struct span *out)
{
	const char *close = NULL;
	size_t start = 0;
	bool found = false, inline_math = false;

	for (size_t i = 0; i < n; i++) {
		if (close) {
			size_t l = strlen(close);

			if (s[i] == '\\' && i + 1 < n && s[i + 1] == '$') {
				i++;
			} else if (inline_math && s[i] == '\n') {
				close = NULL;
			} else if (span_starts(s + i, n - i, close)) {
				struct span m = span_trim(span_make(s + start, i - start));

				if (m.n) {
					*out = m;
					found = true;
				}
				close = NULL;
				i += l - 1;
			}
			continue;
		}
		if (s[i] == '\\' && i + 1 < n && (s[i + 1] == '(' || s[i + 1] == '[')) {
			close = s[i + 1] == '(' ? "\\)" : "\\]";
			inline_math = s[i + 1] == '(';
			start = i + 2;
			i++;
		} else if (s[i] == '\\' && i + 1 < n) {
			i++;	/* \$ and other escapes */
		} else if (s[i] == '$') {
			bool block = i + 1 < n && s[i + 1] == '$';

			close = block ? "$$" : "$";
			inline_math = !block;
			start = i + (block ? 2 : 1);
			i += block ? 1 : 0;
		}
	}
	return found;
}

/* Last offset < limit where lit occurs (ASCII case-insensitive), or -1. */
static long last_ci(const char *s, size_t limit, const char *lit)
{
	size_t k = strlen(lit);

	for (size_t i = limit >= k ? limit - k + 1 : 0; i-- > 0;)
		if (span_starts_ci(s + i, k, lit))
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
		if (strlen(choosing_words[k]) == end - st && span_starts_ci(s + st, end - st, choosing_words[k]))
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

		if (span_starts_ci(s + j, n - j, phrase_verbs[v]) &&
		    (j + l == n || !is_alpha((unsigned char)s[j + l]))) {
			j = skip_blanks_and_bold(s, n, j + l);
			verb = true;
		}
	}
	if (j < n && s[j] == ':') {
		j++;
		verb = true;
	} else if (span_starts(s + j, n - j, "\xef\xbc\x9a")) {
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
		if (s[end] == ';' || span_starts(s + end, n - end, "\xe3\x80\x82") ||	/* 。 */
		    span_starts(s + end, n - end, "\xef\xbc\x8c"))			/* ， */
			break;
	}
	*out = span_trim(span_make(s + j, end - j));
	return out->n > 0;
}

/*
 * The last phrase, searched from the end: a reply stuck repeating "the
 * answer is" must not cost a scan to the line end per repetition.
 */
bool answer_extract_phrase(const char *s, size_t n, struct span *out)
{
	for (size_t i = n; i-- > 0;) {
		for (size_t k = 0; k < ARRAY_SIZE(phrase_keywords); k++) {
			const struct keyword *kw = &phrase_keywords[k];

			if ((kw->ascii ? span_starts_ci(s + i, n - i, kw->word)
				       : span_starts(s + i, n - i, kw->word)) &&
			    phrase_at(s, n, i, kw, out))
				return true;
		}
	}
	return false;
}

/* The last non-empty line, if it is an option letter and nothing else. */
static bool find_last_line_option(const char *s, size_t n, struct answer_letter *lf)
{
	size_t end = n, start;
	struct span line;

	while (end && is_sp((unsigned char)s[end - 1]))
		end--;
	for (start = end; start && s[start - 1] != '\n'; start--)
		;
	line = answer_clean_span(span_make(s + start, end - start));
	return line.n && answer_letter_parse(line, false, lf) && !lf->rest.n;
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

		if (span_starts(rest.p, rest.n, words[k]) && (rest.n == l || !is_alpha((unsigned char)rest.p[l])))
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

#define WHOLE_REPLY_WORDS 8	/* a longer sentence is no answer by itself */

/*
 * A sentence of more than WHOLE_REPLY_WORDS words with a digit in it:
 * the answer is a number within it, not the sentence ("the probability
 * that Alice wins is 2/3"), so the last number decides instead.
 */
static bool numbered_sentence(struct span s)
{
	size_t words = 0;
	bool digit = false, in_word = false;

	for (size_t i = 0; i < s.n; i++) {
		bool sp = is_sp((unsigned char)s.p[i]);

		digit |= is_digit((unsigned char)s.p[i]);
		if (!sp && !in_word)
			words++;
		in_word = !sp;
	}
	return digit && words > WHOLE_REPLY_WORDS;
}

/*
 * The last math span, unless a number follows it in plain text ("… so
 * the error grows by 100%."): then that number is the later answer.
 */
static bool find_last_math(const char *s, size_t n, struct span *out)
{
	if (!find_last_math_span(s, n, out))
		return false;
	for (const char *p = out->p + out->n; p < s + n; p++)
		if (is_digit((unsigned char)*p))
			return false;
	return true;
}

/* Try one method; on success `out` holds the cleaned answer. */
static bool extract_with(const char *s, size_t n, enum extract_method m, struct sbuf *out,
			 enum extract_method *found)
{
	struct span sp = { NULL, 0 };
	struct answer_letter lf;
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
		return put_boxes(span_make(s, n), out);
	case EXTRACT_LAST_MATH:
		ok = find_last_math(s, n, &sp);
		break;
	case EXTRACT_PHRASE:
	case EXTRACT_OPTION:
		if (answer_extract_phrase(s, n, &sp)) {
			sp = answer_clean_span(sp);
			if (answer_letter_parse(sp, true, &lf)) {
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
		sp = answer_clean_span(span_make(s, n));
		ok = sp.n <= WHOLE_REPLY_MAX && !memchr(sp.p, '\n', sp.n) &&
		     answer_letter_parse(sp, false, &lf);
		if (ok && !lf.rest.n)
			return put_letter(out, lf.letter);
		if (!ok && find_last_line_option(s, n, &lf))
			return put_letter(out, lf.letter);
		break;
	case EXTRACT_WHOLE:
		sp = span_trim(span_make(s, n));
		ok = sp.n <= WHOLE_REPLY_MAX && !memchr(sp.p, '\n', sp.n) && !numbered_sentence(sp);
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
	sp = answer_clean_span(sp);
	sbuf_add(out, sp.p, sp.n);
	return out->len > 0;
}

/* End-of-turn tokens: what follows one is no longer the model's reply. */
static const char *const turn_ends[] = {
	"<|im_end|>", "<|im_start|>", "<|eot_id|>", "<|endoftext|>", "<|end|>", "</s>",
	"<end_of_turn>",
};

/* The length of the reply before its first end-of-turn token. */
static size_t reply_length(const char *s)
{
	size_t n = strlen(s);

	for (const char *p = memchr(s, '<', n); p; p = memchr(p + 1, '<', n - (size_t)(p + 1 - s)))
		for (size_t k = 0; k < ARRAY_SIZE(turn_ends); k++)
			if (span_starts(p, n - (size_t)(p - s), turn_ends[k]))
				return (size_t)(p - s);
	return n;
}

int answer_extract(const char *text, enum extract_method pref, struct sbuf *out,
		   enum extract_method *found)
{
	static const enum extract_method order[] = {
		EXTRACT_ANSWER_TAG, EXTRACT_FINAL_ANSWER, EXTRACT_BOXED, EXTRACT_PHRASE,
		EXTRACT_OPTION, EXTRACT_LAST_MATH, EXTRACT_WHOLE, EXTRACT_LAST_NUMBER,
	};
	/* Only what the reply declares as its answer: no guessing from the rest. */
	static const enum extract_method strict_order[] = {
		EXTRACT_ANSWER_TAG, EXTRACT_FINAL_ANSWER, EXTRACT_BOXED,
	};
	const enum extract_method *try = order;
	size_t ntry = ARRAY_SIZE(order);
	enum extract_method dummy, m;
	size_t n;

	if (!found)
		found = &dummy;
	*found = EXTRACT_NONE;
	if (!text || !out)
		return error("answer_extract: NULL argument");
	sbuf_reset(out);
	n = reply_length(text);
	if (pref == EXTRACT_STRICT) {
		try = strict_order;
		ntry = ARRAY_SIZE(strict_order);
	} else if (pref != EXTRACT_AUTO) {
		if (extract_with(text, n, pref, out, &m)) {
			*found = m;
			return 1;
		}
		sbuf_reset(out);
		return 0;
	}
	for (size_t i = 0; i < ntry; i++) {
		if (extract_with(text, n, try[i], out, &m)) {
			*found = m;
			return 1;
		}
	}
	sbuf_reset(out);
	return 0;
}
