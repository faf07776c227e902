/*
 * record_writer.c — buffered JSON Lines output through a zstd stream.
 *
 * Records are gathered in an input buffer and handed to ZSTD_compressStream2
 * a buffer at a time; frames end on size, and on stdout also on age (see
 * record_writer.h).
 * EPIPE on a pipe ends the process quietly, as git's check_pipe does.
 * A file is written under a temporary name (core/atomic_file.h) that
 * record_writer_close renames into place: a run that fails or is stopped
 * leaves the final name as it was.
 */
#include "io/record_writer.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "core/atomic_file.h"
#include "core/sbuf.h"
#include "json/json_write.h"

#define INBUF_SIZE (1u << 20)

struct record_writer {
	char *path;
	struct atomic_file *file; /* NULL for stdout */
	int fd, own_fd;
	int compress;
	ZSTD_CCtx *cctx;
	struct sbuf in;   /* records not yet compressed */
	struct sbuf out;  /* compressed bytes not yet written */
	size_t frame_in;  /* input bytes in the open frame */
	double frame_start;
	struct record_writer_opts opts;
	uint64_t count;
	int failed;
	int frames; /* frames ended so far */
	struct pq_writer *pq; /* Parquet output: records go here instead */
};

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

/*
 * Parquet output. Records are handed to pq_write, which spools them and
 * writes the whole file when the writer is closed; the temporary and its
 * rename are the same as for JSON Lines. Frames and ticks mean nothing
 * here: record_writer_is_zstd says no, so the record loop sends text.
 */
static int parquet_open(struct record_writer *w)
{
	w->compress = 0;
	w->frame_start = now_seconds();
	if (!(w->pq = pq_writer_open(w->fd, w->path, w->opts.pq))) {
		atomic_file_abort(w->file);
		free(w->path);
		free(w);
		return -1;
	}
	return 0;
}

static int parquet_add_lines(struct record_writer *w, const char *text, size_t len)
{
	while (len) {
		const char *nl = memchr(text, '\n', len);
		size_t n = nl ? (size_t)(nl - text) : len;
		if (n && pq_writer_add_text(w->pq, text, n) < 0) {
			w->failed = 1;
			return -1;
		}
		n += nl != NULL;
		text += n;
		len -= n;
	}
	return 0;
}

struct record_writer *record_writer_open(const char *path, const struct record_writer_opts *opts)
{
	struct record_writer_opts defaults = RECORD_WRITER_OPTS_INIT;
	struct record_writer *w = xcalloc(1, sizeof(*w));
	int is_stdout = !path || !strcmp(path, "-");

	w->opts = opts ? *opts : defaults;
	w->path = xstrdup(is_stdout ? "<stdout>" : path);
	if (is_stdout) {
		w->fd = 1;
	} else {
		if (!(w->file = atomic_file_open(path, 0644))) {
			free(w->path);
			free(w);
			return NULL;
		}
		w->fd = atomic_file_fd(w->file);
		w->own_fd = 1;
		/*
		 * Nobody reads a file before it is renamed into place, so its
		 * frames end on size alone: frames cut by the clock would make
		 * the bytes of a rerun depend on timing, and a rerun must give
		 * the same file.
		 */
		w->opts.frame_seconds = HUGE_VAL;
	}
	if (w->opts.parquet > 0 || (w->opts.parquet < 0 && !is_stdout && ends_with(path, ".parquet"))) {
		if (parquet_open(w) < 0)
			return NULL;
		return w;
	}
	w->compress = w->opts.compress;
	if (w->compress < 0)
		w->compress = is_stdout ? !isatty(1) : ends_with(path, ".zst");
	if (!w->opts.buffer_size)
		w->opts.buffer_size = INBUF_SIZE;
	sbuf_init(&w->in, w->opts.buffer_size);
	sbuf_init(&w->out, 0);
	if (w->compress) {
		w->cctx = ZSTD_createCCtx();
		if (!w->cctx)
			die("out of memory creating a zstd context");
		ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, w->opts.level);
		if (w->opts.workers > 0)
			ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_nbWorkers, w->opts.workers);
		ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
		if (w->opts.small_window) {
			ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_windowLog, 17);
			ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_hashLog, 16);
			ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_chainLog, 16);
		}
		sbuf_grow(&w->out, ZSTD_CStreamOutSize());
	}
	w->frame_start = now_seconds();
	return w;
}

static int write_all(struct record_writer *w, const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(w->fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			if (errno == EPIPE && !w->own_fd)
				exit(141); /* reader went away: stop quietly */
			w->failed = 1;
			return error("cannot write '%s': %s", w->path, strerror(errno));
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Compress (or copy) the input buffer; with `end`, close the frame. */
static int drain(struct record_writer *w, int end)
{
	if (w->failed)
		return -1;
	if (!w->compress) {
		int r = write_all(w, w->in.buf, w->in.len);
		sbuf_reset(&w->in);
		return r;
	}
	ZSTD_inBuffer ib = { w->in.buf, w->in.len, 0 };
	ZSTD_EndDirective mode = end ? ZSTD_e_end : ZSTD_e_continue;
	size_t remaining;

	do {
		ZSTD_outBuffer ob = { w->out.buf, w->out.alloc - 1, 0 };
		remaining = ZSTD_compressStream2(w->cctx, &ob, &ib, mode);
		if (ZSTD_isError(remaining)) {
			w->failed = 1;
			return error("cannot compress output '%s': %s", w->path,
				     ZSTD_getErrorName(remaining));
		}
		if (ob.pos && write_all(w, w->out.buf, ob.pos) < 0)
			return -1;
	} while (end ? remaining != 0 : ib.pos < ib.size);
	w->frame_in += w->in.len;
	sbuf_reset(&w->in);
	if (end) {
		w->frames++;
		w->frame_in = 0;
		w->frame_start = now_seconds();
	}
	return 0;
}

/* After a record was appended: compress when the buffer is full, and end
 * the frame when it is big or old enough. Age is checked every 64 records
 * so that a slow stage (an LLM stage writing a record a second) still
 * leaves complete frames behind it. */
static int record_added(struct record_writer *w, size_t n)
{
	w->count += n;
	if (w->in.len < w->opts.buffer_size && (w->count & 63) >= n)
		return 0;
	int old = now_seconds() - w->frame_start >= w->opts.frame_seconds;
	if (w->in.len < w->opts.buffer_size && !old)
		return 0;
	return drain(w, old || w->frame_in + w->in.len >= w->opts.frame_size);
}

int record_writer_add(struct record_writer *w, const char *text, size_t len)
{
	if (w->pq) {
		w->count++;
		return parquet_add_lines(w, text, len);
	}
	sbuf_add(&w->in, text, len);
	sbuf_addch(&w->in, '\n');
	return record_added(w, 1);
}

int record_writer_add_lines(struct record_writer *w, const char *text, size_t len, size_t n)
{
	if (w->pq) {
		w->count += n;
		return parquet_add_lines(w, text, len);
	}
	sbuf_add(&w->in, text, len);
	return record_added(w, n);
}

int record_writer_add_frame(struct record_writer *w, const void *frame, size_t len, size_t n)
{
	if (w->pq)
		return error("'%s': a zstd frame cannot go into Parquet", w->path);
	if ((w->in.len || w->frame_in) && drain(w, 1) < 0)
		return -1;
	if (write_all(w, frame, len) < 0)
		return -1;
	w->count += n;
	w->frames++;
	return 0;
}

int record_writer_is_zstd(const struct record_writer *w)
{
	return w && w->compress;
}

int record_writer_add_json(struct record_writer *w, const json_t *rec)
{
	if (w->pq) {
		struct sbuf text = SBUF_INIT;
		json_write(&text, rec);
		w->count++;
		if (pq_writer_add_text(w->pq, text.buf, text.len) < 0)
			w->failed = 1;
		sbuf_release(&text);
		return w->failed ? -1 : 0;
	}
	json_write(&w->in, rec);
	sbuf_addch(&w->in, '\n');
	return record_added(w, 1);
}

int record_writer_flush(struct record_writer *w)
{
	if (w->pq)
		return w->failed ? -1 : 0;
	if (!w->in.len && !w->frame_in)
		return w->failed ? -1 : 0;
	return drain(w, 1);
}

int record_writer_tick(struct record_writer *w)
{
	if (w->pq)
		return 0;
	if ((w->in.len || w->frame_in) && now_seconds() - w->frame_start >= w->opts.frame_seconds)
		return drain(w, 1);
	return 0;
}

static void writer_free(struct record_writer *w)
{
	pq_writer_free(w->pq);
	ZSTD_freeCCtx(w->cctx);
	sbuf_release(&w->in);
	sbuf_release(&w->out);
	free(w->path);
	free(w);
}

int record_writer_close(struct record_writer *w)
{
	int r = 0;

	if (!w)
		return 0;
	/* An empty output file is still a valid (empty) zstd frame, so that
	 * `zstd -dc` accepts it (stdout stays empty: a stage that writes only
	 * to files must not put bytes on it). */
	if (w->compress && w->own_fd && !w->frames && !w->failed && drain(w, 1) < 0)
		r = -1;
	if (w->pq && !w->failed && pq_writer_finish(w->pq) < 0)
		w->failed = 1;
	if (record_writer_flush(w) < 0)
		r = -1;
	if (w->failed)
		r = -1;
	if (w->file && r < 0)
		atomic_file_abort(w->file);
	else if (w->file && atomic_file_commit(w->file) < 0)
		r = -1;
	writer_free(w);
	return r;
}

void record_writer_abort(struct record_writer *w)
{
	if (!w)
		return;
	/* stdout streams: what is buffered follows what was written */
	if (!w->file && record_writer_flush(w) < 0)
		w->failed = 1;
	atomic_file_abort(w->file);
	writer_free(w);
}

uint64_t record_writer_count(const struct record_writer *w) { return w->count; }
const char *record_writer_path(const struct record_writer *w) { return w->path; }
