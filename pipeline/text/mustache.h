/*
 * mustache.h — Mustache templates over jansson values, compiled once and
 * rendered many times (from several threads at once).
 *
 * Follows the Mustache spec (variables, sections, inverted sections,
 * comments, partials, set delimiters, standalone lines) without lambdas,
 * and adds what prompt templates need: names may index arrays
 * (`a.b[2].c`, `items[-1]`), output is not HTML-escaped unless asked,
 * numbers render as JSON numbers, true/false as "true"/"false", null and
 * missing values as nothing, objects and arrays as compact JSON.
 *
 * A section is skipped for false, null, a missing name, an empty list and
 * the empty string; a list is iterated with each element pushed on the
 * context stack; any other value is pushed once.
 *
 * Partials are looked up at compile time through a caller's callback, so a
 * compiled template holds everything it renders and never calls back.
 */
#ifndef SMELT_MUSTACHE_H
#define SMELT_MUSTACHE_H

#include <jansson.h>

#include "core/sbuf.h"
#include "core/util.h"

struct mustache;

/* Compile flags. */
#define MUSTACHE_HTML_ESCAPE 0x1 /* {{x}} escapes & " < > (the spec's mode) */

/*
 * Partial lookup. `from` names the template holding the `{{> name}}` tag:
 * NULL for the template given to mustache_compile, else an `id` this
 * callback filled in earlier. On success put the partial's source in
 * `text` and a string identifying it in `id` (partials with the same id
 * are compiled once, which is what makes recursive partials finite), and
 * return 0. Return 1 if there is no such partial (it renders as nothing,
 * as the spec asks), or -1 with a message in `text` to fail the compile.
 */
typedef int mustache_partial_fn(void *data, const char *from, const char *name,
				struct sbuf *id, struct sbuf *text);

/*
 * Compile `src` (`len` bytes). `partial` may be NULL (every partial is
 * then empty). Returns a new template to free with mustache_free, or NULL
 * with a message appended to `err` (or, if `err` is NULL, reported with
 * error()). The message starts "line N: " for a fault in `src` itself
 * ("line 3: unclosed section 'items'"), "partial 'ID': line N: " for one
 * in a partial.
 */
struct mustache *mustache_compile(const char *src, size_t len, unsigned flags,
				  mustache_partial_fn *partial, void *data,
				  struct sbuf *err);

/*
 * Append the rendering of `tpl` against `ctx` (borrowed, may be NULL) to
 * `out`. Thread-safe: neither the template nor `ctx` is modified. Returns
 * 0, or -1 with a message in `err` (or error()) when sections and partials
 * nest deeper than MUSTACHE_MAX_DEPTH or rendering visits more than
 * MUSTACHE_MAX_WORK nodes (nested loops over large lists).
 */
#define MUSTACHE_MAX_DEPTH 200
#define MUSTACHE_MAX_WORK (1UL << 24)
int mustache_render(const struct mustache *tpl, const json_t *ctx,
		    struct sbuf *out, struct sbuf *err) MUST_CHECK;

void mustache_free(struct mustache *tpl);

#endif
