/*
 * prompt_file.h — prompt files: optional front matter of defaults, then
 * chat messages whose bodies are Mustache templates (rendered without
 * HTML escaping) over a record. The format is documented in
 * prompts/README.md:
 *
 *	---
 *	parse: markers
 *	temperature: 0.7
 *	---
 *	=== system ===
 *	You are ...
 *	=== user ===
 *	Theme: {{theme}}
 *
 * A loaded prompt is immutable, so one may be rendered from many threads.
 */
#ifndef SMELT_PROMPT_FILE_H
#define SMELT_PROMPT_FILE_H

#include <jansson.h>

#include "core/hash.h"
#include "core/sbuf.h"
#include "core/util.h"

struct prompt_file;

/*
 * Read and compile the prompt file at `path`; `{{> name}}` partials are
 * read from name.mustache or name.prompt beside the including file.
 * Returns a new prompt_file, or NULL after error() ("x.prompt:12: ...").
 */
struct prompt_file *prompt_file_load(const char *path);

/*
 * The same from text in memory; `path` (may be NULL) names it in messages
 * and its directory is where partials are looked for (else the current
 * directory).
 */
struct prompt_file *prompt_file_parse(const char *text, size_t len,
				      const char *path);

/*
 * Render against `record` (borrowed) into a new array of
 * {"role": ..., "content": ...} objects. A message that renders to
 * whitespace only is left out, so optional turns can be written as
 * sections. Returns NULL with a message appended to `err` (or error() if
 * `err` is NULL) when rendering fails or leaves no message at all.
 */
json_t *prompt_file_render(const struct prompt_file *pf, const json_t *record,
			   struct sbuf *err);

/* The front matter as an object, {} if none (borrowed: lives as long as pf). */
json_t *prompt_file_defaults(const struct prompt_file *pf);

/*
 * XXH3-128 hex of the file and of every partial it includes (names and
 * contents), for provenance: equal hashes mean equal prompts (borrowed).
 */
const char *prompt_file_hash(const struct prompt_file *pf);

/* The path given to load/parse, or "<prompt>" (borrowed). */
const char *prompt_file_path(const struct prompt_file *pf);

void prompt_file_free(struct prompt_file *pf);

#endif
