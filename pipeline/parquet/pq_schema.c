/*
 * pq_schema.c — Parquet schema elements to a JSON shape (see pq_schema.h).
 *
 * The LIST rules are the format's backward-compatibility rules: a repeated
 * field inside a LIST group is the element itself when it is a primitive,
 * a group of several fields, or a group named "array" or "<list>_tuple";
 * otherwise it is the list's wrapper and its one child the element.
 */
#include "parquet/pq_schema.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define MAX_SCHEMA_DEPTH 64

struct builder {
	const struct pq_file_meta *m;
	uint32_t next; /* next schema element to consume */
	struct pq_schema *s;
	const char *err;
};

static struct pq_node *new_node(enum pq_node_kind kind, const struct pq_schema_elem *el)
{
	struct pq_node *n = xcalloc(1, sizeof(*n));
	n->kind = kind;
	n->el = el;
	n->name = el ? el->name : "";
	return n;
}

static void add_child(struct pq_node *p, struct pq_node *c)
{
	p->children = xrealloc(p->children, (size_t)(p->nchildren + 1) * sizeof(*p->children));
	p->children[p->nchildren++] = c;
}

static struct pq_node *field(struct builder *b, int pdef, int prep, int depth);

static int is_list(const struct pq_schema_elem *e)
{
	return e->logical == PQ_LT_LIST || e->converted == PQ_CT_LIST;
}

static int is_map(const struct pq_schema_elem *e)
{
	return e->logical == PQ_LT_MAP || e->converted == PQ_CT_MAP || e->converted == PQ_CT_MAP_KEY_VALUE;
}

/* Consume element b->next (already known to exist). */
static const struct pq_schema_elem *take(struct builder *b)
{
	return &b->m->schema[b->next++];
}

/* The children of a group element into an OBJECT node. */
static struct pq_node *object_of(struct builder *b, const struct pq_schema_elem *el, int d, int r, int depth)
{
	struct pq_node *o = new_node(PQ_NODE_OBJECT, el);

	for (int32_t i = 0; i < el->num_children && !b->err; i++) {
		struct pq_node *c = field(b, d, r, depth + 1);
		if (c)
			add_child(o, c);
	}
	/* Hugging Face's Image feature: {bytes: binary, path: string} */
	if (o->nchildren == 2 && o->children[0]->kind == PQ_NODE_LEAF &&
	    o->children[1]->kind == PQ_NODE_LEAF && !strcmp(o->children[0]->name, "bytes") &&
	    !strcmp(o->children[1]->name, "path") && o->children[0]->el->type == PQ_BYTE_ARRAY &&
	    o->children[1]->el->type == PQ_BYTE_ARRAY) {
		o->image = 1;
		o->children[0]->image_bytes = 1;
	}
	return o;
}

static struct pq_node *leaf_of(struct builder *b, const struct pq_schema_elem *el, int d, int r)
{
	struct pq_node *n = new_node(PQ_NODE_LEAF, el);

	if (el->type < PQ_BOOLEAN || el->type > PQ_FIXED_LEN_BYTE_ARRAY) {
		b->err = "schema leaf of unknown physical type";
		return n;
	}
	if (el->type == PQ_FIXED_LEN_BYTE_ARRAY && el->type_length <= 0) {
		b->err = "FIXED_LEN_BYTE_ARRAY without a length";
		return n;
	}
	n->max_def = d;
	n->max_rep = r;
	n->column = b->s->nleaves;
	b->s->leaves = xrealloc(b->s->leaves, (size_t)(b->s->nleaves + 1) * sizeof(*b->s->leaves));
	b->s->leaves[b->s->nleaves++] = n;
	return n;
}

/* What element `el` (levels d, r already counting it) holds, ignoring its own repetition. */
static struct pq_node *content(struct builder *b, const struct pq_schema_elem *el, int d, int r, int depth)
{
	if (depth > MAX_SCHEMA_DEPTH) {
		b->err = "schema nested too deeply";
		return NULL;
	}
	if (el->type >= 0 && el->num_children == 0)
		return leaf_of(b, el, d, r);
	if (el->num_children <= 0 || (uint64_t)el->num_children > b->m->nschema - b->next) {
		b->err = "schema group with a bad number of children";
		return NULL;
	}
	const struct pq_schema_elem *rep = &b->m->schema[b->next];
	if ((is_list(el) || is_map(el)) && el->num_children == 1 && rep->repetition == PQ_REPEATED) {
		struct pq_node *a = new_node(is_list(el) ? PQ_NODE_ARRAY : PQ_NODE_MAP, el);
		take(b);
		a->empty_def = d + 1;
		a->rep = r + 1;
		struct pq_node *e;
		if (a->kind == PQ_NODE_MAP) {
			if (rep->type >= 0) {
				b->err = "MAP whose key_value is not a group";
				return a;
			}
			e = object_of(b, rep, d + 1, r + 1, depth + 1);
			if (!b->err && (e->nchildren < 1 || e->nchildren > 2)) /* a key and maybe a value */
				b->err = "MAP whose key_value does not hold a key and a value";
		} else if (rep->type >= 0) {
			e = leaf_of(b, rep, d + 1, r + 1);
		} else {
			size_t nl = strlen(el->name);
			int legacy = rep->num_children != 1 || !strcmp(rep->name, "array") ||
				     (!strncmp(rep->name, el->name, nl) && !strcmp(rep->name + nl, "_tuple"));
			if (legacy) {
				e = object_of(b, rep, d + 1, r + 1, depth + 1);
			} else {
				e = field(b, d + 1, r + 1, depth + 1);
			}
		}
		if (e)
			add_child(a, e);
		return a;
	}
	return object_of(b, el, d, r, depth);
}

/* A field of a group: its repetition decides null, required or array. */
static struct pq_node *field(struct builder *b, int pdef, int prep, int depth)
{
	if (b->err)
		return NULL;
	if (b->next >= b->m->nschema) {
		b->err = "schema ends before its groups' children";
		return NULL;
	}
	const struct pq_schema_elem *el = take(b);
	int d = pdef + (el->repetition == PQ_OPTIONAL || el->repetition == PQ_REPEATED);
	int r = prep + (el->repetition == PQ_REPEATED);
	struct pq_node *c = content(b, el, d, r, depth);

	if (!c)
		return NULL;
	if (el->repetition == PQ_REPEATED) { /* a bare repeated field: an array, never null */
		struct pq_node *a = new_node(PQ_NODE_ARRAY, el);
		a->empty_def = d;
		a->rep = r;
		add_child(a, c);
		return a;
	}
	if (el->repetition == PQ_OPTIONAL)
		c->null_def = d;
	return c;
}

/* Fill in the leaves' paths (node chain, JSON keys, Parquet path). */
static void paths(struct pq_node *n, struct pq_node **chain, int depth, struct sbuf *json, struct sbuf *pq)
{
	size_t jl = json->len, pl = pq->len;

	chain[depth] = n;
	if (n->kind == PQ_NODE_LEAF) {
		n->depth = depth + 1;
		n->path = xmalloc((size_t)n->depth * sizeof(*n->path));
		memcpy(n->path, chain, (size_t)n->depth * sizeof(*n->path));
		n->json_path = xstrdup(json->buf);
		n->schema_path = xstrdup(pq->buf);
		return;
	}
	for (int i = 0; i < n->nchildren; i++) {
		struct pq_node *c = n->children[i];
		if (n->kind == PQ_NODE_OBJECT) {
			if (json->len)
				sbuf_addch(json, '.');
			sbuf_addstr(json, c->name);
		}
		paths(c, chain, depth + 1, json, pq);
		sbuf_setlen(json, jl);
		sbuf_setlen(pq, pl);
	}
}

/* The Parquet path of each leaf comes from the elements; rebuild it. */
static void schema_paths(struct builder *b)
{
	/* walk the element list again with a stack of names */
	const struct pq_file_meta *m = b->m;
	int32_t left[MAX_SCHEMA_DEPTH + 2];
	const char *names[MAX_SCHEMA_DEPTH + 2];
	int top = 0, leaf = 0;
	struct sbuf sb = SBUF_INIT;

	left[0] = m->schema[0].num_children;
	for (uint32_t i = 1; i < m->nschema && leaf < b->s->nleaves; i++) {
		const struct pq_schema_elem *e = &m->schema[i];
		while (top > 0 && left[top] == 0)
			top--;
		left[top]--;
		if (e->num_children > 0 && top < MAX_SCHEMA_DEPTH) {
			names[++top] = e->name;
			left[top] = e->num_children;
			continue;
		}
		sbuf_reset(&sb);
		for (int k = 1; k <= top; k++) {
			sbuf_addstr(&sb, names[k]);
			sbuf_addch(&sb, '.');
		}
		sbuf_addstr(&sb, e->name);
		free(b->s->leaves[leaf]->schema_path);
		b->s->leaves[leaf++]->schema_path = sbuf_detach(&sb, NULL);
	}
	sbuf_release(&sb);
}

int pq_schema_build(const struct pq_file_meta *m, struct pq_schema *s, struct sbuf *err)
{
	struct builder b = { .m = m, .next = 1, .s = s };
	const struct pq_schema_elem *root = &m->schema[0];

	memset(s, 0, sizeof(*s));
	s->root = new_node(PQ_NODE_OBJECT, root);
	for (int32_t i = 0; i < root->num_children && !b.err; i++) {
		struct pq_node *c = field(&b, 0, 0, 1);
		if (c)
			add_child(s->root, c);
	}
	if (!b.err && b.next != m->nschema)
		b.err = "schema has elements outside the root's children";
	if (!b.err && s->nleaves == 0)
		b.err = "schema has no columns";
	if (b.err) {
		sbuf_addf(err, "bad schema: %s", b.err);
		pq_schema_free(s);
		return -1;
	}
	struct pq_node *chain[MAX_SCHEMA_DEPTH * 3 + 4];
	struct sbuf json = SBUF_INIT, pq = SBUF_INIT;
	for (int i = 0; i < s->root->nchildren; i++) {
		sbuf_reset(&json);
		sbuf_addstr(&json, s->root->children[i]->name);
		paths(s->root->children[i], chain, 0, &json, &pq);
	}
	sbuf_release(&json);
	sbuf_release(&pq);
	schema_paths(&b);
	return 0;
}

/* Mark n's subtree's needs: returns 1 if it holds a projected leaf. */
static int mark(struct pq_node *n)
{
	if (n->kind == PQ_NODE_LEAF)
		return n->projected;
	int any = 0, post = n->kind == PQ_NODE_MAP || n->image;
	for (int i = 0; i < n->nchildren; i++) {
		any |= mark(n->children[i]);
		post |= n->children[i]->projected && n->children[i]->post;
	}
	n->projected = any;
	n->post = post;
	return any;
}

/* Does `path` (length len) name the leaf's JSON path or one of its prefixes? */
static int covers(const char *path, size_t len, const char *leaf)
{
	return !strncmp(leaf, path, len) && (leaf[len] == '\0' || leaf[len] == '.');
}

int pq_schema_project(struct pq_schema *s, const char *columns, struct sbuf *err)
{
	for (int i = 0; i < s->nleaves; i++)
		s->leaves[i]->projected = columns == NULL;
	for (const char *p = columns; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int found = 0;
		for (int i = 0; len && i < s->nleaves; i++)
			if (covers(p, len, s->leaves[i]->json_path)) {
				s->leaves[i]->projected = 1;
				found = 1;
			}
		if (!found) {
			sbuf_addf(err, "--columns: no column '%.*s' (the columns are:", (int)len, p);
			for (int i = 0; i < s->nleaves; i++)
				sbuf_addf(err, " %s", s->leaves[i]->json_path);
			sbuf_addch(err, ')');
			return -1;
		}
		p = comma ? comma + 1 : p + len;
	}
	s->post = mark(s->root) && s->root->post;
	return 0;
}

static void node_free(struct pq_node *n)
{
	if (!n)
		return;
	for (int i = 0; i < n->nchildren; i++)
		node_free(n->children[i]);
	free(n->children);
	free(n->json_path);
	free(n->schema_path);
	free(n->path);
	free(n);
}

void pq_schema_free(struct pq_schema *s)
{
	node_free(s->root);
	free(s->leaves);
	memset(s, 0, sizeof(*s));
}
