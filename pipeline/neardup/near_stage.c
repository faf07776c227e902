/*
 * near_stage.c — signing and filtering in the record loop, and the
 * one-process run (see near_stage.h).
 */
#include "neardup/near_stage.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json/json_path.h"
#include "stage/stage_stop.h"
#include "neardup/bucket.h"
#include "neardup/neardup_report.h"
#include "text/record_key.h"

void neardup_signer_setup(struct stage *st, struct neardup_signer *s)
{
	if (record_key_split_paths(s->fields_arg, &s->fields, &s->nfields) < 0)
		stage_usage_error(st, "--fields: bad path list '%s' (paths separated by commas)",
				  s->fields_arg);
	if (s->perms < 1 || s->perms > MINHASH_MAX_PERMS)
		stage_usage_error(st, "--perms wants 1..%d", MINHASH_MAX_PERMS);
	minhash_init(&s->mh, s->perms, s->seed);
}

void neardup_signer_release(struct neardup_signer *s)
{
	for (size_t i = 0; i < s->nfields; i++)
		free(s->fields[i]);
	free(s->fields);
	s->fields = NULL;
	s->nfields = 0;
	minhash_release(&s->mh);
}

struct sig_params neardup_signer_params(const struct neardup_signer *s)
{
	return (struct sig_params){ .perms = s->perms, .ngram = s->ngram, .mode = (int)s->mode,
				    .seed = s->seed };
}

int neardup_parse_mode(const char *arg, enum shingle_mode *mode)
{
	if (!strcmp(arg, "auto"))
		*mode = SHINGLE_AUTO;
	else if (!strcmp(arg, "words"))
		*mode = SHINGLE_WORDS;
	else if (!strcmp(arg, "chars"))
		*mode = SHINGLE_CHARS;
	else
		return -1;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The number a --keep highest field holds, NaN if none. */
static double score_of(const json_t *rec, const char *field)
{
	const json_t *v = field ? jpath_get(rec, field) : NULL;

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Cut at most `max` bytes of s at a UTF-8 boundary. */
static size_t clip_utf8(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/* Worker threads: the record's entry, encoded into rec->aux. */
static int sign_map(struct record *rec, void *vctx)
{
	struct neardup_signer *s = vctx;
	struct sbuf text = SBUF_INIT, source = SBUF_INIT;
	struct shingle_set set = { 0 };
	const json_t *id = json_object_get(rec->json, "id");
	const json_t *src = s->source_field ? jpath_get(rec->json, s->source_field) : NULL;
	uint32_t *sig = NULL, *small = NULL;
	struct sig_entry e = { .seq = rec->seq, .score = score_of(rec->json, s->score_field) };
	int r = shingle_text(rec->json, s->fields, s->nfields, &text);

	e.id = json_string_value(id);
	e.id_len = json_string_length(id);
	if (src) {
		record_key_text(&source, src);
		e.source = source.buf;
		e.source_len = clip_utf8(source.buf, source.len, SIG_SOURCE_MAX);
	}
	if (r == 1) {
		e.status = SIG_MISSING_FIELD;
	} else if (r < 0) {
		e.status = SIG_BAD_TEXT;
	} else {
		shingle_set_build(&set, text.buf, text.len, s->ngram, s->mode);
		small = xmalloc(set.n * sizeof(*small));
		size_t n = 0;
		for (size_t i = 0; i < set.n; i++)
			small[i] = (uint32_t)set.h[i];
		qsort(small, set.n, sizeof(*small), cmp_u32);
		for (size_t i = 0; i < set.n; i++)
			if (!n || small[n - 1] != small[i])
				small[n++] = small[i];
		sig = xmalloc((size_t)s->perms * sizeof(*sig));
		minhash_sign(&s->mh, set.h, set.n, sig);
		e.shingles = small;
		e.nshingles = n;
		e.sig = sig;
		e.length = (double)text.len;
		e.snippet = text.buf;
		e.snippet_len = clip_utf8(text.buf, text.len, SIG_SNIPPET_MAX);
	}
	sbuf_reset(&rec->aux);
	sig_entry_encode(&rec->aux, &e, s->perms);
	free(small);
	free(sig);
	shingle_set_release(&set);
	sbuf_release(&text);
	sbuf_release(&source);
	return STAGE_KEEP;
}

/* Main thread, input order: append the entry. */
static int sign_serial(struct stage *st, struct record *rec, void *vctx)
{
	struct neardup_signer *s = vctx;
	uint32_t status;

	(void)st;
	memcpy(&status, rec->aux.buf + 4, 4);
	if (status != SIG_OK)
		s->unusable++;
	return sig_writer_add(s->out, rec->aux.buf, rec->aux.len) < 0 ? -1 : 1;
}

const struct stage_ops neardup_sign_ops = { .map = sign_map, .serial = sign_serial, .require_id = 1 };

/* ---- filter ---- */

static int decision_read(struct neardup_filter *f, json_t **out)
{
	*out = NULL;
	if (f->rd) {
		int got = record_reader_next(f->rd, &f->raw);
		if (got <= 0)
			return got;
		if (f->raw.defect)
			return error("%s: %s", f->source, f->raw.defect_msg ? f->raw.defect_msg : f->raw.defect);
		*out = json_loadb(f->raw.text.buf, f->raw.text.len, 0, NULL);
	} else {
		ssize_t n = getline(&f->line, &f->line_cap, f->fp);
		if (n < 0)
			return ferror(f->fp) ? error("%s: %s", f->source, strerror(errno)) : 0;
		*out = json_loadb(f->line, (size_t)n, 0, NULL);
	}
	if (!*out || !json_is_integer(json_object_get(*out, "shard")) ||
	    !json_is_integer(json_object_get(*out, "seq")) || !json_is_string(json_object_get(*out, "id")) ||
	    !json_is_string(json_object_get(*out, "kind"))) {
		json_decref(*out);
		*out = NULL;
		return error("%s: not a decision of smelt-minhash cluster", f->source);
	}
	return 1;
}

/* Move to the first decision of this shard at or after `seq`. 0 or -1. */
static int decision_seek(struct neardup_filter *f, uint64_t seq)
{
	for (;;) {
		if (!f->next && !f->ended) {
			int got = decision_read(f, &f->next);
			if (got < 0)
				return -1;
			if (!got)
				f->ended = 1;
		}
		if (!f->next)
			return 0;
		json_int_t shard = json_integer_value(json_object_get(f->next, "shard"));
		json_int_t at = json_integer_value(json_object_get(f->next, "seq"));
		if (shard > f->shard || (shard == f->shard && (uint64_t)at >= seq))
			return 0;
		json_decref(f->next);
		f->next = NULL;
	}
}

int neardup_filter_open(struct neardup_filter *f, const char *path, FILE *fp, int shard)
{
	memset(f, 0, sizeof(*f));
	f->shard = shard;
	raw_record_init(&f->raw);
	if (path) {
		f->source = path;
		f->rd = record_reader_open(path);
		return f->rd ? 0 : -1;
	}
	f->source = "the decisions";
	f->fp = fp;
	return 0;
}

void neardup_filter_close(struct neardup_filter *f)
{
	if (f->rd)
		record_reader_close(f->rd);
	raw_record_release(&f->raw);
	free(f->line);
	json_decref(f->next);
	f->next = NULL;
	f->rd = NULL;
}

static int filter_map(struct record *rec, void *vctx)
{
	const json_t *id = json_object_get(rec->json, "id");

	(void)vctx;
	sbuf_reset(&rec->aux);
	sbuf_add(&rec->aux, json_string_value(id), json_string_length(id));
	return STAGE_KEEP;
}

static void reject_near(struct stage *st, struct record *rec, const json_t *d)
{
	const char *kind = json_string_value(json_object_get(d, "kind"));
	json_t *json = json_loadb(rec->text.buf, rec->text.len, 0, NULL);

	if (strcmp(kind, "near_duplicate")) {
		stage_reject(st, &rec->loc, json, rec->text.buf, rec->text.len, kind,
			     "%s", !strcmp(kind, "missing_field") ? "none of the compared fields is present"
								  : "the compared fields cannot be normalised");
		json_decref(json);
		return;
	}
	const char *kept = json_string_value(json_object_get(d, "kept"));
	double sim = json_number_value(json_object_get(d, "similarity"));
	if (json) {
		json_object_set(json, "near_duplicate_of", json_object_get(d, "kept"));
		json_object_set(json, "similarity", json_object_get(d, "similarity"));
		json_object_set(json, "jaccard", json_object_get(d, "jaccard"));
	}
	stage_reject(st, &rec->loc, json, rec->text.buf, rec->text.len, "near_duplicate",
		     "near duplicate of '%s' (estimated similarity %.3f)", kept ? kept : "?", sim);
	json_decref(json);
}

static int filter_serial(struct stage *st, struct record *rec, void *vctx)
{
	struct neardup_filter *f = vctx;

	if (decision_seek(f, rec->seq) < 0)
		return -1;
	if (!f->next || json_integer_value(json_object_get(f->next, "shard")) != f->shard ||
	    (uint64_t)json_integer_value(json_object_get(f->next, "seq")) != rec->seq)
		return 0;
	const json_t *id = json_object_get(f->next, "id");
	if (json_string_length(id) != rec->aux.len || memcmp(json_string_value(id), rec->aux.buf, rec->aux.len))
		return error("%s: the decision for record %llu names id '%s', the input has '%.*s': "
			     "not the input (or --shard) these decisions were made for",
			     f->source, (unsigned long long)rec->seq, json_string_value(id),
			     (int)rec->aux.len, rec->aux.buf);
	f->removed++;
	reject_near(st, rec, f->next);
	json_decref(f->next);
	f->next = NULL;
	return 1;
}

const struct stage_ops neardup_filter_ops = { .map = filter_map, .serial = filter_serial,
					      .require_id = 1 };

/* ---- one process ---- */

static int emit_line(const json_t *d, void *ctx)
{
	if (json_dumpf(d, ctx, JSON_COMPACT) < 0 || fputc('\n', ctx) == EOF)
		return error("cannot write the decisions: %s", strerror(errno));
	return 0;
}

/*
 * Pass 1 signs only: whatever it rejects (records that do not parse, have
 * no id) pass 2 rejects again, so its rejects go nowhere and its counts
 * are forgotten.
 */
static int sign_pass(struct stage *st, struct neardup_signer *s)
{
	struct record_writer_opts wo = stage_writer_opts(st);
	struct record_writer *saved = st->rejects;
	json_t *kinds = json_deep_copy(st->rejects_by_kind);
	uint64_t shown = st->rejects_shown;
	int quiet = st->quiet, damaged = st->damaged, r;

	wo.workers = 0;
	st->rejects = record_writer_open("/dev/null", &wo);
	if (!st->rejects) {
		st->rejects = saved;
		json_decref(kinds);
		return -1;
	}
	st->quiet = 1;
	r = stage_run(st, &neardup_sign_ops, s);
	if (record_writer_close(st->rejects) < 0)
		r = -1;
	st->rejects = saved;
	st->quiet = quiet;
	st->damaged = damaged;
	st->rejects_shown = shown;
	st->records_in = st->records_rejected = 0;
	json_decref(st->rejects_by_kind);
	st->rejects_by_kind = kinds;
	return r;
}

/*
 * A temporary in $TMPDIR (else /tmp), unlinked at once so that nothing is
 * left behind even after kill -9, and named by /proc/self/fd/N so that the
 * signature and pair code can open it by name. *fd stays open until the
 * run ends. NULL after error().
 */
static char *unlinked_temp(const char *what, int *fd)
{
	const char *dir = getenv("TMPDIR");
	char *path = xasprintf("%s/smelt-near-%s-XXXXXX", dir && *dir ? dir : "/tmp", what);

	*fd = mkstemp(path);
	if (*fd < 0) {
		error("cannot create a temporary file '%s': %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	unlink(path);
	free(path);
	return xasprintf("/proc/self/fd/%d", *fd);
}

/*
 * The input is read twice: stdin and other streams are first copied as
 * they are (any compression) to an unlinked temporary, read through
 * /proc/self/fd/N — which is then the file name rejects carry.
 */
struct spooled {
	char **inputs; /* what stage_run reads */
	int n, *fds;
	char **saved;
	int nsaved;
};

static int spool_one(const char *name, int *fd_out, char **path_out)
{
	int in = strcmp(name, "-") ? open(name, O_RDONLY | O_CLOEXEC) : 0;
	int fd = -1;
	char buf[1 << 16];
	ssize_t n;

	if (in < 0) {
		error("cannot open '%s': %s", name, strerror(errno));
		return -1;
	}
	*path_out = unlinked_temp("input", &fd);
	if (!*path_out)
		goto fail;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || neardup_write_all(fd, buf, (size_t)n, "copy of the input") < 0) {
			if (n < 0)
				error("cannot read '%s': %s", name, strerror(errno));
			goto fail;
		}
	}
	if (in > 0)
		close(in);
	*fd_out = fd;
	return 0;
fail:
	free(*path_out);
	*path_out = NULL;
	if (in > 0)
		close(in);
	if (fd >= 0)
		close(fd);
	return -1;
}

static int spool_streams(struct stage *st, struct spooled *sp)
{
	static char *stdin_only[] = { "-" };
	char **in = st->ninputs ? st->inputs : stdin_only;
	int n = st->ninputs ? st->ninputs : 1;
	struct stat sb;

	memset(sp, 0, sizeof(*sp));
	sp->n = n;
	sp->inputs = xcalloc((size_t)n, sizeof(*sp->inputs));
	sp->fds = xcalloc((size_t)n, sizeof(*sp->fds));
	for (int i = 0; i < n; i++) {
		sp->fds[i] = -1;
		sp->inputs[i] = xstrdup(in[i]);
		if (strcmp(in[i], "-") && stat(in[i], &sb) == 0 && S_ISREG(sb.st_mode))
			continue;
		free(sp->inputs[i]);
		sp->inputs[i] = NULL;
		if (spool_one(in[i], &sp->fds[i], &sp->inputs[i]) < 0)
			return -1;
	}
	sp->saved = st->inputs;
	sp->nsaved = st->ninputs;
	st->inputs = sp->inputs;
	st->ninputs = n;
	return 0;
}

static void spool_release(struct stage *st, struct spooled *sp)
{
	if (sp->saved || sp->nsaved) {
		st->inputs = sp->saved;
		st->ninputs = sp->nsaved;
	}
	for (int i = 0; i < sp->n; i++) {
		free(sp->inputs ? sp->inputs[i] : NULL);
		if (sp->fds && sp->fds[i] >= 0)
			close(sp->fds[i]);
	}
	free(sp->inputs);
	free(sp->fds);
}

int neardup_local_run(struct stage *st, struct neardup_local *o)
{
	int sig_fd = -1, pairs_fd = -1;
	char *sig = unlinked_temp("sig", &sig_fd), *pairs = unlinked_temp("pairs", &pairs_fd);
	struct sig_params params = neardup_signer_params(&o->signer);
	struct bucket_opts bo = { .bands = o->bands, .rows = o->rows, .band_to = o->bands,
				  .memory = o->cluster.memory, .scratch = 1 };
	struct bucket_figures bf;
	struct cluster_figures cf;
	struct neardup_report *report = o->report_path ? neardup_report_new(o->cluster.threshold) : NULL;
	struct neardup_filter f = { 0 };
	FILE *decisions = tmpfile();
	struct spooled sp;
	int r = -1;

	if (spool_streams(st, &sp) < 0)
		goto out;
	if (!sig || !pairs || !decisions) {
		if (!decisions)
			error("cannot create a temporary file: %s", strerror(errno));
		goto out;
	}
	o->signer.out = sig_writer_open(sig, &params, 1);
	if (!o->signer.out)
		goto out;
	if (sign_pass(st, &o->signer) < 0 || stage_stop_signal()) {
		sig_writer_abort(o->signer.out);
		goto out;
	}
	r = sig_writer_close(o->signer.out);
	if (r < 0)
		goto out;
	r = -1;
	if (bucket_run(&sig, 1, &bo, pairs, &bf) < 0 ||
	    cluster_run(&sig, 1, &pairs, 1, &o->cluster, emit_line, decisions, report, &cf) < 0)
		goto out;
	if (fflush(decisions) || fseek(decisions, 0, SEEK_SET)) {
		error("cannot read the decisions back: %s", strerror(errno));
		goto out;
	}
	if (neardup_filter_open(&f, NULL, decisions, 0) < 0)
		goto out;
	r = stage_run(st, &neardup_filter_ops, &f);
	neardup_filter_close(&f);
	if (r == 0 && report && !st->failed && neardup_report_write(report, &cf, o->report_path) < 0)
		r = -1;
	json_object_set_new(st->figures, "near", json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:f}",
			    "signed", (json_int_t)cf.signed_ok, "candidate_pairs", (json_int_t)bf.pairs,
			    "pairs_refused", (json_int_t)cf.pairs_refused, "clusters", (json_int_t)cf.clusters,
			    "removed", (json_int_t)cf.removed, "sort_runs", (json_int_t)bf.runs,
			    "bands", o->bands, "rows", o->rows, "threshold", o->cluster.threshold));
out:
	spool_release(st, &sp);
	if (decisions)
		fclose(decisions);
	if (sig_fd >= 0)
		close(sig_fd);
	if (pairs_fd >= 0)
		close(pairs_fd);
	free(sig);
	free(pairs);
	neardup_report_free(report);
	return r;
}
