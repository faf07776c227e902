/*
 * support_fake_server.c — the unit tests' loopback HTTP server (see
 * support_fake_server.h). Each request's body is gathered across the
 * upload callbacks, then the mode picks the answer.
 */
#include "support_fake_server.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

static struct MHD_Daemon *daemon_;
static enum fake_server_mode how;
static char root[64];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct fake_server_counts counts;
static int active;

struct upload {
	char *data;
	size_t len;
};

const char fake_server_chat_body[] =
	"{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"fine\"}}],"
	"\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}";
const char fake_server_pooling_body[] = "{\"data\":[{\"index\":0,\"data\":[0.25]}],\"usage\":{\"prompt_tokens\":4}}";

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *body,
			     const char *retry_after)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
								 MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	MHD_add_response_header(r, "Content-Type", "application/json");
	if (retry_after)
		MHD_add_response_header(r, "Retry-After", retry_after);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result by_path(struct MHD_Connection *c, const char *url)
{
	pthread_mutex_lock(&mu);
	if (!strcmp(url, "/v1/chat/completions"))
		counts.chat++;
	else if (!strcmp(url, "/pooling"))
		counts.pooling++;
	else if (!strcmp(url, "/empty"))
		counts.empty++;
	pthread_mutex_unlock(&mu);
	if (!strcmp(url, "/v1/chat/completions"))
		return reply(c, 200, fake_server_chat_body, NULL);
	if (!strcmp(url, "/pooling"))
		return reply(c, 200, fake_server_pooling_body, NULL);
	if (!strcmp(url, "/empty"))
		return reply(c, 200, "{\"data\":[]}", NULL);
	return reply(c, 404, "{\"error\":{\"message\":\"Not Found\"}}", NULL);
}

static enum MHD_Result by_body(struct MHD_Connection *c, const char *body)
{
	const char *m = body ? strstr(body, "mode") : NULL;
	int mode = m && m[4] >= '0' && m[4] <= '9' ? m[4] - '0' : 0, k;
	char msg[256], date[64];

	/* Only the concurrency test's requests (mode 7) count towards the
	 * peak: a straggler from an earlier test must not inflate it. */
	pthread_mutex_lock(&mu);
	k = counts.mode[mode]++;
	if (mode == 7 && ++active > counts.peak)
		counts.peak = active;
	pthread_mutex_unlock(&mu);
	if (mode == 7) {
		usleep(30000);
		pthread_mutex_lock(&mu);
		active--;
		pthread_mutex_unlock(&mu);
	}
	switch (mode) {
	case 1: { /* 429 until a Retry-After date two seconds ahead */
		time_t t = time(NULL) + 2;
		strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", gmtime(&t));
		if (k == 0)
			return reply(c, 429, "{\"error\":{\"message\":\"slow down\"}}", date);
		return reply(c, 200, fake_server_chat_body, NULL);
	}
	case 2: /* malformed once */
		return reply(c, 200, k == 0 ? "{\"choices\": [" : fake_server_chat_body, NULL);
	case 3:
		return reply(c, 200, "{\"choices\":[]}", NULL);
	case 4:
		return reply(c, 503, "{\"error\":{\"message\":\"overloaded\"}}", NULL);
	case 5: /* echoes the key */
		snprintf(msg, sizeof(msg), "{\"error\":{\"message\":\"bad request with %s\"}}",
			 MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"));
		return reply(c, 400, msg, NULL);
	case 6:
		return reply(c, 401, "{\"error\":{\"message\":\"Incorrect API key provided: "
			     FAKE_SERVER_KEY "\"}}", NULL);
	default:
		return reply(c, 200, fake_server_chat_body, NULL);
	}
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *data,
			       size_t *size, void **con_cls)
{
	struct upload *u = *con_cls;

	if (!u) {
		*con_cls = calloc(1, sizeof(struct upload));
		return MHD_YES;
	}
	if (*size) {
		u->data = realloc(u->data, u->len + *size + 1);
		memcpy(u->data + u->len, data, *size);
		u->len += *size;
		u->data[u->len] = '\0';
		*size = 0;
		return MHD_YES;
	}
	return how == FAKE_BY_PATH ? by_path(c, url) : by_body(c, u->data);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct upload *u = *con_cls;

	if (u) {
		free(u->data);
		free(u);
	}
	*con_cls = NULL;
}

const char *fake_server_start(enum fake_server_mode mode)
{
	how = mode;
	fake_server_reset();
	daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
				   MHD_USE_ERROR_LOG, 0, NULL, NULL, handler, NULL,
				   MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
				   MHD_OPTION_CONNECTION_LIMIT, 2000u, MHD_OPTION_END);
	if (!daemon_) {
		fprintf(stderr, "fake server: cannot start\n");
		abort();
	}
	snprintf(root, sizeof(root), "http://127.0.0.1:%u",
		 MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT)->port);
	return root;
}

void fake_server_stop(void)
{
	MHD_stop_daemon(daemon_);
	daemon_ = NULL;
}

struct fake_server_counts fake_server_counts(void)
{
	struct fake_server_counts c;

	pthread_mutex_lock(&mu);
	c = counts;
	pthread_mutex_unlock(&mu);
	return c;
}

void fake_server_reset(void)
{
	pthread_mutex_lock(&mu);
	memset(&counts, 0, sizeof(counts));
	pthread_mutex_unlock(&mu);
}
