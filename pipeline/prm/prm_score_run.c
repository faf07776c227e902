/*
 * prm_score_run.c — records, requests and answers of smelt-prm-score (see
 * prm_score_run.h).
 *
 * Each record is a job whose state holds one score slot per step. A chat
 * request fills one slot, a pooling request all of them, so each slot is
 * written by one callback; only the first failure needs the lock. Bodies
 * are all built before anything is submitted, so a record is either
 * rejected whole or fully in flight, and submitted without a lock, since
 * a cached answer calls back on the submitting thread.
 */
#include "prm/prm_score_run.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "io/provenance.h"
#include "json/json_path.h"
#include "json/json_write.h"
#include "llm/llm_request.h"
#include "prm/prm_check.h"

struct ps_state {
	size_t n;
	double *p; /* NAN: no score */
	pthread_mutex_t mu;
	struct llm_failure fail;
};

struct ps_req {
	struct llm_job *job;
	struct prm_score_run *r;
	size_t step;
};

static void figure_add(uint64_t *c, uint64_t n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

void prm_score_run_prepare(struct prm_score_run *r)
{
	json_t *params = llm_params_json(&r->llm.params);

	r->extra = json_object();
	r->req_params = r->llm.params;
	if (r->opts.backend == PRM_BACKEND_CHAT) {
		/* one token and its candidates: the label's probability is all we read */
		json_object_set_new(r->extra, "logprobs", json_true());
		json_object_set_new(r->extra, "top_logprobs", json_integer(r->opts.top_logprobs));
		r->req_params.max_tokens = 1;
		if (isnan(r->req_params.temperature))
			r->req_params.temperature = 0;
	}
	if (r->llm.params.extra)
		json_object_update(r->extra, r->llm.params.extra); /* the user's --extra wins */
	r->req_params.extra = json_object_size(r->extra) ? r->extra : NULL;

	json_object_set_new(params, "backend", json_string(prm_backend_name(r->opts.backend)));
	if (r->opts.backend == PRM_BACKEND_CHAT) {
		json_object_set_new(params, "top_logprobs", json_integer(r->opts.top_logprobs));
		json_object_set_new(params, "system_prompt_default", json_boolean(!r->opts.conv.system_prompt));
	} else {
		json_object_set_new(params, "tag", json_string(r->opts.conv.tag ? r->opts.conv.tag : CONV_PRM_TAG));
		json_object_set_new(params, "plus_col", json_integer(r->opts.plus_col));
		json_object_set_new(params, "minus_col", json_integer(r->opts.minus_col));
	}
	json_object_set_new(params, "max_steps", json_integer((json_int_t)r->max_steps));
	json_object_set_new(params, "merge", json_string(step_merge_name(r->merge)));
	r->provenance = provenance_entry(r->llm.stage_name, r->llm.params.model, NULL, params);
}

void prm_score_run_release(struct prm_score_run *r)
{
	json_decref(r->provenance);
	json_decref(r->extra);
	r->provenance = r->extra = NULL;
}

/* ---- reading a record ---------------------------------------------------- */

#define BAD_FIELD "bad_field_type"
#define MISSING_FIELD "missing_field"

/* The steps of `rec` into `out`. Returns 0, or -1 with *kind and a message. */
static int read_steps(const struct prm_score_run *r, const json_t *rec, struct step_list *out,
		      const char **kind, struct sbuf *err)
{
	const json_t *v = r->steps ? jpath_get(rec, r->steps) : json_object_get(rec, "steps");
	const char *where = r->steps ? r->steps : "steps";

	if (!v && !r->steps) {
		v = jpath_get(rec, "response.steps");
		where = "response.steps";
	}
	if (!v && !r->steps && json_is_string(json_object_get(rec, "response"))) {
		if (step_split(out, json_string_value(json_object_get(rec, "response")), r->max_steps, r->merge) < 0)
			abort(); /* only NULL arguments fail */
		return 0;
	}
	if (!v)
		return prm_fail(kind, MISSING_FIELD, err, r->steps ? "record has no '%s'" :
				"record has none of '%s', 'response.steps' and 'response'", where);
	if (!json_is_array(v) || step_list_from_json(out, v) < 0)
		return prm_fail(kind, BAD_FIELD, err, "'%s' must be a list of strings", where);
	if (!out->nr)
		return prm_fail(kind, "no_steps", err, "'%s' is empty", where);
	return 0;
}

/* "images", else "image" (a string or a list), as a list (new reference) or NULL. */
static json_t *read_images(const json_t *rec)
{
	const json_t *img = json_object_get(rec, "images");

	if (!img)
		img = json_object_get(rec, "image");
	if (json_is_string(img))
		return json_pack("[O]", img);
	return img && !json_is_null(img) ? json_incref((json_t *)img) : NULL;
}

/* ---- requests and answers ------------------------------------------------ */

static void state_fail(struct ps_state *s, const char *kind, const char *msg)
{
	pthread_mutex_lock(&s->mu);
	llm_failure_set(&s->fail, kind, msg, NULL);
	pthread_mutex_unlock(&s->mu);
}

static void on_answer(void *data, const struct llm_result *res)
{
	struct ps_req *q = data;
	struct prm_score_run *r = q->r;
	struct ps_state *s = q->job->state;
	struct sbuf err = SBUF_INIT;

	if (res->status != LLM_OK) {
		state_fail(s, llm_status_reject_kind(res->status), res->message);
	} else if (r->opts.backend == PRM_BACKEND_POOLING) {
		if (prm_score_from_pooling(res->response, &r->opts, s->n, s->p, &err) < 0)
			state_fail(s, "bad_answer", err.buf);
	} else {
		double p;
		int got = prm_score_from_logprobs(res->response, &r->opts, &p, &err);

		if (got < 0)
			state_fail(s, "bad_answer", err.buf);
		else
			s->p[q->step] = got ? p : NAN;
	}
	sbuf_release(&err);
	llm_job_done(q->job);
	free(q);
}

static void submit(struct prm_score_run *r, struct llm_job *job, size_t step, char *body, size_t len)
{
	struct ps_req *q = xcalloc(1, sizeof(*q));
	struct llm_call call = { .body = body, .len = len, .max_tokens = 1, .done = on_answer, .data = q };

	if (r->opts.backend == PRM_BACKEND_POOLING) {
		call.route = "/pooling";
		call.accept = llm_accept_data;
		call.max_tokens = 0; /* a pooling model generates nothing */
	}
	q->job = job;
	q->r = r;
	q->step = step;
	figure_add(&r->requests, 1);
	llm_job_hold(job);
	llm_engine_submit(r->llm.engine, &call);
}

/* The chat bodies, one per step, into bodies[0..n). Returns 0, or -1 (rejected). */
static int chat_bodies(struct prm_score_run *r, struct record *rec, const char *question,
		       const struct step_list *steps, char **bodies, size_t *lens)
{
	json_t *all = prm_score_messages(&r->opts, question, steps, steps->nr - 1);
	json_t *images = read_images(rec->json);
	struct sbuf err = SBUF_INIT;
	const char *kind = NULL;
	int ret = -1;

	if (llm_messages_add_images(all, images, &r->llm.images, &kind, &err) < 0) {
		record_reject(rec, kind, "%s", err.buf);
		goto out;
	}
	for (size_t t = 0; t < steps->nr; t++) {
		/* step t's conversation is the first 2 + 2t messages of the last step's */
		json_t *m = json_array();
		struct sbuf b = SBUF_INIT;

		for (size_t i = 0; i < 2 + 2 * t; i++)
			json_array_append(m, json_array_get(all, i));
		llm_request_body(&b, &r->req_params, m, 1, r->req_params.has_seed, r->req_params.seed);
		json_decref(m);
		bodies[t] = sbuf_detach(&b, &lens[t]);
	}
	ret = 0;
out:
	json_decref(all);
	json_decref(images);
	sbuf_release(&err);
	return ret;
}

static int pooling_body(struct prm_score_run *r, struct record *rec, const char *question,
			const struct step_list *steps, char **body, size_t *len)
{
	struct sbuf in = SBUF_INIT, err = SBUF_INIT, b = SBUF_INIT;
	json_t *req;

	if (prm_score_pooling_input(&r->opts, &in, question, steps, &err) < 0) {
		record_reject(rec, "cannot_convert", "%s", err.buf);
		sbuf_release(&in);
		sbuf_release(&err);
		return -1;
	}
	req = json_object();
	if (r->req_params.model)
		json_object_set_new(req, "model", json_string(r->req_params.model));
	json_object_set_new(req, "input", json_stringn(in.buf, in.len));
	if (r->req_params.extra)
		json_object_update(req, r->req_params.extra);
	json_write(&b, req);
	json_decref(req);
	*body = sbuf_detach(&b, len);
	sbuf_release(&in);
	sbuf_release(&err);
	return 0;
}

static int ps_start(struct llm_job *job, struct record *rec, void *ctx)
{
	struct prm_score_run *r = ctx;
	struct step_list steps = STEP_LIST_INIT;
	struct sbuf err = SBUF_INIT;
	const char *kind = NULL, *question = jpath_get_string(job->rec, r->question);
	size_t nreq = 0, *lens = NULL;
	char **bodies = NULL;
	struct ps_state *s;
	int ret = STAGE_REJECT;

	if (!question) {
		record_reject(rec, jpath_get(job->rec, r->question) ? BAD_FIELD : MISSING_FIELD,
			      "'%s' must be a string", r->question);
		goto out;
	}
	if (read_steps(r, job->rec, &steps, &kind, &err) < 0) {
		record_reject(rec, kind, "%s", err.buf);
		goto out;
	}
	nreq = r->opts.backend == PRM_BACKEND_CHAT ? steps.nr : 1;
	bodies = xcalloc(nreq, sizeof(*bodies));
	lens = xcalloc(nreq, sizeof(*lens));
	if (r->opts.backend == PRM_BACKEND_CHAT ? chat_bodies(r, rec, question, &steps, bodies, lens) :
						    pooling_body(r, rec, question, &steps, bodies, lens))
		goto out;
	s = xcalloc(1, sizeof(*s));
	s->n = steps.nr;
	s->p = xcalloc(steps.nr, sizeof(*s->p));
	for (size_t i = 0; i < steps.nr; i++)
		s->p[i] = NAN;
	pthread_mutex_init(&s->mu, NULL);
	job->state = s;
	for (size_t i = 0; i < nreq; i++) {
		submit(r, job, i, bodies[i], lens[i]);
		bodies[i] = NULL;
	}
	ret = STAGE_KEEP;
out:
	for (size_t i = 0; bodies && i < nreq; i++)
		free(bodies[i]);
	free(bodies);
	free(lens);
	step_list_release(&steps);
	sbuf_release(&err);
	return ret;
}

static void ps_release(struct llm_job *job, void *ctx)
{
	struct ps_state *s = job->state;

	(void)ctx;
	if (!s)
		return;
	free(s->p);
	llm_failure_release(&s->fail);
	pthread_mutex_destroy(&s->mu);
	free(s);
	job->state = NULL;
}

static int ps_emit(struct stage *st, struct llm_job *job, void *ctx)
{
	struct prm_score_run *r = ctx;
	struct ps_state *s = job->state;
	json_t *list;
	uint64_t none = 0;

	if (s->fail.kind) {
		llm_failure_reject(st, &job->loc, job->rec, &s->fail, NULL);
		return 0;
	}
	list = json_array();
	for (size_t i = 0; i < s->n; i++) {
		none += isnan(s->p[i]);
		json_array_append_new(list, isnan(s->p[i]) ? json_null() : json_real(s->p[i]));
	}
	if (jpath_set(job->rec, r->into, list) < 0) {
		stage_reject(st, &job->loc, job->rec, NULL, 0, BAD_FIELD, "cannot set '%s' in this record", r->into);
		return 0;
	}
	if (provenance_append(job->rec, r->provenance) < 0) {
		stage_reject(st, &job->loc, job->rec, NULL, 0, BAD_FIELD, "\"provenance\" is not a list");
		return 0;
	}
	figure_add(&r->solutions, 1);
	figure_add(&r->steps_scored, s->n - none);
	figure_add(&r->unscored, none);
	return stage_emit_json(st, job->rec) < 0 ? -1 : 0;
}

const struct llm_loop_ops prm_score_run_ops = {
	.start = ps_start,
	.emit = ps_emit,
	.release = ps_release,
};

void prm_score_run_figures(struct prm_score_run *r, struct stage *st)
{
	json_object_set_new(st->figures, "prm_score",
			    json_pack("{s:s, s:I, s:I, s:I, s:I}", "backend", prm_backend_name(r->opts.backend),
				      "solutions", (json_int_t)r->solutions, "steps", (json_int_t)r->steps_scored,
				      "unscored_steps", (json_int_t)r->unscored,
				      "requests", (json_int_t)r->requests));
}
