#ifndef SMELT_CORE_IMAGE_MAGIC_H
#define SMELT_CORE_IMAGE_MAGIC_H
/*
 * image_magic — what kind of image a buffer holds, from its first bytes
 * (the file signature), never from a name: references and Parquet byte
 * arrays carry no trustworthy extension. One table serves the data: URIs
 * sent to models (llm/), the members extracted from Parquet (parquet/) and
 * the simulator's check of what a vision server accepts (sim/).
 */
#include <stdbool.h>
#include <stddef.h>

struct image_magic {
	const char *mime; /* "image/png", ... */
	const char *ext;  /* "png", "jpg", ...: the usual file extension */
	/* one of PNG, JPEG, GIF, WebP: what OpenAI-style vision APIs accept */
	bool web;
};

/* The format of the image starting at `p` (n bytes available), or NULL. */
const struct image_magic *image_magic(const void *p, size_t n);

/* Its MIME type ("image/png", ...), or NULL if not recognised. */
const char *image_magic_mime(const void *p, size_t n);

#endif
