/*
 * dedup_ids.c — the spilled id store (see dedup_ids.h).
 *
 * Each id is stored as a 4-byte little-endian length and its bytes. An
 * entry is never split between the file and the buffer: the buffer is
 * written out whole before an entry that would not fit, and an entry
 * bigger than the buffer goes straight to the file.
 */
#include "corpus/dedup_ids.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IDS_BUFFER (1u << 20)

struct dedup_ids {
	int fd;
	uint64_t on_disk; /* bytes written to the file; the buffer follows */
	struct sbuf buf;
};

struct dedup_ids *dedup_ids_new(void)
{
	const char *dir = getenv("TMPDIR");
	char *path = xasprintf("%s/smelt-dedup-XXXXXX", dir && *dir ? dir : "/tmp");
	struct dedup_ids *d;
	int fd = mkstemp(path);

	if (fd < 0) {
		error("cannot create a temporary file '%s': %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	unlink(path);
	free(path);
	d = xcalloc(1, sizeof(*d));
	d->fd = fd;
	sbuf_init(&d->buf, IDS_BUFFER);
	return d;
}

void dedup_ids_free(struct dedup_ids *d)
{
	if (!d)
		return;
	close(d->fd);
	sbuf_release(&d->buf);
	free(d);
}

static int write_all(struct dedup_ids *d, const char *p, size_t len)
{
	while (len) {
		ssize_t n = pwrite(d->fd, p, len, (off_t)d->on_disk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return error("cannot write the dedup id store: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
		d->on_disk += (uint64_t)n;
	}
	return 0;
}

static int spill(struct dedup_ids *d)
{
	if (write_all(d, d->buf.buf, d->buf.len) < 0)
		return -1;
	sbuf_reset(&d->buf);
	return 0;
}

int dedup_ids_add(struct dedup_ids *d, const char *id, size_t len, uint64_t *ref)
{
	unsigned char head[4] = { (unsigned char)len, (unsigned char)(len >> 8),
				  (unsigned char)(len >> 16), (unsigned char)(len >> 24) };

	if (len > UINT32_MAX)
		return error("an id of %zu bytes is too long to store", len);
	if (d->buf.len + 4 + len > IDS_BUFFER && spill(d) < 0)
		return -1;
	*ref = d->on_disk + d->buf.len;
	if (4 + len > IDS_BUFFER)
		return write_all(d, (const char *)head, 4) < 0 ? -1 : write_all(d, id, len);
	sbuf_add(&d->buf, head, 4);
	sbuf_add(&d->buf, id, len);
	return 0;
}

static int read_at(const struct dedup_ids *d, uint64_t off, void *p, size_t len)
{
	char *c = p;

	while (len) {
		ssize_t n = pread(d->fd, c, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return error("cannot read the dedup id store: %s",
				     n < 0 ? strerror(errno) : "short read");
		c += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int dedup_ids_get(struct dedup_ids *d, uint64_t ref, struct sbuf *out)
{
	unsigned char head[4];
	size_t len;

	sbuf_reset(out);
	if (ref >= d->on_disk) {
		const unsigned char *p = (const unsigned char *)d->buf.buf + (ref - d->on_disk);
		if (ref - d->on_disk + 4 > d->buf.len)
			return error("bad dedup id reference %llu", (unsigned long long)ref);
		len = p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
		sbuf_add(out, p + 4, len);
		return 0;
	}
	if (read_at(d, ref, head, 4) < 0)
		return -1;
	len = head[0] | (size_t)head[1] << 8 | (size_t)head[2] << 16 | (size_t)head[3] << 24;
	sbuf_grow(out, len);
	if (read_at(d, ref + 4, out->buf, len) < 0)
		return -1;
	sbuf_setlen(out, len);
	return 0;
}

uint64_t dedup_ids_bytes(const struct dedup_ids *d)
{
	return d->on_disk + d->buf.len;
}
