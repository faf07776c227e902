/*
 * condor_refine.c — the critique → refine rounds of one record as a
 * chain of requests (see condor_refine.h).
 *
 * A record has at most one request in flight: the callback of one
 * request decides the next and submits it, so the state needs no lock.
 * A cached answer calls back on the submitting thread, inside the
 * submit, so a callback touches the state only before it submits.
 */
#include "condor/condor_refine.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "llm/llm_request.h"
#include "io/provenance.h"

enum refine_phase { PHASE_REFINE, PHASE_CRITIQUE };

struct refine_state {
	json_t *rounds;       /* [{critique, refined?}] */
	char *cur;            /* the answer the current round works on */
	size_t round;         /* index into rounds */
	enum refine_phase phase;
	long attempt;
	json_t *messages;     /* of the request in flight, kept for re-sampling */
	const char *stop;
	struct llm_failure fail;
};

struct refine_req {
	struct llm_job *job;
	struct condor_refine *r;
};

void condor_refine_init(struct condor_refine *r)
{
	memset(r, 0, sizeof(*r));
	r->rounds = 1;
	r->reparse = 2;
	r->into = "refined";
}

void condor_refine_release(struct condor_refine *r)
{
	for (size_t i = 0; i < r->nr_nones; i++) {
		free(r->nones[i].key);
		free(r->nones[i].word);
	}
	free(r->nones);
	free(r->by_rounds);
	json_decref(r->provenance);
	r->nones = NULL;
	r->by_rounds = NULL;
	r->provenance = NULL;
	r->nr_nones = r->alloc_nones = 0;
}

void condor_refine_add_none(struct condor_refine *r, const char *key, const char *word)
{
	ALLOC_GROW(r->nones, r->nr_nones + 1, r->alloc_nones);
	r->nones[r->nr_nones].key = xstrdup(key);
	r->nones[r->nr_nones].word = xstrdup(word);
	r->nr_nones++;
}

size_t condor_refine_add_markers(struct condor_refine *r, const json_t *markers)
{
	const char *lang;
	json_t *m;
	size_t n = 0;

	json_object_foreach((json_t *)markers, lang, m) {
		const char *key = json_string_value(json_object_get(json_object_get(m, "words"), "weakness"));
		const char *none = json_string_value(json_object_get(m, "none"));
		if (key && none) {
			condor_refine_add_none(r, key, none);
			n++;
		}
	}
	return n;
}

/* `s` is `word` once surrounding space and a final full stop or "!" are dropped. */
static int is_none_word(const char *s, const char *word)
{
	static const char *const trailing[] = { ".", "!", "\xe3\x80\x82" /* 。 */, "\xef\xbc\x81" /* ！ */ };
	size_t len, wlen = strlen(word);

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	for (size_t i = 0; i < ARRAY_SIZE(trailing); i++) {
		size_t tl = strlen(trailing[i]);
		if (len > tl && !memcmp(s + len - tl, trailing[i], tl)) {
			len -= tl;
			break;
		}
	}
	return len == wlen && !strncasecmp(s, word, len);
}

int condor_refine_no_weakness(const struct condor_refine *r, const json_t *c)
{
	for (size_t i = 0; i < r->nr_nones; i++) {
		const char *v = json_string_value(json_object_get(c, r->nones[i].key));
		if (v && is_none_word(v, r->nones[i].word))
			return 1;
	}
	return 0;
}

void condor_refine_prepare(struct condor_refine *r)
{
	json_t *params = llm_params_json(&r->llm.params);

	json_object_set_new(params, "rounds", json_integer(r->rounds));
	json_object_set_new(params, "refine", json_string(r->always ? "always" : "if-weak"));
	json_object_set_new(params, "into", json_string(r->into));
	if (r->critique)
		json_object_set_new(params, "critique_template_hash",
				    json_string(prompt_file_hash(r->critique->pf)));
	r->provenance = provenance_entry(r->llm.stage_name, r->llm.params.model,
					 prompt_file_hash(r->llm.prompt), params);
	free(r->by_rounds);
	r->by_rounds = xcalloc((size_t)r->rounds + 1, sizeof(*r->by_rounds));
}

static void count(uint64_t *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static void state_fail(struct refine_state *s, const char *kind, const char *msg, const char *raw)
{
	llm_failure_set(&s->fail, kind, msg, raw);
}

/* The record as the prompts see it in this round. New messages, or NULL with s failed. */
static json_t *render(struct condor_refine *r, struct llm_job *job, const struct prompt_file *pf,
		      const json_t *critique, const char **kind, struct sbuf *err)
{
	struct refine_state *s = job->state;
	json_t *view = json_copy(job->rec), *messages;

	json_object_set_new(view, "answer", json_string(s->cur));
	if (critique)
		json_object_set(view, "critique", (json_t *)critique);
	messages = prompt_file_render(pf, view, err);
	*kind = "template_error";
	if (messages && llm_messages_add_images(messages, json_object_get(view, "images"), &r->llm.images,
						kind, err) < 0) {
		json_decref(messages);
		messages = NULL;
	}
	json_decref(view);
	return messages;
}

static void on_reply(void *data, const struct llm_result *res);

/* Submit the request of the current phase (s->messages) at s->attempt. */
static void submit(struct condor_refine *r, struct llm_job *job)
{
	struct refine_state *s = job->state;
	const struct llm_params *p = s->phase == PHASE_REFINE ? &r->llm.params : &r->critique->params;
	struct refine_req *q = xcalloc(1, sizeof(*q));
	struct sbuf body = SBUF_INIT;
	struct llm_call call = { 0 }; /* unset fields: the defaults (chat completions) */
	long long seed = p->has_seed ? p->seed : 0;
	int has_seed = p->has_seed;

	if (s->attempt > 0) {
		seed += s->attempt; /* a re-sample must differ from the reply that failed */
		has_seed = 1;
	}
	q->job = job;
	q->r = r;
	llm_request_body(&body, p, s->messages, 1, has_seed, seed);
	call.len = body.len;
	call.body = sbuf_detach(&body, NULL);
	call.sample = (unsigned)s->attempt;
	call.max_tokens = p->max_tokens;
	call.done = on_reply;
	call.data = q;
	llm_job_hold(job);
	llm_engine_submit(r->llm.engine, &call);
}

/* Start a request of `phase` for the current round, or fail. */
static void start_phase(struct condor_refine *r, struct llm_job *job, enum refine_phase phase)
{
	struct refine_state *s = job->state;
	struct sbuf err = SBUF_INIT;
	const char *kind;
	const json_t *critique = phase == PHASE_REFINE ?
		json_object_get(json_array_get(s->rounds, s->round), "critique") : NULL;

	json_decref(s->messages);
	s->messages = render(r, job, phase == PHASE_REFINE ? r->llm.prompt : r->critique->pf,
			     critique, &kind, &err);
	if (!s->messages) {
		state_fail(s, kind, err.buf, NULL);
		sbuf_release(&err);
		return;
	}
	sbuf_release(&err);
	s->phase = phase;
	s->attempt = 0;
	submit(r, job);
}

/* The current round has a critique: stop (if weak only), or refine from it. */
static void next_step(struct condor_refine *r, struct llm_job *job)
{
	struct refine_state *s = job->state;

	if (condor_refine_no_weakness(r, json_object_get(json_array_get(s->rounds, s->round), "critique"))) {
		count(&r->no_weakness_seen);
		if (!r->always) {
			s->stop = "no_weakness";
			return;
		}
	}
	start_phase(r, job, PHASE_REFINE);
}

/* The text of a refine reply: a string, or the first block of a markers object. */
static const char *refined_text(const json_t *v)
{
	const char *key;
	json_t *x;

	if (json_is_string(v))
		return json_string_value(v);
	json_object_foreach((json_t *)v, key, x) {
		if (json_is_array(x))
			x = json_array_get(x, 0);
		return json_string_value(x);
	}
	return NULL;
}

/* A parsed reply: advance the chain. */
static void take_reply(struct condor_refine *r, struct llm_job *job, json_t *v)
{
	struct refine_state *s = job->state;

	if (s->phase == PHASE_REFINE) {
		const char *text = refined_text(v);
		json_object_set_new(json_array_get(s->rounds, s->round), "refined", json_string(text));
		free(s->cur);
		s->cur = xstrdup(text);
		count(&r->refinements);
		if ((long)++s->round >= r->rounds) {
			s->stop = "max_rounds";
			return;
		}
		start_phase(r, job, PHASE_CRITIQUE);
		return;
	}
	count(&r->critiques);
	json_array_append_new(s->rounds, json_pack("{s:O}", "critique", v));
	next_step(r, job);
}

/* Why a parsed reply cannot be used (static), or NULL. */
static const char *unusable(const struct refine_state *s, const json_t *v)
{
	if (s->phase == PHASE_CRITIQUE)
		return json_is_object(v) ? NULL : "the critique is not a set of blocks";
	const char *text = refined_text(v);
	if (!text)
		return "no improved answer in the reply";
	while (*text == ' ' || *text == '\n' || *text == '\t' || *text == '\r')
		text++;
	return *text ? NULL : "the improved answer is empty";
}

static void on_reply(void *data, const struct llm_result *res)
{
	struct refine_req *q = data;
	struct condor_refine *r = q->r;
	struct llm_job *job = q->job;
	struct refine_state *s = job->state;
	const struct reply_parser *parser = s->phase == PHASE_REFINE ? r->llm.parser : r->critique->parser;
	const json_t *content;
	struct sbuf err = SBUF_INIT;
	json_t *v = NULL;
	const char *why;

	free(q);
	switch (res->status) {
	case LLM_OK:
		content = json_object_get(json_object_get(json_array_get(
				json_object_get(res->response, "choices"), 0), "message"), "content");
		if (!json_is_string(content))
			sbuf_addstr(&err, "the reply has no text content");
		else if ((v = reply_parser_apply(parser, json_string_value(content),
						 json_string_length(content), &err)) &&
			 (why = unusable(s, v))) {
			sbuf_addstr(&err, why);
			json_decref(v);
			v = NULL;
		}
		if (v) {
			take_reply(r, job, v);
			json_decref(v);
		} else if (s->attempt < r->reparse) {
			s->attempt++;
			count(&r->reparses);
			submit(r, job);
		} else {
			count(&r->parse_errors);
			state_fail(s, "parse_error", err.buf, json_string_value(content));
		}
		break;
	default: state_fail(s, llm_status_reject_kind(res->status), res->message, NULL); break;
	}
	sbuf_release(&err);
	llm_job_done(job);
}

static int refine_start(struct llm_job *job, struct record *rec, void *ctx)
{
	struct condor_refine *r = ctx;
	const json_t *answer = json_object_get(rec->json, "answer");
	const json_t *critique = json_object_get(rec->json, "critique");
	struct refine_state *s;

	if (!json_is_string(answer))
		return record_reject(rec, "missing_field", "no \"answer\" string to refine");
	if (!json_is_object(critique))
		return record_reject(rec, CONDOR_REJECT_BAD_CRITIQUE,
				     "\"critique\" is not an object of critique blocks");
	s = xcalloc(1, sizeof(*s));
	s->cur = xstrdup(json_string_value(answer));
	s->rounds = json_pack("[{s:O}]", "critique", critique);
	job->state = s;
	next_step(r, job);
	return STAGE_KEEP;
}

static void refine_release(struct llm_job *job, void *ctx)
{
	struct refine_state *s = job->state;

	if (!s)
		return;
	json_decref(s->rounds);
	json_decref(s->messages);
	free(s->cur);
	llm_failure_release(&s->fail);
	free(s);
	job->state = NULL;
}

static int refine_emit(struct stage *st, struct llm_job *job, void *ctx)
{
	struct condor_refine *r = ctx;
	struct refine_state *s = job->state;
	json_t *rec = job->rec;
	size_t made = 0, i;
	json_t *round;

	if (s->fail.kind || !s->stop) {
		json_t *rej = json_copy(rec);
		json_object_set(rej, "rounds", s->rounds);
		llm_failure_set(&s->fail, "aborted", "refinement did not finish", NULL);
		llm_failure_reject(st, &job->loc, rej, &s->fail, NULL);
		json_decref(rej);
		return 0;
	}
	json_array_foreach(s->rounds, i, round)
		if (json_object_get(round, "refined"))
			made++;
	if (!strcmp(s->stop, "no_weakness"))
		r->stop_no_weakness++;
	else
		r->stop_max_rounds++;
	r->by_rounds[made]++;
	json_object_set_new(rec, r->into, json_string(s->cur));
	json_object_set(rec, "rounds", s->rounds);
	json_object_set_new(rec, "refine_rounds", json_integer((json_int_t)made));
	json_object_set_new(rec, "refine_stop", json_string(s->stop));
	if (provenance_append(rec, r->provenance) < 0) {
		stage_reject(st, &job->loc, rec, NULL, 0, "bad_field_type", "\"provenance\" is not a list");
		return 0;
	}
	return stage_emit_json(st, rec) < 0 ? -1 : 0;
}

const struct llm_loop_ops condor_refine_ops = {
	.start = refine_start,
	.emit = refine_emit,
	.release = refine_release,
};

void condor_refine_figures(const struct condor_refine *r, struct stage *st)
{
	json_t *by = json_array();
	uint64_t unrefined = r->by_rounds ? r->by_rounds[0] : 0, total = 0;

	for (long i = 0; r->by_rounds && i <= r->rounds; i++) {
		json_array_append_new(by, json_integer((json_int_t)r->by_rounds[i]));
		total += r->by_rounds[i];
	}
	json_object_set_new(st->figures, "refine",
			    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
				      "always", (json_int_t)(r->always != 0),
				      "refined", (json_int_t)(total - unrefined),
				      "unrefined", (json_int_t)unrefined,
				      "stop_no_weakness", (json_int_t)r->stop_no_weakness,
				      "stop_max_rounds", (json_int_t)r->stop_max_rounds,
				      "refinements", (json_int_t)r->refinements,
				      "critiques", (json_int_t)r->critiques,
				      "no_weakness_seen", (json_int_t)r->no_weakness_seen,
				      "reparses", (json_int_t)r->reparses,
				      "parse_errors", (json_int_t)r->parse_errors,
				      "by_rounds", by));
}
