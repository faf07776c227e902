/*
 * filter_control.c — the control value of a record (see filter_control.h).
 */
#include "reward/filter_control.h"

#include <math.h>
#include <string.h>

#include "io/conv_format.h"
#include "json/json_path.h"

const char *filter_control_name(const struct filter_control *c)
{
	switch (c->kind) {
	case FILTER_CONTROL_LENGTH: return "length";
	case FILTER_CONTROL_FIELD: return c->field;
	default: return "none";
	}
}

const char *filter_control_scale_name(enum filter_control_scale s)
{
	return s == FILTER_CONTROL_LINEAR ? "linear" : "log";
}

static size_t assistant_length(const json_t *messages)
{
	const json_t *m;
	size_t n = 0, i;

	json_array_foreach(messages, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		if (role && !strcmp(role, "assistant"))
			n += conv_content_chars(json_object_get(m, "content"));
	}
	return n;
}

double filter_response_length(const json_t *rec)
{
	const json_t *m = json_object_get(rec, "messages");
	struct sbuf err = SBUF_INIT;
	const char *kind = NULL;
	json_t *conv;
	size_t n = 0;

	if (json_is_array(m))
		return (double)assistant_length(m);
	/* ShareGPT, LLaVA, Alpaca: measured on the canonical form */
	conv = conv_to_messages(rec, CONV_AUTO, &kind, &err);
	if (conv)
		n = assistant_length(json_object_get(conv, "messages"));
	json_decref(conv);
	sbuf_release(&err);
	return (double)n;
}

int filter_control_value(const struct filter_control *c, const json_t *rec, double *value, double *x,
			 struct sbuf *why)
{
	const json_t *v;

	*value = *x = NAN;
	if (c->kind == FILTER_CONTROL_LENGTH) {
		*value = filter_response_length(rec);
	} else {
		v = jpath_get(rec, c->field);
		if (!v || json_is_null(v)) {
			sbuf_addf(why, "no control value at '%s'", c->field);
			return -1;
		}
		if (!json_is_number(v) || !isfinite(json_number_value(v))) {
			sbuf_addf(why, "the control '%s' is not a number", c->field);
			return -1;
		}
		*value = json_number_value(v);
	}
	if (c->scale == FILTER_CONTROL_LINEAR) {
		*x = *value;
		return 0;
	}
	if (*value < 0) {
		sbuf_addf(why, "the control '%s' is %g: log(1 + x) wants x >= 0", filter_control_name(c), *value);
		*value = NAN;
		return -1;
	}
	*x = log1p(*value);
	return 0;
}
