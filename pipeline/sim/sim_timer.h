/*
 * sim_timer.h — one thread that calls functions at given times. smelt-sim
 * uses it to resume suspended HTTP connections after a simulated latency
 * or stall, so a slow reply never occupies a server thread.
 */
#ifndef SMELT_SIM_TIMER_H
#define SMELT_SIM_TIMER_H

typedef void sim_timer_fn(void *arg);

struct sim_timer;

/* A new timer with its thread started, or NULL (with error()) on failure. */
struct sim_timer *sim_timer_new(void);
/*
 * Call fn(arg) on the timer thread `delay` seconds from now. Callbacks
 * run in deadline order, without the timer's lock held.
 */
void sim_timer_add(struct sim_timer *t, double delay, sim_timer_fn *fn, void *arg);
/* Run every pending callback now (shutdown), then keep serving. */
void sim_timer_flush(struct sim_timer *t);
/* Stop the thread (pending callbacks are run first) and free; NULL is a no-op. */
void sim_timer_free(struct sim_timer *t);

#endif
