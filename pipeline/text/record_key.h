/*
 * record_key.h — what two records are compared by: for exact deduplication,
 * a canonical normalised form of chosen fields and its 128-bit hash; for
 * sharding, merging, sampling and grouping, the plain text of a key value.
 *
 * The canonical form is a byte string in which every value starts with a
 * tag byte from 0xF5..0xFB — bytes that never occur in UTF-8 — so pieces
 * cannot run into each other: strings are normalised (text_norm.h),
 * numbers, booleans and null keep their compact JSON, arrays keep their
 * order, objects are taken with their keys sorted (key order means
 * nothing in JSON), and a field the record lacks has a tag of its own.
 * So ["ab","c"] and ["a","bc"] differ, while two `messages` lists that
 * differ only in case, width or spacing of their content are equal.
 */
#ifndef SMELT_RECORD_KEY_H
#define SMELT_RECORD_KEY_H

#include <jansson.h>
#include <stddef.h>

#include "core/hash.h"
#include "core/sbuf.h"
#include "core/util.h"

/* Append the canonical form of `v`. Returns 0, or -1 with error(). */
int record_key_canon(struct sbuf *out, const json_t *v) MUST_CHECK;

/*
 * Hash the canonical forms of the values at paths[0..npaths) of `rec`,
 * joined by 0xFF (`scratch` is working space). Returns 0 with *out set,
 * 1 if the record has none of the fields, -1 with error() on bad text.
 */
int record_key_hash(const json_t *rec, char *const *paths, size_t npaths, struct sbuf *scratch,
		   struct hash128 *out) MUST_CHECK;

/*
 * Append the text a key value stands for: a string's own bytes, any other
 * value's compact JSON. Used to shard, merge, stratify and group by a path.
 */
void record_key_text(struct sbuf *out, const json_t *v);

/*
 * Split a comma-separated list of paths ("instruction,input,scores.rm")
 * into *paths (new strings: free each, then the array) and *n. Returns 0,
 * or -1 (nothing allocated) if a piece is empty or not a valid path.
 */
int record_key_split_paths(const char *list, char ***paths, size_t *n) MUST_CHECK;

#endif
