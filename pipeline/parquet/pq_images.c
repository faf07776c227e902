/*
 * pq_images.c — a ustar/pax shard of extracted images, through libarchive,
 * written to an atomic_file so a failed run leaves no half shard.
 */
#include "parquet/pq_images.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/util.h"

struct pq_images {
	char *path;
	struct atomic_file *af;
	struct archive *ar;
	struct archive_entry *entry;
	char **stems;
	size_t nstems;
	uint64_t count;
};

struct pq_images *pq_images_open(const char *path)
{
	struct pq_images *im = xcalloc(1, sizeof(*im));

	im->path = xstrdup(path);
	im->af = atomic_file_open(path, 0644);
	if (!im->af) {
		free(im->path);
		free(im);
		return NULL;
	}
	im->ar = archive_write_new();
	im->entry = archive_entry_new();
	if (!im->ar || !im->entry)
		die("out of memory creating a tar writer");
	/* pax: long member names, no 8 GiB limit */
	if (archive_write_set_format_pax_restricted(im->ar) != ARCHIVE_OK ||
	    archive_write_open_fd(im->ar, atomic_file_fd(im->af)) != ARCHIVE_OK) {
		error("cannot start the tar shard '%s': %s", path, archive_error_string(im->ar));
		pq_images_abort(im);
		return NULL;
	}
	return im;
}

const char *pq_images_stem(struct pq_images *im, const char *file)
{
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	size_t len = strlen(base);
	const char *dot = strrchr(base, '.');
	if (dot && dot != base)
		len = (size_t)(dot - base);
	char *stem = xstrndup(base, len);
	if (!*stem || !strcmp(stem, ".") || !strcmp(stem, "..")) {
		free(stem);
		stem = xstrdup("parquet");
	}
	for (int n = 2;; n++) {
		size_t i;
		for (i = 0; i < im->nstems && strcmp(im->stems[i], stem); i++)
			;
		if (i == im->nstems)
			break;
		char *next = xasprintf("%.*s-%d", (int)len, base, n);
		free(stem);
		stem = next;
	}
	im->stems = xrealloc(im->stems, (im->nstems + 1) * sizeof(*im->stems));
	im->stems[im->nstems++] = stem;
	return stem;
}

int pq_images_add(struct pq_images *im, const char *name, const uint8_t *p, size_t len, struct sbuf *ref)
{
	archive_entry_clear(im->entry);
	archive_entry_set_pathname(im->entry, name);
	archive_entry_set_filetype(im->entry, AE_IFREG);
	archive_entry_set_perm(im->entry, 0644);
	archive_entry_set_size(im->entry, (la_int64_t)len);
	archive_entry_set_mtime(im->entry, 0, 0); /* the same bytes every run */
	if (archive_write_header(im->ar, im->entry) != ARCHIVE_OK ||
	    (len && archive_write_data(im->ar, p, len) != (la_ssize_t)len))
		return error("cannot write '%s' to '%s': %s", name, im->path, archive_error_string(im->ar));
	im->count++;
	sbuf_addf(ref, "tar:%s#%s", im->path, name);
	return 0;
}

uint64_t pq_images_count(const struct pq_images *im)
{
	return im->count;
}

static void images_free(struct pq_images *im)
{
	if (im->ar)
		archive_write_free(im->ar);
	if (im->entry)
		archive_entry_free(im->entry);
	for (size_t i = 0; i < im->nstems; i++)
		free(im->stems[i]);
	free(im->stems);
	free(im->path);
	free(im);
}

int pq_images_commit(struct pq_images *im)
{
	int ret = 0;

	if (archive_write_close(im->ar) != ARCHIVE_OK) {
		ret = error("cannot finish the tar shard '%s': %s", im->path, archive_error_string(im->ar));
		atomic_file_abort(im->af);
	} else if (atomic_file_commit(im->af) < 0) {
		ret = -1;
	}
	im->af = NULL;
	images_free(im);
	return ret;
}

void pq_images_abort(struct pq_images *im)
{
	if (!im)
		return;
	if (im->ar)
		archive_write_close(im->ar);
	if (im->af)
		atomic_file_abort(im->af);
	images_free(im);
}
