/*
 * bench_csv.c — a streaming RFC 4180 reader and the two table shapes of
 * bench_csv.h.
 */
#include "bench/bench_csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct row {
	char **f;
	size_t n, alloc;
	struct sbuf cur, raw;
	uint64_t line;       /* where the row began */
};

static void row_clear(struct row *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->f[i]);
	r->n = 0;
	sbuf_reset(&r->raw);
}

static void end_field(struct row *r)
{
	ALLOC_GROW(r->f, r->n + 1, r->alloc);
	r->f[r->n++] = xstrndup(r->cur.buf ? r->cur.buf : "", r->cur.len);
	if (r->n > 1)
		sbuf_addch(&r->raw, ',');
	sbuf_add(&r->raw, r->cur.buf ? r->cur.buf : "", r->cur.len);
	sbuf_reset(&r->cur);
}

/* Read one row into r; returns 1, or 0 at the end of the input. */
static int read_row(FILE *fp, struct row *r, uint64_t *line)
{
	int c, quoted = 0, any = 0;

	row_clear(r);
	sbuf_reset(&r->cur);
	r->line = *line;
	while ((c = getc(fp)) != EOF) {
		any = 1;
		if (quoted) {
			if (c == '"') {
				int d = getc(fp);

				if (d == '"') {
					sbuf_addch(&r->cur, '"');
					continue;
				}
				quoted = 0;
				if (d == EOF)
					break;
				c = d;
			} else {
				if (c == '\n')
					++*line;
				sbuf_addch(&r->cur, c);
				continue;
			}
		}
		if (c == '"' && !r->cur.len) {
			quoted = 1;
		} else if (c == ',') {
			end_field(r);
		} else if (c == '\n') {
			++*line;
			break;
		} else if (c != '\r') {
			sbuf_addch(&r->cur, c);
		}
	}
	if (!any)
		return 0;
	end_field(r);
	return 1;
}

static int is_blank_row(const struct row *r)
{
	return r->n == 1 && !*r->f[0];
}

static int parse_score(const char *s, double *x)
{
	char *end;

	while (*s == ' ')
		s++;
	*x = strtod(s, &end);
	while (*end == ' ')
		end++;
	return end != s && !*end && isfinite(*x) ? 0 : -1;
}

static long column(const struct row *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (!strcasecmp(h->f[i], name))
			return (long)i;
	return -1;
}

/* BENCHMARK/DIMENSION/ITEM, BENCHMARK/ITEM or ITEM of a wide header cell. */
struct item_spec {
	char *bench, *dim, *item;
};

static void split_spec(const char *s, struct item_spec *o)
{
	const char *a = strchr(s, '/'), *b = strrchr(s, '/');

	o->bench = o->dim = NULL;
	if (!a) {
		o->item = xstrdup(s);
		return;
	}
	o->bench = xstrndup(s, (size_t)(a - s));
	o->item = xstrdup(b + 1);
	if (a != b)
		o->dim = xstrndup(a + 1, (size_t)(b - a - 1));
}

static void bad_row(bench_csv_reject_fn reject, void *ctx, const struct row *r, const char *kind, const char *msg)
{
	reject(ctx, r->line, r->raw.buf ? r->raw.buf : "", kind, msg);
}

static void bad_score(bench_csv_reject_fn reject, void *ctx, const struct row *r, const char *score)
{
	struct sbuf msg = SBUF_INIT;

	sbuf_addf(&msg, "score '%s' is not a number", score);
	bad_row(reject, ctx, r, "bad_score", msg.buf);
	sbuf_release(&msg);
}

static int add_cell(struct bench_table *t, const struct row *r, const char *model, const struct item_spec *it,
		    double score, bench_csv_reject_fn reject, void *ctx)
{
	struct sbuf err = SBUF_INIT;
	const char *kind = NULL;
	int ret = bench_table_add(t, model, it->item, it->bench, it->dim, score, &kind, &err);

	if (ret < 0)
		bad_row(reject, ctx, r, kind, err.buf);
	sbuf_release(&err);
	return ret;
}

static void read_long(FILE *fp, const struct row *h, struct row *r, uint64_t *line, struct bench_table *t,
		      bench_csv_reject_fn reject, void *ctx, long *rows)
{
	long cm = column(h, "model"), ci = column(h, "item"), cs = column(h, "score");
	long cb = column(h, "benchmark"), cd = column(h, "dimension");

	while (read_row(fp, r, line)) {
		struct item_spec it;
		double x;

		if (is_blank_row(r))
			continue;
		++*rows;
		if (r->n != h->n) {
			bad_row(reject, ctx, r, "bad_row", "the row has another number of fields than the header");
			continue;
		}
		if (!*r->f[cm] || !*r->f[ci]) {
			bad_row(reject, ctx, r, "missing_field", "the row has no model or no item");
			continue;
		}
		if (parse_score(r->f[cs], &x) < 0) {
			bad_score(reject, ctx, r, r->f[cs]);
			continue;
		}
		it.bench = cb >= 0 ? r->f[cb] : NULL;
		it.dim = cd >= 0 ? r->f[cd] : NULL;
		it.item = r->f[ci];
		(void)add_cell(t, r, r->f[cm], &it, x, reject, ctx);
	}
}

static int read_wide(FILE *fp, const char *name, const struct row *h, struct row *r, uint64_t *line,
		     struct bench_table *t, bench_csv_reject_fn reject, void *ctx, long *rows)
{
	struct item_spec *spec = xcalloc(h->n, sizeof(*spec));
	double *x = xcalloc(h->n, sizeof(*x));
	json_t *seen = json_object();
	int ret = 0;

	for (size_t i = 1; i < h->n && !ret; i++) {
		split_spec(h->f[i], &spec[i]);
		if (!*spec[i].item || json_object_get(seen, h->f[i])) {
			error("%s:1: column %zu '%s' is empty or given twice", name, i + 1, h->f[i]);
			ret = -1;
		}
		json_object_set_new(seen, h->f[i], json_true());
	}
	while (!ret && read_row(fp, r, line)) {
		size_t i;

		if (is_blank_row(r))
			continue;
		++*rows;
		if (r->n != h->n || !*r->f[0]) {
			bad_row(reject, ctx, r, r->n != h->n ? "bad_row" : "missing_field",
				r->n != h->n ? "the row has another number of fields than the header"
					     : "the row names no model");
			continue;
		}
		for (i = 1; i < h->n; i++)
			if (*r->f[i] && parse_score(r->f[i], &x[i]) < 0)
				break;
		if (i < h->n) {
			bad_score(reject, ctx, r, r->f[i]);
			continue;
		}
		for (i = 1; i < h->n; i++)
			if (*r->f[i] && add_cell(t, r, r->f[0], &spec[i], x[i], reject, ctx) < 0)
				break;
	}
	for (size_t i = 1; i < h->n; i++) {
		free(spec[i].bench);
		free(spec[i].dim);
		free(spec[i].item);
	}
	free(spec);
	free(x);
	json_decref(seen);
	return ret;
}

long bench_csv_read(FILE *fp, const char *name, struct bench_table *t, bench_csv_reject_fn reject, void *ctx)
{
	struct row h = { 0 }, r = { 0 };
	uint64_t line = 1;
	long rows = 0;
	int c = getc(fp), ret = 0;

	/* a UTF-8 byte order mark: EF BB BF (no CSV header starts with EF otherwise) */
	if (c == 0xef) {
		(void)getc(fp);
		(void)getc(fp);
	} else if (c != EOF) {
		ungetc(c, fp);
	}
	if (!read_row(fp, &h, &line) || h.n < 2) {
		error("%s:1: no CSV header with a model column and at least one more", name);
		ret = -1;
	} else if (column(&h, "model") >= 0 && column(&h, "item") >= 0 && column(&h, "score") >= 0) {
		read_long(fp, &h, &r, &line, t, reject, ctx, &rows);
	} else {
		ret = read_wide(fp, name, &h, &r, &line, t, reject, ctx, &rows);
	}
	row_clear(&h);
	row_clear(&r);
	free(h.f);
	free(r.f);
	sbuf_release(&h.cur);
	sbuf_release(&h.raw);
	sbuf_release(&r.cur);
	sbuf_release(&r.raw);
	if (ferror(fp)) {
		error("%s: read error", name);
		ret = -1;
	}
	return ret < 0 ? -1 : rows;
}
