/*
 * sigfile.c — signature files (see sigfile.h).
 */
#include "neardup/sigfile.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/hash.h"

#define SIG_MAGIC "SMELTMS1"
#define SIG_VERSION 1
#define HEADER_SIZE 32
#define ENTRY_FIXED 44
#define WRITE_BUFFER (1u << 20)

/* The files are little-endian; the bytes of a native value are written as they are. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "signature and pair files assume a little-endian host"
#endif

static void put32(struct sbuf *out, uint32_t v)
{
	sbuf_add(out, &v, 4);
}

static void put64(struct sbuf *out, uint64_t v)
{
	sbuf_add(out, &v, 8);
}

static void putd(struct sbuf *out, double v)
{
	sbuf_add(out, &v, 8);
}

static void pad4(struct sbuf *out)
{
	while (out->len % 4)
		sbuf_addch(out, 0);
}

static uint32_t get32(const char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t get64(const char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static uint16_t get16(const char *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

void sig_entry_encode(struct sbuf *out, const struct sig_entry *e, int perms)
{
	size_t start = out->len;
	uint32_t id_len = (uint32_t)e->id_len;
	uint16_t lens[2] = { (uint16_t)e->snippet_len, (uint16_t)e->source_len };

	put32(out, 0); /* size, filled in below */
	put32(out, (uint32_t)e->status);
	put64(out, e->seq);
	putd(out, e->length);
	putd(out, e->score);
	put32(out, (uint32_t)e->nshingles);
	put32(out, id_len);
	sbuf_add(out, lens, sizeof(lens));
	sbuf_add(out, e->id, e->id_len);
	sbuf_add(out, e->snippet, e->snippet_len);
	sbuf_add(out, e->source, e->source_len);
	pad4(out);
	sbuf_add(out, e->shingles, e->nshingles * sizeof(uint32_t));
	if (e->status == SIG_OK)
		sbuf_add(out, e->sig, (size_t)perms * sizeof(uint32_t));
	uint32_t size = (uint32_t)(out->len - start);
	memcpy(out->buf + start, &size, 4);
}

int sig_entry_decode(const char *buf, size_t len, int perms, struct sig_entry *e)
{
	size_t pos;

	if (len < ENTRY_FIXED || get32(buf) != len || len % 4)
		return -1;
	e->status = (int)get32(buf + 4);
	e->seq = get64(buf + 8);
	memcpy(&e->length, buf + 16, 8);
	memcpy(&e->score, buf + 24, 8);
	e->nshingles = get32(buf + 32);
	e->id_len = get32(buf + 36);
	e->snippet_len = get16(buf + 40);
	e->source_len = get16(buf + 42);
	pos = ENTRY_FIXED;
	e->id = buf + pos;
	e->snippet = e->id + e->id_len;
	e->source = e->snippet + e->snippet_len;
	if (pos + e->id_len + e->snippet_len + e->source_len > len)
		return -1;
	pos += e->id_len + e->snippet_len + e->source_len;
	pos = (pos + 3) & ~(size_t)3;
	if (e->status < SIG_OK || e->status > SIG_BAD_TEXT || pos + e->nshingles * 4 > len)
		return -1;
	e->shingles = (const uint32_t *)(const void *)(buf + pos);
	pos += e->nshingles * 4;
	e->sig = NULL;
	if (e->status == SIG_OK) {
		e->sig = (const uint32_t *)(const void *)(buf + pos);
		pos += (size_t)perms * 4;
	}
	return pos == len ? 0 : -1;
}

static void header_encode(struct sbuf *out, const struct sig_params *p)
{
	sbuf_add(out, SIG_MAGIC, 8);
	put32(out, SIG_VERSION);
	put32(out, (uint32_t)p->perms);
	put32(out, (uint32_t)p->ngram);
	put32(out, (uint32_t)p->mode);
	put64(out, p->seed);
}

/* ---- writer ---- */

struct sig_writer {
	struct atomic_file *af; /* NULL for stdout */
	int fd, own_fd;
	struct sbuf buf;
	struct hash128_state *sum;
	uint64_t count;
};

int neardup_write_all(int fd, const void *buf, size_t len, const char *what)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return error("cannot write the %s: %s", what, n < 0 ? strerror(errno) : "no space");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int flush(struct sig_writer *w)
{
	if (neardup_write_all(w->fd, w->buf.buf, w->buf.len, "signature file") < 0)
		return -1;
	sbuf_reset(&w->buf);
	return 0;
}

struct sig_writer *sig_writer_open(const char *path, const struct sig_params *p, int scratch)
{
	struct sig_writer *w = xcalloc(1, sizeof(*w));

	if (scratch) {
		w->fd = open(path, O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0600);
		w->own_fd = 1;
		if (w->fd < 0) {
			error("cannot write '%s': %s", path, strerror(errno));
			free(w);
			return NULL;
		}
	} else if (path && strcmp(path, "-")) {
		w->af = atomic_file_open(path, 0666);
		if (!w->af) {
			free(w);
			return NULL;
		}
		w->fd = atomic_file_fd(w->af);
	} else {
		w->fd = 1;
	}
	sbuf_init(&w->buf, WRITE_BUFFER);
	w->sum = hash128_state_new();
	header_encode(&w->buf, p);
	return w;
}

int sig_writer_add(struct sig_writer *w, const char *entry, size_t len)
{
	hash128_state_update(w->sum, entry, len);
	sbuf_add(&w->buf, entry, len);
	w->count++;
	return w->buf.len >= WRITE_BUFFER ? flush(w) : 0;
}

static void writer_free(struct sig_writer *w)
{
	if (w->own_fd)
		close(w->fd);
	hash128_state_free(w->sum);
	sbuf_release(&w->buf);
	free(w);
}

int sig_writer_close(struct sig_writer *w)
{
	int r;

	put32(&w->buf, 0);
	put32(&w->buf, 0);
	put64(&w->buf, w->count);
	put64(&w->buf, hash128_state_digest(w->sum).low);
	r = flush(w);
	if (w->af) {
		if (r < 0)
			atomic_file_abort(w->af);
		else
			r = atomic_file_commit(w->af);
	}
	writer_free(w);
	return r;
}

void sig_writer_abort(struct sig_writer *w)
{
	if (!w)
		return;
	if (w->af)
		atomic_file_abort(w->af);
	writer_free(w);
}

/* ---- reader ---- */

struct sig_reader {
	char *path;
	FILE *fp;
	int fd; /* for sig_reader_at; -1 on stdin */
	struct sig_params params;
	struct sbuf entry;
	struct hash128_state *sum;
	uint64_t pos, count, checksum, seen;
	int ended;
};

static int read_exact(struct sig_reader *r, void *buf, size_t len)
{
	if (fread(buf, 1, len, r->fp) != len)
		return error("%s: %s at byte %llu", r->path,
			     ferror(r->fp) ? strerror(errno) : "cut short (no end marker)",
			     (unsigned long long)r->pos);
	r->pos += len;
	return 0;
}

struct sig_reader *sig_reader_open(const char *path)
{
	struct sig_reader *r = xcalloc(1, sizeof(*r));
	char h[HEADER_SIZE];

	r->path = xstrdup(path);
	r->fd = -1;
	if (!strcmp(path, "-")) {
		r->fp = stdin;
	} else {
		r->fp = fopen(path, "rb");
		if (r->fp)
			r->fd = fileno(r->fp);
	}
	if (!r->fp) {
		error("cannot open '%s': %s", path, strerror(errno));
		free(r->path);
		free(r);
		return NULL;
	}
	setvbuf(r->fp, NULL, _IOFBF, 1 << 20);
	r->sum = hash128_state_new();
	if (read_exact(r, h, sizeof(h)) < 0 || memcmp(h, SIG_MAGIC, 8) || get32(h + 8) != SIG_VERSION) {
		error("%s: not a smelt-minhash signature file (version %d)", path, SIG_VERSION);
		sig_reader_close(r);
		return NULL;
	}
	r->params.perms = (int)get32(h + 12);
	r->params.ngram = (int)get32(h + 16);
	r->params.mode = (int)get32(h + 20);
	r->params.seed = get64(h + 24);
	if (r->params.perms < 1 || r->params.perms > 1024) {
		error("%s: bad header (perms %d)", path, r->params.perms);
		sig_reader_close(r);
		return NULL;
	}
	return r;
}

const struct sig_params *sig_reader_params(const struct sig_reader *r)
{
	return &r->params;
}

int sig_reader_next(struct sig_reader *r, struct sig_entry *e, uint64_t *offset)
{
	char head[4], tail[20];
	uint32_t size;

	if (r->ended)
		return 0;
	if (offset)
		*offset = r->pos;
	if (read_exact(r, head, 4) < 0)
		return -1;
	size = get32(head);
	if (!size) {
		if (read_exact(r, tail, sizeof(tail)) < 0)
			return -1;
		r->count = get64(tail + 4);
		r->checksum = get64(tail + 12);
		if (getc(r->fp) != EOF)
			return error("%s: data after the end of the signature file (files joined "
				     "with cat? name each one instead)", r->path);
		if (r->count != r->seen || r->checksum != hash128_state_digest(r->sum).low)
			return error("%s: checksum or entry count does not match: the file is damaged",
				     r->path);
		r->ended = 1;
		return 0;
	}
	if (size < ENTRY_FIXED || size % 4 || size > (64u << 20))
		return error("%s: bad entry size %u at byte %llu", r->path, size,
			     (unsigned long long)(r->pos - 4));
	sbuf_reset(&r->entry);
	sbuf_grow(&r->entry, size);
	memcpy(r->entry.buf, head, 4);
	if (read_exact(r, r->entry.buf + 4, size - 4) < 0)
		return -1;
	sbuf_setlen(&r->entry, size);
	hash128_state_update(r->sum, r->entry.buf, size);
	r->seen++;
	if (sig_entry_decode(r->entry.buf, size, r->params.perms, e) < 0)
		return error("%s: malformed entry at byte %llu", r->path,
			     (unsigned long long)(r->pos - size));
	return 1;
}

int sig_reader_at(struct sig_reader *r, uint64_t offset, struct sbuf *buf, struct sig_entry *e)
{
	char head[4];
	uint32_t size;

	if (r->fd < 0)
		return error("%s: cannot seek in a pipe", r->path);
	if (pread(r->fd, head, 4, (off_t)offset) != 4)
		return error("%s: cannot read the entry at byte %llu", r->path, (unsigned long long)offset);
	size = get32(head);
	if (size < ENTRY_FIXED || size % 4 || size > (64u << 20))
		return error("%s: bad entry at byte %llu", r->path, (unsigned long long)offset);
	sbuf_reset(buf);
	sbuf_grow(buf, size);
	if (pread(r->fd, buf->buf, size, (off_t)offset) != (ssize_t)size ||
	    sig_entry_decode(buf->buf, size, r->params.perms, e) < 0)
		return error("%s: bad entry at byte %llu", r->path, (unsigned long long)offset);
	sbuf_setlen(buf, size);
	return 0;
}

uint64_t sig_reader_count(const struct sig_reader *r)
{
	return r->count;
}

uint64_t sig_reader_checksum(const struct sig_reader *r)
{
	return r->checksum;
}

const char *sig_reader_path(const struct sig_reader *r)
{
	return r->path;
}

void sig_reader_close(struct sig_reader *r)
{
	if (!r)
		return;
	if (r->fp && r->fp != stdin)
		fclose(r->fp);
	hash128_state_free(r->sum);
	sbuf_release(&r->entry);
	free(r->path);
	free(r);
}

int sig_params_check(const struct sig_params *a, const struct sig_params *b, const char *path)
{
	if (a->perms != b->perms || a->ngram != b->ngram || a->mode != b->mode || a->seed != b->seed)
		return error("%s: signed with other parameters (perms %d, ngram %d, seed %llu) than "
			     "the first file (perms %d, ngram %d, seed %llu)",
			     path, b->perms, b->ngram, (unsigned long long)b->seed, a->perms, a->ngram,
			     (unsigned long long)a->seed);
	return 0;
}
