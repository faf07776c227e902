/*
 * pq_write.c — records in, a Parquet file out (see pq_write.h): merge
 * shapes while spooling, then replay the spool, shredding each record
 * into its leaf columns with definition and repetition levels (Dremel's
 * striping), row group after row group, and end with the footer.
 *
 * Levels: every field is optional, so a present value of a node at
 * depth d has definition level n->def, a null one n->def - 1. A LIST is
 * `optional group (LIST) { repeated group list { optional element } }`:
 * an empty list has its node's level, an element's first value repeats
 * at the enclosing level and the others at the list's own.
 */
#include "parquet/pq_write.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/base64.h"
#include "core/sbuf.h"
#include "parquet/pq_format.h"
#include "parquet/pq_thrift_write.h"
#include "parquet/pq_write_column.h"
#include "parquet/pq_write_scan.h"
#include "parquet/pq_write_schema.h"
#include "parquet/pq_write_spool.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "pq_write stores numbers in the host's byte order, which Parquet requires to be little-endian"
#endif

/* Statistics struct field ids (parquet.thrift). */
#define PQ_STAT_NULL_COUNT 3
#define PQ_STAT_MAX_VALUE 5
#define PQ_STAT_MIN_VALUE 6
/* KeyValue struct field ids. */
#define PQ_KV_KEY 1
#define PQ_KV_VALUE 2
/* RowGroup fields beyond pq_format.h's. */
#define PQ_RG_FILE_OFFSET 5
#define PQ_RG_TOTAL_COMPRESSED_SIZE 6

struct row_group {
	int64_t num_rows, total_byte_size, file_offset, compressed;
	struct pqw_chunk_meta *chunks;
};

struct pq_writer {
	int fd;
	char *name;
	struct pq_write_opts o;
	struct pqw_spool *spool;
	struct pqw_schema schema;
	uint64_t rows;

	struct pqw_codec *codec;
	struct pqw_column **cols;
	int64_t offset; /* bytes written to fd */
	struct sbuf buf, scratch, bytes, key;
	uint64_t stamp; /* shredding: object instances so far */
	struct row_group *rgs;
	size_t nrgs;
};

int pq_codec_parse(const char *name)
{
	if (!strcmp(name, "zstd"))
		return PQ_CODEC_ZSTD;
	if (!strcmp(name, "gzip"))
		return PQ_CODEC_GZIP;
	if (!strcmp(name, "none") || !strcmp(name, "uncompressed"))
		return PQ_CODEC_UNCOMPRESSED;
	return -1;
}

struct pq_writer *pq_writer_open(int fd, const char *name, const struct pq_write_opts *opts)
{
	struct pq_write_opts defaults = PQ_WRITE_OPTS_INIT;
	struct pq_writer *w = xcalloc(1, sizeof(*w));

	w->o = opts ? *opts : defaults;
	if (!w->o.page_bytes)
		w->o.page_bytes = defaults.page_bytes;
	if (!w->o.row_group_rows)
		w->o.row_group_rows = defaults.row_group_rows;
	if (!w->o.row_group_bytes)
		w->o.row_group_bytes = defaults.row_group_bytes;
	w->fd = fd;
	w->name = xstrdup(name);
	if (!(w->codec = pqw_codec_new(w->o.codec, w->o.level)) || !(w->spool = pqw_spool_open())) {
		pq_writer_free(w);
		return NULL;
	}
	pqw_schema_init(&w->schema);
	sbuf_init(&w->buf, 0);
	sbuf_init(&w->scratch, 0);
	sbuf_init(&w->bytes, 0);
	sbuf_init(&w->key, 0);
	return w;
}

void pq_writer_free(struct pq_writer *w)
{
	if (!w)
		return;
	pqw_spool_free(w->spool);
	pqw_codec_free(w->codec);
	for (size_t i = 0; w->cols && i < w->schema.nleaves; i++)
		pqw_column_free(w->cols[i]);
	free(w->cols);
	for (size_t r = 0; r < w->nrgs; r++) {
		for (size_t i = 0; i < w->schema.nleaves; i++) {
			free(w->rgs[r].chunks[i].min);
			free(w->rgs[r].chunks[i].max);
		}
		free(w->rgs[r].chunks);
	}
	free(w->rgs);
	pqw_schema_release(&w->schema);
	sbuf_release(&w->buf);
	sbuf_release(&w->scratch);
	sbuf_release(&w->bytes);
	sbuf_release(&w->key);
	free(w->name);
	free(w);
}

/* The message for a record the scanner could not take: jansson's words
 * when jansson cannot parse it either. */
static int bad_record(struct pq_writer *w, const char *text, size_t len)
{
	json_error_t jerr;
	json_t *v = json_loadb(text, len, JSON_ALLOW_NUL | JSON_DECODE_ANY, &jerr);

	if (!v)
		return error("%s: cannot write a record that is not JSON: %s", w->name, jerr.text);
	json_decref(v);
	return error("%s: a Parquet row must be a JSON object", w->name);
}

int pq_writer_add_text(struct pq_writer *w, const char *text, size_t len)
{
	if (memchr(text, '\n', len)) {
		/* Not one line (pretty-printed): a raw newline in JSON can only
		 * be a blank between tokens, so a space does as well, and the
		 * spool stays one record a line. */
		sbuf_reset(&w->scratch);
		sbuf_add(&w->scratch, text, len);
		for (size_t i = 0; i < len; i++)
			if (w->scratch.buf[i] == '\n')
				w->scratch.buf[i] = ' ';
		text = w->scratch.buf;
	}
	if (pqw_schema_merge_text(&w->schema, text, len) < 0)
		return bad_record(w, text, len);
	w->rows++;
	return pqw_spool_add(w->spool, text, len);
}

/* ---- shredding ---- */

static int shred(struct pq_writer *w, struct pqw_node *n, struct pqw_scan *s, int rep);

static void nulls(struct pq_writer *w, const struct pqw_node *n, int rep, int def)
{
	if (n->col >= 0)
		pqw_column_null(w->cols[n->col], rep, def);
	else if (n->kind == PQW_OBJECT)
		for (size_t i = 0; i < n->nkids; i++)
			nulls(w, n->kids[i], rep, def);
	else if (n->kind == PQW_ARRAY)
		nulls(w, n->elem, rep, def);
}

static int mismatch(struct pq_writer *w, const struct pqw_node *n)
{
	return error("%s: row %llu: field '%s' does not match the schema merged from the same rows "
		     "(a bug)", w->name, (unsigned long long)w->rows + 1, n->name);
}

static int shred_object(struct pq_writer *w, struct pqw_node *n, struct pqw_scan *s, int rep)
{
	uint64_t stamp = ++w->stamp;
	size_t hint = 0;

	if (pqw_scan_expect(s, '{') < 0)
		return mismatch(w, n);
	if (pqw_scan_peek(s) != '}') {
		for (;;) {
			struct pqw_node *f;
			if (pqw_scan_string(s, &w->key) < 0 || pqw_scan_expect(s, ':') < 0)
				return mismatch(w, n);
			f = pqw_node_find(n, w->key.buf, &hint);
			if (!f || f->seen == stamp)
				return mismatch(w, n);
			f->seen = stamp;
			if (shred(w, f, s, rep) < 0)
				return -1;
			if (pqw_scan_peek(s) != ',')
				break;
			s->p++;
		}
	}
	if (pqw_scan_expect(s, '}') < 0)
		return mismatch(w, n);
	/* fields this record does not have: null */
	for (size_t i = 0; i < n->nkids; i++)
		if (n->kids[i]->seen != stamp)
			nulls(w, n->kids[i], rep, n->kids[i]->def - 1);
	return 0;
}

static int shred(struct pq_writer *w, struct pqw_node *n, struct pqw_scan *s, int rep)
{
	struct pqw_column *c = n->col >= 0 ? w->cols[n->col] : NULL;
	int ch = pqw_scan_peek(s), real;
	const char *start;

	if (ch == 'n') {
		if (pqw_scan_literal(s, "null") < 0)
			return mismatch(w, n);
		nulls(w, n, rep, n->def - 1);
		return 0;
	}
	switch (n->kind) {
	case PQW_OBJECT:
		return shred_object(w, n, s, rep);
	case PQW_ARRAY:
		if (pqw_scan_expect(s, '[') < 0)
			return mismatch(w, n);
		if (pqw_scan_peek(s) == ']') {
			s->p++;
			nulls(w, n->elem, rep, n->def); /* an empty list */
			return 0;
		}
		for (int i = 0;; i++) {
			if (shred(w, n->elem, s, i ? n->elem->rep : rep) < 0)
				return -1;
			if (pqw_scan_peek(s) != ',')
				break;
			s->p++;
		}
		return pqw_scan_expect(s, ']') < 0 ? mismatch(w, n) : 0;
	case PQW_BOOL: {
		unsigned char b = ch == 't';
		if (pqw_scan_literal(s, b ? "true" : "false") < 0)
			return mismatch(w, n);
		pqw_column_add(c, rep, &b, 1);
		return 0;
	}
	case PQW_INT:
	case PQW_REAL:
		if (ch == '"' || ch == '{' || ch == '[' || ch == 't' || ch == 'f' ||
		    pqw_scan_number(s, &start, &real) < 0 || (real && n->kind == PQW_INT))
			return mismatch(w, n);
		/* the text ends at a delimiter (a record ends with '}'), so strto* stop there */
		if (n->kind == PQW_INT) {
			int64_t i = strtoll(start, NULL, 10);
			pqw_column_add(c, rep, &i, 8);
		} else {
			double d = strtod(start, NULL);
			pqw_column_add(c, rep, &d, 8);
		}
		return 0;
	case PQW_STRING:
		if (pqw_scan_string(s, &w->scratch) < 0)
			return mismatch(w, n);
		pqw_column_add(c, rep, w->scratch.buf, w->scratch.len);
		return 0;
	case PQW_BYTES: {
		long k;
		if (pqw_scan_string(s, &w->scratch) < 0)
			return mismatch(w, n);
		k = base64_decode(w->scratch.buf, w->scratch.len, NULL, 0);
		if (k < 0)
			return error("%s: row %llu: field '%s' is not base64", w->name,
				     (unsigned long long)w->rows + 1, n->name);
		sbuf_reset(&w->bytes);
		sbuf_grow(&w->bytes, (size_t)k + 1);
		base64_decode(w->scratch.buf, w->scratch.len, w->bytes.buf, (size_t)k);
		pqw_column_add(c, rep, w->bytes.buf, (size_t)k);
		return 0;
	}
	case PQW_JSON:
		if (pqw_scan_skip_value(s, &start) < 0)
			return mismatch(w, n);
		pqw_column_add(c, rep, start, (size_t)(s->p - start));
		return 0;
	case PQW_NULL:
		break;
	}
	return mismatch(w, n);
}

/* ---- the file ---- */

static int write_out(struct pq_writer *w, const void *p, size_t n)
{
	if (pqw_write_all(w->fd, p, n) < 0)
		return error("cannot write '%s': %s", w->name, strerror(errno));
	w->offset += (int64_t)n;
	return 0;
}

static int end_row_group(struct pq_writer *w, uint64_t nrows)
{
	struct row_group *rg;

	w->rgs = xrealloc(w->rgs, (w->nrgs + 1) * sizeof(*w->rgs));
	rg = &w->rgs[w->nrgs++];
	memset(rg, 0, sizeof(*rg));
	rg->chunks = xcalloc(w->schema.nleaves ? w->schema.nleaves : 1, sizeof(*rg->chunks));
	rg->num_rows = (int64_t)nrows;
	rg->file_offset = w->offset;
	for (size_t i = 0; i < w->schema.nleaves; i++) {
		sbuf_reset(&w->buf);
		if (pqw_column_end_chunk(w->cols[i], w->codec, &w->buf, w->offset, &rg->chunks[i]) < 0 ||
		    write_out(w, w->buf.buf, w->buf.len) < 0)
			return -1;
		rg->total_byte_size += rg->chunks[i].uncompressed;
		rg->compressed += rg->chunks[i].compressed;
	}
	return 0;
}

static void write_chunk_meta(struct pq_writer *w, struct tc_writer *tw, size_t col,
			     const struct pqw_chunk_meta *m)
{
	const struct pqw_leaf *l = &w->schema.leaves[col];
	int nenc = 0;

	tcw_elem_struct_begin(tw); /* ColumnChunk */
	tcw_i64(tw, PQ_CC_FILE_OFFSET, m->dict_page_offset >= 0 ? m->dict_page_offset : m->data_page_offset);
	tcw_struct_begin(tw, PQ_CC_META_DATA);
	tcw_i32(tw, PQ_CMD_TYPE, l->type);
	for (int e = 0; e < 32; e++)
		nenc += (m->encodings >> e) & 1;
	tcw_list_begin(tw, PQ_CMD_ENCODINGS, TC_I32, (size_t)nenc);
	for (int e = 0; e < 32; e++)
		if ((m->encodings >> e) & 1)
			tcw_elem_i32(tw, e);
	tcw_list_begin(tw, PQ_CMD_PATH_IN_SCHEMA, TC_BINARY, (size_t)l->npath);
	for (int j = 0; j < l->npath; j++)
		tcw_elem_binary(tw, l->path[j], strlen(l->path[j]));
	tcw_i32(tw, PQ_CMD_CODEC, w->o.codec);
	tcw_i64(tw, PQ_CMD_NUM_VALUES, m->num_values);
	tcw_i64(tw, PQ_CMD_TOTAL_UNCOMPRESSED_SIZE, m->uncompressed);
	tcw_i64(tw, PQ_CMD_TOTAL_COMPRESSED_SIZE, m->compressed);
	tcw_i64(tw, PQ_CMD_DATA_PAGE_OFFSET, m->data_page_offset);
	if (m->dict_page_offset >= 0)
		tcw_i64(tw, PQ_CMD_DICTIONARY_PAGE_OFFSET, m->dict_page_offset);
	if (w->o.statistics) {
		tcw_struct_begin(tw, PQ_CMD_STATISTICS);
		tcw_i64(tw, PQ_STAT_NULL_COUNT, m->null_count);
		if (m->max) {
			tcw_binary(tw, PQ_STAT_MAX_VALUE, m->max, m->max_len);
			tcw_binary(tw, PQ_STAT_MIN_VALUE, m->min, m->min_len);
		}
		tcw_struct_end(tw);
	}
	tcw_struct_end(tw); /* ColumnMetaData */
	tcw_struct_end(tw); /* ColumnChunk */
}

static int write_footer(struct pq_writer *w)
{
	struct tc_writer tw;
	unsigned char len[4];

	sbuf_reset(&w->buf);
	tcw_init(&tw, &w->buf);
	tcw_i32(&tw, PQ_FMD_VERSION, 2);
	pqw_schema_write(&w->schema, &tw);
	tcw_i64(&tw, PQ_FMD_NUM_ROWS, (int64_t)w->rows);
	tcw_list_begin(&tw, PQ_FMD_ROW_GROUPS, TC_STRUCT, w->nrgs);
	for (size_t r = 0; r < w->nrgs; r++) {
		const struct row_group *rg = &w->rgs[r];
		tcw_elem_struct_begin(&tw);
		tcw_list_begin(&tw, PQ_RG_COLUMNS, TC_STRUCT, w->schema.nleaves);
		for (size_t i = 0; i < w->schema.nleaves; i++)
			write_chunk_meta(w, &tw, i, &rg->chunks[i]);
		tcw_i64(&tw, PQ_RG_TOTAL_BYTE_SIZE, rg->total_byte_size);
		tcw_i64(&tw, PQ_RG_NUM_ROWS, rg->num_rows);
		tcw_i64(&tw, PQ_RG_FILE_OFFSET, rg->file_offset);
		tcw_i64(&tw, PQ_RG_TOTAL_COMPRESSED_SIZE, rg->compressed);
		tcw_struct_end(&tw);
	}
	if (w->o.hf_features) {
		struct sbuf hf = SBUF_INIT;
		pqw_schema_hf_features(&w->schema, &hf);
		tcw_list_begin(&tw, PQ_FMD_KEY_VALUE_METADATA, TC_STRUCT, 1);
		tcw_elem_struct_begin(&tw); /* KeyValue */
		tcw_string(&tw, PQ_KV_KEY, "huggingface");
		tcw_binary(&tw, PQ_KV_VALUE, hf.buf, hf.len);
		tcw_struct_end(&tw);
		sbuf_release(&hf);
	}
	tcw_string(&tw, PQ_FMD_CREATED_BY, "smelt");
	tcw_struct_end(&tw);
	for (int i = 0; i < 4; i++)
		len[i] = (unsigned char)((w->buf.len >> (8 * i)) & 0xff);
	sbuf_add(&w->buf, len, 4);
	sbuf_add(&w->buf, PQ_MAGIC, PQ_MAGIC_LEN);
	return write_out(w, w->buf.buf, w->buf.len);
}

int pq_writer_finish(struct pq_writer *w)
{
	const char *line;
	size_t len, nleaves;
	uint64_t in_group = 0, total = w->rows;
	int r;

	if (pqw_spool_rewind(w->spool) < 0)
		return -1;
	pqw_schema_finish(&w->schema, w->o.base64_fields);
	nleaves = w->schema.nleaves;
	w->cols = xcalloc(nleaves ? nleaves : 1, sizeof(*w->cols));
	for (size_t i = 0; i < nleaves; i++) {
		const struct pqw_node *n = w->schema.leaves[i].node;
		w->cols[i] = pqw_column_new(w->schema.leaves[i].type, n->def, n->rep, &w->o);
	}
	if (write_out(w, PQ_MAGIC, PQ_MAGIC_LEN) < 0)
		return -1;
	w->rows = 0;
	while ((r = pqw_spool_next(w->spool, &line, &len)) > 0) {
		struct pqw_scan sc = { line, line + len, 0 };
		size_t buffered = 0;
		if (shred_object(w, &w->schema.root, &sc, 0) < 0)
			return -1;
		w->rows++;
		in_group++;
		for (size_t i = 0; i < nleaves; i++) {
			if (pqw_column_maybe_flush(w->cols[i], w->codec) < 0)
				return -1;
			buffered += pqw_column_buffered(w->cols[i]);
		}
		if (in_group >= w->o.row_group_rows || buffered >= w->o.row_group_bytes) {
			if (end_row_group(w, in_group) < 0)
				return -1;
			in_group = 0;
		}
	}
	if (r < 0)
		return -1;
	if (w->rows != total)
		return error("%s: the spool gave back %llu of %llu rows", w->name,
			     (unsigned long long)w->rows, (unsigned long long)total);
	if (in_group && end_row_group(w, in_group) < 0)
		return -1;
	return write_footer(w);
}
