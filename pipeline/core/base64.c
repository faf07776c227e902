/*
 * base64.c — see base64.h. The encoder writes whole groups of three bytes
 * straight into the buffer's reserved room, then the padded tail; the
 * decoder shifts 6 bits at a time into an accumulator and takes a byte
 * out whenever 8 are there.
 */
#include "core/base64.h"

#include <stdint.h>

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64_encode(struct sbuf *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i = 0;
	char *w;

	sbuf_grow(out, (len + 2) / 3 * 4);
	w = out->buf + out->len;
	for (; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*w++ = alphabet[v >> 18];
		*w++ = alphabet[(v >> 12) & 63];
		*w++ = alphabet[(v >> 6) & 63];
		*w++ = alphabet[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0);
		*w++ = alphabet[v >> 18];
		*w++ = alphabet[(v >> 12) & 63];
		*w++ = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
		*w++ = '=';
	}
	sbuf_setlen(out, (size_t)(w - out->buf));
}

/* The 6-bit value of an alphabet character, or -1. */
static int value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long base64_decode(const char *s, size_t len, void *out, size_t outlen)
{
	unsigned char *o = out;
	size_t pad = 0, n = 0;
	uint32_t acc = 0;
	int bits = 0;

	while (len && s[len - 1] == '=' && pad < 2) {
		len--;
		pad++;
	}
	/* one character left over holds 6 bits, less than a byte */
	if ((len + pad) % 4 == 1 || (pad && (len + pad) % 4))
		return -1;
	for (size_t i = 0; i < len; i++) {
		int v = value((unsigned char)s[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n < outlen)
				o[n] = (unsigned char)(acc >> bits);
			n++;
		}
	}
	return (long)n;
}
