/*
 * sim_prm.c — the stand-in process reward model (see sim_prm.h): find
 * the steps in a VisualPRM-shaped chat or a step-tagged pooling input,
 * check them with the arithmetic solver's rules, and answer P("+") with
 * seeded noise.
 */
#include "sim/sim_prm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hash.h"
#include "core/util.h"
#include "sim/sim_arith.h"
#include "sim/sim_rng.h"
#include "sim/sim_text.h"

#define SOLUTION_MARK "### Solution Process:\n"
#define STEP_TAG "\xd0\xba\xd0\xb8" /* "ки" */
#define MARGIN 1.5

/* Roughly normal noise of standard deviation sd: the centred sum of four uniforms, scaled. */
static double noise(uint64_t key, double sd)
{
	struct sim_rng rng;
	double u = 0;

	sim_rng_init(&rng, key, 0x7072);
	for (int i = 0; i < 4; i++)
		u += sim_rng_unit(&rng);
	return (u - 2.0) * sqrt(3.0) * sd;
}

/* P("+") of step `last` of `steps` (all right up to it, or unknown without a problem). */
static double plus_probability(const char *question, const char *const *steps, size_t last,
			       const struct sim_config *cfg, uint64_t key)
{
	struct sim_problem prob;
	double logit = noise(key, cfg->prm_noise);

	if (sim_arith_find(question, &prob))
		logit += sim_arith_first_wrong(&prob, steps, last + 1) > last ? MARGIN : -MARGIN;
	return 1.0 / (1.0 + exp(-logit));
}

int sim_prm_chat_match(const struct sim_messages *msgs, const struct sim_config *cfg, uint64_t key,
		       double *p_plus)
{
	const struct sim_message *first = NULL;
	const char **steps, *mark;
	char *question;
	size_t n = 0, i = 0;

	for (; i < msgs->n; i++)
		if (!strcmp(msgs->v[i].role, "user")) {
			first = &msgs->v[i];
			break;
		}
	if (!first || !(mark = strstr(first->text, SOLUTION_MARK)) || strcmp(msgs->v[msgs->n - 1].role, "user"))
		return 0;
	steps = xcalloc(msgs->n, sizeof(*steps));
	steps[n++] = mark + strlen(SOLUTION_MARK);
	for (i++; i < msgs->n; i++)
		if (!strcmp(msgs->v[i].role, "user"))
			steps[n++] = msgs->v[i].text;
	question = xstrndup(first->text, (size_t)(mark - first->text));
	*p_plus = plus_probability(question, steps, n - 1, cfg, key);
	free(question);
	free(steps);
	return 1;
}

static json_t *candidate(const char *token, double logprob)
{
	return json_pack("{s:s, s:f, s:[i]}", "token", token, "logprob", logprob, "bytes", token[0]);
}

json_t *sim_prm_choice(double p_plus, int want_logprobs, struct sbuf *reply)
{
	const char *best = p_plus >= 0.5 ? "+" : "-", *other = p_plus >= 0.5 ? "-" : "+";
	/* keep both finite: a server never reports log 0 */
	double pb = fmax(fmin(p_plus >= 0.5 ? p_plus : 1 - p_plus, 1 - 1e-12), 1e-12);

	sbuf_addstr(reply, best);
	if (!want_logprobs)
		return json_null();
	return json_pack("{s:[{s:s, s:f, s:[i], s:[o, o]}]}", "content", "token", best, "logprob", log(pb),
			 "bytes", best[0], "top_logprobs", candidate(best, log(pb)), candidate(other, log(1 - pb)));
}

int sim_prm_pooling(json_t *root, const struct sim_config *cfg, struct sim_answer *a)
{
	const char *input = json_string_value(json_object_get(root, "input"));
	const char **steps;
	char *copy, *p, *tag, *canonical;
	char id[HASH128_HEX_LEN + 1];
	size_t n = 0, cap = 8;
	uint64_t key;
	json_t *rows;

	if (!input || !strstr(input, STEP_TAG))
		return 0;
	key = hash64(input, strlen(input), cfg->seed);
	copy = xstrdup(input);
	steps = xcalloc(cap, sizeof(*steps));
	for (p = copy; (tag = strstr(p, STEP_TAG)); p = tag + strlen(STEP_TAG)) {
		*tag = '\0';
		if (n == cap)
			steps = xrealloc(steps, (cap *= 2) * sizeof(*steps));
		steps[n++] = p + (*p == '\n'); /* the text since the last tag */
	}
	rows = json_array();
	for (size_t i = 0; i < n; i++) {
		/* the first piece holds the question too; steps are found by their "Step" line */
		double pp = plus_probability(input, steps, i, cfg, sim_mix2(key, i));

		json_array_append_new(rows, json_pack("[f, f]", pp, 1 - pp));
	}
	canonical = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	hash128_hex(hash128(canonical, strlen(canonical)), id);
	free(canonical);
	sim_answer_json(a, 200, json_pack("{s:s+, s:s, s:I, s:s, s:[{s:i, s:s, s:o}], s:{s:I, s:I, s:i}}",
		"id", "pool-", id, "object", "list", "created", (json_int_t)time(NULL), "model", cfg->model,
		"data", "index", 0, "object", "pooling", "data", rows,
		"usage", "prompt_tokens", (json_int_t)sim_text_tokens(input, strlen(input)),
		"total_tokens", (json_int_t)sim_text_tokens(input, strlen(input)), "completion_tokens", 0));
	a->prompt_tokens = (long)sim_text_tokens(input, strlen(input));
	free(steps);
	free(copy);
	return 1;
}
