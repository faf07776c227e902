/*
 * base64.h — the standard alphabet of RFC 4648 (A-Z a-z 0-9 + /), both
 * ways: the encoder that makes data: URIs of images, and the strict
 * decoder smelt-sim checks them with, the way a vision server would.
 */
#ifndef SMELT_BASE64_H
#define SMELT_BASE64_H

#include <stddef.h>

#include "core/sbuf.h"

/* Append the base64 encoding of data[0..len), padded with '='. */
void base64_encode(struct sbuf *out, const void *data, size_t len);

/*
 * Decode s[0..len): padding is optional (at most two '=', and only where
 * they complete a group of four), nothing outside the alphabet is taken —
 * no white space, no URL-safe '-' and '_'. The first `outlen` decoded
 * bytes go to out (which may be NULL when outlen is 0), so a caller can
 * read a header and learn the size without holding the whole payload.
 * Returns the full decoded size, or -1 when s is not base64.
 */
long base64_decode(const char *s, size_t len, void *out, size_t outlen);

#endif
