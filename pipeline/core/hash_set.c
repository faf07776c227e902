/*
 * hash_set.c — linear probing over a power-of-two table (see hash_set.h).
 *
 * An all-zero slot is empty, so the all-zero key lives in a field of its
 * own. Growing doubles the table and reinserts every entry; keys are
 * already uniform hashes, so the slot is just their low bits.
 */
#include "core/hash_set.h"

#include <stdlib.h>

#include "core/util.h"

struct hash_entry {
	uint64_t high, low, value;
};

struct hash_set {
	struct hash_entry *slots;
	size_t mask;  /* slots - 1; the slot count is a power of two */
	size_t count; /* keys in the table, not counting the zero key */
	int has_zero;
	uint64_t zero_value;
};

#define MIN_SLOTS 64

static int is_zero(struct hash128 k)
{
	return !k.high && !k.low;
}

static int slot_empty(const struct hash_entry *e)
{
	return !e->high && !e->low;
}

struct hash_set *hash_set_new(size_t expected)
{
	struct hash_set *s = xcalloc(1, sizeof(*s));
	size_t n = MIN_SLOTS;

	while (n / 4 * 3 < expected)
		n *= 2;
	s->slots = xcalloc(n, sizeof(*s->slots));
	s->mask = n - 1;
	return s;
}

void hash_set_free(struct hash_set *s)
{
	if (!s)
		return;
	free(s->slots);
	free(s);
}

/* The slot holding `key`, or the empty slot where it would go. */
static struct hash_entry *find_slot(const struct hash_set *s, struct hash128 key)
{
	size_t i = (size_t)key.low & s->mask;

	for (;;) {
		struct hash_entry *e = &s->slots[i];
		if (slot_empty(e) || (e->high == key.high && e->low == key.low))
			return e;
		i = (i + 1) & s->mask;
	}
}

static void grow(struct hash_set *s)
{
	struct hash_entry *old = s->slots;
	size_t n = s->mask + 1;

	s->slots = xcalloc(2 * n, sizeof(*s->slots));
	s->mask = 2 * n - 1;
	for (size_t i = 0; i < n; i++) {
		if (slot_empty(&old[i]))
			continue;
		struct hash128 k = { old[i].high, old[i].low };
		*find_slot(s, k) = old[i];
	}
	free(old);
}

int hash_set_insert(struct hash_set *s, struct hash128 key, uint64_t value, uint64_t *existing)
{
	struct hash_entry *e;

	if (is_zero(key)) {
		if (s->has_zero) {
			if (existing)
				*existing = s->zero_value;
			return 0;
		}
		s->has_zero = 1;
		s->zero_value = value;
		return 1;
	}
	e = find_slot(s, key);
	if (!slot_empty(e)) {
		if (existing)
			*existing = e->value;
		return 0;
	}
	if ((s->count + 1) > (s->mask + 1) / 4 * 3) {
		grow(s);
		e = find_slot(s, key);
	}
	e->high = key.high;
	e->low = key.low;
	e->value = value;
	s->count++;
	return 1;
}

int hash_set_lookup(const struct hash_set *s, struct hash128 key, uint64_t *value)
{
	const struct hash_entry *e;

	if (is_zero(key)) {
		if (s->has_zero && value)
			*value = s->zero_value;
		return s->has_zero;
	}
	e = find_slot(s, key);
	if (slot_empty(e))
		return 0;
	if (value)
		*value = e->value;
	return 1;
}

size_t hash_set_count(const struct hash_set *s)
{
	return s->count + (size_t)s->has_zero;
}

size_t hash_set_bytes(const struct hash_set *s)
{
	return (s->mask + 1) * sizeof(struct hash_entry) + sizeof(*s);
}
