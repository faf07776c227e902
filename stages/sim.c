/*
 * smelt-sim — a local OpenAI-compatible server that simulates the models
 * smelt's pipelines talk to (deterministic replies, reward scores, fault
 * injection), for tests, demos and dry runs without a GPU. This main only
 * parses options, starts the server, prints the port and waits for
 * SIGINT/SIGTERM; `--make-problems` instead prints generated arithmetic
 * problems. See stages/README-sim.md.
 */
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sbuf.h"
#include "sim/sim_arith.h"
#include "sim/sim_config.h"
#include "sim/sim_server.h"
#include "core/util.h"

static const char usage_text[] =
"usage: smelt-sim [--port P] [--host ADDR] [--seed S] [--model NAME] [options]\n"
"       smelt-sim --make-problems N [--seed S] [--images]\n"
"\n"
"A simulator, not a model: serves the OpenAI API subset smelt uses\n"
"(/v1/models, /v1/chat/completions, /pooling, /classify, /health, /metrics)\n"
"with deterministic replies and optional fault injection.\n"
"\n"
"  --port P              listen port; 0 picks a free one (default 0);\n"
"                        the first stdout line is `port N`\n"
"  --host ADDR           listen address (default 127.0.0.1)\n"
"  --seed S              server seed mixed into every reply (default 0)\n"
"  --model NAME          served model id (default smelt-sim)\n"
"  --api-key K           require `Authorization: Bearer K` (K shows in ps:\n"
"                        prefer --api-key-env)\n"
"  --api-key-env NAME    the same, with K read from the variable NAME\n"
"  --max-body SZ         largest request body, else 413 (default 64M)\n"
"  --idle-timeout S      close a connection idle for S seconds (default 60;\n"
"                        0 = never)\n"
"  --max-connections N   connections open at once (default: what the\n"
"                        open-file limit allows)\n"
"  --latency-ms F        delay of every successful answer\n"
"  --per-token-ms T      plus T ms per token of the longest choice\n"
"  --threads N           server threads (default 2)\n"
"  --max-image-bytes SZ  largest decoded data: URI image (default 20M)\n"
"  --fault-429 R         rate of 429 answers (with Retry-After)\n"
"  --retry-after S       Retry-After seconds (default 1)\n"
"  --fault-5xx R         rate of 500/502/503 answers\n"
"  --fault-stall R       rate of connections held unanswered, then closed\n"
"  --stall-seconds S     how long a stall holds (default 30)\n"
"  --fault-truncate R    rate of 200 answers cut short mid-body\n"
"  --fault-malformed R   rate of 200 answers whose body is not JSON\n"
"  --fault-drop R        rate of connections closed without an answer\n"
"  --condor-malformed R  rate of malformed Condor-style replies\n"
"  --condor-drop-level R rate of Condor question replies lacking one level\n"
"  --step-error P        per-step error rate of the arithmetic solver (default 0.1)\n"
"  --pooling-shape SHAPE list (data: [score], default) or scalar (data: score)\n"
"  --sloppy-ending R     rate of solutions ending in a recheck, not a final answer\n"
"  --prm-noise S         PRM requests: noise (std. dev.) on the logit of P(\"+\") (default 1)\n"
"  --make-problems N     print N arithmetic word problems as JSONL and exit\n"
"  --images              with --make-problems: attach a tiny PNG to each\n"
"\n"
"example:\n"
"  smelt-sim --port 0 --fault-429 0.2 > sim.out &   # then read `port N` from sim.out\n";

enum {
	OPT_PORT = 256, OPT_HOST, OPT_SEED, OPT_MODEL, OPT_API_KEY, OPT_LATENCY,
	OPT_PER_TOKEN, OPT_THREADS, OPT_MAX_IMAGE, OPT_RETRY_AFTER, OPT_STALL_SECONDS,
	OPT_CONDOR_MALFORMED, OPT_CONDOR_DROP_LEVEL, OPT_STEP_ERROR, OPT_POOLING_SHAPE, OPT_MAKE_PROBLEMS,
	OPT_IMAGES, OPT_VERSION, OPT_API_KEY_ENV, OPT_MAX_BODY, OPT_IDLE_TIMEOUT,
	OPT_MAX_CONNECTIONS, OPT_SLOPPY_ENDING, OPT_PRM_NOISE,
	OPT_FAULT = 512,	/* + enum sim_fault_kind */
};

static const struct option long_options[] = {
	{ "port", required_argument, NULL, OPT_PORT },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "model", required_argument, NULL, OPT_MODEL },
	{ "api-key", required_argument, NULL, OPT_API_KEY },
	{ "api-key-env", required_argument, NULL, OPT_API_KEY_ENV },
	{ "max-body", required_argument, NULL, OPT_MAX_BODY },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
	{ "max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS },
	{ "latency-ms", required_argument, NULL, OPT_LATENCY },
	{ "per-token-ms", required_argument, NULL, OPT_PER_TOKEN },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "max-image-bytes", required_argument, NULL, OPT_MAX_IMAGE },
	{ "fault-drop", required_argument, NULL, OPT_FAULT + SIM_FAULT_DROP },
	{ "fault-stall", required_argument, NULL, OPT_FAULT + SIM_FAULT_STALL },
	{ "fault-429", required_argument, NULL, OPT_FAULT + SIM_FAULT_429 },
	{ "fault-5xx", required_argument, NULL, OPT_FAULT + SIM_FAULT_5XX },
	{ "fault-truncate", required_argument, NULL, OPT_FAULT + SIM_FAULT_TRUNCATE },
	{ "fault-malformed", required_argument, NULL, OPT_FAULT + SIM_FAULT_MALFORMED },
	{ "retry-after", required_argument, NULL, OPT_RETRY_AFTER },
	{ "stall-seconds", required_argument, NULL, OPT_STALL_SECONDS },
	{ "condor-malformed", required_argument, NULL, OPT_CONDOR_MALFORMED },
	{ "condor-drop-level", required_argument, NULL, OPT_CONDOR_DROP_LEVEL },
	{ "step-error", required_argument, NULL, OPT_STEP_ERROR },
	{ "pooling-shape", required_argument, NULL, OPT_POOLING_SHAPE },
	{ "sloppy-ending", required_argument, NULL, OPT_SLOPPY_ENDING },
	{ "prm-noise", required_argument, NULL, OPT_PRM_NOISE },
	{ "make-problems", required_argument, NULL, OPT_MAKE_PROBLEMS },
	{ "images", no_argument, NULL, OPT_IMAGES },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

__attribute__((noreturn)) PRINTF_LIKE(1, 2) static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "smelt-sim: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see smelt-sim --help)\n");
	exit(2);
}

static double rate_arg(const char *s)
{
	double v;

	if (parse_double(s, 0, 1, &v))
		usage_error("bad rate '%s' (want a number from 0 to 1)", s);
	return v;
}

static double nonneg_arg(const char *s)
{
	double v;

	if (parse_double(s, 0, 1e9, &v))
		usage_error("bad number '%s' (want a non-negative number)", s);
	return v;
}

static long long_arg(const char *s, long min, long max)
{
	long v;

	if (parse_long(s, min, max, &v))
		usage_error("bad integer '%s'", s);
	return v;
}

struct options {
	struct sim_config cfg;
	long make_problems;	/* -1 = serve */
	int images;
};

static void parse_options(int argc, char **argv, struct options *o)
{
	int c;

	sim_config_init(&o->cfg);
	o->make_problems = -1;
	o->images = 0;
	while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		if (c >= OPT_FAULT && c < OPT_FAULT + SIM_FAULT_KINDS) {
			o->cfg.fault_rate[c - OPT_FAULT] = rate_arg(optarg);
			continue;
		}
		switch (c) {
		case OPT_PORT: o->cfg.port = long_arg(optarg, 0, 65535); break;
		case OPT_HOST: o->cfg.host = optarg; break;
		case OPT_SEED: o->cfg.seed = (uint64_t)long_arg(optarg, 0, LONG_MAX); break;
		case OPT_MODEL: o->cfg.model = optarg; break;
		case OPT_API_KEY: o->cfg.api_key = optarg; break;
		case OPT_API_KEY_ENV:
			/* The environment is readable only by the same user;
			 * the command line by everyone (ps, /proc/PID/cmdline). */
			o->cfg.api_key = getenv(optarg);
			if (!o->cfg.api_key || !*o->cfg.api_key)
				usage_error("--api-key-env: variable '%s' is not set or empty", optarg);
			break;
		case OPT_MAX_BODY:
			if (parse_size(optarg, &o->cfg.max_body) || !o->cfg.max_body)
				usage_error("bad size '%s' for --max-body", optarg);
			break;
		case OPT_IDLE_TIMEOUT: o->cfg.idle_timeout = long_arg(optarg, 0, 86400); break;
		case OPT_MAX_CONNECTIONS: o->cfg.max_connections = long_arg(optarg, 1, 1000000); break;
		case OPT_LATENCY: o->cfg.latency_ms = nonneg_arg(optarg); break;
		case OPT_PER_TOKEN: o->cfg.per_token_ms = nonneg_arg(optarg); break;
		case OPT_THREADS: o->cfg.threads = long_arg(optarg, 1, 256); break;
		case OPT_MAX_IMAGE:
			if (parse_size(optarg, &o->cfg.max_image_bytes))
				usage_error("bad size '%s'", optarg);
			break;
		case OPT_RETRY_AFTER: o->cfg.retry_after = long_arg(optarg, 0, 86400); break;
		case OPT_STALL_SECONDS: o->cfg.stall_seconds = nonneg_arg(optarg); break;
		case OPT_CONDOR_MALFORMED: o->cfg.condor_malformed = rate_arg(optarg); break;
		case OPT_CONDOR_DROP_LEVEL: o->cfg.condor_drop_level = rate_arg(optarg); break;
		case OPT_STEP_ERROR: o->cfg.step_error = rate_arg(optarg); break;
		case OPT_SLOPPY_ENDING: o->cfg.sloppy_ending = rate_arg(optarg); break;
		case OPT_PRM_NOISE: o->cfg.prm_noise = nonneg_arg(optarg); break;
		case OPT_POOLING_SHAPE:
			if (strcmp(optarg, "list") && strcmp(optarg, "scalar"))
				usage_error("bad pooling shape '%s' (want list or scalar)", optarg);
			o->cfg.pooling_scalar = !strcmp(optarg, "scalar");
			break;
		case OPT_MAKE_PROBLEMS: o->make_problems = long_arg(optarg, 0, 100000000); break;
		case OPT_IMAGES: o->images = 1; break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case OPT_VERSION:
			printf("smelt-sim %s\n", SMELT_VERSION);
			exit(0);
		default:
			fprintf(stderr, "%s", usage_text);
			exit(2);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
}

static int make_problems(const struct options *o)
{
	struct sbuf line = SBUF_INIT;

	for (long i = 0; i < o->make_problems; i++) {
		sbuf_reset(&line);
		sim_arith_problem_jsonl(o->cfg.seed, i, o->images, &line);
		fwrite(line.buf, 1, line.len, stdout);
	}
	sbuf_release(&line);
	return 0;
}

static int serve(const struct options *o)
{
	struct sim_server *srv;
	sigset_t set;
	int sig;

	/* Every thread inherits the mask; only sigwait below sees the signals. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	srv = sim_server_start(&o->cfg);
	if (!srv)
		return 1;
	printf("port %u\n", sim_server_port(srv));
	if (fflush(stdout))
		warning("cannot write the port to stdout");
	sigwait(&set, &sig);
	sim_server_stop(srv);
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	int rc;

	smelt_prog = "smelt-sim";
	parse_options(argc, argv, &o);
	rc = o.make_problems >= 0 ? make_problems(&o) : serve(&o);
	if (fflush(stdout) || ferror(stdout))
		die("cannot write to stdout");
	return rc;
}
