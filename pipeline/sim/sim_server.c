/*
 * sim_server.c — libmicrohttpd glue. A request's body is gathered into a
 * per-request context; on the final callback the routes build the answer.
 * An answer with a delay suspends the connection and a timer callback
 * resumes it; on resumption MHD calls the handler again and the stored
 * answer is sent. A "truncated" answer uses a content reader that ends
 * with an error halfway through a body whose full length was announced.
 *
 * Limits keep a client from holding the server's memory or descriptors: a
 * body over cfg->max_body is answered 413, before it is sent when the client
 * waits for "100 Continue", else after it was read and dropped (never held);
 * idle connections are closed after cfg->idle_timeout, and at most
 * cfg->max_connections are open at once.
 */
#include "sim/sim_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "core/sbuf.h"
#include "sim/sim_routes.h"
#include "sim/sim_timer.h"
#include "core/util.h"

struct sim_server {
	struct sim_service svc;
	struct MHD_Daemon *daemon;
	struct sim_timer *timer;
	pthread_mutex_t lock;
	pthread_cond_t idle;
	long suspended;		/* connections waiting for the timer */
	int stopping;
	unsigned port;
};

struct request_ctx {
	struct sim_server *srv;
	struct MHD_Connection *conn;
	struct sbuf body;
	int oversize;
	int answered;		/* ans is built */
	int waiting;		/* suspended until the timer resumes it */
	struct sim_answer ans;
};

struct cut_body {
	char *data;
	size_t cut;
};

static ssize_t read_cut_body(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct cut_body *cb = cls;
	size_t n;

	if (pos >= cb->cut)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	n = cb->cut - (size_t)pos;
	if (n > max)
		n = max;
	memcpy(buf, cb->data + pos, n);
	return (ssize_t)n;
}

static void free_cut_body(void *cls)
{
	struct cut_body *cb = cls;

	free(cb->data);
	free(cb);
}

static enum MHD_Result send_answer(struct request_ctx *rc)
{
	struct sim_answer *a = &rc->ans;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t len = a->body.len;
	char num[32];

	sim_metrics_answered(&rc->srv->svc.metrics, a);
	if (a->send == SIM_SEND_NOTHING)
		return MHD_NO;
	if (a->send == SIM_SEND_TRUNCATED) {
		struct cut_body *cb = xmalloc(sizeof(*cb));

		cb->cut = len / 2;
		cb->data = sbuf_detach(&a->body, NULL);
		resp = MHD_create_response_from_callback(len, 4096, read_cut_body, cb, free_cut_body);
	} else {
		resp = MHD_create_response_from_buffer_with_free_callback(
			len, sbuf_detach(&a->body, NULL), free);
	}
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	if (a->retry_after > 0) {
		snprintf(num, sizeof(num), "%ld", a->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, num);
	}
	ret = MHD_queue_response(rc->conn, (unsigned)a->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void resume_request(void *arg)
{
	struct request_ctx *rc = arg;

	MHD_resume_connection(rc->conn);
}

/* Hold the connection for the answer's delay; 0 if it must be sent now. */
static int suspend_request(struct request_ctx *rc)
{
	struct sim_server *srv = rc->srv;
	int held = 0;

	pthread_mutex_lock(&srv->lock);
	if (!srv->stopping) {
		rc->waiting = 1;
		srv->suspended++;
		MHD_suspend_connection(rc->conn);
		sim_timer_add(srv->timer, rc->ans.delay, resume_request, rc);
		held = 1;
	}
	pthread_mutex_unlock(&srv->lock);
	return held;
}

static void request_resumed(struct request_ctx *rc)
{
	struct sim_server *srv = rc->srv;

	pthread_mutex_lock(&srv->lock);
	rc->waiting = 0;
	if (!--srv->suspended)
		pthread_cond_broadcast(&srv->idle);
	pthread_mutex_unlock(&srv->lock);
}

/*
 * 1 if the request's Content-Length is over max and the client waits for
 * "100 Continue" before sending the body: it can then be refused from the
 * headers. A client that sends at once would meet a closed connection in
 * mid-upload and often never read the 413, so its body is read and dropped.
 */
static int refuse_before_body(struct MHD_Connection *conn, uint64_t max)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *expect = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_EXPECT);
	unsigned long long n;
	char *end;

	if (!cl || !expect || strcasecmp(expect, "100-continue"))
		return 0;
	/* MHD has already refused a malformed one; too large reads as the maximum. */
	n = strtoull(cl, &end, 10);
	return end != cl && n > max;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_size, void **req_cls)
{
	struct sim_server *srv = cls;
	struct request_ctx *rc = *req_cls;
	const char *auth;

	(void)version;
	if (!rc) {
		rc = xcalloc(1, sizeof(*rc));
		rc->srv = srv;
		rc->conn = conn;
		sbuf_init(&rc->body, 0);
		sim_answer_init(&rc->ans, sim_routes_match(url));
		sim_metrics_request(&srv->svc.metrics, rc->ans.route);
		*req_cls = rc;
		if (!refuse_before_body(conn, srv->svc.cfg->max_body))
			return MHD_YES;
		/* Answer now: MHD closes the connection after the 413 and
		 * the client never sends the body. */
		rc->oversize = 1;
	} else if (*upload_size) {
		if (!rc->oversize && rc->body.len + *upload_size > srv->svc.cfg->max_body) {
			/* A response cannot be queued while MHD hands us body
			 * data: drop it all and answer 413 at the end. */
			rc->oversize = 1;
			sbuf_release(&rc->body);
		}
		if (!rc->oversize)
			sbuf_add(&rc->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (rc->waiting) {
		request_resumed(rc);
		return send_answer(rc);
	}
	if (rc->answered)
		return MHD_NO;
	auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	sim_routes_handle(&srv->svc, method, url, auth, rc->body.buf, rc->body.len,
			  rc->oversize, &rc->ans);
	rc->answered = 1;
	if (rc->ans.delay > 0 && suspend_request(rc))
		return MHD_YES;
	return send_answer(rc);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct request_ctx *rc = *req_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (!rc)
		return;
	sbuf_release(&rc->body);
	sim_answer_release(&rc->ans);
	free(rc);
	*req_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct sim_server *srv = cls;

	(void)conn;
	(void)socket_ctx;
	sim_metrics_connection(&srv->svc.metrics, toe == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1);
}

/*
 * libmicrohttpd's messages, with the two it prints for our own deliberate
 * faults (a handler refusing to answer, a body reader failing) left out.
 */
static void on_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	if (strstr(msg, "Application reported internal error") ||
	    strstr(msg, "application reported error generating data"))
		return;
	warning("http: %s", msg);
}

/* Raise the soft open-file limit to the hard one; returns the new limit. */
static long raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1000000)
		return 1000000;
	return (long)rl.rlim_cur;
}

static int make_address(const char *host, unsigned port, struct sockaddr_storage *ss, int *v6)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	*v6 = strchr(host, ':') != NULL;
	if (*v6) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1)
			return 0;
	} else {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &in4->sin_addr) == 1)
			return 0;
	}
	return error("invalid listen address '%s' (give an IPv4 or IPv6 literal)", host);
}

static struct MHD_Daemon *start_daemon(struct sim_server *srv, unsigned flags,
				       struct sockaddr_storage *addr, long limit)
{
	struct MHD_OptionItem opts[] = {
		{ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_log, NULL },	/* must be first */
		{ MHD_OPTION_SOCK_ADDR, 0, addr },
		{ MHD_OPTION_CONNECTION_LIMIT, limit, NULL },
		{ MHD_OPTION_CONNECTION_TIMEOUT, srv->svc.cfg->idle_timeout, NULL },
		{ MHD_OPTION_LISTEN_BACKLOG_SIZE, 4096, NULL },
		{ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL },
		{ MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, srv },
		{ MHD_OPTION_THREAD_POOL_SIZE, srv->svc.cfg->threads, NULL },
		{ MHD_OPTION_END, 0, NULL },
	};

	/* The pool option (last) is passed only when wanted: MHD warns about 0. */
	if (srv->svc.cfg->threads <= 1)
		opts[ARRAY_SIZE(opts) - 2].option = MHD_OPTION_END;
	return MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
				MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
}

struct sim_server *sim_server_start(const struct sim_config *cfg)
{
	struct sim_server *srv;
	struct sockaddr_storage addr;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
			 MHD_USE_ERROR_LOG;
	long nofile = raise_nofile(), limit;
	int v6;

	if (make_address(cfg->host, (unsigned)cfg->port, &addr, &v6))
		return NULL;
	if (v6)
		flags |= MHD_USE_IPv6;
	/* Leave room for the listening socket, epoll, pipes and stdio. */
	limit = nofile > 128 ? nofile - 64 : nofile / 2;
	if (cfg->max_connections > limit)
		warning("--max-connections %ld is more than the open-file limit allows: using %ld",
			cfg->max_connections, limit);
	else if (cfg->max_connections > 0)
		limit = cfg->max_connections;
	srv = xcalloc(1, sizeof(*srv));
	sim_service_init(&srv->svc, cfg);
	pthread_mutex_init(&srv->lock, NULL);
	pthread_cond_init(&srv->idle, NULL);
	srv->timer = sim_timer_new();
	if (!srv->timer)
		goto fail;
	srv->daemon = start_daemon(srv, flags, &addr, limit);
	if (!srv->daemon) {
		error("cannot listen on %s port %ld: %s", cfg->host, cfg->port, strerror(errno));
		goto fail;
	}
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : (unsigned)cfg->port;
	return srv;
fail:
	sim_timer_free(srv->timer);
	sim_service_release(&srv->svc);
	pthread_cond_destroy(&srv->idle);
	pthread_mutex_destroy(&srv->lock);
	free(srv);
	return NULL;
}

unsigned sim_server_port(const struct sim_server *s)
{
	return s->port;
}

void sim_server_stop(struct sim_server *s)
{
	struct timespec ts;

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = 1;
	pthread_mutex_unlock(&s->lock);
	/* MHD must not be stopped with connections still suspended. */
	sim_timer_flush(s->timer);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	pthread_mutex_lock(&s->lock);
	while (s->suspended)
		if (pthread_cond_timedwait(&s->idle, &s->lock, &ts) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&s->lock);
	MHD_stop_daemon(s->daemon);
	sim_timer_free(s->timer);
	sim_service_release(&s->svc);
	pthread_cond_destroy(&s->idle);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
