/*
 * mc_run.c — records, requests and answers of smelt-mc (see mc_run.h).
 *
 * Each record is a job whose state holds the steps, the rendered
 * messages and the solution's mc_plan machine. The machine is touched
 * only under the state's lock; requests are submitted after the lock is
 * dropped, because a cached answer calls back on the submitting thread.
 * Every callback feeds its batch, asks the machine what may go out now,
 * and submits that — so a step's next batch leaves as soon as its last
 * one is answered, and a job completes when nothing is left in flight.
 */
#include "prm/mc_run.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "llm/llm_request.h"
#include "prm/prm_check.h"
#include "prm/prm_judge.h"
#include "io/provenance.h"

struct mc_input {
	struct step_list steps;
	char *gold;
	int final_correct;
	struct answer_opts opts; /* borrows the record's question and options */
};

struct mc_state {
	pthread_mutex_t mu;
	struct mc_solution sol;
	struct mc_input in;
	json_t *messages;
	uint64_t requests;
	struct llm_failure fail;
};

struct mc_req {
	struct llm_job *job;
	struct mc_run *r;
	size_t step;
	long first, count;
};

static void figure_add(uint64_t *c, uint64_t n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

int mc_continuation_parse(const char *s)
{
	if (!strcmp(s, "vllm"))
		return MC_CONT_VLLM;
	if (!strcmp(s, "plain"))
		return MC_CONT_PLAIN;
	return -1;
}

void mc_run_prepare(struct mc_run *r)
{
	json_t *params = llm_params_json(&r->llm.params);

	r->extra = json_object();
	if (r->continuation == MC_CONT_VLLM) {
		json_object_set_new(r->extra, "continue_final_message", json_true());
		json_object_set_new(r->extra, "add_generation_prompt", json_false());
	}
	if (r->llm.params.extra)
		json_object_update(r->extra, r->llm.params.extra); /* the user's --extra wins */
	r->req_params = r->llm.params;
	r->req_params.extra = json_object_size(r->extra) ? r->extra : NULL;

	json_object_set_new(params, "mode", json_string(mc_mode_name(r->cfg.mode)));
	json_object_set_new(params, "rollouts", json_integer(r->cfg.rollouts));
	json_object_set_new(params, "threshold", json_real(r->cfg.threshold));
	if (r->cfg.mode == MC_MODE_EXACT_BINARY || r->cfg.mode == MC_MODE_FIRST_ERROR)
		json_object_set_new(params, "first_batch", json_integer(r->cfg.first_batch));
	json_object_set_new(params, "max_steps", json_integer((json_int_t)r->max_steps));
	json_object_set_new(params, "merge", json_string(step_merge_name(r->merge)));
	json_object_set_new(params, "continuation",
			    json_string(r->continuation == MC_CONT_VLLM ? "vllm" : "plain"));
	json_object_set_new(params, "answer_mode", json_string(answer_mode_name(r->check.mode)));
	json_object_set_new(params, "extract", json_string(extract_method_name(r->check.extract)));
	json_object_set_new(params, "rel_tol", json_real(r->check.rel_tol));
	r->provenance = provenance_entry(r->llm.stage_name, r->llm.params.model,
					 r->llm.prompt ? prompt_file_hash(r->llm.prompt) : NULL, params);
}

void mc_run_release(struct mc_run *r)
{
	json_decref(r->provenance);
	json_decref(r->extra);
	r->provenance = r->extra = NULL;
}

/* ---- reading a record ---------------------------------------------------- */

static void mc_input_release(struct mc_input *in)
{
	step_list_release(&in->steps);
	free(in->gold);
	in->gold = NULL;
}

#define BAD_FIELD "bad_field_type"
#define MISSING_FIELD "missing_field"


static int all_strings(const json_t *arr)
{
	size_t i;
	const json_t *v;

	if (!json_is_array(arr))
		return 0;
	json_array_foreach(arr, i, v)
		if (!json_is_string(v))
			return 0;
	return 1;
}

/*
 * Read question, gold answer and steps from `rec` (borrowed; in->opts
 * points into it). Returns 0, or -1 with *kind and a message in err.
 */
static int mc_input_read(const struct mc_run *r, const json_t *rec, struct mc_input *in,
			 const char **kind, struct sbuf *err)
{
	const json_t *q = json_object_get(rec, "question"), *a = json_object_get(rec, "answer");
	const json_t *resp = json_object_get(rec, "response"), *steps = json_object_get(rec, "steps");
	const json_t *mode = json_object_get(rec, "answer_mode"), *options = json_object_get(rec, "options");
	struct answer_verdict v;
	struct sbuf all = SBUF_INIT;

	memset(in, 0, sizeof(*in));
	if (!q)
		return prm_fail(kind, MISSING_FIELD, err, "record has no \"question\"");
	if (!json_is_string(q))
		return prm_fail(kind, BAD_FIELD, err, "\"question\" must be a string");
	if (!a)
		return prm_fail(kind, MISSING_FIELD, err, "record has no gold \"answer\"");
	if (!(in->gold = prm_gold_string(a)))
		return prm_fail(kind, BAD_FIELD, err, "\"answer\" must be a string or a number");
	in->opts = r->check;
	in->opts.question = json_string_value(q);
	if (json_is_array(options))
		in->opts.options_json = options;
	if (mode && (!json_is_string(mode) || answer_mode_parse(json_string_value(mode), &in->opts.mode) < 0)) {
		mc_input_release(in);
		return prm_fail(kind, BAD_FIELD, err, "\"answer_mode\" is not an answer mode name");
	}
	if (json_is_string(resp)) {
		if (step_split(&in->steps, json_string_value(resp), r->max_steps, r->merge) < 0)
			abort(); /* only NULL arguments fail */
	} else if (steps) {
		/* checked here so that a bad list is a reject, not an error message too */
		if (!all_strings(steps) || step_list_from_json(&in->steps, steps) < 0) {
			mc_input_release(in);
			return prm_fail(kind, BAD_FIELD, err, "\"steps\" must be a list of strings");
		}
		if (!in->steps.nr) {
			mc_input_release(in);
			return prm_fail(kind, "no_steps", err, "\"steps\" is empty");
		}
	} else {
		mc_input_release(in);
		return prm_fail(kind, resp ? BAD_FIELD : MISSING_FIELD, err,
				  resp ? "\"response\" must be a string"
				       : "record has neither \"response\" nor \"steps\"");
	}
	step_join(&all, &in->steps, in->steps.nr - 1);
	in->final_correct = !answer_check(all.buf, in->gold, &in->opts, &v, NULL) && v.correct;
	sbuf_release(&all);
	if (v.too_deep) {
		mc_input_release(in);
		return prm_fail(kind, PRM_TOO_DEEP, err, "the response " PRM_TOO_DEEP_WHY);
	}
	return 0;
}

/* ---- requests and answers ------------------------------------------------ */

static void mc_fail(struct mc_state *s, const char *kind, const char *msg)
{
	pthread_mutex_lock(&s->mu);
	llm_failure_set(&s->fail, kind, msg, NULL);
	pthread_mutex_unlock(&s->mu);
}

static void on_reply(void *data, const struct llm_result *res);

/* One request: samples first..first+count-1 of `step` with n = count. */
static void submit_one(struct mc_run *r, struct llm_job *job, size_t step, long first, long count)
{
	struct mc_state *s = job->state;
	struct mc_req *q = xcalloc(1, sizeof(*q));
	struct sbuf prefix = SBUF_INIT, body = SBUF_INIT;
	long long seed = (r->llm.params.has_seed ? r->llm.params.seed : 0) + first;
	json_t *msgs = json_copy(s->messages);
	struct llm_call call = { 0 }; /* unset fields: the defaults (chat completions) */

	step_join(&prefix, &s->in.steps, step);
	json_array_append_new(msgs, json_pack("{s:s, s:s%}", "role", "assistant", "content",
					      prefix.buf, prefix.len));
	llm_request_body(&body, &r->req_params, msgs, count, 1, seed);
	json_decref(msgs);
	sbuf_release(&prefix);
	q->job = job;
	q->r = r;
	q->step = step;
	q->first = first;
	q->count = count;
	call.len = body.len;
	call.body = sbuf_detach(&body, NULL);
	call.sample = (unsigned)first;
	call.max_tokens = r->llm.params.max_tokens;
	call.done = on_reply;
	call.data = q;
	figure_add(&r->requests, 1);
	__atomic_fetch_add(&s->requests, 1, __ATOMIC_RELAXED);
	llm_job_hold(job);
	llm_engine_submit(r->llm.engine, &call);
}

static void submit_batch(struct mc_run *r, struct llm_job *job, size_t step, long first, long count)
{
	if (llm_sampling_use_n(&r->sampling, count)) {
		submit_one(r, job, step, first, count);
		return;
	}
	for (long i = 0; i < count; i++)
		submit_one(r, job, step, first + i, 1);
}

static void submit_asks(struct mc_run *r, struct llm_job *job, const struct mc_asks *asks)
{
	for (size_t i = 0; i < asks->nr; i++)
		submit_batch(r, job, asks->v[i].step, asks->v[i].first, asks->v[i].count);
}

/*
 * Whether one continuation reached the gold answer: a continuation the
 * server cut at max_tokens never did (its text may hold an answer it
 * would have revised), and one whose answer is not where the extraction
 * method looks did not either. *why says which (MC_WHY_*).
 */
int mc_continuation_correct(const char *text, const char *finish_reason, const char *gold,
			    const struct answer_opts *opts, enum mc_why *why)
{
	struct answer_verdict v;

	*why = MC_WHY_CHECKED;
	if (finish_reason && !strcmp(finish_reason, "length")) {
		*why = MC_WHY_LENGTH;
		return 0;
	}
	/* a completion too deep to check (v.too_deep) did not reach the answer either */
	if (answer_check(text, gold, opts, &v, NULL) < 0)
		return 0;
	if (v.method == ANSWER_NONE && !v.too_deep)
		*why = MC_WHY_NO_ANSWER;
	return v.correct;
}

/* Check `got` choices: ok[i] when prefix + choice i reaches the gold answer. */
static void check_choices(struct mc_run *r, struct mc_state *s, size_t step, const json_t *choices,
			  long got, unsigned char *ok)
{
	struct sbuf text = SBUF_INIT;
	uint64_t cut = 0, none = 0;
	size_t plen;

	step_join(&text, &s->in.steps, step);
	plen = text.len;
	for (long i = 0; i < got; i++) {
		const json_t *choice = json_array_get(choices, (size_t)i);
		const json_t *c = json_object_get(json_object_get(choice, "message"), "content");
		enum mc_why why;

		ok[i] = 0;
		if (!json_is_string(c)) {
			none++; /* no text: it did not reach the answer */
			continue;
		}
		sbuf_setlen(&text, plen);
		sbuf_add(&text, json_string_value(c), json_string_length(c));
		ok[i] = (unsigned char)mc_continuation_correct(text.buf,
				json_string_value(json_object_get(choice, "finish_reason")),
				s->in.gold, &s->in.opts, &why);
		cut += why == MC_WHY_LENGTH;
		none += why == MC_WHY_NO_ANSWER;
	}
	figure_add(&r->cut_by_length, cut);
	figure_add(&r->no_answer, none);
	sbuf_release(&text);
}

static void on_reply(void *data, const struct llm_result *res)
{
	struct mc_req *q = data;
	struct mc_run *r = q->r;
	struct llm_job *job = q->job;
	struct mc_state *s = job->state;
	struct mc_asks asks = MC_ASKS_INIT;
	unsigned char *ok = xcalloc((size_t)q->count, 1);
	long got = 0, resend_from = -1;
	int failed;

	switch (res->status) {
	case LLM_OK: {
		const json_t *choices = json_object_get(res->response, "choices");

		got = (long)json_array_size(choices);
		if (got > q->count)
			got = q->count;
		check_choices(r, s, q->step, choices, got, ok);
		if (got < q->count) {
			struct sbuf m = SBUF_INIT;
			if (llm_sampling_short(&r->sampling, q->count, got, &m))
				resend_from = q->first + got;
			else
				mc_fail(s, LLM_SAMPLING_TOO_FEW, m.buf);
			sbuf_release(&m);
		}
		break;
	}
	case LLM_REJECTED:
		if (llm_sampling_refused(&r->sampling, q->count)) {
			resend_from = q->first;
			break;
		}
		/* fall through */
	default:
		mc_fail(s, llm_status_reject_kind(res->status), res->message);
		break;
	}

	pthread_mutex_lock(&s->mu);
	failed = s->fail.kind != NULL;
	if (!failed) {
		if (got && mc_solution_feed(&s->sol, q->step, q->first, got, ok) < 0)
			abort(); /* every request is a batch the plan asked for */
		mc_solution_next(&s->sol, &asks);
	}
	pthread_mutex_unlock(&s->mu);
	if (resend_from >= 0 && !failed)
		for (long i = resend_from; i < q->first + q->count; i++)
			submit_one(r, job, q->step, i, 1);
	submit_asks(r, job, &asks);
	mc_asks_release(&asks);
	free(ok);
	free(q);
	llm_job_done(job);
}

static int mc_start(struct llm_job *job, struct record *rec, void *ctx)
{
	struct mc_run *r = ctx;
	struct mc_state *s;
	struct mc_input in;
	struct mc_asks asks = MC_ASKS_INIT;
	struct sbuf err = SBUF_INIT;
	const char *kind = NULL;
	json_t *messages;

	/* the job holds its own reference to the record: borrow from it */
	if (mc_input_read(r, job->rec, &in, &kind, &err) < 0) {
		record_reject(rec, kind, "%s", err.buf);
		sbuf_release(&err);
		return STAGE_REJECT;
	}
	messages = prompt_file_render(r->llm.prompt, job->rec, &err);
	if (!messages) {
		record_reject(rec, "template_error", "%s", err.buf);
		goto fail;
	}
	if (json_array_size(messages) &&
	    !strcmp(json_string_value(json_object_get(json_array_get(messages, json_array_size(messages) - 1),
						      "role")) ?: "", "assistant")) {
		record_reject(rec, "template_error", "%s: the prompt must not end with an assistant message: "
			      "smelt-mc appends the prefix to continue", prompt_file_path(r->llm.prompt));
		goto fail;
	}
	if (llm_messages_add_images(messages, json_object_get(job->rec, "images"), &r->llm.images,
				    &kind, &err) < 0) {
		record_reject(rec, kind, "%s", err.buf);
		goto fail;
	}
	s = xcalloc(1, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	s->in = in;
	s->messages = messages;
	if (mc_solution_init(&s->sol, &r->cfg, in.steps.nr, in.final_correct) < 0)
		abort(); /* the config was checked and there is at least one step */
	job->state = s;
	pthread_mutex_lock(&s->mu);
	mc_solution_next(&s->sol, &asks);
	pthread_mutex_unlock(&s->mu);
	submit_asks(r, job, &asks);
	mc_asks_release(&asks);
	sbuf_release(&err);
	return STAGE_KEEP;
fail:
	json_decref(messages);
	mc_input_release(&in);
	sbuf_release(&err);
	return STAGE_REJECT;
}

static void mc_release(struct llm_job *job, void *ctx)
{
	struct mc_state *s = job->state;

	if (!s)
		return;
	mc_solution_release(&s->sol);
	mc_input_release(&s->in);
	json_decref(s->messages);
	llm_failure_release(&s->fail);
	pthread_mutex_destroy(&s->mu);
	free(s);
	job->state = NULL;
}

/* The output fields of a finished solution. */
static void write_result(struct mc_run *r, json_t *rec, const struct mc_state *s)
{
	const struct mc_solution *sol = &s->sol;
	json_t *sws = json_array(), *labels = json_array(), *mc;
	uint64_t plus = 0, minus = 0, none = 0;

	for (size_t i = 0; i < sol->nsteps; i++) {
		const struct mc_step *st = &sol->steps[i];
		const char *label = mc_label_name(st->label);
		json_t *score;

		/* only full and visualprm draw all N: elsewhere correct/examined is no estimate */
		if (!mc_mode_estimates(r->cfg.mode) || st->state == MC_STEP_INFERRED ||
		    st->state == MC_STEP_UNLABELLED)
			score = json_null();
		else
			score = json_real(mc_step_score(st));
		json_array_append_new(sws, json_pack("{s:s, s:o, s:I, s:I}", "step", s->in.steps.steps[i],
						     "score", score, "num_mc_correct", (json_int_t)st->correct,
						     "num_mc_total", (json_int_t)st->examined));
		json_array_append_new(labels, label ? json_string(label) : json_null());
		if (st->label == MC_LABEL_PLUS)
			plus++;
		else if (st->label == MC_LABEL_MINUS)
			minus++;
		else
			none++;
	}
	json_object_set_new(rec, "steps_with_score", sws);
	json_object_set_new(rec, "labels", labels);
	json_object_set_new(rec, "num_mc_sequences", json_integer(r->cfg.rollouts));
	mc = json_pack("{s:s, s:I, s:f, s:I, s:I, s:b}", "mode", mc_mode_name(r->cfg.mode),
		       "rollouts", (json_int_t)r->cfg.rollouts, "threshold", r->cfg.threshold,
		       "generations", (json_int_t)sol->generations, "requests", (json_int_t)s->requests,
		       "final_correct", sol->final_correct);
	if (r->cfg.mode == MC_MODE_FIRST_ERROR)
		json_object_set_new(mc, "first_error", sol->first_error >= 0 && !sol->final_correct ?
				    json_integer(sol->first_error) : json_null());
	json_object_set_new(rec, "mc", mc);
	figure_add(&r->solutions, 1);
	figure_add(&r->steps, sol->nsteps);
	figure_add(&r->generations, sol->generations);
	figure_add(&r->plus, plus);
	figure_add(&r->minus, minus);
	figure_add(&r->unlabelled, none);
	figure_add(&r->final_correct, (uint64_t)!!sol->final_correct);
}

static int mc_emit(struct stage *st, struct llm_job *job, void *ctx)
{
	struct mc_run *r = ctx;
	struct mc_state *s = job->state;

	if (s->fail.kind) {
		stage_reject(st, &job->loc, job->rec, NULL, 0, s->fail.kind, "%s", s->fail.msg);
		return 0;
	}
	if (!mc_solution_done(&s->sol)) {
		stage_reject(st, &job->loc, job->rec, NULL, 0, "incomplete",
			     "labelling stopped before every step was decided");
		return 0;
	}
	write_result(r, job->rec, s);
	if (provenance_append(job->rec, r->provenance) < 0) {
		stage_reject(st, &job->loc, job->rec, NULL, 0, BAD_FIELD, "\"provenance\" is not a list");
		return 0;
	}
	return stage_emit_json(st, job->rec) < 0 ? -1 : 0;
}

const struct llm_loop_ops mc_run_ops = {
	.start = mc_start,
	.emit = mc_emit,
	.release = mc_release,
};

void mc_run_figures(struct mc_run *r, struct stage *st)
{
	json_object_set_new(st->figures, "mc",
			    json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
				      "mode", mc_mode_name(r->cfg.mode),
				      "extract", extract_method_name(r->check.extract),
				      "no_answer", (json_int_t)r->no_answer,
				      "cut_by_length", (json_int_t)r->cut_by_length,
				      "solutions", (json_int_t)r->solutions, "steps", (json_int_t)r->steps,
				      "generations", (json_int_t)r->generations,
				      "requests", (json_int_t)r->requests,
				      "labels_plus", (json_int_t)r->plus, "labels_minus", (json_int_t)r->minus,
				      "unlabelled", (json_int_t)r->unlabelled,
				      "final_correct", (json_int_t)r->final_correct,
				      "n_fallbacks", (json_int_t)r->sampling.fallbacks));
}

/* ---- --dry-run ----------------------------------------------------------- */

static int dry_map(struct record *rec, void *ctx)
{
	struct mc_run *r = ctx;
	struct mc_input in;
	struct mc_bounds b;
	struct sbuf err = SBUF_INIT;
	const char *kind = NULL;

	if (mc_input_read(r, rec->json, &in, &kind, &err) < 0) {
		record_reject(rec, kind, "%s", err.buf);
		sbuf_release(&err);
		return STAGE_REJECT;
	}
	sbuf_release(&err);
	if (mc_plan_bounds(&r->cfg, in.steps.nr, in.final_correct, r->sampling.mode == LLM_N_SEEDS, &b) < 0)
		abort(); /* the config was checked and there is at least one step */
	/* the plan rides on the private copy of the record; nothing is written */
	json_object_set_new(rec->json, "mc_plan",
			    json_pack("{s:I, s:I, s:I, s:I, s:I}", "steps", (json_int_t)in.steps.nr,
				      "requests_min", (json_int_t)b.requests_min,
				      "requests_max", (json_int_t)b.requests_max,
				      "generations_min", (json_int_t)b.generations_min,
				      "generations_max", (json_int_t)b.generations_max));
	mc_input_release(&in);
	json_decref(rec->outputs);
	rec->outputs = json_array();
	return STAGE_KEEP;
}

static uint64_t plan_get(const json_t *plan, const char *key)
{
	return (uint64_t)json_integer_value(json_object_get(plan, key));
}

static int dry_serial(struct stage *st, struct record *rec, void *ctx)
{
	struct mc_run *r = ctx;
	const json_t *plan = json_object_get(rec->json, "mc_plan");
	uint64_t steps = plan_get(plan, "steps");

	r->solutions++;
	r->steps += steps;
	r->dry.requests_min += plan_get(plan, "requests_min");
	r->dry.requests_max += plan_get(plan, "requests_max");
	r->dry.generations_min += plan_get(plan, "generations_min");
	r->dry.generations_max += plan_get(plan, "generations_max");
	r->dry_full += steps * (uint64_t)r->cfg.rollouts;
	return 1;
}

const struct stage_ops mc_dry_ops = {
	.map = dry_map,
	.serial = dry_serial,
	.keep_json = 1,
};

json_t *mc_run_dry_summary(const struct mc_run *r)
{
	return json_pack("{s:s, s:I, s:s, s:I, s:I, s:{s:I, s:I}, s:{s:I, s:I}, s:I}",
			 "mode", mc_mode_name(r->cfg.mode), "rollouts", (json_int_t)r->cfg.rollouts,
			 "n_mode", r->sampling.mode == LLM_N_SEEDS ? "seeds" : "n",
			 "solutions", (json_int_t)r->solutions, "steps", (json_int_t)r->steps,
			 "requests", "min", (json_int_t)r->dry.requests_min,
			 "max", (json_int_t)r->dry.requests_max,
			 "generations", "min", (json_int_t)r->dry.generations_min,
			 "max", (json_int_t)r->dry.generations_max,
			 "full_generations", (json_int_t)r->dry_full);
}
