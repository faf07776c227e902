/*
 * sim_routes.h — smelt-sim's HTTP routes, independent of the HTTP
 * library: a request (method, path, Authorization header, body) in, a
 * sim_answer out. Authentication, the model check, fault injection and
 * the fixed latency are applied here, so every route behaves alike.
 */
#ifndef SMELT_SIM_ROUTES_H
#define SMELT_SIM_ROUTES_H

#include <stddef.h>

#include "sim/sim_answer.h"
#include "sim/sim_config.h"
#include "sim/sim_fault.h"
#include "sim/sim_metrics.h"

/* The state every request handler shares; cfg is borrowed, read-only. */
struct sim_service {
	const struct sim_config *cfg;
	struct sim_metrics metrics;
	struct sim_faults faults;
};

void sim_service_init(struct sim_service *svc, const struct sim_config *cfg);
void sim_service_release(struct sim_service *svc);

/* Which route a request is for (method is not checked here). */
enum sim_route sim_routes_match(const char *path);

/*
 * Answer one request. auth is the Authorization header or NULL. The body
 * may hold NUL bytes; oversize marks a body that was refused while being
 * read (answered 413). a must be initialised for the matched route.
 */
void sim_routes_handle(struct sim_service *svc, const char *method, const char *path,
		       const char *auth, const char *body, size_t len, int oversize,
		       struct sim_answer *a);

#endif
