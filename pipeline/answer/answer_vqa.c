/*
 * answer_vqa.c — VQA normalisation: NFKC case folding; punctuation to
 * spaces except inside numbers ("1,000" -> "1000", "3.5" and "-3" kept);
 * contractions expanded and apostrophes dropped ("can't", "cant" -> "can
 * not"); articles dropped; number words to digits ("twenty one" -> 21,
 * and "none" -> 0, the benchmark's convention for counts). Words come out
 * separated by one space.
 */
#include "answer/answer_vqa.h"

#include <stdlib.h>
#include <utf8proc.h>

#include "answer/answer_check.h"
#include "answer/answer_numword.h"
#include "core/util.h"

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

/* The index of the whole-word contraction w is, or -1. */
static long contraction_of(struct span w)
{
	for (size_t k = 0; k < ARRAY_SIZE(contractions); k++)
		if (strlen(contractions[k].from) == w.n && span_starts(w.p, w.n, contractions[k].from))
			return (long)k;
	return -1;
}

/* The index of the suffix w ends with (leaving a stem), or -1. */
static long suffix_of(struct span w)
{
	for (size_t k = 0; k < ARRAY_SIZE(suffixes); k++) {
		size_t l = strlen(suffixes[k].from);

		if (w.n > l && span_ends_with(w, suffixes[k].from))
			return (long)k;
	}
	return -1;
}

/*
 * Append word w with its contractions expanded and apostrophes dropped:
 * suffixes come off the end until the stem is a whole contraction or has
 * none left ("can" + "n't" x 300,000 is one long word), then the stem is
 * written and the suffixes after it, front to back. A loop, not one call
 * per suffix: no table suffix is a prefix of another, so the tail reads
 * back forwards as the same suffixes that came off backwards.
 */
static void add_expanded(struct sbuf *out, struct span w)
{
	struct span stem = w;
	long k;

	while (contraction_of(stem) < 0 && (k = suffix_of(stem)) >= 0)
		stem.n -= strlen(suffixes[k].from);
	if ((k = contraction_of(stem)) >= 0) {
		sbuf_addstr(out, contractions[k].to);
	} else {
		for (size_t i = 0; i < stem.n; i++)
			if (stem.p[i] != '\'')
				sbuf_addch(out, stem.p[i]);
	}
	for (size_t i = stem.n; i < w.n;) {
		for (k = 0; k < (long)ARRAY_SIZE(suffixes); k++)
			if (span_starts(w.p + i, w.n - i, suffixes[k].from))
				break;
		sbuf_addstr(out, suffixes[k].to);
		i += strlen(suffixes[k].from);
	}
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
	return (w.n == 1 && w.p[0] == 'a') || (w.n == 2 && span_starts(w.p, 2, "an")) ||
	       (w.n == 3 && span_starts(w.p, 3, "the"));
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

	span_casefold(span_trim(span_of(s)), &folded, true);
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
		used = answer_numword_run(w + i, nw - i, &v);
		if (used) {
			sbuf_addf(out, "%lld", v);
			i += used;
		} else if (w[i].n == 4 && span_starts(w[i].p, 4, "none")) {
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

bool answer_vqa_equal(struct span p, struct span g)
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
