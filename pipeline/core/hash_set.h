/*
 * hash_set.h — a set of 128-bit hashes, each with a 64-bit value, in one
 * open-addressing table: what exact deduplication keeps per distinct record.
 *
 * An entry is 24 bytes (the hash and the value) and the table is kept at
 * most 3/4 full, so a distinct record costs 32 to 64 bytes of memory,
 * whatever the size of the record. Keys are XXH3-128 hashes, so their low
 * bits index the table directly. The all-zero key is allowed (kept aside).
 */
#ifndef SMELT_HASH_SET_H
#define SMELT_HASH_SET_H

#include <stddef.h>
#include <stdint.h>

#include "core/hash.h"

struct hash_set;

/* A new, empty set sized for about `expected` keys (0: a small default). */
struct hash_set *hash_set_new(size_t expected);
void hash_set_free(struct hash_set *s);

/*
 * Add `key` with `value` unless it is there. Returns 1 if it was added,
 * 0 if it was already present; then *existing (if not NULL) receives the
 * value stored with it first.
 */
int hash_set_insert(struct hash_set *s, struct hash128 key, uint64_t value, uint64_t *existing);
/* 1 and the value in *value (if not NULL) when `key` is present, else 0. */
int hash_set_lookup(const struct hash_set *s, struct hash128 key, uint64_t *value);

size_t hash_set_count(const struct hash_set *s);
/* Bytes of memory held by the table (what --stats reports). */
size_t hash_set_bytes(const struct hash_set *s);

#endif
