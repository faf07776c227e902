/*
 * atomic_file.h — write a file under a temporary name beside it and rename
 * it into place only once it is complete, so that the final name holds
 * either the previous content or the whole new one, never half a file.
 *
 *	struct atomic_file *af = atomic_file_open("out.jsonl.zst", 0644);
 *	... write(atomic_file_fd(af), ...) ...
 *	if (ok) r = atomic_file_commit(af);   // fsync, rename, free
 *	else atomic_file_abort(af);           // unlink the temporary, free
 *
 * The temporary is "DIR/.NAME.tmp-PID-N" (hidden, same directory, so the
 * rename stays on one file system). Every live temporary is on a
 * process-wide list: an exit() that skips the commit (die(), a stage that
 * returns early) unlinks it through atexit, and a signal handler can call
 * atomic_file_unlink_all(), which is async-signal-safe. Only kill -9
 * leaves a temporary behind; the final name is untouched even then.
 *
 * A target that exists and is not a regular file (/dev/null, a FIFO), or
 * is reached only through a link with no name behind it (/proc/self/fd/N
 * of an unlinked file: smelt-filter's spool), is written directly: there
 * is nothing to rename onto. A symbolic link is
 * followed: the file it names is replaced, the link stays.
 */
#ifndef SMELT_ATOMIC_FILE_H
#define SMELT_ATOMIC_FILE_H

#include <stddef.h>
#include <sys/types.h>

#include "core/util.h"

struct atomic_file;

/*
 * Create the temporary for `path` with `mode` (less the umask). Returns a
 * new handle, freed by commit or abort, or NULL after error().
 */
struct atomic_file *atomic_file_open(const char *path, mode_t mode);

/* The descriptor to write to (owned by the handle). */
int atomic_file_fd(const struct atomic_file *af);

/* The name the file gets on commit, as given to atomic_file_open (borrowed). */
const char *atomic_file_path(const struct atomic_file *af);

/*
 * fsync, close and rename onto the final name; frees `af`. Returns 0, or
 * -1 after error() with the temporary removed and the final name untouched.
 */
int atomic_file_commit(struct atomic_file *af) MUST_CHECK;

/* Close and unlink the temporary; frees `af`. NULL is a no-op. */
void atomic_file_abort(struct atomic_file *af);

/* All of buf to `path` atomically. Returns 0, or -1 after error(). */
int atomic_file_write(const char *path, const void *buf, size_t len, mode_t mode) MUST_CHECK;

/*
 * Unlink every live temporary (the final names are left alone).
 * Async-signal-safe: for a signal handler about to _exit().
 */
void atomic_file_unlink_all(void);

#endif
