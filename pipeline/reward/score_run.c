/*
 * score_run.c — requests, answers and output records of smelt-score (see
 * score_run.h).
 *
 * Each record is a job whose state holds one score slot per unit; each
 * slot has one request, so it is written by one callback; only the first
 * failure needs the lock. Requests are submitted without holding it, since
 * a cached answer calls back on the submitting thread.
 */
#include "reward/score_run.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "json/json_path.h"
#include "json/json_write.h"
#include "llm/llm_request.h"
#include "io/provenance.h"

struct score_state {
	size_t n;
	double *v;
	pthread_mutex_t mu;
	struct llm_failure fail;
};

struct score_req {
	struct llm_job *job;
	struct score_config *c;
	size_t unit;
};

void score_prepare(struct score_config *c)
{
	json_t *params = json_pack("{s:s, s:s, s:s}", "backend", score_backend_name(c->backend),
				   "name", c->name, "target", score_target_name(c->target));

	c->score_path = xasprintf("scores.%s", c->name);
	c->turns_path = xasprintf("scores.%s_turns", c->name);
	if (c->target == SCORE_TURNS)
		json_object_set_new(params, "aggregate", json_string(score_agg_name(c->agg)));
	if (c->backend == SCORE_POOLING)
		json_object_set_new(params, "index", json_integer(c->index));
	if (c->backend == SCORE_CLASSIFY) {
		json_object_set_new(params, "label", json_integer(c->label));
		json_object_set_new(params, "raw", json_boolean(c->raw));
	}
	if (c->backend == SCORE_FIELD)
		json_object_set_new(params, "field", json_string(c->field));
	if (c->llm.params.extra)
		json_object_set(params, "extra", c->llm.params.extra);
	c->provenance = provenance_entry(c->llm.stage_name, c->backend == SCORE_FIELD ? NULL : c->llm.params.model,
					 c->llm.prompt ? prompt_file_hash(c->llm.prompt) : NULL, params);
}

void score_release(struct score_config *c)
{
	free(c->score_path);
	free(c->turns_path);
	json_decref(c->provenance);
	c->score_path = c->turns_path = NULL;
	c->provenance = NULL;
}

static void state_fail(struct score_state *s, const char *kind, const char *msg, const char *raw)
{
	pthread_mutex_lock(&s->mu);
	llm_failure_set(&s->fail, kind, msg, raw);
	pthread_mutex_unlock(&s->mu);
}

/* ---- answers ------------------------------------------------------------- */

static int read_judge(struct score_config *c, struct score_state *s, size_t unit, const json_t *resp)
{
	const json_t *content = json_object_get(json_object_get(
		json_array_get(json_object_get(resp, "choices"), 0), "message"), "content");
	struct sbuf err = SBUF_INIT;
	json_t *v = NULL;

	int r = 0;

	if (!json_is_string(content)) {
		state_fail(s, "parse_error", "the judge's reply has no text", NULL);
		return -1;
	}
	v = reply_parser_apply(c->llm.parser, json_string_value(content), json_string_length(content), &err);
	if (!v || score_from_value(v, &s->v[unit], &err) < 0) {
		state_fail(s, "parse_error", err.buf, json_string_value(content));
		r = -1;
	}
	json_decref(v);
	sbuf_release(&err);
	return r;
}

static void on_answer(void *data, const struct llm_result *res)
{
	struct score_req *q = data;
	struct score_config *c = q->c;
	struct llm_job *job = q->job;
	struct score_state *s = job->state;
	struct sbuf err = SBUF_INIT;
	int r = 0;

	switch (res->status) {
	case LLM_OK:
		if (c->backend == SCORE_JUDGE) {
			r = read_judge(c, s, q->unit, res->response);
			break;
		}
		if (c->backend == SCORE_POOLING)
			r = score_from_pooling(res->response, c->index, &s->v[q->unit], &err);
		else
			r = score_from_classify(res->response, c->label, &s->v[q->unit], &err);
		if (r < 0)
			state_fail(s, SCORE_BAD_RESPONSE, err.buf, NULL);
		break;
	default:
		state_fail(s, llm_status_reject_kind(res->status), res->message, NULL);
		break;
	}
	if (res->status != LLM_OK || r < 0)
		__atomic_fetch_add(&c->failed_units, 1, __ATOMIC_RELAXED);
	sbuf_release(&err);
	free(q);
	llm_job_done(job);
}

/* ---- requests ------------------------------------------------------------ */

/* {"model", "messages", "activation": false (raw classify), ...extra}. */
static char *reward_body(const struct score_config *c, const json_t *messages, size_t *len)
{
	json_t *b = json_object();
	struct sbuf sb = SBUF_INIT;

	if (c->llm.params.model)
		json_object_set_new(b, "model", json_string(c->llm.params.model));
	json_object_set(b, "messages", (json_t *)messages);
	if (c->backend == SCORE_CLASSIFY && c->raw)
		json_object_set_new(b, "activation", json_false());
	if (c->llm.params.extra)
		json_object_update(b, c->llm.params.extra);
	json_write(&sb, b);
	json_decref(b);
	return sbuf_detach(&sb, len);
}

/* The view a judge prompt renders: the record plus "judge": {conversation, question, answer, turn}. */
static json_t *judge_view(const json_t *rec, const json_t *messages, size_t end, size_t turn)
{
	json_t *view = json_copy((json_t *)rec), *j = json_object();
	const json_t *last = json_array_get(messages, end);
	char *text = score_transcript(messages, end);

	json_object_set_new(j, "conversation", json_string(text));
	free(text);
	for (size_t i = end + 1; i-- > 0;) {
		const json_t *m = json_array_get(messages, i);
		const char *role = json_string_value(json_object_get(m, "role"));
		if (role && !strcmp(role, "user") && json_is_string(json_object_get(m, "content"))) {
			json_object_set(j, "question", json_object_get(m, "content"));
			break;
		}
	}
	if (json_is_string(json_object_get(last, "content")))
		json_object_set(j, "answer", json_object_get(last, "content"));
	json_object_set_new(j, "turn", json_integer((json_int_t)turn));
	json_object_set_new(view, "judge", j);
	return view;
}

/* The judge's messages for one unit, images of the prefix as parts. NULL: rejected. */
static json_t *judge_messages(struct score_config *c, struct record *rec, const json_t *messages,
			      const json_t *images, size_t end, size_t turn)
{
	json_t *view = judge_view(rec->json, messages, end, turn), *rendered, *some = NULL;
	struct sbuf err = SBUF_INIT;
	const char *kind = NULL;
	size_t k;

	rendered = prompt_file_render(c->llm.prompt, view, &err);
	json_decref(view);
	if (!rendered) {
		record_reject(rec, "template_error", "%s", err.buf);
		sbuf_release(&err);
		return NULL;
	}
	/* the images this prefix shows: all of them when no placeholder places them */
	k = score_prefix_images(messages, json_array_size(messages) - 1) ? score_prefix_images(messages, end) :
									   json_array_size(images);
	if (k) {
		some = json_array();
		for (size_t i = 0; i < k && i < json_array_size(images); i++)
			json_array_append(some, json_array_get(images, i));
	}
	if (llm_messages_add_images(rendered, some, &c->llm.images, &kind, &err) < 0) {
		record_reject(rec, kind, "%s", err.buf);
		json_decref(rendered);
		rendered = NULL;
	}
	json_decref(some);
	sbuf_release(&err);
	return rendered;
}

static void submit(struct score_config *c, struct llm_job *job, size_t unit, char *body, size_t len)
{
	struct score_req *q = xcalloc(1, sizeof(*q));
	struct llm_call call = { .body = body, .len = len, .max_tokens = c->llm.params.max_tokens,
				 .done = on_answer, .data = q };

	if (c->backend != SCORE_JUDGE) {
		call.route = c->backend == SCORE_POOLING ? "/pooling" : "/classify";
		call.accept = llm_accept_data;
		call.max_tokens = 0; /* a reward model generates nothing */
	}
	q->job = job;
	q->c = c;
	q->unit = unit;
	llm_job_hold(job);
	llm_engine_submit(c->llm.engine, &call);
}

/*
 * Worker thread: every body is built before anything is submitted, so a
 * record is either rejected whole or fully in flight.
 */
static int score_start(struct llm_job *job, struct record *rec, void *ctx)
{
	struct score_config *c = ctx;
	json_t *messages = NULL, *images = NULL, *parts = NULL;
	struct sbuf err = SBUF_INIT;
	const char *kind = NULL;
	size_t *ends = NULL, n = 0;
	char **bodies = NULL;
	size_t *lens = NULL;
	struct score_state *s;
	int r = STAGE_REJECT;

	if (score_conversation(rec->json, &messages, &images, &kind, &err) < 0) {
		record_reject(rec, kind, "%s", err.buf);
		goto out;
	}
	if (!(n = score_unit_ends(messages, c->target, &ends))) {
		record_reject(rec, SCORE_NO_ANSWER, "the conversation has no assistant turn to score");
		goto out;
	}
	if (c->backend != SCORE_JUDGE) {
		parts = json_deep_copy(messages);
		if (llm_messages_add_images(parts, images, &c->llm.images, &kind, &err) < 0) {
			record_reject(rec, kind, "%s", err.buf);
			goto out;
		}
	}
	bodies = xcalloc(n, sizeof(*bodies));
	lens = xcalloc(n, sizeof(*lens));
	for (size_t i = 0; i < n; i++) {
		json_t *m = c->backend == SCORE_JUDGE ? judge_messages(c, rec, messages, images, ends[i], i) :
							score_prefix(parts, ends[i]);
		struct sbuf b = SBUF_INIT;
		if (!m)
			goto out;
		if (c->backend == SCORE_JUDGE) {
			llm_request_body(&b, &c->llm.params, m, 1, c->llm.params.has_seed, c->llm.params.seed);
			bodies[i] = sbuf_detach(&b, &lens[i]);
		} else {
			bodies[i] = reward_body(c, m, &lens[i]);
		}
		json_decref(m);
	}
	s = xcalloc(1, sizeof(*s));
	s->n = n;
	s->v = xcalloc(n, sizeof(*s->v));
	pthread_mutex_init(&s->mu, NULL);
	job->state = s;
	__atomic_fetch_add(&c->units, n, __ATOMIC_RELAXED);
	for (size_t i = 0; i < n; i++) {
		submit(c, job, i, bodies[i], lens[i]);
		bodies[i] = NULL;
	}
	r = STAGE_KEEP;
out:
	for (size_t i = 0; bodies && i < n; i++)
		free(bodies[i]);
	free(bodies);
	free(lens);
	free(ends);
	json_decref(parts);
	json_decref(messages);
	json_decref(images);
	sbuf_release(&err);
	return r;
}

static void score_release_job(struct llm_job *job, void *ctx)
{
	struct score_state *s = job->state;

	(void)ctx;
	if (!s)
		return;
	free(s->v);
	llm_failure_release(&s->fail);
	pthread_mutex_destroy(&s->mu);
	free(s);
	job->state = NULL;
}

/* Put the score (and per-turn scores) and the provenance entry in rec. */
static int set_scores(const struct score_config *c, json_t *rec, const double *v, size_t n,
		      struct sbuf *why)
{
	if (jpath_set(rec, c->score_path, json_real(score_aggregate(v, n, c->agg))) < 0) {
		sbuf_addf(why, "cannot set '%s' in this record", c->score_path);
		return -1;
	}
	if (c->target == SCORE_TURNS || n > 1) {
		json_t *list = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(list, json_real(v[i]));
		if (jpath_set(rec, c->turns_path, list) < 0) {
			sbuf_addf(why, "cannot set '%s' in this record", c->turns_path);
			return -1;
		}
	}
	if (provenance_append(rec, c->provenance) < 0) {
		sbuf_addstr(why, "\"provenance\" is not a list");
		return -1;
	}
	return 0;
}

static int score_emit(struct stage *st, struct llm_job *job, void *ctx)
{
	struct score_config *c = ctx;
	struct score_state *s = job->state;
	struct sbuf why = SBUF_INIT;
	int r = 0;

	if (s->fail.kind) {
		llm_failure_reject(st, &job->loc, job->rec, &s->fail, NULL);
	} else if (set_scores(c, job->rec, s->v, s->n, &why) < 0) {
		stage_reject(st, &job->loc, job->rec, NULL, 0, "bad_field_type", "%s", why.buf);
	} else {
		r = stage_emit_json(st, job->rec) < 0 ? -1 : 0;
	}
	sbuf_release(&why);
	return r;
}

const struct llm_loop_ops score_ops = {
	.start = score_start,
	.emit = score_emit,
	.release = score_release_job,
};

/* ---- the field backend --------------------------------------------------- */

static int field_map(struct record *rec, void *ctx)
{
	struct score_config *c = ctx;
	const json_t *v = jpath_get(rec->json, c->field), *x;
	struct sbuf err = SBUF_INIT;
	double *scores = NULL;
	size_t n = json_is_array(v) ? json_array_size(v) : 1, i;
	int r = STAGE_KEEP;

	if (!v || json_is_null(v) || (json_is_array(v) && !n))
		return record_reject(rec, SCORE_MISSING_FIELD, "no score at '%s'", c->field);
	scores = xcalloc(n, sizeof(*scores));
	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			if (score_from_value(x, &scores[i], &err) < 0)
				break;
	} else {
		score_from_value(v, &scores[0], &err);
	}
	if (err.len)
		r = record_reject(rec, "bad_field_type", "'%s': %s", c->field, err.buf);
	else if (set_scores(c, rec->json, scores, n, &err) < 0)
		r = record_reject(rec, "bad_field_type", "%s", err.buf);
	else
		__atomic_fetch_add(&c->units, n, __ATOMIC_RELAXED);
	free(scores);
	sbuf_release(&err);
	return r;
}

int score_run_field(struct stage *st, struct score_config *c)
{
	const struct stage_ops ops = { .map = field_map };

	return stage_run(st, &ops, c);
}

void score_figures(const struct score_config *c, struct stage *st)
{
	json_object_set_new(st->figures, "score",
			    json_pack("{s:s, s:s, s:s, s:I, s:I}", "backend", score_backend_name(c->backend),
				      "name", c->name, "target", score_target_name(c->target),
				      "units", (json_int_t)c->units, "failed_units", (json_int_t)c->failed_units));
}
