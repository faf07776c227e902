/*
 * knowledge_tree.c — World Knowledge Trees: the two file forms, checks,
 * statistics, growth, and seeded sampling of (tag path, task) pairs.
 *
 * Siblings are identified by a key: the name through text_norm (NFKC with
 * case folding, white space trimmed and collapsed), so that
 * "Pets", " pets" and "ＰＥＴＳ" are the same topic. The loader keeps
 * duplicates (kt_validate reports them); growth refuses them.
 *
 * The sampler copies the tree into a breadth-first array (children of a
 * node are contiguous) with the number of reachable leaves below each
 * node. Without replacement it also keeps, per node and task, how many of
 * those leaves are still unused, so a draw descends only into subtrees
 * that can still give a fresh pair and never needs to retry.
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "core/hash.h"
#include "condor/knowledge_tree.h"
#include "core/reservoir.h"
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

static int is_leaf(const struct kt_node *n)
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

static int load_fail(const struct kt_node *at, const char *what)
{
	char *p = path_text(at, " > ", NULL, 1);
	int ret = error("knowledge tree: %s%s%s", p, *p ? ": " : "", what);

	free(p);
	return ret;
}

static int load_nested(struct kt_tree *t, struct kt_node *parent, const json_t *obj)
{
	const char *key;
	const json_t *value;

	json_object_foreach((json_t *)obj, key, value) {
		struct kt_node *n = node_append(t, parent, xstrdup(key));
		size_t i;
		const json_t *item;

		n->declared_internal = 1;
		if (json_is_object(value)) {
			if (load_nested(t, n, value) < 0)
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

static int load_general_node(struct kt_tree *t, struct kt_node *parent, const json_t *v);

static int load_general_list(struct kt_tree *t, struct kt_node *parent, const json_t *list)
{
	size_t i;
	const json_t *v;

	if (!json_is_array(list))
		return load_fail(parent, "children must be an array of nodes");
	json_array_foreach(list, i, v)
		if (load_general_node(t, parent, v) < 0)
			return -1;
	return 0;
}

static int load_general_node(struct kt_tree *t, struct kt_node *parent, const json_t *v)
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
	return load_general_list(t, n, children);
}

struct kt_tree *kt_tree_from_json(const json_t *doc)
{
	struct kt_tree *t = kt_tree_new();
	const json_t *format = json_object_get(doc, "format");
	int ret;

	if (json_is_array(doc)) {
		ret = load_general_list(t, &t->root, doc);
	} else if (json_is_string(format)) {
		const json_t *lang = json_object_get(doc, "lang");

		if (strcmp(json_string_value(format), "general"))
			ret = error("knowledge tree: unknown format '%s'", json_string_value(format));
		else if (lang && !json_is_string(lang))
			ret = error("knowledge tree: \"lang\" must be a string");
		else if (!json_object_get(doc, "root"))
			ret = error("knowledge tree: general form needs a \"root\" array");
		else
			ret = load_general_list(t, &t->root, json_object_get(doc, "root"));
		if (!ret && lang)
			t->lang = xstrdup(json_string_value(lang));
	} else if (json_is_object(doc)) {
		ret = load_nested(t, &t->root, doc);
	} else {
		ret = error("knowledge tree: expected an object or an array");
	}
	if (ret < 0) {
		kt_tree_free(t);
		return NULL;
	}
	return t;
}

static json_t *load_json_file(const char *path, const char *what)
{
	json_error_t err;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &err);

	if (!doc)
		error("cannot read %s '%s': %s (line %d)", what, path, err.text, err.line);
	return doc;
}

struct kt_tree *kt_tree_load(const char *path)
{
	json_t *doc = load_json_file(path, "knowledge tree");
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

/* Deterministic 128-bit id over NUL-separated pieces. */
static void pieces_id(const char *const *pieces, size_t n, char hex[HASH128_HEX_LEN + 1])
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

	pieces_id(pieces, 3, hex);
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

	if (is_leaf(n)) {
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
	if (is_leaf(n))
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

/* ---- task types ----------------------------------------------------- */

static void task_release(struct kt_task *k)
{
	free(k->id);
	free(k->name);
	free(k->description);
	for (size_t i = 0; i < k->nr_examples; i++)
		free(k->examples[i]);
	free(k->examples);
}

void kt_tasks_free(struct kt_tasks *ts)
{
	if (!ts)
		return;
	for (size_t i = 0; i < ts->nr; i++)
		task_release(&ts->v[i]);
	free(ts->v);
	free(ts->lang);
	free(ts);
}

static int task_from_json(struct kt_task *k, const json_t *v, size_t index)
{
	const json_t *id = json_object_get(v, "id"), *name = json_object_get(v, "name");
	const json_t *desc = json_object_get(v, "description"), *ex = json_object_get(v, "examples");
	const json_t *weight = json_object_get(v, "weight"), *e;
	size_t i;

	if (!json_is_string(id) || !json_is_string(name) || !json_is_string(desc) || !json_is_array(ex))
		return error("task types: task %zu needs string \"id\", \"name\", \"description\" "
			     "and an \"examples\" array", index);
	if (weight && (!json_is_number(weight) || !isfinite(json_number_value(weight)) ||
		       json_number_value(weight) < 0))
		return error("task types: task '%s': \"weight\" must be a number >= 0", json_string_value(id));
	k->id = xstrdup(json_string_value(id));
	k->name = xstrdup(json_string_value(name));
	k->description = xstrdup(json_string_value(desc));
	k->weight = weight ? json_number_value(weight) : 1.0;
	k->examples = xcalloc(json_array_size(ex) + 1, sizeof(*k->examples));
	json_array_foreach(ex, i, e) {
		if (!json_is_string(e))
			return error("task types: task '%s': examples must be strings", k->id);
		k->examples[k->nr_examples++] = xstrdup(json_string_value(e));
	}
	return 0;
}

struct kt_tasks *kt_tasks_from_json(const json_t *doc)
{
	const json_t *lang = json_object_get(doc, "lang"), *list = json_object_get(doc, "tasks"), *v;
	struct kt_tasks *ts;
	size_t i;

	if (!json_is_array(list) || !json_array_size(list) || (lang && !json_is_string(lang))) {
		error("task types: expected {\"lang\": string, \"tasks\": [task, ...]}");
		return NULL;
	}
	ts = xcalloc(1, sizeof(*ts));
	ts->lang = lang ? xstrdup(json_string_value(lang)) : NULL;
	ts->v = xcalloc(json_array_size(list), sizeof(*ts->v));
	json_array_foreach(list, i, v) {
		int bad = task_from_json(&ts->v[ts->nr], v, i);

		ts->nr++; /* a half-filled task is released with the rest */
		for (size_t j = 0; !bad && j + 1 < ts->nr; j++)
			if (!strcmp(ts->v[j].id, ts->v[ts->nr - 1].id))
				bad = error("task types: duplicate id '%s'", ts->v[j].id);
		if (bad) {
			kt_tasks_free(ts);
			return NULL;
		}
	}
	return ts;
}

struct kt_tasks *kt_tasks_load(const char *path)
{
	json_t *doc = load_json_file(path, "task types");
	struct kt_tasks *ts;

	if (!doc)
		return NULL;
	ts = kt_tasks_from_json(doc);
	json_decref(doc);
	if (!ts)
		error("in task types '%s'", path);
	return ts;
}

int kt_tasks_select(struct kt_tasks *ts, const char *const *wanted, size_t n)
{
	char *keep = xcalloc(ts->nr ? ts->nr : 1, 1);
	size_t out = 0;

	for (size_t w = 0; w < n; w++) {
		size_t i;
		for (i = 0; i < ts->nr; i++)
			if (!strcasecmp(ts->v[i].id, wanted[w]) || !strcasecmp(ts->v[i].name, wanted[w]))
				break;
		if (i == ts->nr) {
			free(keep);
			return error("unknown task type '%s'", wanted[w]);
		}
		keep[i] = 1;
	}
	for (size_t i = 0; i < ts->nr; i++) {
		if (keep[i])
			ts->v[out++] = ts->v[i];
		else
			task_release(&ts->v[i]);
	}
	ts->nr = out;
	free(keep);
	return 0;
}

/* ---- the generator -------------------------------------------------- */

/* Uniform in [0, 1). */
static double rng_double(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Index drawn in proportion to w[0..n); at least one w must be > 0. */
static size_t pick_weighted(struct rng *r, const double *w, size_t n)
{
	double total = 0, x;
	size_t last = 0;

	for (size_t i = 0; i < n; i++)
		total += w[i];
	x = rng_double(r) * total;
	for (size_t i = 0; i < n; i++) {
		if (w[i] <= 0)
			continue;
		if (x < w[i])
			return i;
		x -= w[i];
		last = i; /* rounding can leave x just past the end */
	}
	return last;
}

static void shuffle_sizes(struct rng *r, size_t *v, size_t n)
{
	rng_choose(r, v, n, n);
}

/*
 * Largest-remainder quotas: split n among k strata in proportion to w,
 * none above cap (SIZE_MAX = unbounded). Strata whose exact share reaches
 * their cap are fixed at it and the rest re-divided. Equal remainders are
 * ordered randomly so the extra units do not always go to the first
 * strata. -1 if the caps cannot hold n.
 */
struct remainder {
	size_t i;
	double frac;
	uint64_t tie;
};

static int remainder_cmp(const void *a, const void *b)
{
	const struct remainder *x = a, *y = b;

	if (x->frac != y->frac)
		return x->frac > y->frac ? -1 : 1;
	return x->tie < y->tie ? -1 : x->tie > y->tie;
}

static int alloc_quotas(struct rng *r, size_t n, const double *w, const size_t *cap, size_t k, size_t *q)
{
	char *fixed = xcalloc(k ? k : 1, 1);
	struct remainder *rem = xmalloc((k ? k : 1) * sizeof(*rem));
	size_t left = n, nr_rem = 0, used = 0;
	double total;
	int changed, ret = 0;

	for (size_t i = 0; i < k; i++) {
		q[i] = 0;
		fixed[i] = !(w[i] > 0) || !cap[i];
	}
	do {
		changed = 0;
		total = 0;
		for (size_t i = 0; i < k; i++)
			if (!fixed[i])
				total += w[i];
		for (size_t i = 0; total > 0 && i < k; i++) {
			if (!fixed[i] && (double)left * (w[i] / total) >= (double)cap[i]) {
				q[i] = cap[i];
				left -= cap[i];
				fixed[i] = changed = 1;
			}
		}
	} while (changed);
	for (size_t i = 0; total > 0 && i < k; i++) {
		double share;
		if (fixed[i])
			continue;
		share = (double)left * (w[i] / total);
		q[i] = (size_t)floor(share);
		used += q[i];
		rem[nr_rem++] = (struct remainder){ i, share - floor(share), rng_next(r) };
	}
	qsort(rem, nr_rem, sizeof(*rem), remainder_cmp);
	for (size_t j = 0; used < left && j < nr_rem; j++) {
		if (q[rem[j].i] < cap[rem[j].i]) {
			q[rem[j].i]++;
			used++;
		}
	}
	/* floating point may overshoot by a unit; take it back from the least deserving */
	for (size_t j = nr_rem; used > left && j-- > 0;) {
		if (q[rem[j].i]) {
			q[rem[j].i]--;
			used--;
		}
	}
	if (used != left)
		ret = -1;
	free(fixed);
	free(rem);
	return ret;
}

/* ---- the sampler ---------------------------------------------------- */

struct snode {
	const struct kt_node *node;
	size_t parent;     /* SIZE_MAX for the root */
	size_t first, nr;  /* children are nodes[first .. first + nr) */
	double weight;
	size_t reach;      /* reachable leaves at or below */
};

struct kt_sampler {
	struct kt_sample_opts opts;
	char *lang;
	const struct kt_tasks *tasks;
	struct rng rng;
	struct snode *nodes;
	size_t nr_nodes;
	double *task_w;
	size_t nr_usable_tasks;
	uint32_t *cap;     /* [node * tasks + task]: unused reachable leaves; without replacement */
	double *scratch;   /* per-pick weights */
	size_t *slot_dom, *slot_task; /* stratified: node index of the domain, task index */
	size_t population, next;
};

static size_t avail(const struct kt_sampler *s, size_t i, size_t t)
{
	return s->cap ? s->cap[i * s->tasks->nr + t] : s->nodes[i].reach;
}

/* Weight of drawing child c under the chosen mode, 0 if it has nothing left. */
static double child_weight(const struct kt_sampler *s, size_t c, size_t t)
{
	size_t a = avail(s, c, t);

	if (!a)
		return 0;
	return s->opts.mode == KT_SAMPLE_LEAF ? (double)a : s->nodes[c].weight;
}

static size_t descend(struct kt_sampler *s, size_t i, size_t t)
{
	while (s->nodes[i].nr) {
		const struct snode *n = &s->nodes[i];
		for (size_t k = 0; k < n->nr; k++)
			s->scratch[k] = child_weight(s, n->first + k, t);
		i = n->first + pick_weighted(&s->rng, s->scratch, n->nr);
	}
	if (s->cap)
		for (size_t j = i; j != SIZE_MAX; j = s->nodes[j].parent)
			s->cap[j * s->tasks->nr + t]--;
	return i;
}

static size_t pick_task(struct kt_sampler *s)
{
	for (size_t t = 0; t < s->tasks->nr; t++)
		s->scratch[t] = avail(s, 0, t) ? s->task_w[t] : 0;
	return pick_weighted(&s->rng, s->scratch, s->tasks->nr);
}

/* Copy the tree breadth-first and count reachable leaves bottom-up. */
static size_t build_nodes(struct kt_sampler *s, const struct kt_tree *t)
{
	size_t alloc = 0, breadth = 0;

	ALLOC_GROW(s->nodes, 1, alloc);
	s->nodes[0] = (struct snode){ &t->root, SIZE_MAX, 0, 0, 1.0, 0 };
	s->nr_nodes = 1;
	for (size_t i = 0; i < s->nr_nodes; i++) {
		const struct kt_node *n = s->nodes[i].node;

		s->nodes[i].first = s->nr_nodes;
		s->nodes[i].nr = n->nr_children;
		if (n->nr_children > breadth)
			breadth = n->nr_children;
		ALLOC_GROW(s->nodes, s->nr_nodes + n->nr_children, alloc);
		for (size_t k = 0; k < n->nr_children; k++) {
			const struct kt_node *c = n->children[k];
			double w = s->opts.ignore_weights ? 1.0 : c->weight;
			s->nodes[s->nr_nodes++] = (struct snode){ c, i, 0, 0, w, 0 };
		}
	}
	for (size_t i = s->nr_nodes; i-- > 0;) {
		struct snode *n = &s->nodes[i];
		if (!(n->weight > 0))
			continue;
		if (is_leaf(n->node))
			n->reach = 1;
		for (size_t k = 0; k < n->nr; k++)
			n->reach += s->nodes[n->first + k].reach;
	}
	return breadth;
}

/*
 * Fill the domain x task table from the quotas: each domain, largest quota
 * first, takes its units one at a time from the task with the most units
 * still unplaced (ties in a random order), within the per-cell bound
 * (the domain's leaves, without replacement). The slots are then shuffled.
 */
static int stratify(struct kt_sampler *s, const size_t *qd, const size_t *qt, size_t nd)
{
	const size_t nt = s->tasks->nr, n = s->opts.n;
	size_t *rest = xmalloc(nt * sizeof(*rest)), *order = xmalloc((nd + nt) * sizeof(*order));
	size_t *cell = xmalloc(nt * sizeof(*cell)), *torder = order + nd, nr_slots = 0;
	int ret = 0;

	memcpy(rest, qt, nt * sizeof(*rest));
	for (size_t d = 0; d < nd; d++)
		order[d] = d;
	shuffle_sizes(&s->rng, order, nd);
	for (size_t a = 1; a < nd; a++) /* stable insertion sort: largest quota first */
		for (size_t b = a; b > 0 && qd[order[b]] > qd[order[b - 1]]; b--) {
			size_t tmp = order[b];
			order[b] = order[b - 1];
			order[b - 1] = tmp;
		}
	s->slot_dom = xmalloc((n ? n : 1) * sizeof(*s->slot_dom));
	s->slot_task = xmalloc((n ? n : 1) * sizeof(*s->slot_task));
	for (size_t a = 0; a < nd && !ret; a++) {
		size_t d = order[a], dom = s->nodes[0].first + d;
		size_t bound = s->cap ? s->nodes[dom].reach : SIZE_MAX;

		for (size_t t = 0; t < nt; t++)
			torder[t] = t, cell[t] = 0;
		shuffle_sizes(&s->rng, torder, nt);
		for (size_t u = 0; u < qd[d]; u++) {
			size_t best = SIZE_MAX;
			for (size_t k = 0; k < nt; k++) {
				size_t t = torder[k];
				if (rest[t] && cell[t] < bound && (best == SIZE_MAX || rest[t] > rest[best]))
					best = t;
			}
			if (best == SIZE_MAX) {
				ret = error("cannot spread %zu samples over the domains and task types "
					    "without replacement; ask for fewer", n);
				break;
			}
			cell[best]++;
			rest[best]--;
			s->slot_dom[nr_slots] = dom;
			s->slot_task[nr_slots++] = best;
		}
	}
	/* shuffle the pairs together */
	for (size_t i = nr_slots; !ret && i > 1; i--) {
		size_t j = rng_below(&s->rng, i), td = s->slot_dom[i - 1], tt = s->slot_task[i - 1];
		s->slot_dom[i - 1] = s->slot_dom[j];
		s->slot_task[i - 1] = s->slot_task[j];
		s->slot_dom[j] = td;
		s->slot_task[j] = tt;
	}
	free(rest);
	free(order);
	free(cell);
	return ret;
}

static int plan_strata(struct kt_sampler *s)
{
	const struct snode *root = &s->nodes[0];
	const size_t nd = root->nr, nt = s->tasks->nr;
	double *wd = xmalloc((nd + nt) * sizeof(*wd)), *wt = wd + nd;
	size_t *cd = xmalloc((nd + nt) * sizeof(*cd)), *ct = cd + nd;
	size_t *qd = xmalloc((nd + nt) * sizeof(*qd)), *qt = qd + nd;
	int ret;

	for (size_t d = 0; d < nd; d++) {
		const struct snode *dom = &s->nodes[root->first + d];
		wd[d] = !dom->reach ? 0 : s->opts.mode == KT_SAMPLE_LEAF ? (double)dom->reach : dom->weight;
		cd[d] = s->cap ? dom->reach * s->nr_usable_tasks : SIZE_MAX;
	}
	for (size_t t = 0; t < nt; t++) {
		wt[t] = s->task_w[t];
		ct[t] = s->cap ? root->reach : SIZE_MAX;
	}
	ret = alloc_quotas(&s->rng, s->opts.n, wd, cd, nd, qd);
	if (!ret)
		ret = alloc_quotas(&s->rng, s->opts.n, wt, ct, nt, qt);
	if (ret < 0)
		ret = error("cannot divide %zu samples among the domains and task types", s->opts.n);
	else
		ret = stratify(s, qd, qt, nd);
	free(wd);
	free(cd);
	free(qd);
	return ret;
}

struct kt_sampler *kt_sampler_new(struct kt_tree *t, const struct kt_tasks *tasks,
				  const struct kt_sample_opts *opts)
{
	struct kt_sampler *s = xcalloc(1, sizeof(*s));
	const char *lang = opts->lang ? opts->lang : tasks->lang ? tasks->lang : t->lang ? t->lang : "en";
	size_t breadth;

	s->opts = *opts;
	s->lang = xstrdup(lang);
	s->opts.lang = s->lang;
	s->tasks = tasks;
	rng_seed(&s->rng, opts->seed);
	breadth = build_nodes(s, t);
	s->task_w = xcalloc(tasks->nr ? tasks->nr : 1, sizeof(*s->task_w));
	for (size_t k = 0; k < tasks->nr; k++) {
		s->task_w[k] = opts->ignore_weights ? 1.0 : tasks->v[k].weight;
		s->nr_usable_tasks += s->task_w[k] > 0;
	}
	s->scratch = xmalloc((breadth > tasks->nr ? breadth : tasks->nr ? tasks->nr : 1) * sizeof(double));
	s->population = s->nodes[0].reach * s->nr_usable_tasks;
	if (!s->population && opts->n) {
		error("nothing to sample: the tree has no reachable leaf or no task type has weight > 0");
		goto fail;
	}
	if (opts->without_replacement) {
		if (opts->n > s->population) {
			error("cannot draw %zu samples without replacement from %zu leaf x task pairs",
			      opts->n, s->population);
			goto fail;
		}
		s->cap = xcalloc(s->nr_nodes * (tasks->nr ? tasks->nr : 1), sizeof(*s->cap));
		for (size_t i = 0; i < s->nr_nodes; i++)
			for (size_t k = 0; k < tasks->nr; k++)
				s->cap[i * tasks->nr + k] = s->task_w[k] > 0 ? (uint32_t)s->nodes[i].reach : 0;
	}
	if (opts->stratified && opts->n && plan_strata(s) < 0)
		goto fail;
	return s;
fail:
	kt_sampler_free(s);
	return NULL;
}

size_t kt_sampler_population(const struct kt_sampler *s)
{
	return s->population;
}

void kt_sampler_free(struct kt_sampler *s)
{
	if (!s)
		return;
	free(s->lang);
	free(s->nodes);
	free(s->task_w);
	free(s->cap);
	free(s->scratch);
	free(s->slot_dom);
	free(s->slot_task);
	free(s);
}

/* A seeded subset of the task's examples, in their original order. */
static json_t *pick_examples(struct kt_sampler *s, const struct kt_task *k)
{
	size_t n = k->nr_examples, want = s->opts.max_examples;
	size_t *idx = xmalloc((n ? n : 1) * sizeof(*idx));
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	if (want && want < n) {
		rng_choose(&s->rng, idx, n, want);
		n = want;
		for (size_t a1 = 1; a1 < n; a1++)
			for (size_t b = a1; b > 0 && idx[b] < idx[b - 1]; b--) {
				size_t tmp = idx[b];
				idx[b] = idx[b - 1];
				idx[b - 1] = tmp;
			}
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(k->examples[idx[i]]));
	free(idx);
	return a;
}

static json_t *sample_record(struct kt_sampler *s, const struct kt_node *leaf, const struct kt_task *k)
{
	json_t *rec = json_object(), *path = kt_node_path_json(leaf, s->lang);
	char seed[24], index[24], hex[HASH128_HEX_LEN + 1];
	char *dump = json_dumps(path, JSON_COMPACT);
	const char *pieces[4] = { seed, index, dump, k->id };

	snprintf(seed, sizeof(seed), "%" PRIu64, s->opts.seed);
	snprintf(index, sizeof(index), "%zu", s->next);
	pieces_id(pieces, 4, hex);
	free(dump);
	json_object_set_new(rec, "id", json_string(hex));
	json_object_set_new(rec, "lang", json_string(s->lang));
	json_object_set(rec, "path", path);
	json_object_set(rec, "domain", json_array_get(path, 0));
	json_object_set(rec, "theme", json_array_get(path, json_array_size(path) - 1));
	json_object_set_new(rec, "task", json_string(k->name));
	json_object_set_new(rec, "task_description", json_string(k->description));
	json_object_set_new(rec, "examples", pick_examples(s, k));
	json_decref(path);
	return rec;
}

int kt_sampler_next(struct kt_sampler *s, json_t **out)
{
	size_t start = 0, task, leaf;

	*out = NULL;
	if (s->next >= s->opts.n)
		return 0;
	if (s->slot_dom) {
		start = s->slot_dom[s->next];
		task = s->slot_task[s->next];
	} else {
		task = pick_task(s);
	}
	leaf = descend(s, start, task);
	*out = sample_record(s, s->nodes[leaf].node, &s->tasks->v[task]);
	s->next++;
	return 1;
}
