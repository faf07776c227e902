/*
 * prm_score.c — PRM requests and P("+") from their answers (see
 * prm_score.h). No I/O: prm_score_run sends what is built here.
 */
#include "prm/prm_score.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

void prm_score_opts_init(struct prm_score_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->backend = PRM_BACKEND_CHAT;
	o->top_logprobs = PRM_TOP_LOGPROBS_DEFAULT;
	o->plus_col = 0;
	o->minus_col = 1;
}

static json_t *message(const char *role, const char *content)
{
	return json_pack("{s:s, s:s}", "role", role, "content", content);
}

json_t *prm_score_messages(const struct prm_score_opts *o, const char *question,
			   const struct step_list *steps, size_t t)
{
	json_t *msgs = json_array();
	struct sbuf first = SBUF_INIT;

	json_array_append_new(msgs, message("system", o->conv.system_prompt ? o->conv.system_prompt :
							       conv_prm_system_prompt));
	conv_prm_first_turn(&first, question, steps->steps[0], &o->conv);
	json_array_append_new(msgs, message("user", first.buf));
	for (size_t i = 1; i <= t && i < steps->nr; i++) {
		/* VisualPRM's history: the model's earlier turns are all "+" */
		json_array_append_new(msgs, message("assistant", o->plus ? o->plus : "+"));
		json_array_append_new(msgs, message("user", steps->steps[i]));
	}
	sbuf_release(&first);
	return msgs;
}

int prm_score_pooling_input(const struct prm_score_opts *o, struct sbuf *out, const char *question,
			    const struct step_list *steps, struct sbuf *err)
{
	const char *tag = o->conv.tag ? o->conv.tag : CONV_PRM_TAG;
	size_t bad;

	if (conv_prm_tagged(out, question, (const char *const *)steps->steps, steps->nr, tag, NULL, &bad) == 0)
		return 0;
	if (bad == steps->nr)
		sbuf_addf(err, "the question contains the step tag '%s'", tag);
	else
		sbuf_addf(err, "step %zu contains the step tag '%s'", bad, tag);
	return -1;
}

/* `tok` without surrounding white space equals `want`. */
static int token_is(const char *tok, const char *want)
{
	size_t n = strlen(tok), w = strlen(want);

	while (n && isspace((unsigned char)*tok)) {
		tok++;
		n--;
	}
	while (n && isspace((unsigned char)tok[n - 1]))
		n--;
	return n == w && !memcmp(tok, want, w);
}

struct label_mass {
	double plus, minus;
	const struct prm_score_opts *o;
};

static void add_candidate(struct label_mass *m, const char *tok, double logprob)
{
	const char *plus = m->o->plus ? m->o->plus : "+", *minus = m->o->minus ? m->o->minus : "-";

	if (!tok || !isfinite(logprob))
		return;
	if (token_is(tok, plus))
		m->plus += exp(logprob);
	else if (token_is(tok, minus) || (!m->o->minus && token_is(tok, "\xe2\x88\x92")))
		m->minus += exp(logprob);
}

int prm_score_from_logprobs(const json_t *resp, const struct prm_score_opts *o, double *p,
			    struct sbuf *err)
{
	const json_t *lp = json_object_get(json_array_get(json_object_get(resp, "choices"), 0), "logprobs");
	const json_t *content = json_object_get(lp, "content"), *top, *v;
	struct label_mass m = { 0, 0, o };
	const char *key;
	size_t i;

	if (json_is_array(content) && json_array_size(content)) {
		const json_t *first = json_array_get(content, 0);

		top = json_object_get(first, "top_logprobs");
		if (json_is_array(top) && json_array_size(top)) {
			json_array_foreach(top, i, v)
				add_candidate(&m, json_string_value(json_object_get(v, "token")),
					      json_number_value(json_object_get(v, "logprob")));
		} else {
			add_candidate(&m, json_string_value(json_object_get(first, "token")),
				      json_number_value(json_object_get(first, "logprob")));
		}
	} else if (json_is_object(top = json_array_get(json_object_get(lp, "top_logprobs"), 0))) {
		json_object_foreach((json_t *)top, key, v)
			add_candidate(&m, key, json_number_value(v));
	} else {
		sbuf_addstr(err, "the answer holds no logprobs (does the server support \"logprobs\" and "
			    "\"top_logprobs\"?)");
		return -1;
	}
	if (m.plus + m.minus <= 0)
		return 0;
	*p = m.plus / (m.plus + m.minus);
	return 1;
}

static double row_plus(const json_t *row, const struct prm_score_opts *o)
{
	double a, b;

	if (json_is_number(row))
		return json_number_value(row);
	if (!json_is_array(row) || !json_is_number(json_array_get(row, (size_t)o->plus_col)))
		return NAN;
	a = json_number_value(json_array_get(row, (size_t)o->plus_col));
	if (o->minus_col < 0 || !json_is_number(json_array_get(row, (size_t)o->minus_col)))
		return a;
	b = json_number_value(json_array_get(row, (size_t)o->minus_col));
	return a + b > 0 ? a / (a + b) : NAN;
}

int prm_score_from_pooling(const json_t *resp, const struct prm_score_opts *o, size_t n, double *p,
			   struct sbuf *err)
{
	const json_t *rows = json_object_get(json_array_get(json_object_get(resp, "data"), 0), "data");

	if (!json_is_array(rows)) {
		sbuf_addstr(err, "the /pooling answer has no data[0].data list (is the model served with a "
			    "STEP pooler?)");
		return -1;
	}
	if (json_array_size(rows) != n) {
		sbuf_addf(err, "the /pooling answer has %zu step rows for %zu steps", json_array_size(rows), n);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		p[i] = row_plus(json_array_get(rows, i), o);
	return 0;
}

const char *prm_backend_name(enum prm_backend b)
{
	return b == PRM_BACKEND_POOLING ? "pooling" : "chat";
}

int prm_backend_parse(const char *s, enum prm_backend *out)
{
	if (!strcmp(s, "chat"))
		*out = PRM_BACKEND_CHAT;
	else if (!strcmp(s, "pooling"))
		*out = PRM_BACKEND_POOLING;
	else
		return -1;
	return 0;
}
