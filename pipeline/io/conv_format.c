/*
 * conv_format.c — conversions between the conversation formats users
 * already have and smelt's canonical messages form (see conv_format.h).
 *
 * Every conversion goes through the canonical form, so n formats need 2n
 * converters rather than n². Output objects are rebuilt key by key so that
 * fields the converter does not own stay where they were.
 */
#include "io/conv_format.h"

#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "core/util.h"

#define PLACEHOLDER "<image>"

static const char *const format_names[] = {
	[CONV_AUTO] = "auto", [CONV_JSONL] = "jsonl", [CONV_MESSAGES] = "messages",
	[CONV_SHAREGPT] = "sharegpt", [CONV_LLAVA] = "llava", [CONV_ALPACA] = "alpaca",
	[CONV_CAULDRON] = "cauldron",
	[CONV_VISUALPRM400K] = "visualprm400k", [CONV_MATH_SHEPHERD] = "math-shepherd",
	[CONV_PRM_RAW] = "prm-raw",
};

int conv_format_parse(const char *name, enum conv_format *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(format_names); i++)
		if (!strcmp(name, format_names[i])) {
			*out = (enum conv_format)i;
			return 0;
		}
	return -1;
}

const char *conv_format_name(enum conv_format f)
{
	return format_names[f];
}

enum conv_format conv_detect(const json_t *rec)
{
	if (json_object_get(rec, "messages"))
		return CONV_MESSAGES;
	if (json_object_get(rec, "conversations"))
		return json_object_get(rec, "image") ? CONV_LLAVA : CONV_SHAREGPT;
	if (json_object_get(rec, "instruction") && json_object_get(rec, "output"))
		return CONV_ALPACA;
	if (json_object_get(json_array_get(json_object_get(rec, "texts"), 0), "user"))
		return CONV_CAULDRON;
	return CONV_JSONL;
}

size_t conv_count_placeholders(const char *s)
{
	size_t n = 0;

	while ((s = strstr(s, PLACEHOLDER))) {
		n++;
		s += sizeof(PLACEHOLDER) - 1;
	}
	return n;
}

char *conv_user_text(const char *text, const char *what, size_t nimages, const char **kind,
		     struct sbuf *err)
{
	size_t placed = conv_count_placeholders(text);
	struct sbuf sb = SBUF_INIT;

	if (placed > nimages) {
		*kind = CONV_IMAGE_MISMATCH;
		sbuf_addf(err, "the %s has %zu <image> placeholders for %zu images", what, placed, nimages);
		return NULL;
	}
	for (size_t i = placed; i < nimages; i++)
		sbuf_addstr(&sb, PLACEHOLDER "\n");
	sbuf_addstr(&sb, text);
	return sbuf_detach(&sb, NULL);
}

json_t *conv_dpo_pair(const char *id, const char *prompt, size_t nimages, const char *chosen,
		      const char *rejected, const char **kind, struct sbuf *err)
{
	char *user = conv_user_text(prompt, "prompt", nimages, kind, err);
	json_t *out;

	if (!user)
		return NULL;
	out = json_pack("{s:s, s:s, s:s, s:s}", "id", id, "prompt", user, "chosen", chosen,
			"rejected", rejected);
	free(user);
	return out;
}

static json_t *fail(const char **kind, struct sbuf *err, const char *k, const char *fmt, ...)
	PRINTF_LIKE(4, 5);

static json_t *fail(const char **kind, struct sbuf *err, const char *k, const char *fmt, ...)
{
	va_list ap;

	*kind = k;
	va_start(ap, fmt);
	sbuf_vaddf(err, fmt, ap);
	va_end(ap);
	return NULL;
}

/* ---- roles ------------------------------------------------------------- */

static const struct {
	const char *sharegpt, *openai;
} role_map[] = {
	{ "human", "user" },	  { "gpt", "assistant" },     { "system", "system" },
	{ "user", "user" },	  { "assistant", "assistant" }, { "chatgpt", "assistant" },
	{ "bard", "assistant" },  { "bing", "assistant" },     { "model", "assistant" },
	{ "observation", "tool" }, { "function_call", "assistant" }, { "tool", "tool" },
};

static const char *role_from_sharegpt(const char *from)
{
	for (size_t i = 0; i < ARRAY_SIZE(role_map); i++)
		if (!strcmp(from, role_map[i].sharegpt))
			return role_map[i].openai;
	return NULL;
}

static const char *role_to_sharegpt(const char *role)
{
	if (!strcmp(role, "user"))
		return "human";
	if (!strcmp(role, "assistant"))
		return "gpt";
	if (!strcmp(role, "tool"))
		return "observation";
	return role; /* system */
}

static int known_role(const char *role)
{
	return !strcmp(role, "system") || !strcmp(role, "user") || !strcmp(role, "assistant") ||
	       !strcmp(role, "tool");
}

/* ---- pieces of the canonical form -------------------------------------- */

static json_t *message(const char *role, json_t *content_steal)
{
	json_t *m = json_object();

	json_object_set_new(m, "role", json_string(role));
	json_object_set_new(m, "content", content_steal);
	return m;
}

/* Images as an array of strings from a string, an array, or nothing. */
static int images_from(const json_t *v, json_t *images, const char *field, const char **kind,
		       struct sbuf *err)
{
	size_t i;
	json_t *x;

	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v))
		return json_array_append(images, (json_t *)v);
	if (!json_is_array(v)) {
		fail(kind, err, CONV_BAD_FIELD, "\"%s\" must be a string or a list of strings", field);
		return -1;
	}
	json_array_foreach(v, i, x) {
		if (!json_is_string(x)) {
			fail(kind, err, CONV_BAD_FIELD, "%s[%zu] must be a string", field, i);
			return -1;
		}
		json_array_append(images, x);
	}
	return 0;
}

/*
 * Flatten OpenAI content parts into a string with placeholders, moving
 * image references to `images`.
 */
static json_t *flatten_parts(const json_t *parts, json_t *images, size_t mi, const char **kind,
			     struct sbuf *err)
{
	struct sbuf text = SBUF_INIT;
	size_t i;
	json_t *p;

	json_array_foreach(parts, i, p) {
		const char *type = json_string_value(json_object_get(p, "type"));
		if (!type) {
			sbuf_release(&text);
			return fail(kind, err, CONV_BAD_FIELD, "messages[%zu].content[%zu] has no \"type\"", mi, i);
		}
		if (!strcmp(type, "text")) {
			const char *t = json_string_value(json_object_get(p, "text"));
			if (!t) {
				sbuf_release(&text);
				return fail(kind, err, CONV_BAD_FIELD,
					    "messages[%zu].content[%zu].text must be a string", mi, i);
			}
			sbuf_addstr(&text, t);
		} else if (!strcmp(type, "image_url") || !strcmp(type, "image")) {
			const json_t *u = json_object_get(p, type);
			if (json_is_object(u))
				u = json_object_get(u, "url");
			if (!json_is_string(u)) {
				sbuf_release(&text);
				return fail(kind, err, CONV_BAD_FIELD,
					    "messages[%zu].content[%zu] has no image reference", mi, i);
			}
			json_array_append(images, (json_t *)u);
			sbuf_addstr(&text, PLACEHOLDER);
		} else {
			sbuf_release(&text);
			return fail(kind, err, CONV_BAD_FIELD, "messages[%zu].content[%zu]: unknown part type '%s'",
				    mi, i, type);
		}
	}
	json_t *s = json_stringn(text.buf, text.len);
	sbuf_release(&text);
	return s;
}

/*
 * Make placeholders agree with images: none at all → one at the start of
 * the first user turn; otherwise the counts must match.
 */
static int fix_placeholders(json_t *messages, const json_t *images, const char **kind,
			    struct sbuf *err)
{
	size_t i, count = 0, n = json_array_size(images);
	json_t *m;

	json_array_foreach(messages, i, m)
		count += conv_count_placeholders(json_string_value(json_object_get(m, "content")));
	if (count == n)
		return 0;
	if (count == 0) {
		json_array_foreach(messages, i, m) {
			if (strcmp(json_string_value(json_object_get(m, "role")), "user"))
				continue;
			struct sbuf s = SBUF_INIT;
			for (size_t k = 0; k < n; k++)
				sbuf_addstr(&s, PLACEHOLDER "\n");
			sbuf_addstr(&s, json_string_value(json_object_get(m, "content")));
			json_object_set_new(m, "content", json_stringn(s.buf, s.len));
			sbuf_release(&s);
			return 0;
		}
		fail(kind, err, CONV_IMAGE_MISMATCH, "%zu image(s) but no user turn to place them in", n);
		return -1;
	}
	fail(kind, err, CONV_IMAGE_MISMATCH, "%zu <image> placeholder(s) but %zu image(s)", count, n);
	return -1;
}

/* ---- to messages ------------------------------------------------------- */

static json_t *messages_from_messages(const json_t *src, json_t *images, const char **kind,
				      struct sbuf *err)
{
	json_t *out = json_array(), *m;
	size_t i;

	json_array_foreach(src, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		json_t *c = json_object_get(m, "content"), *content;
		if (!role || !known_role(role)) {
			json_decref(out);
			return fail(kind, err, CONV_BAD_FIELD, "messages[%zu].role must be system, user, assistant or tool", i);
		}
		if (json_is_string(c))
			content = json_incref(c);
		else if (json_is_array(c))
			content = flatten_parts(c, images, i, kind, err);
		else if (json_is_null(c) && !strcmp(role, "assistant"))
			content = json_string(""); /* tool-call turns carry no text */
		else
			content = fail(kind, err, CONV_BAD_FIELD, "messages[%zu].content must be a string or a list of parts", i);
		if (!content) {
			json_decref(out);
			return NULL;
		}
		/* Keep extra per-message fields (name, tool_calls, ...). */
		json_t *nm = json_deep_copy(m);
		json_object_set_new(nm, "content", content);
		json_array_append_new(out, nm);
	}
	return out;
}

static json_t *messages_from_sharegpt(const json_t *src, const char **kind, struct sbuf *err)
{
	json_t *out = json_array(), *m;
	size_t i;

	json_array_foreach(src, i, m) {
		const char *from = json_string_value(json_object_get(m, "from"));
		const json_t *value = json_object_get(m, "value");
		const char *role = from ? role_from_sharegpt(from) : NULL;
		if (!from || !json_is_string(value)) {
			json_decref(out);
			return fail(kind, err, CONV_BAD_FIELD,
				    "conversations[%zu] needs string \"from\" and \"value\"", i);
		}
		if (!role) {
			json_decref(out);
			return fail(kind, err, CONV_BAD_FIELD, "conversations[%zu]: unknown speaker '%s'", i, from);
		}
		json_array_append_new(out, message(role, json_incref((json_t *)value)));
	}
	return out;
}

static json_t *messages_from_alpaca(const json_t *rec, const char **kind, struct sbuf *err)
{
	const json_t *ins = json_object_get(rec, "instruction"), *in = json_object_get(rec, "input"),
		     *outp = json_object_get(rec, "output"), *sys = json_object_get(rec, "system"),
		     *hist = json_object_get(rec, "history");
	json_t *out = json_array(), *pair;
	size_t i;

	if (!json_is_string(ins) || !json_is_string(outp) || (in && !json_is_string(in) && !json_is_null(in)) ||
	    (sys && !json_is_string(sys) && !json_is_null(sys))) {
		json_decref(out);
		return fail(kind, err, CONV_BAD_FIELD,
			    "alpaca records need string \"instruction\" and \"output\" (and string \"input\", \"system\" if present)");
	}
	if (json_string_length(sys))
		json_array_append_new(out, message("system", json_incref((json_t *)sys)));
	json_array_foreach(hist, i, pair) {
		if (!json_is_array(pair) || json_array_size(pair) != 2 ||
		    !json_is_string(json_array_get(pair, 0)) || !json_is_string(json_array_get(pair, 1))) {
			json_decref(out);
			return fail(kind, err, CONV_BAD_FIELD, "history[%zu] must be a [question, answer] pair of strings", i);
		}
		json_array_append_new(out, message("user", json_incref(json_array_get(pair, 0))));
		json_array_append_new(out, message("assistant", json_incref(json_array_get(pair, 1))));
	}
	if (json_string_length(in)) {
		struct sbuf s = SBUF_INIT;
		sbuf_addstr(&s, json_string_value(ins));
		sbuf_addch(&s, '\n');
		sbuf_addstr(&s, json_string_value(in));
		json_array_append_new(out, message("user", json_stringn(s.buf, s.len)));
		sbuf_release(&s);
	} else {
		json_array_append_new(out, message("user", json_incref((json_t *)ins)));
	}
	json_array_append_new(out, message("assistant", json_incref((json_t *)outp)));
	return out;
}

/* the_cauldron: each element of "texts" is one user turn and its answer. */
static json_t *messages_from_cauldron(const json_t *texts, const char **kind, struct sbuf *err)
{
	json_t *out = json_array(), *t;
	size_t i;

	json_array_foreach(texts, i, t) {
		const json_t *user = json_object_get(t, "user"), *assistant = json_object_get(t, "assistant");
		if (!json_is_string(user) || !json_is_string(assistant)) {
			json_decref(out);
			return fail(kind, err, CONV_BAD_FIELD, "texts[%zu] needs string \"user\" and \"assistant\"", i);
		}
		json_array_append_new(out, message("user", json_incref((json_t *)user)));
		json_array_append_new(out, message("assistant", json_incref((json_t *)assistant)));
	}
	return out;
}

static int is_key(const char *key, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(key, *set))
			return 1;
	return 0;
}

/*
 * Copy `src` key by key into a new object, dropping `owned` keys; the
 * first owned key's place receives (conv_key, conv) then (img_key, images).
 */
static json_t *rebuild(const json_t *src, const char *const *owned, const char *conv_key,
		       json_t *conv, const char *img_key, json_t *images)
{
	json_t *out = json_object(), *v;
	const char *key;
	int placed = 0;

	json_object_foreach((json_t *)src, key, v) {
		if (is_key(key, owned)) {
			if (!placed) {
				json_object_set(out, conv_key, conv);
				if (images && img_key)
					json_object_set(out, img_key, images);
				placed = 1;
			}
			continue;
		}
		json_object_set(out, key, v);
	}
	if (!placed) {
		json_object_set(out, conv_key, conv);
		if (images && img_key)
			json_object_set(out, img_key, images);
	}
	return out;
}

json_t *conv_to_messages(const json_t *rec, enum conv_format from, const char **kind,
			 struct sbuf *err)
{
	static const char *const msg_keys[] = { "messages", "images", NULL };
	static const char *const sg_keys[] = { "conversations", "images", "image", NULL };
	static const char *const alpaca_keys[] = { "instruction", "input", "output", "system",
						   "history", "images", NULL };
	static const char *const cauldron_keys[] = { "texts", "images", NULL };
	const char *const *owned;
	json_t *images = json_array(), *messages = NULL, *out = NULL;
	const json_t *conv;

	if (from == CONV_AUTO)
		from = conv_detect(rec);
	switch (from) {
	case CONV_MESSAGES:
		conv = json_object_get(rec, "messages");
		if (!json_is_array(conv)) {
			fail(kind, err, conv ? CONV_BAD_FIELD : CONV_MISSING_FIELD, "\"messages\" must be a list");
			goto out;
		}
		if (images_from(json_object_get(rec, "images"), images, "images", kind, err) < 0)
			goto out;
		messages = messages_from_messages(conv, images, kind, err);
		owned = msg_keys;
		break;
	case CONV_SHAREGPT:
	case CONV_LLAVA:
		conv = json_object_get(rec, "conversations");
		if (!json_is_array(conv)) {
			fail(kind, err, conv ? CONV_BAD_FIELD : CONV_MISSING_FIELD, "\"conversations\" must be a list");
			goto out;
		}
		if (images_from(json_object_get(rec, "image"), images, "image", kind, err) < 0 ||
		    images_from(json_object_get(rec, "images"), images, "images", kind, err) < 0)
			goto out;
		messages = messages_from_sharegpt(conv, kind, err);
		owned = sg_keys;
		break;
	case CONV_ALPACA:
		if (images_from(json_object_get(rec, "images"), images, "images", kind, err) < 0)
			goto out;
		messages = messages_from_alpaca(rec, kind, err);
		owned = alpaca_keys;
		break;
	case CONV_CAULDRON:
		conv = json_object_get(rec, "texts");
		if (!json_is_array(conv)) {
			fail(kind, err, conv ? CONV_BAD_FIELD : CONV_MISSING_FIELD, "\"texts\" must be a list");
			goto out;
		}
		if (images_from(json_object_get(rec, "images"), images, "images", kind, err) < 0)
			goto out;
		messages = messages_from_cauldron(conv, kind, err);
		owned = cauldron_keys;
		break;
	default:
		fail(kind, err, CONV_CANNOT_CONVERT,
		     "not a conversation record (no \"messages\", \"conversations\" or \"instruction\"/\"output\")");
		goto out;
	}
	if (!messages)
		goto out;
	if (fix_placeholders(messages, images, kind, err) < 0)
		goto out;
	out = rebuild(rec, owned, "messages", messages, "images",
		      json_array_size(images) ? images : NULL);
out:
	json_decref(messages);
	json_decref(images);
	return out;
}

/* ---- from messages ----------------------------------------------------- */

static json_t *to_sharegpt_turns(const json_t *messages)
{
	json_t *out = json_array(), *m;
	size_t i;

	json_array_foreach(messages, i, m) {
		json_t *t = json_object();
		json_object_set_new(t, "from", json_string(role_to_sharegpt(
			json_string_value(json_object_get(m, "role")))));
		json_object_set(t, "value", json_object_get(m, "content"));
		json_array_append_new(out, t);
	}
	return out;
}

static json_t *to_alpaca(const json_t *rec, const json_t *messages, const json_t *images,
			 const char **kind, struct sbuf *err)
{
	static const char *const owned[] = { "messages", "images", NULL };
	size_t n = json_array_size(messages), i = 0;
	json_t *sys = NULL, *hist = json_array(), *out, *v;
	const char *key;

	if (n && !strcmp(json_string_value(json_object_get(json_array_get(messages, 0), "role")), "system"))
		sys = json_object_get(json_array_get(messages, i++), "content");
	if ((n - i) < 2 || (n - i) % 2) {
		json_decref(hist);
		return fail(kind, err, CONV_CANNOT_CONVERT,
			    "alpaca needs alternating user/assistant turns ending with an answer");
	}
	for (size_t k = i; k < n; k++) {
		const char *want = (k - i) % 2 ? "assistant" : "user";
		if (strcmp(json_string_value(json_object_get(json_array_get(messages, k), "role")), want)) {
			json_decref(hist);
			return fail(kind, err, CONV_CANNOT_CONVERT,
				    "alpaca needs alternating user/assistant turns (turn %zu is not %s)", k, want);
		}
	}
	for (; i + 2 < n; i += 2)
		json_array_append_new(hist, json_pack("[OO]", json_object_get(json_array_get(messages, i), "content"),
						      json_object_get(json_array_get(messages, i + 1), "content")));
	out = json_object();
	int placed = 0;
	json_object_foreach((json_t *)rec, key, v) {
		if (is_key(key, owned)) {
			if (placed++)
				continue;
			if (sys)
				json_object_set(out, "system", sys);
			json_object_set(out, "instruction", json_object_get(json_array_get(messages, n - 2), "content"));
			json_object_set_new(out, "input", json_string(""));
			json_object_set(out, "output", json_object_get(json_array_get(messages, n - 1), "content"));
			if (json_array_size(hist))
				json_object_set(out, "history", hist);
			if (images)
				json_object_set(out, "images", (json_t *)images);
			continue;
		}
		json_object_set(out, key, v);
	}
	json_decref(hist);
	return out;
}

json_t *conv_from_messages(const json_t *rec, enum conv_format to, const char **kind,
			   struct sbuf *err)
{
	static const char *const owned[] = { "messages", "images", NULL };
	const json_t *messages = json_object_get(rec, "messages");
	json_t *images = json_object_get(rec, "images"), *turns, *out, *img;

	if (json_array_size(images) == 0)
		images = NULL;
	switch (to) {
	case CONV_MESSAGES:
	case CONV_JSONL:
		return json_incref((json_t *)rec);
	case CONV_SHAREGPT:
		turns = to_sharegpt_turns(messages);
		out = rebuild(rec, owned, "conversations", turns, "images", images);
		json_decref(turns);
		return out;
	case CONV_LLAVA:
		turns = to_sharegpt_turns(messages);
		img = images && json_array_size(images) == 1 ? json_array_get(images, 0) : images;
		out = rebuild(rec, owned, "conversations", turns, "image", img);
		json_decref(turns);
		return out;
	case CONV_ALPACA:
		return to_alpaca(rec, messages, images, kind, err);
	default:
		return fail(kind, err, CONV_CANNOT_CONVERT, "unknown target format");
	}
}

size_t conv_content_chars(const json_t *content)
{
	const json_t *part;
	size_t n = 0, i;

	if (json_is_string(content))
		return utf8_char_count(json_string_value(content), json_string_length(content));
	json_array_foreach(content, i, part) {
		const json_t *text = json_object_get(part, "text");
		if (json_is_string(text))
			n += utf8_char_count(json_string_value(text), json_string_length(text));
	}
	return n;
}
