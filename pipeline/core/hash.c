/*
 * hash.c — thin wrappers over libxxhash's XXH3 so the rest of smelt never
 * touches XXH types or byte order.
 */
#include "core/hash.h"

#include <string.h>
#include <xxhash.h>

#include "core/util.h"

static struct hash128 from_xxh(XXH128_hash_t h)
{
	struct hash128 r = { h.high64, h.low64 };
	return r;
}

struct hash128 hash128(const void *data, size_t len)
{
	return from_xxh(XXH3_128bits(data, len));
}

void hash128_hex(struct hash128 h, char out[HASH128_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	XXH128_canonical_t c;
	XXH128_hash_t x = { h.low, h.high };

	XXH128_canonicalFromHash(&c, x);
	for (size_t i = 0; i < sizeof(c.digest); i++) {
		out[2 * i] = digits[c.digest[i] >> 4];
		out[2 * i + 1] = digits[c.digest[i] & 15];
	}
	out[HASH128_HEX_LEN] = '\0';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hash128_from_hex(const char *hex, struct hash128 *out)
{
	XXH128_canonical_t c;

	for (size_t i = 0; i < sizeof(c.digest); i++) {
		int hi = hexval(hex[2 * i]), lo = hi < 0 ? -1 : hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		c.digest[i] = (unsigned char)(hi << 4 | lo);
	}
	if (hex[HASH128_HEX_LEN])
		return -1;
	*out = from_xxh(XXH128_hashFromCanonical(&c));
	return 0;
}

uint64_t hash64(const void *data, size_t len, uint64_t seed)
{
	return XXH3_64bits_withSeed(data, len, seed);
}

struct hash128_state *hash128_state_new(void)
{
	XXH3_state_t *st = XXH3_createState();

	if (!st)
		die("out of memory allocating a hash state");
	XXH3_128bits_reset(st);
	return (struct hash128_state *)st;
}

void hash128_state_update(struct hash128_state *st, const void *data, size_t len)
{
	XXH3_128bits_update((XXH3_state_t *)st, data, len);
}

struct hash128 hash128_state_digest(const struct hash128_state *st)
{
	return from_xxh(XXH3_128bits_digest((const XXH3_state_t *)st));
}

void hash128_state_free(struct hash128_state *st)
{
	XXH3_freeState((XXH3_state_t *)st);
}
