/*
 * pq_images.h — the tar shard `smelt-cat --extract-images OUT.tar` writes:
 * image bytes found in Parquet rows become its members, and the rows refer
 * to them as "tar:OUT.tar#MEMBER" (what llm/image_load reads).
 *
 * Members are named <file stem>/<row>-<k>.<ext>: the Parquet file's name
 * without its extension (a second file of the same stem gets "-2", ...),
 * the row's 0-based index in that file, the image's 0-based index in the
 * row (in column order), the extension from the bytes' magic number. The
 * same input and command give the same names. The shard is written to a
 * temporary file and renamed into place by pq_images_commit.
 */
#ifndef SMELT_PQ_IMAGES_H
#define SMELT_PQ_IMAGES_H

#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"

struct pq_images;

/* Start the shard at `path`; NULL after error(). */
struct pq_images *pq_images_open(const char *path);

/* The stem for a new Parquet file (unique within the shard; borrowed until close). */
const char *pq_images_stem(struct pq_images *im, const char *file);

/* Add a member; append its "tar:PATH#NAME" ref to `ref`. -1 after error(). */
int pq_images_add(struct pq_images *im, const char *name, const uint8_t *p, size_t len, struct sbuf *ref);

/* Images written so far. */
uint64_t pq_images_count(const struct pq_images *im);

/* Finish and rename into place (-1 after error()), or remove the temporary. Both free im. */
int pq_images_commit(struct pq_images *im);
void pq_images_abort(struct pq_images *im);

#endif
