/*
 * prm_judge.c — judge requests for the replies the rules leave undecided
 * (see prm_judge.h). Each undecided reply is one request; its callback
 * writes only its own item, so only the first failure needs the lock.
 */
#include "prm/prm_judge.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "llm/llm_request.h"
#include "io/provenance.h"

struct judge_state {
	struct prm_check_result res;
	pthread_mutex_t mu;
	struct llm_failure fail;
};

struct judge_req {
	struct llm_job *job;
	struct prm_judge *j;
	size_t item;
};

int prm_judge_parsed_verdict(const json_t *parsed)
{
	if (json_is_object(parsed))
		parsed = json_object_get(parsed, "verdict");
	return json_is_string(parsed) ? prm_judge_verdict(json_string_value(parsed)) : -1;
}

static void judge_fail(struct judge_state *s, const char *kind, const char *msg, const char *raw)
{
	pthread_mutex_lock(&s->mu);
	llm_failure_set(&s->fail, kind, msg, raw);
	pthread_mutex_unlock(&s->mu);
}

static void on_verdict(void *data, const struct llm_result *res)
{
	struct judge_req *q = data;
	struct judge_state *s = q->job->state;
	const json_t *content;
	struct sbuf err = SBUF_INIT;
	json_t *parsed;
	int v;

	switch (res->status) {
	case LLM_OK:
		content = json_object_get(json_object_get(json_array_get(json_object_get(res->response, "choices"), 0),
							  "message"), "content");
		if (!json_is_string(content)) {
			judge_fail(s, "judge_unparsed", "the judge's reply has no text", NULL);
			break;
		}
		parsed = reply_parser_apply(q->j->llm.parser, json_string_value(content), json_string_length(content), &err);
		v = prm_judge_parsed_verdict(parsed);
		json_decref(parsed);
		if (v < 0)
			judge_fail(s, "judge_unparsed", err.len ? err.buf : "the judge's reply is neither correct nor incorrect",
				   json_string_value(content));
		else
			s->res.items[q->item].judged = v;
		break;
	default:
		judge_fail(s, llm_status_reject_kind(res->status), res->message, NULL);
		break;
	}
	sbuf_release(&err);
	llm_job_done(q->job);
	free(q);
}

static void judge_release(struct llm_job *job, void *ctx)
{
	struct judge_state *s = job->state;

	if (!s)
		return;
	prm_check_result_release(&s->res);
	pthread_mutex_destroy(&s->mu);
	llm_failure_release(&s->fail);
	free(s);
	job->state = NULL;
}

static int judge_start(struct llm_job *job, struct record *rec, void *ctx)
{
	struct prm_judge *j = ctx;
	struct judge_state *s = xcalloc(1, sizeof(*s));
	struct sbuf err = SBUF_INIT;
	const char *kind = NULL;
	json_t **bodies;

	pthread_mutex_init(&s->mu, NULL);
	job->state = s;
	if (prm_check_run(j->check, job->rec, &s->res, &kind, &err) < 0) {
		record_reject(rec, kind, "%s", err.buf);
		goto reject;
	}
	/* render every request before submitting any, so a bad template rejects cleanly */
	bodies = xcalloc(s->res.nr ? s->res.nr : 1, sizeof(*bodies));
	for (size_t i = 0; i < s->res.nr; i++) {
		const struct prm_check_item *it = &s->res.items[i];
		json_t *ctxrec, *msgs;

		if (!prm_check_undecided(it))
			continue;
		ctxrec = json_pack("{s:s?, s:s, s:s, s:s}", "question", s->res.question, "gold", s->res.gold,
				   "pred", it->reply, "extracted", it->extracted ? it->extracted : "");
		msgs = prompt_file_render(j->llm.prompt, ctxrec, &err);
		json_decref(ctxrec);
		if (!msgs) {
			for (size_t k = 0; k < i; k++)
				json_decref(bodies[k]);
			free(bodies);
			record_reject(rec, "template_error", "%s", err.buf);
			goto reject;
		}
		bodies[i] = msgs;
	}
	for (size_t i = 0; i < s->res.nr; i++) {
		struct judge_req *q;
		struct sbuf body = SBUF_INIT;
		struct llm_call call = { 0 }; /* unset fields: the defaults (chat completions) */

		if (!bodies[i])
			continue;
		llm_request_body(&body, &j->llm.params, bodies[i], 1, j->llm.params.has_seed, j->llm.params.seed);
		json_decref(bodies[i]);
		q = xcalloc(1, sizeof(*q));
		q->job = job;
		q->j = j;
		q->item = i;
		call.len = body.len;
		call.body = sbuf_detach(&body, NULL);
		call.sample = 0;
		call.max_tokens = j->llm.params.max_tokens;
		call.done = on_verdict;
		call.data = q;
		llm_job_hold(job);
		llm_engine_submit(j->llm.engine, &call);
	}
	free(bodies);
	sbuf_release(&err);
	return STAGE_KEEP;
reject:
	sbuf_release(&err);
	return STAGE_REJECT; /* the loop releases the state */
}

static int judge_emit(struct stage *st, struct llm_job *job, void *ctx)
{
	struct prm_judge *j = ctx;
	struct judge_state *s = job->state;

	if (s->fail.kind) {
		llm_failure_reject(st, &job->loc, job->rec, &s->fail, NULL);
		return 0;
	}
	if (prm_check_write(j->check, &s->res, job->rec) < 0) {
		stage_reject(st, &job->loc, job->rec, NULL, 0, "bad_field_type", "cannot set '%s' in this record",
			     j->check->into);
		return 0;
	}
	if (j->check->provenance && provenance_append(job->rec, j->check->provenance) < 0) {
		stage_reject(st, &job->loc, job->rec, NULL, 0, "bad_field_type", "\"provenance\" is not a list");
		return 0;
	}
	prm_check_count(j->check, &s->res);
	return stage_emit_json(st, job->rec) < 0 ? -1 : 0;
}

const struct llm_loop_ops prm_judge_ops = {
	.start = judge_start,
	.emit = judge_emit,
	.release = judge_release,
};
