/*
 * record_reader.c — input decoding (zstd / libarchive filters / plain) and
 * record splitting (JSON Lines or one JSON array).
 *
 * Layers: a decoder turns the file into a byte stream; the splitter keeps a
 * window of decoded bytes and cuts records out of it. The window holds at
 * most one record plus one read chunk, so memory does not grow with the
 * file.
 */
#include "io/record_reader.h"

#include <archive.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "core/utf8.h"

#define READ_CHUNK (1 << 20)
#define PEEK_BYTES 8

enum compression { COMP_PLAIN, COMP_ZSTD, COMP_ARCHIVE };
enum layout { LAYOUT_UNKNOWN, LAYOUT_LINES, LAYOUT_ARRAY };
enum array_state { ARR_VALUE_OR_END, ARR_VALUE, ARR_COMMA_OR_END, ARR_DONE };

struct record_reader {
	char *path;
	const char *shown; /* name used in messages */
	int fd;
	uint64_t size, bytes_read;
	enum compression comp;
	const char *comp_name;

	/* bytes read from the fd ahead of decoding (the magic-number peek) */
	unsigned char peek[PEEK_BYTES];
	size_t peek_len, peek_pos;

	ZSTD_DStream *zds;
	unsigned char *zin;
	ZSTD_inBuffer zib;
	size_t zret; /* last ZSTD_decompressStream result: 0 at a frame end */

	struct archive *ar;
	unsigned char *arbuf;

	int eof, truncated, corrupt;
	const char *corrupt_msg;

	/* the splitter's window of decoded bytes */
	struct sbuf win;
	size_t pos;
	uint64_t line; /* line number of win.buf[pos] */
	enum layout layout;
	enum array_state astate;
	int64_t index;
	int done;
};

void raw_record_init(struct raw_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	sbuf_init(&rec->text, 0);
}

void raw_record_release(struct raw_record *rec)
{
	sbuf_release(&rec->text);
}

/* ---- decoders ---------------------------------------------------------- */

static ssize_t fd_read(struct record_reader *r, void *buf, size_t cap)
{
	ssize_t n;

	if (r->peek_pos < r->peek_len) {
		n = (ssize_t)(r->peek_len - r->peek_pos);
		if ((size_t)n > cap)
			n = (ssize_t)cap;
		memcpy(buf, r->peek + r->peek_pos, (size_t)n);
		r->peek_pos += (size_t)n;
		return n;
	}
	do
		n = read(r->fd, buf, cap);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return error("cannot read '%s': %s", r->shown, strerror(errno));
	r->bytes_read += (uint64_t)n;
	return n;
}

static ssize_t zstd_read(struct record_reader *r, void *buf, size_t cap)
{
	ZSTD_outBuffer out = { buf, cap, 0 };

	while (out.pos == 0) {
		if (r->zib.pos == r->zib.size) {
			ssize_t n = fd_read(r, r->zin, ZSTD_DStreamInSize());
			if (n < 0)
				return -1;
			if (n == 0) {
				/* A frame still open at the end of input means the
				 * file was cut short: say so, do not drop it. */
				if (r->zret != 0)
					r->truncated = 1;
				return 0;
			}
			r->zib.src = r->zin;
			r->zib.size = (size_t)n;
			r->zib.pos = 0;
		}
		r->zret = ZSTD_decompressStream(r->zds, &out, &r->zib);
		if (ZSTD_isError(r->zret)) {
			r->corrupt = 1;
			r->corrupt_msg = ZSTD_getErrorName(r->zret);
			return 0;
		}
	}
	return (ssize_t)out.pos;
}

static la_ssize_t archive_read_cb(struct archive *a, void *data, const void **buf)
{
	struct record_reader *r = data;
	ssize_t n = fd_read(r, r->arbuf, READ_CHUNK);

	(void)a;
	*buf = r->arbuf;
	return n;
}

static ssize_t archive_decode(struct record_reader *r, void *buf, size_t cap)
{
	/* Small reads: libarchive fails a whole read at a truncation point,
	 * so asking for less keeps more of the decodable prefix. */
	la_ssize_t n = archive_read_data(r->ar, buf, cap < 16384 ? cap : 16384);

	if (n < 0) {
		const char *msg = archive_error_string(r->ar);
		/* libarchive reports a short compressed stream as an error
		 * mentioning truncation or a premature end. */
		if (msg && (strstr(msg, "runcated") || strstr(msg, "remature")))
			r->truncated = 1;
		else {
			r->corrupt = 1;
			r->corrupt_msg = "the compressed stream is damaged";
		}
		return 0;
	}
	return n;
}

static int open_decoder(struct record_reader *r)
{
	const unsigned char *m = r->peek;
	size_t n = r->peek_len;
	static const unsigned char zstd_magic[] = { 0x28, 0xb5, 0x2f, 0xfd };
	static const unsigned char gz_magic[] = { 0x1f, 0x8b };
	static const unsigned char xz_magic[] = { 0xfd, '7', 'z', 'X', 'Z', 0 };

	r->comp = COMP_PLAIN;
	r->comp_name = "plain";
	if (n >= 4 && !memcmp(m, zstd_magic, 4)) {
		r->comp = COMP_ZSTD;
		r->comp_name = "zstd";
		r->zds = ZSTD_createDStream();
		if (!r->zds)
			die("out of memory creating a zstd stream");
		ZSTD_initDStream(r->zds);
		r->zin = xmalloc(ZSTD_DStreamInSize());
		return 0;
	}
	if (n >= 2 && !memcmp(m, gz_magic, 2))
		r->comp_name = "gzip";
	else if (n >= 6 && !memcmp(m, xz_magic, 6))
		r->comp_name = "xz";
	else if (n >= 3 && !memcmp(m, "BZh", 3))
		r->comp_name = "bzip2";
	else
		return 0;

	r->comp = COMP_ARCHIVE;
	r->arbuf = xmalloc(READ_CHUNK);
	r->ar = archive_read_new();
	archive_read_support_filter_all(r->ar);
	archive_read_support_format_raw(r->ar);
	struct archive_entry *entry;
	if (archive_read_open(r->ar, r, NULL, archive_read_cb, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(r->ar, &entry) != ARCHIVE_OK) {
		const char *msg = archive_error_string(r->ar);
		return error("cannot decode '%s' (%s): %s", r->shown, r->comp_name,
			     msg ? msg : "unknown error");
	}
	return 0;
}

static ssize_t decode(struct record_reader *r, void *buf, size_t cap)
{
	switch (r->comp) {
	case COMP_ZSTD: return zstd_read(r, buf, cap);
	case COMP_ARCHIVE: return archive_decode(r, buf, cap);
	default: return fd_read(r, buf, cap);
	}
}

/* ---- opening ----------------------------------------------------------- */

struct record_reader *record_reader_open(const char *path)
{
	struct record_reader *r = xcalloc(1, sizeof(*r));
	struct stat st;

	r->path = xstrdup(path);
	r->shown = strcmp(path, "-") ? r->path : "<stdin>";
	r->fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (r->fd < 0) {
		error("cannot open '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (fstat(r->fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			error("cannot read '%s': is a directory", path);
			goto fail;
		}
		if (S_ISREG(st.st_mode))
			r->size = (uint64_t)st.st_size;
	}
	/* Peek at the magic number; a short read is fine (tiny files). */
	while (r->peek_len < PEEK_BYTES) {
		ssize_t n = read(r->fd, r->peek + r->peek_len, PEEK_BYTES - r->peek_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error("cannot read '%s': %s", r->shown, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		r->peek_len += (size_t)n;
		r->bytes_read += (uint64_t)n;
	}
	if (open_decoder(r) < 0)
		goto fail;
	sbuf_init(&r->win, READ_CHUNK);
	r->line = 1;
	r->index = -1;
	return r;
fail:
	record_reader_close(r);
	return NULL;
}

void record_reader_close(struct record_reader *r)
{
	if (!r)
		return;
	if (r->fd > 0)
		close(r->fd);
	if (r->zds)
		ZSTD_freeDStream(r->zds);
	if (r->ar)
		archive_read_free(r->ar);
	free(r->zin);
	free(r->arbuf);
	sbuf_release(&r->win);
	free(r->path);
	free(r);
}

uint64_t record_reader_bytes_read(const struct record_reader *r) { return r->bytes_read; }
uint64_t record_reader_size(const struct record_reader *r) { return r->size; }
const char *record_reader_compression(const struct record_reader *r) { return r->comp_name; }

const char *record_reader_layout(const struct record_reader *r)
{
	return r->layout == LAYOUT_ARRAY ? "array" : "jsonl";
}

/* ---- the window -------------------------------------------------------- */

/*
 * Read more decoded bytes into the window, first dropping what lies before
 * `keep` (an offset into the window that must survive). Returns the number
 * of bytes added, 0 at the end of input, -1 on error. Adjusts r->pos.
 */
static ssize_t refill(struct record_reader *r, size_t keep)
{
	ssize_t n;

	if (r->eof)
		return 0;
	if (keep > 0) {
		sbuf_consume(&r->win, keep);
		r->pos -= keep;
	}
	sbuf_grow(&r->win, READ_CHUNK);
	n = decode(r, r->win.buf + r->win.len, READ_CHUNK);
	if (n < 0)
		return -1;
	if (n == 0) {
		r->eof = 1;
		return 0;
	}
	sbuf_setlen(&r->win, r->win.len + (size_t)n);
	return n;
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Decide JSON Lines or array from the first non-blank byte (after a BOM). */
static int detect_layout(struct record_reader *r)
{
	for (;;) {
		while (r->pos < r->win.len) {
			unsigned char c = (unsigned char)r->win.buf[r->pos];
			if (c == 0xef && r->win.len - r->pos >= 3 &&
			    !memcmp(r->win.buf + r->pos, "\xef\xbb\xbf", 3)) {
				r->pos += 3;
				continue;
			}
			if (!is_blank(c)) {
				r->layout = c == '[' ? LAYOUT_ARRAY : LAYOUT_LINES;
				return 0;
			}
			if (c == '\n')
				r->line++;
			r->pos++;
		}
		ssize_t n = refill(r, r->pos);
		if (n < 0)
			return -1;
		if (n == 0) {
			r->layout = LAYOUT_LINES;
			return 0;
		}
	}
}

/* A record standing for damage at the end of the stream, if any. */
static int end_defect(struct record_reader *r, struct raw_record *rec)
{
	if (r->done)
		return 0;
	r->done = 1;
	if (!r->truncated && !r->corrupt)
		return 0;
	sbuf_reset(&rec->text);
	rec->loc.file = r->shown;
	rec->loc.line = r->line;
	rec->loc.index = r->layout == LAYOUT_ARRAY ? r->index + 1 : -1;
	if (r->truncated) {
		rec->defect = DEFECT_TRUNCATED;
		rec->defect_msg = "input ends in the middle of a compressed frame (truncated file)";
	} else {
		rec->defect = DEFECT_CORRUPT;
		rec->defect_msg = r->corrupt_msg ? r->corrupt_msg : "damaged compressed data";
	}
	return 1;
}

static int next_line(struct record_reader *r, struct raw_record *rec)
{
	for (;;) {
		char *start = r->win.buf + r->pos;
		size_t avail = r->win.len - r->pos;
		char *nl = memchr(start, '\n', avail);

		if (!nl) {
			ssize_t n = refill(r, r->pos);
			if (n < 0)
				return -1;
			if (n > 0)
				continue;
			if (!avail)
				return end_defect(r, rec);
			nl = start + avail; /* last line without a newline */
		}
		size_t len = (size_t)(nl - start);
		uint64_t line = r->line++;
		r->pos += len + (nl < r->win.buf + r->win.len);
		if (len && start[len - 1] == '\r')
			len--;
		size_t i = 0;
		while (i < len && is_blank((unsigned char)start[i]))
			i++;
		if (i == len) {
			if (r->pos >= r->win.len && r->eof)
				return end_defect(r, rec);
			continue; /* blank lines are not records */
		}
		sbuf_reset(&rec->text);
		sbuf_add(&rec->text, start, len);
		rec->loc.file = r->shown;
		rec->loc.line = line;
		rec->loc.index = -1;
		rec->defect = NULL;
		/* A last line cut by a truncated stream is damaged, not just odd. */
		if (r->eof && r->pos >= r->win.len && nl == start + avail && r->truncated) {
			rec->defect = DEFECT_TRUNCATED;
			rec->defect_msg = "last record is cut short: the input is truncated";
			r->done = 1;
		}
		return 1;
	}
}

static int array_defect(struct record_reader *r, struct raw_record *rec, const char *msg)
{
	r->astate = ARR_DONE;
	r->done = 1;
	sbuf_reset(&rec->text);
	rec->loc.file = r->shown;
	rec->loc.line = r->line;
	rec->loc.index = r->index + 1;
	rec->defect = r->truncated ? DEFECT_TRUNCATED : DEFECT_BAD_ARRAY;
	rec->defect_msg = r->truncated ? "input is truncated inside the JSON array" : msg;
	return 1;
}

/*
 * Cut the next element out of a top-level array. The scanner tracks only
 * strings, escapes and bracket depth: validating the element is
 * record_parse's job.
 */
static int next_element(struct record_reader *r, struct raw_record *rec)
{
	size_t start = 0;
	uint64_t start_line = 0;
	int depth = 0, in_str = 0, esc = 0, in_value = 0;

	if (r->astate == ARR_DONE)
		return end_defect(r, rec);
	if (r->index == -1 && r->astate == ARR_VALUE_OR_END && r->pos < r->win.len &&
	    r->win.buf[r->pos] == '[')
		r->pos++; /* the opening bracket */

	for (;;) {
		if (r->pos >= r->win.len) {
			size_t keep = in_value ? start : r->pos;
			ssize_t n = refill(r, keep);
			if (n < 0)
				return -1;
			if (in_value)
				start = 0;
			if (n == 0) {
				if (r->astate == ARR_DONE)
					return end_defect(r, rec);
				return array_defect(r, rec, "JSON array is not closed (missing ']')");
			}
			continue;
		}
		unsigned char c = (unsigned char)r->win.buf[r->pos];
		if (in_value) {
			int ends = 0;
			if (in_str) {
				if (esc)
					esc = 0;
				else if (c == '\\')
					esc = 1;
				else if (c == '"')
					in_str = 0;
			} else if (c == '"') {
				in_str = 1;
			} else if (c == '{' || c == '[') {
				depth++;
			} else if (c == '}' || c == ']') {
				if (depth == 0)
					ends = 1; /* the array's own ']' after a scalar */
				else
					depth--;
			} else if (depth == 0 && (c == ',' || is_blank(c))) {
				ends = 1;
			}
			if (!ends) {
				if (c == '\n')
					r->line++;
				r->pos++;
				if (!(depth == 0 && !in_str && (c == '}' || c == ']')))
					continue;
			}
			/* element complete: [start, pos) */
			sbuf_reset(&rec->text);
			sbuf_add(&rec->text, r->win.buf + start, r->pos - start);
			rec->loc.file = r->shown;
			rec->loc.line = start_line;
			rec->loc.index = ++r->index;
			rec->defect = NULL;
			r->astate = ARR_COMMA_OR_END;
			return 1;
		}
		if (c == '\n')
			r->line++;
		if (is_blank(c)) {
			r->pos++;
			continue;
		}
		switch (r->astate) {
		case ARR_VALUE_OR_END:
		case ARR_VALUE:
			if (c == ']') {
				if (r->astate == ARR_VALUE)
					return array_defect(r, rec, "trailing comma before ']' in JSON array");
				r->astate = ARR_DONE;
				r->pos++;
				continue;
			}
			if (c == ',')
				return array_defect(r, rec, "unexpected ',' in JSON array");
			in_value = 1;
			start = r->pos;
			start_line = r->line;
			continue;
		case ARR_COMMA_OR_END:
			r->pos++;
			if (c == ',')
				r->astate = ARR_VALUE;
			else if (c == ']')
				r->astate = ARR_DONE;
			else
				return array_defect(r, rec, "expected ',' or ']' between JSON array elements");
			continue;
		case ARR_DONE:
			return array_defect(r, rec, "unexpected data after the end of the JSON array");
		}
	}
}

int record_reader_next(struct record_reader *r, struct raw_record *rec)
{
	if (r->layout == LAYOUT_UNKNOWN) {
		if (detect_layout(r) < 0)
			return -1;
		if (r->layout == LAYOUT_ARRAY)
			r->astate = ARR_VALUE_OR_END;
	}
	rec->defect = NULL;
	rec->defect_msg = NULL;
	if (r->layout == LAYOUT_ARRAY)
		return next_element(r, rec);
	return next_line(r, rec);
}

/* ---- parsing ----------------------------------------------------------- */

json_t *record_parse(const struct raw_record *raw, const char **kind, struct sbuf *err)
{
	json_error_t jerr;
	json_t *v;

	if (raw->defect) {
		*kind = raw->defect;
		sbuf_addstr(err, raw->defect_msg ? raw->defect_msg : raw->defect);
		return NULL;
	}
	v = json_loadb(raw->text.buf, raw->text.len, JSON_ALLOW_NUL | JSON_DECODE_ANY, &jerr);
	if (!v) {
		size_t ok = utf8_valid_prefix(raw->text.buf, raw->text.len);
		if (ok < raw->text.len) {
			*kind = REJECT_BAD_UTF8;
			sbuf_addf(err, "invalid UTF-8 at byte %zu of the record", ok + 1);
		} else {
			*kind = REJECT_BAD_JSON;
			sbuf_addf(err, "malformed JSON: %s (at column %d)", jerr.text, jerr.column);
		}
		return NULL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		*kind = REJECT_NOT_OBJECT;
		sbuf_addstr(err, "record is not a JSON object");
		return NULL;
	}
	return v;
}
