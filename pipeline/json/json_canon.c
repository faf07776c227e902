/*
 * json_canon.c — one-pass validating re-serialiser; see json_canon.h.
 *
 * Recursive descent over the input with an explicit depth limit (jansson's
 * is 2048). Strings are copied in runs between the bytes that need care
 * (quote, backslash, control characters, non-ASCII to validate), escapes are
 * decoded and re-encoded the way json_write encodes them.
 */
#include "json/json_canon.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "json/json_write.h"
#include "core/utf8.h"

#define MAX_DEPTH 2048
#define MAX_KEYS_CHECKED 64

struct scan {
	const unsigned char *p, *end;
	struct sbuf *out;
	int depth;
};

static void skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

static int hex4(const unsigned char *p, uint32_t *v)
{
	uint32_t x = 0;

	for (int i = 0; i < 4; i++) {
		unsigned c = p[i];
		x <<= 4;
		if (c >= '0' && c <= '9')
			x |= c - '0';
		else if (c >= 'a' && c <= 'f')
			x |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			x |= c - 'A' + 10;
		else
			return -1;
	}
	*v = x;
	return 0;
}

/* A decoded escape back into the output: as json_write escapes it, else UTF-8. */
static void put_utf8(struct sbuf *sb, uint32_t cp)
{
	if (cp < 0x20 || cp == '"' || cp == '\\')
		json_write_escape(sb, (unsigned char)cp);
	else
		utf8_add(sb, cp);
}

/*
 * Non-zero if any of the 8 bytes in x needs a closer look: one json_write
 * escapes, or a non-ASCII byte (to validate).
 */
static inline uint64_t word_needs_care(uint64_t x)
{
	return json_word_needs_escape(x) | (x & 0x8080808080808080ULL);
}

/* Skip plain ASCII string bytes, a word at a time while possible. */
static const unsigned char *skip_plain(const unsigned char *p, const unsigned char *end)
{
	while (end - p >= 8) {
		uint64_t x;
		memcpy(&x, p, 8);
		if (word_needs_care(x))
			break;
		p += 8;
	}
	while (p < end && *p >= 0x20 && *p != '"' && *p != '\\' && *p < 0x80)
		p++;
	return p;
}

/* A string at s->p (on the opening quote), written with quotes. */
static int scan_string(struct scan *s)
{
	const unsigned char *p = s->p + 1, *run = p;

	json_put_ch(s->out, '"');
	for (;;) {
		p = skip_plain(p, s->end);
		if (p >= s->end)
			return -1;
		if (*p >= 0x80) {
			size_t n = utf8_sequence(p, (size_t)(s->end - p));
			if (!n)
				return -1;
			p += n;
			continue;
		}
		sbuf_add(s->out, run, (size_t)(p - run));
		if (*p == '"') {
			json_put_ch(s->out, '"');
			s->p = p + 1;
			return 0;
		}
		if (*p < 0x20)
			return -1;
		/* backslash escape */
		if (p + 1 >= s->end)
			return -1;
		switch (p[1]) {
		case '"': case '\\': case 'b': case 'f': case 'n': case 'r': case 't':
			/* Already in json_write's form: keep the two bytes. */
			sbuf_add(s->out, p, 2);
			p += 2;
			break;
		case '/': json_put_ch(s->out, '/'); p += 2; break;
		case 'u': {
			uint32_t cp, lo;
			if (s->end - p < 6 || hex4(p + 2, &cp))
				return -1;
			p += 6;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (s->end - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) ||
				    lo < 0xdc00 || lo > 0xdfff)
					return -1;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				return -1;
			}
			put_utf8(s->out, cp);
			break;
		}
		default:
			return -1;
		}
		run = p;
	}
}

static int scan_number(struct scan *s)
{
	const unsigned char *p = s->p, *start = p;
	int is_real = 0;

	if (*p == '-')
		p++;
	if (p >= s->end)
		return -1;
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	} else {
		return -1;
	}
	if (p < s->end && *p == '.') {
		is_real = 1;
		p++;
		if (p >= s->end || *p < '0' || *p > '9')
			return -1;
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < s->end && (*p == 'e' || *p == 'E')) {
		is_real = 1;
		p++;
		if (p < s->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= s->end || *p < '0' || *p > '9')
			return -1;
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	}
	size_t n = (size_t)(p - start);
	if (!is_real && n <= 18) {
		/* fits a long long whatever the digits, and JSON allows no
		 * leading zeros: "%lld" of the value is the text itself, but
		 * for "-0" */
		if (n == 2 && start[0] == '-' && start[1] == '0')
			json_put_ch(s->out, '0');
		else
			sbuf_add(s->out, start, n);
		s->p = p;
		return 0;
	}
	char tmp[64];
	if (n >= sizeof(tmp))
		return -1; /* unusual: let jansson decide */
	memcpy(tmp, start, n);
	tmp[n] = '\0';
	if (is_real) {
		errno = 0;
		double d = strtod(tmp, NULL);
		if (errno == ERANGE)
			return -1;
		json_write_real(s->out, d);
	} else {
		errno = 0;
		long long v = strtoll(tmp, NULL, 10);
		if (errno == ERANGE)
			return -1;
		json_write_int(s->out, v);
	}
	s->p = p;
	return 0;
}

static int scan_value(struct scan *s, struct json_canon_info *info);

static int scan_literal(struct scan *s, const char *word, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n))
		return -1;
	sbuf_add(s->out, word, n);
	s->p += n;
	return 0;
}

/*
 * After a member of a container closed by `close`: 1 and the closing
 * bracket written if it ends here, 0 and the comma written if another
 * member follows, -1 on anything else.
 */
static int after_member(struct scan *s, char close)
{
	skip_ws(s);
	if (s->p >= s->end)
		return -1;
	if (*s->p == (unsigned char)close) {
		s->p++;
		json_put_ch(s->out, close);
		s->depth--;
		return 1;
	}
	if (*s->p != ',')
		return -1;
	s->p++;
	json_put_ch(s->out, ',');
	skip_ws(s);
	return 0;
}

/* Open a container: depth check, bracket written; 1 if it is empty. */
static int open_container(struct scan *s, char open, char close)
{
	if (++s->depth > MAX_DEPTH)
		return -1;
	s->p++;
	json_put_ch(s->out, open);
	skip_ws(s);
	if (s->p < s->end && *s->p == (unsigned char)close) {
		s->p++;
		json_put_ch(s->out, close);
		s->depth--;
		return 1;
	}
	return 0;
}

/* `info` is non-NULL only for the top-level object: it records "id". */
static int scan_object(struct scan *s, struct json_canon_info *info)
{
	uint64_t keys[MAX_KEYS_CHECKED];
	size_t nkeys = 0;

	int r = open_container(s, '{', '}');

	if (r != 0)
		return r < 0 ? -1 : 0;
	for (;;) {
		if (s->p >= s->end || *s->p != '"')
			return -1;
		size_t kstart = s->out->len;
		if (scan_string(s) < 0)
			return -1;
		/* Duplicate keys: jansson keeps the first position and the last
		 * value; rather than mimic that here, fall back. */
		uint64_t h = hash64(s->out->buf + kstart, s->out->len - kstart, 0);
		for (size_t i = 0; i < nkeys; i++)
			if (keys[i] == h)
				return -1;
		if (nkeys == MAX_KEYS_CHECKED)
			return -1;
		keys[nkeys++] = h;
		int is_id = info && s->out->len - kstart == 4 && !memcmp(s->out->buf + kstart, "\"id\"", 4);
		skip_ws(s);
		if (s->p >= s->end || *s->p != ':')
			return -1;
		s->p++;
		json_put_ch(s->out, ':');
		skip_ws(s);
		size_t vstart = s->out->len;
		if (scan_value(s, NULL) < 0)
			return -1;
		if (is_id) {
			const char *v = s->out->buf + vstart;
			size_t vlen = s->out->len - vstart;
			if (*v == '"') {
				info->id_type = 1;
				info->id_off = vstart + 1;
				info->id_len = vlen - 2;
			} else if ((*v == '-' || (*v >= '0' && *v <= '9')) && !memchr(v, '.', vlen) &&
				   !memchr(v, 'e', vlen)) {
				/* scan_number wrote an integer as "%lld" (a real always has
				 * a '.' or an exponent in json_write_real's form) */
				info->id_type = 3;
				info->id_off = vstart;
				info->id_len = vlen;
			} else {
				info->id_type = 2;
			}
		}
		if ((r = after_member(s, '}')) != 0)
			return r < 0 ? -1 : 0;
	}
}

static int scan_array(struct scan *s)
{
	int r = open_container(s, '[', ']');

	if (r != 0)
		return r < 0 ? -1 : 0;
	for (;;) {
		if (scan_value(s, NULL) < 0)
			return -1;
		if ((r = after_member(s, ']')) != 0)
			return r < 0 ? -1 : 0;
	}
}

static int scan_value(struct scan *s, struct json_canon_info *info)
{
	if (s->p >= s->end)
		return -1;
	switch (*s->p) {
	case '{': return scan_object(s, info);
	case '[': return scan_array(s);
	case '"': return scan_string(s);
	case 't': return scan_literal(s, "true", 4);
	case 'f': return scan_literal(s, "false", 5);
	case 'n': return scan_literal(s, "null", 4);
	default: return scan_number(s);
	}
}

int json_canon(const char *in, size_t len, struct sbuf *out, struct json_canon_info *info)
{
	struct scan s = { (const unsigned char *)in, (const unsigned char *)in + len, out, 0 };
	size_t before = out->len;

	memset(info, 0, sizeof(*info));
	skip_ws(&s);
	info->is_object = s.p < s.end && *s.p == '{';
	if (!info->is_object || scan_value(&s, info) < 0)
		goto fallback;
	skip_ws(&s);
	if (s.p != s.end)
		goto fallback;
	return 0;
fallback:
	sbuf_setlen(out, before);
	return -1;
}
