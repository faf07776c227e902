/*
 * text_norm.h — the text normalisation behind exact deduplication: two
 * strings a reader would call "the same text" normalise to the same bytes.
 *
 * The steps, in order: Unicode NFKC with case folding and default-ignorable
 * code points removed (Unicode's NFKC_Casefold, through utf8proc), then
 * every run of White_Space characters becomes one ASCII space and leading
 * and trailing white space is dropped. So fullwidth "ＡＢＣ" and "abc",
 * composed and decomposed "café", "Hello\u00a0 World" and "hello world"
 * all normalise alike. Pure ASCII input takes a fast path that gives the
 * same bytes as the full one.
 */
#ifndef SMELT_TEXT_NORM_H
#define SMELT_TEXT_NORM_H

#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"
#include "core/util.h"

/*
 * Append the normalised form of s[0..len) to `out`. The input must be
 * valid UTF-8 (NUL bytes allowed). Returns 0, or -1 with error() if it is
 * not UTF-8. Thread-safe: no shared state.
 */
int text_norm_append(struct sbuf *out, const char *s, size_t len) MUST_CHECK;

/* 1 if `cp` has the Unicode White_Space property. */
int text_norm_is_space(int32_t cp);

#endif
