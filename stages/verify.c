/*
 * smelt-verify — Visual-RFT's verifiable rewards for rollouts already
 * generated (smelt-gen --samples K): each reply scored by the named
 * scorers of --reward, group figures per prompt over its K rollouts, and
 * the curation of RL prompts by them (--keep-informative, --pass-rate).
 * See stages/README.md and pipeline/verify/.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/provenance.h"
#include "json/json_path.h"
#include "stage/answer_options.h"
#include "stage/stage.h"
#include "verify/verify_group.h"
#include "verify/verify_reward.h"

STAGE_OPTIONS(verify_options,
	"reward=LIST       scorers with optional weights, e.g. format,iou,confidence:0.5\n"
	"                  (format, iou, confidence, giou, cls, answer; required)\n"
	"reply=PATH        the reply, or the list of a prompt's K replies (default response)\n"
	"gold=PATH         the gold answer or box list (default answer)\n"
	"group-by=PATH     one reply per record: consecutive records with equal PATH are\n"
	"                  one prompt (default: the id without its -<k> suffix)\n"
	"iou-threshold=X   a detection match counts above X (default 0.5)\n"
	"pass-on=NAME      the reward that decides a pass (default: the first that is not\n"
	"                  format)\n"
	"pass-threshold=X  a rollout passes when that reward is >= X (default 0.5; 1.5 for\n"
	"                  giou)\n"
	"keep-informative  set aside prompts whose rollouts all score the same\n"
	"pass-rate=A..B    set aside prompts whose pass rate is outside [A, B]\n"
	"groups=FILE       write one line of figures per prompt\n"
	ANSWER_SPEC_ANSWER_MODE("the answer reward's equivalence: " ANSWER_MODES)
	ANSWER_SPEC_TOLERANCE("--answer-mode"),
	OPT_REWARD, OPT_REPLY, OPT_GOLD, OPT_GROUP_BY, OPT_IOU_THRESHOLD, OPT_PASS_ON, OPT_PASS_THRESHOLD,
	OPT_KEEP_INFORMATIVE, OPT_PASS_RATE, OPT_GROUPS, ANSWER_OPT_ANSWER_MODE, ANSWER_OPT_REL_TOL,
	ANSWER_OPT_RELAXED_TOL);

static const char verify_help[] =
	"Two layouts of K rollouts are read: one record whose --reply is a list of K\n"
	"replies (smelt-gen --samples K) gets \"rewards\": [{total, <scorer>: value,\n"
	"advantage}, ...] in that order; one record per reply (smelt-gen --explode, ids\n"
	"<prompt>-<k>, adjacent) gets \"reward\": {...}. Both get \"group\": {n, mean,\n"
	"std, min, max, pass_rate, uniform}. The total is the weighted sum; the\n"
	"advantage (total - mean) / std as GRPO computes it (0 in a uniform group).\n"
	"A prompt set aside puts every record of it in --rejects, kind uniform_rewards\n"
	"or pass_rate_out_of_band; a gold that cannot be read is kind bad_gold. Box\n"
	"replies that cannot be read score 0 and are counted (box_parse_failures).";

struct verify_cli {
	struct vreward_spec spec;
	struct vgroup_rule rule;
	const char *reward_arg, *reply, *gold, *group_by, *pass_on, *groups_path;
	int pass_threshold_set;
	size_t pass_index;          /* index in spec of the pass reward */
	struct record_writer *groups;
	json_t *provenance;

	/* the prompt being gathered (one reply per record) */
	json_t *members;            /* records */
	struct record_loc *locs;
	size_t nmembers, locs_alloc;
	char *key;
	json_t *closed;             /* keys of prompts already written: {key: true} */

	/* figures */
	uint64_t prompts, rollouts, kept, box_failures, too_deep, split;
	uint64_t dropped_uniform, dropped_band;
	double sum_reward[VREWARD_MAX], sum_pass_rate;
};

static int verify_option(struct stage *st, int id, const char *arg, void *ctx)
{
	struct verify_cli *c = ctx;

	if (answer_options_parse(st, &c->spec.answer, id, arg) == 0)
		return 0;
	switch (id) {
	case OPT_REWARD: c->reward_arg = arg; return 0;
	case OPT_REPLY: c->reply = stage_arg_field(st, "--reply", arg); return 0;
	case OPT_GOLD: c->gold = stage_arg_field(st, "--gold", arg); return 0;
	case OPT_GROUP_BY: c->group_by = stage_arg_field(st, "--group-by", arg); return 0;
	case OPT_IOU_THRESHOLD:
		c->spec.iou_thresh = stage_arg_double(st, "--iou-threshold", arg, 0, 1, "a number in [0, 1]");
		return 0;
	case OPT_PASS_ON: c->pass_on = arg; return 0;
	case OPT_PASS_THRESHOLD:
		c->rule.pass_threshold = stage_arg_double(st, "--pass-threshold", arg, -1e300, 1e300, "a number");
		c->pass_threshold_set = 1;
		return 0;
	case OPT_KEEP_INFORMATIVE: c->rule.keep_informative = 1; return 0;
	case OPT_PASS_RATE:
		if (vgroup_parse_band(arg, &c->rule.pass_lo, &c->rule.pass_hi) < 0)
			stage_usage_error(st, "--pass-rate wants A..B with 0 <= A <= B <= 1, not '%s'", arg);
		return 0;
	case OPT_GROUPS: c->groups_path = arg; stage_add_output(st, "--groups", arg); return 0;
	}
	return -1;
}

static void setup(struct stage *st, struct verify_cli *c)
{
	struct sbuf err = SBUF_INIT;
	size_t i;

	if (!c->reward_arg)
		stage_usage_error(st, "--reward LIST is required");
	if (vreward_parse(c->reward_arg, &c->spec, &err) < 0)
		stage_usage_error(st, "--reward: %s", err.buf);
	sbuf_release(&err);
	for (i = 0; i < c->spec.n; i++)
		if (c->pass_on ? !strcmp(vreward_name(c->spec.kind[i]), c->pass_on) : c->spec.kind[i] != VR_FORMAT)
			break;
	if (i == c->spec.n && c->pass_on)
		stage_usage_error(st, "--pass-on %s is not one of --reward's scorers", c->pass_on);
	c->pass_index = i == c->spec.n ? 0 : i;
	/* giou runs 0..2: a pass is GIoU >= 0.5, as IoU >= 0.5 is for the others */
	if (!c->pass_threshold_set && c->spec.kind[c->pass_index] == VR_GIOU)
		c->rule.pass_threshold = 1.5;
}

/* Workers: score every reply of the record; figures travel in scratch. */
static int verify_map(struct record *rec, void *ctx)
{
	const struct verify_cli *c = ctx;
	const json_t *reply = jpath_get(rec->json, c->reply);
	struct vreward_gold gold;
	struct vreward_result r;
	struct sbuf err = SBUF_INIT;
	int ret = STAGE_KEEP;

	rec->scratch[0] = rec->scratch[1] = 0;
	if (!reply)
		return record_reject(rec, "missing_field", "record has no '%s'", c->reply);
	if (vreward_gold_read(&c->spec, jpath_get(rec->json, c->gold), &gold, &err) < 0) {
		ret = record_reject(rec, "bad_gold", "%s (at '%s')", err.buf, c->gold);
		sbuf_release(&err);
		return ret;
	}
	if (json_is_array(reply)) {
		json_t *all = json_array(), *v;
		size_t i;

		json_array_foreach(reply, i, v) {
			vreward_score(&c->spec, &gold, json_string_value(v), &r);
			rec->scratch[0] += (uint64_t)r.box_parse_failed;
			rec->scratch[1] += (uint64_t)r.too_deep;
			json_array_append_new(all, vreward_json(&c->spec, &r));
		}
		json_object_set_new(rec->json, "rewards", all);
	} else {
		vreward_score(&c->spec, &gold, json_string_value(reply), &r);
		rec->scratch[0] += (uint64_t)r.box_parse_failed;
		rec->scratch[1] += (uint64_t)r.too_deep;
		json_object_set_new(rec->json, "reward", vreward_json(&c->spec, &r));
	}
	vreward_gold_release(&gold);
	return ret;
}

static const char *name_of(const struct verify_cli *c, size_t i)
{
	return vreward_name(c->spec.kind[i]);
}

/* Decide a prompt from its reward objects; sets each one's advantage. */
static void decide(struct verify_cli *c, json_t *const *rewards, size_t n, struct vgroup_stats *g)
{
	double *totals = xcalloc(n ? n : 1, sizeof(*totals));
	int *passes = xcalloc(n ? n : 1, sizeof(*passes));
	const char *pass_name = name_of(c, c->pass_index);

	for (size_t i = 0; i < n; i++) {
		totals[i] = json_number_value(json_object_get(rewards[i], "total"));
		passes[i] = json_number_value(json_object_get(rewards[i], pass_name)) >= c->rule.pass_threshold;
		for (size_t k = 0; k < c->spec.n; k++)
			c->sum_reward[k] += json_number_value(json_object_get(rewards[i], name_of(c, k)));
	}
	vgroup_decide(&c->rule, totals, passes, n, g);
	for (size_t i = 0; i < n; i++)
		json_object_set_new(rewards[i], "advantage", json_real(vgroup_advantage(g, totals[i])));
	c->prompts++;
	c->rollouts += n;
	c->sum_pass_rate += g->pass_rate;
	if (!g->drop_kind)
		c->kept++;
	else if (!strcmp(g->drop_kind, "uniform_rewards"))
		c->dropped_uniform++;
	else
		c->dropped_band++;
	free(totals);
	free(passes);
}

static int write_group_line(struct verify_cli *c, const char *key, const struct vgroup_stats *g)
{
	json_t *line;
	int r;

	if (!c->groups)
		return 0;
	line = vgroup_json(g);
	json_object_set_new(line, "id", key ? json_string(key) : json_null());
	json_object_set_new(line, "kept", json_boolean(!g->drop_kind));
	if (g->drop_kind)
		json_object_set_new(line, "reason", json_string(g->drop_kind));
	r = record_writer_add_json(c->groups, line);
	json_decref(line);
	return r;
}

/* Emit or set aside one record of a decided prompt. */
static int settle(struct stage *st, const struct verify_cli *c, const struct record_loc *loc, json_t *rec,
		  const struct vgroup_stats *g)
{
	json_object_set_new(rec, "group", vgroup_json(g));
	if (!g->drop_kind) {
		if (provenance_append(rec, c->provenance) == 0)
			return stage_emit_json(st, rec);
		stage_reject(st, loc, rec, NULL, 0, "bad_field_type", "\"provenance\" is not a list");
		return 0;
	}
	if (!strcmp(g->drop_kind, "uniform_rewards"))
		stage_reject(st, loc, rec, NULL, 0, g->drop_kind,
			     "all %zu rollouts score %g: no GRPO advantage", g->n, g->mean);
	else
		stage_reject(st, loc, rec, NULL, 0, g->drop_kind, "pass rate %g is outside [%g, %g]",
			     g->pass_rate, c->rule.pass_lo, c->rule.pass_hi);
	return 0;
}

/* Write or set aside the prompt gathered from one-reply records. */
static int flush_prompt(struct stage *st, struct verify_cli *c)
{
	struct vgroup_stats g;
	json_t **rewards;
	int r = 0;

	if (!c->nmembers)
		return 0;
	rewards = xmalloc(c->nmembers * sizeof(*rewards));
	for (size_t i = 0; i < c->nmembers; i++)
		rewards[i] = json_object_get(json_array_get(c->members, i), "reward");
	decide(c, rewards, c->nmembers, &g);
	free(rewards);
	for (size_t i = 0; i < c->nmembers && r == 0; i++)
		r = settle(st, c, &c->locs[i], json_array_get(c->members, i), &g);
	if (r == 0)
		r = write_group_line(c, c->key, &g);
	if (c->key)
		json_object_set_new(c->closed, c->key, json_true());
	json_array_clear(c->members);
	c->nmembers = 0;
	free(c->key);
	c->key = NULL;
	return r;
}

/* The prompt a one-reply record belongs to: --group-by, else its id less "-<k>" (new, or NULL). */
static char *prompt_key(const struct verify_cli *c, const json_t *rec)
{
	const json_t *v = jpath_get(rec, c->group_by ? c->group_by : "id");
	const char *s, *dash;
	size_t len;

	if (json_is_integer(v))
		return xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	if (!(s = json_string_value(v)))
		return NULL;
	len = strlen(s);
	dash = strrchr(s, '-');
	if (!c->group_by && dash && dash[1] && strspn(dash + 1, "0123456789") == strlen(dash + 1))
		len = (size_t)(dash - s);
	return xstrndup(s, len);
}

static int verify_serial(struct stage *st, struct record *rec, void *ctx)
{
	struct verify_cli *c = ctx;
	json_t *rewards = json_object_get(rec->json, "rewards");
	char *key;

	c->box_failures += rec->scratch[0];
	c->too_deep += rec->scratch[1];
	if (rewards) {
		struct vgroup_stats g;
		const json_t *id = json_object_get(rec->json, "id");
		size_t n = json_array_size(rewards);
		json_t **v = xmalloc((n ? n : 1) * sizeof(*v));

		if (flush_prompt(st, c) < 0) {
			free(v);
			return -1;
		}
		for (size_t i = 0; i < n; i++)
			v[i] = json_array_get(rewards, i);
		decide(c, v, n, &g);
		free(v);
		if (settle(st, c, &rec->loc, rec->json, &g) < 0 ||
		    write_group_line(c, json_string_value(id), &g) < 0)
			return -1;
		return 1;
	}
	key = prompt_key(c, rec->json);
	if (c->nmembers && (!key || !c->key || strcmp(key, c->key)) && flush_prompt(st, c) < 0) {
		free(key);
		return -1;
	}
	if (!c->nmembers) {
		if (key && json_object_get(c->closed, key) && !c->split++)
			warning("prompt '%s' comes back after other prompts: its rollouts must be adjacent; "
				"it is counted as a second prompt", key);
		c->key = key;
	} else {
		free(key);
	}
	json_array_append(c->members, rec->json);
	ALLOC_GROW(c->locs, c->nmembers + 1, c->locs_alloc);
	c->locs[c->nmembers++] = rec->loc;
	if (!key && flush_prompt(st, c) < 0) /* no id: a prompt of its own */
		return -1;
	return 1;
}

static void put_figures(struct stage *st, struct verify_cli *c)
{
	json_t *o = json_object(), *means = json_object(), *dropped = json_object();

	for (size_t k = 0; k < c->spec.n; k++)
		json_object_set_new(means, name_of(c, k),
				    json_real(c->rollouts ? c->sum_reward[k] / (double)c->rollouts : 0));
	json_object_set_new(dropped, "uniform_rewards", json_integer((json_int_t)c->dropped_uniform));
	json_object_set_new(dropped, "pass_rate_out_of_band", json_integer((json_int_t)c->dropped_band));
	json_object_set_new(o, "prompts", json_integer((json_int_t)c->prompts));
	json_object_set_new(o, "rollouts", json_integer((json_int_t)c->rollouts));
	json_object_set_new(o, "kept_prompts", json_integer((json_int_t)c->kept));
	json_object_set_new(o, "dropped_prompts", dropped);
	json_object_set_new(o, "box_parse_failures", json_integer((json_int_t)c->box_failures));
	json_object_set_new(o, "too_deep", json_integer((json_int_t)c->too_deep));
	json_object_set_new(o, "split_prompts", json_integer((json_int_t)c->split));
	json_object_set_new(o, "reward_means", means);
	json_object_set_new(o, "pass_rate_mean",
			    json_real(c->prompts ? c->sum_pass_rate / (double)c->prompts : 0));
	json_object_set_new(st->figures, "verify", o);
	if (!st->quiet)
		fprintf(stderr, "%s: %llu prompts (%llu rollouts), %llu kept, %llu uniform, %llu out of band, "
			"%llu box replies unreadable\n", st->name, (unsigned long long)c->prompts,
			(unsigned long long)c->rollouts, (unsigned long long)c->kept,
			(unsigned long long)c->dropped_uniform, (unsigned long long)c->dropped_band,
			(unsigned long long)c->box_failures);
}

int main(int argc, char **argv)
{
	struct stage st;
	struct verify_cli c = { .reply = "response", .gold = "answer" };
	const struct vgroup_rule rule = VGROUP_RULE_INIT;
	const struct stage_ops ops = { .map = verify_map, .serial = verify_serial, .keep_json = 1 };

	c.rule = rule;
	c.spec.iou_thresh = 0.5;
	answer_opts_init(&c.spec.answer);
	stage_init(&st, "smelt-verify", "Verifiable rewards (Visual-RFT) for rollouts, and RL prompt curation.",
		   "smelt-verify --reward format,iou,confidence --keep-informative --groups groups.jsonl \\\n"
		   "      rollouts.jsonl.zst -o rewarded.jsonl.zst --rejects uniform.jsonl.zst");
	st.extra_help = verify_help;
	stage_parse_options(&st, argc, argv, &verify_options, verify_option, &c);
	setup(&st, &c);
	c.provenance = provenance_entry(st.name, NULL, NULL,
					json_pack("{s:s, s:s, s:s, s:b, s:f, s:f}", "reward", c.reward_arg, "reply", c.reply,
						  "gold", c.gold, "keep_informative", c.rule.keep_informative,
						  "pass_min", c.rule.pass_lo, "pass_max", c.rule.pass_hi));
	c.members = json_array();
	c.closed = json_object();
	stage_open(&st);
	if (c.groups_path) {
		struct record_writer_opts o = stage_writer_opts(&st);

		if (!(c.groups = record_writer_open(c.groups_path, &o)))
			st.failed = 1;
	}
	if (!st.failed && (stage_run(&st, &ops, &c) < 0 || flush_prompt(&st, &c) < 0))
		st.failed = 1;
	if (c.groups) {
		if (st.failed)
			record_writer_abort(c.groups);
		else if (record_writer_close(c.groups) < 0)
			st.failed = 1;
	}
	put_figures(&st, &c);
	json_decref(c.members);
	json_decref(c.closed);
	json_decref(c.provenance);
	free(c.locs);
	free(c.key);
	return stage_finish(&st);
}
