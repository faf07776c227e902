/*
 * knowledge_tree.c — World Knowledge Trees: the nodes, the two file forms
 * (loading and serialising), queries, checks, statistics, and growth.
 *
 * Siblings are identified by a key: the name through text_norm (NFKC with
 * case folding, white space trimmed and collapsed), so that
 * "Pets", " pets" and "ＰＥＴＳ" are the same topic. The loader keeps
 * duplicates (kt_validate reports them); growth refuses them.
 *
 * Tree files are user input and every walk below recurses once per level,
 * so loading refuses a tree deeper than KT_MAX_DEPTH (a real one has 3 to
 * 5 levels); growth adds one level per round.
 */
#include "condor/knowledge_tree.h"

#include <math.h>
#include <string.h>

#include "core/hash.h"
#include "core/sbuf.h"
#include "text/text_norm.h"

/* ---- names ---------------------------------------------------------- */

/* Length of the whitespace or control character at s, 0 if none. */
static size_t space_len(const unsigned char *s)
{
	if (*s && (*s <= 0x20 || *s == 0x7f))
		return 1;
	if (s[0] == 0xc2 && s[1] == 0xa0)
		return 2; /* no-break space */
	if (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)
		return 3; /* ideographic space, common in Chinese text */
	return 0;
}

/* Trimmed copy with every run of spaces and controls made one space. New. */
static char *normalise_space(const char *name)
{
	const unsigned char *s = (const unsigned char *)name;
	struct sbuf sb = SBUF_INIT;
	int pending = 0;

	while (*s) {
		size_t n = space_len(s);
		if (n) {
			pending = sb.len > 0;
			s += n;
			continue;
		}
		if (pending)
			sbuf_addch(&sb, ' ');
		pending = 0;
		sbuf_addch(&sb, *s++);
	}
	if (!sb.alloc)
		return xstrdup("");
	return sbuf_detach(&sb, NULL);
}

/* The sibling identity of a name. New string, or NULL if not UTF-8. */
static char *name_key(const char *name)
{
	struct sbuf sb = SBUF_INIT;

	if (text_norm_append(&sb, name, strlen(name)) < 0) {
		sbuf_release(&sb);
		return NULL;
	}
	return sb.alloc ? sbuf_detach(&sb, NULL) : xstrdup("");
}

/* ---- nodes ---------------------------------------------------------- */

static void node_init(struct kt_node *n, struct kt_node *parent, char *name)
{
	memset(n, 0, sizeof(*n));
	n->name = name;
	n->key = name_key(name);
	if (!n->key) /* only C callers can pass bad UTF-8; JSON strings are valid */
		n->key = xstrdup(name);
	n->weight = 1.0;
	n->parent = parent;
}

/* A new last child of parent; takes ownership of name. */
static struct kt_node *node_append(struct kt_tree *t, struct kt_node *parent, char *name)
{
	struct kt_node *n = xmalloc(sizeof(*n));

	node_init(n, parent, name);
	ALLOC_GROW(parent->children, parent->nr_children + 1, parent->alloc_children);
	parent->children[parent->nr_children++] = n;
	t->leaves_stale = 1;
	return n;
}

static void node_release(struct kt_node *n)
{
	for (size_t i = 0; i < n->nr_children; i++) {
		node_release(n->children[i]);
		free(n->children[i]);
	}
	free(n->children);
	free(n->name);
	free(n->key);
	json_decref(n->names);
}

static struct kt_node *find_child(const struct kt_node *parent, const char *key)
{
	for (size_t i = 0; i < parent->nr_children; i++)
		if (!strcmp(parent->children[i]->key, key))
			return parent->children[i];
	return NULL;
}

int kt_node_is_leaf(const struct kt_node *n)
{
	return !n->nr_children && !n->declared_internal;
}

struct kt_tree *kt_tree_new(void)
{
	struct kt_tree *t = xcalloc(1, sizeof(*t));

	node_init(&t->root, NULL, xstrdup(""));
	t->leaves_stale = 1;
	return t;
}

void kt_tree_free(struct kt_tree *t)
{
	if (!t)
		return;
	node_release(&t->root);
	free(t->lang);
	free(t->leaves);
	free(t);
}

size_t kt_node_depth(const struct kt_node *n)
{
	size_t d = 0;

	for (; n->parent; n = n->parent)
		d++;
	return d;
}

const char *kt_node_name(const struct kt_node *n, const char *lang)
{
	const json_t *v = lang && n->names ? json_object_get(n->names, lang) : NULL;

	return json_is_string(v) ? json_string_value(v) : n->name;
}

/* The nodes from the domain down to n, in a new array of kt_node_depth(n). */
static const struct kt_node **node_lineage(const struct kt_node *n, size_t *depth)
{
	size_t d = kt_node_depth(n);
	const struct kt_node **v = xmalloc((d ? d : 1) * sizeof(*v));

	*depth = d;
	for (size_t i = d; i-- > 0; n = n->parent)
		v[i] = n;
	return v;
}

json_t *kt_node_path_json(const struct kt_node *n, const char *lang)
{
	size_t d;
	const struct kt_node **v = node_lineage(n, &d);
	json_t *a = json_array();

	for (size_t i = 0; i < d; i++)
		json_array_append_new(a, json_string(kt_node_name(v[i], lang)));
	free(v);
	return a;
}

/* Path text; with show_empty, an empty name is written "" so it can be seen. */
static char *path_text(const struct kt_node *n, const char *sep, const char *lang, int show_empty)
{
	size_t d;
	const struct kt_node **v = node_lineage(n, &d);
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < d; i++) {
		const char *name = kt_node_name(v[i], lang);
		if (i)
			sbuf_addstr(&sb, sep);
		sbuf_addstr(&sb, *name || !show_empty ? name : "\"\"");
	}
	free(v);
	if (!sb.alloc)
		return xstrdup("");
	return sbuf_detach(&sb, NULL);
}

char *kt_node_path_text(const struct kt_node *n, const char *sep, const char *lang)
{
	return path_text(n, sep, lang, 0);
}

struct kt_node *kt_tree_find(struct kt_tree *t, const char *const *names, size_t n)
{
	struct kt_node *node = &t->root;

	for (size_t i = 0; i < n && node; i++) {
		char *key = name_key(names[i]);
		node = key ? find_child(node, key) : NULL;
		free(key);
	}
	return node;
}

/* ---- loading -------------------------------------------------------- */

#define KT_MAX_DEPTH 64	/* levels a tree file may nest (see the top) */

static int load_fail(const struct kt_node *at, const char *what)
{
	char *p = path_text(at, " > ", NULL, 1);
	int ret = error("knowledge tree: %s%s%s", p, *p ? ": " : "", what);

	free(p);
	return ret;
}

static int load_too_deep(const struct kt_node *at)
{
	char what[64];

	snprintf(what, sizeof(what), "nested deeper than %d levels", KT_MAX_DEPTH);
	return load_fail(at, what);
}

/* The nodes of obj under parent, which is `depth` levels down. */
static int load_nested(struct kt_tree *t, struct kt_node *parent, const json_t *obj, size_t depth)
{
	const char *key;
	const json_t *value;

	if (depth >= KT_MAX_DEPTH)
		return load_too_deep(parent);
	json_object_foreach((json_t *)obj, key, value) {
		struct kt_node *n = node_append(t, parent, xstrdup(key));
		size_t i;
		const json_t *item;

		n->declared_internal = 1;
		if (json_is_object(value)) {
			if (load_nested(t, n, value, depth + 1) < 0)
				return -1;
			continue;
		}
		if (!json_is_array(value))
			return load_fail(n, "expected an object or an array of names");
		json_array_foreach(value, i, item) {
			if (!json_is_string(item))
				return load_fail(n, "a list of themes must hold only strings");
			node_append(t, n, xstrdup(json_string_value(item)));
		}
	}
	return 0;
}

static int load_general_node(struct kt_tree *t, struct kt_node *parent, const json_t *v, size_t depth);

/* The nodes of list under parent, which is `depth` levels down. */
static int load_general_list(struct kt_tree *t, struct kt_node *parent, const json_t *list, size_t depth)
{
	size_t i;
	const json_t *v;

	if (!json_is_array(list))
		return load_fail(parent, "children must be an array of nodes");
	if (depth >= KT_MAX_DEPTH && json_array_size(list))
		return load_too_deep(parent);
	json_array_foreach(list, i, v)
		if (load_general_node(t, parent, v, depth) < 0)
			return -1;
	return 0;
}

static int load_general_node(struct kt_tree *t, struct kt_node *parent, const json_t *v, size_t depth)
{
	const json_t *name, *weight, *names, *children;
	struct kt_node *n;

	if (json_is_string(v)) {
		node_append(t, parent, xstrdup(json_string_value(v)));
		return 0;
	}
	name = json_object_get(v, "name");
	if (!json_is_object(v) || !json_is_string(name))
		return load_fail(parent, "a node must be a string or an object with a string \"name\"");
	n = node_append(t, parent, xstrdup(json_string_value(name)));
	weight = json_object_get(v, "weight");
	if (weight) {
		if (!json_is_number(weight) || !isfinite(json_number_value(weight)) ||
		    json_number_value(weight) < 0)
			return load_fail(n, "\"weight\" must be a number >= 0");
		n->weight = json_number_value(weight);
		n->weight_given = 1;
	}
	names = json_object_get(v, "names");
	if (names) {
		const char *lang;
		const json_t *s;

		if (!json_is_object(names))
			return load_fail(n, "\"names\" must be an object {lang: name}");
		json_object_foreach((json_t *)names, lang, s)
			if (!json_is_string(s))
				return load_fail(n, "\"names\" values must be strings");
		n->names = json_deep_copy(names);
	}
	children = json_object_get(v, "children");
	if (!children)
		return 0;
	n->declared_internal = 1;
	return load_general_list(t, n, children, depth + 1);
}

struct kt_tree *kt_tree_from_json(const json_t *doc)
{
	struct kt_tree *t = kt_tree_new();
	const json_t *format = json_object_get(doc, "format");
	int ret;

	if (json_is_array(doc)) {
		ret = load_general_list(t, &t->root, doc, 0);
	} else if (json_is_string(format)) {
		const json_t *lang = json_object_get(doc, "lang");

		if (strcmp(json_string_value(format), "general"))
			ret = error("knowledge tree: unknown format '%s'", json_string_value(format));
		else if (lang && !json_is_string(lang))
			ret = error("knowledge tree: \"lang\" must be a string");
		else if (!json_object_get(doc, "root"))
			ret = error("knowledge tree: general form needs a \"root\" array");
		else
			ret = load_general_list(t, &t->root, json_object_get(doc, "root"), 0);
		if (!ret && lang)
			t->lang = xstrdup(json_string_value(lang));
	} else if (json_is_object(doc)) {
		ret = load_nested(t, &t->root, doc, 0);
	} else {
		ret = error("knowledge tree: expected an object or an array");
	}
	if (ret < 0) {
		kt_tree_free(t);
		return NULL;
	}
	return t;
}

json_t *kt_json_load(const char *path, const char *what)
{
	json_error_t err;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &err);

	if (!doc)
		error("cannot read %s '%s': %s (line %d)", what, path, err.text, err.line);
	return doc;
}

struct kt_tree *kt_tree_load(const char *path)
{
	json_t *doc = kt_json_load(path, "knowledge tree");
	struct kt_tree *t;

	if (!doc)
		return NULL;
	t = kt_tree_from_json(doc);
	json_decref(doc);
	if (!t)
		error("in knowledge tree '%s'", path);
	return t;
}

/* ---- merge and growth ----------------------------------------------- */

static size_t copy_subtree(struct kt_tree *t, struct kt_node *parent, const struct kt_node *src)
{
	struct kt_node *n = node_append(t, parent, xstrdup(src->name));
	size_t added = 1;

	n->weight = src->weight;
	n->weight_given = src->weight_given;
	n->declared_internal = src->declared_internal;
	n->names = src->names ? json_deep_copy(src->names) : NULL;
	for (size_t i = 0; i < src->nr_children; i++)
		added += copy_subtree(t, n, src->children[i]);
	return added;
}

static size_t merge_children(struct kt_tree *t, struct kt_node *dst, const struct kt_node *src)
{
	size_t added = 0;

	for (size_t i = 0; i < src->nr_children; i++) {
		const struct kt_node *c = src->children[i];
		struct kt_node *d = find_child(dst, c->key);

		if (d)
			added += merge_children(t, d, c);
		else
			added += copy_subtree(t, dst, c);
	}
	return added;
}

size_t kt_tree_merge(struct kt_tree *dst, const struct kt_tree *src)
{
	return merge_children(dst, &dst->root, &src->root);
}

struct kt_node *kt_node_add_child(struct kt_tree *t, struct kt_node *parent, const char *name)
{
	char *norm = normalise_space(name);
	char *key;
	int taken;

	if (!*norm || strlen(norm) > KT_NAME_MAX) {
		free(norm);
		return NULL;
	}
	key = name_key(norm);
	taken = !key || find_child(parent, key) != NULL;
	free(key);
	if (taken) {
		free(norm);
		return NULL;
	}
	return node_append(t, parent, norm);
}

int kt_node_merge(struct kt_tree *t, struct kt_node *parent, const json_t *names, size_t max_children)
{
	size_t i;
	const json_t *v;
	int added = 0;

	if (!json_is_array(names))
		return error("knowledge tree: proposed names must be a JSON array");
	json_array_foreach(names, i, v) {
		if (max_children && parent->nr_children >= max_children)
			break;
		if (json_is_string(v) && kt_node_add_child(t, parent, json_string_value(v)))
			added++;
	}
	return added;
}

void kt_record_id(const char *const *pieces, size_t n, char hex[HASH128_HEX_LEN + 1])
{
	struct hash128_state *st = hash128_state_new();

	for (size_t i = 0; i < n; i++)
		hash128_state_update(st, pieces[i], strlen(pieces[i]) + 1);
	hash128_hex(hash128_state_digest(st), hex);
	hash128_state_free(st);
}

json_t *kt_grow_record(const struct kt_node *n, const char *lang)
{
	json_t *rec = json_object(), *existing = json_array();
	json_t *path = kt_node_path_json(n, lang);
	char *text = kt_node_path_text(n, " - ", lang);
	/* hashed as JSON: the text is ambiguous when a name holds " - " */
	char *dump = json_dumps(path, JSON_COMPACT);
	const char *pieces[3] = { "grow", lang ? lang : "", dump };
	char hex[HASH128_HEX_LEN + 1];

	kt_record_id(pieces, 3, hex);
	free(dump);
	json_object_set_new(rec, "id", json_string(hex));
	if (lang)
		json_object_set_new(rec, "lang", json_string(lang));
	json_object_set_new(rec, "path", path);
	json_object_set_new(rec, "path_text", json_string(text));
	json_object_set_new(rec, "depth", json_integer((json_int_t)kt_node_depth(n)));
	for (size_t i = 0; i < n->nr_children; i++)
		json_array_append_new(existing, json_string(kt_node_name(n->children[i], lang)));
	json_object_set_new(rec, "existing", existing);
	free(text);
	return rec;
}

/* ---- walking, leaves, statistics, validation ------------------------ */

static int walk(struct kt_node *n, size_t depth, int (*fn)(struct kt_node *, size_t, void *), void *data)
{
	for (size_t i = 0; i < n->nr_children; i++) {
		int ret = fn(n->children[i], depth + 1, data);
		if (!ret)
			ret = walk(n->children[i], depth + 1, fn, data);
		if (ret)
			return ret;
	}
	return 0;
}

int kt_walk(struct kt_tree *t, int (*fn)(struct kt_node *n, size_t depth, void *data), void *data)
{
	return walk(&t->root, 0, fn, data);
}

static int collect_leaf(struct kt_node *n, size_t depth, void *data)
{
	struct kt_tree *t = data;

	if (kt_node_is_leaf(n)) {
		ALLOC_GROW(t->leaves, t->nr_leaves + 1, t->alloc_leaves);
		t->leaves[t->nr_leaves++] = n;
	}
	return 0;
}

const struct kt_node *const *kt_leaves(struct kt_tree *t, size_t *nr)
{
	if (t->leaves_stale) {
		t->nr_leaves = 0;
		kt_walk(t, collect_leaf, t);
		t->leaves_stale = 0;
	}
	*nr = t->nr_leaves;
	return t->leaves;
}

struct stats_acc {
	size_t *levels, nr_levels, alloc_levels;
	size_t nodes, leaves, empty;
};

static void count_subtree(const struct kt_node *n, size_t depth, struct stats_acc *acc)
{
	acc->nodes++;
	if (depth > acc->nr_levels) {
		ALLOC_GROW(acc->levels, depth, acc->alloc_levels);
		while (acc->nr_levels < depth)
			acc->levels[acc->nr_levels++] = 0;
	}
	acc->levels[depth - 1]++;
	if (kt_node_is_leaf(n))
		acc->leaves++;
	else if (!n->nr_children)
		acc->empty++;
	for (size_t i = 0; i < n->nr_children; i++)
		count_subtree(n->children[i], depth + 1, acc);
}

json_t *kt_stats(const struct kt_tree *t)
{
	struct stats_acc all = { 0 };
	json_t *domains = json_array(), *levels = json_array(), *out;

	for (size_t i = 0; i < t->root.nr_children; i++) {
		const struct kt_node *d = t->root.children[i];
		size_t before = all.leaves;

		count_subtree(d, 1, &all);
		json_array_append_new(domains, json_pack("{s:s, s:I, s:I}", "name", d->name,
							 "children", (json_int_t)d->nr_children,
							 "leaves", (json_int_t)(all.leaves - before)));
	}
	for (size_t i = 0; i < all.nr_levels; i++)
		json_array_append_new(levels, json_integer((json_int_t)all.levels[i]));
	out = json_pack("{s:I, s:I, s:I, s:I, s:o, s:o}", "depth", (json_int_t)all.nr_levels,
			"nodes", (json_int_t)all.nodes, "leaves", (json_int_t)all.leaves,
			"empty", (json_int_t)all.empty, "levels", levels, "domains", domains);
	free(all.levels);
	return out;
}

static void add_message(struct kt_messages *m, const struct kt_node *n, const char *fmt, const char *arg)
{
	char *p = n->parent ? path_text(n, " > ", NULL, 1) : xstrdup("(root)");

	ALLOC_GROW(m->v, m->nr + 1, m->alloc);
	m->v[m->nr++] = xasprintf("%s: %s%s%s", p, fmt, arg ? " " : "", arg ? arg : "");
	free(p);
}

void kt_messages_release(struct kt_messages *m)
{
	for (size_t i = 0; i < m->nr; i++)
		free(m->v[i]);
	free(m->v);
	m->v = NULL;
	m->nr = m->alloc = 0;
}

static size_t validate_children(const struct kt_node *n, struct kt_messages *out)
{
	size_t found = 0, weighted = 0;

	for (size_t i = 0; i < n->nr_children; i++) {
		const struct kt_node *c = n->children[i];
		char *norm = normalise_space(c->name);

		if (!*norm) {
			add_message(out, c, "empty name", NULL);
			found++;
		} else if (strcmp(norm, c->name)) {
			add_message(out, c, "name has leading, trailing, repeated or control whitespace", NULL);
			found++;
		}
		free(norm);
		for (size_t j = 0; *c->key && j < i; j++) {
			if (!strcmp(n->children[j]->key, c->key)) {
				char *quoted = xasprintf("'%s'", n->children[j]->name);
				add_message(out, c, "duplicate of sibling", quoted);
				free(quoted);
				found++;
				break;
			}
		}
		if (c->declared_internal && !c->nr_children) {
			add_message(out, c, "empty node (written with children, has none)", NULL);
			found++;
		}
		weighted += c->weight > 0;
		found += validate_children(c, out);
	}
	if (n->nr_children && !weighted) {
		add_message(out, n, "every child has weight 0, nothing below can be sampled", NULL);
		found++;
	}
	return found;
}

size_t kt_validate(const struct kt_tree *t, struct kt_messages *out)
{
	if (!t->root.nr_children) {
		add_message(out, &t->root, "tree has no domains", NULL);
		return 1;
	}
	return validate_children(&t->root, out);
}

/* ---- serialisation -------------------------------------------------- */

/* Nested form keeps names only: every leaf at depth 3, nothing else to say,
 * and no two internal siblings with the same spelling (object keys). */
static int fits_nested(const struct kt_node *n, size_t depth)
{
	if (n->parent && (n->weight_given || n->names))
		return 0;
	if (!n->nr_children)
		return depth == 3;
	for (size_t i = 0; i < n->nr_children; i++) {
		if (!fits_nested(n->children[i], depth + 1))
			return 0;
		for (size_t j = 0; depth < 2 && j < i; j++)
			if (!strcmp(n->children[i]->name, n->children[j]->name))
				return 0;
	}
	return 1;
}

static json_t *nested_json(const struct kt_node *n, size_t depth)
{
	json_t *v = depth == 2 ? json_array() : json_object();

	for (size_t i = 0; i < n->nr_children; i++) {
		const struct kt_node *c = n->children[i];
		if (depth == 2)
			json_array_append_new(v, json_string(c->name));
		else
			json_object_set_new(v, c->name, nested_json(c, depth + 1));
	}
	return v;
}

static json_t *general_json(const struct kt_node *n)
{
	json_t *o, *children;

	if (!n->nr_children && !n->declared_internal && !n->weight_given && !n->names)
		return json_string(n->name);
	o = json_pack("{s:s}", "name", n->name);
	if (n->weight_given)
		json_object_set_new(o, "weight", json_real(n->weight));
	if (n->names)
		json_object_set_new(o, "names", json_deep_copy(n->names));
	if (!n->nr_children && !n->declared_internal)
		return o;
	children = json_array();
	for (size_t i = 0; i < n->nr_children; i++)
		json_array_append_new(children, general_json(n->children[i]));
	json_object_set_new(o, "children", children);
	return o;
}

json_t *kt_tree_to_json(const struct kt_tree *t)
{
	json_t *root, *out;

	if (t->root.nr_children && fits_nested(&t->root, 0))
		return nested_json(&t->root, 0);
	root = json_array();
	for (size_t i = 0; i < t->root.nr_children; i++)
		json_array_append_new(root, general_json(t->root.children[i]));
	out = json_pack("{s:s}", "format", "general");
	if (t->lang)
		json_object_set_new(out, "lang", json_string(t->lang));
	json_object_set_new(out, "root", root);
	return out;
}
