/*
 * step_split.h — cut a step-by-step solution into the steps that
 * Monte-Carlo labelling rolls out from, and join a prefix of them back.
 *
 * A step is what lies between two "\n\n" separators; empty pieces are
 * steps too (three newlines in a row leave nothing between the separators
 * and the model still wrote it). When a solution has more pieces than
 * max_steps, consecutive pieces are merged, re-joined by "\n\n", in one of
 * two ways:
 *
 *   STEP_MERGE_CHUNK  VisualPRM's code: chunks of ceil(n / max_steps)
 *                     pieces, the last one shorter. This can leave far
 *                     fewer than max_steps steps (13 pieces -> 7 steps);
 *                     it is the default so labels match theirs.
 *   STEP_MERGE_EVEN   exactly max_steps groups whose sizes differ by at
 *                     most one, the larger groups first (13 -> 2+1*11).
 *
 * Merging only re-joins pieces with the separator that split them, so
 * step_join of every step gives back the response byte for byte, whatever
 * the merge. Strings are NUL-terminated: a response holding a NUL byte is
 * cut there.
 */
#ifndef SMELT_STEP_SPLIT_H
#define SMELT_STEP_SPLIT_H

#include <jansson.h>
#include <stddef.h>

#include "core/sbuf.h"

#define STEP_SEPARATOR "\n\n"
#define STEP_MAX_DEFAULT 12

enum step_merge {
	STEP_MERGE_CHUNK = 0,
	STEP_MERGE_EVEN,
};

/* The steps, in order; each string is owned by the list. */
struct step_list {
	char **steps;
	size_t nr;
	size_t alloc;
};

#define STEP_LIST_INIT { NULL, 0, 0 }

/*
 * Replace the contents of `out` by the steps of `response`. max_steps == 0
 * means no merging. Always yields at least one step ("" gives [""]).
 * Returns the number of steps, or -1 (with error()) on a NULL argument.
 */
long step_split(struct step_list *out, const char *response, size_t max_steps,
		enum step_merge merge) MUST_CHECK;

/* Free every step; the list is left empty and reusable. */
void step_list_release(struct step_list *sl);

/*
 * Append steps[0..t] (inclusive) joined by "\n\n" to `out`: the prefix a
 * rollout continues. t past the end is clamped to the last step.
 */
void step_join(struct sbuf *out, const struct step_list *sl, size_t t);

/*
 * The steps as a JSON array of strings: a new reference, or NULL if a step
 * is not valid UTF-8 (splitting valid UTF-8 never makes one invalid).
 */
json_t *step_list_to_json(const struct step_list *sl);

/*
 * Fill `out` from a JSON array of strings (e.g. a record's "steps" field),
 * copying them. Returns the number of steps, or -1 (with error()) if `arr`
 * is not an array of strings; `out` is then left empty.
 */
long step_list_from_json(struct step_list *out, const json_t *arr) MUST_CHECK;

/* "chunk" / "even" <-> enum; parse returns 0, or -1 for an unknown name. */
const char *step_merge_name(enum step_merge merge);
int step_merge_parse(const char *name, enum step_merge *out) MUST_CHECK;

#endif
