/*
 * sim_timer.c — a binary min-heap of deadlines guarded by one mutex; the
 * thread sleeps on a CLOCK_MONOTONIC condition variable until the earliest
 * deadline or until an earlier one is added.
 */
#include "sim/sim_timer.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"

struct timer_entry {
	double when;
	unsigned long seq;	/* ties keep insertion order */
	sim_timer_fn *fn;
	void *arg;
};

struct sim_timer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct timer_entry *heap;
	size_t n, alloc;
	unsigned long seq;
	int flush, stop;
};

static int before(const struct timer_entry *a, const struct timer_entry *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void heap_push(struct sim_timer *t, struct timer_entry e)
{
	size_t i;

	ALLOC_GROW(t->heap, t->n + 1, t->alloc);
	i = t->n++;
	while (i && before(&e, &t->heap[(i - 1) / 2])) {
		t->heap[i] = t->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	t->heap[i] = e;
}

static struct timer_entry heap_pop(struct sim_timer *t)
{
	struct timer_entry top = t->heap[0], last = t->heap[--t->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= t->n)
			break;
		if (c + 1 < t->n && before(&t->heap[c + 1], &t->heap[c]))
			c++;
		if (!before(&t->heap[c], &last))
			break;
		t->heap[i] = t->heap[c];
		i = c;
	}
	if (t->n)
		t->heap[i] = last;
	return top;
}

static void *timer_main(void *arg)
{
	struct sim_timer *t = arg;

	pthread_mutex_lock(&t->lock);
	for (;;) {
		double now = now_seconds();

		if (t->n && (t->flush || t->stop || t->heap[0].when <= now)) {
			struct timer_entry e = heap_pop(t);

			pthread_mutex_unlock(&t->lock);
			e.fn(e.arg);
			pthread_mutex_lock(&t->lock);
			continue;
		}
		t->flush = 0;
		if (t->stop)
			break;
		if (t->n) {
			struct timespec ts;
			double when = t->heap[0].when;

			ts.tv_sec = (time_t)when;
			ts.tv_nsec = (long)((when - (double)ts.tv_sec) * 1e9);
			if (ts.tv_nsec >= 1000000000L)
				ts.tv_nsec = 999999999L;
			pthread_cond_timedwait(&t->wake, &t->lock, &ts);
		} else {
			pthread_cond_wait(&t->wake, &t->lock);
		}
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

struct sim_timer *sim_timer_new(void)
{
	struct sim_timer *t = xcalloc(1, sizeof(*t));
	pthread_condattr_t ca;
	int err;

	pthread_mutex_init(&t->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->wake, &ca);
	pthread_condattr_destroy(&ca);
	err = pthread_create(&t->thread, NULL, timer_main, t);
	if (err) {
		error("cannot start the timer thread: %s", strerror(err));
		pthread_cond_destroy(&t->wake);
		pthread_mutex_destroy(&t->lock);
		free(t);
		return NULL;
	}
	return t;
}

void sim_timer_add(struct sim_timer *t, double delay, sim_timer_fn *fn, void *arg)
{
	struct timer_entry e = { now_seconds() + delay, 0, fn, arg };

	pthread_mutex_lock(&t->lock);
	e.seq = t->seq++;
	heap_push(t, e);
	if (t->heap[0].seq == e.seq)
		pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->lock);
}

void sim_timer_flush(struct sim_timer *t)
{
	pthread_mutex_lock(&t->lock);
	t->flush = 1;
	pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->lock);
}

void sim_timer_free(struct sim_timer *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	t->stop = 1;
	pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	pthread_cond_destroy(&t->wake);
	pthread_mutex_destroy(&t->lock);
	free(t->heap);
	free(t);
}
