/*
 * pq_write_spool.c — a zstd JSON Lines spool in an unlinked temporary
 * (see the header).
 */
#include "parquet/pq_write_spool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "core/sbuf.h"

#define SPOOL_CHUNK (1u << 20)

struct pqw_spool {
	int fd;
	ZSTD_CCtx *cctx;
	ZSTD_DCtx *dctx;
	struct sbuf in, out; /* writing: lines, compressed bytes; reading: compressed, lines */
	size_t pos;          /* reading: next line in `out` */
	size_t in_pos;       /* reading: next compressed byte in `in` */
	int eof;
	uint64_t bytes;
};

struct pqw_spool *pqw_spool_open(void)
{
	const char *dir = getenv("TMPDIR");
	char *path = xasprintf("%s/smelt-parquet-spool-XXXXXX", dir && *dir ? dir : "/tmp");
	struct pqw_spool *s;
	int fd = mkstemp(path);

	if (fd < 0) {
		error("cannot create a spool file in '%s': %s", dir && *dir ? dir : "/tmp", strerror(errno));
		free(path);
		return NULL;
	}
	unlink(path);
	free(path);
	s = xcalloc(1, sizeof(*s));
	s->fd = fd;
	if (!(s->cctx = ZSTD_createCCtx()))
		die("out of memory creating a zstd context");
	ZSTD_CCtx_setParameter(s->cctx, ZSTD_c_compressionLevel, 1);
	sbuf_init(&s->in, SPOOL_CHUNK + 4096);
	sbuf_init(&s->out, ZSTD_CStreamOutSize());
	return s;
}

int pqw_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t k = write(fd, c, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

static int write_all(struct pqw_spool *s, const char *p, size_t n)
{
	if (pqw_write_all(s->fd, p, n) < 0)
		return error("cannot write the Parquet spool: %s", strerror(errno));
	s->bytes += n;
	return 0;
}

static int drain(struct pqw_spool *s, ZSTD_EndDirective mode)
{
	ZSTD_inBuffer ib = { s->in.buf, s->in.len, 0 };
	size_t left;

	do {
		ZSTD_outBuffer ob = { s->out.buf, s->out.alloc - 1, 0 };
		left = ZSTD_compressStream2(s->cctx, &ob, &ib, mode);
		if (ZSTD_isError(left))
			return error("cannot compress the Parquet spool: %s", ZSTD_getErrorName(left));
		if (ob.pos && write_all(s, s->out.buf, ob.pos) < 0)
			return -1;
	} while (mode == ZSTD_e_end ? left != 0 : ib.pos < ib.size);
	sbuf_reset(&s->in);
	return 0;
}

int pqw_spool_add(struct pqw_spool *s, const char *text, size_t len)
{
	sbuf_add(&s->in, text, len);
	sbuf_addch(&s->in, '\n');
	return s->in.len >= SPOOL_CHUNK ? drain(s, ZSTD_e_continue) : 0;
}

int pqw_spool_rewind(struct pqw_spool *s)
{
	if (drain(s, ZSTD_e_end) < 0)
		return -1;
	if (lseek(s->fd, 0, SEEK_SET) < 0)
		return error("cannot rewind the Parquet spool: %s", strerror(errno));
	ZSTD_freeCCtx(s->cctx);
	s->cctx = NULL;
	if (!(s->dctx = ZSTD_createDCtx()))
		die("out of memory creating a zstd context");
	sbuf_reset(&s->in);
	sbuf_reset(&s->out);
	s->pos = s->in_pos = 0;
	return 0;
}

/* Decompress more into `out` (after dropping the lines already read). */
static int fill(struct pqw_spool *s)
{
	sbuf_consume(&s->out, s->pos);
	s->pos = 0;
	if (s->in_pos == s->in.len && !s->eof) {
		sbuf_reset(&s->in);
		sbuf_grow(&s->in, SPOOL_CHUNK);
		ssize_t k;
		do
			k = read(s->fd, s->in.buf, SPOOL_CHUNK);
		while (k < 0 && errno == EINTR);
		if (k < 0)
			return error("cannot read the Parquet spool: %s", strerror(errno));
		s->eof = k == 0;
		s->in.len = (size_t)k;
		s->in_pos = 0;
	}
	ZSTD_inBuffer ib = { s->in.buf, s->in.len, s->in_pos };
	sbuf_grow(&s->out, SPOOL_CHUNK);
	ZSTD_outBuffer ob = { s->out.buf + s->out.len, s->out.alloc - s->out.len - 1, 0 };
	size_t r = ZSTD_decompressStream(s->dctx, &ob, &ib);
	if (ZSTD_isError(r))
		return error("cannot read the Parquet spool back: %s", ZSTD_getErrorName(r));
	s->in_pos = ib.pos;
	s->out.len += ob.pos;
	/* at the end of the file zstd may still hold output: done when it has none */
	return !(s->eof && !ob.pos);
}

int pqw_spool_next(struct pqw_spool *s, const char **line, size_t *len)
{
	for (;;) {
		char *nl = memchr(s->out.buf + s->pos, '\n', s->out.len - s->pos);
		if (nl) {
			*line = s->out.buf + s->pos;
			*len = (size_t)(nl - *line);
			s->pos += *len + 1;
			return 1;
		}
		int r = fill(s);
		if (r < 0)
			return -1;
		if (!r) {
			if (s->pos < s->out.len)
				return error("the Parquet spool ends inside a line");
			return 0;
		}
	}
}

uint64_t pqw_spool_bytes(const struct pqw_spool *s) { return s->bytes; }

void pqw_spool_free(struct pqw_spool *s)
{
	if (!s)
		return;
	close(s->fd);
	ZSTD_freeCCtx(s->cctx);
	ZSTD_freeDCtx(s->dctx);
	sbuf_release(&s->in);
	sbuf_release(&s->out);
	free(s);
}
