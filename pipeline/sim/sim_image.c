/*
 * sim_image.c — a data: URI checked as a vision server would (strict
 * base64, then the image signature of the first bytes), plus a PNG writer
 * that needs no zlib: the pixel data goes in "stored" (uncompressed)
 * deflate blocks, which every PNG decoder must accept.
 */
#include "sim/sim_image.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/base64.h"
#include "core/image_magic.h"
#include "core/sbuf.h"
#include "core/util.h"
#include "sim/sim_rng.h"

int sim_image_check_url(const char *url, uint64_t max_bytes, char *why, size_t whylen)
{
	unsigned char head[16];
	const char *comma;
	long n;

	if (!strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8))
		return 0;
	if (strncasecmp(url, "data:", 5)) {
		snprintf(why, whylen, "image url must be a data: URI or an http(s) URL");
		return -1;
	}
	comma = strchr(url, ',');
	if (!comma) {
		snprintf(why, whylen, "malformed data: URI (no comma)");
		return -1;
	}
	if (comma - url < 12 || strncasecmp(comma - 7, ";base64", 7)) {
		snprintf(why, whylen, "image data: URI must be base64-encoded");
		return -1;
	}
	n = base64_decode(comma + 1, strlen(comma + 1), head, sizeof(head));
	if (n < 0) {
		snprintf(why, whylen, "invalid base64 in image data: URI");
		return -1;
	}
	if (max_bytes && (uint64_t)n > max_bytes) {
		snprintf(why, whylen, "image of %ld bytes exceeds the limit of %llu",
			 n, (unsigned long long)max_bytes);
		return -1;
	}
	const struct image_magic *kind = image_magic(head, (size_t)n < sizeof(head) ? (size_t)n : sizeof(head));
	if (!kind || !kind->web) {
		snprintf(why, whylen, "cannot identify image file (not PNG, JPEG, GIF or WebP)");
		return -1;
	}
	return 0;
}

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320U & (0U - (crc & 1)));
	}
	return ~crc;
}

static void put_be32(struct sbuf *sb, uint32_t v)
{
	unsigned char b[4] = { v >> 24, v >> 16, v >> 8, v };

	sbuf_add(sb, b, 4);
}

static void png_chunk(struct sbuf *png, const char *type, const unsigned char *data, size_t n)
{
	size_t start;

	put_be32(png, (uint32_t)n);
	start = png->len;
	sbuf_add(png, type, 4);
	sbuf_add(png, data, n);
	put_be32(png, crc32_update(0, (unsigned char *)png->buf + start, n + 4));
}

char *sim_image_png_data_uri(uint64_t seed)
{
	enum { W = 8, H = 8, ROW = 1 + 3 * W, RAW = ROW * H };
	unsigned char raw[RAW], ihdr[13] = { 0 }, z[2 + 5 + RAW + 4];
	struct sbuf png = SBUF_INIT, uri = SBUF_INIT;
	struct sim_rng rng;
	uint32_t a = 1, b = 0;
	unsigned char rgb[3];

	sim_rng_init(&rng, seed, 0x706e67);
	for (int c = 0; c < 3; c++)
		rgb[c] = (unsigned char)sim_rng_below(&rng, 256);
	for (int y = 0; y < H; y++) {
		raw[y * ROW] = 0;	/* filter: none */
		for (int x = 0; x < W; x++)
			for (int c = 0; c < 3; c++)
				raw[y * ROW + 1 + 3 * x + c] =
					(unsigned char)(rgb[c] ^ ((x + y) & 1 ? 0x40 : 0));
	}
	ihdr[3] = W;
	ihdr[7] = H;
	ihdr[8] = 8;	/* bit depth */
	ihdr[9] = 2;	/* truecolour */
	/* zlib header, one final stored block, Adler-32 of the raw bytes. */
	z[0] = 0x78;
	z[1] = 0x01;
	z[2] = 1;
	z[3] = RAW & 0xff;
	z[4] = RAW >> 8;
	z[5] = (unsigned char)~(RAW & 0xff);
	z[6] = (unsigned char)~(RAW >> 8);
	memcpy(z + 7, raw, RAW);
	for (size_t i = 0; i < RAW; i++) {
		a = (a + raw[i]) % 65521;
		b = (b + a) % 65521;
	}
	z[7 + RAW] = (unsigned char)(b >> 8);
	z[8 + RAW] = (unsigned char)b;
	z[9 + RAW] = (unsigned char)(a >> 8);
	z[10 + RAW] = (unsigned char)a;

	sbuf_add(&png, "\x89PNG\r\n\x1a\n", 8);
	png_chunk(&png, "IHDR", ihdr, sizeof(ihdr));
	png_chunk(&png, "IDAT", z, sizeof(z));
	png_chunk(&png, "IEND", (const unsigned char *)"", 0);
	sbuf_addstr(&uri, "data:image/png;base64,");
	base64_encode(&uri, png.buf, png.len);
	sbuf_release(&png);
	return sbuf_detach(&uri, NULL);
}
