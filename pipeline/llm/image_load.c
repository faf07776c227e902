/*
 * image_load.c — image references to URLs: files and tar members as data:
 * URIs with the MIME type from magic bytes.
 *
 * Shard cursors: a small pool of open libarchive readers, one per (shard,
 * user) at a time. A lookup takes the cursor for its shard out of the pool
 * (or opens one), reads forward to the member, and puts it back; when the
 * member is not ahead, the shard is reopened and read from the start up to
 * where the search began, so a missing member costs one full pass.
 *
 * Confinement (see image_load.h) without a window between check and use:
 * realpath() says where a path leads, and only a path inside the root is
 * opened — so nothing outside is opened at all, not even a FIFO or a
 * device; then /proc/self/fd says what the descriptor really is, in case
 * a component was swapped for a symlink in between, and the bytes are read
 * from that descriptor only. Where a path does not resolve, the part of it
 * that exists decides, dangling symlinks followed by hand: a missing file
 * under a directory outside the root is reported as outside, like an
 * existing one. A shard's cursor owns its checked descriptor, so reusing
 * the cursor needs no new check.
 */
#include "llm/image_load.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base64.h"
#include "core/image_magic.h"
#include "core/util.h"

#define POOL_MAX 16
#define SYMLINKS_MAX 16 /* dangling symlinks followed when a path does not resolve */

struct shard_cursor {
	struct shard_cursor *next;
	char *path;
	int fd;           /* the checked shard, owned */
	struct archive *a;
	uint64_t pos; /* entries read so far */
};

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shard_cursor *pool;

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

/* The path `path` (len bytes) names: under the root unless absolute. New string. */
static char *resolve(const struct image_load_opts *o, const char *path, size_t len)
{
	if (path[0] == '/' || !o->root || !*o->root)
		return xstrndup(path, len);
	return xasprintf("%s/%.*s", o->root, (int)len, path);
}

/* Whether the canonical path `real` is `root` or below it. */
static int is_inside(const char *real, const char *root)
{
	size_t n = strlen(root);

	if (n == 1 && root[0] == '/')
		return 1;
	return !strncmp(real, root, n) && (real[n] == '\0' || real[n] == '/');
}

/*
 * `path` does not resolve: whether the part of it that exists is inside
 * the root. The last component is cut until what is left resolves; a
 * component that is a dangling symlink is followed to its target first,
 * since where it points, not where it sits, is where the file would be.
 */
static int exists_inside(const char *path, const char *root)
{
	char *p = xstrdup(path), *real, *slash;
	int inside = 0;
	struct stat sb;

	for (int links = 0;;) {
		if ((real = realpath(*p ? p : ".", NULL))) {
			inside = is_inside(real, root);
			free(real);
			break;
		}
		if (!lstat(p, &sb) && S_ISLNK(sb.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlink(p, target, sizeof(target) - 1);
			if (n < 0 || ++links > SYMLINKS_MAX)
				break; /* a loop: call it outside */
			target[n] = '\0';
			slash = strrchr(p, '/');
			char *next = target[0] == '/' || !slash ? xstrdup(target) :
				     xasprintf("%.*s/%s", (int)(slash - p), p, target);
			free(p);
			p = next;
			continue;
		}
		if (!(slash = strrchr(p, '/')))
			*p = '\0';
		else if (slash == p)
			p[1] = '\0';
		else
			*slash = '\0';
	}
	free(p);
	return inside;
}

/* Whether the open descriptor `fd` is a file inside the root. */
static int fd_inside(int fd, const char *real, const char *root)
{
	char link[64], now[PATH_MAX];
	struct stat a, b;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, now, sizeof(now) - 1);
	if (n >= 0) {
		now[n] = '\0';
		return is_inside(now, root);
	}
	/* no /proc: the checked path must still lead to the same file */
	return !fstat(fd, &a) && !stat(real, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * Open the local file `path` (len bytes) of `ref` for reading: a regular
 * file, inside the root unless o->allow_absolute. Returns a descriptor
 * (*size set), or -1 with *kind and a message naming the ref.
 */
static int open_local(const char *ref, const char *path, size_t len,
		      const struct image_load_opts *o, off_t *size, const char **kind, struct sbuf *err)
{
	const char *base = o->root && *o->root ? o->root : ".";
	char *full = NULL, *root = NULL, *real = NULL;
	struct stat sb;
	int fd = -1;

	if (path[0] == '/' && !o->allow_absolute)
		return fail(kind, IMAGE_OUTSIDE_ROOT, err, "image '%s' is an absolute path "
			    "(reading one needs --allow-absolute-images)", ref);
	full = resolve(o, path, len);
	if (o->allow_absolute) {
		real = xstrdup(full);
	} else if (!(root = realpath(base, NULL))) {
		fail(kind, IMAGE_MISSING, err, "image '%s': cannot resolve the image root: %s",
		     ref, strerror(errno));
		goto out;
	} else if (!(real = realpath(full, NULL))) {
		int e = errno;
		if (!exists_inside(full, root))
			goto outside;
		fail(kind, IMAGE_MISSING, err, "cannot open image '%s': %s", ref, strerror(e));
		goto out;
	} else if (!is_inside(real, root)) {
		goto outside;
	}
	fd = open(real, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		fail(kind, IMAGE_MISSING, err, "cannot open image '%s': %s", ref, strerror(errno));
		goto out;
	}
	if (root && !fd_inside(fd, real, root))
		goto outside;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		fail(kind, IMAGE_MISSING, err, "image '%s' is not a regular file", ref);
		goto out;
	}
	*size = sb.st_size;
	goto done;
outside:
	fail(kind, IMAGE_OUTSIDE_ROOT, err, "image '%s' is outside %s", ref,
	     o->root && *o->root ? "the image root" : "the current directory (no --image-root)");
out:
	if (fd >= 0)
		close(fd);
	fd = -1;
done:
	free(full);
	free(root);
	free(real);
	return fd;
}

/* The image bytes in `data` become a data: URI appended to `url`. */
static int to_data_uri(const char *ref, const struct sbuf *data, struct sbuf *url,
		       const char **kind, struct sbuf *err)
{
	const char *mime = image_magic_mime(data->buf, data->len);

	if (!mime)
		return fail(kind, IMAGE_BAD, err, "image '%s' is not a PNG, JPEG, GIF, WebP, BMP or TIFF", ref);
	sbuf_addf(url, "data:%s;base64,", mime);
	base64_encode(url, data->buf, data->len);
	return 0;
}

static int load_file(const char *ref, const struct image_load_opts *o, struct sbuf *data,
		     const char **kind, struct sbuf *err)
{
	off_t size = 0;
	int fd = open_local(ref, ref, strlen(ref), o, &size, kind, err);

	if (fd < 0)
		return -1;
	if (o->max_bytes && (uint64_t)size > o->max_bytes) {
		close(fd);
		return fail(kind, IMAGE_TOO_LARGE, err, "image '%s' has %lld bytes, more than the limit of %llu",
			    ref, (long long)size, (unsigned long long)o->max_bytes);
	}
	sbuf_grow(data, (size_t)size);
	while (data->len < (size_t)size) {
		ssize_t n = read(fd, data->buf + data->len, (size_t)size - data->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sbuf_setlen(data, data->len + (size_t)n);
	}
	close(fd);
	if (data->len != (size_t)size)
		return fail(kind, IMAGE_BAD, err, "cannot read image '%s'", ref);
	return 0;
}

/* A reader of the shard at fd's start. Returns it, or NULL with the reason in `err`. */
static struct archive *archive_at_start(int fd, struct sbuf *err)
{
	struct archive *a = archive_read_new();

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (lseek(fd, 0, SEEK_SET) < 0 || archive_read_open_fd(a, fd, 1 << 16) != ARCHIVE_OK) {
		sbuf_addstr(err, archive_error_string(a) ? archive_error_string(a) : "cannot open");
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* A cursor over the checked shard `fd` (taken over, closed on failure), named `path`. */
static struct shard_cursor *cursor_open(const char *path, int fd, struct sbuf *err)
{
	struct shard_cursor *c;
	struct archive *a = archive_at_start(fd, err);

	if (!a) {
		close(fd);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->path = xstrdup(path);
	c->fd = fd;
	c->a = a;
	return c;
}

/* Back to the first entry. Returns 0, or -1 with the reason in `err`. */
static int cursor_rewind(struct shard_cursor *c, struct sbuf *err)
{
	archive_read_free(c->a);
	c->pos = 0;
	return (c->a = archive_at_start(c->fd, err)) ? 0 : -1;
}

static void cursor_free(struct shard_cursor *c)
{
	if (!c)
		return;
	if (c->a)
		archive_read_free(c->a);
	close(c->fd);
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
	/* the pool is keyed by the path as written: a cursor was checked when opened */
	path = resolve(o, ref + 4, (size_t)(hash - (ref + 4)));
	member = hash + 1;
	if (!(c = cursor_take(path))) {
		off_t size;
		int fd = open_local(ref, ref + 4, (size_t)(hash - (ref + 4)), o, &size, kind, err);
		if (fd < 0)
			goto out;
		if (!(c = cursor_open(path, fd, &why))) {
			fail(kind, IMAGE_BAD, err, "image '%s': cannot read the shard: %s", ref, why.buf);
			goto out;
		}
	}
	start = c->pos;
	found = cursor_seek(c, member, 0, &entry);
	if (found == 0 && start > 0) {
		/* not ahead of us: read again from the start up to where we began */
		if (cursor_rewind(c, &why) < 0) {
			fail(kind, IMAGE_BAD, err, "image '%s': cannot read the shard: %s", ref, why.buf);
			cursor_free(c);
			c = NULL;
			goto out;
		}
		found = cursor_seek(c, member, start, &entry);
	}
	if (found < 0) {
		fail(kind, IMAGE_BAD, err, "image '%s': damaged shard: %s", ref,
		     archive_error_string(c->a) ? archive_error_string(c->a) : "read error");
		cursor_free(c);
		c = NULL;
		goto out;
	}
	if (!found) {
		fail(kind, IMAGE_MISSING, err, "image '%s': no member '%s' in the shard", ref, member);
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
			fail(kind, IMAGE_BAD, err, "image '%s': corrupt member: %s", ref,
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
