/*
 * utf8.h — strict UTF-8 validation (no overlongs, no surrogates, nothing
 * above U+10FFFF), shared by the record reader's error messages and the
 * JSON fast path.
 */
#ifndef SMELT_UTF8_H
#define SMELT_UTF8_H

#include <stddef.h>

/* Length (2..4) of the valid multi-byte sequence at p, or 0 if it is not
 * one; `avail` bytes are readable from p. ASCII bytes also give 0. */
size_t utf8_sequence(const unsigned char *p, size_t avail);

/* Length of the valid UTF-8 prefix of s[0..len): len if all valid. */
size_t utf8_valid_prefix(const char *s, size_t len);

#endif
