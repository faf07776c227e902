/*
 * pq_codec.h — page decompression (UNCOMPRESSED, SNAPPY, GZIP, ZSTD,
 * BROTLI, LZ4_RAW) and the page CRC.
 */
#ifndef SMELT_PQ_CODEC_H
#define SMELT_PQ_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"

/* "ZSTD", ... for messages; "codec N" numbers are written into `buf`. */
const char *pq_codec_name(int codec);
/* 1 if this reader can decode the codec. */
int pq_codec_supported(int codec);

/*
 * Decompress `in` into out[0, out_len): the result must be exactly out_len
 * bytes (the page header's uncompressed size). -1 with the reason in err.
 */
int pq_decompress(int codec, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len,
		  struct sbuf *err);

/* CRC-32 (the zlib/gzip polynomial), as a page header's crc field. */
uint32_t pq_crc32(const uint8_t *p, size_t len);

#endif
