/*
 * record_reader.c — input decoding (zstd, gzip, xz, bzip2 or plain) and
 * record splitting (JSON Lines or one JSON array).
 *
 * Layers: a decoder turns the file into a byte stream; the splitter keeps a
 * window of decoded bytes and cuts records out of it. The window holds at
 * most one record plus one read chunk, so memory does not grow with the
 * file.
 *
 * Each compressed format is decoded with its own library (libzstd, zlib,
 * liblzma, libbz2) one member at a time: a gzip member, an xz or bzip2
 * stream, a zstd frame. The libraries verify each member's checksum (gzip
 * CRC32 and length, the xz check, bzip2 block and stream CRCs, the zstd
 * content checksum when the frame has one), and between members the driver
 * itself decides whether what follows is another member, the end of the
 * file, or garbage. libarchive's raw format did neither: it skipped the
 * gzip CRC and gave no member boundaries, so garbage after the data was
 * ignored or ate the last records.
 *
 * Decoding streams, so the records of a member are handed out before its
 * checksum is known. Damage found later is reported with the lines that
 * member gave (see record_defect_is_damage).
 */
#include "io/record_reader.h"

#include <bzlib.h>
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "core/utf8.h"
#include "json/json_write.h"
#include "parquet/pq_format.h"
#include "parquet/pq_reader.h"

#define READ_CHUNK (1 << 20)
#define IN_CHUNK (128 << 10)
#define PEEK_BYTES 8

enum compression { COMP_PLAIN, COMP_ZSTD, COMP_GZIP, COMP_XZ, COMP_BZIP2 };
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

	/* compressed input: in[in_pos, in_len) is unread; in[0] is at in_base */
	unsigned char *in;
	size_t in_pos, in_len;
	uint64_t in_base;

	/* one library state, for the format in use */
	ZSTD_DStream *zds;
	z_stream gz;
	lzma_stream xz;
	bz_stream bz;
	int lib_ready;

	/* the member being decoded */
	int in_member;
	uint64_t member_line;   /* line its first decoded byte is on */
	uint64_t member_offset; /* its compressed offset in the file */
	uint64_t member_bytes;  /* decoded bytes it gave so far */
	uint64_t dec_lines;     /* newlines decoded so far, all members */
	int mid_line;           /* the decoded bytes so far end inside a line */

	int eof, finished, truncated;
	const char *damage;     /* NULL, DEFECT_CORRUPT or DEFECT_TRAILING */
	struct sbuf damage_msg;
	uint64_t damage_line;

	/* the splitter's window of decoded bytes */
	struct sbuf win;
	size_t pos;
	uint64_t line; /* line number of win.buf[pos] */
	enum layout layout;
	enum array_state astate;
	int64_t index;
	int done;

	/* a Parquet file (PAR1 magic): rows come from pq, not from the splitter */
	int parquet;
	struct pq_reader *pq;
};

/* What Parquet inputs read (smelt-cat's --columns, --extract-images). */
static struct pq_read_opts parquet_opts;

void record_reader_set_parquet(const struct pq_read_opts *o)
{
	parquet_opts = *o;
}

void raw_record_init(struct raw_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	sbuf_init(&rec->text, 0);
}

void raw_record_release(struct raw_record *rec)
{
	sbuf_release(&rec->text);
}

int record_defect_is_damage(const char *kind)
{
	return kind && (!strcmp(kind, DEFECT_CORRUPT) || !strcmp(kind, DEFECT_TRAILING));
}

/* ---- reading the file -------------------------------------------------- */

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

/*
 * Make at least `want` unread compressed bytes available (fewer only at the
 * end of the file). Returns how many there are, -1 on a read error.
 */
static ssize_t in_fill(struct record_reader *r, size_t want)
{
	while (r->in_len - r->in_pos < want) {
		if (r->in_pos) {
			memmove(r->in, r->in + r->in_pos, r->in_len - r->in_pos);
			r->in_base += r->in_pos;
			r->in_len -= r->in_pos;
			r->in_pos = 0;
		}
		ssize_t n = fd_read(r, r->in + r->in_len, IN_CHUNK - r->in_len);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		r->in_len += (size_t)n;
	}
	return (ssize_t)(r->in_len - r->in_pos);
}

/* ---- one member of each format ----------------------------------------- */

/* Does a member of the reader's format start with these `n` bytes? */
static int member_magic(const struct record_reader *r, const unsigned char *m, size_t n)
{
	switch (r->comp) {
	case COMP_GZIP:
		return n >= 2 && m[0] == 0x1f && m[1] == 0x8b;
	case COMP_XZ:
		return n >= 6 && !memcmp(m, "\xfd" "7zXZ\0", 6);
	case COMP_BZIP2:
		return n >= 4 && !memcmp(m, "BZh", 3) && m[3] >= '1' && m[3] <= '9';
	case COMP_ZSTD: /* a frame, or a skippable frame */
		return n >= 4 && ((m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) ||
				  ((m[0] & 0xf0) == 0x50 && m[1] == 0x2a && m[2] == 0x4d && m[3] == 0x18));
	default:
		return 0;
	}
}

/* Set the library up for a new member. */
static void member_begin(struct record_reader *r)
{
	int first = !r->lib_ready;

	r->lib_ready = 1;
	switch (r->comp) {
	case COMP_GZIP:
		/* 16 + MAX_WBITS: gzip wrapping, whose trailer zlib verifies */
		if ((first ? inflateInit2(&r->gz, 16 + MAX_WBITS) : inflateReset(&r->gz)) != Z_OK)
			die("out of memory creating a gzip stream");
		break;
	case COMP_XZ:
		/* no LZMA_CONCATENATED: the driver finds the stream boundaries */
		if (lzma_stream_decoder(&r->xz, UINT64_MAX, 0) != LZMA_OK)
			die("out of memory creating an xz stream");
		break;
	case COMP_BZIP2:
		if (!first)
			BZ2_bzDecompressEnd(&r->bz);
		if (BZ2_bzDecompressInit(&r->bz, 0, 0) != BZ_OK)
			die("out of memory creating a bzip2 stream");
		break;
	case COMP_ZSTD:
		if (first && !(r->zds = ZSTD_createDStream()))
			die("out of memory creating a zstd stream");
		ZSTD_DCtx_reset(r->zds, ZSTD_reset_session_only);
		break;
	default:
		break;
	}
}

/*
 * Decode from the unread input into out[0, cap). Sets *made to the bytes
 * written. Returns 1 at the end of the member (its checksum verified), 0 to
 * go on, -1 on damage with what went wrong in r->damage_msg.
 */
static int member_step(struct record_reader *r, unsigned char *out, size_t cap, size_t *made, int at_eof)
{
	const unsigned char *in = r->in + r->in_pos;
	size_t avail = r->in_len - r->in_pos;
	int ret;

	switch (r->comp) {
	case COMP_GZIP:
		r->gz.next_in = (unsigned char *)in;
		r->gz.avail_in = (uInt)avail;
		r->gz.next_out = out;
		r->gz.avail_out = (uInt)cap;
		ret = inflate(&r->gz, Z_NO_FLUSH);
		r->in_pos += avail - r->gz.avail_in;
		*made = cap - r->gz.avail_out;
		if (ret == Z_STREAM_END)
			return 1;
		if (ret == Z_OK || ret == Z_BUF_ERROR)
			return 0;
		if (ret == Z_MEM_ERROR)
			die("out of memory decoding gzip");
		if (r->gz.msg && !strcmp(r->gz.msg, "incorrect data check"))
			sbuf_addstr(&r->damage_msg, "gzip CRC mismatch");
		else if (r->gz.msg && !strcmp(r->gz.msg, "incorrect length check"))
			sbuf_addstr(&r->damage_msg, "gzip length mismatch");
		else
			sbuf_addf(&r->damage_msg, "gzip data error (%s)", r->gz.msg ? r->gz.msg : "unknown");
		return -1;
	case COMP_XZ:
		r->xz.next_in = in;
		r->xz.avail_in = avail;
		r->xz.next_out = out;
		r->xz.avail_out = cap;
		ret = lzma_code(&r->xz, at_eof ? LZMA_FINISH : LZMA_RUN);
		r->in_pos += avail - r->xz.avail_in;
		*made = cap - r->xz.avail_out;
		if (ret == LZMA_STREAM_END)
			return 1;
		if (ret == LZMA_OK || ret == LZMA_BUF_ERROR)
			return 0;
		if (ret == LZMA_MEM_ERROR)
			die("out of memory decoding xz");
		/* liblzma reports a failed check as corrupt data */
		sbuf_addstr(&r->damage_msg, ret == LZMA_DATA_ERROR ? "xz integrity check failed or data corrupt" :
					    ret == LZMA_OPTIONS_ERROR ? "unsupported xz options" :
					    "xz format error");
		return -1;
	case COMP_BZIP2:
		r->bz.next_in = (char *)in;
		r->bz.avail_in = (unsigned)avail;
		r->bz.next_out = (char *)out;
		r->bz.avail_out = (unsigned)cap;
		ret = BZ2_bzDecompress(&r->bz);
		r->in_pos += avail - r->bz.avail_in;
		*made = cap - r->bz.avail_out;
		if (ret == BZ_STREAM_END)
			return 1;
		if (ret == BZ_OK)
			return 0;
		if (ret == BZ_MEM_ERROR)
			die("out of memory decoding bzip2");
		sbuf_addstr(&r->damage_msg, ret == BZ_DATA_ERROR ? "bzip2 CRC mismatch or data error" :
					    "bzip2 format error");
		return -1;
	case COMP_ZSTD: {
		ZSTD_inBuffer zin = { in, avail, 0 };
		ZSTD_outBuffer zout = { out, cap, 0 };
		size_t z = ZSTD_decompressStream(r->zds, &zout, &zin);
		r->in_pos += zin.pos;
		*made = zout.pos;
		if (!ZSTD_isError(z))
			return z == 0; /* 0: the frame is done and flushed */
		if (ZSTD_getErrorCode(z) == ZSTD_error_checksum_wrong)
			sbuf_addstr(&r->damage_msg, "zstd frame checksum mismatch");
		else
			sbuf_addf(&r->damage_msg, "zstd data error (%s)", ZSTD_getErrorName(z));
		return -1;
	}
	default:
		return -1;
	}
}

static const char *member_name(const struct record_reader *r)
{
	switch (r->comp) {
	case COMP_GZIP: return "member";
	case COMP_ZSTD: return "frame";
	default: return "stream";
	}
}

/* ---- the driver -------------------------------------------------------- */

/* The member being decoded is damaged: say which lines it gave. */
static void member_damaged(struct record_reader *r)
{
	uint64_t last = r->dec_lines + r->mid_line;

	r->damage = DEFECT_CORRUPT;
	r->damage_line = r->member_line;
	if (r->member_bytes)
		sbuf_addf(&r->damage_msg, " in the %s holding lines %llu-%llu: those records were "
			  "passed on and may be altered; nothing after them is read", member_name(r),
			  (unsigned long long)r->member_line, (unsigned long long)last);
	else
		sbuf_addf(&r->damage_msg, " in the %s at byte %llu: none of its records were passed "
			  "on; nothing after it is read", member_name(r), (unsigned long long)r->member_offset);
	r->finished = 1;
}

/*
 * Between members: returns 1 when the next member has started, 0 at the end
 * of the input (clean, or garbage noted in r->damage), -1 on a read error.
 */
static int member_next(struct record_reader *r)
{
	for (;;) {
		ssize_t n = in_fill(r, 6);
		const unsigned char *m = r->in + r->in_pos;
		if (n < 0)
			return -1;
		if (n == 0) {
			r->finished = 1;
			return 0;
		}
		/* xz allows stream padding: null bytes in groups of four */
		if (r->comp == COMP_XZ && n >= 4 && !memcmp(m, "\0\0\0\0", 4)) {
			r->in_pos += 4;
			continue;
		}
		if (member_magic(r, m, (size_t)n))
			break;
		if (!r->lib_ready) { /* the file's own first bytes */
			r->damage = DEFECT_CORRUPT;
			r->damage_line = 1;
			sbuf_addf(&r->damage_msg, "not a valid %s file (bad header)", r->comp_name);
			r->finished = 1;
			return 0;
		}
		r->damage = DEFECT_TRAILING;
		r->damage_line = r->dec_lines + r->mid_line + 1;
		sbuf_addf(&r->damage_msg, "data after the end of the %s data at byte %llu (after line "
			  "%llu) is not %s: it is not read", r->comp_name,
			  (unsigned long long)(r->in_base + r->in_pos),
			  (unsigned long long)(r->damage_line - 1), r->comp_name);
		r->finished = 1;
		return 0;
	}
	member_begin(r);
	r->in_member = 1;
	r->member_line = r->dec_lines + 1;
	r->member_offset = r->in_base + r->in_pos;
	r->member_bytes = 0;
	return 1;
}

static void count_lines(struct record_reader *r, const unsigned char *p, size_t n)
{
	const unsigned char *end = p + n, *nl;

	if (!n)
		return;
	while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
		r->dec_lines++;
		p = nl + 1;
	}
	r->member_bytes += n;
	r->mid_line = end[-1] != '\n';
}

static ssize_t compressed_read(struct record_reader *r, unsigned char *buf, size_t cap)
{
	size_t made = 0;

	while (!made && !r->finished) {
		if (!r->in_member) {
			int s = member_next(r);
			if (s <= 0)
				return s;
		}
		ssize_t avail = in_fill(r, 1);
		if (avail < 0)
			return -1;
		int s = member_step(r, buf, cap, &made, avail == 0);
		count_lines(r, buf, made);
		if (s < 0)
			member_damaged(r);
		else if (s > 0)
			r->in_member = 0;
		else if (!avail && !made) {
			/* A member still open at the end of the file means the file
			 * was cut short: say so, do not drop what came before. */
			r->truncated = 1;
			r->finished = 1;
		}
	}
	return (ssize_t)made;
}

static void open_decoder(struct record_reader *r)
{
	static const struct {
		enum compression comp;
		const char *name;
		const char *magic;
		size_t len;
	} formats[] = {
		{ COMP_ZSTD, "zstd", "\x28\xb5\x2f\xfd", 4 },
		{ COMP_GZIP, "gzip", "\x1f\x8b", 2 },
		{ COMP_XZ, "xz", "\xfd" "7zXZ\0", 6 },
		{ COMP_BZIP2, "bzip2", "BZh", 3 },
	};

	r->comp = COMP_PLAIN;
	r->comp_name = "plain";
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (r->peek_len >= formats[i].len && !memcmp(r->peek, formats[i].magic, formats[i].len)) {
			r->comp = formats[i].comp;
			r->comp_name = formats[i].name;
			r->in = xmalloc(IN_CHUNK);
			break;
		}
}

static ssize_t decode(struct record_reader *r, void *buf, size_t cap)
{
	if (r->comp == COMP_PLAIN)
		return fd_read(r, buf, cap);
	return compressed_read(r, buf, cap);
}

/* ---- Parquet ----------------------------------------------------------- */

/*
 * Parquet keeps its footer at the end: the file must be seekable. A footer
 * that does not decode is not an open error but damage, handed out as the
 * input's one record (so the stage exits 3 and names the file).
 */
static void damage_defect(struct record_reader *r, struct raw_record *rec);

static int parquet_open(struct record_reader *r, const struct stat *st)
{
	if (r->fd == 0 || !S_ISREG(st->st_mode)) {
		error("'%s' is Parquet, which is read from a file (its footer is at the end): "
		      "save the stream to a file first", r->shown);
		return -1;
	}
	r->parquet = 1;
	r->comp_name = "parquet";
	r->layout = LAYOUT_LINES;
	int usage;
	r->pq = pq_reader_open(r->fd, r->path, r->size, &parquet_opts, &r->damage_msg, &usage);
	if (!r->pq && usage) /* a --columns path that is not there: the command is wrong, not the file */
		return error("'%s': %s", r->shown, r->damage_msg.buf);
	if (!r->pq)
		r->damage = DEFECT_CORRUPT;
	return 0;
}

static int parquet_next(struct record_reader *r, struct raw_record *rec)
{
	json_t *row;
	const char *kind = NULL;
	int ret;

	sbuf_reset(&rec->text);
	rec->loc.file = r->shown;
	rec->loc.index = -1;
	if (r->done)
		return 0;
	if (r->damage) { /* the footer is bad */
		r->damage_line = 1;
		damage_defect(r, rec);
		return 1;
	}
	sbuf_reset(&r->damage_msg);
	ret = pq_reader_next(r->pq, &row, &kind, &r->damage_msg);
	r->bytes_read = pq_reader_bytes(r->pq);
	/* a row's "line" is its 1-based row number in the file; damage is
	 * placed at the row that could not be read */
	rec->loc.line = pq_reader_row(r->pq) + (ret < 0);
	if (ret == 0) {
		r->done = 1;
		return 0;
	}
	if (ret < 0) {
		r->damage = DEFECT_CORRUPT;
		r->damage_line = rec->loc.line;
		damage_defect(r, rec);
		return 1;
	}
	if (ret == 2) {
		rec->defect = kind;
		rec->defect_msg = r->damage_msg.buf;
		return 1;
	}
	json_write(&rec->text, row);
	json_decref(row);
	return 1;
}

/* ---- opening ----------------------------------------------------------- */

struct record_reader *record_reader_open(const char *path)
{
	struct record_reader *r = xcalloc(1, sizeof(*r));
	struct stat st = { 0 }; /* zero if fstat fails: not a regular file */

	sbuf_init(&r->damage_msg, 0);
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
	if (r->peek_len >= PQ_MAGIC_LEN && !memcmp(r->peek, PQ_MAGIC, PQ_MAGIC_LEN)) {
		sbuf_init(&r->win, 0); /* the splitter is not used */
		if (parquet_open(r, &st) < 0)
			goto fail;
		return r;
	}
	open_decoder(r);
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
	pq_reader_close(r->pq);
	if (r->fd > 0)
		close(r->fd);
	if (r->zds)
		ZSTD_freeDStream(r->zds);
	if (r->lib_ready && r->comp == COMP_GZIP)
		inflateEnd(&r->gz);
	if (r->lib_ready && r->comp == COMP_XZ)
		lzma_end(&r->xz);
	if (r->lib_ready && r->comp == COMP_BZIP2)
		BZ2_bzDecompressEnd(&r->bz);
	free(r->in);
	sbuf_release(&r->damage_msg);
	sbuf_release(&r->win);
	free(r->path);
	free(r);
}

uint64_t record_reader_bytes_read(const struct record_reader *r) { return r->bytes_read; }
uint64_t record_reader_size(const struct record_reader *r) { return r->size; }
const char *record_reader_compression(const struct record_reader *r) { return r->comp_name; }

const char *record_reader_layout(const struct record_reader *r)
{
	if (r->parquet)
		return "parquet";
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

/* Make `rec` the record for the damage found in the stream (its text is kept). */
static void damage_defect(struct record_reader *r, struct raw_record *rec)
{
	rec->loc.file = r->shown;
	/* the message names the lines: an element index would mislead */
	rec->loc.line = r->damage_line;
	rec->loc.index = -1;
	rec->defect = r->damage;
	rec->defect_msg = r->damage_msg.buf;
	r->done = 1;
}

/* A record standing for damage at the end of the stream, if any. */
static int end_defect(struct record_reader *r, struct raw_record *rec)
{
	if (r->done)
		return 0;
	r->done = 1;
	if (!r->truncated && !r->damage)
		return 0;
	sbuf_reset(&rec->text);
	if (r->damage) {
		damage_defect(r, rec);
		return 1;
	}
	rec->loc.file = r->shown;
	rec->loc.line = r->line;
	rec->loc.index = r->layout == LAYOUT_ARRAY ? r->index + 1 : -1;
	rec->defect = DEFECT_TRUNCATED;
	rec->defect_msg = "input ends in the middle of a compressed frame (truncated file)";
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
			/* last line without a newline; refill may have moved it */
			start = r->win.buf + r->pos;
			nl = start + avail;
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
		/* A last line cut by a truncated stream is damaged, not just
		 * odd; one cut by damaged data is part of that damage. */
		if (r->eof && r->pos >= r->win.len && nl == start + avail) {
			if (r->damage && !strcmp(r->damage, DEFECT_CORRUPT)) {
				damage_defect(r, rec);
			} else if (r->truncated) {
				rec->defect = DEFECT_TRUNCATED;
				rec->defect_msg = "last record is cut short: the input is truncated";
				r->done = 1;
			}
		}
		return 1;
	}
}

static int array_defect(struct record_reader *r, struct raw_record *rec, const char *msg)
{
	r->astate = ARR_DONE;
	/* a damaged stream explains the broken array, and must not go unsaid */
	if (r->damage)
		return end_defect(r, rec);
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
	if (r->parquet) {
		rec->defect = NULL;
		rec->defect_msg = NULL;
		return parquet_next(r, rec);
	}
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
	v = json_loadb(raw->text.buf, raw->text.len,
		       JSON_ALLOW_NUL | JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (!v) {
		size_t ok = utf8_valid_prefix(raw->text.buf, raw->text.len);
		if (json_error_code(&jerr) == json_error_duplicate_key) {
			/* which value wins is not defined by JSON: an id could change */
			*kind = REJECT_DUPLICATE_KEY;
			sbuf_addf(err, "%s (at column %d)", jerr.text, jerr.column);
		} else if (ok < raw->text.len) {
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
