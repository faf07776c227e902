/*
 * smelt-sample — a seeded uniform random sample of N records, written in
 * input order; optionally stratified by the value at a path, with N split
 * across strata in proportion to their sizes (largest remainder) or a
 * fixed number per stratum.
 *
 * One pass, any input size: a reservoir (Algorithm R, pipeline/reservoir.h)
 * per stratum holds the candidates, so memory is the sample, not the input.
 * Proportional quotas are only known at the end, so each stratum's
 * reservoir holds up to N records and is cut down to its quota then, by a
 * uniform subsample of a uniform sample. The same input and seed give the
 * same bytes, whatever the thread count.
 */
#include <stdlib.h>
#include <string.h>

#include "text/record_key.h"
#include "core/hash.h"
#include "json/json_path.h"
#include "core/reservoir.h"
#include "stage/stage.h"

STAGE_OPTIONS(sample_options,
	"n,size=N       sample N records (split across strata with --stratify)\n"
	"seed=S         random seed, an unsigned integer (default 0)\n"
	"stratify=PATH  sample within the groups of the value at PATH\n"
	"per-stratum=M  with --stratify: M records from every stratum\n",
	OPT_SIZE, OPT_SEED, OPT_STRATIFY, OPT_PER_STRATUM);

struct sample_item {
	uint64_t seq; /* input position: the output is in input order */
	char *text;   /* the record's line, without its newline */
	size_t len;
};

struct stratum {
	char *key;
	size_t keylen;
	struct reservoir res;
	struct sample_item *items; /* reservoir_size(&res) of them */
	size_t alloc;
	uint64_t quota;
};

struct sample_ctx {
	long n, per_stratum;
	uint64_t seed;
	const char *stratify;
	json_t *index; /* stratum key -> position in strata */
	struct stratum *strata;
	size_t nstrata, strata_alloc;
};

static int sample_option(struct stage *st, int id, const char *arg, void *vctx)
{
	struct sample_ctx *c = vctx;
	char *end;

	switch (id) {
	case OPT_SIZE: c->n = stage_arg_long_as(st, "-n", arg, 1, 1L << 40, "a sample size >= 1"); return 0;
	case OPT_SEED:
		c->seed = strtoull(arg, &end, 10);
		if (!*arg || *end || *arg == '-')
			stage_usage_error(st, "--seed wants an unsigned integer, not '%s'", arg);
		return 0;
	case OPT_STRATIFY: c->stratify = stage_arg_field(st, "--stratify", arg); return 0;
	case OPT_PER_STRATUM:
		c->per_stratum = stage_arg_long_as(st, "--per-stratum", arg, 1, 1L << 40, "a count >= 1");
		return 0;
	}
	return -1;
}

/*
 * Worker threads: find the stratum key. It travels to serial in
 * rec->aux, so the JSON tree need not be kept.
 */
static int sample_map(struct record *rec, void *vctx)
{
	const struct sample_ctx *c = vctx;
	const json_t *v = jpath_get(rec->json, c->stratify);

	if (!v)
		return record_reject(rec, "missing_field", "no '%s' to stratify by", c->stratify);
	sbuf_reset(&rec->aux);
	record_key_text(&rec->aux, v);
	return STAGE_KEEP;
}

static struct stratum *stratum_get(struct sample_ctx *c, const char *key, size_t len)
{
	json_t *pos = json_object_getn(c->index, key, len);
	struct stratum *s;
	uint64_t cap;

	if (pos)
		return &c->strata[json_integer_value(pos)];
	ALLOC_GROW(c->strata, c->nstrata + 1, c->strata_alloc);
	s = &c->strata[c->nstrata];
	memset(s, 0, sizeof(*s));
	s->key = xstrndup(key, len);
	s->keylen = len;
	cap = (uint64_t)(c->per_stratum ? c->per_stratum : c->n);
	/* Each stratum draws from its own stream: adding records of one
	 * stratum does not change which records another keeps. */
	reservoir_init(&s->res, cap, c->seed ^ hash64(key, len, 0x5eed));
	json_object_setn_new(c->index, key, len, json_integer((json_int_t)c->nstrata));
	c->nstrata++;
	return s;
}

static int sample_serial(struct stage *st, struct record *rec, void *vctx)
{
	struct sample_ctx *c = vctx;
	struct stratum *s = c->stratify ? stratum_get(c, rec->aux.buf, rec->aux.len)
					: &c->strata[0];
	int64_t slot = reservoir_offer(&s->res);
	struct sample_item *it;

	if (slot < 0)
		return 1;
	ALLOC_GROW(s->items, (size_t)slot + 1, s->alloc);
	it = &s->items[slot];
	if ((uint64_t)slot < s->res.seen - 1)
		free(it->text); /* replacing an earlier candidate */
	it->seq = rec->seq;
	it->len = rec->text.len ? rec->text.len - 1 : 0; /* drop the newline */
	it->text = xstrndup(rec->text.buf, it->len);
	return 1;
}

struct remainder {
	unsigned __int128 rem;
	size_t stratum;
};

/* Larger remainder first; ties go to the stratum seen first. */
static int remainder_cmp(const void *a, const void *b)
{
	const struct remainder *x = a, *y = b;

	if (x->rem != y->rem)
		return x->rem > y->rem ? -1 : 1;
	return x->stratum < y->stratum ? -1 : x->stratum > y->stratum;
}

/*
 * Split n (< total) across the strata in proportion to their sizes:
 * Hamilton's largest remainder method. Every stratum with a remainder has
 * quota < size, and there are at least as many of them as seats left.
 */
static void proportional_quotas(struct sample_ctx *c, uint64_t n, uint64_t total)
{
	struct remainder *rem = xcalloc(c->nstrata ? c->nstrata : 1, sizeof(*rem));
	uint64_t given = 0;

	for (size_t i = 0; i < c->nstrata; i++) {
		unsigned __int128 share = (unsigned __int128)n * c->strata[i].res.seen;
		c->strata[i].quota = (uint64_t)(share / total);
		rem[i].rem = share % total;
		rem[i].stratum = i;
		given += c->strata[i].quota;
	}
	qsort(rem, c->nstrata, sizeof(*rem), remainder_cmp);
	for (size_t i = 0; given < n && i < c->nstrata; i++, given++)
		c->strata[rem[i].stratum].quota++;
	free(rem);
}

/* Each stratum's quota: --per-stratum, a proportional share of -n, or all of it. */
static void set_quotas(struct sample_ctx *c)
{
	uint64_t total = 0;

	for (size_t i = 0; i < c->nstrata; i++)
		total += c->strata[i].res.seen;
	if (!c->per_stratum && (uint64_t)c->n < total) {
		proportional_quotas(c, (uint64_t)c->n, total);
		return;
	}
	for (size_t i = 0; i < c->nstrata; i++)
		c->strata[i].quota = c->per_stratum ? (uint64_t)c->per_stratum : c->strata[i].res.seen;
}

static int item_cmp(const void *a, const void *b)
{
	const struct sample_item *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Cut each stratum to its quota, then write everything in input order. */
static int sample_write(struct stage *st, struct sample_ctx *c)
{
	struct sample_item *out = NULL;
	size_t nout = 0, alloc = 0;
	struct rng rng;
	json_t *strata = json_object();
	int r = 0;

	rng_seed(&rng, c->seed ^ 0x71756f7461ULL);
	for (size_t i = 0; i < c->nstrata; i++) {
		struct stratum *s = &c->strata[i];
		size_t held = (size_t)reservoir_size(&s->res), *idx = xmalloc((held + 1) * sizeof(*idx));
		size_t keep = s->quota < held ? (size_t)s->quota : held;
		for (size_t j = 0; j < held; j++)
			idx[j] = j;
		if (keep < held)
			rng_choose(&rng, idx, held, keep);
		ALLOC_GROW(out, nout + keep, alloc);
		for (size_t j = 0; j < held; j++) {
			if (j < keep)
				out[nout++] = s->items[idx[j]];
			else
				free(s->items[idx[j]].text);
		}
		free(idx);
		if (c->stratify)
			json_object_setn_new(strata, s->key, s->keylen,
					     json_pack("{s:I, s:I}", "records", (json_int_t)s->res.seen,
						       "sampled", (json_int_t)keep));
	}
	qsort(out, nout, sizeof(*out), item_cmp);
	for (size_t i = 0; i < nout; i++) {
		if (r == 0 && stage_emit_text(st, out[i].text, out[i].len) < 0)
			r = -1;
		free(out[i].text);
	}
	free(out);
	json_object_set_new(st->figures, "seed", json_integer((json_int_t)c->seed));
	json_object_set_new(st->figures, "sampled", json_integer((json_int_t)nout));
	if (c->stratify)
		json_object_set_new(st->figures, "strata", strata);
	else
		json_decref(strata);
	return r;
}

/* Free the strata; with `held`, the candidates' texts too (sample_write frees them otherwise). */
static void sample_release(struct sample_ctx *c, int held)
{
	for (size_t i = 0; i < c->nstrata; i++) {
		if (held)
			for (size_t j = 0; j < reservoir_size(&c->strata[i].res); j++)
				free(c->strata[i].items[j].text);
		free(c->strata[i].items);
		free(c->strata[i].key);
	}
	free(c->strata);
	json_decref(c->index);
}

int main(int argc, char **argv)
{
	struct stage st;
	struct sample_ctx c = { .n = 0 };
	struct stage_ops ops = { .serial = sample_serial };
	int held; /* the candidates' texts, when sample_write did not take them */

	stage_init(&st, "smelt-sample", "Draw a seeded random sample, optionally stratified.",
		   "smelt-sample -n 1000 --seed 7 --stratify source data.jsonl.zst -o sample.jsonl.zst");
	st.extra_help =
		"Every record has the same chance; the sample keeps input order and the same\n"
		"input and seed give the same output. With --stratify, -n is split across\n"
		"the strata in proportion to their sizes (largest remainder), or\n"
		"--per-stratum M takes M from each (all of a smaller one). Records without\n"
		"the --stratify value are rejected (missing_field). Memory: the sample, i.e.\n"
		"N records, or up to N per stratum with --stratify -n.";
	stage_parse_options(&st, argc, argv, &sample_options, sample_option, &c);
	if (c.per_stratum && !c.stratify)
		stage_usage_error(&st, "--per-stratum needs --stratify");
	if (c.per_stratum && c.n)
		stage_usage_error(&st, "give either -n or --per-stratum, not both");
	if (!c.n && !c.per_stratum)
		stage_usage_error(&st, "-n N is required");
	c.index = json_object();
	if (c.stratify)
		ops.map = sample_map;
	else
		stratum_get(&c, "", 0);
	stage_open(&st);
	if (stage_run(&st, &ops, &c) < 0)
		st.failed = 1;
	set_quotas(&c);
	held = st.failed;
	if (!held && sample_write(&st, &c) < 0)
		st.failed = 1;
	sample_release(&c, held);
	return stage_finish(&st);
}
