/*
 * pq_encoding.c — PLAIN, RLE / bit-packed hybrid, DELTA_BINARY_PACKED,
 * DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT decoders.
 * All values are little-endian on disk, as on the hosts smelt builds for.
 */
#include "parquet/pq_encoding.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "parquet/pq_format.h"

const char *pq_encoding_name(int enc)
{
	switch (enc) {
	case PQ_ENC_PLAIN: return "PLAIN";
	case PQ_ENC_PLAIN_DICTIONARY: return "PLAIN_DICTIONARY";
	case PQ_ENC_RLE: return "RLE";
	case PQ_ENC_BIT_PACKED: return "BIT_PACKED";
	case PQ_ENC_DELTA_BINARY_PACKED: return "DELTA_BINARY_PACKED";
	case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY: return "DELTA_LENGTH_BYTE_ARRAY";
	case PQ_ENC_DELTA_BYTE_ARRAY: return "DELTA_BYTE_ARRAY";
	case PQ_ENC_RLE_DICTIONARY: return "RLE_DICTIONARY";
	case PQ_ENC_BYTE_STREAM_SPLIT: return "BYTE_STREAM_SPLIT";
	default: return "unknown encoding";
	}
}

int pq_bit_width(uint32_t max)
{
	int w = 0;
	while (max) {
		w++;
		max >>= 1;
	}
	return w;
}

/* Up to 8 bytes at p, never reading at or past end. */
static inline uint64_t load_le(const uint8_t *p, const uint8_t *end)
{
	uint64_t v = 0;
	size_t n = (size_t)(end - p);

	if (n >= 8) {
		memcpy(&v, p, 8);
		return v;
	}
	memcpy(&v, p, n);
	return v;
}

/* The width-bit value (width <= 64) starting at bit `bit` of base. */
static inline uint64_t unpack(const uint8_t *base, const uint8_t *end, uint64_t bit, int width)
{
	const uint8_t *q = base + (bit >> 3);
	int shift = (int)(bit & 7);
	uint64_t v = load_le(q, end) >> shift;

	if (width + shift > 64 && q + 8 < end)
		v |= (uint64_t)q[8] << (64 - shift);
	return width == 64 ? v : v & ((UINT64_C(1) << width) - 1);
}

static uint64_t varint(const uint8_t **p, const uint8_t *end, int *bad)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (*p >= end)
			break;
		uint8_t b = *(*p)++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	*bad = 1;
	return 0;
}

int pq_rle_decode(const uint8_t *p, size_t len, int width, uint32_t *out, size_t n, size_t *used,
		  struct sbuf *err)
{
	const uint8_t *s = p, *end = p + len;
	size_t i = 0;
	int bad = 0;
	size_t vbytes = ((size_t)width + 7) / 8;

	if (width < 0 || width > 32) {
		sbuf_addf(err, "RLE bit width %d is out of range", width);
		return -1;
	}
	while (i < n) {
		uint64_t h = varint(&p, end, &bad);
		if (bad) {
			sbuf_addf(err, "RLE data ends after %zu of %zu values", i, n);
			return -1;
		}
		if (h & 1) { /* bit-packed: (h >> 1) groups of 8 values */
			uint64_t groups = h >> 1;
			if (groups == 0 || groups > (uint64_t)1 << 40) {
				sbuf_addstr(err, "RLE bit-packed run of no (or absurdly many) values");
				return -1;
			}
			/* a writer may cut the last run short where only padding would follow */
			uint64_t want = groups * (uint64_t)width;
			size_t run_bytes = want > (uint64_t)(end - p) ? (size_t)(end - p) : (size_t)want;
			size_t count = groups * 8 > n - i ? n - i : (size_t)groups * 8;
			const uint8_t *run_end = p + run_bytes;
			if ((uint64_t)count * (uint64_t)width > (uint64_t)run_bytes * 8) {
				sbuf_addf(err, "RLE bit-packed run beyond the data after %zu of %zu values", i, n);
				return -1;
			}
			if (width == 0) {
				memset(out + i, 0, count * sizeof(*out));
			} else {
				for (size_t k = 0; k < count; k++)
					out[i + k] = (uint32_t)unpack(p, run_end, (uint64_t)k * (uint64_t)width, width);
			}
			i += count;
			p = run_end;
		} else { /* a run of one value */
			uint64_t count = h >> 1;
			if ((size_t)(end - p) < vbytes) {
				sbuf_addf(err, "RLE run value beyond the data after %zu of %zu values", i, n);
				return -1;
			}
			uint32_t v = (uint32_t)load_le(p, p + vbytes);
			p += vbytes;
			if (width < 32 && (v >> width)) {
				sbuf_addf(err, "RLE run value %u wider than %d bits", v, width);
				return -1;
			}
			if (count == 0) {
				sbuf_addstr(err, "empty RLE run");
				return -1;
			}
			if (count > n - i)
				count = n - i;
			for (size_t k = 0; k < count; k++)
				out[i + k] = v;
			i += (size_t)count;
		}
	}
	if (used)
		*used = (size_t)(p - s);
	return 0;
}

/*
 * DELTA_BINARY_PACKED: a header (block size, miniblocks per block, value
 * count, first value), then blocks of (min delta, bit widths, miniblocks).
 * At most `max` values are accepted. *vals is xmalloc'd; *used the bytes
 * read. Arithmetic wraps, as the writer's did (in 32 bits for INT32).
 */
static int dbp_decode(const uint8_t *p, size_t len, size_t max, int bits32, int64_t **vals,
		      size_t *count, size_t *used, struct sbuf *err)
{
	const uint8_t *s = p, *end = p + len;
	int bad = 0;
	uint64_t block = varint(&p, end, &bad);
	uint64_t minis = varint(&p, end, &bad);
	uint64_t total = varint(&p, end, &bad);
	uint64_t first = varint(&p, end, &bad);

	*vals = NULL;
	if (bad) {
		sbuf_addstr(err, "DELTA_BINARY_PACKED header cut short");
		return -1;
	}
	if (block == 0 || block % 128 || minis == 0 || block % minis || (block / minis) % 32 ||
	    block > (1u << 20)) {
		sbuf_addf(err, "DELTA_BINARY_PACKED block of %llu values in %llu miniblocks is invalid",
			  (unsigned long long)block, (unsigned long long)minis);
		return -1;
	}
	if (total > max) {
		sbuf_addf(err, "DELTA_BINARY_PACKED holds %llu values where at most %zu fit",
			  (unsigned long long)total, max);
		return -1;
	}
	int64_t *v = xmalloc((total ? total : 1) * sizeof(*v));
	uint64_t cur = (first >> 1) ^ -(first & 1);
	size_t per_mini = (size_t)(block / minis);
	size_t i = 0;
	if (total)
		v[i++] = bits32 ? (int64_t)(int32_t)(uint32_t)cur : (int64_t)cur;
	while (i < total) {
		uint64_t zz = varint(&p, end, &bad);
		uint64_t min_delta = (zz >> 1) ^ -(zz & 1);
		if (bad || (uint64_t)(end - p) < minis) {
			sbuf_addf(err, "DELTA_BINARY_PACKED block header cut short after %zu of %llu values", i,
				  (unsigned long long)total);
			goto fail;
		}
		const uint8_t *widths = p;
		p += minis;
		for (uint64_t m = 0; m < minis && i < total; m++) {
			int w = widths[m];
			if (w > 64) {
				sbuf_addf(err, "DELTA_BINARY_PACKED miniblock bit width %d", w);
				goto fail;
			}
			size_t bytes = per_mini * (size_t)w / 8;
			if ((size_t)(end - p) < bytes) {
				sbuf_addf(err, "DELTA_BINARY_PACKED miniblock beyond the data after %zu of %llu values", i,
					  (unsigned long long)total);
				goto fail;
			}
			for (size_t k = 0; k < per_mini && i < total; k++) {
				uint64_t d = w ? unpack(p, p + bytes, (uint64_t)k * (uint64_t)w, w) : 0;
				cur += min_delta + d;
				v[i++] = bits32 ? (int64_t)(int32_t)(uint32_t)cur : (int64_t)cur;
			}
			p += bytes;
		}
	}
	*vals = v;
	*count = (size_t)total;
	*used = (size_t)(p - s);
	return 0;
fail:
	free(v);
	return -1;
}

/* n lengths (DELTA_BINARY_PACKED), each >= 0, whose sum fits in `room`. */
static int delta_lengths(const uint8_t **p, const uint8_t *end, size_t n, int64_t **lens,
			 const char *what, struct sbuf *err)
{
	size_t count = 0, used = 0;

	if (dbp_decode(*p, (size_t)(end - *p), n, 1, lens, &count, &used, err) < 0)
		return -1;
	if (count != n) {
		sbuf_addf(err, "%s holds %zu lengths for %zu values", what, count, n);
		free(*lens);
		*lens = NULL;
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if ((*lens)[i] < 0) {
			sbuf_addf(err, "%s has a negative length", what);
			free(*lens);
			*lens = NULL;
			return -1;
		}
	*p += used;
	return 0;
}

static int fixed_width(int ptype, int32_t type_len)
{
	switch (ptype) {
	case PQ_INT32: case PQ_FLOAT: return 4;
	case PQ_INT64: case PQ_DOUBLE: return 8;
	case PQ_INT96: return 12;
	case PQ_FIXED_LEN_BYTE_ARRAY: return type_len;
	default: return 0;
	}
}

/* Set out[i] from `width` little-endian bytes. */
static void set_fixed(struct pq_val *out, int ptype, const uint8_t *b, int width)
{
	switch (ptype) {
	case PQ_INT32: memcpy(&out->i32, b, 4); break;
	case PQ_FLOAT: memcpy(&out->f, b, 4); break;
	case PQ_INT64: memcpy(&out->i64, b, 8); break;
	case PQ_DOUBLE: memcpy(&out->d, b, 8); break;
	case PQ_INT96: memcpy(out->i96, b, 12); break;
	default: out->s.ptr = b; out->s.len = (uint32_t)width; break;
	}
}

static int plain(int ptype, int32_t type_len, const uint8_t *p, size_t len, size_t n,
		 struct pq_val *out, struct sbuf *err)
{
	const uint8_t *end = p + len;

	if (ptype == PQ_BOOLEAN) {
		if (len < (n + 7) / 8)
			goto short_data;
		for (size_t i = 0; i < n; i++)
			out[i].b = (p[i >> 3] >> (i & 7)) & 1;
		return 0;
	}
	if (ptype == PQ_BYTE_ARRAY) {
		for (size_t i = 0; i < n; i++) {
			uint32_t l;
			if (end - p < 4)
				goto short_data;
			memcpy(&l, p, 4);
			p += 4;
			if (l > (size_t)(end - p))
				goto short_data;
			out[i].s.ptr = p;
			out[i].s.len = l;
			p += l;
		}
		return 0;
	}
	int w = fixed_width(ptype, type_len);
	if (w <= 0) {
		sbuf_addf(err, "PLAIN values of physical type %d (width %d) cannot be read", ptype, w);
		return -1;
	}
	if ((uint64_t)n * (uint64_t)w > len)
		goto short_data;
	for (size_t i = 0; i < n; i++)
		set_fixed(&out[i], ptype, p + i * (size_t)w, w);
	return 0;
short_data:
	sbuf_addf(err, "PLAIN data ends before its %zu values", n);
	return -1;
}

int pq_decode_values(int enc, int ptype, int32_t type_len, const uint8_t *p, size_t len, size_t n,
		     struct pq_val *out, uint8_t **arena, struct sbuf *err)
{
	const uint8_t *end = p + len;

	*arena = NULL;
	switch (enc) {
	case PQ_ENC_PLAIN:
		return plain(ptype, type_len, p, len, n, out, err);
	case PQ_ENC_RLE: {
		if (ptype != PQ_BOOLEAN)
			break;
		uint32_t l;
		if (len < 4 || (memcpy(&l, p, 4), l > len - 4)) {
			sbuf_addstr(err, "RLE boolean data shorter than its length prefix");
			return -1;
		}
		uint32_t *bits = xmalloc((n ? n : 1) * sizeof(*bits));
		int ret = pq_rle_decode(p + 4, l, 1, bits, n, NULL, err);
		for (size_t i = 0; ret == 0 && i < n; i++)
			out[i].b = (int)bits[i];
		free(bits);
		return ret;
	}
	case PQ_ENC_DELTA_BINARY_PACKED: {
		if (ptype != PQ_INT32 && ptype != PQ_INT64)
			break;
		int64_t *v;
		size_t count, used;
		if (dbp_decode(p, len, n, ptype == PQ_INT32, &v, &count, &used, err) < 0)
			return -1;
		if (count != n) {
			sbuf_addf(err, "DELTA_BINARY_PACKED holds %zu values, the page %zu", count, n);
			free(v);
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			if (ptype == PQ_INT32)
				out[i].i32 = (int32_t)v[i];
			else
				out[i].i64 = v[i];
		}
		free(v);
		return 0;
	}
	case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY: {
		if (ptype != PQ_BYTE_ARRAY)
			break;
		int64_t *lens;
		if (delta_lengths(&p, end, n, &lens, "DELTA_LENGTH_BYTE_ARRAY", err) < 0)
			return -1;
		for (size_t i = 0; i < n; i++) {
			if ((uint64_t)lens[i] > (uint64_t)(end - p)) {
				sbuf_addf(err, "DELTA_LENGTH_BYTE_ARRAY data ends at value %zu of %zu", i, n);
				free(lens);
				return -1;
			}
			out[i].s.ptr = p;
			out[i].s.len = (uint32_t)lens[i];
			p += lens[i];
		}
		free(lens);
		return 0;
	}
	case PQ_ENC_DELTA_BYTE_ARRAY: {
		if (ptype != PQ_BYTE_ARRAY && ptype != PQ_FIXED_LEN_BYTE_ARRAY)
			break;
		int64_t *pre = NULL, *suf = NULL;
		uint64_t total = 0;
		int ret = -1;
		if (delta_lengths(&p, end, n, &pre, "DELTA_BYTE_ARRAY prefixes", err) < 0 ||
		    delta_lengths(&p, end, n, &suf, "DELTA_BYTE_ARRAY suffixes", err) < 0)
			goto dba_done;
		uint64_t prev = 0, sufsum = 0;
		for (size_t i = 0; i < n; i++) {
			if ((uint64_t)pre[i] > prev) {
				sbuf_addf(err, "DELTA_BYTE_ARRAY prefix of value %zu longer than the value before", i);
				goto dba_done;
			}
			prev = (uint64_t)pre[i] + (uint64_t)suf[i];
			if (prev > UINT32_MAX || (total += prev) > ((uint64_t)1 << 30)) {
				sbuf_addstr(err, "DELTA_BYTE_ARRAY values too long");
				goto dba_done;
			}
			sufsum += (uint64_t)suf[i];
		}
		if (sufsum > (uint64_t)(end - p)) {
			sbuf_addstr(err, "DELTA_BYTE_ARRAY suffix data ends early");
			goto dba_done;
		}
		uint8_t *a = xmalloc(total ? total : 1), *w = a;
		*arena = a;
		for (size_t i = 0; i < n; i++) {
			if (pre[i])
				memcpy(w, out[i - 1].s.ptr, (size_t)pre[i]);
			memcpy(w + pre[i], p, (size_t)suf[i]);
			p += suf[i];
			out[i].s.ptr = w;
			out[i].s.len = (uint32_t)(pre[i] + suf[i]);
			w += pre[i] + suf[i];
			if (ptype == PQ_FIXED_LEN_BYTE_ARRAY && out[i].s.len != (uint32_t)type_len) {
				sbuf_addf(err, "DELTA_BYTE_ARRAY value %zu is %u bytes in a column of %d", i,
					  out[i].s.len, type_len);
				goto dba_done;
			}
		}
		ret = 0;
dba_done:
		free(pre);
		free(suf);
		return ret;
	}
	case PQ_ENC_BYTE_STREAM_SPLIT: {
		int w = fixed_width(ptype, type_len);
		if (w <= 0 || w > 64)
			break;
		if (len % (size_t)w || len / (size_t)w < n) {
			sbuf_addf(err, "BYTE_STREAM_SPLIT data of %zu bytes does not hold %zu values of %d bytes",
				  len, n, w);
			return -1;
		}
		size_t stride = len / (size_t)w;
		if (ptype == PQ_FIXED_LEN_BYTE_ARRAY || ptype == PQ_INT96) {
			/* the bytes are not contiguous on disk: gather them */
			uint8_t *a = xmalloc(n * (size_t)w + 1);
			*arena = a;
			for (size_t i = 0; i < n; i++)
				for (int k = 0; k < w; k++)
					a[i * (size_t)w + (size_t)k] = p[(size_t)k * stride + i];
			for (size_t i = 0; i < n; i++)
				set_fixed(&out[i], ptype, a + i * (size_t)w, w);
			return 0;
		}
		for (size_t i = 0; i < n; i++) {
			uint8_t b[8];
			for (int k = 0; k < w; k++)
				b[k] = p[(size_t)k * stride + i];
			set_fixed(&out[i], ptype, b, w);
		}
		return 0;
	}
	default:
		sbuf_addf(err, "encoding %s (%d) is not supported for values", pq_encoding_name(enc), enc);
		return -1;
	}
	sbuf_addf(err, "encoding %s is not valid for physical type %d", pq_encoding_name(enc), ptype);
	return -1;
}
