/*
 * cluster.c — union-find, verification and the keep policy (see cluster.h).
 */
#include "neardup/cluster.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/sbuf.h"
#include "neardup/bucket.h"
#include "neardup/minhash.h"
#include "neardup/neardup_report.h"
#include "neardup/sigfile.h"

/* An offset names the file in its top 16 bits, the byte in the rest. */
#define OFFSET_BITS 48

int keep_policy_parse(const char *arg, struct keep_policy *out)
{
	out->field = NULL;
	if (!strcmp(arg, "first")) {
		out->kind = KEEP_FIRST;
	} else if (!strcmp(arg, "longest")) {
		out->kind = KEEP_LONGEST;
	} else if (!strncmp(arg, "highest:", 8) && arg[8]) {
		out->kind = KEEP_HIGHEST;
		out->field = arg + 8;
	} else {
		return -1;
	}
	return 0;
}

struct uf {
	uint32_t *parent, *size, *best;
	float *key; /* NULL for KEEP_FIRST */
	uint64_t *offset;
	size_t n, alloc;
	struct sig_reader **readers;
	int nreaders;
	struct sbuf buf_a, buf_b;
};

static uint32_t find(struct uf *u, uint32_t x)
{
	while (u->parent[x] != x) {
		u->parent[x] = u->parent[u->parent[x]]; /* path halving */
		x = u->parent[x];
	}
	return x;
}

static int entry_at(struct uf *u, uint32_t x, struct sbuf *buf, struct sig_entry *e)
{
	uint64_t off = u->offset[x];

	return sig_reader_at(u->readers[off >> OFFSET_BITS], off & ((1ULL << OFFSET_BITS) - 1), buf, e);
}

/*
 * Pass 1: number the signed records, note where each entry is and its
 * keep key; check the files share their parameters; fingerprint the list.
 */
static int number_records(struct uf *u, char *const *sigs, int nsigs, const struct cluster_opts *o,
			  struct cluster_figures *fig, uint64_t *fp, struct sig_params *params)
{
	size_t key_alloc = 0, unscored = 0;

	*fp = 0;
	if (nsigs >= (1 << (64 - OFFSET_BITS)))
		return error("too many signature files (%d)", nsigs);
	u->readers = xcalloc((size_t)nsigs, sizeof(*u->readers));
	u->nreaders = nsigs;
	for (int f = 0; f < nsigs; f++) {
		struct sig_entry e;
		uint64_t off;
		int got;

		u->readers[f] = sig_reader_open(sigs[f]);
		if (!u->readers[f])
			return -1;
		if (!f)
			*params = *sig_reader_params(u->readers[f]);
		else if (sig_params_check(params, sig_reader_params(u->readers[f]), sigs[f]) < 0)
			return -1;
		while ((got = sig_reader_next(u->readers[f], &e, &off)) > 0) {
			fig->records++;
			if (e.status != SIG_OK) {
				fig->unusable++;
				continue;
			}
			if (u->n >= UINT32_MAX - 1)
				return error("more than %u signed records", UINT32_MAX - 2);
			ALLOC_GROW(u->offset, u->n + 1, u->alloc);
			u->offset[u->n] = ((uint64_t)f << OFFSET_BITS) | off;
			if (o->keep.kind != KEEP_FIRST) {
				double k = o->keep.kind == KEEP_LONGEST ? e.length : e.score;
				ALLOC_GROW(u->key, u->n + 1, key_alloc);
				u->key[u->n] = isnan(k) ? -INFINITY : (float)k;
				unscored += isnan(k);
			}
			u->n++;
		}
		if (got < 0)
			return -1;
		*fp = bucket_fingerprint(*fp, sig_reader_count(u->readers[f]),
					 sig_reader_checksum(u->readers[f]));
	}
	fig->signed_ok = u->n;
	/*
	 * The score is stored by sign, not read here: a sign run without
	 * --keep highest:FIELD leaves every record unscored, and the policy
	 * would quietly fall back to the first of each cluster.
	 */
	if (o->keep.kind == KEEP_HIGHEST && unscored)
		warning("--keep highest:%s: %zu of %zu signed records carry no score (sign them with "
			"--keep highest:%s too); they rank below every scored record, and a cluster "
			"with none keeps its first", o->keep.field, unscored, u->n, o->keep.field);
	return 0;
}

static int join_pairs(struct uf *u, char *const *pairs, int npairs, const struct cluster_opts *o,
		      uint64_t fp, int perms, struct neardup_report *report, struct cluster_figures *fig)
{
	for (int p = 0; p < npairs; p++) {
		struct pair_reader *r = pair_reader_open(pairs[p]);
		uint32_t a, b;
		int got, bands, rows;

		if (!r)
			return -1;
		pair_reader_shape(r, &bands, &rows);
		if (bands * rows > perms) {
			pair_reader_close(r);
			return error("%s: %d bands x %d rows do not fit %d permutations", pairs[p], bands,
				     rows, perms);
		}
		if (report)
			neardup_report_shape(report, bands, rows);
		while ((got = pair_reader_next(r, &a, &b)) > 0) {
			fig->pairs++;
			if (a >= u->n || b >= u->n) {
				pair_reader_close(r);
				return error("%s: pair (%u, %u) beyond the %zu signed records: made from other "
					     "signature files", pairs[p], a, b, u->n);
			}
			uint32_t ra = find(u, a), rb = find(u, b);
			if (ra == rb)
				continue;
			if (o->threshold > 0) {
				struct sig_entry ea, eb;
				if (entry_at(u, a, &u->buf_a, &ea) < 0 || entry_at(u, b, &u->buf_b, &eb) < 0) {
					pair_reader_close(r);
					return -1;
				}
				if (minhash_jaccard(ea.shingles, ea.nshingles, eb.shingles, eb.nshingles) <
				    o->threshold) {
					fig->pairs_refused++;
					continue;
				}
			}
			/* union by size; on a tie the lower number is the root, for determinism */
			if (u->size[ra] < u->size[rb] || (u->size[ra] == u->size[rb] && rb < ra)) {
				uint32_t t = ra;
				ra = rb;
				rb = t;
			}
			u->parent[rb] = ra;
			u->size[ra] += u->size[rb];
			fig->pairs_joined++;
		}
		uint64_t their = pair_reader_fingerprint(r);
		pair_reader_close(r);
		if (got < 0)
			return -1;
		if (their != fp)
			return error("%s: made from other signature files than those given (or in another "
				     "order)", pairs[p]);
	}
	return 0;
}

/* The member each cluster keeps: the first by number, or the largest key (then the first). */
static void choose_kept(struct uf *u, const struct cluster_opts *o)
{
	for (uint32_t i = 0; i < u->n; i++)
		u->best[i] = UINT32_MAX;
	for (uint32_t i = 0; i < u->n; i++) {
		uint32_t r = find(u, i), cur = u->best[r];
		if (cur == UINT32_MAX || (o->keep.kind != KEEP_FIRST && u->key[i] > u->key[cur]))
			u->best[r] = i;
	}
}

static json_t *decision_base(int shard, const struct sig_entry *e, const char *kind)
{
	return json_pack("{s:i, s:I, s:s%, s:s}", "shard", shard, "seq", (json_int_t)e->seq, "id", e->id,
			 e->id_len, "kind", kind);
}

/* Pass 2: the files again in order, a decision for every record not kept. */
static int decide(struct uf *u, char *const *sigs, int nsigs, cluster_emit_fn emit, void *ctx,
		  struct neardup_report *report, int perms, struct cluster_figures *fig)
{
	uint32_t dense = 0;

	for (int f = 0; f < nsigs; f++) {
		struct sig_reader *r = sig_reader_open(sigs[f]);
		struct sig_entry e, k;
		int got, stop = 0;

		if (!r)
			return -1;
		while (!stop && (got = sig_reader_next(r, &e, NULL)) > 0) {
			json_t *d = NULL;
			if (report)
				neardup_report_record(report, &e);
			if (e.status != SIG_OK) {
				d = decision_base(f, &e, e.status == SIG_MISSING_FIELD ? "missing_field" : "bad_text");
			} else {
				uint32_t root = find(u, dense), kept = u->best[root];
				uint32_t size = u->size[root];
				if (kept == dense && size > 1) {
					fig->clusters++;
					if (size > fig->largest_cluster)
						fig->largest_cluster = size;
					if (report)
						neardup_report_cluster(report, size);
				}
				if (kept != dense) {
					if (entry_at(u, kept, &u->buf_a, &k) < 0) {
						stop = 1;
						break;
					}
					double sim = minhash_similarity(e.sig, k.sig, perms);
					double jac = minhash_jaccard(e.shingles, e.nshingles, k.shingles, k.nshingles);
					d = decision_base(f, &e, "near_duplicate");
					json_object_set_new(d, "kept", json_stringn(k.id, k.id_len));
					json_object_set_new(d, "similarity", json_real(sim));
					json_object_set_new(d, "jaccard", json_real(jac));
					json_object_set_new(d, "cluster_size", json_integer(size));
					fig->removed++;
					if (report)
						neardup_report_removal(report, &e, &k, sim, jac);
				}
				dense++;
			}
			if (d && emit(d, ctx) < 0)
				stop = 1;
			json_decref(d);
		}
		sig_reader_close(r);
		if (stop || got < 0)
			return -1;
	}
	return 0;
}

int cluster_run(char *const *sigs, int nsigs, char *const *pairs, int npairs, const struct cluster_opts *o,
		cluster_emit_fn emit, void *ctx, struct neardup_report *report, struct cluster_figures *fig)
{
	struct uf u = { 0 };
	struct sig_params params;
	uint64_t fp;
	int r = -1;

	memset(fig, 0, sizeof(*fig));
	if (number_records(&u, sigs, nsigs, o, fig, &fp, &params) < 0)
		goto out;
	fig->array_bytes = (uint64_t)u.n * (20 + (u.key ? 4 : 0));
	if (fig->array_bytes > o->memory)
		warning("clustering %zu records needs %llu MB of arrays, more than --memory %llu MB", u.n,
			(unsigned long long)(fig->array_bytes >> 20), (unsigned long long)(o->memory >> 20));
	u.parent = xmalloc((u.n ? u.n : 1) * sizeof(*u.parent));
	u.size = xmalloc((u.n ? u.n : 1) * sizeof(*u.size));
	u.best = xmalloc((u.n ? u.n : 1) * sizeof(*u.best));
	for (uint32_t i = 0; i < u.n; i++) {
		u.parent[i] = i;
		u.size[i] = 1;
	}
	if (join_pairs(&u, pairs, npairs, o, fp, params.perms, report, fig) < 0)
		goto out;
	choose_kept(&u, o);
	r = decide(&u, sigs, nsigs, emit, ctx, report, params.perms, fig);
out:
	for (int i = 0; i < u.nreaders; i++)
		sig_reader_close(u.readers[i]);
	free(u.readers);
	free(u.parent);
	free(u.size);
	free(u.best);
	free(u.key);
	free(u.offset);
	sbuf_release(&u.buf_a);
	sbuf_release(&u.buf_b);
	return r;
}
