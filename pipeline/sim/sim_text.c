/*
 * sim_text.c — token counting and the small text heuristics smelt-sim's
 * behaviours and reward scores are built from. Everything works on UTF-8
 * bytes; only CJK detection decodes code points.
 */
#include "sim/sim_text.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/sbuf.h"
#include "core/util.h"

size_t sim_text_utf8(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xe0) == 0xc0) {
		n = 2;
		*cp = u[0] & 0x1f;
	} else if ((u[0] & 0xf0) == 0xe0) {
		n = 3;
		*cp = u[0] & 0x0f;
	} else if ((u[0] & 0xf8) == 0xf0) {
		n = 4;
		*cp = u[0] & 0x07;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	if (n > len) {
		*cp = 0xfffd;
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		*cp = (*cp << 6) | (u[i] & 0x3f);
	}
	return n;
}

static int is_cjk(uint32_t c)
{
	return (c >= 0x2e80 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) ||
	       (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xffef) ||
	       (c >= 0x20000 && c <= 0x2ffff);
}

/* CJK ideographs proper (not punctuation or fullwidth forms). */
static int is_ideograph(uint32_t c)
{
	return (c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) ||
	       (c >= 0x20000 && c <= 0x2ffff);
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/*
 * Walk the tokens of s; stop after `max` of them. Returns the number seen
 * and stores in *end the byte offset just past the last one counted.
 */
static size_t walk_tokens(const char *s, size_t len, size_t max, size_t *end)
{
	size_t i = 0, count = 0, last = 0;
	int in_word = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = sim_text_utf8(s + i, len - i, &cp);

		if (is_space((unsigned char)s[i])) {
			in_word = 0;
		} else if (is_cjk(cp)) {
			if (count == max)
				break;
			count++;
			in_word = 0;
			last = i + n;
		} else {
			if (!in_word) {
				if (count == max)
					break;
				count++;
				in_word = 1;
			}
			last = i + n;
		}
		i += n;
	}
	if (end)
		*end = i >= len ? len : last;
	return count;
}

size_t sim_text_tokens(const char *s, size_t len)
{
	return walk_tokens(s, len, SIZE_MAX, NULL);
}

size_t sim_text_token_prefix(const char *s, size_t len, size_t max)
{
	size_t end;

	walk_tokens(s, len, max, &end);
	return end;
}

int sim_text_has_cjk(const char *s)
{
	size_t len = strlen(s);

	for (size_t i = 0; i < len;) {
		uint32_t cp;

		i += sim_text_utf8(s + i, len - i, &cp);
		if (is_cjk(cp))
			return 1;
	}
	return 0;
}

char *sim_text_trim(const char *s, size_t len)
{
	while (len && is_space((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && is_space((unsigned char)s[len - 1]))
		len--;
	return xstrndup(s, len);
}

char *sim_text_first_sentence(const char *s)
{
	static const char *const ends[] = { "?", "!", ". ", "\n", "？", "！", "。" };
	size_t len = strlen(s);

	for (size_t i = 0; i < ARRAY_SIZE(ends); i++) {
		const char *e = strstr(s, ends[i]);

		if (e && (size_t)(e - s) < len)
			len = (size_t)(e - s);
	}
	return sim_text_trim(s, len);
}

char *sim_text_between(const char *s, const char *start, const char *end)
{
	const char *a = strstr(s, start), *b;

	if (!a)
		return NULL;
	a += strlen(start);
	b = end ? strstr(a, end) : NULL;
	return sim_text_trim(a, b ? (size_t)(b - a) : strlen(a));
}

char *sim_text_after_label(const char *s, const char *label)
{
	const char *a = strstr(s, label);
	size_t n;
	char *r;

	if (!a)
		return NULL;
	a += strlen(label);
	n = strcspn(a, "\n");
	r = sim_text_trim(a, n);
	n = strlen(r);
	if (n >= 2 && strchr("'\"", r[0]) && r[n - 1] == r[0]) {
		memmove(r, r + 1, n - 2);
		r[n - 2] = '\0';
	}
	if (!*r) {
		free(r);
		return NULL;
	}
	return r;
}

static const char *const stopwords[] = {
	"about", "above", "after", "again", "also", "answer", "because", "been",
	"before", "being", "between", "both", "could", "does", "doing", "each",
	"explain", "from", "have", "having", "here", "into", "just", "more",
	"most", "other", "over", "please", "question", "same", "should", "some",
	"such", "than", "that", "their", "them", "then", "there", "these",
	"they", "this", "those", "through", "very", "what", "when", "where",
	"which", "while", "will", "with", "would", "your",
};

static int is_stopword(const char *w)
{
	for (size_t i = 0; i < ARRAY_SIZE(stopwords); i++)
		if (!strcmp(w, stopwords[i]))
			return 1;
	return 0;
}

/*
 * Call fn for each keyword of s (lowercased, NUL-terminated in a scratch
 * buffer). Returns early when fn returns non-zero.
 */
static void each_keyword(const char *s, int (*fn)(const char *w, void *arg), void *arg)
{
	char w[64];

	while (*s) {
		size_t n = 0;

		while (*s && !isalnum((unsigned char)*s))
			s++;
		while (isalnum((unsigned char)s[n]))
			n++;
		if (n >= 4 && n < sizeof(w)) {
			for (size_t i = 0; i < n; i++)
				w[i] = (char)tolower((unsigned char)s[i]);
			w[n] = '\0';
			if (!is_stopword(w) && fn(w, arg))
				return;
		}
		s += n;
	}
}

struct keyword_list {
	char **out;
	size_t n, max;
};

static int add_keyword(const char *w, void *arg)
{
	struct keyword_list *kl = arg;

	for (size_t i = 0; i < kl->n; i++)
		if (!strcmp(kl->out[i], w))
			return 0;
	kl->out[kl->n++] = xstrdup(w);
	return kl->n == kl->max;
}

size_t sim_text_keywords(const char *s, char **out, size_t max)
{
	struct keyword_list kl = { out, 0, max };

	if (max)
		each_keyword(s, add_keyword, &kl);
	return kl.n;
}

struct feature_set {
	uint64_t *v;
	size_t n, alloc;
};

static void feature_add(struct feature_set *fs, const void *p, size_t len)
{
	ALLOC_GROW(fs->v, fs->n + 1, fs->alloc);
	fs->v[fs->n++] = hash64(p, len, 0);
}

static int feature_word(const char *w, void *arg)
{
	feature_add(arg, w, strlen(w));
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Keywords and CJK ideograph bigrams of s, sorted and deduplicated. */
static void features(const char *s, struct feature_set *fs)
{
	size_t len = strlen(s), prev = SIZE_MAX, i = 0, k = 0;

	each_keyword(s, feature_word, fs);
	while (i < len) {
		uint32_t cp;
		size_t n = sim_text_utf8(s + i, len - i, &cp);

		if (is_ideograph(cp)) {
			if (prev != SIZE_MAX)
				feature_add(fs, s + prev, i + n - prev);
			prev = i;
		} else {
			prev = SIZE_MAX;
		}
		i += n;
	}
	if (!fs->n)
		return;
	qsort(fs->v, fs->n, sizeof(*fs->v), cmp_u64);
	for (i = 1; i < fs->n; i++)
		if (fs->v[i] != fs->v[k])
			fs->v[++k] = fs->v[i];
	fs->n = k + 1;
}

double sim_text_overlap(const char *question, const char *answer, size_t *nfeatures)
{
	struct feature_set q = { NULL, 0, 0 }, a = { NULL, 0, 0 };
	size_t hit = 0;
	double r;

	features(question, &q);
	features(answer, &a);
	for (size_t i = 0; i < q.n; i++)
		if (a.n && bsearch(&q.v[i], a.v, a.n, sizeof(*a.v), cmp_u64))
			hit++;
	r = q.n ? (double)hit / q.n : 1.0;
	*nfeatures = q.n;
	free(q.v);
	free(a.v);
	return r;
}

int sim_text_looks_truncated(const char *s)
{
	size_t len = strlen(s), start;
	uint32_t cp;

	while (len && is_space((unsigned char)s[len - 1]))
		len--;
	if (!len)
		return 0;
	start = len - 1;
	while (start && ((unsigned char)s[start] & 0xc0) == 0x80)
		start--;
	sim_text_utf8(s + start, len - start, &cp);
	return isalpha((int)(cp < 0x80 ? cp : 0)) || is_ideograph(cp) ||
	       cp == ',' || cp == ';' || cp == '-' || cp == 0xff0c || cp == 0x3001;
}

size_t sim_text_count(const char *s, const char *needle)
{
	size_t n = 0, len = strlen(needle);

	if (!len)
		return 0;
	while ((s = strstr(s, needle))) {
		n++;
		s += len;
	}
	return n;
}

void sim_text_fill(struct sbuf *out, const char *t, const char *const *args)
{
	const char *pct;

	while ((pct = strstr(t, "%s"))) {
		sbuf_add(out, t, (size_t)(pct - t));
		sbuf_addstr(out, *args++);
		t = pct + 2;
	}
	sbuf_addstr(out, t);
}
