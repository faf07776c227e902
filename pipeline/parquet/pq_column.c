/*
 * pq_column.c — pages of a column chunk: dictionary page, data pages v1
 * and v2, decompressed and decoded into levels and values.
 */
#include "parquet/pq_column.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "parquet/pq_codec.h"
#include "parquet/pq_format.h"

/*
 * Limits a hostile header cannot push past: a page decoding to more than
 * 1 GiB, or holding more than 16M entries (levels cost 8 bytes an entry and
 * RLE can announce billions in a few bytes), is refused.
 */
#define MAX_PAGE_BYTES ((size_t)1 << 30)
#define MAX_PAGE_ENTRIES ((int32_t)1 << 24)

struct pq_column {
	const uint8_t *p, *end; /* the chunk; p is the next page header */
	int codec, ptype;
	int32_t type_len;
	int max_def, max_rep;

	/* the dictionary */
	uint8_t *dict_buf, *dict_arena;
	struct pq_val *dict;
	uint32_t ndict;
	int have_dict;

	/* the current data page */
	uint8_t *page;    /* decompressed bytes */
	size_t page_cap;
	uint8_t *arena;   /* values some encodings build */
	uint32_t *reps, *defs, *idx;
	struct pq_val *vals;
	size_t cap;       /* of reps/defs/idx/vals */
	size_t n, pos;    /* entries in the page, entries taken */
	size_t nvals, vpos;
	uint64_t taken;
};

struct pq_column *pq_column_open(const uint8_t *chunk, size_t len, int codec, int ptype,
				 int32_t type_len, int max_def, int max_rep)
{
	struct pq_column *c = xcalloc(1, sizeof(*c));

	c->p = chunk;
	c->end = chunk + len;
	c->codec = codec;
	c->ptype = ptype;
	c->type_len = type_len;
	c->max_def = max_def;
	c->max_rep = max_rep;
	return c;
}

void pq_column_close(struct pq_column *c)
{
	if (!c)
		return;
	free(c->dict_buf);
	free(c->dict_arena);
	free(c->dict);
	free(c->page);
	free(c->arena);
	free(c->reps);
	free(c->defs);
	free(c->idx);
	free(c->vals);
	free(c);
}

uint64_t pq_column_position(const struct pq_column *c)
{
	return c->taken;
}

static void reserve(struct pq_column *c, size_t n)
{
	if (n <= c->cap)
		return;
	c->cap = n;
	c->reps = xrealloc(c->reps, n * sizeof(*c->reps));
	c->defs = xrealloc(c->defs, n * sizeof(*c->defs));
	c->idx = xrealloc(c->idx, n * sizeof(*c->idx));
	c->vals = xrealloc(c->vals, n * sizeof(*c->vals));
}

/*
 * The page's uncompressed bytes: `comp` itself when the page is stored
 * uncompressed (the chunk outlives the column, so values may point into
 * it and nothing is copied), else decompressed into *buf, the first `raw`
 * bytes (v2 levels) stored as they are.
 */
static const uint8_t *inflate_page(struct pq_column *c, const struct pq_page_header *h, const uint8_t *comp,
				   size_t raw, int compressed, uint8_t **buf, size_t *cap, struct sbuf *err)
{
	size_t out = (size_t)h->uncompressed_size;

	if (out > MAX_PAGE_BYTES) {
		sbuf_addf(err, "page of %zu bytes is larger than the limit", out);
		return NULL;
	}
	if (!compressed || c->codec == PQ_CODEC_UNCOMPRESSED) {
		if ((size_t)h->compressed_size != out) {
			sbuf_addf(err, "uncompressed page of %d bytes, header says %zu", h->compressed_size, out);
			return NULL;
		}
		return comp;
	}
	if (*cap < out + 1) {
		free(*buf);
		*buf = xmalloc(out + 1);
		*cap = out + 1;
	}
	memcpy(*buf, comp, raw);
	if (pq_decompress(c->codec, comp + raw, (size_t)h->compressed_size - raw, *buf + raw, out - raw, err) < 0)
		return NULL;
	return *buf;
}

static int read_dictionary(struct pq_column *c, const struct pq_page_header *h, const uint8_t *comp,
			   struct sbuf *err)
{
	size_t cap = 0;

	if (c->have_dict) {
		sbuf_addstr(err, "a second dictionary page");
		return -1;
	}
	if (h->encoding != PQ_ENC_PLAIN && h->encoding != PQ_ENC_PLAIN_DICTIONARY) {
		sbuf_addf(err, "dictionary page in encoding %d (only PLAIN is defined)", h->encoding);
		return -1;
	}
	const uint8_t *page = inflate_page(c, h, comp, 0, 1, &c->dict_buf, &cap, err);
	if (!page)
		return -1;
	/* PLAIN values take at least this much: a count beyond that is a lie */
	uint64_t bits = c->ptype == PQ_BOOLEAN ? 1 : c->ptype == PQ_FIXED_LEN_BYTE_ARRAY ? (uint64_t)c->type_len * 8 :
			c->ptype == PQ_INT64 || c->ptype == PQ_DOUBLE ? 64 : c->ptype == PQ_INT96 ? 96 : 32;
	if ((uint64_t)h->num_values * bits > (uint64_t)h->uncompressed_size * 8 + 7) {
		sbuf_addf(err, "dictionary of %d values in %d bytes", h->num_values, h->uncompressed_size);
		return -1;
	}
	c->ndict = (uint32_t)h->num_values;
	c->dict = xmalloc((c->ndict ? c->ndict : 1) * sizeof(*c->dict));
	if (pq_decode_values(PQ_ENC_PLAIN, c->ptype, c->type_len, page, (size_t)h->uncompressed_size,
			     c->ndict, c->dict, &c->dict_arena, err) < 0) {
		sbuf_addstr(err, " (in the dictionary page)");
		return -1;
	}
	c->have_dict = 1;
	return 0;
}

/* Levels of a v1 page: a 4-byte length, then the RLE hybrid. */
static int v1_levels(const uint8_t **p, const uint8_t *end, int enc, int max, uint32_t *out, size_t n,
		     const char *what, struct sbuf *err)
{
	uint32_t len;

	if (max == 0) {
		memset(out, 0, n * sizeof(*out));
		return 0;
	}
	if (enc != PQ_ENC_RLE) {
		sbuf_addf(err, "%s levels in encoding %d (only RLE is supported)", what, enc);
		return -1;
	}
	if (end - *p < 4 || (memcpy(&len, *p, 4), len > (size_t)(end - *p) - 4)) {
		sbuf_addf(err, "%s levels longer than the page", what);
		return -1;
	}
	*p += 4;
	if (pq_rle_decode(*p, len, pq_bit_width((uint32_t)max), out, n, NULL, err) < 0) {
		sbuf_addf(err, " (%s levels)", what);
		return -1;
	}
	*p += len;
	return 0;
}

static int check_levels(const uint32_t *lv, size_t n, int max, const char *what, struct sbuf *err)
{
	for (size_t i = 0; i < n; i++)
		if (lv[i] > (uint32_t)max) {
			sbuf_addf(err, "%s level %u above the column's maximum %d", what, lv[i], max);
			return -1;
		}
	return 0;
}

/* Decode the values section of a data page into c->vals. */
static int page_values(struct pq_column *c, int enc, const uint8_t *p, size_t len, struct sbuf *err)
{
	size_t n = c->nvals;

	free(c->arena);
	c->arena = NULL;
	if (enc == PQ_ENC_PLAIN_DICTIONARY || enc == PQ_ENC_RLE_DICTIONARY) {
		if (!c->have_dict) {
			sbuf_addstr(err, "dictionary-encoded page without a dictionary page");
			return -1;
		}
		if (n == 0)
			return 0;
		if (len < 1) {
			sbuf_addstr(err, "dictionary-encoded page without its bit width");
			return -1;
		}
		if (pq_rle_decode(p + 1, len - 1, p[0], c->idx, n, NULL, err) < 0) {
			sbuf_addstr(err, " (dictionary indices)");
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			if (c->idx[i] >= c->ndict) {
				sbuf_addf(err, "dictionary index %u beyond the dictionary's %u values", c->idx[i],
					  c->ndict);
				return -1;
			}
			c->vals[i] = c->dict[c->idx[i]];
		}
		return 0;
	}
	return pq_decode_values(enc, c->ptype, c->type_len, p, len, n, c->vals, &c->arena, err);
}

/* Count the entries carrying a value (def == max). */
static size_t count_values(const struct pq_column *c)
{
	size_t k = 0;
	if (c->max_def == 0)
		return c->n;
	for (size_t i = 0; i < c->n; i++)
		k += c->defs[i] == (uint32_t)c->max_def;
	return k;
}

static int data_page(struct pq_column *c, const struct pq_page_header *h, const uint8_t *comp,
		     struct sbuf *err)
{
	if (h->num_values > MAX_PAGE_ENTRIES) {
		sbuf_addf(err, "page of %d entries is beyond the reader's limit of %d", h->num_values,
			  MAX_PAGE_ENTRIES);
		return -1;
	}
	c->n = (size_t)h->num_values;
	c->pos = c->vpos = 0;
	reserve(c, c->n ? c->n : 1);
	if (h->type == PQ_PAGE_DATA) {
		const uint8_t *p = inflate_page(c, h, comp, 0, 1, &c->page, &c->page_cap, err);
		if (!p)
			return -1;
		const uint8_t *end = p + h->uncompressed_size;
		if (v1_levels(&p, end, h->rep_encoding, c->max_rep, c->reps, c->n, "repetition", err) < 0 ||
		    v1_levels(&p, end, h->def_encoding, c->max_def, c->defs, c->n, "definition", err) < 0)
			return -1;
		if (check_levels(c->reps, c->n, c->max_rep, "repetition", err) < 0 ||
		    check_levels(c->defs, c->n, c->max_def, "definition", err) < 0)
			return -1;
		c->nvals = count_values(c);
		return page_values(c, h->encoding, p, (size_t)(end - p), err);
	}
	/* v2: levels first, never compressed, without length prefixes */
	size_t lv = (size_t)h->rep_len + (size_t)h->def_len;
	const uint8_t *p = inflate_page(c, h, comp, lv, h->is_compressed, &c->page, &c->page_cap, err);
	if (!p)
		return -1;
	if (c->max_rep == 0)
		memset(c->reps, 0, c->n * sizeof(*c->reps));
	else if (pq_rle_decode(p, (size_t)h->rep_len, pq_bit_width((uint32_t)c->max_rep), c->reps, c->n, NULL,
			       err) < 0)
		return sbuf_addstr(err, " (repetition levels)"), -1;
	if (c->max_def == 0)
		memset(c->defs, 0, c->n * sizeof(*c->defs));
	else if (pq_rle_decode(p + h->rep_len, (size_t)h->def_len, pq_bit_width((uint32_t)c->max_def), c->defs,
			       c->n, NULL, err) < 0)
		return sbuf_addstr(err, " (definition levels)"), -1;
	if (check_levels(c->reps, c->n, c->max_rep, "repetition", err) < 0 ||
	    check_levels(c->defs, c->n, c->max_def, "definition", err) < 0)
		return -1;
	c->nvals = count_values(c);
	if (c->n - c->nvals != (size_t)h->num_nulls) {
		sbuf_addf(err, "v2 page says %d nulls, its levels %zu", h->num_nulls, c->n - c->nvals);
		return -1;
	}
	return page_values(c, h->encoding, p + lv, (size_t)h->uncompressed_size - lv, err);
}

/* Load pages until one with entries; 0 at the end of the chunk. */
static int next_page(struct pq_column *c, struct sbuf *err)
{
	while (c->p < c->end) {
		struct pq_page_header h;
		size_t used;
		if (pq_page_header_parse(c->p, (size_t)(c->end - c->p), &h, &used, err) < 0)
			return -1;
		const uint8_t *comp = c->p + used;
		if ((size_t)h.compressed_size > (size_t)(c->end - comp)) {
			sbuf_addf(err, "page of %d bytes runs past the end of the column chunk (%zu bytes left)",
				  h.compressed_size, (size_t)(c->end - comp));
			return -1;
		}
		c->p = comp + h.compressed_size;
		if (h.has_crc && pq_crc32(comp, (size_t)h.compressed_size) != h.crc) {
			sbuf_addstr(err, "page CRC mismatch");
			return -1;
		}
		switch (h.type) {
		case PQ_PAGE_DICTIONARY:
			if (read_dictionary(c, &h, comp, err) < 0)
				return -1;
			continue;
		case PQ_PAGE_DATA:
		case PQ_PAGE_DATA_V2:
			if (data_page(c, &h, comp, err) < 0)
				return -1;
			if (c->n == 0)
				continue;
			return 1;
		default:
			continue; /* index pages and future kinds carry no values */
		}
	}
	return 0;
}

int pq_column_peek(struct pq_column *c, int *rep, struct sbuf *err)
{
	if (c->pos >= c->n) {
		int r = next_page(c, err);
		if (r <= 0)
			return r;
	}
	*rep = (int)c->reps[c->pos];
	return 1;
}

int pq_column_next(struct pq_column *c, int *rep, int *def, const struct pq_val **val, struct sbuf *err)
{
	int r = pq_column_peek(c, rep, err);
	if (r <= 0)
		return r;
	*def = (int)c->defs[c->pos];
	if (*def == c->max_def) {
		if (c->vpos >= c->nvals) {
			sbuf_addstr(err, "more defined entries than values in the page");
			return -1;
		}
		*val = &c->vals[c->vpos++];
	} else {
		*val = NULL;
	}
	c->pos++;
	c->taken++;
	return 1;
}
