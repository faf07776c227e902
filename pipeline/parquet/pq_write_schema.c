/*
 * pq_write_schema.c — merging record shapes into one schema, and the
 * schema's footer form (see pq_write.h for the mapping and widening).
 */
#include "parquet/pq_write_schema.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "parquet/pq_format.h"
#include "parquet/pq_write.h"
#include "parquet/pq_write_scan.h"

/* Levels are kept as small integers and Parquet nests 2 per LIST: a
 * field this deep is written as JSON instead. */
#define PQW_MAX_LEVEL 200

static struct pqw_node *node_new(const char *name)
{
	struct pqw_node *n = xcalloc(1, sizeof(*n));

	n->name = xstrdup(name);
	n->col = -1;
	return n;
}

static void node_free_kids(struct pqw_node *n)
{
	for (size_t i = 0; i < n->nkids; i++) {
		node_free_kids(n->kids[i]);
		free(n->kids[i]->name);
		free(n->kids[i]);
	}
	free(n->kids);
	n->kids = NULL;
	n->nkids = n->kids_alloc = 0;
	if (n->elem) {
		node_free_kids(n->elem);
		free(n->elem->name);
		free(n->elem);
		n->elem = NULL;
	}
}

/* A shape that cannot be merged: the node keeps the value's JSON. */
static void make_json(struct pqw_node *n)
{
	node_free_kids(n);
	n->kind = PQW_JSON;
}

/*
 * A value of kind k meets node n: widen n as pq_write.h says. Returns 1
 * when the value's inside is to be merged too, 0 when there is nothing
 * more to merge (a null, or n holds JSON now).
 */
static int take_kind(struct pqw_node *n, enum pqw_kind k, int big)
{
	if (k == PQW_NULL || n->kind == PQW_JSON)
		return 0;
	if (big)
		n->big_int = 1;
	if (n->kind == PQW_NULL)
		n->kind = k;
	else if ((n->kind == PQW_INT && k == PQW_REAL) || (n->kind == PQW_REAL && k == PQW_INT))
		n->kind = PQW_REAL;
	else if (n->kind != k) {
		make_json(n);
		return 0;
	}
	if (n->kind == PQW_REAL && n->big_int) {
		make_json(n); /* a double would round it */
		return 0;
	}
	return 1;
}

struct pqw_node *pqw_node_find(struct pqw_node *n, const char *key, size_t *hint)
{
	if (*hint < n->nkids && !strcmp(n->kids[*hint]->name, key))
		return n->kids[(*hint)++];
	for (size_t i = 0; i < n->nkids; i++)
		if (!strcmp(n->kids[i]->name, key)) {
			*hint = i + 1;
			return n->kids[i];
		}
	return NULL;
}

/* The field `key` of an object node, added when new. */
static struct pqw_node *kid(struct pqw_node *n, const char *key, size_t *hint)
{
	struct pqw_node *k = pqw_node_find(n, key, hint);

	if (k)
		return k;
	if (n->nkids == n->kids_alloc) {
		n->kids_alloc = n->kids_alloc ? 2 * n->kids_alloc : 8;
		n->kids = xrealloc(n->kids, n->kids_alloc * sizeof(*n->kids));
	}
	n->kids[n->nkids] = node_new(key);
	*hint = n->nkids + 1;
	return n->kids[n->nkids++];
}

/* An integer's kind: *big when beyond 2^53; JSON when beyond int64. */
static enum pqw_kind int_kind(const char *p, const char *end, int *big)
{
	size_t digits = (size_t)(end - p) - (*p == '-');

	*big = 0;
	if (digits <= 15)
		return PQW_INT;
	errno = 0;
	long long v = strtoll(p, NULL, 10);
	if (errno == ERANGE)
		return PQW_JSON;
	*big = v > (1LL << 53) || v < -(1LL << 53);
	return PQW_INT;
}

static int merge_text(struct pqw_node *n, struct pqw_scan *s, struct sbuf *key)
{
	const char *start;
	int real, big = 0, c = pqw_scan_peek(s);
	enum pqw_kind k;

	switch (c) {
	case '{': {
		size_t hint = 0;
		if (!take_kind(n, PQW_OBJECT, 0))
			return pqw_scan_skip_value(s, &start);
		s->p++;
		if (pqw_scan_peek(s) == '}') {
			s->p++;
			return 0;
		}
		for (;;) {
			if (pqw_scan_string(s, key) < 0 || pqw_scan_expect(s, ':') < 0)
				return -1;
			if (n->kind == PQW_JSON) { /* outgrew the key limit: skip the rest */
				if (pqw_scan_skip_value(s, &start) < 0)
					return -1;
			} else {
				struct pqw_node *f = kid(n, key->buf, &hint);
				if (n->nkids > PQW_MAX_KEYS && !n->is_root) {
					make_json(n);
					if (pqw_scan_skip_value(s, &start) < 0)
						return -1;
				} else if (merge_text(f, s, key) < 0) {
					return -1;
				}
			}
			if (pqw_scan_peek(s) != ',')
				break;
			s->p++;
		}
		return pqw_scan_expect(s, '}');
	}
	case '[':
		if (!take_kind(n, PQW_ARRAY, 0))
			return pqw_scan_skip_value(s, &start);
		if (!n->elem)
			n->elem = node_new("element");
		s->p++;
		if (pqw_scan_peek(s) == ']') {
			s->p++;
			return 0;
		}
		for (;;) {
			if (merge_text(n->elem, s, key) < 0)
				return -1;
			if (pqw_scan_peek(s) != ',')
				break;
			s->p++;
		}
		return pqw_scan_expect(s, ']');
	case '"':
		take_kind(n, PQW_STRING, 0);
		return pqw_scan_skip_string(s);
	case 't':
		take_kind(n, PQW_BOOL, 0);
		return pqw_scan_literal(s, "true");
	case 'f':
		take_kind(n, PQW_BOOL, 0);
		return pqw_scan_literal(s, "false");
	case 'n':
		return pqw_scan_literal(s, "null");
	default:
		if (pqw_scan_number(s, &start, &real) < 0)
			return -1;
		k = real ? PQW_REAL : int_kind(start, s->p, &big);
		if (k == PQW_JSON && n->kind != PQW_JSON)
			make_json(n);
		else
			take_kind(n, k, big);
		return 0;
	}
}

void pqw_schema_init(struct pqw_schema *s)
{
	memset(s, 0, sizeof(*s));
	s->root.name = xstrdup("schema");
	s->root.kind = PQW_OBJECT;
	s->root.is_root = 1;
	s->root.col = -1;
}

int pqw_schema_merge_text(struct pqw_schema *s, const char *text, size_t len)
{
	struct pqw_scan sc = { text, text + len, 0 };
	struct sbuf key = SBUF_INIT;
	int r = -1;

	if (pqw_scan_peek(&sc) == '{' && merge_text(&s->root, &sc, &key) == 0 && !pqw_scan_peek(&sc))
		r = 0;
	sbuf_release(&key);
	return r;
}

static int leaf_type(enum pqw_kind k)
{
	switch (k) {
	case PQW_BOOL: return PQ_BOOLEAN;
	case PQW_INT: return PQ_INT64;
	case PQW_REAL: return PQ_DOUBLE;
	default: return PQ_BYTE_ARRAY;
	}
}

/* The path of names of node `n` below `parent` ("a.b" or "a[]" steps),
 * as pq_write_opts.base64_fields spells it. */
static int is_base64_field(const char *path, const char *const *fields)
{
	for (; fields && *fields; fields++)
		if (!strcmp(*fields, path))
			return 1;
	return 0;
}

struct finish_ctx {
	struct pqw_schema *s;
	const char *const *base64_fields;
	const char *names[2 * PQW_MAX_LEVEL + 8]; /* path_in_schema so far */
	int depth;
};

static void add_leaf(struct finish_ctx *c, struct pqw_node *n)
{
	struct pqw_schema *s = c->s;
	struct pqw_leaf *l;
	struct sbuf dotted = SBUF_INIT;

	s->leaves = xrealloc(s->leaves, (s->nleaves + 1) * sizeof(*s->leaves));
	l = &s->leaves[s->nleaves];
	n->col = (int)s->nleaves++;
	l->node = n;
	l->npath = c->depth;
	l->path = xcalloc((size_t)c->depth, sizeof(*l->path));
	for (int i = 0; i < c->depth; i++) {
		l->path[i] = xstrdup(c->names[i]);
		if (i)
			sbuf_addch(&dotted, '.');
		sbuf_addstr(&dotted, c->names[i]);
	}
	l->dotted = sbuf_detach(&dotted, NULL);
	l->type = leaf_type(n->kind);
}

/* `user` is the field path as users write it ("a.b[].c"). */
static void finish(struct finish_ctx *c, struct pqw_node *n, int def, int rep, struct sbuf *user)
{
	size_t ulen = user->len;

	n->def = def;
	n->rep = rep;
	if (def + 2 > PQW_MAX_LEVEL && (n->kind == PQW_OBJECT || n->kind == PQW_ARRAY))
		make_json(n);
	if (n->kind == PQW_OBJECT && !n->nkids)
		make_json(n); /* a group needs a field */
	if (n->kind == PQW_STRING && is_base64_field(user->buf, c->base64_fields))
		n->kind = PQW_BYTES;
	c->names[c->depth++] = n->name;
	if (n->kind == PQW_OBJECT) {
		for (size_t i = 0; i < n->nkids; i++) {
			if (user->len)
				sbuf_addch(user, '.');
			sbuf_addstr(user, n->kids[i]->name);
			finish(c, n->kids[i], def + 1, rep, user);
			sbuf_setlen(user, ulen);
		}
	} else if (n->kind == PQW_ARRAY) {
		/* optional group n (LIST) { repeated group list { optional element } } */
		c->names[c->depth++] = "list";
		sbuf_addstr(user, "[]");
		finish(c, n->elem, def + 2, rep + 1, user);
		sbuf_setlen(user, ulen);
		c->depth--;
	} else {
		add_leaf(c, n);
	}
	c->depth--;
}

void pqw_schema_finish(struct pqw_schema *s, const char *const *base64_fields)
{
	struct finish_ctx c = { .s = s, .base64_fields = base64_fields };
	struct sbuf user = SBUF_INIT;
	size_t hint = 0;

	/* DuckDB refuses a file without a column: records without fields (or
	 * none at all) get one all-null column "_" */
	if (!s->root.nkids)
		kid(&s->root, "_", &hint);
	for (size_t i = 0; i < s->root.nkids; i++) {
		sbuf_reset(&user);
		sbuf_addstr(&user, s->root.kids[i]->name);
		finish(&c, s->root.kids[i], 1, 0, &user);
	}
	sbuf_release(&user);
}

static void element(struct tc_writer *tw, const char *name, int type, int repetition, int nchildren,
		    int converted, int logical)
{
	tcw_elem_struct_begin(tw);
	if (type >= 0)
		tcw_i32(tw, PQ_SE_TYPE, type);
	if (repetition >= 0)
		tcw_i32(tw, PQ_SE_REPETITION, repetition);
	tcw_string(tw, PQ_SE_NAME, name);
	if (nchildren >= 0)
		tcw_i32(tw, PQ_SE_NUM_CHILDREN, nchildren);
	if (converted >= 0)
		tcw_i32(tw, PQ_SE_CONVERTED_TYPE, converted);
	if (logical) {
		tcw_struct_begin(tw, PQ_SE_LOGICAL_TYPE);
		tcw_struct_begin(tw, (int16_t)logical); /* StringType {}, ListType {}, JsonType {} */
		tcw_struct_end(tw);
		tcw_struct_end(tw);
	}
	tcw_struct_end(tw);
}

static size_t count_elements(const struct pqw_node *n)
{
	size_t k = 1;

	if (n->kind == PQW_OBJECT)
		for (size_t i = 0; i < n->nkids; i++)
			k += count_elements(n->kids[i]);
	else if (n->kind == PQW_ARRAY)
		k += 1 + count_elements(n->elem);
	return k;
}

static void write_node(struct tc_writer *tw, const struct pqw_node *n)
{
	switch (n->kind) {
	case PQW_OBJECT:
		element(tw, n->name, -1, PQ_OPTIONAL, (int)n->nkids, -1, 0);
		for (size_t i = 0; i < n->nkids; i++)
			write_node(tw, n->kids[i]);
		break;
	case PQW_ARRAY:
		element(tw, n->name, -1, PQ_OPTIONAL, 1, PQ_CT_LIST, PQ_LT_LIST);
		element(tw, "list", -1, PQ_REPEATED, 1, -1, 0);
		write_node(tw, n->elem);
		break;
	case PQW_NULL:
	case PQW_STRING:
		element(tw, n->name, PQ_BYTE_ARRAY, PQ_OPTIONAL, -1, PQ_CT_UTF8, PQ_LT_STRING);
		break;
	case PQW_JSON:
		element(tw, n->name, PQ_BYTE_ARRAY, PQ_OPTIONAL, -1, PQ_CT_JSON, PQ_LT_JSON);
		break;
	default:
		element(tw, n->name, leaf_type(n->kind), PQ_OPTIONAL, -1, -1, 0);
		break;
	}
}

void pqw_schema_write(const struct pqw_schema *s, struct tc_writer *tw)
{
	tcw_list_begin(tw, PQ_FMD_SCHEMA, TC_STRUCT, count_elements(&s->root));
	element(tw, "schema", -1, -1, (int)s->root.nkids, -1, 0);
	for (size_t i = 0; i < s->root.nkids; i++)
		write_node(tw, s->root.kids[i]);
}

/* A JSON string (keys are field names: any UTF-8). */
static void json_str(struct sbuf *out, const char *str)
{
	sbuf_addch(out, '"');
	for (const unsigned char *p = (const unsigned char *)str; *p; p++) {
		if (*p == '"' || *p == '\\')
			sbuf_addf(out, "\\%c", *p);
		else if (*p < 0x20)
			sbuf_addf(out, "\\u%04x", *p);
		else
			sbuf_addch(out, *p);
	}
	sbuf_addch(out, '"');
}

/* {bytes: raw bytes, path: string}: the Image feature's arrow shape. */
static int is_image(const struct pqw_node *n)
{
	return n->kind == PQW_OBJECT && n->nkids == 2 && !strcmp(n->kids[0]->name, "bytes") &&
	       n->kids[0]->kind == PQW_BYTES && !strcmp(n->kids[1]->name, "path") &&
	       (n->kids[1]->kind == PQW_STRING || n->kids[1]->kind == PQW_NULL);
}

static void hf_feature(const struct pqw_node *n, struct sbuf *out)
{
	const char *dtype = "string";

	if (is_image(n)) {
		sbuf_addstr(out, "{\"_type\":\"Image\"}");
		return;
	}
	switch (n->kind) {
	case PQW_OBJECT:
		sbuf_addch(out, '{');
		for (size_t i = 0; i < n->nkids; i++) {
			if (i)
				sbuf_addch(out, ',');
			json_str(out, n->kids[i]->name);
			sbuf_addch(out, ':');
			hf_feature(n->kids[i], out);
		}
		sbuf_addch(out, '}');
		return;
	case PQW_ARRAY: /* the list shorthand: a plain list in every datasets version */
		sbuf_addch(out, '[');
		hf_feature(n->elem, out);
		sbuf_addch(out, ']');
		return;
	case PQW_BOOL: dtype = "bool"; break;
	case PQW_INT: dtype = "int64"; break;
	case PQW_REAL: dtype = "float64"; break;
	case PQW_BYTES: dtype = "binary"; break;
	default: break; /* strings, JSON text, all-null columns */
	}
	sbuf_addf(out, "{\"dtype\":\"%s\",\"_type\":\"Value\"}", dtype);
}

void pqw_schema_hf_features(const struct pqw_schema *s, struct sbuf *out)
{
	sbuf_addstr(out, "{\"info\":{\"features\":{");
	for (size_t i = 0; i < s->root.nkids; i++) { /* the record itself is never an Image */
		if (i)
			sbuf_addch(out, ',');
		json_str(out, s->root.kids[i]->name);
		sbuf_addch(out, ':');
		hf_feature(s->root.kids[i], out);
	}
	sbuf_addstr(out, "}}}");
}

void pqw_schema_release(struct pqw_schema *s)
{
	node_free_kids(&s->root);
	free(s->root.name);
	for (size_t i = 0; i < s->nleaves; i++) {
		for (int j = 0; j < s->leaves[i].npath; j++)
			free(s->leaves[i].path[j]);
		free(s->leaves[i].path);
		free(s->leaves[i].dotted);
	}
	free(s->leaves);
	memset(s, 0, sizeof(*s));
}
