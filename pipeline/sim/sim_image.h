/*
 * sim_image.h — what smelt-sim does with images: check an image_url the
 * way a vision server would before decoding it (a data: URI must hold
 * valid base64 of PNG, JPEG, GIF or WebP bytes; http(s) URLs are accepted
 * unfetched), and make tiny real PNGs for generated test problems.
 */
#ifndef SMELT_SIM_IMAGE_H
#define SMELT_SIM_IMAGE_H

#include <stddef.h>
#include <stdint.h>

/*
 * 0 if url is acceptable, else -1 with the reason in why[]. A data: URI
 * whose decoded size exceeds max_bytes is refused (0 = no limit).
 */
int sim_image_check_url(const char *url, uint64_t max_bytes, char *why, size_t whylen);

/* A new "data:image/png;base64,..." string: an 8x8 PNG coloured by seed. */
char *sim_image_png_data_uri(uint64_t seed);

#endif
