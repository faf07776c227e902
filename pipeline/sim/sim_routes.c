/*
 * sim_routes.c — dispatch and the small routes (models, health, metrics).
 * Faults and latency are applied only to answers that would otherwise be
 * a clean 200 on the model routes; client errors are never faulted, so a
 * test of a 4xx sees exactly that 4xx.
 */
#include "sim/sim_routes.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/sim_chat.h"
#include "sim/sim_prm.h"
#include "sim/sim_request.h"
#include "sim/sim_reward.h"

void sim_service_init(struct sim_service *svc, const struct sim_config *cfg)
{
	svc->cfg = cfg;
	sim_metrics_init(&svc->metrics);
	sim_faults_init(&svc->faults, cfg->seed, cfg->fault_rate);
}

void sim_service_release(struct sim_service *svc)
{
	sim_metrics_release(&svc->metrics);
	sim_faults_release(&svc->faults);
}

enum sim_route sim_routes_match(const char *path)
{
	for (int r = 0; r < SIM_ROUTE_OTHER; r++)
		if (!strcmp(path, sim_route_name(r)))
			return (enum sim_route)r;
	return SIM_ROUTE_OTHER;
}

static const char *route_method(enum sim_route r)
{
	switch (r) {
	case SIM_ROUTE_CHAT:
	case SIM_ROUTE_POOLING:
	case SIM_ROUTE_CLASSIFY:
	case SIM_ROUTE_METRICS_RESET:
		return "POST";
	default:
		return "GET";
	}
}

static int authorised(const struct sim_config *cfg, enum sim_route r, const char *auth)
{
	if (!cfg->api_key || r == SIM_ROUTE_HEALTH || r == SIM_ROUTE_METRICS ||
	    r == SIM_ROUTE_METRICS_RESET)
		return 1;
	return auth && !strncmp(auth, "Bearer ", 7) && !strcmp(auth + 7, cfg->api_key);
}

static void answer_models(const struct sim_config *cfg, struct sim_answer *a)
{
	sim_answer_json(a, 200, json_pack("{s:s, s:[{s:s, s:s, s:I, s:s, s:s, s:n, s:i}]}",
		"object", "list", "data", "id", cfg->model, "object", "model",
		"created", (json_int_t)time(NULL), "owned_by", "smelt-sim",
		"root", cfg->model, "parent", "max_model_len", 32768));
}

/* The model routes: parse, check, answer, then maybe fault and delay. */
static void answer_model_route(struct sim_service *svc, const char *body, size_t len,
			       struct sim_answer *a)
{
	const struct sim_config *cfg = svc->cfg;
	enum sim_fault_kind fault;
	char *canonical = NULL;
	size_t clen;
	json_t *root = NULL;

	if (sim_request_parse(body, len, &root, &canonical, &clen, a) ||
	    sim_request_check_model(root, cfg, a))
		goto out;
	if (a->route == SIM_ROUTE_CHAT)
		sim_chat_answer(root, canonical, clen, cfg, a);
	else if (a->route == SIM_ROUTE_CLASSIFY)
		sim_reward_classify(root, cfg, a);
	else if (!sim_prm_pooling(root, cfg, a)) /* a step-tag PRM, else the reward model */
		sim_reward_pooling(root, cfg, a);
	if (a->status != 200)
		goto out;
	a->delay += cfg->latency_ms / 1000.0;
	fault = sim_faults_decide(&svc->faults, a->route, canonical, clen);
	sim_metrics_fault(&svc->metrics, fault);
	sim_fault_apply(a, fault, cfg, hash64(canonical, clen, cfg->seed));
out:
	json_decref(root);
	free(canonical);
}

void sim_routes_handle(struct sim_service *svc, const char *method, const char *path,
		       const char *auth, const char *body, size_t len, int oversize,
		       struct sim_answer *a)
{
	enum sim_route r = a->route;

	if (r == SIM_ROUTE_OTHER) {
		sim_answer_error(a, 404, "not_found_error", NULL, NULL, "no route for this path");
		return;
	}
	if (strcmp(method, route_method(r))) {
		sim_answer_error(a, 405, "invalid_request_error", NULL, NULL,
				 "method not allowed: use %s", route_method(r));
		return;
	}
	if (!authorised(svc->cfg, r, auth)) {
		sim_answer_error(a, 401, "invalid_request_error", NULL, "invalid_api_key",
				 "Incorrect API key provided.");
		return;
	}
	if (oversize) {
		sim_answer_error(a, 413, "invalid_request_error", NULL, NULL,
				 "request body too large");
		return;
	}
	switch (r) {
	case SIM_ROUTE_MODELS:
		answer_models(svc->cfg, a);
		break;
	case SIM_ROUTE_HEALTH:
		sim_answer_json(a, 200, json_pack("{s:s}", "status", "ok"));
		break;
	case SIM_ROUTE_METRICS:
		sim_answer_json(a, 200, sim_metrics_json(&svc->metrics));
		break;
	case SIM_ROUTE_METRICS_RESET:
		sim_metrics_reset(&svc->metrics);
		sim_faults_reset(&svc->faults);
		sim_answer_json(a, 200, json_pack("{s:s}", "status", "reset"));
		break;
	default:
		answer_model_route(svc, body, len, a);
		break;
	}
}
