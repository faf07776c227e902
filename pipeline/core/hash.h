/*
 * hash.h — XXH3-128 content hashes, printed in xxHash's canonical
 * (big-endian) hex form so ids and cache keys are the same on every machine.
 */
#ifndef SMELT_HASH_H
#define SMELT_HASH_H

#include <stddef.h>
#include <stdint.h>

struct hash128 {
	uint64_t high;
	uint64_t low;
};

#define HASH128_HEX_LEN 32

struct hash128 hash128(const void *data, size_t len);
/* out receives 32 lowercase hex digits and a NUL. */
void hash128_hex(struct hash128 h, char out[HASH128_HEX_LEN + 1]);
/* Parse 32 hex digits; 0 on success, -1 otherwise. */
int hash128_from_hex(const char *hex, struct hash128 *out);
static inline int hash128_eq(struct hash128 a, struct hash128 b)
{
	return a.high == b.high && a.low == b.low;
}
/* 64-bit XXH3 for bucketing and sharding. */
uint64_t hash64(const void *data, size_t len, uint64_t seed);

/* Streaming XXH3-128 over several pieces. */
struct hash128_state;
struct hash128_state *hash128_state_new(void);
void hash128_state_update(struct hash128_state *st, const void *data, size_t len);
struct hash128 hash128_state_digest(const struct hash128_state *st);
void hash128_state_free(struct hash128_state *st);

#endif
