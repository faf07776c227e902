/*
 * shingle.c — normalised field text and its n-gram hashes (see shingle.h).
 */
#include "neardup/shingle.h"

#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/utf8.h"
#include "json/json_path.h"
#include "json/json_write.h"
#include "text/text_norm.h"

/* The seed of shingle hashes: any fixed value; changing it changes every signature. */
#define SHINGLE_SEED 0x736d656c742d6e64ULL

static int add_value(struct sbuf *out, const json_t *v)
{
	size_t i;
	const char *key;
	json_t *el;

	switch (json_typeof(v)) {
	case JSON_STRING:
		if (out->len)
			sbuf_addch(out, ' ');
		return text_norm_append(out, json_string_value(v), json_string_length(v));
	case JSON_ARRAY:
		json_array_foreach(v, i, el)
			if (add_value(out, el) < 0)
				return -1;
		return 0;
	case JSON_OBJECT:
		json_object_foreach((json_t *)v, key, el)
			if (add_value(out, el) < 0)
				return -1;
		return 0;
	default:
		if (out->len)
			sbuf_addch(out, ' ');
		json_write(out, v);
		return 0;
	}
}

int shingle_text(const json_t *rec, char *const *paths, size_t npaths, struct sbuf *out)
{
	size_t found = 0;

	for (size_t i = 0; i < npaths; i++) {
		const json_t *v = jpath_get(rec, paths[i]);
		if (!v)
			continue;
		found++;
		if (add_value(out, v) < 0)
			return -1;
	}
	return found ? 0 : 1;
}

/* Decode one code point of valid UTF-8 at p; *len gets its byte length. */
static uint32_t decode(const unsigned char *p, size_t avail, size_t *len)
{
	size_t n = utf8_sequence(p, avail);

	if (!n) {
		*len = 1;
		return p[0];
	}
	*len = n;
	if (n == 2)
		return ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
	if (n == 3)
		return ((uint32_t)(p[0] & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
	return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) |
	       ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
}

static int is_cjk(uint32_t cp)
{
	return (cp >= 0x3040 && cp <= 0x30ff) ||   /* hiragana, katakana */
	       (cp >= 0x3400 && cp <= 0x4dbf) ||   /* Han extension A */
	       (cp >= 0x4e00 && cp <= 0x9fff) ||   /* Han */
	       (cp >= 0xac00 && cp <= 0xd7af) ||   /* Hangul syllables */
	       (cp >= 0xf900 && cp <= 0xfaff) ||   /* Han compatibility */
	       (cp >= 0x20000 && cp <= 0x2fa1f);   /* Han extensions B.. */
}

int shingle_is_cjk(const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t total = 0, cjk = 0, i = 0, n;

	while (i < len) {
		uint32_t cp = decode(p + i, len - i, &n);
		i += n;
		if (cp == ' ')
			continue;
		total++;
		cjk += is_cjk(cp);
	}
	return total && cjk * 10 >= total * 3;
}

static void push(struct shingle_set *set, uint64_t h)
{
	ALLOC_GROW(set->h, set->n + 1, set->alloc);
	set->h[set->n++] = h;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Token starts: byte offsets of each word (or non-space code point), with
 * one extra entry holding the end of the last token, so the n-gram from
 * token i spans starts[i] .. ends[i + n - 1].
 */
struct tokens {
	size_t *start, *end;
	size_t n, alloc_s, alloc_e;
};

static void token_add(struct tokens *t, size_t start, size_t end)
{
	ALLOC_GROW(t->start, t->n + 1, t->alloc_s);
	ALLOC_GROW(t->end, t->n + 1, t->alloc_e);
	t->start[t->n] = start;
	t->end[t->n++] = end;
}

static void split_words(struct tokens *t, const char *text, size_t len)
{
	size_t i = 0;

	while (i < len) {
		while (i < len && text[i] == ' ')
			i++;
		size_t s = i;
		while (i < len && text[i] != ' ')
			i++;
		if (i > s)
			token_add(t, s, i);
	}
}

static void split_chars(struct tokens *t, const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0, n;

	while (i < len) {
		uint32_t cp = decode(p + i, len - i, &n);
		if (cp != ' ')
			token_add(t, i, i + n);
		i += n;
	}
}

/*
 * An n-gram's hash is XXH3 of its tokens' hashes: each token is hashed
 * once, not once per n-gram it is in, and what separated the tokens in the
 * text (one space, or nothing in CJK) does not count.
 */
static void token_hashes(const char *text, const struct tokens *t, uint64_t *out)
{
	for (size_t k = 0; k < t->n; k++)
		out[k] = hash64(text + t->start[k], t->end[k] - t->start[k], SHINGLE_SEED);
}

void shingle_set_build(struct shingle_set *set, const char *text, size_t len, int ngram,
		       enum shingle_mode mode)
{
	struct tokens t = { 0 };
	uint64_t *th;
	size_t n = ngram > 0 ? (size_t)ngram : 1, w = 0;

	set->n = 0;
	set->chars = mode == SHINGLE_CHARS || (mode == SHINGLE_AUTO && shingle_is_cjk(text, len));
	if (set->chars)
		split_chars(&t, text, len);
	else
		split_words(&t, text, len);
	th = xmalloc((t.n ? t.n : 1) * sizeof(*th));
	token_hashes(text, &t, th);
	if (t.n < n)
		push(set, hash64(th, t.n * sizeof(*th), SHINGLE_SEED));
	else
		for (size_t i = 0; i + n <= t.n; i++)
			push(set, hash64(th + i, n * sizeof(*th), SHINGLE_SEED));
	free(th);
	qsort(set->h, set->n, sizeof(*set->h), cmp_u64);
	for (size_t i = 0; i < set->n; i++)
		if (!w || set->h[w - 1] != set->h[i])
			set->h[w++] = set->h[i];
	set->n = w;
	free(t.start);
	free(t.end);
}

void shingle_set_release(struct shingle_set *set)
{
	free(set->h);
	memset(set, 0, sizeof(*set));
}
