/*
 * extsort.c — sorted runs on disk and their k-way merge (see extsort.h).
 *
 * All runs live in one unlinked file, one after another; each run is read
 * back through its own small buffer, so the merge needs runs × buffer
 * bytes, kept within the bound by shrinking the buffers when runs are many.
 */
#include "neardup/extsort.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIN_MEMORY (64u << 10)
#define MAX_RUN_BUFFER (1u << 20)

struct run {
	uint64_t start, end; /* item indexes in the spill file */
	uint64_t next;       /* next item to load */
	struct extsort_item *buf;
	size_t len, pos, cap;
};

struct extsort {
	struct extsort_item *items;
	size_t n, cap; /* cap: the most the memory bound allows */
	uint64_t memory;
	int fd; /* -1 until the first spill */
	uint64_t spilled;
	struct run *runs;
	unsigned nruns, alloc_runs;
	unsigned *heap; /* run indexes, a min-heap on each run's current item */
	unsigned nheap;
	size_t mem_pos; /* merge position in the in-memory run */
	int finished;
};

static int item_cmp(const struct extsort_item *a, const struct extsort_item *b)
{
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->value < b->value ? -1 : a->value > b->value;
}

/*
 * In place: glibc's qsort may take a second buffer as large as the array,
 * which would double the memory the bound allows. The keys are hashes, so
 * a plain quicksort (middle pivot, the smaller side first) does well.
 */
static void sort_items(struct extsort_item *a, size_t n)
{
	while (n > 16) {
		struct extsort_item pivot = a[n / 2], t;
		size_t i = 0, j = n - 1;
		for (;;) {
			while (item_cmp(&a[i], &pivot) < 0)
				i++;
			while (item_cmp(&pivot, &a[j]) < 0)
				j--;
			if (i >= j)
				break;
			t = a[i];
			a[i++] = a[j];
			a[j--] = t;
		}
		/* a[0..j] <= pivot <= a[j+1..n) */
		if (j + 1 < n - j - 1) {
			sort_items(a, j + 1);
			a += j + 1;
			n -= j + 1;
		} else {
			sort_items(a + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	for (size_t i = 1; i < n; i++) {
		struct extsort_item v = a[i];
		size_t k = i;
		for (; k && item_cmp(&v, &a[k - 1]) < 0; k--)
			a[k] = a[k - 1];
		a[k] = v;
	}
}

struct extsort *extsort_new(uint64_t memory)
{
	struct extsort *s = xcalloc(1, sizeof(*s));

	s->memory = memory < MIN_MEMORY ? MIN_MEMORY : memory;
	s->cap = (size_t)(s->memory / sizeof(struct extsort_item));
	s->fd = -1;
	return s;
}

static int open_spill(struct extsort *s)
{
	const char *dir = getenv("TMPDIR");
	char *path = xasprintf("%s/smelt-minhash-XXXXXX", dir && *dir ? dir : "/tmp");

	s->fd = mkstemp(path);
	if (s->fd < 0) {
		error("cannot create a temporary file '%s': %s", path, strerror(errno));
		free(path);
		return -1;
	}
	unlink(path);
	free(path);
	return 0;
}

static int spill(struct extsort *s)
{
	const char *p = (const char *)s->items;
	size_t len = s->n * sizeof(*s->items);
	off_t at = (off_t)(s->spilled * sizeof(*s->items));

	if (s->fd < 0 && open_spill(s) < 0)
		return -1;
	sort_items(s->items, s->n);
	while (len) {
		ssize_t w = pwrite(s->fd, p, len, at);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return error("cannot write a sort run: %s", strerror(errno));
		p += w;
		at += w;
		len -= (size_t)w;
	}
	ALLOC_GROW(s->runs, s->nruns + 1, s->alloc_runs);
	s->runs[s->nruns++] = (struct run){ .start = s->spilled, .end = s->spilled + s->n,
					    .next = s->spilled };
	s->spilled += s->n;
	s->n = 0;
	return 0;
}

int extsort_add(struct extsort *s, uint64_t key, uint32_t value)
{
	/*
	 * The whole buffer at once: untouched pages cost no memory, and growing
	 * by realloc would hold the old and the new copy at once.
	 */
	if (!s->items)
		s->items = xmalloc(s->cap * sizeof(*s->items));
	if (s->n == s->cap && spill(s) < 0)
		return -1;
	s->items[s->n++] = (struct extsort_item){ key, value, 0 };
	return 0;
}

/* Load the next buffer of run r. 0 or -1. */
static int run_load(struct extsort *s, struct run *r)
{
	size_t want = r->end - r->next < r->cap ? (size_t)(r->end - r->next) : r->cap;
	size_t bytes = want * sizeof(*r->buf);
	ssize_t got = pread(s->fd, r->buf, bytes, (off_t)(r->next * sizeof(*r->buf)));

	if (got != (ssize_t)bytes)
		return error("cannot read a sort run back: %s", got < 0 ? strerror(errno) : "short read");
	r->next += want;
	r->len = want;
	r->pos = 0;
	return 0;
}

static int heap_less(const struct extsort *s, unsigned x, unsigned y)
{
	const struct run *a = &s->runs[x], *b = &s->runs[y];

	return item_cmp(&a->buf[a->pos], &b->buf[b->pos]) < 0;
}

static void heap_down(struct extsort *s, unsigned i)
{
	for (;;) {
		unsigned l = 2 * i + 1, m = i;
		if (l < s->nheap && heap_less(s, s->heap[l], s->heap[m]))
			m = l;
		if (l + 1 < s->nheap && heap_less(s, s->heap[l + 1], s->heap[m]))
			m = l + 1;
		if (m == i)
			return;
		unsigned t = s->heap[i];
		s->heap[i] = s->heap[m];
		s->heap[m] = t;
		i = m;
	}
}

int extsort_finish(struct extsort *s)
{
	s->finished = 1;
	if (!s->nruns) {
		if (s->n)
			sort_items(s->items, s->n);
		return 0;
	}
	/* Spill the rest too: one merge over runs only, with memory for their buffers. */
	if (s->n && spill(s) < 0)
		return -1;
	free(s->items);
	s->items = NULL;
	size_t per_run = (size_t)(s->memory / s->nruns / sizeof(struct extsort_item));
	if (per_run > MAX_RUN_BUFFER / sizeof(struct extsort_item))
		per_run = MAX_RUN_BUFFER / sizeof(struct extsort_item);
	if (per_run < 64)
		per_run = 64;
	s->heap = xmalloc(s->nruns * sizeof(*s->heap));
	for (unsigned i = 0; i < s->nruns; i++) {
		struct run *r = &s->runs[i];
		r->cap = per_run;
		r->buf = xmalloc(per_run * sizeof(*r->buf));
		if (run_load(s, r) < 0)
			return -1;
		s->heap[s->nheap++] = i;
	}
	for (unsigned i = s->nheap / 2 + 1; i-- > 0;)
		heap_down(s, i);
	return 0;
}

int extsort_next(struct extsort *s, struct extsort_item *out)
{
	if (!s->nruns) {
		if (s->mem_pos >= s->n)
			return 0;
		*out = s->items[s->mem_pos++];
		return 1;
	}
	if (!s->nheap)
		return 0;
	struct run *r = &s->runs[s->heap[0]];
	*out = r->buf[r->pos++];
	if (r->pos == r->len) {
		if (r->next < r->end) {
			if (run_load(s, r) < 0)
				return -1;
		} else {
			s->heap[0] = s->heap[--s->nheap];
		}
	}
	if (s->nheap)
		heap_down(s, 0);
	return 1;
}

unsigned extsort_runs(const struct extsort *s)
{
	return s->nruns;
}

void extsort_free(struct extsort *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	for (unsigned i = 0; i < s->nruns; i++)
		free(s->runs[i].buf);
	free(s->runs);
	free(s->heap);
	free(s->items);
	free(s);
}
