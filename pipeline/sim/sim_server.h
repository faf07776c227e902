/*
 * sim_server.h — smelt-sim's HTTP server (libmicrohttpd, epoll, internal
 * threads). Slow answers (simulated latency, stalls) suspend their
 * connection and a timer resumes it, so a thousand slow requests cost no
 * threads and never delay each other.
 */
#ifndef SMELT_SIM_SERVER_H
#define SMELT_SIM_SERVER_H

#include "sim/sim_config.h"

struct sim_server;

/*
 * Raise the open-file limit, bind cfg->host:cfg->port and start serving.
 * cfg is borrowed and must outlive the server. Returns a new server, or
 * NULL with error() on failure.
 */
struct sim_server *sim_server_start(const struct sim_config *cfg);
/* The bound port (useful when cfg->port was 0). */
unsigned sim_server_port(const struct sim_server *s);
/* Close suspended connections, stop the threads and free. NULL is a no-op. */
void sim_server_stop(struct sim_server *s);

#endif
