/*
 * stats_agg.c — the aggregation behind smelt-stats (see stats_agg.h).
 *
 * Names (field paths, roles, group keys) map to positions in growing
 * arrays through jansson objects, which keep insertion order and accept
 * any byte string as a key. Each distribution draws its reservoir from a
 * seed derived from its own name, so adding a field never changes the
 * sample another field keeps.
 */
#include "corpus/stats_agg.h"

#include <stdlib.h>
#include <string.h>

#include "text/record_key.h"
#include "core/hash.h"
#include "json/json_path.h"
#include "corpus/stats_dist.h"
#include "core/utf8.h"
#include "core/util.h"
#include "io/conv_format.h"

enum { T_STRING, T_INTEGER, T_REAL, T_BOOLEAN, T_NULL, T_ARRAY, T_OBJECT, T_COUNT };

static const char *const type_names[T_COUNT] = {
	"string", "integer", "real", "boolean", "null", "array", "object",
};

static const char *const conversation_fields[] = { "messages", "conversations" };
#define NCONV ARRAY_SIZE(conversation_fields)

struct field_stats {
	char *path;
	uint64_t present;
	uint64_t types[T_COUNT];
	struct stats_dist *length, *items, *value; /* NULL until seen */
};

struct role_stats {
	char *role;
	uint64_t messages;
	struct stats_dist length;
};

struct conv_stats {
	uint64_t records;
	struct stats_dist turns;
	json_t *role_index;
	struct role_stats *roles;
	size_t nroles, alloc;
};

struct group_num {
	size_t field; /* index into agg->fields */
	struct stats_dist d;
};

struct group_stats {
	char *key;
	size_t keylen;
	uint64_t records;
	struct stats_dist turns;
	struct group_num *nums;
	size_t nnums, alloc;
};

/* A numeric value seen in the current record, for its group. */
struct num_seen {
	size_t field;
	double value;
};

struct stats_agg {
	struct stats_opts o;
	uint64_t records;
	json_t *field_index;
	struct field_stats *fields;
	size_t nfields, fields_alloc;
	uint64_t fields_truncated;
	struct conv_stats conv[NCONV];
	json_t *group_index;
	struct group_stats *groups;
	size_t ngroups, groups_alloc;
	uint64_t group_missing, group_other;
	struct num_seen *seen;
	size_t nseen, seen_alloc;
};

static uint64_t seed_of(const char *what, const char *name, size_t len)
{
	return hash64(name, len, hash64(what, strlen(what), 0));
}

static struct stats_dist *dist_new(size_t cap, const char *what, const char *name)
{
	struct stats_dist *d = xmalloc(sizeof(*d));

	stats_dist_init(d, cap, seed_of(what, name, strlen(name)));
	return d;
}

static void dist_free(struct stats_dist *d)
{
	if (!d)
		return;
	stats_dist_release(d);
	free(d);
}

struct stats_agg *stats_agg_new(const struct stats_opts *o)
{
	struct stats_agg *a = xcalloc(1, sizeof(*a));

	a->o = *o;
	a->field_index = json_object();
	a->group_index = json_object();
	for (size_t i = 0; i < NCONV; i++) {
		stats_dist_init(&a->conv[i].turns, o->reservoir,
				seed_of("turns", conversation_fields[i], strlen(conversation_fields[i])));
		a->conv[i].role_index = json_object();
	}
	return a;
}

void stats_agg_free(struct stats_agg *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nfields; i++) {
		free(a->fields[i].path);
		dist_free(a->fields[i].length);
		dist_free(a->fields[i].items);
		dist_free(a->fields[i].value);
	}
	free(a->fields);
	for (size_t i = 0; i < NCONV; i++) {
		struct conv_stats *c = &a->conv[i];
		for (size_t j = 0; j < c->nroles; j++) {
			free(c->roles[j].role);
			stats_dist_release(&c->roles[j].length);
		}
		free(c->roles);
		stats_dist_release(&c->turns);
		json_decref(c->role_index);
	}
	for (size_t i = 0; i < a->ngroups; i++) {
		struct group_stats *g = &a->groups[i];
		free(g->key);
		stats_dist_release(&g->turns);
		for (size_t j = 0; j < g->nnums; j++)
			stats_dist_release(&g->nums[j].d);
		free(g->nums);
	}
	free(a->groups);
	free(a->seen);
	json_decref(a->field_index);
	json_decref(a->group_index);
	free(a);
}

static int type_of(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING: return T_STRING;
	case JSON_INTEGER: return T_INTEGER;
	case JSON_REAL: return T_REAL;
	case JSON_TRUE: case JSON_FALSE: return T_BOOLEAN;
	case JSON_NULL: return T_NULL;
	case JSON_ARRAY: return T_ARRAY;
	default: return T_OBJECT;
	}
}

/*
 * Names map to positions through a jansson object (insertion order, any
 * bytes). Returns the position of key[0..len), registering it as `count`
 * (*added = 1) when new; (size_t)-1 when new and `count` reached `cap`.
 */
static size_t name_index(json_t *index, const char *key, size_t len, size_t count, size_t cap,
			 int *added)
{
	json_t *pos = json_object_getn(index, key, len);

	*added = 0;
	if (pos)
		return (size_t)json_integer_value(pos);
	if (count >= cap)
		return (size_t)-1;
	json_object_setn_new(index, key, len, json_integer((json_int_t)count));
	*added = 1;
	return count;
}

/* The field's position, creating it; (size_t)-1 past --max-fields. */
static size_t field_get(struct stats_agg *a, const char *path)
{
	int added;
	size_t i = name_index(a->field_index, path, strlen(path), a->nfields, a->o.max_fields, &added);

	if (i == (size_t)-1) {
		a->fields_truncated++;
	} else if (added) {
		ALLOC_GROW(a->fields, a->nfields + 1, a->fields_alloc);
		memset(&a->fields[i], 0, sizeof(a->fields[i]));
		a->fields[i].path = xstrdup(path);
		a->nfields++;
	}
	return i;
}

/* ---- observing a record (any thread) ------------------------------------ */

/*
 * A record's observations are encoded as a byte string so that the JSON
 * walk can run on worker threads and only the counting on the main one:
 * a tag byte, then length-prefixed strings and native doubles.
 */
enum {
	OBS_FIELD = 'F',   /* path, type, x (length, items or value) */
	OBS_ABSENT = 'A',  /* path: a --fields path this record lacks */
	OBS_CONV = 'C',    /* conversation field index, turns */
	OBS_MSG = 'M',     /* conversation field index, role, characters */
	OBS_GROUP = 'G',   /* group key; always last */
	OBS_NOGROUP = 'N', /* the --by value is missing; always last */
};

static void put_str(struct sbuf *obs, const char *s, size_t len)
{
	uint32_t n = (uint32_t)len;

	sbuf_add(obs, &n, sizeof(n));
	sbuf_add(obs, s, n);
}

static void put_num(struct sbuf *obs, double x)
{
	sbuf_add(obs, &x, sizeof(x));
}

static void observe_field(struct sbuf *obs, const char *path, const json_t *v, int depth)
{
	int t = type_of(v);
	double x = 0;

	switch (t) {
	case T_STRING:
		x = (double)utf8_char_count(json_string_value(v), json_string_length(v));
		break;
	case T_ARRAY:
		x = (double)json_array_size(v);
		break;
	case T_INTEGER: case T_REAL:
		x = json_number_value(v);
		break;
	}
	sbuf_addch(obs, OBS_FIELD);
	put_str(obs, path, strlen(path));
	sbuf_addch(obs, (char)t);
	put_num(obs, x);
	if (t == T_OBJECT && depth == 0) {
		struct sbuf sub = SBUF_INIT;
		const char *key;
		json_t *child;
		json_object_foreach((json_t *)v, key, child) {
			sbuf_reset(&sub);
			sbuf_addf(&sub, "%s.%s", path, key);
			observe_field(obs, sub.buf, child, 1);
		}
		sbuf_release(&sub);
	}
}

static void observe_conversation(struct sbuf *obs, size_t which, const json_t *msgs)
{
	size_t i;
	json_t *m;

	sbuf_addch(obs, OBS_CONV);
	sbuf_addch(obs, (char)which);
	put_num(obs, (double)json_array_size(msgs));
	json_array_foreach(msgs, i, m) {
		const json_t *role = json_object_get(m, "role"), *content;
		if (!role)
			role = json_object_get(m, "from"); /* ShareGPT */
		content = json_object_get(m, "content");
		if (!content)
			content = json_object_get(m, "value");
		sbuf_addch(obs, OBS_MSG);
		sbuf_addch(obs, (char)which);
		if (json_is_string(role))
			put_str(obs, json_string_value(role), json_string_length(role));
		else
			put_str(obs, "(none)", 6);
		put_num(obs, (double)conv_content_chars(content));
	}
}

void stats_observe(const struct stats_opts *o, const json_t *rec, struct sbuf *obs)
{
	const char *key;
	json_t *v;

	sbuf_reset(obs);
	if (o->fields) {
		for (size_t i = 0; i < o->nfields; i++) {
			v = jpath_get(rec, o->fields[i]);
			if (v) {
				observe_field(obs, o->fields[i], v, 0);
			} else {
				sbuf_addch(obs, OBS_ABSENT);
				put_str(obs, o->fields[i], strlen(o->fields[i]));
			}
		}
	} else {
		json_object_foreach((json_t *)rec, key, v)
			observe_field(obs, key, v, 0);
	}
	for (size_t i = 0; i < NCONV; i++) {
		const json_t *msgs = json_object_get(rec, conversation_fields[i]);
		if (json_is_array(msgs))
			observe_conversation(obs, i, msgs);
	}
	if (o->by) {
		v = jpath_get(rec, o->by);
		if (v) {
			struct sbuf k = SBUF_INIT;
			record_key_text(&k, v);
			sbuf_addch(obs, OBS_GROUP);
			put_str(obs, k.buf, k.len);
			sbuf_release(&k);
		} else {
			sbuf_addch(obs, OBS_NOGROUP);
		}
	}
}

/* ---- counting observations (main thread) ---------------------------------- */

struct obs_reader {
	const char *p, *end;
};

static int get_byte(struct obs_reader *r)
{
	return r->p < r->end ? (unsigned char)*r->p++ : -1;
}

static double get_num(struct obs_reader *r)
{
	double x;

	memcpy(&x, r->p, sizeof(x));
	r->p += sizeof(x);
	return x;
}

/* A string of the encoding, copied NUL-terminated into `sb`. */
static void get_str(struct obs_reader *r, struct sbuf *sb)
{
	uint32_t n;

	memcpy(&n, r->p, sizeof(n));
	r->p += sizeof(n);
	sbuf_reset(sb);
	sbuf_add(sb, r->p, n);
	r->p += n;
}

static void field_count(struct stats_agg *a, const char *path, int t, double x)
{
	size_t i = field_get(a, path);
	struct field_stats *f;
	struct stats_dist **d = NULL;
	const char *what = NULL;

	if (i == (size_t)-1)
		return;
	f = &a->fields[i];
	f->present++;
	f->types[t]++;
	switch (t) {
	case T_STRING: d = &f->length; what = "length"; break;
	case T_ARRAY: d = &f->items; what = "items"; break;
	case T_INTEGER: case T_REAL:
		d = &f->value;
		what = "value";
		ALLOC_GROW(a->seen, a->nseen + 1, a->seen_alloc);
		a->seen[a->nseen].field = i;
		a->seen[a->nseen++].value = x;
		break;
	}
	if (!d)
		return;
	if (!*d)
		*d = dist_new(a->o.reservoir, what, path);
	stats_dist_add(*d, x);
}

/* Roles are few: past --max-fields of them there are no roles, only noise. */
static struct role_stats *role_get(struct stats_agg *a, struct conv_stats *c, const char *role)
{
	int added;
	size_t i = name_index(c->role_index, role, strlen(role), c->nroles, a->o.max_fields, &added);

	if (i == (size_t)-1)
		return NULL;
	if (added) {
		ALLOC_GROW(c->roles, c->nroles + 1, c->alloc);
		c->roles[i].role = xstrdup(role);
		c->roles[i].messages = 0;
		stats_dist_init(&c->roles[i].length, a->o.reservoir, seed_of("role", role, strlen(role)));
		c->nroles++;
	}
	return &c->roles[i];
}

static struct group_stats *group_get(struct stats_agg *a, const char *key, size_t len)
{
	int added;
	size_t i = name_index(a->group_index, key, len, a->ngroups, a->o.max_groups, &added);
	struct group_stats *g;

	if (i == (size_t)-1)
		return NULL;
	if (added) {
		ALLOC_GROW(a->groups, a->ngroups + 1, a->groups_alloc);
		g = &a->groups[i];
		memset(g, 0, sizeof(*g));
		g->key = xstrndup(key, len);
		g->keylen = len;
		stats_dist_init(&g->turns, a->o.group_reservoir, seed_of("group-turns", key, len));
		a->ngroups++;
	}
	return &a->groups[i];
}

static void group_add_number(struct stats_agg *a, struct group_stats *g, size_t field, double x)
{
	struct group_num *n = NULL;

	/* A group sees few numeric fields: a linear search is enough. */
	for (size_t i = 0; i < g->nnums && !n; i++)
		if (g->nums[i].field == field)
			n = &g->nums[i];
	if (!n) {
		struct sbuf seed = SBUF_INIT;
		ALLOC_GROW(g->nums, g->nnums + 1, g->alloc);
		n = &g->nums[g->nnums++];
		n->field = field;
		sbuf_addf(&seed, "%s\n", a->fields[field].path);
		sbuf_add(&seed, g->key, g->keylen);
		stats_dist_init(&n->d, a->o.group_reservoir, seed_of("group-value", seed.buf, seed.len));
		sbuf_release(&seed);
	}
	stats_dist_add(&n->d, x);
}

/* The record's group gets its count, turns and numbers. */
static void group_count(struct stats_agg *a, const struct sbuf *key, const double *turns,
			size_t nturns)
{
	struct group_stats *g = group_get(a, key->buf, key->len);

	if (!g) {
		a->group_other++;
		return;
	}
	g->records++;
	for (size_t i = 0; i < nturns; i++)
		stats_dist_add(&g->turns, turns[i]);
	for (size_t i = 0; i < a->nseen; i++)
		group_add_number(a, g, a->seen[i].field, a->seen[i].value);
}

void stats_agg_add_observed(struct stats_agg *a, const char *obs, size_t len)
{
	struct obs_reader r = { obs, obs + len };
	struct sbuf str = SBUF_INIT;
	double turns[NCONV];
	size_t nturns = 0, which;
	int tag, t;

	a->records++;
	a->nseen = 0;
	while ((tag = get_byte(&r)) >= 0) {
		switch (tag) {
		case OBS_FIELD:
			get_str(&r, &str);
			t = get_byte(&r);
			field_count(a, str.buf, t, get_num(&r));
			break;
		case OBS_ABSENT:
			get_str(&r, &str);
			field_get(a, str.buf); /* listed even if never present */
			break;
		case OBS_CONV:
			which = (size_t)get_byte(&r);
			a->conv[which].records++;
			turns[nturns] = get_num(&r);
			stats_dist_add(&a->conv[which].turns, turns[nturns++]);
			break;
		case OBS_MSG: {
			struct role_stats *role;
			which = (size_t)get_byte(&r);
			get_str(&r, &str);
			role = role_get(a, &a->conv[which], str.buf);
			double chars = get_num(&r);
			if (role) {
				role->messages++;
				stats_dist_add(&role->length, chars);
			}
			break;
		}
		case OBS_GROUP:
			get_str(&r, &str);
			group_count(a, &str, turns, nturns);
			break;
		case OBS_NOGROUP:
			a->group_missing++;
			break;
		}
	}
	sbuf_release(&str);
}

void stats_agg_add(struct stats_agg *a, const json_t *rec)
{
	struct sbuf obs = SBUF_INIT;

	stats_observe(&a->o, rec, &obs);
	stats_agg_add_observed(a, obs.buf, obs.len);
	sbuf_release(&obs);
}

/* ---- the result ---------------------------------------------------------- */

static json_t *field_json(struct stats_agg *a, struct field_stats *f)
{
	json_t *o = json_object(), *types = json_object();

	json_object_set_new(o, "path", json_string(f->path));
	json_object_set_new(o, "present", json_integer((json_int_t)f->present));
	json_object_set_new(o, "missing", json_integer((json_int_t)(a->records - f->present)));
	for (int t = 0; t < T_COUNT; t++)
		if (f->types[t])
			json_object_set_new(types, type_names[t], json_integer((json_int_t)f->types[t]));
	json_object_set_new(o, "types", types);
	if (f->length)
		json_object_set_new(o, "length", stats_dist_json(f->length, a->o.bins));
	if (f->items)
		json_object_set_new(o, "items", stats_dist_json(f->items, a->o.bins));
	if (f->value)
		json_object_set_new(o, "value", stats_dist_json(f->value, a->o.bins));
	return o;
}

static json_t *conversations_json(struct stats_agg *a)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < NCONV; i++) {
		struct conv_stats *c = &a->conv[i];
		json_t *roles;
		if (!c->records)
			continue;
		roles = json_array();
		for (size_t j = 0; j < c->nroles; j++)
			json_array_append_new(roles, json_pack("{s:s, s:I, s:o}", "role", c->roles[j].role,
							       "messages", (json_int_t)c->roles[j].messages,
							       "length", stats_dist_json(&c->roles[j].length,
											 a->o.bins)));
		json_array_append_new(arr, json_pack("{s:s, s:I, s:o, s:o}", "field",
						     conversation_fields[i], "records",
						     (json_int_t)c->records, "turns",
						     stats_dist_json(&c->turns, a->o.bins), "roles", roles));
	}
	return arr;
}

/* Largest group first; equal sizes by key bytes. */
static int group_cmp(const void *x, const void *y)
{
	const struct group_stats *a = x, *b = y;
	size_t n = a->keylen < b->keylen ? a->keylen : b->keylen;
	int c;

	if (a->records != b->records)
		return a->records > b->records ? -1 : 1;
	c = memcmp(a->key, b->key, n);
	return c ? c : (a->keylen > b->keylen) - (a->keylen < b->keylen);
}

static json_t *groups_json(struct stats_agg *a)
{
	json_t *values = json_array();

	qsort(a->groups, a->ngroups, sizeof(*a->groups), group_cmp);
	for (size_t i = 0; i < a->ngroups; i++) {
		struct group_stats *g = &a->groups[i];
		json_t *o = json_object(), *nums = json_array();
		json_object_set_new(o, "key", json_stringn(g->key, g->keylen));
		json_object_set_new(o, "records", json_integer((json_int_t)g->records));
		json_object_set_new(o, "share", json_real((double)g->records / (double)a->records));
		if (g->turns.count)
			json_object_set_new(o, "turns", stats_dist_json(&g->turns, a->o.bins));
		for (size_t j = 0; j < g->nnums; j++) {
			json_t *d = stats_dist_json(&g->nums[j].d, a->o.bins);
			json_object_set_new(d, "path", json_string(a->fields[g->nums[j].field].path));
			json_array_append_new(nums, d);
		}
		json_object_set_new(o, "numeric", nums);
		json_array_append_new(values, o);
	}
	return json_pack("{s:s, s:I, s:I, s:I, s:o}", "by", a->o.by, "count", (json_int_t)a->ngroups,
			 "missing", (json_int_t)a->group_missing, "other_records",
			 (json_int_t)a->group_other, "values", values);
}

json_t *stats_agg_result(struct stats_agg *a)
{
	json_t *o = json_object(), *fields = json_array(), *settings, *list = json_null();

	if (a->o.fields) {
		list = json_array();
		for (size_t i = 0; i < a->o.nfields; i++)
			json_array_append_new(list, json_string(a->o.fields[i]));
	}
	settings = json_pack("{s:o, s:o, s:i, s:I, s:I, s:I, s:I}", "by",
			     a->o.by ? json_string(a->o.by) : json_null(), "fields", list, "bins",
			     a->o.bins, "reservoir", (json_int_t)a->o.reservoir, "group_reservoir",
			     (json_int_t)a->o.group_reservoir, "max_fields", (json_int_t)a->o.max_fields,
			     "max_groups", (json_int_t)a->o.max_groups);
	json_object_set_new(o, "records", json_integer((json_int_t)a->records));
	json_object_set_new(o, "settings", settings);
	for (size_t i = 0; i < a->nfields; i++)
		json_array_append_new(fields, field_json(a, &a->fields[i]));
	json_object_set_new(o, "fields", fields);
	json_object_set_new(o, "fields_truncated", json_integer((json_int_t)a->fields_truncated));
	json_object_set_new(o, "conversations", conversations_json(a));
	if (a->o.by)
		json_object_set_new(o, "groups", groups_json(a));
	return o;
}
