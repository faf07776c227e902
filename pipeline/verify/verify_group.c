/*
 * verify_group.c — group figures and the keep / set-aside rule of
 * smelt-verify (population standard deviation, as GRPO normalises).
 */
#include "verify/verify_group.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define UNIFORM_EPS 1e-9

void vgroup_decide(const struct vgroup_rule *rule, const double *totals, const int *passes, size_t n,
		   struct vgroup_stats *out)
{
	double sum = 0, ss = 0;
	size_t pass = 0;

	memset(out, 0, sizeof(*out));
	out->n = n;
	if (!n) {
		out->uniform = 1;
		out->drop_kind = rule->keep_informative ? "uniform_rewards" : NULL;
		return;
	}
	out->min = out->max = totals[0];
	for (size_t i = 0; i < n; i++) {
		sum += totals[i];
		pass += passes[i] != 0;
		out->min = fmin(out->min, totals[i]);
		out->max = fmax(out->max, totals[i]);
	}
	out->mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (totals[i] - out->mean) * (totals[i] - out->mean);
	out->std = sqrt(ss / (double)n);
	out->pass_rate = (double)pass / (double)n;
	out->uniform = out->max - out->min <= UNIFORM_EPS;
	if (rule->keep_informative && out->uniform)
		out->drop_kind = "uniform_rewards";
	else if (out->pass_rate < rule->pass_lo - UNIFORM_EPS || out->pass_rate > rule->pass_hi + UNIFORM_EPS)
		out->drop_kind = "pass_rate_out_of_band";
}

double vgroup_advantage(const struct vgroup_stats *g, double total)
{
	return g->uniform || g->std <= 0 ? 0 : (total - g->mean) / g->std;
}

json_t *vgroup_json(const struct vgroup_stats *g)
{
	return json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:b}", "n", (json_int_t)g->n, "mean", g->mean,
			 "std", g->std, "min", g->min, "max", g->max, "pass_rate", g->pass_rate,
			 "uniform", g->uniform);
}

int vgroup_parse_band(const char *s, double *lo, double *hi)
{
	char *end;

	*lo = strtod(s, &end);
	if (end == s || strncmp(end, "..", 2))
		return -1;
	s = end + 2;
	*hi = strtod(s, &end);
	if (end == s || *end || !(*lo >= 0) || !(*hi <= 1) || *lo > *hi)
		return -1;
	return 0;
}
