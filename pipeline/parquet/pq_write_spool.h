/*
 * pq_write_spool.h — the records of a Parquet file being written, kept
 * until its schema is known: zstd (level 1) JSON Lines in a temporary
 * under $TMPDIR (or /tmp) that is unlinked as soon as it is made, so no
 * exit — not even kill -9 — leaves it behind.
 */
#ifndef SMELT_PQ_WRITE_SPOOL_H
#define SMELT_PQ_WRITE_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

struct pqw_spool;

/* NULL after error(). */
struct pqw_spool *pqw_spool_open(void);
/* One line (no newline in it). */
int pqw_spool_add(struct pqw_spool *s, const char *text, size_t len) MUST_CHECK;
/* Done adding: read from the first line on. */
int pqw_spool_rewind(struct pqw_spool *s) MUST_CHECK;
/* The next line (borrowed until the next call): 1, 0 after the last, -1 on error. */
int pqw_spool_next(struct pqw_spool *s, const char **line, size_t *len) MUST_CHECK;
uint64_t pqw_spool_bytes(const struct pqw_spool *s); /* compressed bytes on disk */
void pqw_spool_free(struct pqw_spool *s);

/* write(2) all of p[0..n) to fd, again after EINTR: 0, or -1 with errno. */
int pqw_write_all(int fd, const void *p, size_t n);

#endif
