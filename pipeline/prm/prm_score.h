/*
 * prm_score.h — the pure half of asking a process reward model for step
 * scores: the requests it is sent and P("+") read from its answers.
 *
 * Two backends:
 *
 *   chat     VisualPRM's formulation, through /chat/completions. The
 *            conversation is VisualPRM400K's (conv_prm.h): its system
 *            prompt; the first user turn holds the question and step 0
 *            ("### Question:\n…\n\n### Solution Process:\n<step 0>"),
 *            every later user turn one step, and the model's own earlier
 *            turns are "+". Step t is asked with the conversation up to
 *            its user turn and a one-token completion (max_tokens 1,
 *            temperature 0, logprobs with top_logprobs): P("+") is
 *            p(+) / (p(+) + p(-)) over the first token's top_logprobs,
 *            every candidate whose text trims to the label counting (so
 *            " +" too; "−", U+2212, counts as "-"). One request per step,
 *            as VisualPRM scores.
 *   pooling  vLLM's step-reward pooling (POST /pooling, a model served
 *            with a STEP pooler, e.g. Math-Shepherd's): one request whose
 *            input is Math-Shepherd's "<question> <step 0> ки\n<step 1>
 *            ки…"; the answer's data[0].data holds one row per step tag,
 *            [p(+), p(-)] (columns configurable) or a single P("+").
 *
 * A step whose answer holds neither label token has no score (null).
 */
#ifndef SMELT_PRM_SCORE_H
#define SMELT_PRM_SCORE_H

#include <jansson.h>

#include "core/sbuf.h"
#include "core/util.h"
#include "prm/conv_prm.h"
#include "prm/step_split.h"

enum prm_backend { PRM_BACKEND_CHAT = 0, PRM_BACKEND_POOLING };

#define PRM_TOP_LOGPROBS_DEFAULT 20

struct prm_score_opts {
	enum prm_backend backend;
	struct conv_prm_opts conv; /* system prompt, first turn, suffixes, step tag */
	const char *plus, *minus;  /* label tokens; NULL: "+", "-" */
	long top_logprobs;         /* chat: candidates asked for (default 20) */
	long plus_col, minus_col;  /* pooling: columns of a row (default 0, 1; minus -1: none) */
};

void prm_score_opts_init(struct prm_score_opts *o);

/*
 * The chat messages that ask for step t's label (new reference): system,
 * user (question + step 0), then assistant "+", user step i, up to t.
 */
json_t *prm_score_messages(const struct prm_score_opts *o, const char *question,
			   const struct step_list *steps, size_t t);

/*
 * The pooling backend's input for all steps, appended to `out`. Returns
 * 0, or -1 with a message in err when the question or a step holds the
 * step tag.
 */
int prm_score_pooling_input(const struct prm_score_opts *o, struct sbuf *out, const char *question,
			    const struct step_list *steps, struct sbuf *err) MUST_CHECK;

/*
 * P("+") from a chat completion `resp`: the first choice's first token's
 * top_logprobs (OpenAI's chat form, {content: [{token, logprob,
 * top_logprobs: [{token, logprob}]}]}, or the completions form
 * {top_logprobs: [{token: logprob}]}). Returns 1 with *p set, 0 when
 * neither label is among the candidates, -1 with a message in err when
 * the answer holds no logprobs at all.
 */
int prm_score_from_logprobs(const json_t *resp, const struct prm_score_opts *o, double *p,
			    struct sbuf *err) MUST_CHECK;

/*
 * P("+") of each of `n` steps from a /pooling answer into p[0..n). A row
 * whose values do not give one is NAN. Returns 0, or -1 with a message
 * in err when the answer does not hold n rows.
 */
int prm_score_from_pooling(const json_t *resp, const struct prm_score_opts *o, size_t n, double *p,
			   struct sbuf *err) MUST_CHECK;

/* "chat" / "pooling" <-> enum; parse returns 0, or -1 for an unknown name. */
const char *prm_backend_name(enum prm_backend b);
int prm_backend_parse(const char *s, enum prm_backend *out) MUST_CHECK;

#endif
