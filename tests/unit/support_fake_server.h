/*
 * support_fake_server.h — a loopback OpenAI-compatible HTTP server for the
 * unit tests of the LLM engine (libmicrohttpd, a thread per connection),
 * so that retries, limits, routes and fatal errors are tested against
 * real HTTP without smelt-sim.
 *
 * Two ways to choose the answer:
 *
 *  FAKE_BY_BODY  the digit after "mode" in the request body picks it
 *                (test_llm_engine.c): 0 and 7+ ok (7 holds the request
 *                30 ms and counts the peak in flight), 1 a 429 with a
 *                Retry-After date two seconds ahead then ok, 2 a malformed
 *                body then ok, 3 no choices, 4 lasting 503s, 5 a 400 that
 *                echoes the Authorization header, 6 a 401 naming
 *                FAKE_SERVER_KEY.
 *  FAKE_BY_PATH  the URL path picks it (test_llm_route.c):
 *                /v1/chat/completions a completion, /pooling a pooling
 *                answer, /empty {"data": []}, anything else 404.
 *
 * One server per test program, started by the group setup and stopped by
 * its teardown.
 */
#ifndef SMELT_SUPPORT_FAKE_SERVER_H
#define SMELT_SUPPORT_FAKE_SERVER_H

#define FAKE_SERVER_KEY "sk-test-ECHO-4242"
#define FAKE_MODES 16

enum fake_server_mode { FAKE_BY_BODY, FAKE_BY_PATH };

/* What arrived since the start or the last fake_server_reset. */
struct fake_server_counts {
	int mode[FAKE_MODES];      /* FAKE_BY_BODY: requests per mode */
	int peak;                  /* FAKE_BY_BODY: most mode-7 requests at once */
	int chat, pooling, empty;  /* FAKE_BY_PATH: requests per path */
};

/* The answers it gives: a chat completion ("fine") and a pooling answer ([0.25]). */
extern const char fake_server_chat_body[], fake_server_pooling_body[];

/* Start the server; returns its root URL, "http://127.0.0.1:PORT" (static). Aborts on failure. */
const char *fake_server_start(enum fake_server_mode mode);
void fake_server_stop(void);

/* A snapshot of the counts. */
struct fake_server_counts fake_server_counts(void);
void fake_server_reset(void);

#endif
