/*
 * image_load.h — turn a record's image reference into what an OpenAI
 * image_url part carries.
 *
 *	http(s)://...        passed through: the server fetches it
 *	data:...             kept as it is
 *	tar:SHARD.tar#NAME   member NAME of a tar shard (WebDataset), read with libarchive
 *	anything else        a file path, relative to the image root
 *
 * Confinement: a path, and the shard of a tar: ref, is read only if it
 * resolves (symlinks and ".." included) to a file inside the image root —
 * the current directory when there is none. Absolute paths are refused.
 * Both are lifted by allow_absolute (--allow-absolute-images): a user
 * who trusts records to name any file gains nothing from keeping ".."
 * in. Every ref that leaves the root gets IMAGE_OUTSIDE_ROOT and the same
 * message whether or not something exists there, so rejects are no
 * oracle for the file system outside; messages name the ref as written,
 * never the path it resolves to.
 *
 * Files and tar members become base64 data: URIs whose MIME type comes from
 * the bytes (PNG, JPEG, GIF, WebP, BMP, TIFF), not from the name. Shards
 * are read sequentially: an open cursor per shard continues where the last
 * lookup stopped, so members asked in archive order cost one pass.
 *
 * Thread-safe.
 */
#ifndef SMELT_IMAGE_LOAD_H
#define SMELT_IMAGE_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"

/* Reject kinds. */
#define IMAGE_MISSING "missing_image"
#define IMAGE_TOO_LARGE "image_too_large"
#define IMAGE_BAD "bad_image"
#define IMAGE_OUTSIDE_ROOT "image_outside_root"

struct image_load_opts {
	const char *root;   /* directory relative paths are under; NULL = cwd */
	uint64_t max_bytes; /* largest image accepted (raw bytes); 0 = no limit */
	int allow_absolute; /* read absolute paths, and paths that leave the root */
};

/*
 * Append the URL for `ref` to `url`. Returns 0, or -1 with *kind set to
 * one of the kinds above and a message naming the reference in `err`.
 */
int image_load_url(const char *ref, const struct image_load_opts *o, struct sbuf *url,
		   const char **kind, struct sbuf *err);

/* Close the shard cursors (at the end of a run). */
void image_load_cleanup(void);

#endif
