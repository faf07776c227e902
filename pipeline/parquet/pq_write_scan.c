/*
 * pq_write_scan.c — JSON lexing without a tree for the Parquet writer
 * (see the header).
 */
#include "parquet/pq_write_scan.h"

#include <string.h>

static int bad(struct pqw_scan *s)
{
	s->bad = 1;
	s->p = s->end;
	return -1;
}

int pqw_scan_peek(struct pqw_scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
	return s->p < s->end ? (unsigned char)*s->p : 0;
}

int pqw_scan_expect(struct pqw_scan *s, int c)
{
	if (pqw_scan_peek(s) != c)
		return bad(s);
	s->p++;
	return 0;
}

int pqw_scan_literal(struct pqw_scan *s, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n))
		return bad(s);
	s->p += n;
	return 0;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		int c = (unsigned char)p[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | (unsigned)d;
	}
	*out = v;
	return 0;
}

static void put_utf8(struct sbuf *out, unsigned cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	sbuf_add(out, b, n);
}

int pqw_scan_string(struct pqw_scan *s, struct sbuf *out)
{
	const char *p, *end = s->end;

	sbuf_reset(out);
	if (pqw_scan_peek(s) != '"')
		return bad(s);
	p = ++s->p;
	for (;;) {
		const char *run = p;
		while (p < end && *p != '"' && *p != '\\')
			p++;
		sbuf_add(out, run, (size_t)(p - run));
		if (p >= end)
			return bad(s);
		if (*p == '"')
			break;
		if (end - p < 2)
			return bad(s);
		switch (p[1]) {
		case '"': sbuf_addch(out, '"'); break;
		case '\\': sbuf_addch(out, '\\'); break;
		case '/': sbuf_addch(out, '/'); break;
		case 'b': sbuf_addch(out, '\b'); break;
		case 'f': sbuf_addch(out, '\f'); break;
		case 'n': sbuf_addch(out, '\n'); break;
		case 'r': sbuf_addch(out, '\r'); break;
		case 't': sbuf_addch(out, '\t'); break;
		case 'u': {
			unsigned cp, lo;
			if (end - p < 6 || hex4(p + 2, &cp) < 0)
				return bad(s);
			if (cp >= 0xd800 && cp < 0xdc00) { /* a surrogate pair */
				if (end - p < 12 || p[6] != '\\' || p[7] != 'u' || hex4(p + 8, &lo) < 0 ||
				    lo < 0xdc00 || lo >= 0xe000)
					return bad(s);
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				return bad(s);
			}
			put_utf8(out, cp);
			p += 4;
			break;
		}
		default:
			return bad(s);
		}
		p += 2;
	}
	s->p = p + 1;
	return 0;
}

int pqw_scan_skip_string(struct pqw_scan *s)
{
	const char *p;

	if (pqw_scan_peek(s) != '"')
		return bad(s);
	p = s->p + 1;
	for (;;) {
		while (p < s->end && *p != '"' && *p != '\\')
			p++;
		if (p >= s->end)
			return bad(s);
		if (*p == '"')
			break;
		p += 2; /* the escaped byte cannot be the closing quote */
	}
	s->p = p + 1;
	return 0;
}

int pqw_scan_number(struct pqw_scan *s, const char **start, int *is_real)
{
	const char *p = s->p;

	*start = p;
	*is_real = 0;
	while (p < s->end) {
		char c = *p;
		if (c == '.' || c == 'e' || c == 'E')
			*is_real = 1;
		else if (!(c == '-' || c == '+' || (c >= '0' && c <= '9')))
			break;
		p++;
	}
	if (p == *start)
		return bad(s);
	s->p = p;
	return 0;
}

int pqw_scan_skip_value(struct pqw_scan *s, const char **start)
{
	int c, depth = 0, real;
	const char *num;

	pqw_scan_peek(s);
	*start = s->p;
	do {
		c = pqw_scan_peek(s);
		switch (c) {
		case '"':
			if (pqw_scan_skip_string(s) < 0)
				return -1;
			break;
		case '{':
		case '[':
			depth++;
			s->p++;
			break;
		case '}':
		case ']':
			if (--depth < 0)
				return bad(s);
			s->p++;
			break;
		case ',':
		case ':':
			if (!depth)
				return bad(s);
			s->p++;
			break;
		case 't': if (pqw_scan_literal(s, "true") < 0) return -1; break;
		case 'f': if (pqw_scan_literal(s, "false") < 0) return -1; break;
		case 'n': if (pqw_scan_literal(s, "null") < 0) return -1; break;
		case 0: return bad(s);
		default:
			if (pqw_scan_number(s, &num, &real) < 0)
				return -1;
		}
	} while (depth);
	return 0;
}
