/*
 * pq_reader.c — footer, row groups and record assembly.
 *
 * Assembly walks, for each entry (rep, def, value) of a leaf column, the
 * chain of shape nodes from the record down to the leaf. An optional node
 * whose definition level is not reached is null there; an array whose
 * level is not reached is empty; otherwise the repetition level says
 * whether the entry starts a new element of an array (rep == the array's
 * level), continues the current one (rep above it) or starts the array
 * anew (rep below). The leaves of one struct inside a list meet in the same
 * element by its index, which each column counts for itself.
 */
#include "parquet/pq_reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/image_magic.h"
#include "core/util.h"
#include "parquet/pq_codec.h"
#include "parquet/pq_column.h"
#include "parquet/pq_format.h"
#include "parquet/pq_meta.h"
#include "parquet/pq_schema.h"
#include "parquet/pq_value.h"

#define MAX_FOOTER ((uint64_t)1 << 30)
#define MAX_CHUNK ((uint64_t)1 << 34)

struct pq_reader {
	int fd;
	const uint8_t *mem; /* or an in-memory file (the fuzz target) */
	uint64_t size, data_end, bytes;
	struct pq_file_meta meta;
	struct pq_schema schema;
	struct pq_images *images;
	const char *stem;

	uint32_t rg;          /* the row group being read (nrgs when done) */
	int64_t rg_rows, rg_row;
	struct pq_column **cols; /* per leaf; NULL when not projected */
	uint8_t **chunks;     /* per leaf: its chunk's bytes, the buffer kept from */
	size_t *chunk_cap;    /* one row group to the next (no fresh pages to fault in) */
	int **idx;            /* per leaf: element counters along its path */
	uint64_t row;         /* rows returned */
	int image_k;          /* images in the current row */
	int done;
	struct sbuf tmp, ref;
};

static int read_at(struct pq_reader *r, void *buf, size_t len, uint64_t off, struct sbuf *err)
{
	if (r->mem) {
		memcpy(buf, r->mem + off, len);
		return 0;
	}
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(r->fd, (char *)buf + got, len - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sbuf_addf(err, "read error: %s", strerror(errno));
			return -1;
		}
		if (n == 0) {
			sbuf_addstr(err, "file shrank while being read");
			return -1;
		}
		got += (size_t)n;
	}
	r->bytes += len;
	return 0;
}

static int open_footer(struct pq_reader *r, struct sbuf *err)
{
	uint8_t tail[8];
	uint32_t flen;

	if (r->size < 12) {
		sbuf_addf(err, "Parquet file of %llu bytes is truncated (no room for a footer)",
			  (unsigned long long)r->size);
		return -1;
	}
	if (read_at(r, tail, 8, r->size - 8, err) < 0)
		return -1;
	if (memcmp(tail + 4, PQ_MAGIC, 4)) {
		sbuf_addstr(err, "Parquet file does not end with PAR1: truncated or damaged");
		return -1;
	}
	memcpy(&flen, tail, 4);
	if ((uint64_t)flen + 12 > r->size || flen > MAX_FOOTER) {
		sbuf_addf(err, "footer length %u is beyond the file's %llu bytes (truncated or damaged)", flen,
			  (unsigned long long)r->size);
		return -1;
	}
	uint8_t *buf = xmalloc(flen ? flen : 1);
	int ret = read_at(r, buf, flen, r->size - 8 - flen, err);
	if (ret == 0)
		ret = pq_meta_parse(buf, flen, &r->meta, err);
	free(buf);
	if (ret < 0)
		return -1;
	r->data_end = r->size - 8 - flen;
	if (pq_schema_build(&r->meta, &r->schema, err) < 0)
		return -1;
	for (uint32_t i = 0; i < r->meta.nrgs; i++)
		if (r->meta.rgs[i].ncols != (uint32_t)r->schema.nleaves || r->meta.rgs[i].num_rows < 0) {
			sbuf_addf(err, "row group %u has %u column chunks for %d columns (or no row count)", i,
				  r->meta.rgs[i].ncols, r->schema.nleaves);
			return -1;
		}
	return 0;
}

static struct pq_reader *reader_new(const struct pq_read_opts *o)
{
	struct pq_reader *r = xcalloc(1, sizeof(*r));
	r->fd = -1;
	r->images = o ? o->images : NULL;
	sbuf_init(&r->tmp, 0);
	sbuf_init(&r->ref, 0);
	return r;
}

static int reader_setup(struct pq_reader *r, const struct pq_read_opts *o, struct sbuf *err, int *usage)
{
	if (open_footer(r, err) < 0)
		return -1;
	if (pq_schema_project(&r->schema, o ? o->columns : NULL, err) < 0) {
		*usage = 1;
		return -1;
	}
	int n = r->schema.nleaves;
	r->cols = xcalloc((size_t)n, sizeof(*r->cols));
	r->chunks = xcalloc((size_t)n, sizeof(*r->chunks));
	r->chunk_cap = xcalloc((size_t)n, sizeof(*r->chunk_cap));
	r->idx = xcalloc((size_t)n, sizeof(*r->idx));
	for (int i = 0; i < n; i++)
		r->idx[i] = xcalloc((size_t)r->schema.leaves[i]->depth, sizeof(int));
	r->rg = 0;
	r->rg_rows = -1;
	return 0;
}

struct pq_reader *pq_reader_open(int fd, const char *shown, uint64_t size, const struct pq_read_opts *o,
				 struct sbuf *err, int *usage)
{
	struct pq_reader *r = reader_new(o);

	*usage = 0;
	r->fd = fd;
	r->size = size;
	if (reader_setup(r, o, err, usage) < 0) {
		pq_reader_close(r);
		return NULL;
	}
	if (r->images)
		r->stem = pq_images_stem(r->images, shown);
	return r;
}

static void close_row_group(struct pq_reader *r)
{
	for (int i = 0; r->cols && i < r->schema.nleaves; i++) {
		pq_column_close(r->cols[i]);
		r->cols[i] = NULL;
	}
}

/* "row group 2 of 5, column 'a.b'": the context of a message. */
static void where(const struct pq_reader *r, const struct pq_node *leaf, struct sbuf *out)
{
	sbuf_addf(out, "row group %u of %u", r->rg, r->meta.nrgs);
	if (leaf)
		sbuf_addf(out, ", column '%s'", leaf->schema_path);
	sbuf_addstr(out, ": ");
}

static int fail(struct pq_reader *r, const struct pq_node *leaf, struct sbuf *err, const char *why)
{
	struct sbuf msg = SBUF_INIT;
	where(r, leaf, &msg);
	sbuf_addstr(&msg, why);
	sbuf_reset(err);
	sbuf_add(err, msg.buf, msg.len);
	sbuf_release(&msg);
	r->done = 1;
	return -1;
}

/* Read the projected chunks of row group r->rg. */
static int open_row_group(struct pq_reader *r, struct sbuf *err)
{
	const struct pq_row_group *rg = &r->meta.rgs[r->rg];

	for (int i = 0; i < r->schema.nleaves; i++) {
		const struct pq_node *leaf = r->schema.leaves[i];
		const struct pq_column_meta *cm = &rg->cols[i];
		if (!leaf->projected)
			continue;
		sbuf_reset(&r->tmp);
		if (cm->type != leaf->el->type)
			return fail(r, leaf, err, "chunk's physical type differs from the schema's");
		if (!pq_codec_supported(cm->codec)) {
			sbuf_addf(&r->tmp, "compression %s (%d) is not supported", pq_codec_name(cm->codec), cm->codec);
			return fail(r, leaf, err, r->tmp.buf);
		}
		int64_t start = cm->data_page_offset;
		if (cm->dict_page_offset > 0 && cm->dict_page_offset < start)
			start = cm->dict_page_offset;
		if (start < 4 || cm->total_compressed < 0 || (uint64_t)cm->total_compressed > MAX_CHUNK ||
		    (uint64_t)start + (uint64_t)cm->total_compressed > r->data_end) {
			sbuf_addf(&r->tmp, "column chunk at %lld of %lld bytes lies beyond the data (%llu bytes)",
				  (long long)start, (long long)cm->total_compressed, (unsigned long long)r->data_end);
			return fail(r, leaf, err, r->tmp.buf);
		}
		if (r->chunk_cap[i] < (size_t)cm->total_compressed + 1) {
			free(r->chunks[i]);
			r->chunk_cap[i] = (size_t)cm->total_compressed + 1;
			r->chunks[i] = xmalloc(r->chunk_cap[i]);
		}
		if (read_at(r, r->chunks[i], (size_t)cm->total_compressed, (uint64_t)start, &r->tmp) < 0)
			return fail(r, leaf, err, r->tmp.buf);
		r->cols[i] = pq_column_open(r->chunks[i], (size_t)cm->total_compressed, cm->codec, leaf->el->type,
					    leaf->el->type_length, leaf->max_def, leaf->max_rep);
	}
	r->rg_rows = rg->num_rows;
	r->rg_row = 0;
	return 0;
}

/* ---- assembly ------------------------------------------------------------ */

static json_t *slot_get(json_t *cont, int is_obj, const char *key, size_t at)
{
	if (is_obj)
		return json_object_get(cont, key);
	return at < json_array_size(cont) ? json_array_get(cont, at) : NULL;
}

/* Put v (stolen) in the slot; returns v borrowed, or NULL when the slot is out of step. */
static json_t *slot_put(json_t *cont, int is_obj, const char *key, size_t at, json_t *v)
{
	if (is_obj ? json_object_set_new(cont, key, v) < 0 :
		     (at != json_array_size(cont) || json_array_append_new(cont, v) < 0))
		return NULL;
	return v;
}

/* The JSON of a leaf value; Image bytes go to the shard or become a data: URI. */
static json_t *leaf_value(struct pq_reader *r, const struct pq_node *leaf, const struct pq_val *v,
			  struct sbuf *err)
{
	if (!leaf->image_bytes)
		return pq_value_json(leaf->el, v);
	sbuf_reset(&r->ref);
	if (r->images) {
		const struct image_magic *kind = image_magic(v->s.ptr, v->s.len);
		char name[64];
		snprintf(name, sizeof(name), "%llu-%d.%s", (unsigned long long)r->row, r->image_k++,
			 kind ? kind->ext : "bin");
		struct sbuf member = SBUF_INIT;
		sbuf_addf(&member, "%s/%s", r->stem, name);
		int ret = pq_images_add(r->images, member.buf, v->s.ptr, v->s.len, &r->ref);
		sbuf_release(&member);
		if (ret < 0) {
			sbuf_addstr(err, "cannot write the image shard");
			return NULL;
		}
	} else {
		pq_data_uri(&r->ref, v->s.ptr, v->s.len);
	}
	return json_stringn(r->ref.buf, r->ref.len);
}

/* Place one entry of `leaf` in `row`. 0, 1 for a bad-UTF-8 value, -1 when the levels are out of step. */
static int assemble(struct pq_reader *r, const struct pq_node *leaf, int *idx, int rep, int def,
		    const struct pq_val *val, json_t *row, struct sbuf *err)
{
	json_t *cont = row, *cur;
	int is_obj = 1;
	size_t at = 0;

	for (int k = 0; k < leaf->depth; k++) {
		const struct pq_node *n = leaf->path[k];
		if (!is_obj && at > json_array_size(cont))
			return -1;
		cur = slot_get(cont, is_obj, n->name, at);
		if (n->null_def && def < n->null_def) {
			if (!cur)
				return slot_put(cont, is_obj, n->name, at, json_null()) ? 0 : -1;
			return json_is_null(cur) ? 0 : -1;
		}
		switch (n->kind) {
		case PQ_NODE_LEAF: {
			if (cur || !val)
				return -1;
			json_t *v = leaf_value(r, leaf, val, err);
			if (!v)
				return err->len ? -2 : 1;
			return slot_put(cont, is_obj, n->name, at, v) ? 0 : -1;
		}
		case PQ_NODE_OBJECT:
			if (!cur)
				cur = slot_put(cont, is_obj, n->name, at, json_object());
			if (!json_is_object(cur))
				return -1;
			cont = cur;
			is_obj = 1;
			break;
		case PQ_NODE_ARRAY:
		case PQ_NODE_MAP:
			if (!cur)
				cur = slot_put(cont, is_obj, n->name, at, json_array());
			if (!json_is_array(cur))
				return -1;
			if (def < n->empty_def)
				return 0;
			if (rep < n->rep)
				idx[k] = 0;
			else if (rep == n->rep)
				idx[k]++;
			cont = cur;
			is_obj = 0;
			at = (size_t)idx[k];
			break;
		}
	}
	return -1;
}

/* A map's key as an object key. */
static char *map_key(const json_t *k)
{
	if (json_is_string(k))
		return xstrdup(json_string_value(k));
	char *s = json_dumps(k, JSON_ENCODE_ANY | JSON_COMPACT);
	return s ? s : xstrdup("");
}

/* Maps to objects, Image structs to their ref; returns the value for the slot (new or v). */
static json_t *fixup(const struct pq_node *n, json_t *v)
{
	if (!n->post || !v || json_is_null(v))
		return v;
	switch (n->kind) {
	case PQ_NODE_OBJECT: {
		for (int i = 0; i < n->nchildren; i++) {
			const struct pq_node *c = n->children[i];
			if (!c->post || !c->projected)
				continue;
			json_t *cv = json_object_get(v, c->name), *nv = fixup(c, cv);
			if (nv != cv)
				json_object_set_new(v, c->name, nv);
		}
		if (n->image) {
			json_t *b = json_object_get(v, "bytes"), *p = json_object_get(v, "path");
			json_t *ref = b && !json_is_null(b) ? b : p && !json_is_null(p) ? p : NULL;
			return ref ? json_incref(ref) : json_null();
		}
		return v;
	}
	case PQ_NODE_ARRAY:
	case PQ_NODE_MAP: {
		const struct pq_node *e = n->children[0];
		for (size_t i = 0; e->post && i < json_array_size(v); i++) {
			json_t *cv = json_array_get(v, i), *nv = fixup(e, cv);
			if (nv != cv)
				json_array_set_new(v, i, nv);
		}
		if (n->kind == PQ_NODE_ARRAY)
			return v;
		json_t *obj = json_object(), *kv;
		size_t i;
		const char *kname = e->children[0]->name;
		const char *vname = e->nchildren > 1 ? e->children[1]->name : NULL;
		json_array_foreach(v, i, kv) {
			char *key = map_key(json_object_get(kv, kname));
			json_t *val = vname ? json_object_get(kv, vname) : NULL;
			json_object_set(obj, key, val ? val : json_null());
			free(key);
		}
		return obj;
	}
	default:
		return v;
	}
}

int pq_reader_next(struct pq_reader *r, json_t **row, const char **kind, struct sbuf *err)
{
	*row = NULL;
	if (r->done)
		return 0;
	while (r->rg_rows < 0 || r->rg_row >= r->rg_rows) {
		/* the row group is over: every column must be too */
		for (int i = 0; r->rg_rows >= 0 && i < r->schema.nleaves; i++) {
			int rep;
			if (!r->cols[i])
				continue;
			sbuf_reset(&r->tmp);
			int ret = pq_column_peek(r->cols[i], &rep, &r->tmp);
			if (ret < 0)
				return fail(r, r->schema.leaves[i], err, r->tmp.buf);
			if (ret > 0) {
				sbuf_reset(&r->tmp);
				sbuf_addf(&r->tmp, "the column holds more rows than the row group's %lld",
					  (long long)r->rg_rows);
				return fail(r, r->schema.leaves[i], err, r->tmp.buf);
			}
		}
		close_row_group(r);
		if (r->rg_rows >= 0)
			r->rg++;
		if (r->rg >= r->meta.nrgs) {
			r->done = 1;
			return 0;
		}
		if (open_row_group(r, err) < 0)
			return -1;
	}

	json_t *obj = json_object();
	int bad_utf8 = 0;
	r->image_k = 0;
	for (int i = 0; i < r->schema.nleaves; i++) {
		struct pq_column *c = r->cols[i];
		const struct pq_node *leaf = r->schema.leaves[i];
		int first = 1;
		if (!c)
			continue;
		for (;;) {
			int rep, def, ret;
			const struct pq_val *val;
			sbuf_reset(&r->tmp);
			ret = pq_column_next(c, &rep, &def, &val, &r->tmp);
			if (ret < 0)
				goto damage;
			if (ret == 0) {
				sbuf_reset(&r->tmp);
				sbuf_addf(&r->tmp, "the column ends after %lld of the row group's %lld rows",
					  (long long)r->rg_row, (long long)r->rg_rows);
				goto damage;
			}
			if (first && rep != 0) {
				sbuf_addf(&r->tmp, "a row starts with repetition level %d", rep);
				goto damage;
			}
			first = 0;
			ret = assemble(r, leaf, r->idx[i], rep, def, val, obj, &r->tmp);
			if (ret == 1) {
				if (!bad_utf8) {
					sbuf_addf(err, "column '%s' holds a string that is not valid UTF-8", leaf->schema_path);
					bad_utf8 = 1;
				}
			} else if (ret < 0) {
				if (ret == -1) {
					sbuf_reset(&r->tmp);
					sbuf_addf(&r->tmp, "repetition/definition levels out of step at entry %llu",
						  (unsigned long long)pq_column_position(c));
				}
				goto damage;
			}
			ret = pq_column_peek(c, &rep, &r->tmp);
			if (ret < 0)
				goto damage;
			if (ret == 0 || rep == 0)
				break;
		}
		continue;
damage:
		json_decref(obj);
		return fail(r, leaf, err, r->tmp.buf);
	}
	r->rg_row++;
	r->row++;
	if (bad_utf8) {
		json_decref(obj);
		*kind = PQ_REJECT_BAD_UTF8;
		return 2;
	}
	if (r->schema.post)
		obj = fixup(r->schema.root, obj);
	*row = obj;
	return 1;
}

uint64_t pq_reader_row(const struct pq_reader *r)
{
	return r->row;
}

uint64_t pq_reader_rows(const struct pq_reader *r)
{
	return r->meta.num_rows > 0 ? (uint64_t)r->meta.num_rows : 0;
}

uint64_t pq_reader_bytes(const struct pq_reader *r)
{
	return r->bytes;
}

void pq_reader_close(struct pq_reader *r)
{
	if (!r)
		return;
	close_row_group(r);
	for (int i = 0; r->idx && i < r->schema.nleaves; i++)
		free(r->idx[i]);
	free(r->idx);
	free(r->cols);
	for (int i = 0; r->chunks && i < r->schema.nleaves; i++)
		free(r->chunks[i]);
	free(r->chunks);
	free(r->chunk_cap);
	pq_schema_free(&r->schema);
	pq_meta_free(&r->meta);
	sbuf_release(&r->tmp);
	sbuf_release(&r->ref);
	free(r);
}

int pq_check_buffer(const uint8_t *buf, size_t len, struct sbuf *err)
{
	struct pq_reader *r = reader_new(NULL);
	json_t *row;
	const char *kind;
	int ret, usage;

	r->mem = buf;
	r->size = len;
	if (reader_setup(r, NULL, err, &usage) < 0) {
		pq_reader_close(r);
		return -1;
	}
	while ((ret = pq_reader_next(r, &row, &kind, err)) > 0) {
		json_decref(row);
		sbuf_reset(err);
	}
	pq_reader_close(r);
	return ret;
}
