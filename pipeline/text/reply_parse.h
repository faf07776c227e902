/*
 * reply_parse.h — turn a model's reply into JSON: the reply as text, the
 * first JSON value in it, Condor-style bracket-marked blocks, a list
 * literal, or the named groups of a PCRE2 pattern.
 *
 * A parser is built once from a spec — the prompt's front matter — whose
 * `parse` key names the mode and whose key named after the mode holds the
 * mode's options:
 *
 *	{"parse": "markers",
 *	 "markers": {"blocks": ["Question"], "labels": ["Easy", "Medium", "Hard"],
 *		     "start": "[{} Start]", "end": "[{} End]", "label": "[{}]",
 *		     "required": true, "none": "None"}}
 *	{"parse": "regex", "regex": {"pattern": "Score: (?<score>\\d+)", "flags": "i"}}
 *
 * Other keys of the spec (temperature, ...) are ignored. The modes and
 * their results are described in prompts/README.md. A built parser is
 * immutable and may be applied from many threads at once.
 */
#ifndef SMELT_REPLY_PARSE_H
#define SMELT_REPLY_PARSE_H

#include <jansson.h>

#include "core/sbuf.h"
#include "core/util.h"

struct reply_parser;

/*
 * Build a parser from `spec` (borrowed; NULL or no `parse` key means
 * "text"). Returns a new parser, or NULL with the reason appended to `err`
 * (or error() if `err` is NULL): unknown mode, unknown or ill-typed
 * option, a marker template without `{}`, a pattern that does not compile.
 */
struct reply_parser *reply_parser_new(const json_t *spec, struct sbuf *err);

/*
 * Parse `len` bytes of `reply`. Returns a new reference, or NULL with a
 * one-line reason appended to `err` (or error() if `err` is NULL), e.g.
 * "reply lacks Hard" or "no JSON object or array in the reply".
 */
json_t *reply_parser_apply(const struct reply_parser *p, const char *reply,
			   size_t len, struct sbuf *err);

/* "text", "json", "markers", "list" or "regex" (static string). */
const char *reply_parser_mode(const struct reply_parser *p);

void reply_parser_free(struct reply_parser *p);

#endif
