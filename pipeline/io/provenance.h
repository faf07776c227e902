/*
 * provenance.h — the `provenance` list a record carries so a dataset can
 * say how each sample was made: one entry per stage that changed it,
 * {stage, version, model, template_hash, params}.
 */
#ifndef SMELT_PROVENANCE_H
#define SMELT_PROVENANCE_H

#include <jansson.h>

#include "core/util.h"

/*
 * A new entry. `model` and `template_hash` may be NULL (left out);
 * `params` (an object, may be NULL) is stolen.
 */
json_t *provenance_entry(const char *stage, const char *model, const char *template_hash,
			 json_t *params);

/*
 * Append `entry` (borrowed: a reference is added, so one entry can be
 * shared by many records of one thread) to rec's "provenance" list,
 * creating it. Returns 0, or -1 if "provenance" exists and is not a list.
 */
int provenance_append(json_t *rec, json_t *entry) MUST_CHECK;

#endif
