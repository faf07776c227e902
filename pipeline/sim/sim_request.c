/*
 * sim_request.c — request bodies to C structs. Content parts follow the
 * OpenAI chat format ({"type":"text","text"} and {"type":"image_url",
 * "image_url":{"url"}}); a part of any other type is refused, as vLLM does.
 */
#include "sim/sim_request.h"

#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/sbuf.h"
#include "sim/sim_image.h"
#include "sim/sim_text.h"

#define IMAGE_TOKENS 16

int sim_request_parse(const char *body, size_t len, json_t **root,
		      char **canonical, size_t *canonical_len, struct sim_answer *a)
{
	json_error_t err;
	json_t *j = json_loadb(body, len, 0, &err);

	if (!j) {
		sim_answer_error(a, 400, "invalid_request_error", NULL, NULL,
				 "invalid JSON body: %s (at byte %d)", err.text, err.position);
		return -1;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		sim_answer_error(a, 400, "invalid_request_error", NULL, NULL,
				 "the request body must be a JSON object");
		return -1;
	}
	*canonical = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	if (!*canonical)
		die("cannot serialise a request body");
	*canonical_len = strlen(*canonical);
	*root = j;
	return 0;
}

int sim_request_check_model(json_t *root, const struct sim_config *cfg, struct sim_answer *a)
{
	json_t *model = json_object_get(root, "model");

	if (!model || json_is_null(model))
		return 0;
	if (!json_is_string(model)) {
		sim_answer_error(a, 400, "invalid_request_error", "model", NULL,
				 "'model' must be a string");
		return -1;
	}
	if (strcmp(json_string_value(model), cfg->model)) {
		sim_answer_error(a, 404, "invalid_request_error", "model", "model_not_found",
				 "The model `%s` does not exist.", json_string_value(model));
		return -1;
	}
	return 0;
}

static int bad_messages(struct sim_answer *a, const char *why, size_t i)
{
	sim_answer_error(a, 400, "invalid_request_error", "messages", NULL,
			 "messages[%zu]: %s", i, why);
	return -1;
}

static int parse_image_part(json_t *part, const struct sim_config *cfg,
			    struct sim_answer *a, size_t i)
{
	json_t *iu = json_object_get(part, "image_url");
	const char *url;
	char why[160];

	if (json_is_object(iu))
		iu = json_object_get(iu, "url");
	url = json_string_value(iu);
	if (!url)
		return bad_messages(a, "image_url part without a url", i);
	if (sim_image_check_url(url, cfg->max_image_bytes, why, sizeof(why)))
		return bad_messages(a, why, i);
	return 0;
}

static int parse_content(json_t *content, const struct sim_config *cfg,
			 struct sim_message *msg, struct sim_answer *a, size_t i)
{
	struct sbuf text = SBUF_INIT;
	size_t k;
	json_t *part;

	if (json_is_string(content)) {
		msg->text = xstrdup(json_string_value(content));
		return 0;
	}
	if (!content || json_is_null(content)) {
		msg->text = xstrdup("");
		return 0;
	}
	if (!json_is_array(content))
		return bad_messages(a, "content must be a string or an array of parts", i);
	json_array_foreach(content, k, part) {
		const char *type = json_string_value(json_object_get(part, "type"));

		if (type && !strcmp(type, "text")) {
			const char *t = json_string_value(json_object_get(part, "text"));

			if (!t)
				goto bad_text;
			if (text.len)
				sbuf_addch(&text, '\n');
			sbuf_addstr(&text, t);
		} else if (type && !strcmp(type, "image_url")) {
			if (parse_image_part(part, cfg, a, i))
				goto fail;
			msg->images++;
		} else {
			sbuf_release(&text);
			return bad_messages(a, "unknown content part type", i);
		}
	}
	msg->text = sbuf_detach(&text, NULL);
	return 0;
bad_text:
	bad_messages(a, "text part without a string 'text'", i);
fail:
	sbuf_release(&text);
	return -1;
}

int sim_messages_parse(json_t *root, const struct sim_config *cfg,
		       struct sim_messages *out, struct sim_answer *a)
{
	json_t *msgs = json_object_get(root, "messages"), *m;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!json_is_array(msgs) || !json_array_size(msgs)) {
		sim_answer_error(a, 400, "invalid_request_error", "messages", NULL,
				 "'messages' must be a non-empty array");
		return -1;
	}
	out->v = xcalloc(json_array_size(msgs), sizeof(*out->v));
	json_array_foreach(msgs, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		struct sim_message *msg = &out->v[i];

		if (!role) {
			bad_messages(a, "missing string 'role'", i);
			goto fail;
		}
		out->n = i + 1;
		msg->role = xstrdup(role);
		if (parse_content(json_object_get(m, "content"), cfg, msg, a, i))
			goto fail;
		out->images += msg->images;
	}
	return 0;
fail:
	sim_messages_release(out);
	return -1;
}

void sim_messages_release(struct sim_messages *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].role);
		free(m->v[i].text);
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}

long sim_messages_tokens(const struct sim_messages *m)
{
	long n = 0;

	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].text)
			n += (long)sim_text_tokens(m->v[i].text, strlen(m->v[i].text));
	return n + (long)m->images * IMAGE_TOKENS;
}

uint64_t sim_request_hash_without(json_t *root, const char *const *drop, uint64_t seed)
{
	json_t *copy = json_copy(root);
	char *s;
	uint64_t h;

	for (; *drop; drop++)
		json_object_del(copy, *drop);
	s = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	if (!s)
		die("cannot serialise a request body");
	h = hash64(s, strlen(s), seed);
	free(s);
	json_decref(copy);
	return h;
}
