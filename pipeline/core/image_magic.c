/*
 * image_magic.c — image formats by signature. A format is recognised only
 * when enough bytes are there to hold its whole signature (a BMP's 14-byte
 * file header), so a short text that happens to start with "BM" is not one.
 */
#include "core/image_magic.h"

#include <string.h>

enum { PNG, JPEG, GIF, WEBP, BMP, TIFF };

static const struct image_magic formats[] = {
	[PNG] = { "image/png", "png", true },
	[JPEG] = { "image/jpeg", "jpg", true },
	[GIF] = { "image/gif", "gif", true },
	[WEBP] = { "image/webp", "webp", true },
	[BMP] = { "image/bmp", "bmp", false },
	[TIFF] = { "image/tiff", "tiff", false },
};

const struct image_magic *image_magic(const void *buf, size_t n)
{
	const unsigned char *p = buf;

	if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return &formats[PNG];
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return &formats[JPEG];
	if (n >= 6 && (!memcmp(p, "GIF87a", 6) || !memcmp(p, "GIF89a", 6)))
		return &formats[GIF];
	if (n >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4))
		return &formats[WEBP];
	if (n >= 14 && p[0] == 'B' && p[1] == 'M')
		return &formats[BMP];
	if (n >= 4 && (!memcmp(p, "II*\0", 4) || !memcmp(p, "MM\0*", 4)))
		return &formats[TIFF];
	return NULL;
}

const char *image_magic_mime(const void *p, size_t n)
{
	const struct image_magic *m = image_magic(p, n);
	return m ? m->mime : NULL;
}
