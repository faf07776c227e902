/*
 * json_path.h — get and set values inside a record by a path such as
 * `a.b[2].c`, `messages[-1].content` or `scores.rm`.
 *
 * Grammar: a key is a run of characters other than '.', '[' and ']'; `[N]`
 * indexes an array (negative counts from the end); keys are separated by
 * '.'. Quoting is not supported: keys containing '.' cannot be addressed.
 */
#ifndef SMELT_JSON_PATH_H
#define SMELT_JSON_PATH_H

#include <jansson.h>

#include "core/util.h"

/* Borrowed reference to the value at `path`, or NULL if any step is absent
 * or of the wrong type. */
json_t *jpath_get(const json_t *root, const char *path);

/* String at `path`, or NULL (borrowed; valid while the record lives). */
const char *jpath_get_string(const json_t *root, const char *path);

/*
 * Put `value` at `path`, creating missing objects on the way (arrays are
 * not created: an index must exist, or be exactly the array's length to
 * append). Steals `value` even on failure. Returns 0 or -1.
 */
int jpath_set(json_t *root, const char *path, json_t *value) MUST_CHECK;

/* Remove the value at `path`; 0 if removed, -1 if absent. */
int jpath_del(json_t *root, const char *path);

/* 0 if `path` is well formed, -1 otherwise (for checking options early). */
int jpath_check(const char *path) MUST_CHECK;

#endif
