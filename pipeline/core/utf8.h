/*
 * utf8.h — UTF-8 both ways: strict validation (no overlongs, no
 * surrogates, nothing above U+10FFFF), shared by the record reader's error
 * messages and the JSON fast path; and the one encoder of a code point,
 * used wherever an escape (\uXXXX, \x{...}) is turned back into bytes.
 */
#ifndef SMELT_UTF8_H
#define SMELT_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"

/* The largest code point and the one written in place of what is not one. */
#define UTF8_MAX 0x10ffff
#define UTF8_REPLACEMENT 0xfffd

/* Length (2..4) of the valid multi-byte sequence at p, or 0 if it is not
 * one; `avail` bytes are readable from p. ASCII bytes also give 0. */
size_t utf8_sequence(const unsigned char *p, size_t avail);

/* Length of the valid UTF-8 prefix of s[0..len): len if all valid. */
size_t utf8_valid_prefix(const char *s, size_t len);

/*
 * Write code point cp as UTF-8 into out (no NUL) and return its length,
 * 1..4; 0, writing nothing, when cp is a surrogate or above U+10FFFF —
 * which no valid UTF-8 holds, so the output always passes utf8_sequence.
 */
size_t utf8_encode(uint32_t cp, char out[4]);

/* Code points in the valid UTF-8 text s[0..len): the bytes that start one. */
size_t utf8_char_count(const char *s, size_t len);

/* Append cp as UTF-8; U+FFFD in place of what utf8_encode refuses. */
void utf8_add(struct sbuf *out, uint32_t cp);

#endif
