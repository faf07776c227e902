/*
 * json_write.c — see json_write.h for why smelt has its own serialiser.
 */
#include "json/json_write.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void json_write_escape(struct sbuf *sb, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	switch (c) {
	case '"': sbuf_add(sb, "\\\"", 2); break;
	case '\\': sbuf_add(sb, "\\\\", 2); break;
	case '\n': sbuf_add(sb, "\\n", 2); break;
	case '\t': sbuf_add(sb, "\\t", 2); break;
	case '\r': sbuf_add(sb, "\\r", 2); break;
	case '\b': sbuf_add(sb, "\\b", 2); break;
	case '\f': sbuf_add(sb, "\\f", 2); break;
	default: {
		char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
		sbuf_add(sb, u, 6);
	}
	}
}

void json_write_string(struct sbuf *sb, const char *s, size_t len)
{
	size_t i = 0, run = 0;

	sbuf_grow(sb, len + 2);
	json_put_ch(sb, '"');
	for (;;) {
		while (len - i >= 8) {
			uint64_t x;
			memcpy(&x, s + i, 8);
			if (json_word_needs_escape(x))
				break;
			i += 8;
		}
		while (i < len) {
			unsigned char c = (unsigned char)s[i];
			if (c < 0x20 || c == '"' || c == '\\')
				break;
			i++;
		}
		if (i >= len)
			break;
		sbuf_add(sb, s + run, i - run);
		json_write_escape(sb, (unsigned char)s[i]);
		run = ++i;
	}
	sbuf_add(sb, s + run, len - run);
	json_put_ch(sb, '"');
}

void json_write_int(struct sbuf *sb, long long v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	/* the magnitude as unsigned: -LLONG_MIN does not fit a long long */
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	sbuf_add(sb, p, (size_t)(tmp + sizeof(tmp) - p));
}

/*
 * The common case of json_write_real without printf: a double that some
 * decimal m / 10^k with m < 10^15 reads back to. Any decimal of at most 15
 * significant digits that reads back to d is the one "%.15g" prints (two of
 * them are further apart than d's rounding interval is wide), and between
 * 1e-4 and 1e15 "%g" prints it without an exponent. m / 10^k in doubles is
 * correctly rounded as strtod is (both exact: m < 2^53, k <= 19 here), so
 * the division is the round-trip test. 0 when d is not such a number.
 */
static int write_real_short(struct sbuf *sb, double d)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
				      1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19 };
	double a = fabs(d);

	if (!(a >= 1e-4 && a < 1e15))
		return 0;
	for (int k = 0; k < 20; k++) {
		double scaled = a * p10[k];
		if (scaled >= 1e15)
			return 0;
		long long m = llround(scaled);
		if ((double)m / p10[k] != a)
			continue;
		char tmp[48], *p = tmp + sizeof(tmp);
		int frac = k;
		while (frac > 0 && m % 10 == 0) { /* trailing zeros of the fraction */
			m /= 10;
			frac--;
		}
		if (frac == 0)
			*--p = '0';
		for (; frac > 0; frac--) {
			*--p = (char)('0' + m % 10);
			m /= 10;
		}
		*--p = '.';
		do {
			*--p = (char)('0' + m % 10);
			m /= 10;
		} while (m);
		if (d < 0)
			*--p = '-';
		sbuf_add(sb, p, (size_t)(tmp + sizeof(tmp) - p));
		return 1;
	}
	return 0;
}

void json_write_real(struct sbuf *sb, double d)
{
	char tmp[40];
	int prec;

	if (write_real_short(sb, d))
		return;
	for (prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	sbuf_addstr(sb, tmp);
	if (!strpbrk(tmp, ".eEn"))
		sbuf_add(sb, ".0", 2);
}

void json_write(struct sbuf *sb, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *val;
		int first = 1;
		json_put_ch(sb, '{');
		json_object_foreach((json_t *)v, key, val) {
			if (!first)
				json_put_ch(sb, ',');
			first = 0;
			json_write_string(sb, key, strlen(key));
			json_put_ch(sb, ':');
			json_write(sb, val);
		}
		json_put_ch(sb, '}');
		break;
	}
	case JSON_ARRAY: {
		size_t i, n = json_array_size(v);
		json_put_ch(sb, '[');
		for (i = 0; i < n; i++) {
			if (i)
				json_put_ch(sb, ',');
			json_write(sb, json_array_get(v, i));
		}
		json_put_ch(sb, ']');
		break;
	}
	case JSON_STRING:
		json_write_string(sb, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		json_write_int(sb, json_integer_value(v));
		break;
	case JSON_REAL:
		json_write_real(sb, json_real_value(v));
		break;
	case JSON_TRUE:
		sbuf_add(sb, "true", 4);
		break;
	case JSON_FALSE:
		sbuf_add(sb, "false", 5);
		break;
	case JSON_NULL:
		sbuf_add(sb, "null", 4);
		break;
	}
}

char *json_to_string(const json_t *v)
{
	struct sbuf sb = SBUF_INIT;

	json_write(&sb, v);
	return sbuf_detach(&sb, NULL);
}
