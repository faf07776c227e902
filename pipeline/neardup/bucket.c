/*
 * bucket.c — band hashes, buckets, star pairs, pair files (see bucket.h).
 */
#include "neardup/bucket.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/hash.h"
#include "core/sbuf.h"
#include "neardup/extsort.h"
#include "neardup/minhash.h"
#include "neardup/sigfile.h"

#define PAIR_MAGIC "SMELTNP1"
#define BLOCK_PAIRS 8192

uint64_t bucket_fingerprint(uint64_t fp, uint64_t count, uint64_t checksum)
{
	uint64_t v[3] = { fp, count, checksum };

	return hash64(v, sizeof(v), 0);
}

/* Read every signature file in order, adding the bands' hashes to the sort. */
static int collect(char *const *sigs, int nsigs, const struct bucket_opts *o, struct extsort *sort,
		   struct bucket_figures *fig, uint64_t *fp)
{
	struct sig_params first = { 0 };
	uint64_t dense = 0;

	*fp = 0;
	for (int f = 0; f < nsigs; f++) {
		struct sig_reader *r = sig_reader_open(sigs[f]);
		struct sig_entry e;
		int got;

		if (!r)
			return -1;
		if (!f)
			first = *sig_reader_params(r);
		if (sig_params_check(&first, sig_reader_params(r), sigs[f]) < 0 ||
		    o->bands * o->rows > first.perms) {
			if (o->bands * o->rows > first.perms)
				error("%s: %d bands x %d rows need %d permutations; the file has %d",
				      sigs[f], o->bands, o->rows, o->bands * o->rows, first.perms);
			sig_reader_close(r);
			return -1;
		}
		while ((got = sig_reader_next(r, &e, NULL)) > 0) {
			fig->records++;
			if (e.status != SIG_OK)
				continue;
			if (dense >= UINT32_MAX) {
				sig_reader_close(r);
				return error("more than %u signed records", UINT32_MAX - 1);
			}
			fig->signed_ok++;
			for (int b = o->band_from; b < o->band_to; b++)
				if (extsort_add(sort, minhash_band_hash(e.sig, b, o->rows), (uint32_t)dense) < 0) {
					sig_reader_close(r);
					return -1;
				}
			dense++;
		}
		if (got == 0)
			*fp = bucket_fingerprint(*fp, sig_reader_count(r), sig_reader_checksum(r));
		sig_reader_close(r);
		if (got < 0)
			return -1;
	}
	return 0;
}

struct pair_out {
	int fd;
	struct sbuf buf; /* the current block, after its count */
	uint32_t nblock;
	uint64_t pairs;
	struct hash128_state *sum;
};

static int write_all(int fd, const void *p, size_t len)
{
	return neardup_write_all(fd, p, len, "pair file");
}

static int block_flush(struct pair_out *po)
{
	if (!po->nblock)
		return 0;
	memcpy(po->buf.buf, &po->nblock, 4);
	hash128_state_update(po->sum, po->buf.buf, po->buf.len);
	if (write_all(po->fd, po->buf.buf, po->buf.len) < 0)
		return -1;
	sbuf_reset(&po->buf);
	sbuf_add(&po->buf, "\0\0\0\0", 4);
	po->nblock = 0;
	return 0;
}

static int pair_add(struct pair_out *po, uint32_t a, uint32_t b)
{
	uint32_t p[2] = { a, b };

	sbuf_add(&po->buf, p, sizeof(p));
	po->pairs++;
	return ++po->nblock == BLOCK_PAIRS ? block_flush(po) : 0;
}

/* Walk the sorted items: a star of pairs per run of equal band hashes. */
static int emit_pairs(struct extsort *sort, struct pair_out *po, struct bucket_figures *fig)
{
	struct extsort_item it, head = { 0 };
	uint64_t size = 0;
	int got;

	while ((got = extsort_next(sort, &it)) > 0) {
		if (size && it.key == head.key) {
			if (it.value == head.value)
				continue;
			if (++size > fig->largest_bucket)
				fig->largest_bucket = size;
			if (pair_add(po, head.value, it.value) < 0)
				return -1;
			continue;
		}
		head = it;
		size = 1;
	}
	return got;
}

int bucket_run(char *const *sigs, int nsigs, const struct bucket_opts *o, const char *out,
	       struct bucket_figures *fig)
{
	/* three quarters for the sort: the rest is read buffers, the merge, the process */
	struct extsort *sort = extsort_new(o->memory / 4 * 3);
	struct atomic_file *af = NULL;
	struct pair_out po = { .fd = 1, .sum = hash128_state_new() };
	struct sbuf head = SBUF_INIT;
	uint64_t fp;
	uint32_t shape[4] = { (uint32_t)o->band_from, (uint32_t)o->band_to, (uint32_t)o->bands,
			      (uint32_t)o->rows };
	int r = -1, own_fd = 0;

	memset(fig, 0, sizeof(*fig));
	sbuf_add(&po.buf, "\0\0\0\0", 4);
	if (collect(sigs, nsigs, o, sort, fig, &fp) < 0 || extsort_finish(sort) < 0)
		goto out;
	fig->runs = extsort_runs(sort);
	if (o->scratch) {
		po.fd = open(out, O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0600);
		if (po.fd < 0) {
			error("cannot write '%s': %s", out, strerror(errno));
			goto out;
		}
		own_fd = 1;
	} else if (out && strcmp(out, "-")) {
		af = atomic_file_open(out, 0666);
		if (!af)
			goto out;
		po.fd = atomic_file_fd(af);
	}
	sbuf_add(&head, PAIR_MAGIC, 8);
	sbuf_add(&head, shape, sizeof(shape));
	if (write_all(po.fd, head.buf, head.len) < 0 || emit_pairs(sort, &po, fig) < 0 ||
	    block_flush(&po) < 0)
		goto out;
	uint64_t end[3] = { po.pairs, fp, hash128_state_digest(po.sum).low };
	if (write_all(po.fd, "\0\0\0\0", 4) < 0 || /* the empty block that ends them */
	    write_all(po.fd, end, sizeof(end)) < 0)
		goto out;
	fig->pairs = po.pairs;
	r = 0;
out:
	if (af) {
		if (r < 0)
			atomic_file_abort(af);
		else
			r = atomic_file_commit(af);
	}
	if (own_fd)
		close(po.fd);
	extsort_free(sort);
	hash128_state_free(po.sum);
	sbuf_release(&po.buf);
	sbuf_release(&head);
	return r;
}

/* ---- reading ---- */

struct pair_reader {
	char *path;
	FILE *fp;
	uint32_t shape[4];
	uint32_t left; /* pairs left in the current block */
	uint64_t pairs, fingerprint;
	struct hash128_state *sum;
	int ended;
};

static int pr_read(struct pair_reader *r, void *buf, size_t len)
{
	if (fread(buf, 1, len, r->fp) != len)
		return error("%s: %s", r->path, ferror(r->fp) ? strerror(errno) : "cut short (no end)");
	return 0;
}

struct pair_reader *pair_reader_open(const char *path)
{
	struct pair_reader *r = xcalloc(1, sizeof(*r));
	char magic[8];

	r->path = xstrdup(path);
	r->fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!r->fp) {
		error("cannot open '%s': %s", path, strerror(errno));
		free(r->path);
		free(r);
		return NULL;
	}
	setvbuf(r->fp, NULL, _IOFBF, 1 << 20);
	r->sum = hash128_state_new();
	if (pr_read(r, magic, 8) < 0 || memcmp(magic, PAIR_MAGIC, 8) ||
	    pr_read(r, r->shape, sizeof(r->shape)) < 0) {
		error("%s: not a smelt-minhash pair file", path);
		pair_reader_close(r);
		return NULL;
	}
	return r;
}

void pair_reader_shape(const struct pair_reader *r, int *bands, int *rows)
{
	*bands = (int)r->shape[2];
	*rows = (int)r->shape[3];
}

int pair_reader_next(struct pair_reader *r, uint32_t *a, uint32_t *b)
{
	uint32_t p[2];

	if (r->ended)
		return 0;
	if (!r->left) {
		uint32_t n;
		if (pr_read(r, &n, 4) < 0)
			return -1;
		if (!n) {
			uint64_t end[3];
			if (pr_read(r, end, sizeof(end)) < 0)
				return -1;
			if (end[0] != r->pairs || end[2] != hash128_state_digest(r->sum).low)
				return error("%s: checksum or pair count does not match: the file is damaged",
					     r->path);
			r->fingerprint = end[1];
			if (getc(r->fp) != EOF)
				return error("%s: data after the end of the pair file (files joined with "
					     "cat? name each one with --pairs)", r->path);
			r->ended = 1;
			return 0;
		}
		if (n > BLOCK_PAIRS)
			return error("%s: bad block of %u pairs", r->path, n);
		hash128_state_update(r->sum, &n, 4);
		r->left = n;
	}
	if (pr_read(r, p, sizeof(p)) < 0)
		return -1;
	hash128_state_update(r->sum, p, sizeof(p));
	r->left--;
	r->pairs++;
	*a = p[0];
	*b = p[1];
	return 1;
}

uint64_t pair_reader_fingerprint(const struct pair_reader *r)
{
	return r->fingerprint;
}

void pair_reader_close(struct pair_reader *r)
{
	if (!r)
		return;
	if (r->fp && r->fp != stdin)
		fclose(r->fp);
	hash128_state_free(r->sum);
	free(r->path);
	free(r);
}
