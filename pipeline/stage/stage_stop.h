/*
 * stage_stop.h — what SIGINT, SIGTERM and SIGHUP do to a stage.
 *
 * Every stage (stage_init installs the handler) stops at once by default:
 * the handler unlinks every temporary (core/atomic_file.h), so no output
 * appears at its final name, says so in one line and _exit()s with 128 +
 * the signal. Standard output keeps what was already written.
 *
 * A model-calling stage asks for a graceful stop (stage_stop_graceful,
 * from the LLM loop): the first signal only raises a flag. The stage stops
 * reading input, lets requests in flight finish for up to the grace period
 * (their answers reach the cache as they arrive), abandons the rest,
 * removes its temporaries, prints how to resume, and exits 128 + the
 * signal through stage_finish. A second signal stops at once; so does the
 * grace period plus STAGE_STOP_MARGIN seconds (an alarm), whatever the
 * stage is stuck in.
 *
 * A signal that was ignored when the stage started (`nohup`, `cmd &` in a
 * script) stays ignored.
 */
#ifndef SMELT_STAGE_STOP_H
#define SMELT_STAGE_STOP_H

/* Seconds the alarm allows past the grace period for the orderly exit. */
#define STAGE_STOP_MARGIN 5

/* Install the handlers; `prog` prefixes the handler's message. */
void stage_stop_init(const char *prog);

/*
 * Stop gracefully from now on, giving requests in flight `grace` seconds.
 * `hint` (copied) is the resume advice printed on stopping.
 */
void stage_stop_graceful(double grace, const char *hint);

/* The signal that asked the stage to stop, or 0. Any thread. */
int stage_stop_signal(void);

/* 1 once the grace period since the stop signal is over. */
int stage_stop_grace_over(void);

/* The one line said on a graceful stop ("PROG: stopped by SIGTERM; HINT"). */
void stage_stop_report(void);

#endif
