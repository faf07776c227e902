/*
 * llm_loop.h — the record loop of LLM stages: many records waiting for
 * answers at once, output still in input order, memory bounded.
 *
 * It runs on stage_run. A worker thread renders each record and submits
 * its requests (ops->start); the record then waits as a *job* in a window
 * of at most --window jobs while its answers come back on the engine
 * thread. The main thread emits finished jobs (ops->emit) in input order
 * — or as they finish with --unordered — and only blocks when the window
 * is full. So up to --concurrency requests stay in flight while the
 * output keeps its order, and a slow record holds back at most a window.
 *
 * A job stays open while it holds work: the loop holds it during start,
 * and the stage calls llm_job_hold before each request it submits and
 * llm_job_done when that request's callback is finished with it.
 */
#ifndef SMELT_LLM_LOOP_H
#define SMELT_LLM_LOOP_H

#include <jansson.h>

#include "llm/llm_engine.h"
#include "stage/llm_options.h"
#include "stage/stage.h"

struct llm_loop;

struct llm_job {
	json_t *rec;            /* the input record (a reference the job owns) */
	struct record_loc loc;
	uint64_t seq;
	void *state;            /* the stage's; freed by ops->release */
	struct llm_loop *loop;  /* private from here */
	int pending, complete, registered;
	struct llm_job *next, *prev, *all_next, *all_prev;
};

struct llm_loop_ops {
	/*
	 * Worker thread: start the work for `job` (set job->state, submit).
	 * Return STAGE_KEEP, or STAGE_REJECT through record_reject(rec, ...)
	 * — only before anything was submitted.
	 */
	int (*start)(struct llm_job *job, struct record *rec, void *ctx);
	/* Main thread, once the job is complete: emit or reject. 0, or -1 fatal. */
	int (*emit)(struct stage *st, struct llm_job *job, void *ctx);
	/* Free job->state (any thread; also for jobs never emitted). */
	void (*release)(struct llm_job *job, void *ctx);
};

/*
 * The first failure among a job's requests, which decides how its record
 * is rejected: later failures are ignored. Callers serialise access
 * (their job's lock, where answers can arrive on several threads).
 */
struct llm_failure {
	const char *kind; /* a reject kind (static); NULL while nothing failed */
	char *msg;        /* owned */
	char *raw;        /* the raw reply, owned; NULL if none */
};

/* Record a failure unless one is already recorded; msg NULL means kind. */
void llm_failure_set(struct llm_failure *f, const char *kind, const char *msg, const char *raw);
void llm_failure_release(struct llm_failure *f);
/*
 * Set `rec` (borrowed) aside for f: a copy carrying `raw_reply` when there
 * is one, with f's kind and message (prefixed by `what`: when given).
 */
void llm_failure_reject(struct stage *st, const struct record_loc *loc, const json_t *rec,
			const struct llm_failure *f, const char *what);

/* One more piece of work in flight for `job` (thread-safe). */
void llm_job_hold(struct llm_job *job);
/* That piece is done; the last one completes the job (thread-safe). */
void llm_job_done(struct llm_job *job);

/*
 * Run the stage over its inputs with `e`. Returns 0, or -1 on a fatal
 * error: the engine's (llm_engine_fatal says why) or the stage's own.
 * The progress line shows the engine's figures unless the stage already
 * set st->progress_extra.
 */
int llm_loop_run(struct stage *st, struct llm_engine *e, const struct llm_options *o,
		 const struct llm_loop_ops *ops, void *ctx) MUST_CHECK;

#endif
