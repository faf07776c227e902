/*
 * llm_gen.c — requests, replies and output records of smelt-gen.
 *
 * Each record is a job (llm_loop.h) whose state holds its rendered
 * messages (kept for re-sampling), one parsed value per sample and the
 * first failure. Each sample has at most one request in flight, so its
 * slot is written by one callback at a time; only the failure needs the
 * lock. Requests are submitted without holding it, since a cached answer
 * calls back on the submitting thread.
 */
#include "gen/llm_gen.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "json/json_path.h"
#include "llm/llm_request.h"
#include "io/provenance.h"

struct gen_state {
	json_t *messages;
	long k;
	json_t **value;
	pthread_mutex_t mu;
	struct llm_failure fail;
};

struct gen_req {
	struct llm_job *job;
	struct llm_gen *g;
	long sample;  /* -1: the n=K request for all samples */
	long attempt;
};

void llm_gen_prepare(struct llm_gen *g)
{
	json_t *params = llm_params_json(&g->llm.params);

	json_object_set_new(params, "samples", json_integer(g->samples));
	json_object_set_new(params, "parse", json_string(reply_parser_mode(g->llm.parser)));
	json_object_set_new(params, "into", json_string(g->into));
	if (g->explode)
		json_object_set_new(params, "explode", json_true());
	g->provenance = provenance_entry(g->llm.stage_name, g->llm.params.model, prompt_file_hash(g->llm.prompt), params);
}

void llm_gen_release(struct llm_gen *g)
{
	json_decref(g->provenance);
	g->provenance = NULL;
}

static void count(uint64_t *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static void gen_fail(struct gen_state *s, const char *kind, const char *msg, const char *raw)
{
	pthread_mutex_lock(&s->mu);
	llm_failure_set(&s->fail, kind, msg, raw);
	pthread_mutex_unlock(&s->mu);
}

static void on_reply(void *data, const struct llm_result *res);

/* Submit sample `sample` (-1: all K with n=K) at re-sample `attempt`. */
static void submit(struct llm_gen *g, struct llm_job *job, long sample, long attempt)
{
	struct gen_state *s = job->state;
	struct gen_req *q = xcalloc(1, sizeof(*q));
	struct sbuf body = SBUF_INIT;
	struct llm_call call = { 0 }; /* unset fields: the defaults (chat completions) */
	long long seed = g->llm.params.has_seed ? g->llm.params.seed : 0;
	int has_seed = g->llm.params.has_seed;
	unsigned idx = 0;

	q->job = job;
	q->g = g;
	q->sample = sample;
	q->attempt = attempt;
	if (sample >= 0 && (s->k > 1 || attempt > 0)) {
		/* distinct samples need distinct seeds, even without --seed */
		seed += sample + attempt * s->k;
		has_seed = 1;
		idx = (unsigned)(sample + attempt * s->k);
	}
	llm_request_body(&body, &g->llm.params, s->messages, sample < 0 ? s->k : 1, has_seed, seed);
	call.len = body.len;
	call.body = sbuf_detach(&body, NULL);
	call.sample = idx;
	call.max_tokens = g->llm.params.max_tokens;
	call.done = on_reply;
	call.data = q;
	llm_job_hold(job);
	llm_engine_submit(g->llm.engine, &call);
}

static void submit_each(struct llm_gen *g, struct llm_job *job, long from)
{
	struct gen_state *s = job->state;

	for (long i = from; i < s->k; i++)
		submit(g, job, i, 0);
}

static void take_sample(struct llm_gen *g, struct llm_job *job, long i, long attempt, const json_t *choice)
{
	struct gen_state *s = job->state;
	const json_t *content = json_object_get(json_object_get(choice, "message"), "content");
	struct sbuf err = SBUF_INIT;
	json_t *v = NULL;

	if (json_is_string(content))
		v = reply_parser_apply(g->llm.parser, json_string_value(content), json_string_length(content), &err);
	else
		sbuf_addstr(&err, "the reply has no text content");
	if (v) {
		json_decref(s->value[i]);
		s->value[i] = v;
	} else if (attempt < g->reparse) {
		count(&g->reparses);
		submit(g, job, i, attempt + 1);
	} else {
		count(&g->parse_errors);
		gen_fail(s, "parse_error", err.buf, json_string_value(content));
	}
	sbuf_release(&err);
}

static void on_reply(void *data, const struct llm_result *res)
{
	struct gen_req *q = data;
	struct llm_gen *g = q->g;
	struct llm_job *job = q->job;
	struct gen_state *s = job->state;
	const json_t *choices;
	size_t got;

	switch (res->status) {
	case LLM_OK:
		choices = json_object_get(res->response, "choices");
		got = json_array_size(choices);
		if (q->sample >= 0) {
			take_sample(g, job, q->sample, q->attempt, json_array_get(choices, 0));
			break;
		}
		for (long i = 0; i < s->k && (size_t)i < got; i++)
			take_sample(g, job, i, 0, json_array_get(choices, (size_t)i));
		if ((long)got < s->k) {
			struct sbuf m = SBUF_INIT;
			if (llm_sampling_short(&g->sampling, s->k, (long)got, &m))
				submit_each(g, job, (long)got);
			else
				gen_fail(s, LLM_SAMPLING_TOO_FEW, m.buf, NULL);
			sbuf_release(&m);
		}
		break;
	case LLM_REJECTED:
		if (q->sample < 0 && llm_sampling_refused(&g->sampling, s->k)) {
			submit_each(g, job, 0);
			break;
		}
		/* fall through */
	default:
		gen_fail(s, llm_status_reject_kind(res->status), res->message, NULL);
		break;
	}
	free(q);
	llm_job_done(job);
}

static int gen_start(struct llm_job *job, struct record *rec, void *ctx)
{
	struct llm_gen *g = ctx;
	struct gen_state *s;
	struct sbuf err = SBUF_INIT;
	const char *kind = NULL;
	json_t *messages = prompt_file_render(g->llm.prompt, rec->json, &err);

	if (!messages) {
		record_reject(rec, "template_error", "%s", err.buf);
		sbuf_release(&err);
		return STAGE_REJECT;
	}
	if (llm_messages_add_images(messages, json_object_get(rec->json, "images"), &g->llm.images,
				    &kind, &err) < 0) {
		record_reject(rec, kind, "%s", err.buf);
		sbuf_release(&err);
		json_decref(messages);
		return STAGE_REJECT;
	}
	sbuf_release(&err);
	s = xcalloc(1, sizeof(*s));
	s->messages = messages;
	s->k = g->samples;
	s->value = xcalloc((size_t)s->k, sizeof(*s->value));
	pthread_mutex_init(&s->mu, NULL);
	job->state = s;
	if (llm_sampling_use_n(&g->sampling, s->k))
		submit(g, job, -1, 0);
	else
		submit_each(g, job, 0);
	return STAGE_KEEP;
}

static void gen_release(struct llm_job *job, void *ctx)
{
	struct gen_state *s = job->state;

	if (!s)
		return;
	for (long i = 0; i < s->k; i++)
		json_decref(s->value[i]);
	free(s->value);
	json_decref(s->messages);
	llm_failure_release(&s->fail);
	pthread_mutex_destroy(&s->mu);
	free(s);
	job->state = NULL;
}

static int emit_one(struct stage *st, struct llm_gen *g, struct llm_job *job, json_t *rec, json_t *value)
{
	if (jpath_set(rec, g->into, value) < 0) {
		stage_reject(st, &job->loc, job->rec, NULL, 0, "bad_field_type",
			     "cannot set '%s' in this record", g->into);
		return 0;
	}
	if (provenance_append(rec, g->provenance) < 0) {
		stage_reject(st, &job->loc, job->rec, NULL, 0, "bad_field_type",
			     "\"provenance\" is not a list");
		return 0;
	}
	return stage_emit_json(st, rec) < 0 ? -1 : 0;
}

static int gen_emit(struct stage *st, struct llm_job *job, void *ctx)
{
	struct llm_gen *g = ctx;
	struct gen_state *s = job->state;
	json_t *items, *v;
	const char *id;
	size_t i, k = 0;
	int r = 0;

	if (s->fail.kind) {
		llm_failure_reject(st, &job->loc, job->rec, &s->fail, NULL);
		return 0;
	}
	if (!g->explode) {
		if (s->k == 1) {
			v = json_incref(s->value[0]);
		} else {
			v = json_array();
			for (long j = 0; j < s->k; j++)
				json_array_append(v, s->value[j]);
		}
		return emit_one(st, g, job, job->rec, v);
	}
	items = json_array();
	for (long j = 0; j < s->k; j++) {
		if (json_is_array(s->value[j]))
			json_array_extend(items, s->value[j]);
		else
			json_array_append(items, s->value[j]);
	}
	id = json_string_value(json_object_get(job->rec, "id"));
	json_array_foreach(items, i, v) {
		json_t *child = json_deep_copy(job->rec);
		if (id)
			json_object_set_new(child, "id", json_sprintf("%s-%zu", id, k));
		k++;
		r = emit_one(st, g, job, child, json_incref(v));
		json_decref(child);
		if (r < 0)
			break;
	}
	__atomic_fetch_add(&g->exploded, k, __ATOMIC_RELAXED);
	json_decref(items);
	return r;
}

const struct llm_loop_ops llm_gen_ops = {
	.start = gen_start,
	.emit = gen_emit,
	.release = gen_release,
};

void llm_gen_figures(struct llm_gen *g, struct stage *st)
{
	json_t *o = json_pack("{s:I, s:I, s:I}", "reparses", (json_int_t)g->reparses,
			      "parse_errors", (json_int_t)g->parse_errors,
			      "n_fallbacks", (json_int_t)g->sampling.fallbacks);
	if (g->explode)
		json_object_set_new(o, "exploded_records", json_integer((json_int_t)g->exploded));
	json_object_set_new(st->figures, "gen", o);
}
