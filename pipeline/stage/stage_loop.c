/*
 * stage_loop.c — the record loop behind stage_run.
 *
 * The main thread reads records (decompression and splitting) into batches
 * and hands each batch to a pool of workers, which parse, run the stage's
 * map function and serialise the output. The main thread then takes the
 * batches back in the order it sent them, runs the stage's serial step and
 * writes. A bounded number of batches is in flight, so memory stays flat
 * whatever the input size, and output order is input order. A stop
 * signal (stage_stop.h, graceful stages only) ends the reading; what is
 * in flight is still finished.
 */
#include "stage/stage_loop.h"

#include "stage/stage.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "core/hash.h"
#include "io/provenance.h"
#include "json/json_canon.h"
#include "json/json_write.h"
#include "stage/stage_stop.h"

#define BATCH_RECORDS 512
#define BATCH_BYTES (2u << 20)
/* A record buffer grown past this by one huge record is freed after use. */
#define KEEP_BUFFER_MAX (4u << 20)

struct batch {
	struct record *recs;
	size_t n, alloc;
	int done;
	struct sbuf frame; /* kept records as one zstd frame (compressing workers) */
	size_t frame_records;
	struct batch *next; /* work queue link */
};

struct loop {
	struct stage *st;
	const struct stage_ops *ops;
	void *ctx;
	pthread_mutex_t mu;
	pthread_cond_t work_cv, done_cv;
	struct batch *queue_head, *queue_tail;
	int stop;
	pthread_t *workers;
	int nworkers;
	struct batch **ring; /* batches in flight, oldest first */
	size_t ring_cap, ring_start, ring_len;
	struct batch *free_list;
	int fast_path; /* records pass through unchanged: try json_canon first */
	/*
	 * Workers compress each batch's output into a zstd frame of its own
	 * when records go straight to a compressed output (no serial step):
	 * compression then runs on every core instead of one, and the frames
	 * double as the periodic frame ends that keep a killed stage's output
	 * readable.
	 */
	int compress_in_workers;
};

int record_reject(struct record *rec, const char *kind, const char *fmt, ...)
{
	va_list ap;

	rec->reject_kind = kind;
	sbuf_reset(&rec->reject_msg);
	va_start(ap, fmt);
	sbuf_vaddf(&rec->reject_msg, fmt, ap);
	va_end(ap);
	rec->verdict = STAGE_REJECT;
	return STAGE_REJECT;
}

int record_replace(struct record *rec, json_t *out, json_t *entry)
{
	if (provenance_append(out, entry) < 0) {
		json_decref(out);
		return record_reject(rec, "bad_field_type", "\"provenance\" is not a list");
	}
	json_decref(rec->json);
	rec->json = out;
	return STAGE_KEEP;
}

/*
 * What a map_only_without_id map (smelt-cat's) does to a record whose id is
 * missing or an integer, on its canonical text `t`: the content hash of
 * the text becomes its first member, or the integer's digits are quoted.
 */
static void id_on_text(struct sbuf *t, const struct json_canon_info *info)
{
	if (info->id_type == 3) {
		size_t end = info->id_off + info->id_len, tail = t->len - end;
		sbuf_grow(t, 2);
		char *b = t->buf;
		memmove(b + end + 2, b + end, tail);
		memmove(b + info->id_off + 1, b + info->id_off, info->id_len);
		b[info->id_off] = b[end + 1] = '"';
		sbuf_setlen(t, t->len + 2);
		return;
	}
	/* {"id":"<32 hex>", then the members after the brace ("," unless none) */
	char head[8 + HASH128_HEX_LEN + 2] = "{\"id\":\"";
	hash128_hex(hash128(t->buf, t->len), head + 7);
	size_t n = 7 + HASH128_HEX_LEN;
	head[n++] = '"';
	if (t->len > 2) /* not "{}" */
		head[n++] = ',';
	sbuf_grow(t, n - 1);
	memmove(t->buf + n, t->buf + 1, t->len - 1);
	memcpy(t->buf, head, n);
	sbuf_setlen(t, t->len + n - 1);
}

/*
 * Records that pass through unchanged are re-serialised by json_canon
 * without a tree; anything unusual (or rejected) takes the jansson path,
 * which gives the same bytes or the exact error.
 */
static int pass_through(const struct stage_ops *ops, struct record *rec, struct sbuf *tmp)
{
	struct json_canon_info info;

	sbuf_reset(tmp);
	if (json_canon(rec->text.buf, rec->text.len, tmp, &info) < 0)
		return -1;
	if (ops->map_only_without_id && !ops->require_id && (info.id_type == 0 || info.id_type == 3))
		id_on_text(tmp, &info);
	else if ((ops->require_id || ops->map) && info.id_type != 1)
		return -1;
	sbuf_addch(tmp, '\n');
	struct sbuf t = rec->text;
	rec->text = *tmp;
	*tmp = t;
	rec->nout = 1;
	rec->verdict = STAGE_KEEP;
	return 0;
}

/* Everything a worker does to one record. */
static void process_record(struct loop *lp, struct record *rec, struct sbuf *tmp)
{
	const struct stage_ops *ops = lp->ops;

	if (!rec->parse_failed && lp->fast_path && pass_through(ops, rec, tmp) == 0)
		return;
	if (!rec->parse_failed) {
		const char *kind = NULL;
		sbuf_reset(&rec->reject_msg);
		struct raw_record raw = { rec->text, rec->loc, NULL, NULL };
		rec->json = record_parse(&raw, &kind, &rec->reject_msg);
		if (!rec->json) {
			rec->parse_failed = 1;
			rec->reject_kind = kind;
		}
	}
	if (rec->parse_failed) {
		rec->verdict = STAGE_REJECT;
		return;
	}
	if (ops->require_id) {
		json_t *id = json_object_get(rec->json, "id");
		if (!id) {
			record_reject(rec, "missing_id", "record has no \"id\" (smelt-cat --ids assigns one)");
			return;
		}
		if (!json_is_string(id)) {
			record_reject(rec, "bad_field_type", "\"id\" must be a string, not %s",
				      json_is_integer(id) ? "a number" : "another type");
			return;
		}
	}
	rec->verdict = ops->map ? (enum stage_verdict)ops->map(rec, lp->ctx) : STAGE_KEEP;
	if (rec->verdict != STAGE_KEEP)
		return;
	sbuf_reset(&rec->text);
	rec->nout = 0;
	if (rec->outputs) {
		size_t i;
		json_t *o;
		json_array_foreach(rec->outputs, i, o) {
			json_write(&rec->text, o);
			sbuf_addch(&rec->text, '\n');
			rec->nout++;
		}
	} else {
		json_write(&rec->text, rec->json);
		sbuf_addch(&rec->text, '\n');
		rec->nout = 1;
	}
	if (!ops->keep_json) {
		json_decref(rec->json);
		rec->json = NULL;
		json_decref(rec->outputs);
		rec->outputs = NULL;
	}
}

/* Compress the batch's kept records into b->frame with the worker's context. */
static void compress_batch(struct loop *lp, struct batch *b, ZSTD_CCtx *cctx)
{
	ZSTD_CCtx_reset(cctx, ZSTD_reset_session_only);
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, lp->st->level);
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
	sbuf_reset(&b->frame);
	b->frame_records = 0;
	for (size_t i = 0; i <= b->n; i++) {
		int last = i == b->n;
		struct record *rec = last ? NULL : &b->recs[i];
		if (!last && rec->verdict != STAGE_KEEP)
			continue;
		ZSTD_inBuffer in = { last ? "" : rec->text.buf, last ? 0 : rec->text.len, 0 };
		size_t left;
		do {
			sbuf_grow(&b->frame, ZSTD_CStreamOutSize());
			ZSTD_outBuffer out = { b->frame.buf + b->frame.len, b->frame.alloc - b->frame.len - 1, 0 };
			left = ZSTD_compressStream2(cctx, &out, &in, last ? ZSTD_e_end : ZSTD_e_continue);
			if (ZSTD_isError(left))
				die("cannot compress output: %s", ZSTD_getErrorName(left));
			sbuf_setlen(&b->frame, b->frame.len + out.pos);
		} while (last ? left != 0 : in.pos < in.size);
		if (!last)
			b->frame_records += rec->nout;
	}
}

static void process_batch(struct loop *lp, struct batch *b, ZSTD_CCtx *cctx)
{
	struct sbuf tmp = SBUF_INIT;

	for (size_t i = 0; i < b->n; i++)
		process_record(lp, &b->recs[i], &tmp);
	sbuf_release(&tmp);
	if (cctx)
		compress_batch(lp, b, cctx);
}

static void *worker_main(void *arg)
{
	struct loop *lp = arg;
	ZSTD_CCtx *cctx = NULL;

	if (lp->compress_in_workers && !(cctx = ZSTD_createCCtx()))
		die("out of memory creating a zstd context");

	pthread_mutex_lock(&lp->mu);
	for (;;) {
		while (!lp->queue_head && !lp->stop)
			pthread_cond_wait(&lp->work_cv, &lp->mu);
		if (!lp->queue_head)
			break;
		struct batch *b = lp->queue_head;
		lp->queue_head = b->next;
		if (!lp->queue_head)
			lp->queue_tail = NULL;
		pthread_mutex_unlock(&lp->mu);
		process_batch(lp, b, cctx);
		pthread_mutex_lock(&lp->mu);
		b->done = 1;
		pthread_cond_broadcast(&lp->done_cv);
	}
	pthread_mutex_unlock(&lp->mu);
	ZSTD_freeCCtx(cctx);
	return NULL;
}

static struct batch *batch_get(struct loop *lp)
{
	struct batch *b = lp->free_list;

	if (b) {
		lp->free_list = b->next;
	} else {
		b = xcalloc(1, sizeof(*b));
	}
	b->n = 0;
	b->done = 0;
	b->next = NULL;
	return b;
}

static void record_clear(struct record *rec)
{
	json_decref(rec->json);
	json_decref(rec->outputs);
	rec->json = rec->outputs = NULL;
	rec->parse_failed = 0;
	rec->reject_kind = NULL;
	rec->verdict = STAGE_KEEP;
	rec->nout = 0;
	memset(rec->scratch, 0, sizeof(rec->scratch));
	if (rec->text.alloc > KEEP_BUFFER_MAX)
		sbuf_release(&rec->text);
	if (rec->reject_msg.alloc > KEEP_BUFFER_MAX)
		sbuf_release(&rec->reject_msg);
	if (rec->aux.alloc > KEEP_BUFFER_MAX)
		sbuf_release(&rec->aux);
	sbuf_reset(&rec->aux);
}

static struct record *batch_slot(struct batch *b)
{
	if (b->n == b->alloc) {
		size_t old = b->alloc;
		ALLOC_GROW(b->recs, b->n + 1, b->alloc);
		for (size_t i = old; i < b->alloc; i++) {
			memset(&b->recs[i], 0, sizeof(b->recs[i]));
			sbuf_init(&b->recs[i].text, 0);
			sbuf_init(&b->recs[i].reject_msg, 0);
			sbuf_init(&b->recs[i].aux, 0);
		}
	}
	return &b->recs[b->n];
}

static void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->alloc; i++) {
		record_clear(&b->recs[i]);
		sbuf_release(&b->recs[i].text);
		sbuf_release(&b->recs[i].reject_msg);
		sbuf_release(&b->recs[i].aux);
	}
	free(b->recs);
	sbuf_release(&b->frame);
	free(b);
}

/* Write out one finished batch, in order. Returns -1 on a fatal error. */
static int finish_batch(struct loop *lp, struct batch *b)
{
	struct stage *st = lp->st;
	int r = 0;

	for (size_t i = 0; i < b->n; i++) {
		struct record *rec = &b->recs[i];
		if (r == 0 && rec->verdict == STAGE_REJECT) {
			stage_reject(st, &rec->loc, rec->json, rec->json ? NULL : rec->text.buf,
				     rec->text.len, rec->reject_kind ? rec->reject_kind : "rejected", "%s",
				     rec->reject_msg.len ? rec->reject_msg.buf : "rejected by the stage");
		} else if (r == 0 && rec->verdict == STAGE_KEEP) {
			int consumed = 0;
			if (lp->ops->serial) {
				consumed = lp->ops->serial(st, rec, lp->ctx);
				if (consumed < 0)
					r = -1;
			}
			if (!consumed && !lp->compress_in_workers) {
				st->records_out += rec->nout;
				if (record_writer_add_lines(st->out, rec->text.buf, rec->text.len,
							    rec->nout) < 0)
					r = -1;
			}
		}
		record_clear(rec);
	}
	if (r == 0 && lp->compress_in_workers && b->frame_records) {
		st->records_out += b->frame_records;
		if (record_writer_add_frame(st->out, b->frame.buf, b->frame.len, b->frame_records) < 0)
			r = -1;
	}
	if (b->frame.alloc > KEEP_BUFFER_MAX)
		sbuf_release(&b->frame);
	b->next = lp->free_list;
	lp->free_list = b;
	if (st->failed)
		r = -1;
	return r;
}

static void submit(struct loop *lp, struct batch *b)
{
	if (lp->nworkers == 0) {
		process_batch(lp, b, NULL);
		b->done = 1;
	} else {
		pthread_mutex_lock(&lp->mu);
		if (lp->queue_tail)
			lp->queue_tail->next = b;
		else
			lp->queue_head = b;
		lp->queue_tail = b;
		pthread_cond_signal(&lp->work_cv);
		pthread_mutex_unlock(&lp->mu);
	}
	lp->ring[(lp->ring_start + lp->ring_len) % lp->ring_cap] = b;
	lp->ring_len++;
}

/* Wait for the oldest batch in flight and write it. */
static int retire_oldest(struct loop *lp)
{
	struct batch *b = lp->ring[lp->ring_start];

	if (lp->nworkers) {
		pthread_mutex_lock(&lp->mu);
		while (!b->done)
			pthread_cond_wait(&lp->done_cv, &lp->mu);
		pthread_mutex_unlock(&lp->mu);
	}
	lp->ring_start = (lp->ring_start + 1) % lp->ring_cap;
	lp->ring_len--;
	return finish_batch(lp, b);
}

static uint64_t total_size;

int stage_run(struct stage *st, const struct stage_ops *ops, void *ctx)
{
	static char *stdin_only[] = { "-" };
	char **inputs = st->ninputs ? st->inputs : stdin_only;
	int ninputs = st->ninputs ? st->ninputs : 1;
	struct loop lp = { .st = st, .ops = ops, .ctx = ctx };
	struct raw_record raw;
	uint64_t done_bytes = 0, seq = 0;
	int r = 0;

	raw_record_init(&raw);
	/* SMELT_NO_FAST_PATH=1 forces the jansson path (tests compare both). */
	lp.fast_path = (!ops->map || ops->map_only_without_id) && !ops->keep_json &&
		       !getenv("SMELT_NO_FAST_PATH");
	lp.compress_in_workers = !ops->serial && st->threads > 1 && record_writer_is_zstd(st->out);
	pthread_mutex_init(&lp.mu, NULL);
	pthread_cond_init(&lp.work_cv, NULL);
	pthread_cond_init(&lp.done_cv, NULL);
	lp.nworkers = st->threads > 1 ? st->threads : 0;
	lp.ring_cap = (size_t)(lp.nworkers ? 2 * lp.nworkers + 2 : 1);
	lp.ring = xcalloc(lp.ring_cap, sizeof(*lp.ring));
	lp.workers = xcalloc((size_t)lp.nworkers + 1, sizeof(*lp.workers));
	for (int i = 0; i < lp.nworkers; i++)
		if (pthread_create(&lp.workers[i], NULL, worker_main, &lp))
			die("cannot start a worker thread");

	total_size = 0;
	for (int f = 0; f < ninputs && r == 0 && !stage_stop_signal(); f++) {
		struct record_reader *rd = record_reader_open(inputs[f]);
		const char *shown = strcmp(inputs[f], "-") ? inputs[f] : "<stdin>";
		struct batch *b = NULL;
		size_t bytes = 0;

		if (!rd) {
			r = -1;
			break;
		}
		total_size += record_reader_size(rd);
		for (;;) {
			if (stage_stop_signal())
				break; /* the partial batch is dropped: the outputs are aborted */
			int got = record_reader_next(rd, &raw);
			if (got < 0) {
				r = -1;
				break;
			}
			if (got > 0) {
				if (!b) {
					b = batch_get(&lp);
					bytes = 0;
				}
				struct record *rec = batch_slot(b);
				struct sbuf tmp = rec->text;
				rec->text = raw.text; /* swap: no copy of the record's bytes */
				raw.text = tmp;
				rec->loc = raw.loc;
				rec->loc.file = shown;
				rec->seq = seq++;
				if (raw.defect) {
					rec->parse_failed = 1;
					rec->reject_kind = raw.defect;
					sbuf_reset(&rec->reject_msg);
					sbuf_addstr(&rec->reject_msg, raw.defect_msg ? raw.defect_msg : raw.defect);
				}
				b->n++;
				bytes += rec->text.len;
				st->records_in++;
			}
			if (b && (got == 0 || b->n >= BATCH_RECORDS || bytes >= BATCH_BYTES)) {
				if (lp.ring_len == lp.ring_cap && retire_oldest(&lp) < 0)
					r = -1;
				submit(&lp, b);
				b = NULL;
				stage_progress_tick(st, done_bytes + record_reader_bytes_read(rd), total_size);
			}
			if (got == 0 || r < 0)
				break;
		}
		if (b) { /* only after an error or a stop: nothing to write */
			b->next = lp.free_list;
			lp.free_list = b;
		}
		done_bytes += record_reader_bytes_read(rd);
		record_reader_close(rd);
	}
	while (lp.ring_len)
		if (retire_oldest(&lp) < 0)
			r = -1;

	pthread_mutex_lock(&lp.mu);
	lp.stop = 1;
	pthread_cond_broadcast(&lp.work_cv);
	pthread_mutex_unlock(&lp.mu);
	for (int i = 0; i < lp.nworkers; i++)
		pthread_join(lp.workers[i], NULL);
	while (lp.free_list) {
		struct batch *b = lp.free_list;
		lp.free_list = b->next;
		batch_free(b);
	}
	free(lp.ring);
	free(lp.workers);
	raw_record_release(&raw);
	pthread_mutex_destroy(&lp.mu);
	pthread_cond_destroy(&lp.work_cv);
	pthread_cond_destroy(&lp.done_cv);
	if (r < 0)
		st->failed = 1;
	return r;
}
