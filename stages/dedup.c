/*
 * smelt-dedup — drop exact duplicates: records whose chosen fields have
 * the same normalised text (NFKC, case folded, white space collapsed) as
 * an earlier record. The first occurrence is kept; each later one goes to
 * the rejects with kind "duplicate" and `duplicate_of` naming the id it
 * repeats.
 *
 * Worker threads normalise and hash (the expensive part); the main thread
 * decides in input order, so the output is the same for any thread count.
 * Per distinct record it keeps a 128-bit hash and the offset of its id in
 * a spilled id store (pipeline/dedup_ids.h).
 *
 * --near removes near duplicates instead: MinHash LSH over shingles, the
 * four steps of smelt-minhash (sign, bucket, cluster, filter) run here in
 * one process on the same code (pipeline/neardup/near_stage.h).
 */
#include <stdlib.h>
#include <string.h>

#include "corpus/dedup_ids.h"
#include "neardup/near_stage.h"
#include "text/record_key.h"
#include "core/hash_set.h"
#include "json/json_path.h"
#include "stage/stage.h"

STAGE_OPTIONS(dedup_options,
	"fields=PATH,...  compare these fields (default: messages)\n"
	"drop             discard duplicates (counted in --stats), do not reject them\n"
	"near             near duplicates: MinHash LSH (5-grams, 14 bands x 8 rows)\n"
	"threshold=T      --near: exact Jaccard a pair needs (default 0.8)\n"
	"keep=POLICY      --near: first (default), longest, highest:FIELD\n"
	"memory=SIZE      --near: bound of the sort buffers (default 256M)\n"
	"report=FILE      --near: HTML report (S-curve, clusters, sources, sample)\n",
	OPT_FIELDS, OPT_DROP, OPT_NEAR, OPT_THRESHOLD, OPT_KEEP, OPT_MEMORY, OPT_REPORT);

struct dedup_ctx {
	const char *fields_arg;
	char **fields;
	size_t nfields;
	int drop, near;
	struct neardup_local local;
	const char *near_only; /* the last --near option given, for the usage error without it */
	struct hash_set *seen;
	struct dedup_ids *ids;
	struct sbuf first_id;
	uint64_t duplicates;
};

static void split_fields(struct stage *st, struct dedup_ctx *c)
{
	if (record_key_split_paths(c->fields_arg, &c->fields, &c->nfields) < 0)
		stage_usage_error(st, "--fields: bad path list '%s' (paths separated by commas)",
				  c->fields_arg);
}

static int dedup_option(struct stage *st, int id, const char *arg, void *vctx)
{
	struct dedup_ctx *c = vctx;

	switch (id) {
	case OPT_FIELDS:
		c->fields_arg = arg;
		return 0;
	case OPT_DROP:
		c->drop = 1;
		return 0;
	case OPT_NEAR:
		c->near = 1;
		return 0;
	}
	c->near_only = stage_option_of(st, id)->name;
	switch (id) {
	case OPT_THRESHOLD:
		c->local.cluster.threshold = stage_arg_double(st, "--threshold", arg, 0, 1, "a number in 0..1");
		return 0;
	case OPT_KEEP:
		if (keep_policy_parse(arg, &c->local.cluster.keep))
			return error("--keep wants first, longest or highest:FIELD, not '%s'", arg);
		return 0;
	case OPT_MEMORY:
		if (parse_size(arg, &c->local.cluster.memory) || c->local.cluster.memory < (64u << 10))
			return error("--memory wants a size of at least 64k (e.g. 256M), not '%s'", arg);
		return 0;
	case OPT_REPORT:
		c->local.report_path = arg;
		stage_add_output(st, "--report", arg);
		return 0;
	}
	return -1;
}

/* Worker threads: normalise and hash the chosen fields. */
static int dedup_map(struct record *rec, void *vctx)
{
	const struct dedup_ctx *c = vctx;
	struct sbuf scratch = SBUF_INIT;
	struct hash128 h;
	int r = record_key_hash(rec->json, c->fields, c->nfields, &scratch, &h);

	sbuf_release(&scratch);
	if (r > 0)
		return record_reject(rec, "missing_field", "none of the fields %s is present",
				     c->fields_arg);
	if (r < 0)
		return record_reject(rec, "bad_text", "the fields %s cannot be normalised",
				     c->fields_arg);
	rec->scratch[0] = h.high;
	rec->scratch[1] = h.low;
	/*
	 * The id travels to serial in rec->aux, which a kept record does not
	 * use: keeping whole JSON trees until serial (keep_json) would double
	 * the stage's cost in malloc traffic between threads.
	 */
	const json_t *id = json_object_get(rec->json, "id");
	sbuf_reset(&rec->aux);
	sbuf_add(&rec->aux, json_string_value(id), json_string_length(id));
	return STAGE_KEEP;
}

/* The rejected copy of a duplicate: the record as written, plus duplicate_of. */
static void reject_duplicate(struct stage *st, struct dedup_ctx *c, struct record *rec)
{
	json_t *json = json_loadb(rec->text.buf, rec->text.len, 0, NULL);

	if (json)
		json_object_set_new(json, "duplicate_of",
				    json_stringn(c->first_id.buf, c->first_id.len));
	stage_reject(st, &rec->loc, json, rec->text.buf, rec->text.len, "duplicate",
		     "duplicate of '%s' (same normalised %s)", c->first_id.buf, c->fields_arg);
	json_decref(json);
}

/* Main thread, input order: keep the first occurrence, set the rest aside. */
static int dedup_serial(struct stage *st, struct record *rec, void *vctx)
{
	struct dedup_ctx *c = vctx;
	struct hash128 h = { rec->scratch[0], rec->scratch[1] };
	uint64_t ref;

	if (!hash_set_lookup(c->seen, h, &ref)) {
		if (dedup_ids_add(c->ids, rec->aux.buf, rec->aux.len, &ref) < 0)
			return -1;
		hash_set_insert(c->seen, h, ref, NULL);
		return 0;
	}
	if (dedup_ids_get(c->ids, ref, &c->first_id) < 0)
		return -1;
	c->duplicates++;
	if (!c->drop)
		reject_duplicate(st, c, rec);
	return 1;
}

static void dedup_figures(struct stage *st, const struct dedup_ctx *c)
{
	size_t distinct = hash_set_count(c->seen), table = hash_set_bytes(c->seen);

	json_object_set_new(st->figures, "fields", json_string(c->fields_arg));
	json_object_set_new(st->figures, "distinct", json_integer((json_int_t)distinct));
	json_object_set_new(st->figures, "duplicates", json_integer((json_int_t)c->duplicates));
	json_object_set_new(st->figures, "table_bytes", json_integer((json_int_t)table));
	json_object_set_new(st->figures, "bytes_per_distinct",
			    json_real(distinct ? (double)table / (double)distinct : 0));
	json_object_set_new(st->figures, "id_store_bytes",
			    json_integer((json_int_t)dedup_ids_bytes(c->ids)));
}

/* --near: sign, bucket, cluster, filter in this process (neardup/near_stage.h). */
static int dedup_near(struct stage *st, struct dedup_ctx *c)
{
	if (c->drop)
		stage_usage_error(st, "--drop does not go with --near: near duplicates go to --rejects");
	c->local.signer.fields_arg = c->fields_arg;
	if (c->local.cluster.keep.kind == KEEP_HIGHEST)
		c->local.signer.score_field = stage_arg_field(st, "--keep highest:", c->local.cluster.keep.field);
	neardup_signer_setup(st, &c->local.signer);
	stage_open(st);
	if (neardup_local_run(st, &c->local) < 0)
		st->failed = 1;
	json_object_set_new(st->figures, "fields", json_string(c->fields_arg));
	neardup_signer_release(&c->local.signer);
	return stage_finish(st);
}

int main(int argc, char **argv)
{
	struct stage st;
	struct dedup_ctx c = { .fields_arg = "messages", .first_id = SBUF_INIT };
	const struct stage_ops ops = { .map = dedup_map, .serial = dedup_serial, .require_id = 1 };

	stage_init(&st, "smelt-dedup", "Remove exact duplicates on the normalised text of chosen fields.",
		   "smelt-dedup --fields instruction,input,output data.jsonl.zst --rejects dups.jsonl.zst "
		   "-o uniq.jsonl.zst");
	st.extra_help =
		"Text is compared after NFKC, case folding, removal of ignorable characters\n"
		"and white-space folding; an array or object field (e.g. messages) is\n"
		"compared as a whole, every string in it normalised, object keys unordered.\n"
		"A missing field counts as absent (a record with none of them is rejected,\n"
		"missing_field). The first occurrence is kept; each duplicate goes to\n"
		"--rejects (kind duplicate, with duplicate_of: the first id) or, with --drop,\n"
		"is discarded. Duplicates without --rejects or --drop exit 3.\n"
		"With --near, records whose shingles (word 5-grams of the same normalised\n"
		"text; character 5-grams for CJK) have Jaccard similarity >= --threshold\n"
		"are clustered and one per cluster is kept (--keep); the others go to\n"
		"--rejects as near_duplicate with near_duplicate_of, similarity (the\n"
		"MinHash estimate) and jaccard (exact). The same as smelt-minhash sign,\n"
		"bucket, cluster and filter in one process; stdin is copied to a temporary\n"
		"file first (it is read twice).";
	c.local = (struct neardup_local){
		.signer = { .ngram = NEARDUP_DEFAULT_NGRAM, .perms = NEARDUP_DEFAULT_PERMS,
			    .seed = NEARDUP_DEFAULT_SEED, .source_field = "source" },
		.bands = NEARDUP_DEFAULT_BANDS, .rows = NEARDUP_DEFAULT_ROWS,
		.cluster = { .threshold = NEARDUP_DEFAULT_THRESHOLD, .keep = { KEEP_FIRST, NULL },
			     .memory = NEARDUP_DEFAULT_MEMORY },
	};
	stage_parse_options(&st, argc, argv, &dedup_options, dedup_option, &c);
	if (c.near)
		return dedup_near(&st, &c);
	if (c.near_only)
		stage_usage_error(&st, "--%s goes with --near", c.near_only);
	split_fields(&st, &c);
	c.seen = hash_set_new(0);
	c.ids = dedup_ids_new();
	if (!c.ids)
		return EXIT_FATAL;
	stage_open(&st);
	if (stage_run(&st, &ops, &c) < 0)
		st.failed = 1;
	dedup_figures(&st, &c);
	hash_set_free(c.seen);
	dedup_ids_free(c.ids);
	sbuf_release(&c.first_id);
	for (size_t i = 0; i < c.nfields; i++)
		free(c.fields[i]);
	free(c.fields);
	return stage_finish(&st);
}
