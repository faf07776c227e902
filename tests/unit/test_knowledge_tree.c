/*
 * test_knowledge_tree.c — the shipped trees and task files load and
 * validate clean at the promised size; sampling is reproducible, honours
 * its strata, weights and no-replacement promise; the general form works
 * at depth 4; planted problems are reported with their paths; growing
 * refuses duplicates; the Condor prompts render from sample and grow
 * records. Runs from the repository root (tests/run.sh does).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "condor/knowledge_tree.h"
#include "text/mustache.h"
#include "core/sbuf.h"

static const char *const langs[] = { "en", "zh" };

static struct kt_tree *load_lang_tree(const char *lang)
{
	char path[64];
	struct kt_tree *t;

	snprintf(path, sizeof(path), "knowledge_tree/%s.json", lang);
	t = kt_tree_load(path);
	assert_non_null(t);
	return t;
}

static struct kt_tasks *load_lang_tasks(const char *lang)
{
	char path[64];
	struct kt_tasks *ts;

	snprintf(path, sizeof(path), "knowledge_tree/tasks.%s.json", lang);
	ts = kt_tasks_load(path);
	assert_non_null(ts);
	return ts;
}

static struct kt_tree *tree_from_string(const char *text)
{
	json_error_t err;
	json_t *doc = json_loads(text, 0, &err);
	struct kt_tree *t;

	assert_non_null(doc);
	t = kt_tree_from_json(doc);
	json_decref(doc);
	return t;
}

static void print_messages(const struct kt_messages *m)
{
	for (size_t i = 0; i < m->nr; i++)
		print_message("%s\n", m->v[i]);
}

/* Index of s in v[0..n), or n. */
static size_t find_str(const char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n && strcmp(v[i], s); i++)
		;
	return i;
}

static void test_shipped_trees(void **state)
{
	for (size_t l = 0; l < ARRAY_SIZE(langs); l++) {
		struct kt_tree *t = load_lang_tree(langs[l]);
		struct kt_messages m = KT_MESSAGES_INIT;
		json_t *stats;

		if (kt_validate(t, &m))
			print_messages(&m);
		assert_int_equal(m.nr, 0);
		stats = kt_stats(t);
		assert_int_equal(json_integer_value(json_object_get(stats, "depth")), 3);
		assert_true(t->root.nr_children >= 40);
		for (size_t d = 0; d < t->root.nr_children; d++) {
			const struct kt_node *dom = t->root.children[d];
			assert_true(dom->nr_children >= 5);
			for (size_t s = 0; s < dom->nr_children; s++)
				assert_true(dom->children[s]->nr_children >= 3);
		}
		assert_true(json_integer_value(json_object_get(stats, "leaves")) >= 40 * 5 * 3);
		json_decref(stats);
		kt_messages_release(&m);
		kt_tree_free(t);
	}
}

/* The shipped nested trees survive a load/serialise round trip unchanged. */
static void test_nested_round_trip(void **state)
{
	for (size_t l = 0; l < ARRAY_SIZE(langs); l++) {
		char path[64];
		json_t *doc, *back;
		struct kt_tree *t;

		snprintf(path, sizeof(path), "knowledge_tree/%s.json", langs[l]);
		doc = json_load_file(path, 0, NULL);
		assert_non_null(doc);
		t = kt_tree_from_json(doc);
		assert_non_null(t);
		back = kt_tree_to_json(t);
		assert_true(json_equal(doc, back));
		json_decref(doc);
		json_decref(back);
		kt_tree_free(t);
	}
}

static void test_trending_merge(void **state)
{
	const char *const trending[] = { "knowledge_tree/trending.en.json", "knowledge_tree/trending.zh.json" };

	for (size_t l = 0; l < ARRAY_SIZE(langs); l++) {
		struct kt_tree *t = load_lang_tree(langs[l]), *tr = kt_tree_load(trending[l]);
		struct kt_messages m = KT_MESSAGES_INIT;
		size_t before, after, domains = t->root.nr_children, tags = 0;

		assert_non_null(tr);
		kt_leaves(t, &before);
		kt_leaves(tr, &tags);
		assert_true(tags > 0);
		/* every trending domain exists: one sub-domain node per domain plus the tags */
		assert_int_equal(kt_tree_merge(t, tr), tr->root.nr_children + tags);
		kt_leaves(t, &after);
		assert_int_equal(after, before + tags);
		assert_int_equal(t->root.nr_children, domains);
		if (kt_validate(t, &m))
			print_messages(&m);
		assert_int_equal(m.nr, 0);
		/* merging again adds nothing: names match case-insensitively */
		assert_int_equal(kt_tree_merge(t, tr), 0);
		kt_messages_release(&m);
		kt_tree_free(tr);
		kt_tree_free(t);
	}
}

static void test_shipped_tasks(void **state)
{
	struct kt_tasks *en = load_lang_tasks("en"), *zh = load_lang_tasks("zh");
	const char *const names[] = { "Role Playing", "Daily Chat", "Domain Knowledge QA",
				      "Given Material Processing", "Response Format Control",
				      "View", "Creation" };

	assert_string_equal(en->lang, "en");
	assert_string_equal(zh->lang, "zh");
	assert_int_equal(en->nr, 7);
	assert_int_equal(zh->nr, 7);
	for (size_t i = 0; i < 7; i++) {
		assert_string_equal(en->v[i].name, names[i]);
		assert_string_equal(en->v[i].id, zh->v[i].id);
		assert_true(en->v[i].nr_examples >= 2 && en->v[i].nr_examples <= 3);
		assert_true(zh->v[i].nr_examples >= 2 && zh->v[i].nr_examples <= 3);
		assert_true(*en->v[i].description && *zh->v[i].description);
	}
	{
		const char *const pick[] = { "view", "Creation" };
		assert_int_equal(kt_tasks_select(en, pick, 2), 0);
		assert_int_equal(en->nr, 2);
		assert_string_equal(en->v[0].name, "View");
		assert_string_equal(en->v[1].id, "creation");
		const char *const bogus[] = { "Juggling" };
		assert_int_equal(kt_tasks_select(zh, bogus, 1), -1);
		assert_int_equal(zh->nr, 7);
	}
	kt_tasks_free(en);
	kt_tasks_free(zh);
}

/* difficulty.json and markers.json carry what the prompts and parsers need. */
static void test_shipped_levels_and_markers(void **state)
{
	json_t *diff = json_load_file("knowledge_tree/difficulty.json", 0, NULL);
	json_t *mark = json_load_file("knowledge_tree/markers.json", 0, NULL);
	const char *const en[] = { "Easy", "Medium", "Hard" }, *const zh[] = { "简单", "中等", "困难" };
	const json_t *levels = json_object_get(diff, "levels");

	assert_non_null(diff);
	assert_non_null(mark);
	assert_int_equal(json_array_size(levels), 3);
	for (size_t i = 0; i < 3; i++) {
		const json_t *labels = json_object_get(json_array_get(levels, i), "labels");
		assert_string_equal(json_string_value(json_object_get(labels, "en")), en[i]);
		assert_string_equal(json_string_value(json_object_get(labels, "zh")), zh[i]);
	}
	assert_string_equal(json_string_value(json_object_get(json_object_get(mark, "zh"), "start")), "[{}开始]");
	assert_string_equal(json_string_value(json_object_get(json_object_get(mark, "en"), "end")), "[{} End]");
	assert_string_equal(json_string_value(json_object_get(json_object_get(mark, "zh"), "none")), "无");
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(json_object_get(mark, "en"), "words"), "improved_answer")),
			    "Improved Answer");
	json_decref(diff);
	json_decref(mark);
}

/* All records of one sampler run, as a JSON array. */
static json_t *sample_all(struct kt_tree *t, const struct kt_tasks *ts, const struct kt_sample_opts *o)
{
	struct kt_sampler *s = kt_sampler_new(t, ts, o);
	json_t *all = json_array(), *rec;
	int ret;

	assert_non_null(s);
	while ((ret = kt_sampler_next(s, &rec)) == 1)
		json_array_append_new(all, rec);
	assert_int_equal(ret, 0);
	kt_sampler_free(s);
	assert_int_equal(json_array_size(all), o->n);
	return all;
}

static void test_sampling_determinism(void **state)
{
	struct kt_tree *t = load_lang_tree("en");
	struct kt_tasks *ts = load_lang_tasks("en");
	struct kt_sample_opts o = KT_SAMPLE_OPTS_INIT;
	json_t *a, *b, *c, *rec;
	size_t i, same = 0;

	o.n = 300;
	o.seed = 42;
	o.max_examples = 2;
	a = sample_all(t, ts, &o);
	b = sample_all(t, ts, &o);
	assert_true(json_equal(a, b));
	o.seed = 43;
	c = sample_all(t, ts, &o);
	json_array_foreach(a, i, rec)
		same += json_equal(json_object_get(rec, "path"), json_object_get(json_array_get(c, i), "path"));
	assert_true(same < o.n / 10);

	/* record shape: path ends in theme, starts with domain, ids unique */
	json_array_foreach(a, i, rec) {
		const json_t *path = json_object_get(rec, "path");
		assert_int_equal(json_array_size(path), 3);
		assert_true(json_equal(json_array_get(path, 0), json_object_get(rec, "domain")));
		assert_true(json_equal(json_array_get(path, 2), json_object_get(rec, "theme")));
		assert_string_equal(json_string_value(json_object_get(rec, "lang")), "en");
		assert_int_equal(json_array_size(json_object_get(rec, "examples")), 2);
		assert_int_equal(strlen(json_string_value(json_object_get(rec, "id"))), 32);
		for (size_t j = 0; j < i; j++)
			assert_false(json_equal(json_object_get(rec, "id"),
						json_object_get(json_array_get(a, j), "id")));
	}
	json_decref(a);
	json_decref(b);
	json_decref(c);
	kt_tasks_free(ts);
	kt_tree_free(t);
}

/* Counts of records per domain name and per task name. */
struct tally {
	const char **dom;
	size_t *dom_count, nr_dom;
	const char **task;
	size_t *task_count, nr_task;
};

static void tally_init(struct tally *y, const struct kt_tree *t, const struct kt_tasks *ts)
{
	y->nr_dom = t->root.nr_children;
	y->dom = calloc(y->nr_dom, sizeof(*y->dom));
	y->dom_count = calloc(y->nr_dom, sizeof(size_t));
	for (size_t i = 0; i < y->nr_dom; i++)
		y->dom[i] = t->root.children[i]->name;
	y->nr_task = ts->nr;
	y->task = calloc(y->nr_task, sizeof(*y->task));
	y->task_count = calloc(y->nr_task, sizeof(size_t));
	for (size_t i = 0; i < y->nr_task; i++)
		y->task[i] = ts->v[i].name;
}

static void tally_add(struct tally *y, const json_t *all)
{
	size_t i;
	const json_t *rec;

	json_array_foreach(all, i, rec) {
		size_t d = find_str(y->dom, y->nr_dom, json_string_value(json_object_get(rec, "domain")));
		size_t k = find_str(y->task, y->nr_task, json_string_value(json_object_get(rec, "task")));
		assert_true(d < y->nr_dom);
		assert_true(k < y->nr_task);
		y->dom_count[d]++;
		y->task_count[k]++;
	}
}

static void tally_release(struct tally *y)
{
	free(y->dom);
	free(y->dom_count);
	free(y->task);
	free(y->task_count);
}

static void assert_near(size_t got, double want, double tolerance)
{
	if (got < want * (1 - tolerance) || got > want * (1 + tolerance))
		fail_msg("count %zu is not within %.0f%% of %.1f", got, tolerance * 100, want);
}

static void test_stratified_proportions(void **state)
{
	for (size_t l = 0; l < ARRAY_SIZE(langs); l++) {
		struct kt_tree *t = load_lang_tree(langs[l]);
		struct kt_tasks *ts = load_lang_tasks(langs[l]);
		struct kt_sample_opts o = KT_SAMPLE_OPTS_INIT;
		size_t leaves;
		struct tally y;
		json_t *all;

		kt_leaves(t, &leaves);
		o.n = 10 * leaves;
		o.seed = 7;
		o.stratified = 1;

		/* per level: every domain equally often */
		all = sample_all(t, ts, &o);
		tally_init(&y, t, ts);
		tally_add(&y, all);
		for (size_t d = 0; d < y.nr_dom; d++)
			assert_near(y.dom_count[d], (double)o.n / y.nr_dom, 0.2);
		for (size_t k = 0; k < y.nr_task; k++)
			assert_near(y.task_count[k], (double)o.n / y.nr_task, 0.2);
		tally_release(&y);
		json_decref(all);

		/* per leaf: domains in proportion to their leaves */
		o.mode = KT_SAMPLE_LEAF;
		all = sample_all(t, ts, &o);
		tally_init(&y, t, ts);
		tally_add(&y, all);
		for (size_t d = 0; d < y.nr_dom; d++) {
			json_t *stats = kt_stats(t);
			size_t dl = json_integer_value(json_object_get(
				json_array_get(json_object_get(stats, "domains"), d), "leaves"));
			assert_near(y.dom_count[d], (double)o.n * dl / leaves, 0.2);
			json_decref(stats);
		}
		for (size_t k = 0; k < y.nr_task; k++)
			assert_near(y.task_count[k], (double)o.n / y.nr_task, 0.2);
		tally_release(&y);
		json_decref(all);
		kt_tasks_free(ts);
		kt_tree_free(t);
	}
}

static int cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every (path, task) pair of a run at most once. */
static void assert_unique_pairs(const json_t *all)
{
	size_t n = json_array_size(all), i;
	const json_t *rec;
	char **keys = calloc(n ? n : 1, sizeof(*keys));

	json_array_foreach(all, i, rec) {
		char *p = json_dumps(json_object_get(rec, "path"), JSON_COMPACT);
		keys[i] = malloc(strlen(p) + 64);
		sprintf(keys[i], "%s|%s", p, json_string_value(json_object_get(rec, "task")));
		free(p);
	}
	qsort(keys, n, sizeof(*keys), cmp_str_ptr);
	for (i = 1; i < n; i++)
		if (!strcmp(keys[i], keys[i - 1]))
			fail_msg("pair drawn twice: %s", keys[i]);
	for (i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
}

static void test_without_replacement(void **state)
{
	struct kt_tree *t = load_lang_tree("en");
	struct kt_tasks *ts = load_lang_tasks("en");
	struct kt_sample_opts o = KT_SAMPLE_OPTS_INIT;
	struct kt_sampler *s;
	size_t leaves, pop;
	json_t *all;

	kt_leaves(t, &leaves);
	o.without_replacement = 1;
	o.seed = 3;
	o.n = 1;
	s = kt_sampler_new(t, ts, &o);
	assert_non_null(s);
	pop = kt_sampler_population(s);
	kt_sampler_free(s);
	assert_int_equal(pop, leaves * ts->nr);

	/* the whole population, per level and per leaf, plain and stratified */
	for (int mode = 0; mode < 2; mode++) {
		for (int strat = 0; strat < 2; strat++) {
			o.mode = mode ? KT_SAMPLE_LEAF : KT_SAMPLE_LEVEL;
			o.stratified = strat;
			o.n = pop;
			all = sample_all(t, ts, &o);
			assert_unique_pairs(all);
			json_decref(all);
			o.n = pop / 3;
			all = sample_all(t, ts, &o);
			assert_unique_pairs(all);
			json_decref(all);
		}
	}
	o.n = pop + 1;
	assert_null(kt_sampler_new(t, ts, &o));
	kt_tasks_free(ts);
	kt_tree_free(t);
}

static const char general4[] =
	"{\"format\":\"general\",\"lang\":\"en\",\"root\":["
	" {\"name\":\"Science\",\"weight\":3,\"names\":{\"zh\":\"科学\"},\"children\":["
	"  {\"name\":\"Physics\",\"children\":["
	"   {\"name\":\"Optics\",\"children\":[\"lenses\",\"rainbows\"]},"
	"   {\"name\":\"Heat\",\"children\":[\"engines\",{\"name\":\"ice\",\"names\":{\"zh\":\"冰\"}}]}]},"
	"  {\"name\":\"Biology\",\"children\":[{\"name\":\"Cells\",\"children\":[\"mitosis\"]}]}]},"
	" {\"name\":\"Arts\",\"children\":[{\"name\":\"Music\",\"children\":["
	"   {\"name\":\"Theory\",\"children\":[\"scales\",\"chords\"]}]}]},"
	" {\"name\":\"Hidden\",\"weight\":0,\"children\":[{\"name\":\"X\",\"children\":["
	"   {\"name\":\"Y\",\"children\":[\"never\"]}]}]}]}";

static void test_general_depth4(void **state)
{
	struct kt_tree *t = tree_from_string(general4), *again;
	struct kt_tasks *ts = load_lang_tasks("en");
	struct kt_sample_opts o = KT_SAMPLE_OPTS_INIT;
	struct kt_messages m = KT_MESSAGES_INIT;
	const struct kt_node *const *leaves;
	size_t nr, science = 0, i;
	json_t *stats, *all, *rec, *out, *out2;
	char *text;

	assert_non_null(t);
	assert_int_equal(kt_validate(t, &m), 0);
	stats = kt_stats(t);
	assert_int_equal(json_integer_value(json_object_get(stats, "depth")), 4);
	{
		json_t *want = json_pack("[i,i,i,i]", 3, 4, 5, 8);
		assert_true(json_equal(json_object_get(stats, "levels"), want));
		json_decref(want);
	}
	json_decref(stats);

	leaves = kt_leaves(t, &nr);
	assert_int_equal(nr, 8);
	text = kt_node_path_text(leaves[3], " > ", "zh");
	assert_string_equal(text, "科学 > Physics > Heat > 冰");
	free(text);

	/* weights 3:1 between Science and Arts, Hidden never */
	o.n = 4000;
	o.seed = 11;
	all = sample_all(t, ts, &o);
	json_array_foreach(all, i, rec) {
		const char *d = json_string_value(json_object_get(rec, "domain"));
		assert_int_equal(json_array_size(json_object_get(rec, "path")), 4);
		assert_string_not_equal(d, "Hidden");
		science += !strcmp(d, "Science");
	}
	assert_near(science, 3000, 0.05);
	json_decref(all);

	/* records in zh use the translated names */
	o.lang = "zh";
	o.n = 50;
	all = sample_all(t, ts, &o);
	json_array_foreach(all, i, rec) {
		assert_string_equal(json_string_value(json_object_get(rec, "lang")), "zh");
		assert_string_not_equal(json_string_value(json_object_get(rec, "domain")), "Science");
	}
	json_decref(all);

	/* population excludes the zero-weight subtree; ignore_weights brings it back */
	o.without_replacement = 1;
	o.n = 7 * ts->nr + 1;
	assert_null(kt_sampler_new(t, ts, &o));
	o.ignore_weights = 1;
	all = sample_all(t, ts, &o);
	json_decref(all);

	/* serialised in general form, and reloads to the same tree */
	out = kt_tree_to_json(t);
	assert_string_equal(json_string_value(json_object_get(out, "format")), "general");
	again = kt_tree_from_json(out);
	assert_non_null(again);
	out2 = kt_tree_to_json(again);
	assert_true(json_equal(out, out2));
	json_decref(out);
	json_decref(out2);
	kt_tree_free(again);
	kt_messages_release(&m);
	kt_tasks_free(ts);
	kt_tree_free(t);
}

static int has_message(const struct kt_messages *m, const char *path, const char *what)
{
	for (size_t i = 0; i < m->nr; i++)
		if (!strncmp(m->v[i], path, strlen(path)) && m->v[i][strlen(path)] == ':' &&
		    strstr(m->v[i], what))
			return 1;
	return 0;
}

static void test_validation_messages(void **state)
{
	struct kt_tree *t = tree_from_string(
		"{\"Sports\": {\"Football\": [\"tactics\", \"Tactics \", \"\"],"
		"              \"football\": [\"fans\"],"
		"              \"Chess\": [],"
		"              \"Golf\": [\"line\\nbreak\"]},"
		" \"ＳＰＯＲＴＳ\": {\"Tennis\": [\"serve\"]},"
		" \"Music\": {}}");
	struct kt_tree *w = tree_from_string(
		"{\"format\":\"general\",\"root\":[{\"name\":\"A\",\"children\":["
		"{\"name\":\"b\",\"weight\":0},{\"name\":\"c\",\"weight\":0}]}]}");
	struct kt_messages m = KT_MESSAGES_INIT;

	assert_non_null(t);
	assert_non_null(w);
	assert_int_equal(kt_validate(t, &m), 8);
	assert_true(has_message(&m, "Sports > Football > Tactics ", "duplicate of sibling 'tactics'"));
	assert_true(has_message(&m, "Sports > Football > Tactics ", "whitespace"));
	assert_true(has_message(&m, "Sports > Football > \"\"", "empty name"));
	assert_true(has_message(&m, "Sports > football", "duplicate of sibling 'Football'"));
	assert_true(has_message(&m, "Sports > Chess", "empty node"));
	assert_true(has_message(&m, "Sports > Golf > line\nbreak", "whitespace"));
	assert_true(has_message(&m, "ＳＰＯＲＴＳ", "duplicate of sibling 'Sports'"));
	assert_true(has_message(&m, "Music", "empty node"));
	kt_messages_release(&m);
	kt_tree_free(t);

	assert_int_equal(kt_validate(w, &m), 1);
	assert_true(has_message(&m, "A", "weight 0"));
	kt_messages_release(&m);
	kt_tree_free(w);

	/* shape errors are refused at load time, naming where */
	assert_null(tree_from_string("{\"A\": {\"B\": [\"x\", 3]}}"));
	assert_null(tree_from_string("{\"format\":\"general\",\"root\":[{\"name\":\"A\",\"weight\":-1}]}"));
	assert_null(tree_from_string("{\"format\":\"flat\",\"root\":[]}"));
	assert_null(tree_from_string("{\"A\": 5}"));
}

static void test_grow_merge(void **state)
{
	struct kt_tree *t = tree_from_string("{\"Pets\": {\"Dogs\": [\"training\"], \"Cats\": [\"food\"]}}");
	const char *const at[] = { "pets" };
	struct kt_node *pets = kt_tree_find(t, at, 1), *training;
	json_t *names = json_pack("[s,s,s,s,s,s,i,s,s]", "  Birds ", "birds", "DOGS", "Fish\n and  chips",
				  "", "\xe3\x80\x80", 5, "Rabbits", "Horses");
	struct kt_messages m = KT_MESSAGES_INIT;
	json_t *out, *rec;
	const char *const deep[] = { "Pets", "dogs", "TRAINING" };

	assert_non_null(pets);
	assert_int_equal(kt_node_merge(t, pets, names, 5), 3);
	assert_int_equal(pets->nr_children, 5);
	assert_string_equal(pets->children[2]->name, "Birds");
	assert_string_equal(pets->children[3]->name, "Fish and chips");
	assert_string_equal(pets->children[4]->name, "Rabbits");
	/* unbounded: the rest goes in, still without duplicates */
	assert_int_equal(kt_node_merge(t, pets, names, 0), 1);
	assert_int_equal(pets->nr_children, 6);
	assert_int_equal(kt_node_merge(t, pets, json_object_get(names, "x"), 0), -1);
	json_decref(names);

	/* new sub-domains are empty until grown; a fourth level makes it general */
	assert_int_equal(kt_validate(t, &m), 0);
	training = kt_tree_find(t, deep, 3);
	assert_non_null(training);
	assert_non_null(kt_node_add_child(t, training, "puppy classes"));
	assert_null(kt_node_add_child(t, training, "Puppy  Classes"));
	out = kt_tree_to_json(t);
	assert_string_equal(json_string_value(json_object_get(out, "format")), "general");
	json_decref(out);

	rec = kt_grow_record(training, "en");
	assert_string_equal(json_string_value(json_object_get(rec, "path_text")), "Pets - Dogs - training");
	assert_int_equal(json_integer_value(json_object_get(rec, "depth")), 3);
	assert_int_equal(json_array_size(json_object_get(rec, "existing")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(rec, "existing"), 0)),
			    "puppy classes");
	json_decref(rec);
	rec = kt_grow_record(pets, "en");
	assert_int_equal(json_array_size(json_object_get(rec, "existing")), 6);
	json_decref(rec);
	rec = kt_grow_record(&t->root, "en");
	assert_string_equal(json_string_value(json_object_get(rec, "path_text")), "");
	assert_int_equal(json_array_size(json_object_get(rec, "path")), 0);
	json_decref(rec);
	kt_messages_release(&m);
	kt_tree_free(t);
}

/* Growing an empty tree from nothing to three levels gives nested form. */
static void test_grow_from_empty(void **state)
{
	struct kt_tree *t = kt_tree_new();
	struct kt_messages m = KT_MESSAGES_INIT;
	json_t *out, *want;

	assert_int_equal(kt_validate(t, &m), 1);
	kt_messages_release(&m);
	struct kt_node *a = kt_node_add_child(t, &t->root, "Alpha");
	struct kt_node *b = kt_node_add_child(t, a, "Beta");
	assert_non_null(kt_node_add_child(t, b, "gamma"));
	out = kt_tree_to_json(t);
	want = json_pack("{s:{s:[s]}}", "Alpha", "Beta", "gamma");
	assert_true(json_equal(out, want));
	json_decref(out);
	json_decref(want);
	kt_tree_free(t);
}

/* Render the message part of a prompt file (front matter skipped) against ctx. New string. */
static char *render_prompt(const char *lang, const char *name, const json_t *ctx)
{
	char path[96], buf[4096];
	struct sbuf src = SBUF_INIT, out = SBUF_INIT;
	struct mustache *m;
	const char *body;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "prompts/condor/%s/%s.prompt", lang, name);
	f = fopen(path, "r");
	assert_non_null(f);
	while ((n = fread(buf, 1, sizeof(buf), f)))
		sbuf_add(&src, buf, n);
	fclose(f);
	body = src.buf;
	if (!strncmp(body, "---\n", 4)) {
		body = strstr(body + 4, "\n---\n");
		assert_non_null(body);
		body += 5;
	}
	m = mustache_compile(body, strlen(body), 0, NULL, NULL, NULL);
	assert_non_null(m);
	assert_int_equal(mustache_render(m, ctx, &out, NULL), 0);
	mustache_free(m);
	sbuf_release(&src);
	return sbuf_detach(&out, NULL);
}

static void assert_has_line(const char *text, const char *prefix, const char *value)
{
	char *line = malloc(strlen(prefix) + strlen(value) + 3);

	sprintf(line, "\n%s%s\n", prefix, value);
	if (!strstr(text, line))
		fail_msg("no line '%s%s' in:\n%s", prefix, value, text);
	free(line);
}

static void test_condor_prompts_render(void **state)
{
	static const struct {
		const char *lang, *theme, *task, *python, *format;
	} p[] = {
		{ "en", "Theme: ", "Task: ", "Python list", "[Hard][Question Start]" },
		{ "zh", "主题：", "任务：", "Python 列表", "[困难][问题开始]" },
	};

	for (size_t l = 0; l < ARRAY_SIZE(p); l++) {
		struct kt_tree *t = load_lang_tree(p[l].lang);
		struct kt_tasks *ts = load_lang_tasks(p[l].lang);
		struct kt_sample_opts o = KT_SAMPLE_OPTS_INIT;
		json_t *all, *rec, *grow;
		char *text;

		o.n = 1;
		all = sample_all(t, ts, &o);
		rec = json_array_get(all, 0);
		text = render_prompt(p[l].lang, "question", rec);
		assert_has_line(text, p[l].theme, json_string_value(json_object_get(rec, "theme")));
		assert_has_line(text, p[l].task, json_string_value(json_object_get(rec, "task")));
		assert_has_line(text, "- ", json_string_value(json_array_get(json_object_get(rec, "examples"), 0)));
		assert_non_null(strstr(text, p[l].format));
		assert_null(strstr(text, "{{"));
		free(text);

		grow = kt_grow_record(t->root.children[0], p[l].lang);
		text = render_prompt(p[l].lang, "grow", grow);
		assert_non_null(strstr(text, p[l].python));
		assert_non_null(strstr(text, t->root.children[0]->name));
		assert_non_null(strstr(text, t->root.children[0]->children[0]->name));
		free(text);
		json_decref(grow);
		json_decref(all);
		kt_tasks_free(ts);
		kt_tree_free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_trees),
		cmocka_unit_test(test_nested_round_trip),
		cmocka_unit_test(test_trending_merge),
		cmocka_unit_test(test_shipped_tasks),
		cmocka_unit_test(test_shipped_levels_and_markers),
		cmocka_unit_test(test_sampling_determinism),
		cmocka_unit_test(test_stratified_proportions),
		cmocka_unit_test(test_without_replacement),
		cmocka_unit_test(test_general_depth4),
		cmocka_unit_test(test_validation_messages),
		cmocka_unit_test(test_grow_merge),
		cmocka_unit_test(test_grow_from_empty),
		cmocka_unit_test(test_condor_prompts_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
