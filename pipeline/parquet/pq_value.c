/*
 * pq_value.c — Parquet values to JSON (the choices are in pq_value.h).
 */
#include "parquet/pq_value.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "core/image_magic.h"
#include "core/utf8.h"
#include "parquet/pq_format.h"

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm). */
static void civil(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ".123" for a fraction of `digits` digits, trailing zeros dropped; "" for 0. */
static void fraction(char *out, size_t cap, int64_t frac, int digits)
{
	if (frac == 0 || digits == 0) {
		out[0] = '\0';
		return;
	}
	snprintf(out, cap, ".%0*" PRId64, digits, frac);
	size_t n = strlen(out);
	while (n > 1 && out[n - 1] == '0')
		out[--n] = '\0';
}

static json_t *date_json(int64_t days)
{
	int64_t y;
	unsigned m, d;
	civil(days, &y, &m, &d);
	return json_sprintf("%04" PRId64 "-%02u-%02u", y, m, d);
}

/* units per second: 1e3, 1e6 or 1e9 */
static json_t *timestamp_json(int64_t v, int64_t per_sec, int digits, int utc)
{
	int64_t days = floor_div(v, per_sec * 86400);
	int64_t rest = v - days * per_sec * 86400;
	int64_t secs = rest / per_sec, frac = rest % per_sec;
	int64_t y;
	unsigned m, d;
	char fr[16];

	civil(days, &y, &m, &d);
	fraction(fr, sizeof(fr), frac, digits);
	return json_sprintf("%04" PRId64 "-%02u-%02uT%02u:%02u:%02u%s%s", y, m, d, (unsigned)(secs / 3600),
			    (unsigned)(secs / 60 % 60), (unsigned)(secs % 60), fr, utc ? "Z" : "");
}

static json_t *time_json(int64_t v, int64_t per_sec, int digits)
{
	char fr[16];
	if (v < 0)
		v = 0;
	int64_t secs = v / per_sec;
	fraction(fr, sizeof(fr), v % per_sec, digits);
	return json_sprintf("%02u:%02u:%02u%s", (unsigned)(secs / 3600 % 100), (unsigned)(secs / 60 % 60),
			    (unsigned)(secs % 60), fr);
}

static json_t *real_json(double d)
{
	if (isnan(d))
		return json_string("NaN");
	if (isinf(d))
		return json_string(d > 0 ? "Infinity" : "-Infinity");
	return json_real(d);
}

static json_t *float_json(float f)
{
	char buf[32];
	if (isnan(f) || isinf(f))
		return real_json(f);
	/* the shortest text that reads back as the same float */
	for (int prec = 6; prec <= 9; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, (double)f);
		if (strtof(buf, NULL) == f)
			break;
	}
	return json_real(strtod(buf, NULL));
}

/* Unscaled integer (at most 16 bytes, two's complement) and scale to JSON. */
static json_t *decimal_json(__int128 u, int scale, int precision)
{
	char digits[64], out[80];
	int neg = u < 0, n = 0;
	unsigned __int128 a = neg ? -(unsigned __int128)u : (unsigned __int128)u;

	do {
		digits[n++] = (char)('0' + (int)(a % 10));
		a /= 10;
	} while (a);
	if (scale < 0 || scale > 60)
		scale = 0;
	size_t o = 0;
	if (neg)
		out[o++] = '-';
	int intdigits = n - scale;
	if (intdigits <= 0) {
		out[o++] = '0';
	} else {
		for (int i = n - 1; i >= scale; i--)
			out[o++] = digits[i];
	}
	if (scale > 0) {
		out[o++] = '.';
		for (int i = scale - 1; i >= 0; i--)
			out[o++] = i < n ? digits[i] : '0';
	}
	out[o] = '\0';
	if (precision > 15)
		return json_string(out);
	if (scale == 0)
		return json_integer((json_int_t)u);
	return json_real(strtod(out, NULL));
}

static json_t *decimal_bytes(const uint8_t *p, uint32_t len, int scale, int precision)
{
	if (len > 16) {
		struct sbuf sb = SBUF_INIT;
		sbuf_addstr(&sb, "0x");
		for (uint32_t i = 0; i < len; i++)
			sbuf_addf(&sb, "%02x", p[i]);
		json_t *j = json_stringn(sb.buf, sb.len);
		sbuf_release(&sb);
		return j;
	}
	__int128 v = len && (p[0] & 0x80) ? -1 : 0; /* sign-extend the big-endian bytes */
	for (uint32_t i = 0; i < len; i++)
		v = (__int128)(((unsigned __int128)v << 8) | p[i]);
	return decimal_json(v, scale, precision);
}

void pq_data_uri(struct sbuf *out, const uint8_t *p, size_t len)
{
	const char *mime = image_magic_mime(p, len);
	sbuf_addf(out, "data:%s;base64,", mime ? mime : "application/octet-stream");
	base64_encode(out, p, len);
}

/*
 * Is p[0..len) UTF-8? Runs of ASCII are passed a word at a time (most text
 * is mostly ASCII); utf8_valid_prefix judges the rest.
 */
static int utf8_ok(const uint8_t *p, size_t len)
{
	size_t i = 0;

	for (;;) {
		while (len - i >= 8) {
			uint64_t x;
			memcpy(&x, p + i, 8);
			if (x & 0x8080808080808080ULL)
				break;
			i += 8;
		}
		while (i < len && p[i] < 0x80)
			i++;
		if (i >= len)
			return 1;
		/* a multi-byte sequence: let utf8_valid_prefix take the next stretch */
		size_t n = len - i < 64 ? len - i : 64;
		size_t ok = utf8_valid_prefix((const char *)p + i, n);
		if (ok == 0)
			return 0;
		i += ok;
	}
}

static json_t *binary_json(const uint8_t *p, uint32_t len)
{
	if (utf8_ok(p, len))
		return json_stringn_nocheck((const char *)p, len);
	struct sbuf sb = SBUF_INIT;
	pq_data_uri(&sb, p, len);
	json_t *j = json_stringn_nocheck(sb.buf, sb.len);
	sbuf_release(&sb);
	return j;
}

static json_t *half_json(const uint8_t *p)
{
	unsigned h = (unsigned)p[0] | (unsigned)p[1] << 8;
	int e = (h >> 10) & 0x1f;
	double m = h & 0x3ff, v;
	if (e == 0)
		v = ldexp(m, -24);
	else if (e == 31)
		v = m ? NAN : INFINITY;
	else
		v = ldexp(m + 1024, e - 25);
	return real_json(h & 0x8000 ? -v : v);
}

static int64_t unit_per_sec(int unit, int *digits)
{
	switch (unit) {
	case PQ_UNIT_MILLIS: *digits = 3; return 1000;
	case PQ_UNIT_NANOS: *digits = 9; return 1000000000;
	default: *digits = 6; return 1000000;
	}
}

static int is_decimal(const struct pq_schema_elem *el)
{
	return el->logical == PQ_LT_DECIMAL || el->converted == PQ_CT_DECIMAL;
}

static int is_unsigned(const struct pq_schema_elem *el)
{
	if (el->logical == PQ_LT_INTEGER)
		return !el->int_signed;
	return el->converted >= PQ_CT_UINT_8 && el->converted <= PQ_CT_UINT_64;
}

static json_t *int64_json(const struct pq_schema_elem *el, int64_t v)
{
	int digits;
	int64_t per;

	if (el->logical == PQ_LT_TIMESTAMP) {
		per = unit_per_sec(el->time_unit, &digits);
		return timestamp_json(v, per, digits, el->utc);
	}
	if (el->converted == PQ_CT_TIMESTAMP_MILLIS)
		return timestamp_json(v, 1000, 3, 1);
	if (el->converted == PQ_CT_TIMESTAMP_MICROS)
		return timestamp_json(v, 1000000, 6, 1);
	if (el->logical == PQ_LT_TIME) {
		per = unit_per_sec(el->time_unit, &digits);
		return time_json(v, per, digits);
	}
	if (el->converted == PQ_CT_TIME_MICROS)
		return time_json(v, 1000000, 6);
	if (is_decimal(el))
		return decimal_json(v, el->scale, el->precision);
	if (is_unsigned(el) && v < 0) /* above INT64_MAX: exact digits, as for wide decimals */
		return json_sprintf("%" PRIu64, (uint64_t)v);
	return json_integer(v);
}

static json_t *int32_json(const struct pq_schema_elem *el, int32_t v)
{
	if (el->logical == PQ_LT_DATE || el->converted == PQ_CT_DATE)
		return date_json(v);
	if (el->logical == PQ_LT_TIME || el->converted == PQ_CT_TIME_MILLIS)
		return time_json(v, 1000, 3);
	if (is_decimal(el))
		return decimal_json(v, el->scale, el->precision);
	if (is_unsigned(el))
		return json_integer((json_int_t)(uint32_t)v);
	return json_integer(v);
}

json_t *pq_value_json(const struct pq_schema_elem *el, const struct pq_val *v)
{
	switch (el->type) {
	case PQ_BOOLEAN:
		return json_boolean(v->b);
	case PQ_INT32:
		return int32_json(el, v->i32);
	case PQ_INT64:
		return int64_json(el, v->i64);
	case PQ_INT96: {
		/* nanoseconds of the day, then the Julian day number */
		int64_t nanos;
		int32_t jd;
		memcpy(&nanos, v->i96, 8);
		memcpy(&jd, v->i96 + 8, 4);
		__int128 t = ((__int128)jd - 2440588) * 86400 * 1000000000 + nanos;
		if (t > INT64_MAX || t < INT64_MIN)
			return json_null();
		return timestamp_json((int64_t)t, 1000000000, 9, 0);
	}
	case PQ_FLOAT:
		return float_json(v->f);
	case PQ_DOUBLE:
		return real_json(v->d);
	case PQ_BYTE_ARRAY:
	case PQ_FIXED_LEN_BYTE_ARRAY: {
		const uint8_t *p = v->s.ptr;
		uint32_t len = v->s.len;
		if (is_decimal(el))
			return decimal_bytes(p, len, el->scale, el->precision);
		if (el->logical == PQ_LT_UUID && len == 16)
			return json_sprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
					    p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10],
					    p[11], p[12], p[13], p[14], p[15]);
		if (el->logical == PQ_LT_FLOAT16 && len == 2)
			return half_json(p);
		if (el->converted == PQ_CT_INTERVAL && len == 12) {
			uint32_t f[3];
			memcpy(f, p, 12);
			return json_pack("{s:I,s:I,s:I}", "months", (json_int_t)f[0], "days", (json_int_t)f[1],
					 "milliseconds", (json_int_t)f[2]);
		}
		if (el->logical == PQ_LT_JSON || el->converted == PQ_CT_JSON) {
			json_t *j = json_loadb((const char *)p, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
			if (j)
				return j;
		}
		if (el->logical == PQ_LT_STRING || el->logical == PQ_LT_ENUM || el->logical == PQ_LT_JSON ||
		    el->converted == PQ_CT_UTF8 || el->converted == PQ_CT_ENUM || el->converted == PQ_CT_JSON) {
			if (!utf8_ok(p, len))
				return NULL;
			return json_stringn_nocheck((const char *)p, len);
		}
		return binary_json(p, len);
	}
	}
	return json_null();
}
