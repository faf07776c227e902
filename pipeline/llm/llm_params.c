/*
 * llm_params.c — generation parameters: defaults from a prompt's front
 * matter, merging command line over defaults, and the provenance form.
 */
#include "llm/llm_params.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

void llm_params_init(struct llm_params *p)
{
	memset(p, 0, sizeof(*p));
	p->temperature = p->top_p = NAN;
	p->max_tokens = -1;
}

void llm_params_release(struct llm_params *p)
{
	free(p->model);
	json_decref(p->stop);
	json_decref(p->extra);
	llm_params_init(p);
}

void llm_params_merge(struct llm_params *p, const struct llm_params *d)
{
	if (!p->model && d->model)
		p->model = xstrdup(d->model);
	if (isnan(p->temperature))
		p->temperature = d->temperature;
	if (isnan(p->top_p))
		p->top_p = d->top_p;
	if (p->max_tokens < 0)
		p->max_tokens = d->max_tokens;
	if (!p->has_seed && d->has_seed) {
		p->seed = d->seed;
		p->has_seed = 1;
	}
	if (!p->n)
		p->n = d->n;
	if (!p->stop && d->stop)
		p->stop = json_deep_copy(d->stop);
	if (d->extra) {
		/* CLI keys win over the defaults' keys */
		json_t *e = json_deep_copy(d->extra);
		if (p->extra)
			json_object_update(e, p->extra);
		json_decref(p->extra);
		p->extra = e;
	}
}

static int bad_param(struct sbuf *err, const char *key, const char *want)
{
	sbuf_addf(err, "'%s' must be %s", key, want);
	return -1;
}

int llm_params_from_json(struct llm_params *p, const json_t *obj, struct sbuf *err)
{
	const json_t *v;

	if (!obj)
		return 0;
	if ((v = json_object_get(obj, "model"))) {
		if (!json_is_string(v))
			return bad_param(err, "model", "a string");
		free(p->model);
		p->model = xstrdup(json_string_value(v));
	}
	if ((v = json_object_get(obj, "temperature"))) {
		if (!json_is_number(v) || json_number_value(v) < 0)
			return bad_param(err, "temperature", "a number >= 0");
		p->temperature = json_number_value(v);
	}
	if ((v = json_object_get(obj, "top_p"))) {
		if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1)
			return bad_param(err, "top_p", "a number in [0, 1]");
		p->top_p = json_number_value(v);
	}
	if ((v = json_object_get(obj, "max_tokens"))) {
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return bad_param(err, "max_tokens", "a positive integer");
		p->max_tokens = (long)json_integer_value(v);
	}
	if ((v = json_object_get(obj, "seed"))) {
		if (!json_is_integer(v))
			return bad_param(err, "seed", "an integer");
		p->seed = json_integer_value(v);
		p->has_seed = 1;
	}
	if ((v = json_object_get(obj, "n"))) {
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return bad_param(err, "n", "a positive integer");
		p->n = (long)json_integer_value(v);
	}
	if ((v = json_object_get(obj, "stop"))) {
		json_t *s;
		size_t i;
		if (json_is_string(v)) {
			s = json_array();
			json_array_append(s, (json_t *)v);
		} else if (json_is_array(v)) {
			json_array_foreach(v, i, s)
				if (!json_is_string(s))
					return bad_param(err, "stop", "a string or a list of strings");
			s = json_deep_copy(v);
		} else {
			return bad_param(err, "stop", "a string or a list of strings");
		}
		json_decref(p->stop);
		p->stop = s;
	}
	if ((v = json_object_get(obj, "extra"))) {
		if (!json_is_object(v))
			return bad_param(err, "extra", "an object");
		json_decref(p->extra);
		p->extra = json_deep_copy(v);
	}
	return 0;
}

json_t *llm_params_json(const struct llm_params *p)
{
	json_t *o = json_object();

	if (!isnan(p->temperature))
		json_object_set_new(o, "temperature", json_real(p->temperature));
	if (!isnan(p->top_p))
		json_object_set_new(o, "top_p", json_real(p->top_p));
	if (p->max_tokens >= 0)
		json_object_set_new(o, "max_tokens", json_integer(p->max_tokens));
	if (p->has_seed)
		json_object_set_new(o, "seed", json_integer(p->seed));
	if (p->n)
		json_object_set_new(o, "n", json_integer(p->n));
	if (p->stop)
		json_object_set(o, "stop", p->stop);
	if (p->extra)
		json_object_set(o, "extra", p->extra);
	return o;
}
