/*
 * sim_table.c — open addressing with linear probing over 128-bit hashes.
 * The hash is already uniform, so its low word picks the slot directly.
 * Nothing is ever deleted one key at a time, so no tombstones are needed.
 */
#include "sim/sim_table.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

struct sim_table_slot {
	struct hash128 key;
	uint64_t count;
	int used;
};

static struct sim_table_slot *find(struct sim_table_slot *slots, size_t alloc,
				   struct hash128 key)
{
	size_t i = key.low & (alloc - 1);

	while (slots[i].used && !hash128_eq(slots[i].key, key))
		i = (i + 1) & (alloc - 1);
	return &slots[i];
}

static void grow(struct sim_table *t)
{
	size_t alloc = t->alloc ? t->alloc * 2 : 1024;
	struct sim_table_slot *slots = xcalloc(alloc, sizeof(*slots));

	for (size_t i = 0; i < t->alloc; i++)
		if (t->slots[i].used)
			*find(slots, alloc, t->slots[i].key) = t->slots[i];
	free(t->slots);
	t->slots = slots;
	t->alloc = alloc;
}

uint64_t sim_table_bump(struct sim_table *t, struct hash128 key, uint64_t by)
{
	struct sim_table_slot *s;
	uint64_t before;

	if (2 * (t->n + 1) > t->alloc)
		grow(t);
	s = find(t->slots, t->alloc, key);
	if (!s->used) {
		s->used = 1;
		s->key = key;
		s->count = 0;
		t->n++;
	}
	before = s->count;
	s->count += by;
	return before;
}

void sim_table_clear(struct sim_table *t)
{
	if (t->alloc)
		memset(t->slots, 0, t->alloc * sizeof(*t->slots));
	t->n = 0;
}

void sim_table_release(struct sim_table *t)
{
	free(t->slots);
	t->slots = NULL;
	t->n = t->alloc = 0;
}
