/*
 * stage.c — the common options, the output and rejects sinks, --stats,
 * progress and exit codes every stage shares (DESIGN: "Stage contract"),
 * and the guard that refuses an output naming an input or another output.
 * The record loop itself is in stage_loop.c, signals in stage_stop.c.
 */
#include "stage/stage.h"

#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/term_escape.h"
#include "json/json_path.h"
#include "json/json_write.h"
#include "stage/stage_glob.h"
#include "stage/stage_stop.h"

enum {
	OPT_PLAIN = 1000, OPT_REJECTS, OPT_STATS, OPT_PROGRESS, OPT_STRICT,
	OPT_MAX_REJECT, OPT_LEVEL, OPT_ZSTD_THREADS, OPT_VERSION, OPT_NO_PROGRESS,
};

static const struct stage_option common_options[] = {
	{ "output", 'o', 1, 'o', "FILE", "write to FILE (zstd if it ends in .zst; default stdout)" },
	{ "plain", 0, 0, OPT_PLAIN, NULL, "write uncompressed JSON Lines" },
	{ "rejects", 0, 1, OPT_REJECTS, "FILE", "write records that could not be processed to FILE" },
	{ "stats", 0, 1, OPT_STATS, "FILE", "write a JSON summary to FILE" },
	{ "progress", 0, 0, OPT_PROGRESS, NULL, "show progress on stderr (default when it is a terminal)" },
	{ "quiet", 'q', 0, 'q', NULL, "no progress and no summary" },
	{ "strict", 0, 0, OPT_STRICT, NULL, "stop at the first bad record (exit 1)" },
	{ "max-reject-ratio", 0, 1, OPT_MAX_REJECT, "R", "exit 3 if more than this fraction is rejected" },
	{ "level", 0, 1, OPT_LEVEL, "N", "zstd level (default 3)" },
	{ "zstd-threads", 0, 1, OPT_ZSTD_THREADS, "N", "zstd compression threads (default 1)" },
	{ "threads", 'j', 1, 'j', "N", "worker threads for parsing (default: CPUs)" },
	{ "help", 'h', 0, 'h', NULL, "show this help" },
	{ "version", 0, 0, OPT_VERSION, NULL, "show the version" },
	{ NULL, 0, 0, 0, NULL, NULL },
};

void stage_init(struct stage *st, const char *name, const char *summary, const char *example)
{
	memset(st, 0, sizeof(*st));
	st->name = name;
	st->summary = summary;
	st->example = example;
	st->progress = -1;
	st->max_reject_ratio = -1;
	st->level = 3;
	st->zstd_workers = 1;
	st->threads = cpu_count();
	st->rejects_by_kind = json_object();
	st->figures = json_object();
	st->t_start = now_seconds();
	st->cpu_start = cpu_seconds();
	smelt_prog = name;
	/* Write errors come back as EPIPE and are handled where they happen. */
	signal(SIGPIPE, SIG_IGN);
	stage_stop_init(name);
}

static void print_options(FILE *fp, const struct stage_option *o)
{
	for (; o && o->name; o++) {
		char left[64];
		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
				 o->has_arg ? " " : "", o->has_arg ? o->arg_name : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
				 o->has_arg ? " " : "", o->has_arg ? o->arg_name : "");
		fprintf(fp, "  %-28s %s\n", left, o->help);
	}
}

const struct stage_option *stage_option_of(const struct stage *st, int id)
{
	for (const struct stage_option *o = st->options; o && o->name; o++)
		if (o->id == id)
			return o;
	return NULL;
}

int stage_option_in_group(const struct stage *st, int id, const char *prefix)
{
	return stage_optspec_in_group(st->option_ids, id, prefix);
}

void stage_usage(const struct stage *st, FILE *fp)
{
	fprintf(fp, "usage: %s [options] [FILE...]\n\n%s\n\n", st->name, st->summary);
	if (st->options && st->options->name) {
		fprintf(fp, "Options:\n");
		print_options(fp, st->options);
		fputc('\n', fp);
	}
	fprintf(fp, "Common options:\n");
	print_options(fp, common_options);
	fprintf(fp, "\nInput: JSON Lines or a JSON array, plain, zstd, gzip, xz or bzip2; '-' or\n"
		    "nothing reads stdin.\n"
		    "Exit status: 0 ok, 1 fatal error, 2 usage error, 3 records rejected without\n"
		    "--rejects (or more than --max-reject-ratio).\n");
	if (st->extra_help)
		fprintf(fp, "\n%s\n", st->extra_help);
	if (st->example)
		fprintf(fp, "\nExample:\n  %s\n", st->example);
}

void stage_usage_error(const struct stage *st, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", st->name, msg, st->name);
	exit(EXIT_USAGE);
}

static void add_getopt(struct option *lo, int *n, struct sbuf *shorts, const struct stage_option *o)
{
	for (; o && o->name; o++) {
		lo[*n].name = o->name;
		lo[*n].has_arg = o->has_arg ? required_argument : no_argument;
		lo[*n].flag = NULL;
		lo[*n].val = o->id;
		(*n)++;
		if (o->short_name) {
			sbuf_addch(shorts, o->short_name);
			if (o->has_arg)
				sbuf_addch(shorts, ':');
		}
	}
}

static int common_option(struct stage *st, int id, const char *arg)
{
	long n;

	switch (id) {
	case 'o': st->output = arg; return 0;
	case OPT_PLAIN: st->plain = 1; return 0;
	case OPT_REJECTS: st->rejects_path = arg; return 0;
	case OPT_STATS: st->stats_path = arg; return 0;
	case OPT_PROGRESS: st->progress = 1; return 0;
	case 'q': st->quiet = 1; st->progress = 0; return 0;
	case OPT_STRICT: st->strict = 1; return 0;
	case OPT_MAX_REJECT:
		if (parse_double(arg, 0, 1, &st->max_reject_ratio))
			stage_usage_error(st, "--max-reject-ratio wants a number in [0, 1], not '%s'", arg);
		return 0;
	case OPT_LEVEL:
		if (parse_long(arg, 1, 19, &n))
			stage_usage_error(st, "--level wants 1..19, not '%s'", arg);
		st->level = (int)n;
		return 0;
	case OPT_ZSTD_THREADS:
		if (parse_long(arg, 0, 256, &n))
			stage_usage_error(st, "--zstd-threads wants 0..256, not '%s'", arg);
		st->zstd_workers = (int)n;
		return 0;
	case 'j':
		if (parse_long(arg, 1, 1024, &n))
			stage_usage_error(st, "--threads wants 1..1024, not '%s'", arg);
		st->threads = (int)n;
		return 0;
	case 'h':
		stage_usage(st, stdout);
		exit(0);
	case OPT_VERSION:
		printf("%s %s\n", st->name, SMELT_VERSION);
		exit(0);
	}
	return 1; /* not a common option */
}

/* getopt returns the character for a short option: map it to the option's id. */
static int short_to_id(int c, const struct stage_option *extra)
{
	for (const struct stage_option *o = common_options; o->name; o++)
		if (o->short_name && o->short_name == c)
			return o->id;
	for (const struct stage_option *o = extra; o && o->name; o++)
		if (o->short_name && o->short_name == c)
			return o->id;
	return c;
}

void stage_parse_options(struct stage *st, int argc, char **argv,
			 const struct stage_optspec *own, stage_option_fn cb, void *ctx)
{
	size_t next = ARRAY_SIZE(common_options);
	struct sbuf shorts = SBUF_INIT;
	struct stage_option *extra;
	struct option *lo;
	int n = 0, c;

	free(st->options);
	extra = st->options = own ? stage_optspec_table(own) : NULL;
	st->option_ids = own ? own->names : NULL;
	for (const struct stage_option *o = extra; o && o->name; o++)
		next++;
	lo = xcalloc(next + 1, sizeof(*lo));
	add_getopt(lo, &n, &shorts, common_options);
	add_getopt(lo, &n, &shorts, extra);
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts.buf, lo, NULL)) != -1) {
		if (c == '?' || c == ':') {
			if (optopt && optopt < 256 && optopt > ' ')
				stage_usage_error(st, "unknown option or missing argument: -%c", optopt);
			stage_usage_error(st, "unknown option or missing argument: %s", argv[optind - 1]);
		}
		c = short_to_id(c, extra);
		if (common_option(st, c, optarg) == 0)
			continue;
		if (!cb || cb(st, c, optarg, ctx) < 0) {
			fprintf(stderr, "Try '%s --help' for more information.\n", st->name);
			exit(EXIT_USAGE);
		}
	}
	st->inputs = stage_glob_inputs(argv + optind, argc - optind, &st->ninputs);
	free(lo);
	sbuf_release(&shorts);
	if (st->progress < 0)
		st->progress = isatty(2);
	stage_check_outputs(st);
}

long stage_arg_long_as(const struct stage *st, const char *opt, const char *arg, long min, long max,
		       const char *want)
{
	long v;

	if (parse_long(arg, min, max, &v)) {
		if (want)
			stage_usage_error(st, "%s wants %s, not '%s'", opt, want, arg);
		stage_usage_error(st, "%s wants %ld..%ld, not '%s'", opt, min, max, arg);
	}
	return v;
}

long stage_arg_long(const struct stage *st, const char *opt, const char *arg, long min, long max)
{
	return stage_arg_long_as(st, opt, arg, min, max, NULL);
}

double stage_arg_double(const struct stage *st, const char *opt, const char *arg, double min, double max,
			const char *want)
{
	double v;

	if (parse_double(arg, min, max, &v))
		stage_usage_error(st, "%s wants %s, not '%s'", opt, want, arg);
	return v;
}

const char *stage_arg_field(const struct stage *st, const char *opt, const char *arg)
{
	if (jpath_check(arg) < 0)
		stage_usage_error(st, "%s: '%s' is not a field path", opt, arg);
	return arg;
}

/* "a, b, c or d" */
static void command_list(struct sbuf *out, const char *const *commands)
{
	for (size_t i = 0; commands[i]; i++)
		sbuf_addf(out, "%s%s", i ? (commands[i + 1] ? ", " : " or ") : "", commands[i]);
}

const char *stage_parse_command(struct stage *st, int argc, char **argv, const char *const *commands,
				const struct stage_optspec *own, stage_option_fn cb, void *ctx)
{
	struct sbuf list = SBUF_INIT;

	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
				  !strcmp(argv[1], "--version")))
			stage_parse_options(st, argc, argv, own, cb, ctx);
		command_list(&list, commands);
		stage_usage_error(st, "a command is required: %s", list.buf);
	}
	stage_parse_options(st, argc - 1, argv + 1, own, cb, ctx);
	for (size_t i = 0; commands[i]; i++)
		if (!strcmp(argv[1], commands[i]))
			return argv[1];
	stage_usage_error(st, "unknown command '%s'", argv[1]);
}

/* ---- the same-file guard -------------------------------------------- */

void stage_add_output(struct stage *st, const char *option, const char *path)
{
	if (!path || !strcmp(path, "-"))
		return;
	ALLOC_GROW(st->extra_outputs, st->nextra_outputs + 1, st->extra_outputs_alloc);
	st->extra_outputs[st->nextra_outputs].option = option;
	st->extra_outputs[st->nextra_outputs].path = path;
	st->nextra_outputs++;
}

/*
 * A file as the guard compares it: existing regular files by device and
 * inode (hard links and symbolic links meet there), files still to be
 * made by their absolute name. Devices, FIFOs and stdin/stdout are left
 * out: writing to /dev/null twice is fine.
 */
struct file_key {
	const char *option; /* NULL for an input */
	const char *path;
	int exists;
	dev_t dev;
	ino_t ino;
	char *abs;
};

static int file_key_get(struct file_key *k, const char *option, const char *path)
{
	struct stat sb;
	const char *slash;
	char *dir, *real;

	memset(k, 0, sizeof(*k));
	k->option = option;
	k->path = path;
	if (!path || !strcmp(path, "-"))
		return -1;
	if (stat(path, &sb) == 0) {
		if (!S_ISREG(sb.st_mode))
			return -1;
		k->exists = 1;
		k->dev = sb.st_dev;
		k->ino = sb.st_ino;
		return 0;
	}
	if (!option)
		return -1; /* a missing input fails when it is read */
	slash = strrchr(path, '/');
	dir = slash ? xstrndup(path, (size_t)(slash - path + 1)) : xstrdup(".");
	real = realpath(dir, NULL);
	k->abs = real ? xasprintf("%s/%s", real, slash ? slash + 1 : path) : xstrdup(path);
	free(real);
	free(dir);
	return 0;
}

static int file_key_cmp(const void *va, const void *vb)
{
	const struct file_key *a = va, *b = vb;

	if (a->exists != b->exists)
		return a->exists ? -1 : 1;
	if (!a->exists)
		return strcmp(a->abs, b->abs);
	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->ino != b->ino)
		return a->ino < b->ino ? -1 : 1;
	/* inputs first, so a clash names the input */
	return (a->option != NULL) - (b->option != NULL);
}

static int same_file(const struct file_key *a, const struct file_key *b)
{
	if (a->exists != b->exists)
		return 0;
	if (a->exists)
		return a->dev == b->dev && a->ino == b->ino;
	return !strcmp(a->abs, b->abs);
}

static void describe(struct sbuf *sb, const struct file_key *k)
{
	if (k->option)
		sbuf_addf(sb, "%s '%s'", k->option, k->path);
	else
		sbuf_addf(sb, "the input '%s'", k->path);
}

void stage_check_outputs(struct stage *st)
{
	size_t cap = (size_t)st->ninputs + st->nextra_outputs + 3, n = 0;
	struct file_key *keys = xcalloc(cap, sizeof(*keys));
	struct sbuf msg = SBUF_INIT;

	for (int i = 0; i < st->ninputs; i++)
		n += file_key_get(&keys[n], NULL, st->inputs[i]) == 0;
	n += file_key_get(&keys[n], "-o", st->output) == 0;
	n += file_key_get(&keys[n], "--rejects", st->rejects_path) == 0;
	n += file_key_get(&keys[n], "--stats", st->stats_path) == 0;
	for (size_t i = 0; i < st->nextra_outputs; i++)
		n += file_key_get(&keys[n], st->extra_outputs[i].option, st->extra_outputs[i].path) == 0;
	qsort(keys, n, sizeof(*keys), file_key_cmp);
	for (size_t i = 1; i < n && !msg.len; i++) {
		if (!same_file(&keys[i - 1], &keys[i]))
			continue;
		if (!keys[i - 1].option && !keys[i].option)
			continue; /* the same input twice is allowed */
		describe(&msg, &keys[i]);
		sbuf_addstr(&msg, " is the same file as ");
		describe(&msg, &keys[i - 1]);
	}
	for (size_t i = 0; i < cap; i++)
		free(keys[i].abs);
	free(keys);
	if (msg.len)
		stage_usage_error(st, "%s", msg.buf);
	sbuf_release(&msg);
}

struct record_writer_opts stage_writer_opts(const struct stage *st)
{
	struct record_writer_opts o = RECORD_WRITER_OPTS_INIT;

	o.compress = st->plain ? 0 : -1;
	o.level = st->level;
	o.workers = st->zstd_workers;
	return o;
}

void stage_open(struct stage *st)
{
	struct record_writer_opts o = stage_writer_opts(st);

	/* again: a stage may have named more outputs since parsing */
	stage_check_outputs(st);
	st->out = record_writer_open(st->output, &o);
	if (!st->out)
		exit(EXIT_FATAL);
	if (st->rejects_path) {
		o.workers = 0;
		st->rejects = record_writer_open(st->rejects_path, &o);
		if (!st->rejects)
			exit(EXIT_FATAL);
	}
}

void record_loc_format(const struct record_loc *loc, struct sbuf *out)
{
	sbuf_addf(out, "%s:%llu", loc->file ? loc->file : "<input>", (unsigned long long)loc->line);
	if (loc->index >= 0)
		sbuf_addf(out, " (element %lld)", (long long)loc->index);
}

/* Invalid UTF-8 cannot go into a JSON string: replace bad bytes with U+FFFD. */
static json_t *lossy_string(const char *s, size_t len)
{
	struct sbuf sb = SBUF_INIT;
	json_t *v;

	while (len) {
		size_t ok = utf8_valid_prefix(s, len);
		sbuf_add(&sb, s, ok);
		if (ok == len)
			break;
		sbuf_addstr(&sb, "\xef\xbf\xbd");
		s += ok + 1;
		len -= ok + 1;
	}
	v = json_stringn(sb.buf, sb.len);
	sbuf_release(&sb);
	return v;
}

#define REJECTS_SHOWN_MAX 10

/* The file name and the message quote input: escaped (core/term_escape.h). */
static void print_reject(const struct stage *st, const char *where, const char *kind,
			 const char *msg)
{
	struct sbuf line = SBUF_INIT;
	const char *parts[] = { where, kind, msg };

	sbuf_addstr(&line, st->name);
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		sbuf_addstr(&line, ": ");
		term_escape(&line, parts[i], strlen(parts[i]));
	}
	sbuf_addch(&line, '\n');
	fputs(line.buf, stderr);
	sbuf_release(&line);
}

void stage_reject(struct stage *st, const struct record_loc *loc, const json_t *rec,
		  const char *raw, size_t rawlen, const char *kind, const char *fmt, ...)
{
	struct sbuf msg = SBUF_INIT, where = SBUF_INIT;
	va_list ap;
	json_t *out, *err;

	va_start(ap, fmt);
	sbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	record_loc_format(loc, &where);
	st->records_rejected++;
	json_object_set_new(st->rejects_by_kind, kind,
			    json_integer(json_integer_value(json_object_get(st->rejects_by_kind, kind)) + 1));
	if (st->strict)
		die("%s: %s: %s", where.buf, kind, msg.buf);
	if (record_defect_is_damage(kind)) { /* damaged input fails the run, rejects or not */
		st->damaged = 1;
		fprintf(stderr, "%s: %s: %s: %s\n", st->name, where.buf, kind, msg.buf);
	} else if (!st->rejects || (!st->quiet && st->rejects_shown < 3)) {
		if (st->rejects_shown < REJECTS_SHOWN_MAX)
			print_reject(st, where.buf, kind, msg.buf);
		st->rejects_shown++;
	}
	if (st->rejects) {
		out = rec ? json_deep_copy(rec) : json_object();
		if (!rec && raw)
			json_object_set_new(out, "raw", lossy_string(raw, rawlen));
		err = json_pack("{s:s, s:s, s:s, s:s, s:I}", "stage", st->name, "kind", kind,
				"message", msg.buf, "file", loc->file ? loc->file : "<input>",
				"line", (json_int_t)loc->line);
		if (loc->index >= 0)
			json_object_set_new(err, "index", json_integer(loc->index));
		json_object_set_new(out, "error", err);
		if (record_writer_add_json(st->rejects, out) < 0)
			st->failed = 1;
		json_decref(out);
	}
	sbuf_release(&msg);
	sbuf_release(&where);
}

int stage_emit_json(struct stage *st, const json_t *rec)
{
	st->records_out++;
	return record_writer_add_json(st->out, rec);
}

int stage_emit_text(struct stage *st, const char *text, size_t len)
{
	st->records_out++;
	return record_writer_add(st->out, text, len);
}

void stage_figure_add(struct stage *st, const char *key, double n)
{
	json_t *v = json_object_get(st->figures, key);

	if (v && json_is_integer(v) && n == (double)(json_int_t)n)
		json_integer_set(v, json_integer_value(v) + (json_int_t)n);
	else if (v)
		json_object_set_new(st->figures, key, json_real(json_number_value(v) + n));
	else if (n == (double)(json_int_t)n)
		json_object_set_new(st->figures, key, json_integer((json_int_t)n));
	else
		json_object_set_new(st->figures, key, json_real(n));
}

/* ---- progress ---------------------------------------------------------- */

struct stage_progress {
	double last;
	int shown;
};

void stage_progress_tick(struct stage *st, uint64_t done, uint64_t total)
{
	double t = now_seconds(), el;
	struct sbuf line = SBUF_INIT;

	if (st->out && record_writer_tick(st->out) < 0)
		st->failed = 1;
	if (!st->progress)
		return;
	if (!st->prog)
		st->prog = xcalloc(1, sizeof(*st->prog));
	if (t - st->prog->last < 0.5)
		return;
	st->prog->last = t;
	el = t - st->t_start;
	sbuf_addf(&line, "\r%s: %llu records in, %llu out, %llu rejected, %.0f/s", st->name,
		  (unsigned long long)st->records_in, (unsigned long long)st->records_out,
		  (unsigned long long)st->records_rejected, el > 0 ? st->records_in / el : 0.0);
	if (total && done <= total && done) {
		double frac = (double)done / (double)total, eta = el / frac - el;
		sbuf_addf(&line, ", %.1f%%, ETA %d:%02d", 100 * frac, (int)(eta / 60), (int)eta % 60);
	}
	if (st->progress_extra)
		st->progress_extra(st, &line, st->progress_ctx);
	sbuf_addstr(&line, "\033[K");
	fputs(line.buf, stderr);
	st->prog->shown = 1;
	sbuf_release(&line);
}

/* ---- finishing --------------------------------------------------------- */

static int write_stats(struct stage *st)
{
	json_t *s = json_object(), *inputs = json_array();
	const char *key;
	json_t *val;
	struct sbuf text = SBUF_INIT;
	char *doc;
	int r = 0;

	for (int i = 0; i < st->ninputs; i++)
		json_array_append_new(inputs, json_string(st->inputs[i]));
	if (!st->ninputs)
		json_array_append_new(inputs, json_string("-"));
	json_object_set_new(s, "stage", json_string(st->name));
	json_object_set_new(s, "version", json_string(SMELT_VERSION));
	json_object_set_new(s, "inputs", inputs);
	json_object_set_new(s, "records_in", json_integer((json_int_t)st->records_in));
	json_object_set_new(s, "records_out", json_integer((json_int_t)st->records_out));
	json_object_set_new(s, "records_rejected", json_integer((json_int_t)st->records_rejected));
	json_object_set(s, "rejects_by_kind", st->rejects_by_kind);
	json_object_set_new(s, "wall_seconds", json_real(now_seconds() - st->t_start));
	json_object_set_new(s, "cpu_seconds", json_real(cpu_seconds() - st->cpu_start));
	json_object_set_new(s, "max_rss_kb", json_integer(peak_rss_kb()));
	json_object_foreach(st->figures, key, val)
		json_object_set(s, key, val);
	doc = json_dumps(s, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
	sbuf_addstr(&text, doc);
	free(doc);
	sbuf_addch(&text, '\n');
	if (atomic_file_write(st->stats_path, text.buf, text.len, 0666) < 0)
		r = error("cannot write stats to '%s'", st->stats_path);
	sbuf_release(&text);
	json_decref(s);
	return r;
}

/*
 * Outputs are committed only by a clean finish (exit 0, or 3: the records
 * written are complete, but records were rejected without a sink, over
 * --max-reject-ratio, or because the input was damaged). A fatal
 * error or a stop signal aborts them all: the final names keep what they
 * held before.
 */
int stage_finish(struct stage *st)
{
	int code = st->failed ? EXIT_FATAL : 0, sig = stage_stop_signal();
	int sink = st->rejects != NULL;

	if (st->prog && st->prog->shown)
		fputc('\n', stderr);
	if (!code && !sig && st->out && record_writer_close(st->out) < 0)
		code = EXIT_FATAL;
	else if (code || sig)
		record_writer_abort(st->out);
	st->out = NULL;
	if (!code && !sig && st->rejects && record_writer_close(st->rejects) < 0)
		code = EXIT_FATAL;
	else if (code || sig)
		record_writer_abort(st->rejects);
	st->rejects = NULL;
	if (sig) {
		stage_stop_report();
		code = 128 + sig;
		goto out;
	}
	if (!code && st->stats_path && write_stats(st) < 0)
		code = EXIT_FATAL;
	if (st->rejects_shown > REJECTS_SHOWN_MAX && !sink)
		fprintf(stderr, "%s: ... %llu more rejected records not shown\n", st->name,
			(unsigned long long)(st->rejects_shown - REJECTS_SHOWN_MAX));
	if (!code && st->records_rejected) {
		if (!sink) {
			fprintf(stderr, "%s: %llu of %llu records rejected and no --rejects file was given\n",
				st->name, (unsigned long long)st->records_rejected,
				(unsigned long long)st->records_in);
			code = EXIT_REJECTS;
		} else if (st->max_reject_ratio >= 0 && st->records_in &&
			   (double)st->records_rejected / (double)st->records_in > st->max_reject_ratio) {
			fprintf(stderr, "%s: %llu of %llu records rejected: more than --max-reject-ratio %g\n",
				st->name, (unsigned long long)st->records_rejected,
				(unsigned long long)st->records_in, st->max_reject_ratio);
			code = EXIT_REJECTS;
		}
	}
	/*
	 * Damaged input (a checksum that failed, garbage after the data): the
	 * records read are written and the damage is in the rejects, but the
	 * run must not look clean, --rejects or not.
	 */
	if (!code && st->damaged)
		code = EXIT_REJECTS;
	if (!st->quiet && st->progress)
		fprintf(stderr, "%s: %llu records in, %llu out, %llu rejected in %.1fs\n", st->name,
			(unsigned long long)st->records_in, (unsigned long long)st->records_out,
			(unsigned long long)st->records_rejected, now_seconds() - st->t_start);
out:
	json_decref(st->rejects_by_kind);
	json_decref(st->figures);
	free(st->prog);
	free(st->options);
	st->prog = NULL;
	st->options = NULL;
	free(st->extra_outputs);
	st->extra_outputs = NULL;
	return code;
}
