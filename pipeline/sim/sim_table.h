/*
 * sim_table.h — a counter per 128-bit content hash. smelt-sim counts how
 * often each canonical request body has arrived (fault decisions) and has
 * been answered (repeat detection) in these. Not thread-safe: the owner
 * holds its own lock.
 */
#ifndef SMELT_SIM_TABLE_H
#define SMELT_SIM_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/hash.h"

struct sim_table {
	struct sim_table_slot *slots;
	size_t n, alloc;	/* alloc is 0 or a power of two */
};

#define SIM_TABLE_INIT { NULL, 0, 0 }

/* Add `by` to the counter of key; returns the counter's value before. */
uint64_t sim_table_bump(struct sim_table *t, struct hash128 key, uint64_t by);
/* Forget every key, keeping the memory. */
void sim_table_clear(struct sim_table *t);
void sim_table_release(struct sim_table *t);

#endif
