/*
 * pq_codec.c — each codec through the Debian library that implements it.
 * Every decoder is told the exact output size and must produce exactly that
 * many bytes: a page that decodes shorter or longer is corrupt.
 */
#include "parquet/pq_codec.h"

#include <brotli/decode.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <string.h>
#include <zstd.h>

#include "core/util.h"
#include "parquet/pq_format.h"

const char *pq_codec_name(int codec)
{
	switch (codec) {
	case PQ_CODEC_UNCOMPRESSED: return "UNCOMPRESSED";
	case PQ_CODEC_SNAPPY: return "SNAPPY";
	case PQ_CODEC_GZIP: return "GZIP";
	case PQ_CODEC_LZO: return "LZO";
	case PQ_CODEC_BROTLI: return "BROTLI";
	case PQ_CODEC_LZ4: return "LZ4 (Hadoop framing)";
	case PQ_CODEC_ZSTD: return "ZSTD";
	case PQ_CODEC_LZ4_RAW: return "LZ4_RAW";
	default: return "unknown codec";
	}
}

int pq_codec_supported(int codec)
{
	switch (codec) {
	case PQ_CODEC_UNCOMPRESSED:
	case PQ_CODEC_SNAPPY:
	case PQ_CODEC_GZIP:
	case PQ_CODEC_BROTLI:
	case PQ_CODEC_ZSTD:
	case PQ_CODEC_LZ4_RAW:
		return 1;
	default:
		return 0;
	}
}

static int gunzip(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len, struct sbuf *err)
{
	z_stream z = { 0 };
	int ret;

	/* 32 + MAX_WBITS: gzip or zlib wrapping, detected (writers differ) */
	if (inflateInit2(&z, 32 + MAX_WBITS) != Z_OK)
		die("out of memory creating a gzip stream");
	z.next_in = (uint8_t *)in;
	z.avail_in = (uInt)in_len;
	z.next_out = out;
	z.avail_out = (uInt)out_len;
	ret = inflate(&z, Z_FINISH);
	size_t made = out_len - z.avail_out;
	inflateEnd(&z);
	if (ret != Z_STREAM_END) {
		if (ret == Z_BUF_ERROR && z.avail_out == 0)
			sbuf_addstr(err, "GZIP page decodes to more than its uncompressed size");
		else
			sbuf_addf(err, "GZIP page does not decode (%s)", z.msg ? z.msg : "truncated");
		return -1;
	}
	if (made != out_len) {
		sbuf_addf(err, "GZIP page decodes to %zu bytes, header says %zu", made, out_len);
		return -1;
	}
	return 0;
}

int pq_decompress(int codec, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len,
		  struct sbuf *err)
{
	if (in_len > UINT32_MAX || out_len > UINT32_MAX) {
		sbuf_addstr(err, "page larger than 4 GiB");
		return -1;
	}
	switch (codec) {
	case PQ_CODEC_UNCOMPRESSED:
		if (in_len != out_len) {
			sbuf_addf(err, "uncompressed page of %zu bytes, header says %zu", in_len, out_len);
			return -1;
		}
		if (out_len)
			memcpy(out, in, out_len);
		return 0;
	case PQ_CODEC_SNAPPY: {
		size_t n = 0;
		if (snappy_uncompressed_length((const char *)in, in_len, &n) != SNAPPY_OK || n != out_len) {
			sbuf_addf(err, "SNAPPY page announces %zu bytes, header says %zu", n, out_len);
			return -1;
		}
		if (snappy_uncompress((const char *)in, in_len, (char *)out, &n) != SNAPPY_OK || n != out_len) {
			sbuf_addstr(err, "SNAPPY page does not decode");
			return -1;
		}
		return 0;
	}
	case PQ_CODEC_GZIP:
		return gunzip(in, in_len, out, out_len, err);
	case PQ_CODEC_ZSTD: {
		/* a page may hold several frames: ZSTD_decompress reads them all */
		size_t n = ZSTD_decompress(out, out_len, in, in_len);
		if (ZSTD_isError(n)) {
			sbuf_addf(err, "ZSTD page does not decode (%s)", ZSTD_getErrorName(n));
			return -1;
		}
		if (n != out_len) {
			sbuf_addf(err, "ZSTD page decodes to %zu bytes, header says %zu", n, out_len);
			return -1;
		}
		return 0;
	}
	case PQ_CODEC_BROTLI: {
		size_t n = out_len;
		if (BrotliDecoderDecompress(in_len, in, &n, out) != BROTLI_DECODER_RESULT_SUCCESS) {
			sbuf_addstr(err, "BROTLI page does not decode (or decodes to more than its size)");
			return -1;
		}
		if (n != out_len) {
			sbuf_addf(err, "BROTLI page decodes to %zu bytes, header says %zu", n, out_len);
			return -1;
		}
		return 0;
	}
	case PQ_CODEC_LZ4_RAW: {
		int n = LZ4_decompress_safe((const char *)in, (char *)out, (int)in_len, (int)out_len);
		if (n < 0) {
			sbuf_addstr(err, "LZ4_RAW page does not decode");
			return -1;
		}
		if ((size_t)n != out_len) {
			sbuf_addf(err, "LZ4_RAW page decodes to %d bytes, header says %zu", n, out_len);
			return -1;
		}
		return 0;
	}
	default:
		sbuf_addf(err, "compression %s (%d) is not supported", pq_codec_name(codec), codec);
		return -1;
	}
}

uint32_t pq_crc32(const uint8_t *p, size_t len)
{
	uLong c = crc32(0L, Z_NULL, 0);
	while (len > 0) {
		uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;
		c = crc32(c, p, n);
		p += n;
		len -= n;
	}
	return (uint32_t)c;
}
