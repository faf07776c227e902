/*
 * json_write.c — see json_write.h for why smelt has its own serialiser.
 */
#include "json/json_write.h"

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
	size_t i, run = 0;

	sbuf_grow(sb, len + 2);
	sbuf_addch(sb, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sbuf_add(sb, s + run, i - run);
		run = i + 1;
		json_write_escape(sb, c);
	}
	sbuf_add(sb, s + run, len - run);
	sbuf_addch(sb, '"');
}

void json_write_real(struct sbuf *sb, double d)
{
	char tmp[40];
	int prec;

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
		sbuf_addch(sb, '{');
		json_object_foreach((json_t *)v, key, val) {
			if (!first)
				sbuf_addch(sb, ',');
			first = 0;
			json_write_string(sb, key, strlen(key));
			sbuf_addch(sb, ':');
			json_write(sb, val);
		}
		sbuf_addch(sb, '}');
		break;
	}
	case JSON_ARRAY: {
		size_t i, n = json_array_size(v);
		sbuf_addch(sb, '[');
		for (i = 0; i < n; i++) {
			if (i)
				sbuf_addch(sb, ',');
			json_write(sb, json_array_get(v, i));
		}
		sbuf_addch(sb, ']');
		break;
	}
	case JSON_STRING:
		json_write_string(sb, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		sbuf_addf(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
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
