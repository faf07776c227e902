/*
 * smelt-shard — split records into N files by a hash of their id (or of
 * the value at --key), so that the same id always lands in the same shard
 * whatever the input order, the machine or the run.
 *
 * Every shard keeps its file open for the whole run, so a large N meets the
 * open-file limit: it is checked (and the soft limit raised) before any file
 * is created. Shards are written under temporary names and renamed only
 * when the run finishes, so a run that fails leaves no partial set that
 * looks like output.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "text/record_key.h"
#include "core/hash.h"
#include "json/json_path.h"
#include "stage/stage.h"

/* Fixed forever: changing it would move every record to another shard. */
#define SHARD_SEED 0x736d656c742d7368ULL /* "smelt-sh" */
#define SHARD_MAX 99999
/*
 * Descriptors needed besides the shards: stdin/out/err, the input being
 * read, --rejects, and what libraries open on their own, with room to spare.
 */
#define SHARD_FD_SPARE 16

static const char shard_help[] =
	"Writes P-00000-of-0000N.jsonl.zst ... (.jsonl with --plain). A record goes\n"
	"to shard XXH3-64(key) * N / 2^64, where the key is the id or the value at\n"
	"--key (a string's text, any other value's compact JSON). Records without\n"
	"the key are rejected (missing_id / missing_field). Nothing is written on\n"
	"stdout; -o is not used. The N files stay open: the soft open-file limit\n"
	"is raised to fit them, and a run that fails removes the shards it made.";

STAGE_OPTIONS(shard_options,
	"n,shards=N  number of shards (1..99999)\n"
	"prefix=P    write P-00000-of-0000N.jsonl.zst ... (required)\n"
	"key=PATH    shard by the value at PATH instead of id\n",
	OPT_SHARDS, OPT_PREFIX, OPT_KEY);

struct shard_ctx {
	long n;
	const char *prefix, *key;
	struct record_writer **w;
	char **paths;
	uint64_t *counts;
};

static int shard_option(struct stage *st, int id, const char *arg, void *vctx)
{
	struct shard_ctx *c = vctx;

	switch (id) {
	case OPT_SHARDS: c->n = stage_arg_long(st, "-n", arg, 1, SHARD_MAX); return 0;
	case OPT_PREFIX: c->prefix = arg; return 0;
	case OPT_KEY: c->key = stage_arg_field(st, "--key", arg); return 0;
	}
	return -1;
}

/* Worker threads: hash the key, keep the shard number for serial. */
static int shard_map(struct record *rec, void *vctx)
{
	const struct shard_ctx *c = vctx;
	const char *path = c->key ? c->key : "id";
	const json_t *v = jpath_get(rec->json, path);
	struct sbuf text = SBUF_INIT;
	uint64_t h;

	if (!v)
		return record_reject(rec, "missing_field", "no '%s' to shard by", path);
	record_key_text(&text, v);
	h = hash64(text.buf, text.len, SHARD_SEED);
	sbuf_release(&text);
	/* Lemire's range reduction: uniform without a division. */
	rec->scratch[0] = (uint64_t)(((unsigned __int128)h * (uint64_t)c->n) >> 64);
	return STAGE_KEEP;
}

static int shard_serial(struct stage *st, struct record *rec, void *vctx)
{
	struct shard_ctx *c = vctx;
	uint64_t s = rec->scratch[0];

	if (record_writer_add_lines(c->w[s], rec->text.buf, rec->text.len, rec->nout) < 0)
		return -1;
	c->counts[s] += rec->nout;
	st->records_out += rec->nout;
	return 1;
}

/*
 * Make sure N shards fit under the open-file limit before creating any:
 * raise the soft limit when the hard one allows, else stop with a message
 * that says what to change.
 */
static void shards_check_fd_limit(const struct shard_ctx *c)
{
	const rlim_t need = (rlim_t)c->n + SHARD_FD_SPARE;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("cannot read the open-file limit: %s", strerror(errno));
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
		return;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
		die("-n %ld needs %llu open files but the limit is %llu (hard limit %llu): "
		    "raise it with 'ulimit -n' or use fewer shards", c->n,
		    (unsigned long long)need, (unsigned long long)rl.rlim_cur,
		    (unsigned long long)rl.rlim_max);
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("-n %ld needs %llu open files: cannot raise the limit: %s", c->n,
		    (unsigned long long)need, strerror(errno));
}

static void shards_open(struct stage *st, struct shard_ctx *c)
{
	struct record_writer_opts o = stage_writer_opts(st);

	o.compress = !st->plain;
	/* N compressors run on the main thread: N zstd worker pools would
	 * cost N times their buffers for little gain. */
	o.workers = 0;
	/* ... and smaller input buffers keep -n 64 under the memory budget. */
	o.buffer_size = 128u << 10;
	o.small_window = 1;
	c->w = xcalloc((size_t)c->n, sizeof(*c->w));
	c->paths = xcalloc((size_t)c->n, sizeof(*c->paths));
	c->counts = xcalloc((size_t)c->n, sizeof(*c->counts));
	for (long i = 0; i < c->n; i++) {
		c->paths[i] = xasprintf("%s-%05ld-of-%05ld.jsonl%s", c->prefix, i, c->n,
					st->plain ? "" : ".zst");
		stage_add_output(st, "--prefix", c->paths[i]);
	}
	stage_open(st); /* a shard that is an input is a usage error */
	for (long i = 0; i < c->n; i++)
		if (!(c->w[i] = record_writer_open(c->paths[i], &o)))
			exit(EXIT_FATAL);
}

static void shards_close(struct stage *st, struct shard_ctx *c)
{
	json_t *per = json_array();

	for (long i = 0; i < c->n; i++) {
		/* after a failure no shard replaces the previous run's */
		if (st->failed)
			record_writer_abort(c->w[i]);
		else if (record_writer_close(c->w[i]) < 0)
			st->failed = 1;
		json_array_append_new(per, json_integer((json_int_t)c->counts[i]));
		free(c->paths[i]);
	}
	json_object_set_new(st->figures, "shards", json_integer(c->n));
	json_object_set_new(st->figures, "records_per_shard", per);
	free(c->w);
	free(c->paths);
	free(c->counts);
}

int main(int argc, char **argv)
{
	struct stage st;
	struct shard_ctx c = { .n = 0 };
	struct stage_ops ops = { .map = shard_map, .serial = shard_serial };

	stage_init(&st, "smelt-shard", "Split records into N files by a hash of their id (or --key).",
		   "smelt-shard -n 8 --prefix parts/train data.jsonl.zst");
	st.extra_help = shard_help;
	stage_parse_options(&st, argc, argv, &shard_options, shard_option, &c);
	if (!c.n)
		stage_usage_error(&st, "-n N is required");
	if (!c.prefix || !*c.prefix)
		stage_usage_error(&st, "--prefix P is required");
	if (st.output)
		stage_usage_error(&st, "-o is not used: shards are written to --prefix files");
	ops.require_id = !c.key;
	shards_check_fd_limit(&c);
	shards_open(&st, &c);
	if (stage_run(&st, &ops, &c) < 0)
		st.failed = 1;
	shards_close(&st, &c);
	return stage_finish(&st);
}
