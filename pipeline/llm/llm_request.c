/*
 * llm_request.c — chat-completion bodies and image content parts.
 */
#include "llm/llm_request.h"

#include <math.h>
#include <string.h>

#include "json/json_write.h"

static json_t *text_part(const char *s, size_t len)
{
	return json_pack("{s:s, s:s%}", "type", "text", "text", s, len);
}

static int image_part(json_t *parts, const json_t *images, size_t idx,
		      const struct image_load_opts *o, const char **kind, struct sbuf *err)
{
	const char *ref = json_string_value(json_array_get(images, idx));
	struct sbuf url = SBUF_INIT;

	if (!ref) {
		*kind = LLM_REJECT_BAD_IMAGES;
		sbuf_addf(err, "images[%zu] is not a string", idx);
		return -1;
	}
	if (image_load_url(ref, o, &url, kind, err) < 0) {
		sbuf_release(&url);
		return -1;
	}
	json_array_append_new(parts, json_pack("{s:s, s:{s:s%}}", "type", "image_url",
					       "image_url", "url", url.buf, url.len));
	sbuf_release(&url);
	return 0;
}

static size_t count_placeholders(const char *s)
{
	size_t n = 0;

	while ((s = strstr(s, LLM_IMAGE_PLACEHOLDER))) {
		n++;
		s += strlen(LLM_IMAGE_PLACEHOLDER);
	}
	return n;
}

int llm_messages_add_images(json_t *messages, const json_t *images, const struct image_load_opts *o,
			    const char **kind, struct sbuf *err)
{
	size_t nimg = json_is_array(images) ? json_array_size(images) : 0, nph = 0, used = 0, i;
	const size_t plen = strlen(LLM_IMAGE_PLACEHOLDER);
	json_t *m;

	if (images && !json_is_array(images) && !json_is_null(images)) {
		*kind = LLM_REJECT_BAD_IMAGES;
		sbuf_addstr(err, "\"images\" is not a list");
		return -1;
	}
	json_array_foreach(messages, i, m)
		if (json_is_string(json_object_get(m, "content")))
			nph += count_placeholders(json_string_value(json_object_get(m, "content")));
	if (!nimg && !nph)
		return 0;
	if (nph && nph != nimg) {
		*kind = LLM_REJECT_BAD_IMAGES;
		sbuf_addf(err, "the prompt has %zu <image> placeholder%s but the record has %zu image%s",
			  nph, nph == 1 ? "" : "s", nimg, nimg == 1 ? "" : "s");
		return -1;
	}
	json_array_foreach(messages, i, m) {
		const char *s = json_string_value(json_object_get(m, "content")), *p;
		json_t *parts;
		int first_user = !nph && !used && !strcmp(json_string_value(json_object_get(m, "role")) ?
							   json_string_value(json_object_get(m, "role")) : "", "user");

		if (!s || (!first_user && !strstr(s, LLM_IMAGE_PLACEHOLDER)))
			continue;
		parts = json_array();
		if (first_user) {
			for (; used < nimg; used++)
				if (image_part(parts, images, used, o, kind, err) < 0)
					goto fail;
			if (*s)
				json_array_append_new(parts, text_part(s, strlen(s)));
		} else {
			while ((p = strstr(s, LLM_IMAGE_PLACEHOLDER))) {
				if (p > s)
					json_array_append_new(parts, text_part(s, (size_t)(p - s)));
				if (image_part(parts, images, used++, o, kind, err) < 0)
					goto fail;
				s = p + plen;
			}
			if (*s)
				json_array_append_new(parts, text_part(s, strlen(s)));
		}
		json_object_set_new(m, "content", parts);
		continue;
fail:
		json_decref(parts);
		return -1;
	}
	if (used != nimg) {
		*kind = LLM_REJECT_BAD_IMAGES;
		sbuf_addf(err, "the record has %zu images but the prompt has no user message to put them in", nimg);
		return -1;
	}
	return 0;
}

void llm_request_body(struct sbuf *out, const struct llm_params *p, const json_t *messages,
		      long n, int has_seed, long long seed)
{
	json_t *b = json_object();

	if (p->model)
		json_object_set_new(b, "model", json_string(p->model));
	json_object_set(b, "messages", (json_t *)messages);
	if (!isnan(p->temperature))
		json_object_set_new(b, "temperature", json_real(p->temperature));
	if (!isnan(p->top_p))
		json_object_set_new(b, "top_p", json_real(p->top_p));
	if (p->max_tokens > 0)
		json_object_set_new(b, "max_tokens", json_integer(p->max_tokens));
	if (n > 1)
		json_object_set_new(b, "n", json_integer(n));
	if (has_seed)
		json_object_set_new(b, "seed", json_integer(seed));
	if (p->stop && json_array_size(p->stop))
		json_object_set(b, "stop", p->stop);
	if (p->extra)
		json_object_update(b, p->extra);
	json_write(out, b);
	json_decref(b);
}
