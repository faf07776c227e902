/*
 * llm_loop.c — jobs, the window and its two emission orders (see
 * llm_loop.h).
 *
 * Every job is on the `all` list from creation to free, so nothing leaks
 * when a run stops half-way. The serial step (main thread, input order)
 * registers a job: in order mode it joins the FIFO `head..tail`; in
 * unordered mode it joins `done` as soon as it is complete. Completion
 * happens on whatever thread drops the last hold, under `mu`, and wakes
 * the main thread if it waits.
 *
 * A stop signal (stage_stop.h) makes the loop graceful: no job starts
 * after it, the jobs in flight may finish for --stop-grace seconds (the
 * engine caches each answer as it arrives), then the engine is cancelled
 * and the rest abandoned. stage_finish removes the outputs.
 */
#include "stage/llm_loop.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stage/stage_stop.h"

#define WAIT_TICK 0.25

struct llm_loop {
	struct stage *st;
	struct llm_engine *engine;
	const struct llm_loop_ops *ops;
	void *ctx;
	int unordered;
	long window;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	int waiting;
	struct llm_job *all;          /* every live job */
	long incomplete;
	struct llm_job *head, *tail;  /* registered, in input order (ordered mode) */
	struct llm_job *done_head, *done_tail; /* complete and registered (unordered) */
	long registered;              /* registered, not yet emitted */
	int stopped;                  /* fatal: emit nothing more */
	int cancelled;                /* the stop's grace ran out: engine cancelled */
};

static void push_done(struct llm_loop *lp, struct llm_job *job)
{
	job->next = NULL;
	if (lp->done_tail)
		lp->done_tail->next = job;
	else
		lp->done_head = job;
	lp->done_tail = job;
}

void llm_job_hold(struct llm_job *job)
{
	pthread_mutex_lock(&job->loop->mu);
	job->pending++;
	pthread_mutex_unlock(&job->loop->mu);
}

void llm_job_done(struct llm_job *job)
{
	struct llm_loop *lp = job->loop;

	pthread_mutex_lock(&lp->mu);
	if (--job->pending == 0) {
		job->complete = 1;
		lp->incomplete--;
		if (lp->unordered && job->registered)
			push_done(lp, job);
		/* wake the main thread only when this job lets it go on */
		if (lp->waiting && (lp->unordered || job == lp->head))
			pthread_cond_signal(&lp->cv);
	}
	pthread_mutex_unlock(&lp->mu);
}

static void job_free(struct llm_loop *lp, struct llm_job *job)
{
	pthread_mutex_lock(&lp->mu);
	if (job->all_prev)
		job->all_prev->all_next = job->all_next;
	else
		lp->all = job->all_next;
	if (job->all_next)
		job->all_next->all_prev = job->all_prev;
	pthread_mutex_unlock(&lp->mu);
	if (lp->ops->release)
		lp->ops->release(job, lp->ctx);
	json_decref(job->rec);
	free(job);
}

/* Worker thread. */
static int loop_map(struct record *rec, void *ctx)
{
	struct llm_loop *lp = ctx;
	struct llm_job *job;
	int v;

	if (stage_stop_signal())
		return STAGE_DROP; /* stopping: ask nothing more */
	job = xcalloc(1, sizeof(*job));
	job->rec = json_incref(rec->json);
	job->loc = rec->loc;
	job->seq = rec->seq;
	job->loop = lp;
	job->pending = 1; /* held while starting, so early answers cannot complete it */
	pthread_mutex_lock(&lp->mu);
	job->all_next = lp->all;
	if (lp->all)
		lp->all->all_prev = job;
	lp->all = job;
	lp->incomplete++;
	pthread_mutex_unlock(&lp->mu);
	v = lp->ops->start(job, rec, lp->ctx);
	if (v == STAGE_REJECT) {
		pthread_mutex_lock(&lp->mu);
		lp->incomplete--;
		pthread_mutex_unlock(&lp->mu);
		job_free(lp, job);
		return STAGE_REJECT;
	}
	rec->scratch[0] = (uint64_t)(uintptr_t)job;
	/* the loop writes nothing for this record: the job emits later */
	json_decref(rec->outputs);
	rec->outputs = json_array();
	llm_job_done(job);
	return STAGE_KEEP;
}

/* Take the next job that may be emitted, or NULL. Caller holds mu. */
static struct llm_job *next_ready(struct llm_loop *lp)
{
	struct llm_job *job;

	if (lp->unordered) {
		job = lp->done_head;
		if (job) {
			lp->done_head = job->next;
			if (!lp->done_head)
				lp->done_tail = NULL;
		}
	} else {
		job = lp->head;
		if (!job || !job->complete)
			return NULL;
		lp->head = job->next;
		if (!lp->head)
			lp->tail = NULL;
	}
	if (job)
		lp->registered--;
	return job;
}

static int check_fatal(struct llm_loop *lp)
{
	if (!lp->cancelled && stage_stop_grace_over()) {
		lp->cancelled = 1;
		llm_engine_cancel(lp->engine);
	}
	if (!lp->stopped && llm_engine_fatal(lp->engine))
		lp->stopped = 1;
	return lp->stopped ? -1 : 0;
}

/*
 * Emit what is ready; then, while more than `limit` jobs are registered,
 * wait for the next one. Main thread.
 */
static int pump(struct llm_loop *lp, long limit)
{
	struct llm_job *job;
	double last_tick = now_seconds();

	for (;;) {
		if (check_fatal(lp) < 0)
			return -1;
		pthread_mutex_lock(&lp->mu);
		job = next_ready(lp);
		if (!job && lp->registered > limit) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += (long)(WAIT_TICK * 1e9);
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			lp->waiting = 1;
			pthread_cond_timedwait(&lp->cv, &lp->mu, &ts);
			lp->waiting = 0;
			job = next_ready(lp);
		}
		pthread_mutex_unlock(&lp->mu);
		if (now_seconds() - last_tick >= WAIT_TICK) {
			stage_progress_tick(lp->st, 0, 0);
			last_tick = now_seconds();
		}
		if (!job) {
			pthread_mutex_lock(&lp->mu);
			long reg = lp->registered;
			pthread_mutex_unlock(&lp->mu);
			if (reg <= limit)
				return 0;
			continue;
		}
		if (check_fatal(lp) < 0) {
			job_free(lp, job);
			return -1;
		}
		int r = lp->ops->emit(lp->st, job, lp->ctx);
		job_free(lp, job);
		if (r < 0 || lp->st->failed) {
			lp->stopped = 1;
			return -1;
		}
	}
}

/* Main thread, in input order. */
static int loop_serial(struct stage *st, struct record *rec, void *ctx)
{
	struct llm_loop *lp = ctx;
	struct llm_job *job = (struct llm_job *)(uintptr_t)rec->scratch[0];

	if (lp->stopped)
		return -1;
	pthread_mutex_lock(&lp->mu);
	job->registered = 1;
	lp->registered++;
	if (lp->unordered) {
		if (job->complete)
			push_done(lp, job);
	} else {
		job->next = NULL;
		if (lp->tail)
			lp->tail->next = job;
		else
			lp->head = job;
		lp->tail = job;
	}
	pthread_mutex_unlock(&lp->mu);
	return pump(lp, lp->window) < 0 ? -1 : 1;
}

static void progress_extra(struct stage *st, struct sbuf *line, void *ctx)
{
	llm_engine_progress(ctx, line);
}

int llm_loop_run(struct stage *st, struct llm_engine *e, const struct llm_options *o,
		 const struct llm_loop_ops *ops, void *ctx)
{
	struct llm_loop lp = {
		.st = st, .engine = e, .ops = ops, .ctx = ctx,
		.unordered = o->unordered, .window = o->window > 0 ? o->window : 1024,
	};
	struct stage_ops sops = { .map = loop_map, .serial = loop_serial };
	int own_progress = !st->progress_extra;
	struct sbuf hint = SBUF_INIT;
	int r;

	pthread_mutex_init(&lp.mu, NULL);
	pthread_cond_init(&lp.cv, NULL);
	stage_stop_graceful(o->stop_grace, llm_options_resume_hint(o, &hint));
	/* a stage that shows its own figures on the progress line keeps them */
	if (own_progress) {
		st->progress_extra = progress_extra;
		st->progress_ctx = e;
	}
	r = stage_run(st, &sops, &lp);
	if (r == 0 && pump(&lp, 0) < 0)
		r = -1;
	if (r < 0) {
		/* stop the engine so every outstanding callback comes now */
		if (!llm_engine_fatal(e))
			llm_engine_cancel(e);
		for (;;) {
			pthread_mutex_lock(&lp.mu);
			long left = lp.incomplete;
			pthread_mutex_unlock(&lp.mu);
			if (!left)
				break;
			struct timespec ts = { 0, 5000000 };
			nanosleep(&ts, NULL);
		}
	}
	while (lp.all)
		job_free(&lp, lp.all);
	if (own_progress)
		st->progress_extra = NULL;
	pthread_mutex_destroy(&lp.mu);
	pthread_cond_destroy(&lp.cv);
	sbuf_release(&hint);
	return r;
}

void llm_failure_set(struct llm_failure *f, const char *kind, const char *msg, const char *raw)
{
	if (f->kind)
		return;
	f->kind = kind;
	f->msg = xstrdup(msg ? msg : kind);
	f->raw = raw ? xstrdup(raw) : NULL;
}

void llm_failure_release(struct llm_failure *f)
{
	free(f->msg);
	free(f->raw);
	memset(f, 0, sizeof(*f));
}

void llm_failure_reject(struct stage *st, const struct record_loc *loc, const json_t *rec,
			const struct llm_failure *f, const char *what)
{
	json_t *rej = json_copy((json_t *)rec);

	if (f->raw)
		json_object_set_new(rej, "raw_reply", json_string(f->raw));
	if (what)
		stage_reject(st, loc, rej, NULL, 0, f->kind, "%s: %s", what, f->msg);
	else
		stage_reject(st, loc, rej, NULL, 0, f->kind, "%s", f->msg);
	json_decref(rej);
}
