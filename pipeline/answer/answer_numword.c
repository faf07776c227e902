/*
 * answer_numword.c — number words by a table and a small grammar: each
 * word has a kind (unit, teen, tens, hundred, scale) and numword_follows
 * says which kind may come next, so "twenty one" is 21 but "one twenty"
 * stops after "one". Scales multiply what came before them ("three
 * hundred thousand" = 300000); "zero" stands alone.
 */
#include "answer/answer_numword.h"

#include "core/util.h"

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
		if (strlen(numwords[k].word) == w.n && span_starts_ci(w.p, w.n, numwords[k].word))
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

size_t answer_numword_run(const struct span *w, size_t n, long long *value)
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

size_t answer_numword_split(struct span s, struct span *w, size_t max)
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
