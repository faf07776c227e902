/*
 * sim_metrics.h — smelt-sim's counters, served as JSON by GET /metrics so
 * tests can see what a client really sent: requests by route, answers by
 * status, generations, tokens, faults by kind, connection peaks, and how
 * many cleanly answered completion requests repeated an already answered
 * canonical body (a resumed run that re-asks paid-for requests shows
 * here). Thread-safe.
 */
#ifndef SMELT_SIM_METRICS_H
#define SMELT_SIM_METRICS_H

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

#include "sim/sim_answer.h"
#include "sim/sim_fault.h"
#include "sim/sim_table.h"

struct sim_metrics {
	pthread_mutex_t lock;
	double started;
	uint64_t requests;
	uint64_t by_route[SIM_ROUTE_COUNT];
	uint64_t by_status[600];
	uint64_t faults[SIM_FAULT_KINDS];
	uint64_t generations, prompt_tokens, completion_tokens;
	uint64_t answered_repeat;
	struct sim_table answered;	/* canonical body hash -> times answered */
	long connections, connections_peak;
};

void sim_metrics_init(struct sim_metrics *m);
void sim_metrics_release(struct sim_metrics *m);
/* Zero every counter and forget answered bodies (open connections stay). */
void sim_metrics_reset(struct sim_metrics *m);

/* A request arrived on route (GET /metrics and POST /metrics/reset are not counted). */
void sim_metrics_request(struct sim_metrics *m, enum sim_route route);
void sim_metrics_fault(struct sim_metrics *m, enum sim_fault_kind kind);
/* An answer went out (status, and for a clean completion its figures). */
void sim_metrics_answered(struct sim_metrics *m, const struct sim_answer *a);
/* A connection opened (+1) or closed (-1). */
void sim_metrics_connection(struct sim_metrics *m, int delta);

/* A new JSON object with every counter. */
json_t *sim_metrics_json(struct sim_metrics *m);

#endif
