/*
 * sim_answer.h — one HTTP answer of smelt-sim as the route handlers build
 * it and the server sends it: status, JSON body, how to send it (whole,
 * cut short, or not at all), how long to hold it first, and the figures
 * the metrics record once it has gone out.
 */
#ifndef SMELT_SIM_ANSWER_H
#define SMELT_SIM_ANSWER_H

#include <jansson.h>

#include "core/hash.h"
#include "core/sbuf.h"
#include "core/util.h"

enum sim_route {
	SIM_ROUTE_MODELS,
	SIM_ROUTE_CHAT,
	SIM_ROUTE_POOLING,
	SIM_ROUTE_CLASSIFY,
	SIM_ROUTE_HEALTH,
	SIM_ROUTE_METRICS,
	SIM_ROUTE_METRICS_RESET,
	SIM_ROUTE_OTHER,
	SIM_ROUTE_COUNT
};

/* The route's name in metrics ("/v1/chat/completions", ..., "other"). */
const char *sim_route_name(enum sim_route r);

enum sim_send {
	SIM_SEND_FULL,		/* status + whole body */
	SIM_SEND_TRUNCATED,	/* status 200, full Content-Length, body cut halfway */
	SIM_SEND_NOTHING,	/* close the connection without a response */
};

struct sim_answer {
	enum sim_route route;
	int status;
	struct sbuf body;
	enum sim_send send;
	double delay;		/* seconds to hold the connection first */
	long retry_after;	/* Retry-After header (seconds); 0 = none */
	/* Tokens of a clean 200 answer (completion or pooling), else 0: */
	long prompt_tokens, completion_tokens;
	/* Set only on a cleanly answered chat completion: */
	int completion;
	struct hash128 key;	/* hash of the canonical request body */
	long generations;	/* n */
};

void sim_answer_init(struct sim_answer *a, enum sim_route route);
void sim_answer_release(struct sim_answer *a);

/* Replace the answer with `status` and body (serialised; reference stolen). */
void sim_answer_json(struct sim_answer *a, int status, json_t *body);

/*
 * Replace the answer with an OpenAI-style error:
 * {"error":{"message","type","param","code"}}; param and code may be NULL.
 */
void sim_answer_error(struct sim_answer *a, int status, const char *type,
		      const char *param, const char *code, const char *fmt, ...)
	PRINTF_LIKE(6, 7);

#endif
