/*
 * extsort.h — an external sort of (key, value) pairs in bounded memory:
 * items collect in a buffer of at most `memory` bytes; a full buffer is
 * sorted and spilled to an unlinked temporary file (in $TMPDIR, else
 * /tmp) as one run; reading back merges the runs with a heap. Items come
 * out ordered by key, then value, so the output is the same whatever the
 * memory bound.
 */
#ifndef SMELT_NEARDUP_EXTSORT_H
#define SMELT_NEARDUP_EXTSORT_H

#include <stdint.h>

#include "core/util.h"

struct extsort_item {
	uint64_t key;
	uint32_t value;
	uint32_t pad; /* 0: the item is 16 bytes on every ABI */
};

struct extsort;

/* A new sort holding at most `memory` bytes of items (at least 64 KiB is used). */
struct extsort *extsort_new(uint64_t memory);
/* Add an item. 0, or -1 after error() when a run cannot be spilled. */
int extsort_add(struct extsort *s, uint64_t key, uint32_t value) MUST_CHECK;
/* No more items: prepare the merge. 0 or -1 after error(). */
int extsort_finish(struct extsort *s) MUST_CHECK;
/* The next item in order: 1, 0 at the end, -1 after error(). */
int extsort_next(struct extsort *s, struct extsort_item *out) MUST_CHECK;
/* Runs spilled to disk (0: everything fitted in memory). */
unsigned extsort_runs(const struct extsort *s);
void extsort_free(struct extsort *s);

#endif
