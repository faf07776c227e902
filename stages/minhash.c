/*
 * smelt-minhash — near-duplicate detection with MinHash LSH in four steps
 * that split by shard and by band, for a Makefile or a pipe:
 *
 *	sign     records -> a signature file (per shard)
 *	bucket   signature files -> candidate pairs (per band or all bands)
 *	cluster  signature files + pair files -> decisions (one run)
 *	filter   records + decisions -> kept records, near_duplicate rejects
 *
 * smelt-dedup --near runs the same code in one process. The library is
 * pipeline/neardup/; the formats and the choices are in stages/README.md.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "neardup/bucket.h"
#include "neardup/cluster.h"
#include "neardup/near_stage.h"
#include "neardup/neardup_report.h"
#include "stage/stage.h"
#include "stage/stage_stop.h"

STAGE_OPTIONS(minhash_options,
	"fields=PATH,...  sign: compare these fields (default: messages)\n"
	"ngram=N          sign: words (or characters) per shingle (default 5)\n"
	"perms=P          sign: MinHash permutations (default 112)\n"
	"seed=S           sign: seed of the permutations (default 1)\n"
	"shingle=MODE     sign: words, chars, or auto: characters for CJK text (default)\n"
	"source-field=PATH  sign: the field counted per source in the report (default source)\n"
	"keep=POLICY      sign, cluster: which record of a cluster stays: first (default),\n"
	"                 longest, highest:FIELD (a number; sign stores it)\n"
	"bands=B          bucket: bands (default 14)\n"
	"rows=R           bucket: rows per band (default 8; B x R <= P)\n"
	"band=N           bucket: only band N (0-based), or N-M for bands N..M (default all)\n"
	"memory=SIZE      bucket: sort buffer; cluster: warn above it (default 256M)\n"
	"pairs=FILE       cluster: a pair file (repeat, or FILE,FILE...; - is stdin)\n"
	"threshold=T      cluster: join a pair only if the exact Jaccard of its shingles\n"
	"                 >= T (default 0.8)\n"
	"no-verify        cluster: join every candidate pair unchecked\n"
	"report=FILE      cluster: write the HTML report\n"
	"decisions=FILE   filter: what cluster wrote\n"
	"shard=K          filter: the input's place (0-based) in cluster's signature list\n",
	OPT_FIELDS, OPT_NGRAM, OPT_PERMS, OPT_SEED, OPT_SHINGLE, OPT_SOURCE_FIELD, OPT_KEEP, OPT_BANDS,
	OPT_ROWS, OPT_BAND, OPT_MEMORY, OPT_PAIRS, OPT_THRESHOLD, OPT_NO_VERIFY, OPT_REPORT,
	OPT_DECISIONS, OPT_SHARD);

static const char *const minhash_commands[] = { "sign", "bucket", "cluster", "filter", NULL };

struct minhash_cli {
	const char *cmd;
	struct neardup_signer signer;
	const char *keep_arg;
	struct keep_policy keep;
	int bands, rows, band_from, band_to;
	uint64_t memory;
	char **pairs;
	int npairs;
	size_t pairs_alloc;
	double threshold;
	const char *report, *decisions;
	int shard;
};

static void add_pairs(struct minhash_cli *c, const char *arg)
{
	const char *p = arg;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len) {
			ALLOC_GROW(c->pairs, (size_t)c->npairs + 1, c->pairs_alloc);
			c->pairs[c->npairs++] = xstrndup(p, len);
		}
		if (!comma)
			break;
		p = comma + 1;
	}
}

static int parse_band(struct stage *st, struct minhash_cli *c, const char *arg)
{
	const char *dash = strchr(arg, '-');

	if (!dash) {
		c->band_from = (int)stage_arg_long(st, "--band", arg, 0, 1023);
		c->band_to = c->band_from + 1;
		return 0;
	}
	char *from = xstrndup(arg, (size_t)(dash - arg));
	c->band_from = (int)stage_arg_long(st, "--band", from, 0, 1023);
	c->band_to = (int)stage_arg_long(st, "--band", dash + 1, 0, 1023) + 1;
	free(from);
	if (c->band_to <= c->band_from)
		return error("--band: '%s' is an empty range", arg);
	return 0;
}

static int minhash_option(struct stage *st, int id, const char *arg, void *vctx)
{
	struct minhash_cli *c = vctx;

	switch (id) {
	case OPT_FIELDS: c->signer.fields_arg = arg; return 0;
	case OPT_NGRAM: c->signer.ngram = (int)stage_arg_long(st, "--ngram", arg, 1, 64); return 0;
	case OPT_PERMS: c->signer.perms = (int)stage_arg_long(st, "--perms", arg, 1, MINHASH_MAX_PERMS); return 0;
	case OPT_SEED:
		if (parse_size(arg, &c->signer.seed))
			return error("--seed wants a non-negative integer, not '%s'", arg);
		return 0;
	case OPT_SHINGLE:
		if (neardup_parse_mode(arg, &c->signer.mode))
			return error("--shingle wants words, chars or auto, not '%s'", arg);
		return 0;
	case OPT_SOURCE_FIELD: c->signer.source_field = stage_arg_field(st, "--source-field", arg); return 0;
	case OPT_KEEP:
		if (keep_policy_parse(arg, &c->keep))
			return error("--keep wants first, longest or highest:FIELD, not '%s'", arg);
		if (c->keep.kind == KEEP_HIGHEST)
			stage_arg_field(st, "--keep highest:", c->keep.field);
		return 0;
	case OPT_BANDS: c->bands = (int)stage_arg_long(st, "--bands", arg, 1, 1024); return 0;
	case OPT_ROWS: c->rows = (int)stage_arg_long(st, "--rows", arg, 1, 1024); return 0;
	case OPT_BAND: return parse_band(st, c, arg);
	case OPT_MEMORY:
		if (parse_size(arg, &c->memory) || c->memory < (64u << 10))
			return error("--memory wants a size of at least 64k (e.g. 256M, 2G), not '%s'", arg);
		return 0;
	case OPT_PAIRS: add_pairs(c, arg); return 0;
	case OPT_THRESHOLD: c->threshold = stage_arg_double(st, "--threshold", arg, 0, 1, "a number in 0..1"); return 0;
	case OPT_NO_VERIFY: c->threshold = 0; return 0;
	case OPT_REPORT: c->report = arg; stage_add_output(st, "--report", arg); return 0;
	case OPT_DECISIONS: c->decisions = arg; return 0;
	case OPT_SHARD: c->shard = (int)stage_arg_long(st, "--shard", arg, 0, 65535); return 0;
	}
	return -1;
}

/*
 * sign and bucket write binary files of their own: -o is theirs, not the
 * frame's record writer, which gets /dev/null (it writes nothing).
 */
static const char *take_output(struct stage *st)
{
	const char *out = st->output ? st->output : "-";

	st->output = "/dev/null";
	st->plain = 1;
	return out;
}

static int run_sign(struct stage *st, struct minhash_cli *c)
{
	struct sig_params params;
	const char *out = take_output(st);

	c->signer.score_field = c->keep.kind == KEEP_HIGHEST ? c->keep.field : NULL;
	neardup_signer_setup(st, &c->signer);
	params = neardup_signer_params(&c->signer);
	stage_open(st);
	c->signer.out = sig_writer_open(out, &params, 0);
	if (!c->signer.out)
		return -1;
	if (stage_run(st, &neardup_sign_ops, &c->signer) < 0 || stage_stop_signal()) {
		sig_writer_abort(c->signer.out);
		return -1;
	}
	json_object_set_new(st->figures, "unusable", json_integer((json_int_t)c->signer.unusable));
	return sig_writer_close(c->signer.out);
}

static int run_bucket(struct stage *st, struct minhash_cli *c)
{
	struct bucket_opts o = { .bands = c->bands, .rows = c->rows, .memory = c->memory,
				 .band_from = c->band_from, .band_to = c->band_to };
	struct bucket_figures f;
	const char *out = take_output(st);

	if (!st->ninputs)
		stage_usage_error(st, "bucket reads signature files: name them");
	if (o.band_to < 0) {
		o.band_from = 0;
		o.band_to = o.bands;
	}
	if (o.band_to > o.bands)
		stage_usage_error(st, "--band: only bands 0..%d exist (--bands %d)", o.bands - 1, o.bands);
	stage_open(st);
	if (bucket_run(st->inputs, st->ninputs, &o, out, &f) < 0)
		return -1;
	st->records_in = f.records; /* signature entries read: the summary line's "records in" */
	json_object_set_new(st->figures, "bucket", json_pack("{s:I, s:I, s:I, s:I, s:i, s:i, s:i}",
			    "records", (json_int_t)f.records, "signed", (json_int_t)f.signed_ok,
			    "pairs", (json_int_t)f.pairs, "largest_bucket", (json_int_t)f.largest_bucket,
			    "sort_runs", (int)f.runs, "band_from", o.band_from, "band_to", o.band_to));
	return 0;
}

static int emit_decision(const json_t *d, void *ctx)
{
	return stage_emit_json(ctx, d);
}

static int run_cluster(struct stage *st, struct minhash_cli *c)
{
	struct cluster_opts o = { .threshold = c->threshold, .keep = c->keep, .memory = c->memory };
	struct neardup_report *report = c->report ? neardup_report_new(c->threshold) : NULL;
	struct cluster_figures f;
	int r;

	if (!st->ninputs)
		stage_usage_error(st, "cluster reads signature files: name them");
	if (!c->npairs)
		stage_usage_error(st, "cluster needs --pairs FILE (what bucket wrote)");
	stage_open(st);
	r = cluster_run(st->inputs, st->ninputs, c->pairs, c->npairs, &o, emit_decision, st, report, &f);
	st->records_in = f.records; /* signature entries read; out: the decisions */
	if (r == 0 && report && neardup_report_write(report, &f, c->report) < 0)
		r = -1;
	neardup_report_free(report);
	json_object_set_new(st->figures, "cluster", json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			    "records", (json_int_t)f.records, "signed", (json_int_t)f.signed_ok,
			    "pairs", (json_int_t)f.pairs, "pairs_joined", (json_int_t)f.pairs_joined,
			    "pairs_refused", (json_int_t)f.pairs_refused, "clusters", (json_int_t)f.clusters,
			    "largest_cluster", (json_int_t)f.largest_cluster, "removed", (json_int_t)f.removed,
			    "array_bytes", (json_int_t)f.array_bytes));
	return r;
}

static int run_filter(struct stage *st, struct minhash_cli *c)
{
	struct neardup_filter f;
	int r;

	if (!c->decisions)
		stage_usage_error(st, "filter needs --decisions FILE (what cluster wrote)");
	stage_open(st);
	if (neardup_filter_open(&f, c->decisions, NULL, c->shard) < 0)
		return -1;
	r = stage_run(st, &neardup_filter_ops, &f);
	json_object_set_new(st->figures, "near_duplicates", json_integer((json_int_t)f.removed));
	neardup_filter_close(&f);
	return r;
}

int main(int argc, char **argv)
{
	struct stage st;
	struct minhash_cli c = {
		.signer = { .fields_arg = "messages", .ngram = NEARDUP_DEFAULT_NGRAM,
			    .perms = NEARDUP_DEFAULT_PERMS, .seed = NEARDUP_DEFAULT_SEED,
			    .source_field = "source" },
		.bands = NEARDUP_DEFAULT_BANDS, .rows = NEARDUP_DEFAULT_ROWS, .band_to = -1,
		.memory = NEARDUP_DEFAULT_MEMORY, .threshold = NEARDUP_DEFAULT_THRESHOLD,
	};
	int r = -1;

	stage_init(&st, "smelt-minhash", "Near-duplicate detection with MinHash LSH, by shard and by band.",
		   "smelt-minhash sign part-0.jsonl.zst -o part-0.sig");
	st.extra_help =
		"Commands:\n"
		"  sign RECORDS... -o SHARD.sig      shingles and MinHash signature per record\n"
		"  bucket SIG... [--band N] -o P     candidate pairs of the bands (star per bucket)\n"
		"  cluster SIG... --pairs P,... -o DECISIONS.jsonl.zst [--report R.html]\n"
		"                                    union-find, verification, the kept record\n"
		"  filter RECORDS --decisions D --shard K -o KEPT --rejects REJ\n"
		"                                    drop what cluster decided (near_duplicate)\n"
		"cluster and bucket must get the signature files in the same order; a\n"
		"shard's K is its place in that list. smelt-dedup --near does all four in\n"
		"one process. Formats and parameter guidance: stages/README.md.";
	c.keep.kind = KEEP_FIRST;
	c.cmd = stage_parse_command(&st, argc, argv, minhash_commands, &minhash_options, minhash_option, &c);
	if (c.bands * c.rows > MINHASH_MAX_PERMS)
		stage_usage_error(&st, "--bands x --rows must be at most %d", MINHASH_MAX_PERMS);
	if (!strcmp(c.cmd, "sign"))
		r = run_sign(&st, &c);
	else if (!strcmp(c.cmd, "bucket"))
		r = run_bucket(&st, &c);
	else if (!strcmp(c.cmd, "cluster"))
		r = run_cluster(&st, &c);
	else
		r = run_filter(&st, &c);
	if (r < 0)
		st.failed = 1;
	if (!strcmp(c.cmd, "sign"))
		neardup_signer_release(&c.signer);
	for (int i = 0; i < c.npairs; i++)
		free(c.pairs[i]);
	free(c.pairs);
	return stage_finish(&st);
}
