/*
 * sim_detect.c — the detector behaviour of smelt-sim (sim_detect.h):
 * ground-truth boxes read from the prompt, answered with noisy boxes.
 */
#include "sim/sim_detect.h"

#include "core/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BOXES 64

/* Every number in s, in groups of four; returns the boxes read. */
static size_t read_boxes(const char *s, double (*b)[4])
{
	size_t n = 0, k = 0;

	while (*s && n < MAX_BOXES) {
		char *end;
		double x;

		if (!strchr("-0123456789.", *s)) {
			s++;
			continue;
		}
		x = strtod(s, &end);
		if (end == s) {
			s++;
			continue;
		}
		b[n][k++] = x;
		if (k == 4) {
			k = 0;
			n++;
		}
		s = end;
	}
	return n;
}

static double jitter(struct sim_rng *rng, double scale)
{
	return (sim_rng_unit(rng) * 2 - 1) * scale;
}

static void write_box(struct sbuf *out, const double *b, double conf, int python)
{
	if (python)
		sbuf_addf(out, "{'bbox_2d': (%.0f, %.0f, %.0f, %.0f), 'Confidence': %.2f}", b[0], b[1], b[2], b[3], conf);
	else
		sbuf_addf(out, "{\"Position\": [%.0f, %.0f, %.0f, %.0f], \"Confidence\": %.2f}", b[0], b[1], b[2], b[3],
			  conf);
}

int sim_detect_reply(const char *prompt, struct sim_rng *rng, struct sbuf *out)
{
	const char *open = strstr(prompt, "<sim-boxes>"), *close;
	double gt[MAX_BOXES][4], box[4];
	int python, think, cut;
	size_t n, written = 0;
	char *inner;

	if (!open || !(close = strstr(open, "</sim-boxes>")))
		return 0;
	inner = xstrndup(open + 11, (size_t)(close - open - 11));
	n = read_boxes(inner, gt);
	free(inner);
	if (!n) {
		sbuf_addstr(out, "<think>I look over the whole image and find no such object.</think>"
				 "<answer>[]</answer>");
		return 1;
	}
	python = sim_rng_unit(rng) < 0.3;
	think = sim_rng_unit(rng) >= 0.1;
	cut = sim_rng_unit(rng) < 0.1;
	if (think)
		sbuf_addf(out, "<think>I find %zu object%s and locate each one.</think>", n, n == 1 ? "" : "s");
	sbuf_addstr(out, "<answer>[");
	for (size_t i = 0; i < n; i++) {
		double w = gt[i][2] - gt[i][0], h = gt[i][3] - gt[i][1];
		double q = sim_rng_unit(rng); /* 0: on the box, 1: far off */

		if (sim_rng_unit(rng) < 0.15)
			continue;
		box[0] = gt[i][0] + jitter(rng, 0.3 * q * w);
		box[1] = gt[i][1] + jitter(rng, 0.3 * q * h);
		box[2] = gt[i][2] + jitter(rng, 0.3 * q * w);
		box[3] = gt[i][3] + jitter(rng, 0.3 * q * h);
		if (written++)
			sbuf_addstr(out, ", ");
		write_box(out, box, 0.99 - 0.6 * q, python);
	}
	if (sim_rng_unit(rng) < 0.2) {
		box[0] = gt[0][2] + 5;
		box[1] = gt[0][3] + 5;
		box[2] = box[0] + fabs(gt[0][2] - gt[0][0]);
		box[3] = box[1] + fabs(gt[0][3] - gt[0][1]);
		if (written++)
			sbuf_addstr(out, ", ");
		write_box(out, box, 0.1 + 0.3 * sim_rng_unit(rng), python);
	}
	if (cut) {
		/* a reply stopped mid-list: what unreadable box lists look like */
		sbuf_setlen(out, out->len > 12 ? out->len - 12 : out->len);
		sbuf_addstr(out, "</answer>");
		return 1;
	}
	sbuf_addstr(out, "]</answer>");
	return 1;
}
