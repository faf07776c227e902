/*
 * sim_answer.c — building answers: JSON bodies are always serialised by
 * jansson so user text echoed in an error message is escaped properly.
 */
#include "sim/sim_answer.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const route_names[SIM_ROUTE_COUNT] = {
	[SIM_ROUTE_MODELS] = "/v1/models",
	[SIM_ROUTE_CHAT] = "/v1/chat/completions",
	[SIM_ROUTE_POOLING] = "/pooling",
	[SIM_ROUTE_CLASSIFY] = "/classify",
	[SIM_ROUTE_HEALTH] = "/health",
	[SIM_ROUTE_METRICS] = "/metrics",
	[SIM_ROUTE_METRICS_RESET] = "/metrics/reset",
	[SIM_ROUTE_OTHER] = "other",
};

const char *sim_route_name(enum sim_route r)
{
	return route_names[r];
}

void sim_answer_init(struct sim_answer *a, enum sim_route route)
{
	memset(a, 0, sizeof(*a));
	a->route = route;
	a->status = 200;
	sbuf_init(&a->body, 0);
}

void sim_answer_release(struct sim_answer *a)
{
	sbuf_release(&a->body);
}

void sim_answer_json(struct sim_answer *a, int status, json_t *body)
{
	char *s = json_dumps(body, JSON_COMPACT);

	if (!s)
		die("cannot serialise a JSON answer");
	sbuf_reset(&a->body);
	sbuf_addstr(&a->body, s);
	free(s);
	json_decref(body);
	a->status = status;
	a->completion = 0;
	a->prompt_tokens = a->completion_tokens = 0;
}

void sim_answer_error(struct sim_answer *a, int status, const char *type,
		      const char *param, const char *code, const char *fmt, ...)
{
	struct sbuf msg = SBUF_INIT;
	json_t *message;
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	/* json_string refuses invalid UTF-8; a message is never worth a crash. */
	message = json_string(msg.buf);
	if (!message)
		message = json_string("invalid request");
	sim_answer_json(a, status, json_pack("{s:{s:o, s:s, s:s?, s:s?}}", "error",
					     "message", message, "type", type,
					     "param", param, "code", code));
	sbuf_release(&msg);
}
