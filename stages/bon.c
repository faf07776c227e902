/*
 * smelt-bon — Best-of-N: per question, pick one of N responses by PRM
 * step scores, ORM score or self-consistency, and report the accuracy of
 * the picks against gold answers. See stages/README.md.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json_path.h"
#include "json/json_write.h"
#include "prm/prm_bon.h"
#include "prm/prm_check.h"
#include "io/provenance.h"
#include "stage/answer_options.h"
#include "stage/stage.h"

STAGE_OPTIONS(bon_options,
	"by=HOW          prm (default), orm or self-consistency\n"
	"aggregate=AGG   PRM step scores: mean (default), min, max or last\n"
	"responses=PATH  the list of responses in a question record (default responses)\n"
	"group-by=PATH   one response per record instead: consecutive records with equal PATH\n"
	"                form a question\n"
	"text=PATH       response text in a response object (default response)\n"
	"steps=PATH      PRM step scores in a response (default step_scores, else\n"
	"                steps_with_score)\n"
	"orm=PATH        ORM score in a response (default score)\n"
	"gold=PATH       gold answer (default answer)\n"
	ANSWER_SPEC_ANSWER_MODE("answer equivalence for correctness and votes (default auto)"),
	OPT_BY, OPT_AGGREGATE, OPT_RESPONSES, OPT_GROUP_BY, OPT_TEXT, OPT_STEPS, OPT_ORM, OPT_GOLD,
	ANSWER_OPT_ANSWER_MODE);

struct bon_cli {
	struct bon_config cfg;
	const char *responses, *group_by, *gold;
	json_t *provenance;
	/* the group being gathered (--group-by) */
	json_t *group;
	char *group_key;
	struct record_loc group_loc;
	/* figures */
	uint64_t questions, picked, known, right, first_known, first_right, oracle_known, oracle_right;
};

static int bon_option(struct stage *st, int id, const char *arg, void *ctx)
{
	struct bon_cli *c = ctx;

	if (answer_options_parse(st, &c->cfg.check, id, arg) == 0)
		return 0;
	switch (id) {
	case OPT_BY:
		if (bon_method_parse(arg, &c->cfg.method) < 0)
			stage_usage_error(st, "--by wants prm, orm or self-consistency, not '%s'", arg);
		return 0;
	case OPT_AGGREGATE:
		if (bon_agg_parse(arg, &c->cfg.agg) < 0)
			stage_usage_error(st, "--aggregate wants mean, min, max or last, not '%s'", arg);
		return 0;
	case OPT_RESPONSES: c->responses = stage_arg_field(st, "--responses", arg); return 0;
	case OPT_GROUP_BY: c->group_by = stage_arg_field(st, "--group-by", arg); return 0;
	case OPT_TEXT: c->cfg.text = stage_arg_field(st, "--text", arg); return 0;
	case OPT_STEPS: c->cfg.steps = stage_arg_field(st, "--steps", arg); return 0;
	case OPT_ORM: c->cfg.orm = stage_arg_field(st, "--orm", arg); return 0;
	case OPT_GOLD: c->gold = stage_arg_field(st, "--gold", arg); return 0;
	}
	return -1;
}

static void tally(uint64_t *known, uint64_t *right, int r)
{
	if (r >= 0) {
		(*known)++;
		*right += (uint64_t)r;
	}
}

/*
 * Pick among `items` and emit `out` (borrowed) with a "bon" field; with
 * `take_pick`, the picked item itself is emitted instead (--group-by).
 */
static int pick_and_emit(struct stage *st, struct bon_cli *c, const struct record_loc *loc, json_t *out,
			 const json_t *items, int take_pick)
{
	const json_t *g = jpath_get(out, c->gold);
	char *gold = g ? prm_gold_string(g) : NULL;
	struct sbuf err = SBUF_INIT;
	struct bon_pick p;
	json_t *rec, *bon;
	int r = 0;

	if (bon_choose(&c->cfg, items, gold, &p, &err) < 0) {
		stage_reject(st, loc, out, NULL, 0, p.kind, "%s", err.buf);
		goto done;
	}
	if (p.index < 0) {
		stage_reject(st, loc, out, NULL, 0, "no_scores", "none of the %zu responses has %s",
			     json_array_size(items), c->cfg.method == BON_SC ? "an answer" : "a score");
		goto done;
	}
	c->questions++;
	c->picked++;
	tally(&c->known, &c->right, p.correct);
	tally(&c->first_known, &c->first_right, p.first);
	tally(&c->oracle_known, &c->oracle_right, p.oracle);
	rec = take_pick ? json_deep_copy(json_array_get(items, (size_t)p.index)) : json_incref(out);
	bon = json_pack("{s:s, s:I, s:f, s:I, s:I}", "method", bon_name(&c->cfg), "chosen", (json_int_t)p.index,
			c->cfg.method == BON_SC ? "votes" : "score", p.score, "n", (json_int_t)json_array_size(items),
			"scored", (json_int_t)p.scored);
	json_object_set_new(bon, "correct", p.correct < 0 ? json_null() : json_boolean(p.correct));
	json_object_set_new(rec, "bon", bon);
	if (provenance_append(rec, c->provenance) < 0)
		stage_reject(st, loc, out, NULL, 0, "bad_field_type", "\"provenance\" is not a list");
	else if (stage_emit_json(st, rec) < 0)
		r = -1;
	json_decref(rec);
done:
	free(gold);
	sbuf_release(&err);
	return r;
}

static int flush_group(struct stage *st, struct bon_cli *c)
{
	int r = 0;

	if (c->group && json_array_size(c->group))
		r = pick_and_emit(st, c, &c->group_loc, json_array_get(c->group, 0), c->group, 1);
	json_decref(c->group);
	c->group = NULL;
	free(c->group_key);
	c->group_key = NULL;
	return r;
}

static int bon_serial(struct stage *st, struct record *rec, void *ctx)
{
	struct bon_cli *c = ctx;
	const json_t *key, *items;
	struct sbuf k = SBUF_INIT;

	if (!c->group_by) {
		items = jpath_get(rec->json, c->responses);
		if (!items) {
			stage_reject(st, &rec->loc, rec->json, NULL, 0, "missing_field", "record has no '%s'",
				     c->responses);
			return 1;
		}
		return pick_and_emit(st, c, &rec->loc, rec->json, items, 0) < 0 ? -1 : 1;
	}
	if (!(key = jpath_get(rec->json, c->group_by))) {
		stage_reject(st, &rec->loc, rec->json, NULL, 0, "missing_field", "record has no '%s'", c->group_by);
		return 1;
	}
	json_write(&k, key);
	if (c->group_key && strcmp(c->group_key, k.buf) && flush_group(st, c) < 0) {
		sbuf_release(&k);
		return -1;
	}
	if (!c->group) {
		c->group = json_array();
		c->group_key = xstrdup(k.buf);
		c->group_loc = rec->loc;
	}
	json_array_append(c->group, rec->json);
	sbuf_release(&k);
	return 1;
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

int main(int argc, char **argv)
{
	struct stage st;
	struct bon_cli c = { .responses = "responses", .gold = "answer" };
	struct stage_ops ops = { .serial = bon_serial, .keep_json = 1 };
	json_t *params, *fig;

	bon_config_init(&c.cfg);
	stage_init(&st, "smelt-bon", "Best-of-N: pick one response per question by PRM, ORM or self-consistency.",
		   "smelt-bon --by prm --aggregate mean scored.jsonl.zst -o picked.jsonl.zst");
	st.extra_help = "A question record holds its responses in a list (--responses): strings, or\n"
			"objects with the text, step_scores / steps_with_score, score and optionally\n"
			"correct. With --group-by, each record is one response and the picked one is\n"
			"written. Output records get bon: {method, chosen, score|votes, n, scored,\n"
			"correct}; accuracy against the gold answers goes to --stats and stderr, next\n"
			"to the first response's (pass@1) and any response's (oracle).";
	stage_parse_options(&st, argc, argv, &bon_options, bon_option, &c);
	params = json_pack("{s:s, s:s}", "method", bon_name(&c.cfg), "gold", c.gold);
	c.provenance = provenance_entry(st.name, NULL, NULL, params);
	stage_open(&st);
	if (stage_run(&st, &ops, &c) < 0 || flush_group(&st, &c) < 0)
		st.failed = 1;
	fig = json_pack("{s:s, s:I, s:I, s:f, s:I, s:f, s:f}", "method", bon_name(&c.cfg),
			"questions", (json_int_t)c.questions, "with_gold", (json_int_t)c.known,
			"accuracy", ratio(c.right, c.known), "right", (json_int_t)c.right,
			"first_accuracy", ratio(c.first_right, c.first_known),
			"oracle_accuracy", ratio(c.oracle_right, c.oracle_known));
	json_object_set_new(st.figures, "bon", fig);
	if (!st.quiet && c.known)
		fprintf(stderr, "smelt-bon: %s: %" PRIu64 "/%" PRIu64 " picks right (%.1f%%); first response %.1f%%, "
			"oracle %.1f%%\n", bon_name(&c.cfg), c.right, c.known, 100 * ratio(c.right, c.known),
			100 * ratio(c.first_right, c.first_known), 100 * ratio(c.oracle_right, c.oracle_known));
	json_decref(c.provenance);
	return stage_finish(&st);
}
