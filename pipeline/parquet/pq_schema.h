/*
 * pq_schema.h — the JSON shape of a Parquet schema.
 *
 * The flat, depth-first list of schema elements becomes a tree of the JSON
 * it reads as: groups are objects; LIST-annotated groups (the standard
 * three levels and the legacy two-level forms) and bare repeated fields are
 * arrays; MAP groups are objects keyed by the map's keys; primitives are
 * leaves. Each node carries the definition level below which it is null or
 * empty and the repetition level at which its arrays gain an element, which
 * is what record assembly (pq_reader.c) needs. A Hugging Face Image struct
 * ({bytes, path}) is marked so the reader can turn it into one image ref.
 */
#ifndef SMELT_PQ_SCHEMA_H
#define SMELT_PQ_SCHEMA_H

#include "core/sbuf.h"
#include "parquet/pq_meta.h"

enum pq_node_kind { PQ_NODE_LEAF, PQ_NODE_OBJECT, PQ_NODE_ARRAY, PQ_NODE_MAP };

struct pq_node {
	enum pq_node_kind kind;
	const char *name;                /* key in the parent object */
	const struct pq_schema_elem *el; /* the element it was built from */
	int null_def;  /* def < null_def: the value is null (0: never) */
	int empty_def; /* ARRAY / MAP: def < empty_def: empty */
	int rep;       /* ARRAY / MAP: repetition level of its elements */
	struct pq_node **children; /* OBJECT: fields; ARRAY: [element]; MAP: [{key, value} object] */
	int nchildren;
	int image;       /* OBJECT: an HF Image {bytes, path} */
	int image_bytes; /* LEAF: the bytes of an Image */
	int post;        /* the subtree holds a MAP or an Image (fixed up after assembly) */
	/* LEAF */
	int column;            /* index among the leaves, file order */
	int max_def, max_rep;
	char *json_path;       /* "a.b.c": the object keys on the way (for --columns) */
	char *schema_path;     /* the Parquet path_in_schema, dotted (for messages) */
	struct pq_node **path; /* the nodes from the root's child down to this leaf */
	int depth;
	int projected;
};

struct pq_schema {
	struct pq_node *root; /* an OBJECT */
	struct pq_node **leaves;
	int nleaves;
	int post; /* some projected part needs the fix-up pass */
};

/* Build the shape of m's schema; -1 with the reason in err. */
int pq_schema_build(const struct pq_file_meta *m, struct pq_schema *s, struct sbuf *err);

/*
 * Mark the leaves to read: all when `columns` is NULL, else those under one
 * of its comma-separated dotted paths (object keys, without list or map
 * levels: "texts.user"). -1 with the reason in err when a path names no
 * column.
 */
int pq_schema_project(struct pq_schema *s, const char *columns, struct sbuf *err);

void pq_schema_free(struct pq_schema *s);

#endif
