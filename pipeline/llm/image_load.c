/*
 * image_load.c — image references to URLs: files and tar members as data:
 * URIs with the MIME type from magic bytes.
 *
 * Shard cursors: a small pool of open libarchive readers, one per (shard,
 * user) at a time. A lookup takes the cursor for its shard out of the pool
 * (or opens one), reads forward to the member, and puts it back; when the
 * member is not ahead, the shard is reopened and read from the start up to
 * where the search began, so a missing member costs one full pass.
 */
#include "llm/image_load.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/base64.h"
#include "core/util.h"

#define POOL_MAX 16

struct shard_cursor {
	struct shard_cursor *next;
	char *path;
	struct archive *a;
	uint64_t pos; /* entries read so far */
};

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shard_cursor *pool;

const char *image_mime_from_magic(const unsigned char *p, size_t n)
{
	if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (n >= 6 && (!memcmp(p, "GIF87a", 6) || !memcmp(p, "GIF89a", 6)))
		return "image/gif";
	if (n >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4))
		return "image/webp";
	if (n >= 14 && p[0] == 'B' && p[1] == 'M')
		return "image/bmp";
	if (n >= 4 && (!memcmp(p, "II*\0", 4) || !memcmp(p, "MM\0*", 4)))
		return "image/tiff";
	return NULL;
}

static int fail(const char **kind, const char *k, struct sbuf *err, const char *fmt, ...)
	PRINTF_LIKE(4, 5);
static int fail(const char **kind, const char *k, struct sbuf *err, const char *fmt, ...)
{
	va_list ap;

	*kind = k;
	va_start(ap, fmt);
	sbuf_vaddf(err, fmt, ap);
	va_end(ap);
	return -1;
}

static char *resolve(const struct image_load_opts *o, const char *path, size_t len)
{
	if (path[0] == '/' || !o->root || !*o->root)
		return xstrndup(path, len);
	return xasprintf("%s/%.*s", o->root, (int)len, path);
}

/* The image bytes in `data` become a data: URI appended to `url`. */
static int to_data_uri(const char *ref, const struct sbuf *data, struct sbuf *url,
		       const char **kind, struct sbuf *err)
{
	const char *mime = image_mime_from_magic((const unsigned char *)data->buf, data->len);

	if (!mime)
		return fail(kind, IMAGE_BAD, err, "image '%s' is not a PNG, JPEG, GIF, WebP, BMP or TIFF", ref);
	sbuf_addf(url, "data:%s;base64,", mime);
	base64_encode(url, data->buf, data->len);
	return 0;
}

static int load_file(const char *ref, const struct image_load_opts *o, struct sbuf *data,
		     const char **kind, struct sbuf *err)
{
	char *path = resolve(o, ref, strlen(ref));
	struct stat sb;
	FILE *fp = NULL;
	int r = -1;

	if (stat(path, &sb) < 0) {
		fail(kind, IMAGE_MISSING, err, "image '%s' not found (%s: %s)", ref, path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		fail(kind, IMAGE_MISSING, err, "image '%s' is not a regular file", ref);
		goto out;
	}
	if (o->max_bytes && (uint64_t)sb.st_size > o->max_bytes) {
		fail(kind, IMAGE_TOO_LARGE, err, "image '%s' has %lld bytes, more than the limit of %llu",
		     ref, (long long)sb.st_size, (unsigned long long)o->max_bytes);
		goto out;
	}
	if (!(fp = fopen(path, "rb"))) {
		fail(kind, IMAGE_MISSING, err, "cannot open image '%s': %s", ref, strerror(errno));
		goto out;
	}
	sbuf_grow(data, (size_t)sb.st_size);
	sbuf_setlen(data, fread(data->buf, 1, (size_t)sb.st_size, fp));
	if (ferror(fp) || data->len != (size_t)sb.st_size) {
		fail(kind, IMAGE_BAD, err, "cannot read image '%s'", ref);
		goto out;
	}
	r = 0;
out:
	if (fp)
		fclose(fp);
	free(path);
	return r;
}

static struct shard_cursor *cursor_open(const char *path, struct sbuf *err)
{
	struct shard_cursor *c;
	struct archive *a = archive_read_new();

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
		sbuf_addstr(err, archive_error_string(a) ? archive_error_string(a) : "cannot open");
		archive_read_free(a);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->path = xstrdup(path);
	c->a = a;
	return c;
}

static void cursor_free(struct shard_cursor *c)
{
	if (!c)
		return;
	archive_read_free(c->a);
	free(c->path);
	free(c);
}

static struct shard_cursor *cursor_take(const char *path)
{
	struct shard_cursor **pp, *c = NULL;

	pthread_mutex_lock(&pool_lock);
	for (pp = &pool; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->path, path)) {
			c = *pp;
			*pp = c->next;
			break;
		}
	pthread_mutex_unlock(&pool_lock);
	return c;
}

static void cursor_give(struct shard_cursor *c)
{
	struct shard_cursor *drop = NULL;
	size_t n = 0;

	pthread_mutex_lock(&pool_lock);
	c->next = pool;
	pool = c;
	for (struct shard_cursor *p = pool; p; p = p->next)
		if (++n == POOL_MAX && p->next) {
			drop = p->next;
			p->next = NULL;
			break;
		}
	pthread_mutex_unlock(&pool_lock);
	while (drop) {
		struct shard_cursor *next = drop->next;
		cursor_free(drop);
		drop = next;
	}
}

/*
 * Read forward to `member`, at most `limit` entries (0 = to the end).
 * 1 found (the cursor is at its data), 0 not found, -1 damaged archive.
 */
static int cursor_seek(struct shard_cursor *c, const char *member, uint64_t limit,
		       struct archive_entry **entry)
{
	for (;;) {
		if (limit && c->pos >= limit)
			return 0;
		int r = archive_read_next_header(c->a, entry);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return -1;
		c->pos++;
		const char *name = archive_entry_pathname(*entry);
		if (name && (!strcmp(name, member) || (name[0] == '.' && name[1] == '/' &&
						       !strcmp(name + 2, member))))
			return 1;
	}
}

static int load_tar(const char *ref, const struct image_load_opts *o, struct sbuf *data,
		    const char **kind, struct sbuf *err)
{
	const char *hash = strchr(ref + 4, '#');
	struct archive_entry *entry = NULL;
	struct shard_cursor *c;
	struct sbuf why = SBUF_INIT;
	char *path;
	const char *member;
	uint64_t start;
	int found, r = -1;

	if (!hash || hash == ref + 4 || !hash[1])
		return fail(kind, IMAGE_MISSING, err, "image '%s' is not tar:SHARD#MEMBER", ref);
	path = resolve(o, ref + 4, (size_t)(hash - (ref + 4)));
	member = hash + 1;
	if (!(c = cursor_take(path)) && !(c = cursor_open(path, &why))) {
		fail(kind, IMAGE_MISSING, err, "image '%s': cannot open shard '%s': %s", ref, path, why.buf);
		goto out;
	}
	start = c->pos;
	found = cursor_seek(c, member, 0, &entry);
	if (found == 0 && start > 0) {
		/* not ahead of us: read again from the start up to where we began */
		cursor_free(c);
		if (!(c = cursor_open(path, &why))) {
			fail(kind, IMAGE_MISSING, err, "image '%s': cannot open shard '%s': %s", ref, path, why.buf);
			goto out;
		}
		found = cursor_seek(c, member, start, &entry);
	}
	if (found < 0) {
		fail(kind, IMAGE_BAD, err, "image '%s': damaged shard '%s': %s", ref, path,
		     archive_error_string(c->a) ? archive_error_string(c->a) : "read error");
		cursor_free(c);
		c = NULL;
		goto out;
	}
	if (!found) {
		fail(kind, IMAGE_MISSING, err, "image '%s': no member '%s' in shard '%s'", ref, member, path);
		goto out;
	}
	if (archive_entry_size_is_set(entry) && o->max_bytes &&
	    (uint64_t)archive_entry_size(entry) > o->max_bytes) {
		fail(kind, IMAGE_TOO_LARGE, err, "image '%s' has %lld bytes, more than the limit of %llu",
		     ref, (long long)archive_entry_size(entry), (unsigned long long)o->max_bytes);
		goto out;
	}
	for (;;) {
		char buf[65536];
		la_ssize_t n = archive_read_data(c->a, buf, sizeof(buf));
		if (n < 0) {
			fail(kind, IMAGE_BAD, err, "image '%s': corrupt member in '%s': %s", ref, path,
			     archive_error_string(c->a) ? archive_error_string(c->a) : "read error");
			cursor_free(c);
			c = NULL;
			goto out;
		}
		if (n == 0)
			break;
		sbuf_add(data, buf, (size_t)n);
		if (o->max_bytes && data->len > o->max_bytes) {
			fail(kind, IMAGE_TOO_LARGE, err, "image '%s' is larger than the limit of %llu bytes",
			     ref, (unsigned long long)o->max_bytes);
			goto out;
		}
	}
	r = 0;
out:
	if (c)
		cursor_give(c);
	sbuf_release(&why);
	free(path);
	return r;
}

int image_load_url(const char *ref, const struct image_load_opts *o, struct sbuf *url,
		   const char **kind, struct sbuf *err)
{
	struct sbuf data = SBUF_INIT;
	int r;

	if (!ref || !*ref)
		return fail(kind, IMAGE_MISSING, err, "empty image reference");
	if (!strncmp(ref, "http://", 7) || !strncmp(ref, "https://", 8)) {
		sbuf_addstr(url, ref);
		return 0;
	}
	if (!strncmp(ref, "data:", 5)) {
		if (o->max_bytes && strlen(ref) > o->max_bytes / 3 * 4 + 256)
			return fail(kind, IMAGE_TOO_LARGE, err, "data: image of %zu characters is over the limit of %llu bytes",
				    strlen(ref), (unsigned long long)o->max_bytes);
		sbuf_addstr(url, ref);
		return 0;
	}
	if (!strncmp(ref, "tar:", 4))
		r = load_tar(ref, o, &data, kind, err);
	else
		r = load_file(ref, o, &data, kind, err);
	if (r == 0)
		r = to_data_uri(ref, &data, url, kind, err);
	sbuf_release(&data);
	return r;
}

void image_load_cleanup(void)
{
	struct shard_cursor *c;

	pthread_mutex_lock(&pool_lock);
	c = pool;
	pool = NULL;
	pthread_mutex_unlock(&pool_lock);
	while (c) {
		struct shard_cursor *next = c->next;
		cursor_free(c);
		c = next;
	}
}
