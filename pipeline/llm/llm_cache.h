/*
 * llm_cache.h — the response cache that makes LLM stages resumable.
 *
 * A cache is a directory of append-only segment files. Each process that
 * writes creates its own segment (seg-<usec>-<host>-<pid>-<rand>.zst), so
 * any number of processes — Slurm tasks on a shared filesystem — can use
 * one directory without locks. An entry is a 32-byte zstd skippable frame
 * (magic, the 128-bit key, the length of what follows, a check word) and a
 * zstd frame holding one JSON line {"key":"<hex>","value":<response>}, so
 * `zstd -dc seg-*.zst` prints the cache as JSON Lines, and opening a cache
 * indexes it by reading headers only.
 *
 * Memory: the index holds key -> (segment, offset, length), 32 bytes per
 * entry; values stay on disk and are read back (pread + decompress) on a
 * hit.
 *
 * Crash safety: an entry is written with one write(2) as soon as it is
 * known, so kill -9 loses nothing that was answered; a torn tail (power
 * loss) is ignored when indexing and counted. A damaged entry header costs
 * that entry only: indexing resynchronises on the next valid header. A
 * segment that cannot be read is skipped with a warning.
 *
 * Thread-safe: get and put may be called from any thread.
 */
#ifndef SMELT_LLM_CACHE_H
#define SMELT_LLM_CACHE_H

#include <stdint.h>

#include "core/hash.h"
#include "core/sbuf.h"
#include "core/util.h"

enum llm_cache_mode {
	LLM_CACHE_OFF,
	LLM_CACHE_RW,      /* look up, store what is asked */
	LLM_CACHE_RO,      /* look up only; nothing is written */
	LLM_CACHE_REFRESH, /* ignore what is there, store fresh answers */
};

/* "rw", "ro", "refresh", "off" -> mode; -1 if unknown. */
int llm_cache_mode_parse(const char *s);
const char *llm_cache_mode_name(enum llm_cache_mode mode);

struct llm_cache_stats {
	uint64_t segments;  /* segment files indexed at open */
	uint64_t entries;   /* distinct keys in the index */
	uint64_t torn;      /* segments whose tail was torn */
	uint64_t damaged;   /* damaged stretches skipped while indexing (an entry or more each) */
	uint64_t unreadable; /* segments skipped: cannot be opened, mapped, or not a file */
	uint64_t corrupt;   /* entries that failed to decode on lookup */
	uint64_t hits, misses, writes;
	uint64_t write_errors; /* puts that stored nothing */
	uint64_t bytes_written;
};

struct llm_cache;

/*
 * Open (creating if needed) the cache in `dir` with `mode` (not OFF) and
 * index its segments (none in refresh mode). Returns a new cache to close
 * with llm_cache_close, or NULL after error().
 */
struct llm_cache *llm_cache_open(const char *dir, enum llm_cache_mode mode);

/*
 * Look `key` up. On a hit, replaces the contents of `value` with the stored
 * value text (compact JSON) and returns 1; returns 0 on a miss (always in
 * refresh mode). A damaged entry is counted and reported as a miss.
 */
int llm_cache_get(struct llm_cache *c, struct hash128 key, struct sbuf *value);

/*
 * Store `value` (len bytes of JSON text) under `key`: appended to this
 * process's segment, created on first use, with one write(2). A no-op in
 * read-only mode. Returns 0, or -1 if nothing was stored (counted in
 * write_errors). Unlike most of the library it prints nothing: whether a
 * failure is fatal is the caller's decision (--cache-errors), and the
 * reason is in llm_cache_write_error. A failed write is cut back off the
 * segment, so later puts may succeed (a full disk that frees up).
 */
int llm_cache_put(struct llm_cache *c, struct hash128 key, const char *value, size_t len);

/*
 * Why the first failed put failed ("cannot write cache segment '...':
 * No space left on device"), or NULL if none has (borrowed; valid until
 * close).
 */
const char *llm_cache_write_error(struct llm_cache *c);

void llm_cache_get_stats(struct llm_cache *c, struct llm_cache_stats *out);
/* The path of this process's segment, or NULL before the first put (borrowed). */
const char *llm_cache_segment_path(const struct llm_cache *c);

void llm_cache_close(struct llm_cache *c);

#endif
