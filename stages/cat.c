/*
 * smelt-cat — read records in any supported wrapping and layout, write
 * JSON Lines; optionally convert between conversation formats. It is where
 * data from elsewhere enters the pipeline, so it gives records without an
 * id a stable one by default (every later stage requires one); with
 * --require-ids it rejects them instead.
 */
#include <string.h>

#include "io/conv_format.h"
#include "llm/image_load.h"
#include "parquet/pq_format.h"
#include "parquet/pq_write.h"
#include "prm/conv_prm.h"
#include "core/hash.h"
#include "json/json_write.h"
#include "parquet/pq_images.h"
#include "stage/stage.h"
#include "stage/stage_stop.h"

struct cat {
	enum conv_format from, to;
	int convert, require_ids;
	struct conv_prm_opts prm;
	/* Parquet input: --columns, --extract-images */
	const char *columns, *images_path;
	/* Parquet output (--to parquet, -o FILE.parquet) */
	int parquet, parquet_opts, embed_images;
	struct pq_write_opts pq;
};

STAGE_OPTIONS(cat_options,
	"from=FMT     input format: auto (default), messages, sharegpt, llava, alpaca, cauldron\n"
	"             (the_cauldron's texts: [{user, assistant}]), jsonl\n"
	"to=FMT       convert to messages, sharegpt, llava, alpaca or jsonl (no conversion), or\n"
	"             export smelt-mc labels: visualprm400k, math-shepherd, prm-raw\n"
	"require-ids  reject records without a string id instead of assigning one\n"
	"ids          assign missing ids (the default; kept for old scripts)\n"
	"prm-system-prompt=TEXT  visualprm400k: the system turn (default VisualPRM's)\n"
	"prm-first-turn=TEXT  visualprm400k: the first human turn, {question} and {step}\n"
	"             replaced (default \"### Question:\\n{question}\\n\\n### Solution Process:\\n{step}\")\n"
	"prm-keep-suffixes  visualprm400k: keep VisualPRM's short-answer instructions (\"Answer the\n"
	"             question using a single word or phrase.\", ...) at the end of questions\n"
	"prm-raw-any-mode  prm-raw: export exact-binary / first-error records too (their\n"
	"             scores are null; counts are early-stopped)\n"
	"columns=LIST  Parquet input: read only these comma-separated columns, dotted\n"
	"             for nested fields (a,b.c); only their column chunks are read\n"
	"extract-images=TAR  Parquet input: write embedded images ({bytes, path}) into the\n"
	"             tar shard TAR and refer to them as tar:TAR#MEMBER\n"
	"parquet-codec=C  Parquet output: page compression zstd (default), gzip or none\n"
	"parquet-row-group-rows=N  Parquet output: rows per row group (default 1000000)\n"
	"parquet-row-group-mb=N  Parquet output: end a row group at N MB of encoded\n"
	"             pages (default 128)\n"
	"parquet-page-kb=N  Parquet output: data page size (default 1024)\n"
	"parquet-dict-kb=N  Parquet output: a column chunk's dictionary stops at N KB and\n"
	"             later pages are PLAIN (default 1024; 0: no dictionaries)\n"
	"parquet-no-statistics  Parquet output: no min/max/null_count per column chunk\n"
	"parquet-page-v2  Parquet output: data pages v2 instead of v1\n"
	"embed-images  Parquet output: \"image\" and \"images\" refs (file paths under the\n"
	"             current directory, tar:SHARD#MEMBER, data: URIs) become {bytes, path} structs, the\n"
	"             Hugging Face Image feature (the footer's \"huggingface\" metadata says\n"
	"             so); a missing image is a reject\n",
	OPT_FROM, OPT_TO, OPT_REQUIRE_IDS, OPT_IDS, OPT_PRM_SYSTEM_PROMPT, OPT_PRM_FIRST_TURN,
	OPT_PRM_KEEP_SUFFIXES, OPT_PRM_RAW_ANY_MODE, OPT_COLUMNS, OPT_EXTRACT_IMAGES,
	OPT_PARQUET_CODEC, OPT_PARQUET_ROW_GROUP_ROWS, OPT_PARQUET_ROW_GROUP_MB, OPT_PARQUET_PAGE_KB,
	OPT_PARQUET_DICT_KB, OPT_PARQUET_NO_STATISTICS, OPT_PARQUET_PAGE_V2, OPT_EMBED_IMAGES);

static const char *const no_suffixes[] = { NULL };

/* ---- Parquet output: its options, --embed-images, the writer ---- */

/* The fields --embed-images fills (pq_write_opts.base64_fields). */
static const char *const embedded_fields[] = { "image.bytes", "images[].bytes", NULL };

static int parquet_option(struct stage *st, struct cat *c, int id, const char *arg)
{
	c->parquet_opts = 1;
	switch (id) {
	case OPT_PARQUET_CODEC:
		if ((c->pq.codec = pq_codec_parse(arg)) < 0)
			return error("--parquet-codec wants zstd, gzip or none, not '%s'", arg);
		return 0;
	case OPT_PARQUET_ROW_GROUP_ROWS:
		c->pq.row_group_rows = (uint64_t)stage_arg_long(st, "--parquet-row-group-rows", arg, 1, 1L << 40);
		return 0;
	case OPT_PARQUET_ROW_GROUP_MB:
		c->pq.row_group_bytes = (uint64_t)stage_arg_long(st, "--parquet-row-group-mb", arg, 1, 1L << 20) << 20;
		return 0;
	case OPT_PARQUET_PAGE_KB:
		c->pq.page_bytes = (size_t)stage_arg_long(st, "--parquet-page-kb", arg, 1, 1L << 20) << 10;
		return 0;
	case OPT_PARQUET_DICT_KB:
		c->pq.dict_bytes = (size_t)stage_arg_long(st, "--parquet-dict-kb", arg, 0, 1L << 20) << 10;
		c->pq.dictionary = c->pq.dict_bytes > 0;
		return 0;
	case OPT_PARQUET_NO_STATISTICS: c->pq.statistics = 0; return 0;
	case OPT_PARQUET_PAGE_V2: c->pq.page_v2 = 1; return 0;
	case OPT_EMBED_IMAGES:
		c->embed_images = 1;
		c->pq.base64_fields = embedded_fields;
		c->pq.hf_features = 1; /* so `datasets` loads them as Image, not dicts */
		return 0;
	}
	return -1;
}

/* One image ref -> {bytes: base64, path: ref}; NULL with a reject
 * otherwise. Runs on the loop's workers: image_load is thread-safe. */
static json_t *embed_image(struct record *rec, json_t *ref)
{
	const char *kind = NULL, *s = json_string_value(ref), *b64;
	struct sbuf url = SBUF_INIT, err = SBUF_INIT;
	struct image_load_opts opts = { 0 }; /* under the current directory, any size */
	json_t *out = NULL;

	if (!s)
		return json_incref(ref); /* already a struct, or null */
	if (image_load_url(s, &opts, &url, &kind, &err) < 0)
		record_reject(rec, kind, "%s", err.buf);
	else if (strncmp(url.buf, "data:", 5) || !(b64 = strstr(url.buf, ";base64,")))
		record_reject(rec, IMAGE_BAD, "image '%s' is a URL, not a file: it cannot be embedded", s);
	else {
		b64 += 8;
		out = json_object();
		json_object_set_new(out, "bytes", json_stringn(b64, url.len - (size_t)(b64 - url.buf)));
		/* a data: URI (how Parquet images read without --extract-images) has no name */
		json_object_set_new(out, "path", strncmp(s, "data:", 5) ? json_string(s) : json_null());
	}
	sbuf_release(&url);
	sbuf_release(&err);
	return out;
}

static int embed_images(struct record *rec)
{
	json_t *one = json_object_get(rec->json, "image"), *many = json_object_get(rec->json, "images"), *e;

	if (one) {
		if (!(e = embed_image(rec, one)))
			return STAGE_REJECT;
		json_object_set_new(rec->json, "image", e);
	}
	for (size_t i = 0; json_is_array(many) && i < json_array_size(many); i++) {
		if (!(e = embed_image(rec, json_array_get(many, i))))
			return STAGE_REJECT;
		json_array_set_new(many, i, e);
	}
	return STAGE_KEEP;
}

/* -o FILE.parquet is Parquet for every stage (io/record_writer); here the
 * output is reopened with smelt-cat's Parquet options, or as Parquet
 * whatever its name with --to parquet. */
static void parquet_reopen(struct stage *st, struct cat *c)
{
	struct record_writer_opts o = stage_writer_opts(st);

	if (!c->parquet && !c->parquet_opts)
		return;
	o.parquet = c->parquet ? 1 : -1;
	o.pq = &c->pq;
	record_writer_abort(st->out);
	if (!(st->out = record_writer_open(st->output, &o)))
		exit(EXIT_FATAL);
}

/* ---- the rest of smelt-cat ---- */

static int cat_option(struct stage *st, int id, const char *arg, void *ctx)
{
	struct cat *c = ctx;

	if (id == OPT_TO && !strcmp(arg, "parquet")) {
		c->parquet = 1;
		return 0;
	}
	if (id >= OPT_PARQUET_CODEC && id <= OPT_EMBED_IMAGES)
		return parquet_option(st, c, id, arg);
	switch (id) {
	case OPT_FROM:
	case OPT_TO: {
		enum conv_format f;
		if (conv_format_parse(arg, &f) < 0 || (id == OPT_TO && (f == CONV_AUTO || f == CONV_CAULDRON)) ||
		    (id == OPT_FROM && f >= CONV_VISUALPRM400K))
			return error("unknown format '%s' for --%s", arg, id == OPT_FROM ? "from" : "to");
		if (id == OPT_FROM)
			c->from = f;
		else
			c->to = f;
		c->convert = 1;
		return 0;
	}
	case OPT_IDS: c->require_ids = 0; return 0;
	case OPT_PRM_SYSTEM_PROMPT: c->prm.system_prompt = arg; return 0;
	case OPT_PRM_FIRST_TURN: c->prm.first_turn = arg; return 0;
	case OPT_PRM_KEEP_SUFFIXES: c->prm.suffixes = no_suffixes; return 0;
	case OPT_PRM_RAW_ANY_MODE: c->prm.raw_any_mode = 1; return 0;
	case OPT_REQUIRE_IDS: c->require_ids = 1; return 0;
	case OPT_COLUMNS: c->columns = arg; return 0;
	case OPT_EXTRACT_IMAGES: c->images_path = arg; return 0;
	}
	return -1;
}

/* Put a content-hash id first in the record (stable across runs and machines). */
static int assign_id(struct record *rec)
{
	json_t *id = json_object_get(rec->json, "id");
	char hex[HASH128_HEX_LEN + 1];

	if (json_is_string(id))
		return 0;
	if (json_is_integer(id)) {
		json_object_set_new(rec->json, "id", json_sprintf("%" JSON_INTEGER_FORMAT, json_integer_value(id)));
		return 0;
	}
	if (id && !json_is_null(id))
		return record_reject(rec, "bad_field_type", "\"id\" must be a string");
	json_object_del(rec->json, "id");
	struct sbuf canon = SBUF_INIT;
	json_write(&canon, rec->json);
	hash128_hex(hash128(canon.buf, canon.len), hex);
	sbuf_release(&canon);
	json_t *out = json_object(), *v;
	const char *key;
	json_object_set_new(out, "id", json_string(hex));
	json_object_foreach(rec->json, key, v)
		json_object_set(out, key, v);
	json_decref(rec->json);
	rec->json = out;
	return 0;
}

static int cat_map(struct record *rec, void *ctx)
{
	struct cat *c = ctx;
	const char *kind = NULL;
	json_t *canon, *out;

	if (!c->require_ids && assign_id(rec) == STAGE_REJECT)
		return STAGE_REJECT;
	if (c->embed_images && embed_images(rec) == STAGE_REJECT)
		return STAGE_REJECT;
	if (!c->convert || c->to == CONV_JSONL)
		return STAGE_KEEP;
	sbuf_reset(&rec->reject_msg);
	if (c->to >= CONV_VISUALPRM400K) {
		out = conv_prm_export(rec->json, c->to, &c->prm, &kind, &rec->reject_msg);
		if (!out)
			goto reject;
		json_decref(rec->json);
		rec->json = out;
		return STAGE_KEEP;
	}
	canon = conv_to_messages(rec->json, c->from, &kind, &rec->reject_msg);
	if (!canon)
		goto reject;
	out = conv_from_messages(canon, c->to == CONV_AUTO ? CONV_MESSAGES : c->to, &kind, &rec->reject_msg);
	json_decref(canon);
	if (!out)
		goto reject;
	json_decref(rec->json);
	rec->json = out;
	return STAGE_KEEP;
reject:
	rec->reject_kind = kind;
	return STAGE_REJECT;
}

int main(int argc, char **argv)
{
	struct cat c = { .from = CONV_AUTO, .to = CONV_AUTO, .pq = PQ_WRITE_OPTS_INIT };
	struct stage_ops ops = { .map = cat_map };
	struct stage st;

	stage_init(&st, "smelt-cat", "Read records in any supported format and write JSON Lines,\n"
		   "converting between conversation formats on request.",
		   "smelt-cat --to messages llava_v1_5_mix665k.json -o llava.jsonl.zst");
	st.extra_help = "Records without an id get a stable one (a hash of the record's canonical\n"
			"JSON) and number ids become strings; --require-ids rejects them instead.\n"
			"Without --from/--to records otherwise pass through unchanged. --from alone\n"
			"converts to messages. Conversions keep unknown fields and make images and\n"
			"<image> placeholders agree (images without placeholders get one at the start\n"
			"of the first user turn); records where they disagree are rejected.\n"
			"Parquet files (detected by their PAR1 magic; files only, not stdin) are read\n"
			"row by row: nested groups, lists and maps become JSON objects and arrays, an\n"
			"embedded image ({bytes, path}) becomes one image reference: a data: URI, or\n"
			"with --extract-images a member of the tar shard (README \"Parquet\").\n"
			"-o FILE.parquet (any stage) or --to parquet writes one Parquet file: the\n"
			"schema is the union of the records' shapes, spooled under $TMPDIR until the\n"
			"end (README \"Writing Parquet\").";
	stage_parse_options(&st, argc, argv, &cat_options, cat_option, &c);
	ops.require_id = c.require_ids;
	if (c.embed_images && !c.parquet && !(st.output && strstr(st.output, ".parquet")))
		stage_usage_error(&st, "--embed-images is for Parquet output (--to parquet or -o FILE.parquet)");
	if (c.embed_images)
		; /* every record is looked at */
	else if (c.require_ids && (!c.convert || c.to == CONV_JSONL))
		ops.map = NULL; /* records pass through: the loop's fast path */
	else if (!c.convert || c.to == CONV_JSONL)
		ops.map_only_without_id = 1; /* so do records that have an id */
	/* Parquet inputs: projection and the image shard */
	struct pq_read_opts pq_in = { .columns = c.columns };
	if (c.images_path && !(pq_in.images = pq_images_open(c.images_path)))
		return 1;
	record_reader_set_parquet(&pq_in);
	stage_open(&st);
	parquet_reopen(&st, &c);
	if (stage_run(&st, &ops, &c) < 0)
		st.failed = 1;
	if (pq_in.images) { /* kept exactly when the records referring to it are */
		if (!st.failed && !stage_stop_signal()) {
			if (pq_images_commit(pq_in.images) < 0)
				st.failed = 1;
		} else {
			pq_images_abort(pq_in.images);
		}
	}
	if (c.embed_images)
		image_load_cleanup();
	return stage_finish(&st);
}
