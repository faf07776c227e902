/*
 * json_canon.h — re-serialise a JSON text in smelt's canonical compact form
 * (the bytes json_write would produce after a jansson parse) without
 * building a tree.
 *
 * Why: stages that pass records through (cat, shard, merge, sample) spend
 * most of their time in jansson's parser and allocator. This scanner
 * validates and rewrites in one pass, several times faster. Whenever the
 * input is anything but plainly valid — a syntax error, a duplicate key, an
 * integer out of range, nesting too deep — it gives up and the caller takes
 * the jansson path, which produces the exact error message or result. So
 * both paths always agree on the output bytes.
 */
#ifndef SMELT_JSON_CANON_H
#define SMELT_JSON_CANON_H

#include <stddef.h>

#include "core/sbuf.h"

struct json_canon_info {
	int is_object;      /* the top-level value is an object */
	int id_type;        /* 0 absent, 1 string, 2 another type, 3 an integer */
	/* where the id is within out: the string's decoded bytes (id_type 1),
	 * the integer's digits as json_write writes them (id_type 3) */
	size_t id_off, id_len;
};

/*
 * Append the canonical form of in[0..len) to `out`. Returns 0 on success,
 * -1 if the caller must fall back to a full parse (out is then restored to
 * its previous length).
 */
int json_canon(const char *in, size_t len, struct sbuf *out, struct json_canon_info *info);

#endif
