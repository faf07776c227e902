/*
 * sim_fault.h — smelt-sim's fault injection. Each kind has a rate in
 * [0, 1]. The k-th arrival (k = 0, 1, ...) of a given canonical request
 * body on a given route suffers the first kind, in the order of enum
 * sim_fault_kind, for which unit(hash(seed, body, k, kind)) < rate. So a
 * retried request eventually gets through (for rates < 1), and which
 * arrivals fail does not depend on how requests for different bodies
 * interleave.
 */
#ifndef SMELT_SIM_FAULT_H
#define SMELT_SIM_FAULT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/sim_table.h"

struct sim_answer;
struct sim_config;

enum sim_fault_kind {
	SIM_FAULT_DROP,		/* connection closed, no response */
	SIM_FAULT_STALL,	/* held for --stall-seconds, then closed unanswered */
	SIM_FAULT_429,		/* 429 with Retry-After */
	SIM_FAULT_5XX,		/* 500, 502 or 503 */
	SIM_FAULT_TRUNCATE,	/* 200, full Content-Length, body cut halfway */
	SIM_FAULT_MALFORMED,	/* 200 with a body that is not JSON */
	SIM_FAULT_KINDS,
	SIM_FAULT_NONE = SIM_FAULT_KINDS
};

/* The kind's name in options and metrics ("drop", "stall", "429", ...). */
const char *sim_fault_name(enum sim_fault_kind k);

struct sim_faults {
	pthread_mutex_t lock;
	struct sim_table arrivals;
	uint64_t seed;
	double rate[SIM_FAULT_KINDS];
};

void sim_faults_init(struct sim_faults *f, uint64_t seed, const double rate[SIM_FAULT_KINDS]);
void sim_faults_release(struct sim_faults *f);
/* Forget arrival counts (POST /metrics/reset): sequences start over. */
void sim_faults_reset(struct sim_faults *f);

/* Count this arrival of (route, canonical body) and decide its fault. */
enum sim_fault_kind sim_faults_decide(struct sim_faults *f, int route,
				      const char *canonical, size_t len);

/* Turn a would-be 200 answer into the given fault (no-op for NONE). */
void sim_fault_apply(struct sim_answer *a, enum sim_fault_kind kind,
		     const struct sim_config *cfg, uint64_t draw);

#endif
