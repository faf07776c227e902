/*
 * pq_write_schema.h — the schema a Parquet file gets from its records:
 * each record's shape is merged into a tree of nodes (pq_write.h has the
 * widening rules), then pqw_schema_finish numbers the leaf columns and
 * their definition and repetition levels and writes the footer's list of
 * SchemaElements.
 */
#ifndef SMELT_PQ_WRITE_SCHEMA_H
#define SMELT_PQ_WRITE_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"
#include "parquet/pq_thrift_write.h"

enum pqw_kind {
	PQW_NULL,   /* only nulls seen so far */
	PQW_BOOL,
	PQW_INT,
	PQW_REAL,
	PQW_STRING,
	PQW_OBJECT,
	PQW_ARRAY,
	PQW_JSON,   /* shapes disagreed: the value's compact JSON */
	PQW_BYTES,  /* a base64 string written as raw bytes (pq_write_opts.base64_fields) */
};

struct pqw_node {
	char *name;
	enum pqw_kind kind;
	int big_int;           /* an integer beyond 2^53 was seen */
	int is_root;           /* the record itself: no key limit */
	uint64_t seen;         /* shredding: the object instance that last set it */
	struct pqw_node **kids; /* PQW_OBJECT: fields in first-seen order */
	size_t nkids, kids_alloc;
	struct pqw_node *elem; /* PQW_ARRAY: the element */
	/* set by pqw_schema_finish */
	int def, rep;          /* levels of a present value */
	int col;               /* leaf: its column (-1 for groups) */
};

/* The leaf columns in schema order. */
struct pqw_leaf {
	struct pqw_node *node;
	char **path;   /* path_in_schema: names down from the root */
	int npath;
	char *dotted;  /* "a.list.element.b", for messages */
	int type;      /* enum pq_type */
};

struct pqw_schema {
	struct pqw_node root; /* an object */
	struct pqw_leaf *leaves;
	size_t nleaves;
};

void pqw_schema_init(struct pqw_schema *s);
/*
 * Merge a record's text (one JSON object) into the schema. Returns 0, or
 * -1 when the text is not a JSON object (nothing is printed).
 */
int pqw_schema_merge_text(struct pqw_schema *s, const char *text, size_t len);
/* The field `key` of an object node, or NULL; `hint` speeds up fields
 * met in the same order as last time (start it at 0 per object). */
struct pqw_node *pqw_node_find(struct pqw_node *n, const char *key, size_t *hint);
/*
 * Settle the kinds (empty objects and too-deep nesting become JSON, the
 * base64 fields BYTES), number the leaves and their levels.
 */
void pqw_schema_finish(struct pqw_schema *s, const char *const *base64_fields);
/* Append the SchemaElements (FileMetaData field 2) to a footer. */
void pqw_schema_write(const struct pqw_schema *s, struct tc_writer *tw);
/*
 * The Hugging Face `datasets` features of the schema, as the
 * "huggingface" key of the footer's key-value metadata carries them
 * ({"info": {"features": {...}}}): Value dtypes for leaves, [feature] for
 * lists, dicts for groups, {"_type": "Image"} for {bytes, path} groups
 * whose bytes are raw. Appended to `out`.
 */
void pqw_schema_hf_features(const struct pqw_schema *s, struct sbuf *out);
void pqw_schema_release(struct pqw_schema *s);

#endif
