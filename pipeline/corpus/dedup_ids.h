/*
 * dedup_ids.h — an append-only store of the ids of first occurrences, so
 * smelt-dedup can name the record a duplicate repeats without holding one
 * id per distinct record in memory.
 *
 * Ids go to an unlinked temporary file (in $TMPDIR, else /tmp) through a
 * 1 MiB buffer; a reference is the id's offset. Memory stays flat however
 * many ids are stored; reading one back is at most one pread, paid only
 * for duplicates.
 */
#ifndef SMELT_DEDUP_IDS_H
#define SMELT_DEDUP_IDS_H

#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"
#include "core/util.h"

struct dedup_ids;

/* A new, empty store; NULL after error() if no temporary file can be made. */
struct dedup_ids *dedup_ids_new(void);
void dedup_ids_free(struct dedup_ids *d);

/* Store id[0..len) and put its reference in *ref. 0, or -1 on I/O error. */
int dedup_ids_add(struct dedup_ids *d, const char *id, size_t len, uint64_t *ref) MUST_CHECK;
/* Replace the contents of `out` with the id stored at `ref`. 0 or -1. */
int dedup_ids_get(struct dedup_ids *d, uint64_t ref, struct sbuf *out) MUST_CHECK;

/* Bytes stored so far (on disk and in the buffer). */
uint64_t dedup_ids_bytes(const struct dedup_ids *d);

#endif
