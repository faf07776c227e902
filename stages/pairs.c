/*
 * smelt-pairs — OmniAlign-V-style preference pairs, the record steps
 * around the two LLM calls of examples/omnialign:
 *
 *   prepare     SFT records {id, image, prompt, chosen} -> + "images" for
 *               smelt-gen, "image" as OmniAlign-V writes it
 *   candidates  + N sampled answers (smelt-gen --samples N) -> numbered
 *               candidates for the judge prompt
 *   pick        + the judge's reply (smelt-gen --prompt judge.prompt) ->
 *               {id, image, prompt, chosen, rejected} (--to omnialign) or
 *               smelt's DPO record (--to dpo); no deviation, an unreadable
 *               or impossible pick are set aside with the reason
 *
 * See pipeline/pref/pref_pairs.h, pref_pick.h and stages/README.md
 * ("Preference pairs").
 */
#include <stdio.h>
#include <string.h>

#include "io/provenance.h"
#include "pref/pref_pairs.h"
#include "pref/pref_pick.h"
#include "stage/stage.h"

STAGE_OPTIONS(pairs_options,
	"samples=FIELD   candidates: the sampled answers (default samples)\n"
	"keep-images     candidates: leave \"images\" in, so the judge sees the image\n"
	"                (default: a text judge, as OmniAlign-V's)\n"
	"judge=FIELD     pick: the judge's reply (default judge)\n"
	"to=SHAPE        pick: omnialign ({id, image, prompt, chosen, rejected}, default)\n"
	"                or dpo ({id, prompt, chosen, rejected, images}, dpo.schema.json)\n",
	OPT_SAMPLES, OPT_KEEP_IMAGES, OPT_JUDGE, OPT_TO);

static const char pairs_help[] =
	"candidates numbers the sampled answers from 1 ({n, sample, text}) for\n"
	"the judge prompt, leaving out empty ones, those equal to the chosen answer\n"
	"and repeats; a record left with none is rejected (no_candidates). It also\n"
	"writes \"question\", the prompt without <image> placeholders.\n"
	"pick reads the judge's reply: [[N]], [[none]], {\"choice\": N}, \"Answer N\",\n"
	"\"the third\", a verdict line, or prose naming one answer (pref_pick.h).\n"
	"Rejects: no_deviation (the judge says none deviates), unparsed_pick,\n"
	"pick_out_of_range. records in = pairs written + rejected.\n\n";

struct pairs_cli {
	const char *cmd, *samples, *judge;
	int keep_images;
	enum pref_shape shape;
	json_t *provenance;
	struct pref_sample_counts counts;
	uint64_t via[PREF_VIA_COUNT];
	uint64_t picked;
};

static int pairs_option(struct stage *st, int id, const char *arg, void *ctx)
{
	struct pairs_cli *c = ctx;

	switch (id) {
	case OPT_SAMPLES: c->samples = stage_arg_field(st, "--samples", arg); return 0;
	case OPT_KEEP_IMAGES: c->keep_images = 1; return 0;
	case OPT_JUDGE: c->judge = stage_arg_field(st, "--judge", arg); return 0;
	case OPT_TO:
		if (!strcmp(arg, "omnialign"))
			c->shape = PREF_SHAPE_OMNIALIGN;
		else if (!strcmp(arg, "dpo"))
			c->shape = PREF_SHAPE_DPO;
		else
			stage_usage_error(st, "--to is omnialign or dpo, not '%s'", arg);
		return 0;
	}
	return -1;
}

static int pairs_map(struct record *rec, void *ctx)
{
	struct pairs_cli *c = ctx;
	const char *kind = NULL;
	struct pref_pick pick;
	json_t *out;

	sbuf_reset(&rec->reject_msg);
	switch (c->cmd[1]) {
	case 'r': /* prepare */
		out = pref_prepare(rec->json, &kind, &rec->reject_msg);
		break;
	case 'a': /* candidates */
		out = pref_candidates(rec->json, c->samples, c->keep_images, &c->counts, &kind, &rec->reject_msg);
		break;
	default: /* pick */
		out = pref_pair(rec->json, c->judge, c->shape, &pick, &kind, &rec->reject_msg);
		__atomic_fetch_add(&c->via[pick.via], 1, __ATOMIC_RELAXED);
		if (out)
			__atomic_fetch_add(&c->picked, 1, __ATOMIC_RELAXED);
		break;
	}
	if (!out) {
		rec->reject_kind = kind;
		return STAGE_REJECT;
	}
	return record_replace(rec, out, c->provenance);
}

static json_t *make_provenance(const struct stage *st, const struct pairs_cli *c)
{
	json_t *p = json_pack("{s:s}", "command", c->cmd);

	if (!strcmp(c->cmd, "candidates")) {
		json_object_set_new(p, "samples", json_string(c->samples));
		json_object_set_new(p, "keep_images", json_boolean(c->keep_images));
	} else if (!strcmp(c->cmd, "pick")) {
		json_object_set_new(p, "judge", json_string(c->judge));
		json_object_set_new(p, "to", json_string(c->shape == PREF_SHAPE_DPO ? "dpo" : "omnialign"));
	}
	return provenance_entry(st->name, NULL, NULL, p);
}

/* --stats figures of candidates and pick. */
static void add_figures(struct stage *st, const struct pairs_cli *c)
{
	json_t *via;

	if (!strcmp(c->cmd, "candidates")) {
		stage_figure_add(st, "samples", (double)c->counts.samples);
		stage_figure_add(st, "candidates", (double)c->counts.candidates);
		stage_figure_add(st, "empty_samples", (double)c->counts.empty);
		stage_figure_add(st, "same_as_chosen", (double)c->counts.same_as_chosen);
		stage_figure_add(st, "repeated_samples", (double)c->counts.repeated);
	} else if (!strcmp(c->cmd, "pick")) {
		/* the refused ones are in rejects_by_kind */
		stage_figure_add(st, "pairs", (double)c->picked);
		via = json_object();
		for (int i = 0; i < PREF_VIA_NOTHING; i++)
			json_object_set_new(via, pref_via_name((enum pref_via)i), json_integer((json_int_t)c->via[i]));
		json_object_set_new(st->figures, "read_by", via);
	}
}

static const char *const pairs_commands[] = { "prepare", "candidates", "pick", NULL };

static const struct stage_ops pairs_ops = { .map = pairs_map, .require_id = 1 };

int main(int argc, char **argv)
{
	struct pairs_cli c = { .samples = "samples", .judge = "judge", .shape = PREF_SHAPE_OMNIALIGN };
	struct stage st;

	stage_init(&st, "smelt-pairs",
		   "OmniAlign-V preference pairs. Commands:\n"
		   "  prepare     SFT records {id, image, prompt, chosen} -> + images for smelt-gen\n"
		   "  candidates  + sampled answers (smelt-gen --samples N) -> numbered candidates\n"
		   "  pick        + the judge's reply -> {id, image, prompt, chosen, rejected}",
		   "smelt-pairs prepare sft.json -o sft.jsonl.zst\n"
		   "  smelt-pairs candidates --samples samples sampled.jsonl.zst -o candidates.jsonl.zst\n"
		   "  smelt-pairs pick --to dpo --rejects set-aside.jsonl judged.jsonl.zst -o dpo.jsonl.zst");
	st.extra_help = pairs_help;
	c.cmd = stage_parse_command(&st, argc, argv, pairs_commands, &pairs_options, pairs_option, &c);
	c.provenance = make_provenance(&st, &c);
	stage_open(&st);
	if (stage_run(&st, &pairs_ops, &c) < 0)
		st.failed = 1;
	add_figures(&st, &c);
	json_decref(c.provenance);
	return stage_finish(&st);
}
