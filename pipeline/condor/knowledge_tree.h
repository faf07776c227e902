/*
 * knowledge_tree.h — World Knowledge Trees (Condor): load, check, measure,
 * grow and serialise topic trees. The task types that go with them are in
 * kt_tasks.h, and sampling (tag path, task type) pairs from both in
 * kt_sampler.h; this header includes both, so a caller needs only it.
 *
 * A tree file is either Condor's nested form {domain: {sub: [theme, ...]}}
 * or the general form {"format":"general","root":[node, ...]} whose nodes
 * are names or {name, weight?, names?, children?} at any depth
 * (knowledge_tree/README.md). Both load into one shape: an unnamed root
 * whose descendants are struct kt_node.
 *
 * Ownership: the tree owns every node and string in it; pointers returned
 * into it are borrowed and stay valid until the tree is freed (a node
 * stays valid across kt_node_add_child/kt_node_merge; the leaf array of
 * kt_leaves does not). Functions returning json_t * return a new
 * reference unless they say "borrowed".
 */
#ifndef SMELT_KNOWLEDGE_TREE_H
#define SMELT_KNOWLEDGE_TREE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "condor/kt_sampler.h"
#include "condor/kt_tasks.h"
#include "core/hash.h"
#include "core/util.h"

/* Names longer than this (bytes) are refused by kt_node_merge. */
#define KT_NAME_MAX 200

struct kt_node {
	char *name;             /* as written in the file (may be "" or odd: see kt_validate) */
	char *key;              /* trimmed, case-folded name: sibling identity */
	json_t *names;          /* {lang: name} or NULL (owned reference) */
	double weight;          /* >= 0; 1 unless the file says otherwise */
	unsigned weight_given : 1;
	unsigned declared_internal : 1; /* written with children: childless means "empty" */
	struct kt_node *parent; /* NULL for the root */
	struct kt_node **children;
	size_t nr_children, alloc_children;
};

struct kt_tree {
	struct kt_node root;    /* name "", never part of a path */
	char *lang;             /* general form's "lang", or NULL */
	/* leaf index built by kt_leaves; rebuilt after the tree changes */
	const struct kt_node **leaves;
	size_t nr_leaves, alloc_leaves;
	int leaves_stale;
};

/* Load from a parsed document (borrowed). New tree, or NULL after error(). */
struct kt_tree *kt_tree_from_json(const json_t *doc) MUST_CHECK;
/* Load a file; duplicate object keys are an error. New tree or NULL. */
struct kt_tree *kt_tree_load(const char *path) MUST_CHECK;
/* An empty tree (no domains) to grow from. New. */
struct kt_tree *kt_tree_new(void);
void kt_tree_free(struct kt_tree *t);

/*
 * Merge src into dst by name, level by level, case-insensitively (how
 * trending tags join their domain). Nodes missing from dst are copied with
 * their subtrees; nodes present keep dst's weight and names. Returns the
 * number of nodes added.
 */
size_t kt_tree_merge(struct kt_tree *dst, const struct kt_tree *src);

/* Serialise: nested form when every leaf is at depth 3 and no node has a
 * weight or translated names, general form otherwise. New reference. */
json_t *kt_tree_to_json(const struct kt_tree *t);

/* Problems found by kt_validate, each "Domain > Sub > Theme: what". */
struct kt_messages {
	char **v;
	size_t nr, alloc;
};
#define KT_MESSAGES_INIT { NULL, 0, 0 }
void kt_messages_release(struct kt_messages *m);

/* Append every problem to *out; returns how many were found (0 = clean). */
size_t kt_validate(const struct kt_tree *t, struct kt_messages *out);

/*
 * {"depth": D, "nodes": N, "leaves": L, "levels": [count at depth 1..D],
 *  "domains": [{"name", "children", "leaves"}, ...]}. New reference.
 */
json_t *kt_stats(const struct kt_tree *t);

/* Pre-order walk of every node below the root (depth 1 = domain).
 * A non-zero return from fn stops the walk and is returned. */
int kt_walk(struct kt_tree *t, int (*fn)(struct kt_node *n, size_t depth, void *data), void *data);

/* All leaves, left to right, in *nr (borrowed array, valid until the tree
 * changes). A node written with children that has none is not a leaf. */
const struct kt_node *const *kt_leaves(struct kt_tree *t, size_t *nr);

/* Is n a leaf: no children, and not written with children (an "empty" node)? */
int kt_node_is_leaf(const struct kt_node *n);

/* Depth of n (a domain is 1, the root 0). */
size_t kt_node_depth(const struct kt_node *n);
/* The name of n in lang: names[lang] if present, else name (borrowed). */
const char *kt_node_name(const struct kt_node *n, const char *lang);
/* Path from the domain down to n as a JSON array of names in lang (may be NULL). New. */
json_t *kt_node_path_json(const struct kt_node *n, const char *lang);
/* The same path joined by sep ("Domain > Sub > Theme" with " > "). New string. */
char *kt_node_path_text(const struct kt_node *n, const char *sep, const char *lang);
/* Find a node by names from the domain down, case-insensitively; NULL if absent.
 * n == 0 finds the root. Borrowed. */
struct kt_node *kt_tree_find(struct kt_tree *t, const char *const *names, size_t n);

/*
 * Growing. kt_node_add_child adds one child after trimming and collapsing
 * whitespace; it returns NULL (nothing printed) when the name is empty,
 * longer than KT_NAME_MAX, or equal to a sibling's case-insensitively.
 * kt_node_merge adds each string of the JSON array `names` (borrowed) that
 * way, stopping once the node has max_children children (0 = no bound);
 * it returns the number added, or -1 after error() if names is not an array.
 */
struct kt_node *kt_node_add_child(struct kt_tree *t, struct kt_node *parent, const char *name);
int kt_node_merge(struct kt_tree *t, struct kt_node *parent, const json_t *names, size_t max_children);

/*
 * The record a grow prompt renders for node n: {id, lang, path: [...],
 * path_text: "A - B", depth, existing: [names of n's children]}; the root
 * gives an empty path (ask for domains). New reference.
 */
json_t *kt_grow_record(const struct kt_node *n, const char *lang);

/*
 * For the tree's own modules (kt_tasks.c, kt_sampler.c). kt_json_load
 * reads a data file with duplicate keys refused; on failure it prints
 * "cannot read WHAT 'PATH': ..." and returns NULL. New reference.
 * kt_record_id writes the id of a generated record: the XXH3-128 of the
 * NUL-terminated pieces in order, as hex.
 */
json_t *kt_json_load(const char *path, const char *what) MUST_CHECK;
void kt_record_id(const char *const *pieces, size_t n, char hex[HASH128_HEX_LEN + 1]);

#endif
