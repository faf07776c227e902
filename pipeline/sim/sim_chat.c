/*
 * sim_chat.c — validating a chat request's generation fields, producing
 * each choice through sim_behave, then cutting it the way a server's
 * sampler would stop: at the earliest stop string, or at max_tokens
 * (whichever comes first in the text), with the matching finish_reason.
 */
#include "sim/sim_chat.h"

#include <limits.h>
#include <string.h>
#include <time.h>

#include "core/hash.h"
#include "sim/sim_behave.h"
#include "sim/sim_prm.h"
#include "sim/sim_request.h"
#include "sim/sim_text.h"

#define MAX_N 128
#define MAX_STOPS 16

struct chat_params {
	long n;
	int64_t seed;
	long max_tokens;	/* 0 = unlimited */
	const char *stops[MAX_STOPS];
	size_t nstops;
	int continuation;
};

static int bad_param(struct sim_answer *a, const char *param, const char *why)
{
	sim_answer_error(a, 400, "invalid_request_error", param, NULL, "'%s' %s", param, why);
	return -1;
}

/* An optional integer field in [min, max]; absent or null leaves *out. */
static int get_int(json_t *root, const char *key, long min, long max, long *out,
		   struct sim_answer *a)
{
	json_t *v = json_object_get(root, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		sim_answer_error(a, 400, "invalid_request_error", key, NULL,
				 "'%s' must be an integer from %ld to %ld", key, min, max);
		return -1;
	}
	*out = (long)json_integer_value(v);
	return 0;
}

static int get_bool(json_t *root, const char *key, int dflt, int *out, struct sim_answer *a)
{
	json_t *v = json_object_get(root, key);

	*out = dflt;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return bad_param(a, key, "must be a boolean");
	*out = json_is_true(v);
	return 0;
}

static int get_number(json_t *root, const char *key, double min, double max, struct sim_answer *a)
{
	json_t *v = json_object_get(root, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_number(v) || json_number_value(v) < min || json_number_value(v) > max)
		return bad_param(a, key, "is out of range");
	return 0;
}

static int get_stops(json_t *root, struct chat_params *p, struct sim_answer *a)
{
	json_t *v = json_object_get(root, "stop"), *s;
	size_t i;

	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		if (*json_string_value(v))
			p->stops[p->nstops++] = json_string_value(v);
		return 0;
	}
	if (!json_is_array(v) || json_array_size(v) > MAX_STOPS)
		return bad_param(a, "stop", "must be a string or a list of at most 16 strings");
	json_array_foreach(v, i, s) {
		if (!json_is_string(s))
			return bad_param(a, "stop", "must be a string or a list of strings");
		if (*json_string_value(s))
			p->stops[p->nstops++] = json_string_value(s);
	}
	return 0;
}

static int parse_params(json_t *root, const struct sim_messages *msgs,
			struct chat_params *p, struct sim_answer *a)
{
	long seed = 0;
	int add_gen, stream;

	memset(p, 0, sizeof(*p));
	p->n = 1;
	if (get_int(root, "n", 1, MAX_N, &p->n, a) ||
	    get_int(root, "seed", LONG_MIN, LONG_MAX, &seed, a) ||
	    get_int(root, "max_completion_tokens", 1, LONG_MAX, &p->max_tokens, a) ||
	    get_int(root, "max_tokens", 1, LONG_MAX, &p->max_tokens, a) ||
	    get_number(root, "temperature", 0, 100, a) ||
	    get_number(root, "top_p", 0, 1, a) ||
	    get_stops(root, p, a) ||
	    get_bool(root, "stream", 0, &stream, a) ||
	    get_bool(root, "continue_final_message", 0, &p->continuation, a) ||
	    get_bool(root, "add_generation_prompt", 1, &add_gen, a))
		return -1;
	p->seed = seed;
	if (stream)
		return bad_param(a, "stream", "is not supported by smelt-sim");
	if (p->continuation && add_gen)
		return bad_param(a, "continue_final_message",
				 "cannot be true together with add_generation_prompt (set it to false)");
	if (p->continuation && strcmp(msgs->v[msgs->n - 1].role, "assistant"))
		return bad_param(a, "continue_final_message",
				 "needs the last message to be an assistant message");
	return 0;
}

/* Cut the reply at the earliest stop string or the token budget. */
static const char *finish(struct sbuf *reply, const struct chat_params *p)
{
	const char *reason = "stop";
	size_t cut = reply->len, keep;

	for (size_t i = 0; i < p->nstops; i++) {
		const char *hit = strstr(reply->buf, p->stops[i]);

		if (hit && (size_t)(hit - reply->buf) < cut)
			cut = (size_t)(hit - reply->buf);
	}
	sbuf_setlen(reply, cut);
	if (p->max_tokens) {
		keep = sim_text_token_prefix(reply->buf, reply->len, (size_t)p->max_tokens);
		if (keep < reply->len) {
			sbuf_setlen(reply, keep);
			reason = "length";
		}
	}
	return reason;
}

void sim_chat_answer(json_t *root, const char *canonical, size_t canonical_len,
		     const struct sim_config *cfg, struct sim_answer *a)
{
	static const char *const not_content[] = {
		"n", "seed", "max_tokens", "max_completion_tokens", "stop", NULL
	};
	struct sim_messages msgs;
	struct chat_params p;
	struct sim_prompt prompt;
	struct sbuf reply = SBUF_INIT;
	char id[HASH128_HEX_LEN + 1];
	json_t *choices, *choice, *body, *logprobs;
	long completion = 0, longest = 0, prompt_tokens;
	double p_plus;
	int prm;

	if (sim_messages_parse(root, cfg, &msgs, a))
		return;
	if (parse_params(root, &msgs, &p, a))
		goto out;
	prompt.msgs = &msgs;
	prompt.continuation = p.continuation;
	prompt.content = sim_request_hash_without(root, not_content, cfg->seed);
	prompt.cfg = cfg;
	prm = sim_prm_chat_match(&msgs, cfg, prompt.content, &p_plus);
	choices = json_array();
	for (long i = 0; i < p.n; i++) {
		const char *reason;
		long tokens;

		sbuf_reset(&reply);
		logprobs = json_null();
		if (prm)
			logprobs = sim_prm_choice(p_plus, json_is_true(json_object_get(root, "logprobs")), &reply);
		else
			sim_behave_reply(&prompt, p.seed + i, &reply);
		reason = finish(&reply, &p);
		tokens = (long)sim_text_tokens(reply.buf, reply.len);
		completion += tokens;
		if (tokens > longest)
			longest = tokens;
		choice = json_pack("{s:I, s:{s:s, s:s%}, s:s, s:o}",
			"index", (json_int_t)i, "message", "role", "assistant",
			"content", reply.buf, reply.len, "finish_reason", reason, "logprobs", logprobs);
		if (!choice) {
			json_decref(choices);
			sim_answer_error(a, 500, "server_error", NULL, NULL,
					 "smelt-sim produced a reply that is not valid UTF-8");
			goto out;
		}
		json_array_append_new(choices, choice);
	}
	prompt_tokens = sim_messages_tokens(&msgs);
	hash128_hex(hash128(canonical, canonical_len), id);
	body = json_pack("{s:s+, s:s, s:I, s:s, s:o, s:{s:I, s:I, s:I}}",
			 "id", "chatcmpl-", id, "object", "chat.completion",
			 "created", (json_int_t)time(NULL), "model", cfg->model,
			 "choices", choices, "usage", "prompt_tokens", (json_int_t)prompt_tokens,
			 "completion_tokens", (json_int_t)completion,
			 "total_tokens", (json_int_t)(prompt_tokens + completion));
	sim_answer_json(a, 200, body);
	a->completion = 1;
	a->key = hash128(canonical, canonical_len);
	a->generations = p.n;
	a->prompt_tokens = prompt_tokens;
	a->completion_tokens = completion;
	a->delay = cfg->per_token_ms * (double)longest / 1000.0;
out:
	sbuf_release(&reply);
	sim_messages_release(&msgs);
}
