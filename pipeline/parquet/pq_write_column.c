/*
 * pq_write_column.c — levels and values of one leaf column, encoded into
 * data pages (v1 or v2) and compressed as they fill (see the header).
 *
 * Dictionary: every page keeps both its PLAIN values and their dictionary
 * indices, so the choice is made when the page ends. The first page of a
 * chunk decides whether a dictionary pays (fewer distinct values than
 * half the values); after that the dictionary is used until it holds
 * dict_bytes, and the pages from then on are PLAIN — readers take a chunk
 * whose first pages are dictionary-encoded and later ones plain, as
 * parquet-mr's own fallback writes it.
 */
#include "parquet/pq_write_column.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "core/hash.h"
#include "core/util.h"
#include "parquet/pq_format.h"

/* Statistics of byte arrays are kept only while every value is this
 * short (a long min or max would bloat the footer). */
#define STAT_MAX_BYTES 64

struct pqw_codec {
	int codec, level;
	ZSTD_CCtx *zstd;
	struct sbuf buf;
};

struct pqw_column {
	int type, max_def, max_rep;
	const struct pq_write_opts *o;

	/* the page being filled */
	uint32_t *defs, *reps, *idx;
	size_t nlev, lev_alloc, nvals, idx_alloc;
	struct sbuf plain;

	/* the chunk's dictionary */
	int dict_on;    /* indices still kept */
	int dict_pages; /* data pages written with it */
	int data_pages;
	struct sbuf dict; /* its PLAIN values */
	size_t *dict_off;
	uint64_t *dict_hash;
	size_t ndict, dict_alloc;
	uint32_t *slots; /* open addressing: entry + 1, 0 empty */
	size_t nslots;

	/* the chunk's pages, encoded and compressed */
	struct sbuf pages, body;
	int64_t num_values, uncompressed;
	unsigned encodings;

	/* statistics */
	int64_t null_count;
	int has_minmax, minmax_ok;
	struct sbuf min, max;
};

/* ---- compression ---- */

struct pqw_codec *pqw_codec_new(int codec, int level)
{
	struct pqw_codec *k;

	if (codec != PQ_CODEC_UNCOMPRESSED && codec != PQ_CODEC_ZSTD && codec != PQ_CODEC_GZIP) {
		error("Parquet compression %d is not built into this smelt (zstd, gzip, none are)", codec);
		return NULL;
	}
	k = xcalloc(1, sizeof(*k));
	k->codec = codec;
	k->level = level;
	if (codec == PQ_CODEC_ZSTD && !(k->zstd = ZSTD_createCCtx()))
		die("out of memory creating a zstd context");
	sbuf_init(&k->buf, 0);
	return k;
}

void pqw_codec_free(struct pqw_codec *k)
{
	if (!k)
		return;
	ZSTD_freeCCtx(k->zstd);
	sbuf_release(&k->buf);
	free(k);
}

/* Compress src into k->buf (or point at src when uncompressed). */
static int page_compress(struct pqw_codec *k, const char *src, size_t n, const char **out, size_t *outlen)
{
	if (k->codec == PQ_CODEC_UNCOMPRESSED) {
		*out = src;
		*outlen = n;
		return 0;
	}
	sbuf_reset(&k->buf);
	if (k->codec == PQ_CODEC_ZSTD) {
		size_t cap = ZSTD_compressBound(n), r;
		sbuf_grow(&k->buf, cap);
		r = ZSTD_compressCCtx(k->zstd, k->buf.buf, cap, src, n, k->level ? k->level : 3);
		if (ZSTD_isError(r))
			return error("zstd: %s", ZSTD_getErrorName(r));
		k->buf.len = r;
	} else {
		z_stream zs;
		memset(&zs, 0, sizeof(zs));
		/* 15 + 16: a gzip wrapper, as Parquet's GZIP codec is */
		if (deflateInit2(&zs, k->level ? k->level : 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			return error("zlib: cannot start deflate");
		size_t cap = deflateBound(&zs, n) + 32;
		sbuf_grow(&k->buf, cap);
		zs.next_in = (Bytef *)src;
		zs.avail_in = (uInt)n;
		zs.next_out = (Bytef *)k->buf.buf;
		zs.avail_out = (uInt)cap;
		int r = deflate(&zs, Z_FINISH);
		k->buf.len = zs.total_out;
		deflateEnd(&zs);
		if (r != Z_STREAM_END)
			return error("zlib: deflate failed");
	}
	*out = k->buf.buf;
	*outlen = k->buf.len;
	return 0;
}

/* ---- RLE / bit-packed hybrid ---- */

static void put_le(struct sbuf *out, uint32_t v, int nbytes)
{
	for (int i = 0; i < nbytes; i++)
		sbuf_addch(out, (v >> (8 * i)) & 0xff);
}

static int run_at_least(const uint32_t *v, size_t i, size_t n, size_t k)
{
	if (n - i < k)
		return 0;
	for (size_t j = 1; j < k; j++)
		if (v[i + j] != v[i])
			return 0;
	return 1;
}

void pqw_rle_encode(struct sbuf *out, const uint32_t *v, size_t n, int bit_width)
{
	int nbytes = (bit_width + 7) / 8;
	size_t i = 0;

	while (i < n) {
		size_t run = 1;
		while (i + run < n && v[i + run] == v[i])
			run++;
		if (run >= 8) {
			tcw_put_uvarint(out, (uint64_t)run << 1);
			put_le(out, v[i], nbytes);
			i += run;
			continue;
		}
		/*
		 * Bit-pack groups of 8 until a run of 8 starts a group (at most
		 * 63 groups a run, what every reader takes). Only the file's
		 * last group may reach past n: its padding is never read.
		 */
		size_t start = i, groups = 0;
		do {
			groups++;
			i += 8;
		} while (i < n && groups < 63 && !run_at_least(v, i, n, 8));
		tcw_put_uvarint(out, (uint64_t)groups << 1 | 1);
		uint64_t acc = 0;
		int bits = 0;
		for (size_t j = start; j < start + groups * 8; j++) {
			acc |= (uint64_t)(j < n ? v[j] : 0) << bits;
			bits += bit_width;
			while (bits >= 8) {
				sbuf_addch(out, acc & 0xff);
				acc >>= 8;
				bits -= 8;
			}
		}
		if (i > n)
			i = n;
	}
}

static int bit_width(uint32_t max)
{
	int w = 0;
	while (max) {
		w++;
		max >>= 1;
	}
	return w;
}

/* ---- the column ---- */

struct pqw_column *pqw_column_new(int type, int max_def, int max_rep, const struct pq_write_opts *o)
{
	struct pqw_column *c = xcalloc(1, sizeof(*c));

	c->type = type;
	c->max_def = max_def;
	c->max_rep = max_rep;
	c->o = o;
	c->dict_on = o->dictionary && type != PQ_BOOLEAN;
	c->minmax_ok = 1;
	sbuf_init(&c->plain, 0);
	sbuf_init(&c->dict, 0);
	sbuf_init(&c->pages, 0);
	sbuf_init(&c->body, 0);
	sbuf_init(&c->min, 0);
	sbuf_init(&c->max, 0);
	return c;
}

static void dict_clear(struct pqw_column *c)
{
	sbuf_reset(&c->dict);
	c->ndict = 0;
	if (c->slots)
		memset(c->slots, 0, c->nslots * sizeof(*c->slots));
}

void pqw_column_free(struct pqw_column *c)
{
	if (!c)
		return;
	free(c->defs);
	free(c->reps);
	free(c->idx);
	free(c->dict_off);
	free(c->dict_hash);
	free(c->slots);
	sbuf_release(&c->plain);
	sbuf_release(&c->dict);
	sbuf_release(&c->pages);
	sbuf_release(&c->body);
	sbuf_release(&c->min);
	sbuf_release(&c->max);
	free(c);
}

static void push_levels(struct pqw_column *c, int rep, int def)
{
	if (c->nlev == c->lev_alloc) {
		c->lev_alloc = c->lev_alloc ? 2 * c->lev_alloc : 1024;
		c->defs = xrealloc(c->defs, c->lev_alloc * sizeof(*c->defs));
		c->reps = xrealloc(c->reps, c->lev_alloc * sizeof(*c->reps));
	}
	c->defs[c->nlev] = (uint32_t)def;
	c->reps[c->nlev] = (uint32_t)rep;
	c->nlev++;
}

/* The PLAIN form of entry i of the dictionary. */
static const char *dict_entry(const struct pqw_column *c, size_t i, size_t *len)
{
	size_t end = i + 1 < c->ndict ? c->dict_off[i + 1] : c->dict.len;
	*len = end - c->dict_off[i];
	return c->dict.buf + c->dict_off[i];
}

static void dict_rehash(struct pqw_column *c)
{
	size_t n = c->nslots ? 2 * c->nslots : 1024;

	free(c->slots);
	c->slots = xcalloc(n, sizeof(*c->slots));
	c->nslots = n;
	for (size_t i = 0; i < c->ndict; i++) {
		size_t s = c->dict_hash[i] & (n - 1);
		while (c->slots[s])
			s = (s + 1) & (n - 1);
		c->slots[s] = (uint32_t)i + 1;
	}
}

/* The dictionary index of a value given in PLAIN form; adds it if new.
 * Returns 0, or -1 when the dictionary is full. */
static int dict_index(struct pqw_column *c, const char *p, size_t n, uint32_t *out)
{
	uint64_t h = hash64(p, n, 0);
	size_t s, len;

	if (c->ndict * 2 >= c->nslots)
		dict_rehash(c);
	for (s = h & (c->nslots - 1); c->slots[s]; s = (s + 1) & (c->nslots - 1)) {
		size_t i = c->slots[s] - 1;
		const char *e = dict_entry(c, i, &len);
		if (c->dict_hash[i] == h && len == n && !memcmp(e, p, n)) {
			*out = (uint32_t)i;
			return 0;
		}
	}
	if (c->dict.len + n > c->o->dict_bytes)
		return -1;
	if (c->ndict == c->dict_alloc) {
		c->dict_alloc = c->dict_alloc ? 2 * c->dict_alloc : 1024;
		c->dict_off = xrealloc(c->dict_off, c->dict_alloc * sizeof(*c->dict_off));
		c->dict_hash = xrealloc(c->dict_hash, c->dict_alloc * sizeof(*c->dict_hash));
	}
	c->dict_off[c->ndict] = c->dict.len;
	c->dict_hash[c->ndict] = h;
	sbuf_add(&c->dict, p, n);
	c->slots[s] = (uint32_t)c->ndict + 1;
	*out = (uint32_t)c->ndict++;
	return 0;
}

/* Track min and max: returns <0, 0, >0 as a compares to b in Parquet's
 * order for the column's type (byte arrays: unsigned bytes). */
static int stat_cmp(int type, const char *a, size_t alen, const char *b, size_t blen)
{
	if (type == PQ_INT64) {
		int64_t x, y;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		return (x > y) - (x < y);
	}
	if (type == PQ_DOUBLE) {
		double x, y;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		return (x > y) - (x < y);
	}
	int r = memcmp(a, b, alen < blen ? alen : blen);
	return r ? r : (alen > blen) - (alen < blen);
}

static void stat_value(struct pqw_column *c, const char *v, size_t len)
{
	if (!c->o->statistics || !c->minmax_ok)
		return;
	if (len > STAT_MAX_BYTES) {
		c->minmax_ok = 0;
		return;
	}
	if (!c->has_minmax || stat_cmp(c->type, v, len, c->min.buf, c->min.len) < 0) {
		sbuf_reset(&c->min);
		sbuf_add(&c->min, v, len);
	}
	if (!c->has_minmax || stat_cmp(c->type, v, len, c->max.buf, c->max.len) > 0) {
		sbuf_reset(&c->max);
		sbuf_add(&c->max, v, len);
	}
	c->has_minmax = 1;
}

void pqw_column_add(struct pqw_column *c, int rep, const void *v, size_t len)
{
	size_t at = c->plain.len;

	push_levels(c, rep, c->max_def);
	stat_value(c, v, len);
	if (c->type == PQ_BYTE_ARRAY) {
		uint32_t n = (uint32_t)len;
		unsigned char le[4] = { n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >> 24 };
		sbuf_add(&c->plain, le, 4);
	}
	sbuf_add(&c->plain, v, len);
	if (c->dict_on) {
		if (c->nvals == c->idx_alloc) {
			c->idx_alloc = c->idx_alloc ? 2 * c->idx_alloc : 1024;
			c->idx = xrealloc(c->idx, c->idx_alloc * sizeof(*c->idx));
		}
		if (dict_index(c, c->plain.buf + at, c->plain.len - at, &c->idx[c->nvals]) < 0)
			c->dict_on = 0; /* full: this page and the rest of the chunk are PLAIN */
	}
	c->nvals++;
}

void pqw_column_null(struct pqw_column *c, int rep, int def)
{
	push_levels(c, rep, def);
	c->null_count++;
}

/* Levels RLE/bit-packed; v1 pages put their byte length before them. */
static void put_levels(struct sbuf *body, const uint32_t *lev, size_t n, int max, int prefixed)
{
	size_t at = body->len;

	if (prefixed)
		sbuf_add(body, "\0\0\0\0", 4);
	pqw_rle_encode(body, lev, n, bit_width((uint32_t)max));
	if (prefixed) {
		uint32_t len = (uint32_t)(body->len - at - 4);
		for (int i = 0; i < 4; i++)
			body->buf[at + i] = (char)((len >> (8 * i)) & 0xff);
	}
}

struct page_head {
	int type, encoding;
	size_t raw, stored;      /* uncompressed and stored sizes of what follows the header */
	int nvalues;             /* levels (data pages) or entries (the dictionary) */
	int nnulls, nrows;       /* data page v2 */
	size_t def_len, rep_len; /* data page v2: its levels, stored uncompressed first */
	int compressed;          /* data page v2: the values are compressed */
};

static void put_header(struct sbuf *out, const struct page_head *h)
{
	struct tc_writer tw;

	tcw_init(&tw, out);
	tcw_i32(&tw, PQ_PH_TYPE, h->type);
	tcw_i32(&tw, PQ_PH_UNCOMPRESSED_SIZE, (int32_t)h->raw);
	tcw_i32(&tw, PQ_PH_COMPRESSED_SIZE, (int32_t)h->stored);
	if (h->type == PQ_PAGE_DATA) {
		tcw_struct_begin(&tw, PQ_PH_DATA_PAGE_HEADER);
		tcw_i32(&tw, PQ_DPH_NUM_VALUES, h->nvalues);
		tcw_i32(&tw, PQ_DPH_ENCODING, h->encoding);
		tcw_i32(&tw, PQ_DPH_DEF_LEVEL_ENCODING, PQ_ENC_RLE);
		tcw_i32(&tw, PQ_DPH_REP_LEVEL_ENCODING, PQ_ENC_RLE);
		tcw_struct_end(&tw);
	} else if (h->type == PQ_PAGE_DATA_V2) {
		tcw_struct_begin(&tw, PQ_PH_DATA_PAGE_HEADER_V2);
		tcw_i32(&tw, PQ_DPH2_NUM_VALUES, h->nvalues);
		tcw_i32(&tw, PQ_DPH2_NUM_NULLS, h->nnulls);
		tcw_i32(&tw, PQ_DPH2_NUM_ROWS, h->nrows);
		tcw_i32(&tw, PQ_DPH2_ENCODING, h->encoding);
		tcw_i32(&tw, PQ_DPH2_DEF_LEVELS_BYTE_LENGTH, (int32_t)h->def_len);
		tcw_i32(&tw, PQ_DPH2_REP_LEVELS_BYTE_LENGTH, (int32_t)h->rep_len);
		tcw_bool(&tw, PQ_DPH2_IS_COMPRESSED, h->compressed);
		tcw_struct_end(&tw);
	} else {
		tcw_struct_begin(&tw, PQ_PH_DICTIONARY_PAGE_HEADER);
		tcw_i32(&tw, PQ_DICT_NUM_VALUES, h->nvalues);
		tcw_i32(&tw, PQ_DICT_ENCODING, h->encoding);
		tcw_struct_end(&tw);
	}
	tcw_struct_end(&tw);
}

static void put_values(struct pqw_column *c, struct sbuf *body, int *encoding)
{
	*encoding = PQ_ENC_PLAIN;
	if (c->dict_on) {
		int w = c->ndict > 1 ? bit_width((uint32_t)(c->ndict - 1)) : 1;
		sbuf_addch(body, w);
		pqw_rle_encode(body, c->idx, c->nvals, w);
		*encoding = PQ_ENC_RLE_DICTIONARY;
		c->dict_pages++;
	} else if (c->type == PQ_BOOLEAN) {
		unsigned char byte = 0;
		for (size_t i = 0; i < c->nvals; i++) {
			if (c->plain.buf[i])
				byte |= 1u << (i & 7);
			if ((i & 7) == 7 || i + 1 == c->nvals) {
				sbuf_addch(body, byte);
				byte = 0;
			}
		}
	} else {
		sbuf_add(body, c->plain.buf, c->plain.len);
	}
}

/*
 * v1: [rep levels][def levels][values], each level run with its length,
 * all compressed. v2: the levels without lengths (the header has them)
 * and uncompressed, then the compressed values; the header also counts
 * nulls and rows (pages end between records, so rows = levels at rep 0).
 */
static int flush_page(struct pqw_column *c, struct pqw_codec *k)
{
	struct sbuf *body = &c->body;
	struct page_head h = { .nvalues = (int)c->nlev, .compressed = k->codec != PQ_CODEC_UNCOMPRESSED };
	int v2 = c->o->page_v2;
	const char *z;
	size_t zlen, head = c->pages.len, lev_len;

	if (!c->nlev)
		return 0;
	/* the first page decides whether a dictionary pays at all */
	if (c->dict_on && !c->data_pages && (!c->ndict || c->ndict * 2 > c->nvals)) {
		c->dict_on = 0;
		dict_clear(c);
	}
	sbuf_reset(body);
	if (c->max_rep)
		put_levels(body, c->reps, c->nlev, c->max_rep, !v2);
	h.rep_len = body->len;
	if (c->max_def)
		put_levels(body, c->defs, c->nlev, c->max_def, !v2);
	h.def_len = body->len - h.rep_len;
	lev_len = v2 ? body->len : 0; /* what is stored uncompressed */
	put_values(c, body, &h.encoding);
	c->encodings |= 1u << h.encoding | (c->max_def || c->max_rep ? 1u << PQ_ENC_RLE : 0);
	if (page_compress(k, body->buf + lev_len, body->len - lev_len, &z, &zlen) < 0)
		return -1;
	h.type = v2 ? PQ_PAGE_DATA_V2 : PQ_PAGE_DATA;
	h.raw = body->len;
	h.stored = lev_len + zlen;
	for (size_t i = 0; i < c->nlev; i++) {
		h.nnulls += c->defs[i] < (uint32_t)c->max_def;
		h.nrows += c->reps[i] == 0;
	}
	put_header(&c->pages, &h);
	sbuf_add(&c->pages, body->buf, lev_len);
	sbuf_add(&c->pages, z, zlen);
	c->uncompressed += (int64_t)(c->pages.len - head - h.stored + h.raw);
	c->num_values += (int64_t)c->nlev;
	c->data_pages++;
	c->nlev = c->nvals = 0;
	sbuf_reset(&c->plain);
	return 0;
}

int pqw_column_maybe_flush(struct pqw_column *c, struct pqw_codec *k)
{
	if (c->plain.len + c->nlev < c->o->page_bytes)
		return 0;
	return flush_page(c, k);
}

size_t pqw_column_buffered(const struct pqw_column *c)
{
	return (size_t)c->uncompressed + c->plain.len + c->nlev / 4 + c->dict.len;
}

int pqw_column_end_chunk(struct pqw_column *c, struct pqw_codec *k, struct sbuf *out, int64_t offset,
			 struct pqw_chunk_meta *m)
{
	size_t start = out->len;

	if (flush_page(c, k) < 0)
		return -1;
	memset(m, 0, sizeof(*m));
	m->dict_page_offset = -1;
	if (c->dict_pages) {
		const char *z;
		size_t zlen, head = out->len;
		struct page_head dh = { .type = PQ_PAGE_DICTIONARY, .encoding = PQ_ENC_PLAIN,
					.nvalues = (int)c->ndict };
		if (page_compress(k, c->dict.buf, c->dict.len, &z, &zlen) < 0)
			return -1;
		dh.raw = c->dict.len;
		dh.stored = zlen;
		put_header(out, &dh);
		sbuf_add(out, z, zlen);
		m->dict_page_offset = offset;
		c->uncompressed += (int64_t)(out->len - head - zlen + c->dict.len);
		c->encodings |= 1u << PQ_ENC_PLAIN;
	}
	m->data_page_offset = offset + (int64_t)(out->len - start);
	sbuf_add(out, c->pages.buf, c->pages.len);
	m->num_values = c->num_values;
	m->uncompressed = c->uncompressed;
	m->compressed = (int64_t)(out->len - start);
	m->encodings = c->encodings ? c->encodings : 1u << PQ_ENC_PLAIN;
	m->null_count = c->null_count;
	if (c->o->statistics && c->has_minmax && c->minmax_ok) {
		m->min = xmalloc(c->min.len + 1);
		memcpy(m->min, c->min.buf, c->min.len);
		m->max = xmalloc(c->max.len + 1);
		memcpy(m->max, c->max.buf, c->max.len);
		m->min_len = c->min.len;
		m->max_len = c->max.len;
	}

	/* ready for the next row group */
	sbuf_reset(&c->pages);
	dict_clear(c);
	c->dict_on = c->o->dictionary && c->type != PQ_BOOLEAN;
	c->dict_pages = c->data_pages = 0;
	c->num_values = c->uncompressed = 0;
	c->encodings = 0;
	c->null_count = 0;
	c->has_minmax = 0;
	c->minmax_ok = 1;
	return 0;
}
