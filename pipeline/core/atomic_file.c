/*
 * atomic_file.c — temporaries renamed into place on commit (see
 * atomic_file.h), and the list of live ones that exit and signal paths
 * unlink.
 *
 * The list is read by a signal handler, which may run on any thread at any
 * moment, so it never frees or moves a node: a node is pushed once, then
 * reused for later temporaries. Each node carries a sequence number that
 * is odd while its path is being rewritten (a seqlock): the handler copies
 * the path, and unlinks the copy only if the number was even and unchanged
 * around the copy. Writers take a mutex among themselves.
 */
#include "core/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Room a node keeps for its path, so that most reuses fit. */
#define NODE_PATH_MIN 256

struct tmp_node {
	struct tmp_node *next; /* set once, before the node is published */
	struct tmp_node *free_next; /* on tmp_free while not live (under tmp_mu) */
	unsigned seq;          /* odd while path/live/pid change */
	int live;
	pid_t pid;             /* a forked child never unlinks its parent's files */
	size_t cap;
	char path[];
};

struct atomic_file {
	char *path;  /* as given */
	char *final; /* what the rename replaces: path, or the file a link names */
	struct tmp_node *node; /* NULL when written directly (not a regular file) */
	int fd;
};

static struct tmp_node *tmp_list;
/*
 * Nodes not live, for reuse: a stack, so taking one never walks the nodes
 * in use (smelt-shard holds one per shard, tens of thousands).
 */
static struct tmp_node *tmp_free;
static pthread_mutex_t tmp_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t tmp_once = PTHREAD_ONCE_INIT;
static unsigned long tmp_counter;

static void unlink_at_exit(void)
{
	atomic_file_unlink_all();
}

static void register_exit(void)
{
	atexit(unlink_at_exit);
}

void atomic_file_unlink_all(void)
{
	char copy[PATH_MAX];
	pid_t self = getpid();

	for (struct tmp_node *n = __atomic_load_n(&tmp_list, __ATOMIC_ACQUIRE); n; n = n->next) {
		unsigned s1 = __atomic_load_n(&n->seq, __ATOMIC_ACQUIRE);
		size_t len;

		if ((s1 & 1) || !__atomic_load_n(&n->live, __ATOMIC_ACQUIRE) || n->pid != self)
			continue;
		len = strnlen(n->path, n->cap);
		if (len >= sizeof(copy))
			continue;
		memcpy(copy, n->path, len);
		copy[len] = '\0';
		if (__atomic_load_n(&n->seq, __ATOMIC_ACQUIRE) != s1)
			continue;
		unlink(copy);
	}
}

/* A node holding `tmp`, marked live. Takes tmp_mu. */
static struct tmp_node *node_take(const char *tmp)
{
	size_t len = strlen(tmp);
	struct tmp_node *n;

	pthread_mutex_lock(&tmp_mu);
	if ((n = tmp_free) && n->cap > len)
		tmp_free = n->free_next;
	else
		n = NULL;
	if (!n) {
		size_t cap = len + 1 > NODE_PATH_MIN ? len + 1 : NODE_PATH_MIN;
		n = xcalloc(1, sizeof(*n) + cap);
		n->cap = cap;
		n->next = tmp_list;
		__atomic_store_n(&tmp_list, n, __ATOMIC_RELEASE);
	}
	__atomic_add_fetch(&n->seq, 1, __ATOMIC_ACQ_REL);
	memcpy(n->path, tmp, len + 1);
	n->pid = getpid();
	__atomic_store_n(&n->live, 1, __ATOMIC_RELEASE);
	__atomic_add_fetch(&n->seq, 1, __ATOMIC_ACQ_REL);
	pthread_mutex_unlock(&tmp_mu);
	return n;
}

static void node_release(struct tmp_node *n)
{
	pthread_mutex_lock(&tmp_mu);
	__atomic_add_fetch(&n->seq, 1, __ATOMIC_ACQ_REL);
	__atomic_store_n(&n->live, 0, __ATOMIC_RELEASE);
	__atomic_add_fetch(&n->seq, 1, __ATOMIC_ACQ_REL);
	n->free_next = tmp_free;
	tmp_free = n;
	pthread_mutex_unlock(&tmp_mu);
}

/*
 * The file a rename must replace: a symbolic link's target. NULL for a
 * link that leads to a file but not to a name (/proc/self/fd/N of an
 * unlinked file): that one can only be written in place.
 */
static char *final_name(const char *path)
{
	struct stat lst, st;
	char *real;

	if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
		if ((real = realpath(path, NULL))) {
			char *copy = xstrdup(real);
			free(real);
			return copy;
		}
		if (stat(path, &st) == 0)
			return NULL;
	}
	return xstrdup(path);
}

static struct atomic_file *open_direct(struct atomic_file *af, mode_t mode)
{
	af->fd = open(af->final, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (af->fd < 0) {
		error("cannot create '%s': %s", af->path, strerror(errno));
		free(af->final);
		free(af->path);
		free(af);
		return NULL;
	}
	return af;
}

struct atomic_file *atomic_file_open(const char *path, mode_t mode)
{
	struct atomic_file *af = xcalloc(1, sizeof(*af));
	const char *slash, *base;
	struct stat st;
	int dirlen;

	pthread_once(&tmp_once, register_exit);
	af->path = xstrdup(path);
	af->final = final_name(path);
	if (!af->final) {
		af->final = xstrdup(path);
		return open_direct(af, mode);
	}
	if (stat(af->final, &st) == 0 && !S_ISREG(st.st_mode))
		return open_direct(af, mode);
	slash = strrchr(af->final, '/');
	base = slash ? slash + 1 : af->final;
	dirlen = slash ? (int)(base - af->final) : 0;
	for (int tries = 0;; tries++) {
		unsigned long k = __atomic_fetch_add(&tmp_counter, 1, __ATOMIC_RELAXED);
		/* a base name near NAME_MAX is cut so the temporary still fits */
		char *tmp = xasprintf("%.*s.%.200s.tmp-%ld-%lu", dirlen, af->final, base,
				      (long)getpid(), k);
		/* listed before it exists: a signal in between unlinks nothing */
		af->node = node_take(tmp);
		free(tmp);
		af->fd = open(af->node->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
		if (af->fd >= 0)
			return af;
		int err = errno;
		node_release(af->node);
		if (err != EEXIST || tries >= 100) {
			error("cannot create '%s': %s", path, strerror(err));
			free(af->final);
			free(af->path);
			free(af);
			return NULL;
		}
	}
}

int atomic_file_fd(const struct atomic_file *af)
{
	return af->fd;
}

const char *atomic_file_path(const struct atomic_file *af)
{
	return af->path;
}

static void af_free(struct atomic_file *af)
{
	free(af->final);
	free(af->path);
	free(af);
}

int atomic_file_commit(struct atomic_file *af)
{
	int r = 0;

	if (!af->node) {
		if (close(af->fd) < 0)
			r = error("cannot close '%s': %s", af->path, strerror(errno));
		af_free(af);
		return r;
	}
	/* fsync first: after a crash the new name must not hold an empty file */
	if (fsync(af->fd) < 0 && errno != EINVAL && errno != EROFS)
		r = error("cannot sync '%s': %s", af->path, strerror(errno));
	if (close(af->fd) < 0 && !r)
		r = error("cannot close '%s': %s", af->path, strerror(errno));
	if (!r && rename(af->node->path, af->final) < 0)
		r = error("cannot rename '%s' to '%s': %s", af->node->path, af->path, strerror(errno));
	if (r)
		unlink(af->node->path);
	node_release(af->node);
	af_free(af);
	return r;
}

void atomic_file_abort(struct atomic_file *af)
{
	if (!af)
		return;
	close(af->fd);
	if (af->node) {
		unlink(af->node->path);
		node_release(af->node);
	}
	af_free(af);
}

int atomic_file_write(const char *path, const void *buf, size_t len, mode_t mode)
{
	struct atomic_file *af = atomic_file_open(path, mode);
	const char *p = buf;

	if (!af)
		return -1;
	while (len) {
		ssize_t k = write(af->fd, p, len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			error("cannot write '%s': %s", path, strerror(errno));
			atomic_file_abort(af);
			return -1;
		}
		p += k;
		len -= (size_t)k;
	}
	return atomic_file_commit(af);
}
