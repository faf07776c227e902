/*
 * stage_stop.c — the signal handler behind stage_stop.h.
 *
 * Everything the handler touches is set before it can run or is written
 * by the handler itself, and it calls only async-signal-safe functions:
 * clock_gettime, alarm, unlink (through atomic_file_unlink_all), write,
 * _exit. The message is built in a local buffer by hand (no stdio).
 */
#include "stage/stage_stop.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/util.h"

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

static volatile sig_atomic_t stop_sig;  /* the first stop signal, or 0 */
static volatile sig_atomic_t graceful;
static struct timespec stop_at;         /* when stop_sig was set */
static double grace_seconds;
static unsigned alarm_seconds;
static char prog[64] = "smelt";
static char hint[512];

static const char *sig_name(int sig)
{
	switch (sig) {
	case SIGINT: return "SIGINT";
	case SIGTERM: return "SIGTERM";
	case SIGHUP: return "SIGHUP";
	case SIGALRM: return "SIGALRM";
	}
	return "a signal";
}

static size_t add(char *buf, size_t len, size_t cap, const char *s)
{
	while (*s && len + 1 < cap)
		buf[len++] = *s++;
	return len;
}

/* "PROG: stopped by SIGTERM[ (what)][; hint]\n" on fd 2, async-signal-safe. */
static void say(int sig, const char *what)
{
	char line[768];
	size_t n = 0;

	n = add(line, n, sizeof(line), prog);
	n = add(line, n, sizeof(line), ": stopped by ");
	n = add(line, n, sizeof(line), sig_name(sig));
	if (what) {
		n = add(line, n, sizeof(line), " (");
		n = add(line, n, sizeof(line), what);
		n = add(line, n, sizeof(line), ")");
	}
	if (hint[0]) {
		n = add(line, n, sizeof(line), "; ");
		n = add(line, n, sizeof(line), hint);
	}
	line[n++] = '\n';
	while (write(2, line, n) < 0 && errno == EINTR)
		;
}

static void on_signal(int sig)
{
	int saved = errno, first = stop_sig;

	if (sig == SIGALRM && !first) {
		errno = saved;
		return; /* not ours to act on */
	}
	if (sig != SIGALRM && graceful && !first) {
		clock_gettime(CLOCK_MONOTONIC, &stop_at);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		stop_sig = sig;
		alarm(alarm_seconds);
		errno = saved;
		return;
	}
	atomic_file_unlink_all();
	if (sig == SIGALRM) {
		say(first, "the grace period is over");
		_exit(128 + first);
	}
	say(sig, first ? "a second signal" : NULL);
	_exit(128 + sig);
}

void stage_stop_init(const char *name)
{
	struct sigaction sa;

	snprintf(prog, sizeof(prog), "%s", name);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* reads restart: a stage stuck in one is the alarm's business */
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaddset(&sa.sa_mask, stop_signals[i]);
	sigaddset(&sa.sa_mask, SIGALRM);
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++) {
		struct sigaction old;
		if (sigaction(stop_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(stop_signals[i], &sa, NULL);
	}
	sigaction(SIGALRM, &sa, NULL);
}

void stage_stop_graceful(double grace, const char *text)
{
	sigset_t set, old;

	/* no signal may see half a hint */
	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaddset(&set, stop_signals[i]);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	snprintf(hint, sizeof(hint), "%s", text ? text : "");
	grace_seconds = grace;
	alarm_seconds = (unsigned)ceil(grace) + STAGE_STOP_MARGIN;
	graceful = 1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int stage_stop_signal(void)
{
	return stop_sig;
}

int stage_stop_grace_over(void)
{
	struct timespec now;

	if (!stop_sig)
		return 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - stop_at.tv_sec) + (now.tv_nsec - stop_at.tv_nsec) / 1e9 >=
	       grace_seconds;
}

void stage_stop_report(void)
{
	if (stop_sig)
		say(stop_sig, NULL);
}
