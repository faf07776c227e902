/*
 * sim_config.h — everything smelt-sim's command line sets, in one struct
 * the server and every route handler read (never write) while serving.
 */
#ifndef SMELT_SIM_CONFIG_H
#define SMELT_SIM_CONFIG_H

#include <stdint.h>

#include "sim/sim_fault.h"

struct sim_config {
	const char *host;		/* listen address (IPv4 or IPv6 literal) */
	long port;			/* 0 = any free port */
	uint64_t seed;			/* server seed: mixed into every draw */
	const char *model;		/* the served model id */
	const char *api_key;		/* NULL = no authentication */
	uint64_t max_body;		/* largest request body; beyond it 413 */
	long idle_timeout;		/* seconds a connection may sit idle; 0 = forever */
	long max_connections;		/* 0 = as many as the open-file limit allows */
	double latency_ms;		/* fixed delay of every successful answer */
	double per_token_ms;		/* plus this per completion token */
	long threads;			/* MHD worker threads */
	uint64_t max_image_bytes;	/* decoded data: URI limit; 0 = none */
	double fault_rate[SIM_FAULT_KINDS];
	long retry_after;		/* seconds, in 429 answers */
	double stall_seconds;
	double condor_malformed;	/* rate of malformed Condor replies */
	double condor_drop_level;	/* rate of question replies lacking one level */
	double step_error;		/* per-step error rate of the solver */
	int pooling_scalar;		/* /pooling data: score instead of [score] */
	double sloppy_ending;		/* rate of solutions ending without a committed answer */
	double prm_noise;		/* PRM: std. dev. of the noise on the logit of P("+") */
};

static inline void sim_config_init(struct sim_config *c)
{
	*c = (struct sim_config){
		.host = "127.0.0.1",
		.model = "smelt-sim",
		.threads = 2, /* one epoll thread was seen to stall on bursts of new connections */
		.max_image_bytes = 20u << 20,
		/* A body is held whole until answered, so this times the number
		 * of connections bounds memory; 64 MiB still holds two images of
		 * the default max_image_bytes in base64. */
		.max_body = 64u << 20,
		.idle_timeout = 60,
		.retry_after = 1,
		.stall_seconds = 30,
		.step_error = 0.1,
		.prm_noise = 1.0,
	};
}

#endif
