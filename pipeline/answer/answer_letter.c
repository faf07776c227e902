/*
 * answer_letter.c — read an option letter and the text after it, in one
 * left-to-right pass: optional bold, "Option"/"Choice", an optional
 * bracket ( [ （, the letter, its closing bracket or one of . ) : ：,
 * then the option's text. "B.C." and "A.5" are no letters: a period
 * counts only before a space, bold, or the end.
 */
#include "answer/answer_letter.h"

static size_t skip_bold(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] == '*')
		i++;
	return i;
}

bool answer_letter_parse(struct span s, bool loose, struct answer_letter *lf)
{
	const char *p, *end;
	const char *close = NULL;
	int c;

	s = span_trim(s);
	p = s.p;
	end = s.p + s.n;
	p += skip_bold(p, (size_t)(end - p));
	if ((span_starts_ci(p, (size_t)(end - p), "option") ||
	     span_starts_ci(p, (size_t)(end - p), "choice")) &&
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
	} else if (span_starts(p, (size_t)(end - p), "\xef\xbc\x88")) {	/* （ */
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
		if (!span_starts(p, (size_t)(end - p), close))
			return false;
		p += strlen(close);
	}
	p += skip_bold(p, (size_t)(end - p));
	if (p < end && !close) {
		if (*p == '.' || *p == ')' || *p == ':') {
			if (*p == '.' && p + 1 < end && !is_sp((unsigned char)p[1]) && p[1] != '*')
				return false;	/* "B.C.", "A.5" */
			p++;
		} else if (span_starts(p, (size_t)(end - p), "\xef\xbc\x9a")) {	/* ： */
			p += 3;
		} else if (loose && (is_sp((unsigned char)*p) || *p == ',' ||
				     span_starts(p, (size_t)(end - p), "\xef\xbc\x8c"))) {	/* ， */
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
