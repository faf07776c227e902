/*
 * shingle.h — the set of n-grams ("shingles") a record is compared by for
 * near-duplicate detection, as sorted distinct 64-bit hashes.
 *
 * The text is that of the chosen fields, every string in them normalised
 * the way exact dedup normalises it (text/text_norm.h: NFKC, case folding,
 * white space folded), strings joined by one space; numbers, booleans and
 * null count as their compact JSON; object keys are not text. Words are
 * the runs between spaces; a shingle is `n` consecutive words. Text that is
 * mostly CJK (Han, kana, Hangul: at least 30% of its non-space code
 * points) has no spaces between words, so it is cut into `n` consecutive
 * non-space code points instead; --char forces that, --word forbids it.
 * A text shorter than one n-gram is one shingle, itself.
 */
#ifndef SMELT_NEARDUP_SHINGLE_H
#define SMELT_NEARDUP_SHINGLE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"
#include "core/util.h"

enum shingle_mode {
	SHINGLE_AUTO, /* words, or characters for CJK text */
	SHINGLE_WORDS,
	SHINGLE_CHARS,
};

/* A growable array of 64-bit shingle hashes. */
struct shingle_set {
	uint64_t *h;
	size_t n, alloc;
	int chars; /* 1 if cut into characters */
};

/*
 * Append to `out` the normalised text of the values at paths[0..npaths) of
 * `rec`. Returns 0, 1 if the record has none of the fields, -1 with
 * error() if a string is not valid UTF-8.
 */
int shingle_text(const json_t *rec, char *const *paths, size_t npaths, struct sbuf *out) MUST_CHECK;

/* Replace `set` with the sorted distinct shingles of text[0..len). */
void shingle_set_build(struct shingle_set *set, const char *text, size_t len, int ngram,
		       enum shingle_mode mode);
void shingle_set_release(struct shingle_set *set);

/* 1 if at least 30% of the non-space code points of the text are CJK. */
int shingle_is_cjk(const char *text, size_t len);

#endif
