/*
 * smelt-tree — World Knowledge Trees: validate, stats, flatten, sample
 * (tag path × task type records for question synthesis), and grow (ask a
 * model for sub-topics of each leaf, as Condor did).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "condor/knowledge_tree.h"
#include "condor/kt_examples.h"
#include "core/atomic_file.h"
#include "stage/stage.h"
#include "condor/tree_grow.h"

struct tree_cli {
	const char *cmd;
	struct kt_sample_opts so;
	const char *tasks_path, *trending_path, *only_tasks, *pool_path;
	struct tree_grow_opts grow;
	int seed_given;
	long examples; /* -1: the task file's examples, all of them */
};

STAGE_OPTIONS(tree_options,
	"n,n=N                sample: number of records\n"
	"seed=S               sample: random seed (default 0)\n"
	"tasks=FILE           sample: task-type file (default knowledge_tree/tasks.LANG.json)\n"
	"only-tasks=A,B       sample: keep only these task types (id or name)\n"
	"lang=L               language of the records (en, zh)\n"
	"without-replacement  sample: each leaf x task pair at most once\n"
	"stratify             sample: every domain and task type in proportion\n"
	"per-leaf             sample: leaves equally likely (default: uniform per level)\n"
	"ignore-weights       sample: treat every weight as 1\n"
	"examples=K           sample: K example questions per record, drawn from the\n"
	"                     task's pool by seed and record id (default: the task\n"
	"                     file's few examples, all of them)\n"
	"pool=FILE            sample: example pools (default prompts/condor/LANG/examples.json)\n"
	"trending=FILE        merge trending tags (a tree file) under their domains\n",
	OPT_N, OPT_SEED, OPT_TASKS, OPT_ONLY_TASKS, OPT_LANG, OPT_WITHOUT_REPLACEMENT, OPT_STRATIFY,
	OPT_PER_LEAF, OPT_IGNORE_WEIGHTS, OPT_EXAMPLES, OPT_POOL, OPT_TRENDING);

/* grow's own options: rows of tree_grow.h, after the lines of tree_options */
static const struct stage_option tree_grow_rows[] = { TREE_GROW_OPTIONS, { NULL, 0, 0, 0, NULL, NULL } };

static int tree_option(struct stage *st, int id, const char *arg, void *ctx)
{
	struct tree_cli *c = ctx;
	long v;

	switch (id) {
	case OPT_N:
		if (parse_long(arg, 1, 1L << 40, &v))
			return error("-n wants a positive count, not '%s'", arg);
		c->so.n = (size_t)v;
		return 0;
	case OPT_SEED: {
		uint64_t s;
		if (parse_size(arg, &s))
			return error("--seed wants a non-negative integer, not '%s'", arg);
		c->so.seed = s;
		c->seed_given = 1;
		return 0;
	}
	case OPT_TASKS: c->tasks_path = arg; return 0;
	case OPT_ONLY_TASKS: c->only_tasks = arg; return 0;
	case OPT_LANG: c->so.lang = arg; return 0;
	case OPT_WITHOUT_REPLACEMENT: c->so.without_replacement = 1; return 0;
	case OPT_STRATIFY: c->so.stratified = 1; return 0;
	case OPT_PER_LEAF: c->so.mode = KT_SAMPLE_LEAF; return 0;
	case OPT_IGNORE_WEIGHTS: c->so.ignore_weights = 1; return 0;
	case OPT_EXAMPLES:
		if (parse_long(arg, 0, 1000, &v))
			return error("--examples wants 0..1000, not '%s'", arg);
		c->examples = v;
		return 0;
	case OPT_POOL: c->pool_path = arg; return 0;
	case OPT_TRENDING: c->trending_path = arg; return 0;
	}
	return tree_grow_option(st, &c->grow, id, arg);
}

static int emit(struct stage *st, json_t *rec)
{
	int r = stage_emit_json(st, rec);

	json_decref(rec);
	return r;
}

/* One JSON document (stats, a grown tree) to -o or stdout, not JSON Lines. */
static int write_doc(const struct stage *st, json_t *doc)
{
	const char *name = st->output && strcmp(st->output, "-") ? st->output : NULL;
	char *text = json_dumps(doc, JSON_INDENT(2));
	int bad = !text;

	if (text && name) { /* whole or not at all (core/atomic_file.h) */
		size_t len = strlen(text);
		text[len] = '\n'; /* json_dumps left room: its NUL */
		bad = atomic_file_write(name, text, len + 1, 0666) < 0;
	} else if (text) {
		bad = puts(text) == EOF;
	}
	free(text);
	if (fflush(stdout))
		bad = 1;
	return bad ? error("cannot write '%s'", name ? name : "<stdout>") : 0;
}

static int cmd_grow(struct stage *st, struct tree_cli *c, struct kt_tree *t)
{
	json_t *doc;
	int r;

	if (c->seed_given) {
		c->grow.lo.params.seed = (long long)c->so.seed;
		c->grow.lo.params.has_seed = 1;
	}
	if (tree_grow(st, t, &c->grow, c->so.lang) < 0)
		return -1;
	doc = kt_tree_to_json(t);
	r = doc ? write_doc(st, doc) : -1;
	json_decref(doc);
	return r;
}

static int cmd_validate(struct stage *st, struct kt_tree *t, const char *path)
{
	struct kt_messages msgs = { 0 };
	size_t n = kt_validate(t, &msgs);

	for (size_t i = 0; i < msgs.nr; i++)
		fprintf(stderr, "%s: %s: %s\n", st->name, path, msgs.v[i]);
	kt_messages_release(&msgs);
	if (n)
		return error("'%s': %zu problem(s)", path, n);
	if (!st->quiet)
		fprintf(stderr, "%s: '%s' is valid\n", st->name, path);
	return 0;
}

static int cmd_flatten(struct stage *st, struct kt_tree *t, const char *lang)
{
	size_t n;
	const struct kt_node *const *leaves = kt_leaves(t, &n);

	for (size_t i = 0; i < n; i++) {
		json_t *path = kt_node_path_json(leaves[i], lang);
		char *text = kt_node_path_text(leaves[i], " - ", lang);
		json_t *rec = json_pack("{s:s, s:o, s:s}", "id", text, "path", path, "path_text", text);
		free(text);
		if (emit(st, rec) < 0)
			return -1;
	}
	return 0;
}

static char *default_tasks_path(const char *lang)
{
	char *rel = xasprintf("knowledge_tree/tasks.%s.json", lang ? lang : "en");
	char *path = smelt_share_path(rel);

	free(rel);
	return path;
}

/*
 * Replace the record's examples by K drawn from its task's pool. The
 * sampler itself gives the task file's examples; the draw here is seeded
 * by the record alone, so it does not disturb the sampler's stream.
 */
static int draw_examples(const struct tree_cli *c, const struct kt_tasks *tasks,
			 const struct kt_pools *pools, json_t *rec)
{
	const char *task = json_string_value(json_object_get(rec, "task"));
	const char *id = json_string_value(json_object_get(rec, "id"));

	for (size_t i = 0; task && id && i < tasks->nr; i++)
		if (!strcmp(tasks->v[i].name, task)) {
			json_object_set_new(rec, "examples", kt_pools_draw(pools, &tasks->v[i], id, c->so.seed,
									   (size_t)c->examples));
			return 0;
		}
	return error("sampled record without a known task type");
}

/* The pools --examples draws from: --pool, or the language's default file if there is one. */
static int load_pools(const struct tree_cli *c, const struct kt_tasks *tasks, struct kt_pools **out)
{
	const char *lang = c->so.lang ? c->so.lang : tasks->lang ? tasks->lang : "en";
	char *rel, *path;
	int exists;

	*out = NULL;
	if (c->examples < 0)
		return 0;
	if (c->pool_path) {
		*out = kt_pools_load(c->pool_path);
		return *out ? 0 : -1;
	}
	rel = xasprintf("prompts/condor/%s/examples.json", lang);
	path = smelt_share_path(rel);
	exists = !access(path, F_OK);
	if (exists)
		*out = kt_pools_load(path);
	free(rel);
	free(path);
	return exists && !*out ? -1 : 0;
}

static int cmd_sample(struct stage *st, struct tree_cli *c, struct kt_tree *t)
{
	char *tasks_path = c->tasks_path ? xstrdup(c->tasks_path) : default_tasks_path(c->so.lang);
	struct kt_tasks *tasks = kt_tasks_load(tasks_path);
	struct kt_sampler *s = NULL;
	struct kt_pools *pools = NULL;
	json_t *rec;
	int r = -1, got;

	if (!tasks)
		goto out;
	if (c->only_tasks) {
		char *list = xstrdup(c->only_tasks), *save = NULL;
		const char *names[64];
		size_t n = 0;
		for (char *tok = strtok_r(list, ",", &save); tok && n < 64; tok = strtok_r(NULL, ",", &save))
			names[n++] = tok;
		int bad = kt_tasks_select(tasks, names, n);
		free(list);
		if (bad < 0)
			goto out;
	}
	if (!c->so.n) {
		error("sample needs -n N");
		goto out;
	}
	if (load_pools(c, tasks, &pools) < 0)
		goto out;
	s = kt_sampler_new(t, tasks, &c->so);
	if (!s)
		goto out;
	stage_figure_add(st, "population", (double)kt_sampler_population(s));
	if (c->examples >= 0)
		stage_figure_add(st, "examples_per_record", (double)c->examples);
	while ((got = kt_sampler_next(s, &rec)) == 1) {
		if (c->examples >= 0 && draw_examples(c, tasks, pools, rec) < 0) {
			json_decref(rec);
			goto out;
		}
		if (emit(st, rec) < 0)
			goto out;
	}
	r = got < 0 ? -1 : 0;
out:
	kt_sampler_free(s);
	kt_pools_free(pools);
	kt_tasks_free(tasks);
	free(tasks_path);
	return r;
}

static const char *const tree_commands[] = { "validate", "stats", "flatten", "sample", "grow", NULL };

/* The tree of the one input, with --trending merged in; NULL after error(). */
static struct kt_tree *load_tree(struct stage *st, const struct tree_cli *c)
{
	struct kt_tree *t = kt_tree_load(st->inputs[0]), *tr;

	if (!t || !c->trending_path)
		return t;
	if (!(tr = kt_tree_load(c->trending_path))) {
		kt_tree_free(t);
		return NULL;
	}
	stage_figure_add(st, "trending_added", (double)kt_tree_merge(t, tr));
	kt_tree_free(tr);
	return t;
}

/* Run the command on `t`. validate and stats write one document and no records. */
static int run_command(struct stage *st, struct tree_cli *c, struct kt_tree *t)
{
	json_t *doc;
	int r;

	if (!strcmp(c->cmd, "validate"))
		return cmd_validate(st, t, st->inputs[0]);
	if (!strcmp(c->cmd, "stats")) {
		doc = kt_stats(t);
		r = doc ? write_doc(st, doc) : -1;
		json_decref(doc);
		return r;
	}
	if (!strcmp(c->cmd, "grow"))
		return cmd_grow(st, c, t);
	stage_open(st);
	return !strcmp(c->cmd, "flatten") ? cmd_flatten(st, t, c->so.lang) : cmd_sample(st, c, t);
}

int main(int argc, char **argv)
{
	struct tree_cli c = { .so = KT_SAMPLE_OPTS_INIT, .examples = -1 };
	struct stage_optspec spec = tree_options;
	struct stage_option *own, *table;
	struct kt_tree *t;
	struct stage st;
	int r, code, doc_failed;

	stage_init(&st, "smelt-tree",
		   "World Knowledge Trees. Commands:\n"
		   "  validate TREE   check the schema, duplicate siblings, empty nodes\n"
		   "  stats TREE      counts per level and leaves per domain (JSON)\n"
		   "  flatten TREE    one record per root-to-leaf path\n"
		   "  sample TREE     (tag path, task type) records for question synthesis\n"
		   "  grow TREE       ask a model for sub-topics of each leaf; writes the grown tree",
		   "smelt-tree sample knowledge_tree/en.json -n 1000 --seed 1 --stratify -o pairs.jsonl.zst\n"
		   "  smelt-tree grow my.json --depth 4 --max-children 6 --endpoint URL --model M \\\n"
		   "      --cache cache/ -o grown.json");
	st.extra_help = "The LLM options apply to grow only.\n";
	tree_grow_opts_init(&c.grow);
	spec.rows = tree_grow_rows;
	own = stage_optspec_table(&spec);
	table = tree_grow_options_table(own); /* and the LLM options not named like one of own */
	c.cmd = stage_parse_command(&st, argc, argv, tree_commands,
				    &(const struct stage_optspec){ .rows = table }, tree_option, &c);
	free(table);
	free(own);
	if (!strcmp(c.cmd, "grow") && tree_grow_finish(&st, &c.grow) < 0) {
		fprintf(stderr, "Try '%s --help' for more information.\n", st.name);
		exit(EXIT_USAGE);
	}
	if (st.ninputs != 1)
		stage_usage_error(&st, "%s wants exactly one TREE file", c.cmd);
	t = load_tree(&st, &c);
	r = t ? run_command(&st, &c, t) : -1;
	/* validate and stats say they failed by the exit code alone */
	doc_failed = r < 0 && t && (!strcmp(c.cmd, "validate") || !strcmp(c.cmd, "stats"));
	if (r < 0 && !doc_failed)
		st.failed = 1;
	kt_tree_free(t);
	tree_grow_opts_release(&c.grow);
	code = stage_finish(&st);
	return doc_failed ? EXIT_FATAL : code;
}
