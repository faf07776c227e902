/*
 * smelt-merge — put several record files back together: concatenated in
 * argument order, or with --by PATH a k-way merge of inputs that are each
 * sorted by PATH, so the output is sorted too.
 *
 * The merge keeps one parsed record per input and a binary heap of inputs
 * ordered by (key, input position), so records with equal keys come out in
 * the order of the files named, and within a file in file order: the merge
 * is stable. An input found out of order stops the merge with exit 1 and
 * names the file and line: its records could not be placed correctly, and
 * setting them aside would hide that the input was not what it claimed.
 */
#include <stdlib.h>
#include <string.h>

#include "text/record_key.h"
#include "json/json_path.h"
#include "json/json_write.h"
#include "stage/stage.h"

/* At most 60 bytes of a key in a message. */
#define KEY_SHOWN(sb) (int)((sb)->len < 60 ? (sb)->len : 60), (sb)->buf

static const char merge_help[] =
	"Without --by the inputs are concatenated in argument order. With --by,\n"
	"each input must already be sorted by PATH (byte order of the value's text,\n"
	"as LC_ALL=C sort; --numeric compares numbers); equal keys keep argument\n"
	"order. An input out of order stops the merge (exit 1) with its file and\n"
	"line; records lacking the key are rejected (missing_field).";

STAGE_OPTIONS(merge_options,
	"by=PATH  k-way merge of inputs each sorted by the value at PATH\n"
	"numeric  with --by: compare keys as numbers\n"
	"reverse  with --by: inputs are sorted in descending order\n",
	OPT_BY, OPT_NUMERIC, OPT_REVERSE);

struct merge_opts {
	const char *by;
	int numeric, reverse;
};

struct merge_input {
	const char *name; /* as shown in messages */
	int pos;          /* argument position: breaks ties */
	struct record_reader *rd;
	struct raw_record raw;
	json_t *rec;      /* the current record (owned), NULL when done */
	struct record_loc loc;
	struct sbuf key, prev_key;
	double num, prev_num;
	int has_prev;
};

static int merge_option(struct stage *st, int id, const char *arg, void *vctx)
{
	struct merge_opts *o = vctx;

	switch (id) {
	case OPT_BY: o->by = stage_arg_field(st, "--by", arg); return 0;
	case OPT_NUMERIC: o->numeric = 1; return 0;
	case OPT_REVERSE: o->reverse = 1; return 0;
	}
	return -1;
}

/* <0, 0, >0 as in's key sorts before, with or after the other key. */
static int key_cmp(const struct merge_opts *o, double an, const struct sbuf *ak, double bn,
		   const struct sbuf *bk)
{
	int c;

	if (o->numeric) {
		c = an < bn ? -1 : an > bn;
	} else {
		size_t n = ak->len < bk->len ? ak->len : bk->len;
		c = memcmp(ak->buf, bk->buf, n);
		if (!c)
			c = ak->len < bk->len ? -1 : ak->len > bk->len;
	}
	return o->reverse ? -c : c;
}

/* Read the key of in->rec; 0, or a reject kind (static) with a message. */
static const char *read_key(const struct merge_opts *o, struct merge_input *in, struct sbuf *msg)
{
	const json_t *v = jpath_get(in->rec, o->by);

	sbuf_reset(&in->key);
	if (!v) {
		sbuf_addf(msg, "no '%s' to merge by", o->by);
		return "missing_field";
	}
	if (!o->numeric) {
		record_key_text(&in->key, v);
		return NULL;
	}
	if (json_is_number(v)) {
		in->num = json_number_value(v);
		return NULL;
	}
	if (json_is_string(v) && !parse_double(json_string_value(v), -1e308, 1e308, &in->num))
		return NULL;
	sbuf_addf(msg, "'%s' is not a number (--numeric)", o->by);
	return "bad_field_type";
}

/*
 * Move `in` to its next usable record, setting bad ones aside. Returns 1
 * with in->rec set, 0 at the end of the input, -1 on a fatal error.
 */
static int input_advance(struct stage *st, const struct merge_opts *o, struct merge_input *in)
{
	struct sbuf msg = SBUF_INIT;
	const char *kind;
	int r;

	json_decref(in->rec);
	in->rec = NULL;
	for (;;) {
		r = record_reader_next(in->rd, &in->raw);
		if (r <= 0)
			break;
		st->records_in++;
		in->loc = in->raw.loc;
		in->loc.file = in->name;
		sbuf_reset(&msg);
		if (in->raw.defect) {
			stage_reject(st, &in->loc, NULL, in->raw.text.buf, in->raw.text.len, in->raw.defect,
				     "%s", in->raw.defect_msg ? in->raw.defect_msg : in->raw.defect);
			continue;
		}
		in->rec = record_parse(&in->raw, &kind, &msg);
		if (!in->rec) {
			stage_reject(st, &in->loc, NULL, in->raw.text.buf, in->raw.text.len, kind, "%s",
				     msg.buf);
			continue;
		}
		kind = read_key(o, in, &msg);
		if (kind) {
			stage_reject(st, &in->loc, in->rec, NULL, 0, kind, "%s", msg.buf);
			json_decref(in->rec);
			in->rec = NULL;
			continue;
		}
		if (in->has_prev && key_cmp(o, in->num, &in->key, in->prev_num, &in->prev_key) < 0) {
			struct sbuf where = SBUF_INIT;
			const char *desc = o->reverse ? " (descending)" : "";
			record_loc_format(&in->loc, &where);
			if (o->numeric)
				r = error("%s: input is not sorted by '%s'%s: key %g is out of order "
					  "after %g (sort the input first, or merge without --by)",
					  where.buf, o->by, desc, in->num, in->prev_num);
			else
				r = error("%s: input is not sorted by '%s'%s: key '%.*s' is out of order "
					  "after '%.*s' (sort the input first, or merge without --by)",
					  where.buf, o->by, desc, KEY_SHOWN(&in->key),
					  KEY_SHOWN(&in->prev_key));
			sbuf_release(&where);
			break;
		}
		in->has_prev = 1;
		in->prev_num = in->num;
		sbuf_reset(&in->prev_key);
		sbuf_add(&in->prev_key, in->key.buf, in->key.len);
		r = 1;
		break;
	}
	sbuf_release(&msg);
	return r;
}

/* Heap order: smaller key first, then the earlier input. */
static int heap_less(const struct merge_opts *o, const struct merge_input *a,
		     const struct merge_input *b)
{
	int c = key_cmp(o, a->num, &a->key, b->num, &b->key);

	return c < 0 || (c == 0 && a->pos < b->pos);
}

static void heap_sift_down(const struct merge_opts *o, struct merge_input **h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && heap_less(o, h[l], h[m]))
			m = l;
		if (r < n && heap_less(o, h[r], h[m]))
			m = r;
		if (m == i)
			return;
		struct merge_input *t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static int merge_by_key(struct stage *st, const struct merge_opts *o)
{
	static char *stdin_only[] = { "-" };
	char **names = st->ninputs ? st->inputs : stdin_only;
	size_t n = st->ninputs ? (size_t)st->ninputs : 1, nh = 0;
	struct merge_input *ins = xcalloc(n, sizeof(*ins));
	struct merge_input **heap = xcalloc(n, sizeof(*heap));
	struct sbuf line = SBUF_INIT;
	uint64_t total = 0;
	int r = 0;

	for (size_t i = 0; i < n; i++)
		raw_record_init(&ins[i].raw);
	for (size_t i = 0; i < n && r == 0; i++) {
		struct merge_input *in = &ins[i];
		in->name = strcmp(names[i], "-") ? names[i] : "<stdin>";
		in->pos = (int)i;
		in->rd = record_reader_open(names[i]);
		if (!in->rd) {
			r = -1;
			break;
		}
		total += record_reader_size(in->rd);
	}
	for (size_t i = 0; i < n && r == 0; i++) {
		int got = input_advance(st, o, &ins[i]);
		if (got < 0)
			r = -1;
		else if (got)
			heap[nh++] = &ins[i];
	}
	for (size_t i = nh; i-- > 0;)
		heap_sift_down(o, heap, nh, i);
	while (nh && r == 0) {
		struct merge_input *top = heap[0];
		int got;
		sbuf_reset(&line);
		json_write(&line, top->rec);
		if (stage_emit_text(st, line.buf, line.len) < 0) {
			r = -1;
			break;
		}
		got = input_advance(st, o, top);
		if (got < 0)
			r = -1;
		else if (!got)
			heap[0] = heap[--nh];
		heap_sift_down(o, heap, nh, 0);
		if ((st->records_in & 4095) == 0) {
			uint64_t done = 0;
			for (size_t i = 0; i < n; i++)
				done += record_reader_bytes_read(ins[i].rd);
			stage_progress_tick(st, done, total);
		}
	}
	for (size_t i = 0; i < n; i++) {
		json_decref(ins[i].rec);
		if (ins[i].rd)
			record_reader_close(ins[i].rd);
		raw_record_release(&ins[i].raw);
		sbuf_release(&ins[i].key);
		sbuf_release(&ins[i].prev_key);
	}
	free(ins);
	free(heap);
	sbuf_release(&line);
	return r;
}

int main(int argc, char **argv)
{
	struct stage st;
	struct merge_opts o = { NULL, 0, 0 };
	struct stage_ops ops = { 0 };
	int r;

	stage_init(&st, "smelt-merge", "Concatenate record files, or merge files sorted by a key.",
		   "smelt-merge --by created --numeric part-a.jsonl.zst part-b.jsonl.zst -o all.jsonl.zst");
	st.extra_help = merge_help;
	stage_parse_options(&st, argc, argv, &merge_options, merge_option, &o);
	if (!o.by && (o.numeric || o.reverse))
		stage_usage_error(&st, "--numeric and --reverse need --by");
	stage_open(&st);
	r = o.by ? merge_by_key(&st, &o) : stage_run(&st, &ops, NULL);
	if (r < 0)
		st.failed = 1;
	return stage_finish(&st);
}
