/*
 * llm_cache.c — append-only zstd segments with an in-memory key index
 * (the format is described in llm_cache.h).
 *
 * Opening reads every segment's entry headers (mmap, walking from header
 * to header without decompressing) into an open-addressing hash table.
 * Later segments win when a key appears twice, so refreshed answers,
 * written to a newer segment, replace older ones. A lookup copies the slot
 * under a read lock, then reads and decompresses the entry without it.
 *
 * Damage costs what it touches: a header that does not check out is
 * skipped by scanning forward for the next one that does (magic, size
 * word, check word, a length that fits, a zstd frame after it: a false
 * match needs a 32-bit hash collision at a spot that already looks like a
 * header), and a segment that cannot be read is skipped with a warning.
 * A write that fails is cut back off the segment, so the next one can
 * still succeed once space frees up, and the reason is kept for the
 * caller to report (llm_cache_write_error).
 */
#include "llm/llm_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#define ENTRY_MAGIC 0x184D2A5Bu /* a zstd skippable frame: decoders skip it */
#define HEADER_SIZE 32
#define HEADER_PAYLOAD 24
#define MAX_ENTRY (256u << 20)
#define VALUE_PREFIX_LEN (sizeof("{\"key\":\"\",\"value\":") - 1 + HASH128_HEX_LEN)
#define ZSTD_LEVEL 3
#define ZSTD_FRAME_MAGIC "\x28\xb5\x2f\xfd"

struct slot {
	uint64_t high, low;
	uint64_t off;  /* offset of the data frame */
	uint32_t len;  /* its length; 0 marks an empty slot */
	uint32_t seg;
};

struct segment {
	char *path;
	int fd;
};

struct dctx_pool {
	ZSTD_DCtx **v;
	size_t n, alloc;
};

struct llm_cache {
	char *dir;
	enum llm_cache_mode mode;
	pthread_rwlock_t lock; /* the index and the segment list */
	struct slot *slots;
	size_t cap, used;
	struct segment *segs;
	size_t nsegs, segs_alloc;

	pthread_mutex_t wlock; /* the writer: own segment, cctx, buffers */
	int own;               /* index of our segment in segs, -1 before first put */
	int broken;            /* a failed write could not be cut back: append no more */
	char *write_error;     /* why the first write failed; NULL while none has */
	uint64_t own_off;
	ZSTD_CCtx *cctx;
	struct sbuf line, frame;

	pthread_mutex_t plock; /* the decompression context pool and counters */
	struct dctx_pool pool;
	struct llm_cache_stats stats;
};

int llm_cache_mode_parse(const char *s)
{
	static const char *const names[] = { "off", "rw", "ro", "refresh" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -1;
}

const char *llm_cache_mode_name(enum llm_cache_mode mode)
{
	switch (mode) {
	case LLM_CACHE_OFF: return "off";
	case LLM_CACHE_RW: return "rw";
	case LLM_CACHE_RO: return "ro";
	case LLM_CACHE_REFRESH: return "refresh";
	}
	return "?";
}

/* ---- byte order: little-endian on disk, whatever the machine ---------- */

static void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_le32(const unsigned char *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void header_encode(unsigned char h[HEADER_SIZE], struct hash128 key, uint32_t len)
{
	put_le32(h, ENTRY_MAGIC);
	put_le32(h + 4, HEADER_PAYLOAD);
	put_le64(h + 8, key.high);
	put_le64(h + 16, key.low);
	put_le32(h + 24, len);
	put_le32(h + 28, (uint32_t)hash64(h, 28, 0));
}

/* 0 and the key and length if `h` is a valid header, -1 otherwise. */
static int header_decode(const unsigned char h[HEADER_SIZE], struct hash128 *key, uint32_t *len)
{
	if (get_le32(h) != ENTRY_MAGIC || get_le32(h + 4) != HEADER_PAYLOAD ||
	    get_le32(h + 28) != (uint32_t)hash64(h, 28, 0))
		return -1;
	key->high = get_le64(h + 8);
	key->low = get_le64(h + 16);
	*len = get_le32(h + 24);
	return *len && *len <= MAX_ENTRY ? 0 : -1;
}

/* ---- the index ---------------------------------------------------------- */

static size_t slot_find(const struct slot *slots, size_t cap, struct hash128 key)
{
	size_t i = (size_t)(key.low ^ (key.high >> 7)) & (cap - 1);

	while (slots[i].len && (slots[i].high != key.high || slots[i].low != key.low))
		i = (i + 1) & (cap - 1);
	return i;
}

static void index_grow(struct llm_cache *c)
{
	size_t ncap = c->cap ? c->cap * 2 : 1024;
	struct slot *ns = xcalloc(ncap, sizeof(*ns));

	for (size_t i = 0; i < c->cap; i++)
		if (c->slots[i].len) {
			struct hash128 k = { c->slots[i].high, c->slots[i].low };
			ns[slot_find(ns, ncap, k)] = c->slots[i];
		}
	free(c->slots);
	c->slots = ns;
	c->cap = ncap;
}

/* Caller holds the write lock. A later entry for a key replaces the older. */
static void index_insert(struct llm_cache *c, struct hash128 key, uint32_t seg, uint64_t off,
			 uint32_t len)
{
	size_t i;

	if ((c->used + 1) * 10 > c->cap * 7)
		index_grow(c);
	i = slot_find(c->slots, c->cap, key);
	if (!c->slots[i].len)
		c->used++;
	c->slots[i] = (struct slot){ key.high, key.low, off, len, seg };
}

static uint32_t segment_add(struct llm_cache *c, char *path, int fd)
{
	ALLOC_GROW(c->segs, c->nsegs + 1, c->segs_alloc);
	c->segs[c->nsegs].path = path;
	c->segs[c->nsegs].fd = fd;
	return (uint32_t)c->nsegs++;
}

/*
 * The offset of the first valid entry header after `from` whose entry
 * fits in the `size` bytes of `map`, or `size` if there is none.
 */
static uint64_t header_next(const unsigned char *map, uint64_t from, uint64_t size)
{
	static const unsigned char start[8] = { 0x5B, 0x2A, 0x4D, 0x18, HEADER_PAYLOAD, 0, 0, 0 };
	const unsigned char *p = map + from, *end = map + size;

	while (end - p >= HEADER_SIZE &&
	       (p = memmem(p, (size_t)(end - p), start, sizeof(start)))) {
		struct hash128 key;
		uint32_t len;
		if (end - p < HEADER_SIZE)
			break;
		if (header_decode(p, &key, &len) == 0 && (uint64_t)(end - p) - HEADER_SIZE >= len &&
		    len >= 4 && !memcmp(p + HEADER_SIZE, ZSTD_FRAME_MAGIC, 4))
			return (uint64_t)(p - map);
		p++;
	}
	return size;
}

/*
 * Walk one segment's headers into the index. A damaged stretch is skipped
 * to the next valid header; one that runs to the end is a torn tail. A
 * segment that cannot be opened or mapped, or is no regular file, is
 * skipped with a warning: the rest of the cache still serves. (Opened
 * O_NONBLOCK so that a FIFO under a segment's name cannot hang the run.)
 */
static void segment_index(struct llm_cache *c, const char *name)
{
	char *path = xasprintf("%s/%s", c->dir, name);
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	const unsigned char *map = NULL;
	struct stat sb;
	uint64_t off = 0, size, damaged = 0, lost = 0;
	uint32_t seg;

	if (fd < 0 || fstat(fd, &sb) < 0) {
		warning("cannot read cache segment '%s': %s; skipped", path, strerror(errno));
		goto skip;
	}
	if (!S_ISREG(sb.st_mode)) {
		warning("cannot read cache segment '%s': not a regular file; skipped", path);
		goto skip;
	}
	size = (uint64_t)sb.st_size;
	if (size) {
		map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			warning("cannot map cache segment '%s': %s; skipped", path, strerror(errno));
			goto skip;
		}
	}
	seg = segment_add(c, path, fd);
	c->stats.segments++;
	while (off < size) {
		struct hash128 key;
		uint32_t len;
		if (size - off < HEADER_SIZE || header_decode(map + off, &key, &len) < 0 ||
		    size - off - HEADER_SIZE < len) {
			uint64_t next = header_next(map, off + 1, size);
			if (next == size) {
				warning("cache segment '%s': a torn tail of %llu bytes ignored", path,
					(unsigned long long)(size - off));
				c->stats.torn++;
				break;
			}
			lost += next - off;
			damaged++;
			off = next;
			continue;
		}
		index_insert(c, key, seg, off + HEADER_SIZE, len);
		off += HEADER_SIZE + len;
	}
	if (damaged)
		warning("cache segment '%s': %llu damaged entr%s skipped (%llu bytes); %s asked again",
			path, (unsigned long long)damaged, damaged == 1 ? "y" : "ies", (unsigned long long)lost,
			damaged == 1 ? "it is" : "they are");
	c->stats.damaged += damaged;
	if (map)
		munmap((void *)map, size);
	return;
skip:
	c->stats.unreadable++;
	if (fd >= 0)
		close(fd);
	free(path);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_segment_name(const char *n)
{
	size_t len = strlen(n);
	return !strncmp(n, "seg-", 4) && len > 8 && !strcmp(n + len - 4, ".zst");
}

/* Index the segments in name order: names start with the creation time. */
static int cache_index(struct llm_cache *c)
{
	DIR *d = opendir(c->dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, alloc = 0;

	if (!d)
		return error("cannot read cache directory '%s': %s", c->dir, strerror(errno));
	while ((de = readdir(d))) {
		if (!is_segment_name(de->d_name))
			continue;
		ALLOC_GROW(names, n + 1, alloc);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		segment_index(c, names[i]);
		free(names[i]);
	}
	free(names);
	return 0;
}

struct llm_cache *llm_cache_open(const char *dir, enum llm_cache_mode mode)
{
	struct llm_cache *c;
	struct stat sb;

	if (mode == LLM_CACHE_OFF) {
		error("cache '%s' opened with mode off", dir);
		return NULL;
	}
	if (mode == LLM_CACHE_RO) {
		if (stat(dir, &sb) < 0) {
			error("cannot read cache directory '%s': %s", dir, strerror(errno));
			return NULL;
		}
		if (!S_ISDIR(sb.st_mode)) {
			error("cache '%s' is not a directory", dir);
			return NULL;
		}
	} else if (mkdir_p(dir) < 0) {
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->dir = xstrdup(dir);
	c->mode = mode;
	c->own = -1;
	sbuf_init(&c->line, 0);
	sbuf_init(&c->frame, 0);
	pthread_rwlock_init(&c->lock, NULL);
	pthread_mutex_init(&c->wlock, NULL);
	pthread_mutex_init(&c->plock, NULL);
	index_grow(c);
	if (mode != LLM_CACHE_REFRESH && cache_index(c) < 0) {
		llm_cache_close(c);
		return NULL;
	}
	c->stats.entries = c->used;
	return c;
}

static ZSTD_DCtx *dctx_take(struct llm_cache *c)
{
	ZSTD_DCtx *d = NULL;

	pthread_mutex_lock(&c->plock);
	if (c->pool.n)
		d = c->pool.v[--c->pool.n];
	pthread_mutex_unlock(&c->plock);
	if (!d && !(d = ZSTD_createDCtx()))
		die("out of memory creating a zstd context");
	return d;
}

static void dctx_give(struct llm_cache *c, ZSTD_DCtx *d)
{
	pthread_mutex_lock(&c->plock);
	ALLOC_GROW(c->pool.v, c->pool.n + 1, c->pool.alloc);
	c->pool.v[c->pool.n++] = d;
	pthread_mutex_unlock(&c->plock);
}

static void count(struct llm_cache *c, uint64_t *field)
{
	pthread_mutex_lock(&c->plock);
	(*field)++;
	pthread_mutex_unlock(&c->plock);
}

/* Read and decode the entry in `s`; 0 with the value in `value`, -1 if damaged. */
static int entry_read(struct llm_cache *c, const struct slot *s, int fd, struct sbuf *value)
{
	char hex[HASH128_HEX_LEN + 1], *frame = xmalloc(s->len);
	unsigned long long size;
	ZSTD_DCtx *d;
	size_t got;
	ssize_t n;
	int r = -1;

	n = pread(fd, frame, s->len, (off_t)s->off);
	if (n != (ssize_t)s->len)
		goto out;
	size = ZSTD_getFrameContentSize(frame, s->len);
	if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
	    size > MAX_ENTRY || size < VALUE_PREFIX_LEN + 2)
		goto out;
	sbuf_reset(value);
	sbuf_grow(value, (size_t)size);
	d = dctx_take(c);
	got = ZSTD_decompressDCtx(d, value->buf, (size_t)size, frame, s->len);
	dctx_give(c, d);
	if (ZSTD_isError(got) || got != size)
		goto out;
	sbuf_setlen(value, got);
	hash128_hex((struct hash128){ s->high, s->low }, hex);
	/* {"key":"<hex>","value":VALUE}\n — check the frame, keep VALUE */
	if (memcmp(value->buf, "{\"key\":\"", 8) || memcmp(value->buf + 8, hex, HASH128_HEX_LEN) ||
	    memcmp(value->buf + 8 + HASH128_HEX_LEN, "\",\"value\":", 10) ||
	    memcmp(value->buf + got - 2, "}\n", 2))
		goto out;
	sbuf_consume(value, VALUE_PREFIX_LEN);
	sbuf_setlen(value, value->len - 2);
	r = 0;
out:
	free(frame);
	if (r < 0)
		sbuf_reset(value);
	return r;
}

int llm_cache_get(struct llm_cache *c, struct hash128 key, struct sbuf *value)
{
	struct slot s;
	int fd = -1;

	if (c->mode == LLM_CACHE_REFRESH) {
		count(c, &c->stats.misses);
		return 0;
	}
	pthread_rwlock_rdlock(&c->lock);
	s = c->slots[slot_find(c->slots, c->cap, key)];
	if (s.len)
		fd = c->segs[s.seg].fd;
	pthread_rwlock_unlock(&c->lock);
	if (!s.len) {
		count(c, &c->stats.misses);
		return 0;
	}
	if (entry_read(c, &s, fd, value) < 0) {
		uint64_t n;
		pthread_mutex_lock(&c->plock);
		n = ++c->stats.corrupt;
		c->stats.misses++;
		pthread_mutex_unlock(&c->plock);
		/* one line, not one per entry; the stats have the count */
		if (n == 1)
			warning("cache '%s': a damaged entry (checksum) is asked again; "
				"later ones are only counted", c->dir);
		return 0;
	}
	count(c, &c->stats.hits);
	return 1;
}

/* Keep the first reason a write failed (`msg` is owned); returns -1. */
static int write_failed(struct llm_cache *c, char *msg)
{
	if (!c->write_error)
		c->write_error = msg;
	else
		free(msg);
	return -1;
}

static int segment_create(struct llm_cache *c)
{
	char host[64] = "host";
	unsigned seed = (unsigned)getpid() ^ (unsigned)time(NULL) ^ (unsigned)(now_seconds() * 1e6);
	char *path;
	int fd;

	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	for (char *p = host; *p; p++)
		if (*p == '/' || *p == '.')
			*p = '_';
	for (int tries = 0; ; tries++) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		path = xasprintf("%s/seg-%010lld%06ld-%s-%d-%04x.zst", c->dir, (long long)ts.tv_sec,
				 ts.tv_nsec / 1000, host, (int)getpid(), rand_r(&seed) & 0xffff);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0666);
		if (fd >= 0 || errno != EEXIST || tries > 16)
			break;
		free(path);
	}
	if (fd < 0) {
		write_failed(c, xasprintf("cannot create cache segment '%s': %s", path, strerror(errno)));
		free(path);
		return -1;
	}
	close(fd);
	/* reopened read-write so the same descriptor serves lookups */
	fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (fd < 0) {
		write_failed(c, xasprintf("cannot open cache segment '%s': %s", path, strerror(errno)));
		free(path);
		return -1;
	}
	pthread_rwlock_wrlock(&c->lock);
	c->own = (int)segment_add(c, path, fd);
	pthread_rwlock_unlock(&c->lock);
	c->own_off = 0;
	return 0;
}

/*
 * Append one entry with a single write(2), so that a kill -9 leaves either
 * all of it or nothing an index would take. A short or failed write is cut
 * back off the segment (a full disk may take the next, smaller entry); if
 * that fails too the tail is torn and nothing more is appended.
 */
static int entry_append(struct llm_cache *c, const char *p, size_t n)
{
	const struct segment *s = &c->segs[c->own];
	ssize_t w;

	do
		w = write(s->fd, p, n);
	while (w < 0 && errno == EINTR);
	if (w == (ssize_t)n)
		return 0;
	if (w >= 0)
		errno = ENOSPC; /* a short write: the file system is full */
	write_failed(c, xasprintf("cannot write cache segment '%s': %s", s->path, strerror(errno)));
	if (w > 0 && ftruncate(s->fd, (off_t)c->own_off) < 0)
		c->broken = 1;
	return -1;
}

int llm_cache_put(struct llm_cache *c, struct hash128 key, const char *value, size_t len)
{
	char hex[HASH128_HEX_LEN + 1];
	size_t bound, z;
	uint64_t off;
	uint32_t seg;
	int r = 0;

	if (c->mode == LLM_CACHE_RO)
		return 0;
	hash128_hex(key, hex);
	pthread_mutex_lock(&c->wlock);
	if (c->broken || (c->own < 0 && segment_create(c) < 0)) {
		/* a directory we cannot create files in stays that way: do not retry */
		c->broken = 1;
		r = -1;
		goto out;
	}
	if (!c->cctx) {
		c->cctx = ZSTD_createCCtx();
		if (!c->cctx)
			die("out of memory creating a zstd context");
		ZSTD_CCtx_setParameter(c->cctx, ZSTD_c_compressionLevel, ZSTD_LEVEL);
		ZSTD_CCtx_setParameter(c->cctx, ZSTD_c_checksumFlag, 1);
	}
	sbuf_reset(&c->line);
	sbuf_addf(&c->line, "{\"key\":\"%s\",\"value\":", hex);
	sbuf_add(&c->line, value, len);
	sbuf_addstr(&c->line, "}\n");
	bound = ZSTD_compressBound(c->line.len);
	sbuf_reset(&c->frame);
	sbuf_grow(&c->frame, HEADER_SIZE + bound);
	z = ZSTD_compress2(c->cctx, c->frame.buf + HEADER_SIZE, bound, c->line.buf, c->line.len);
	if (ZSTD_isError(z) || z > MAX_ENTRY) {
		r = write_failed(c, xasprintf("cannot compress a cache entry: %s",
					      ZSTD_isError(z) ? ZSTD_getErrorName(z) : "entry too large"));
		goto out;
	}
	header_encode((unsigned char *)c->frame.buf, key, (uint32_t)z);
	if (entry_append(c, c->frame.buf, HEADER_SIZE + z) < 0) {
		r = -1;
		goto out;
	}
	off = c->own_off + HEADER_SIZE;
	c->own_off += HEADER_SIZE + z;
	seg = (uint32_t)c->own;
	pthread_rwlock_wrlock(&c->lock);
	index_insert(c, key, seg, off, (uint32_t)z);
	pthread_rwlock_unlock(&c->lock);
out:
	pthread_mutex_lock(&c->plock);
	if (r < 0)
		c->stats.write_errors++;
	else {
		c->stats.writes++;
		c->stats.bytes_written += HEADER_SIZE + z;
	}
	pthread_mutex_unlock(&c->plock);
	pthread_mutex_unlock(&c->wlock);
	return r;
}

const char *llm_cache_write_error(struct llm_cache *c)
{
	const char *e;

	pthread_mutex_lock(&c->wlock);
	e = c->write_error;
	pthread_mutex_unlock(&c->wlock);
	return e;
}

void llm_cache_get_stats(struct llm_cache *c, struct llm_cache_stats *out)
{
	pthread_rwlock_rdlock(&c->lock);
	pthread_mutex_lock(&c->plock);
	*out = c->stats;
	out->entries = c->used;
	pthread_mutex_unlock(&c->plock);
	pthread_rwlock_unlock(&c->lock);
}

const char *llm_cache_segment_path(const struct llm_cache *c)
{
	return c->own >= 0 ? c->segs[c->own].path : NULL;
}

void llm_cache_close(struct llm_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nsegs; i++) {
		close(c->segs[i].fd);
		free(c->segs[i].path);
	}
	for (size_t i = 0; i < c->pool.n; i++)
		ZSTD_freeDCtx(c->pool.v[i]);
	free(c->pool.v);
	ZSTD_freeCCtx(c->cctx);
	sbuf_release(&c->line);
	sbuf_release(&c->frame);
	free(c->write_error);
	free(c->segs);
	free(c->slots);
	free(c->dir);
	pthread_rwlock_destroy(&c->lock);
	pthread_mutex_destroy(&c->wlock);
	pthread_mutex_destroy(&c->plock);
	free(c);
}
