/*
 * sim_reward.c — scoring (formula in sim_reward.h) and the vLLM response
 * shapes of /pooling and /classify. For /classify the score is the logit
 * margin: logits [-s/2, s/2], so P(class 1) = sigmoid(s).
 */
#include "sim/sim_reward.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hash.h"
#include "core/sbuf.h"
#include "sim/sim_request.h"
#include "sim/sim_rng.h"
#include "sim/sim_text.h"

#define LONG_ANSWER_TOKENS 40

double sim_reward_score(const char *question, const char *answer, long placeholders_off_by,
			size_t images, uint64_t key)
{
	double s = 1.0, overlap;
	size_t nq;
	int empty = 1;

	for (const char *p = answer; *p; p++)
		if (!strchr(" \t\r\n\f\v", *p))
			empty = 0;
	if (sim_text_tokens(answer, strlen(answer)) >= LONG_ANSWER_TOKENS)
		s += 0.5;
	if (images)
		s -= 1.0;
	if (empty) {
		s -= 4.0;
	} else {
		overlap = sim_text_overlap(question, answer, &nq);
		if (nq >= 3 && overlap < 0.2)
			s -= 2.5;
		if (sim_text_looks_truncated(answer))
			s -= 1.5;
	}
	if (placeholders_off_by)
		s -= 3.0;
	return s + 0.5 * (sim_unit2(key, 0x726577) - 0.5);
}

struct scored {
	double score;
	long tokens;
};

static uint64_t json_key(json_t *j, uint64_t seed)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	uint64_t h;

	if (!s)
		die("cannot serialise a request body");
	h = hash64(s, strlen(s), seed);
	free(s);
	return h;
}

static void score_messages(json_t *root, const struct sim_messages *m, uint64_t seed,
			   struct scored *out)
{
	struct sbuf question = SBUF_INIT;
	const char *answer = m->v[m->n - 1].text;
	size_t placeholders = 0;

	for (size_t i = 0; i < m->n; i++) {
		placeholders += sim_text_count(m->v[i].text, "<image>");
		if (!strcmp(m->v[i].role, "user")) {
			sbuf_addstr(&question, m->v[i].text);
			sbuf_addch(&question, '\n');
		}
	}
	for (size_t i = m->n; i-- > 0;)
		if (!strcmp(m->v[i].role, "assistant")) {
			answer = m->v[i].text;
			break;
		}
	/* Clients that send images as parts (smelt, the OpenAI API) leave no
	 * placeholder in the text: only text that has placeholders can
	 * disagree with its images. */
	long off_by = placeholders ? (long)placeholders - (long)m->images : 0;
	out->score = sim_reward_score(question.buf, answer, off_by,
				      m->images, json_key(json_object_get(root, "messages"), seed));
	out->tokens = sim_messages_tokens(m);
	sbuf_release(&question);
}

/*
 * Score every conversation of the request: one for `messages`, one per
 * string of `input`. Returns the count (scores in *out, new array), or -1
 * with a 400 in a.
 */
static long score_request(json_t *root, const struct sim_config *cfg, struct scored **out,
			  struct sim_answer *a)
{
	json_t *input = json_object_get(root, "input"), *v;
	struct sim_messages m;
	size_t i, n;

	if (json_object_get(root, "messages")) {
		if (sim_messages_parse(root, cfg, &m, a))
			return -1;
		*out = xcalloc(1, sizeof(**out));
		score_messages(root, &m, cfg->seed, *out);
		sim_messages_release(&m);
		return 1;
	}
	if (json_is_string(input)) {
		v = json_array();
		json_array_append(v, input);
		input = v;
	} else if (json_is_array(input) && json_array_size(input)) {
		json_incref(input);
	} else {
		sim_answer_error(a, 400, "invalid_request_error", "input", NULL,
				 "the body needs 'messages' or 'input' (a string or a list of strings)");
		return -1;
	}
	n = json_array_size(input);
	*out = xcalloc(n, sizeof(**out));
	json_array_foreach(input, i, v) {
		const char *text = json_string_value(v);

		if (!text) {
			sim_answer_error(a, 400, "invalid_request_error", "input", NULL,
					 "input[%zu] must be a string", i);
			free(*out);
			json_decref(input);
			return -1;
		}
		(*out)[i].score = sim_reward_score("", text, 0, 0, json_key(v, cfg->seed));
		(*out)[i].tokens = (long)sim_text_tokens(text, strlen(text));
	}
	json_decref(input);
	return (long)n;
}

/* The list envelope both routes share; takes data (stolen). */
static void answer_list(struct sim_answer *a, const char *id_prefix, json_t *root,
			const struct sim_config *cfg, json_t *data, long tokens)
{
	char *canonical = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	char id[HASH128_HEX_LEN + 1];

	hash128_hex(hash128(canonical, strlen(canonical)), id);
	free(canonical);
	sim_answer_json(a, 200, json_pack("{s:s+, s:s, s:I, s:s, s:o, s:{s:I, s:I, s:i}}",
		"id", id_prefix, id, "object", "list", "created", (json_int_t)time(NULL),
		"model", cfg->model, "data", data, "usage", "prompt_tokens", (json_int_t)tokens,
		"total_tokens", (json_int_t)tokens, "completion_tokens", 0));
	a->prompt_tokens = tokens;
}

void sim_reward_pooling(json_t *root, const struct sim_config *cfg, struct sim_answer *a)
{
	struct scored *sc;
	long n = score_request(root, cfg, &sc, a), tokens = 0;
	json_t *data;

	if (n < 0)
		return;
	data = json_array();
	for (long i = 0; i < n; i++) {
		json_t *v = json_real(sc[i].score);

		if (!cfg->pooling_scalar)
			v = json_pack("[o]", v);
		json_array_append_new(data, json_pack("{s:I, s:s, s:o}", "index", (json_int_t)i,
						      "object", "pooling", "data", v));
		tokens += sc[i].tokens;
	}
	free(sc);
	answer_list(a, "pool-", root, cfg, data, tokens);
}

static int flag_off(json_t *root, const char *key)
{
	return json_is_false(json_object_get(root, key));
}

void sim_reward_classify(json_t *root, const struct sim_config *cfg, struct sim_answer *a)
{
	struct scored *sc;
	long n = score_request(root, cfg, &sc, a), tokens = 0;
	int raw = flag_off(root, "activation") || flag_off(root, "softmax");
	json_t *data;

	if (n < 0)
		return;
	data = json_array();
	for (long i = 0; i < n; i++) {
		double s = sc[i].score, p1 = 1.0 / (1.0 + exp(-s));
		json_t *probs = raw ? json_pack("[f, f]", -s / 2, s / 2)
				    : json_pack("[f, f]", 1.0 - p1, p1);

		json_array_append_new(data, json_pack("{s:I, s:s, s:o, s:i}", "index", (json_int_t)i,
			"label", s >= 0 ? "LABEL_1" : "LABEL_0", "probs", probs, "num_classes", 2));
		tokens += sc[i].tokens;
	}
	free(sc);
	answer_list(a, "classify-", root, cfg, data, tokens);
}
