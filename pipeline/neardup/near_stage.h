/*
 * near_stage.h — the record-loop halves of near-duplicate removal, shared
 * by `smelt-minhash sign|filter` and `smelt-dedup --near` so that both run
 * the same code: signing records into a signature file, and the filter
 * that merges cluster's decisions into a pass over the same input.
 */
#ifndef SMELT_NEARDUP_NEAR_STAGE_H
#define SMELT_NEARDUP_NEAR_STAGE_H

#include <stdio.h>

#include "core/util.h"
#include "neardup/cluster.h"
#include "neardup/minhash.h"
#include "neardup/shingle.h"
#include "neardup/sigfile.h"
#include "stage/stage.h"

#define NEARDUP_DEFAULT_PERMS 112
#define NEARDUP_DEFAULT_BANDS 14
#define NEARDUP_DEFAULT_ROWS 8
#define NEARDUP_DEFAULT_NGRAM 5
#define NEARDUP_DEFAULT_THRESHOLD 0.8
#define NEARDUP_DEFAULT_MEMORY (256ULL << 20)
#define NEARDUP_DEFAULT_SEED 1

/* What signing reads from each record. */
struct neardup_signer {
	const char *fields_arg;
	char **fields;
	size_t nfields;
	int ngram, perms;
	enum shingle_mode mode;
	uint64_t seed;
	const char *score_field;  /* --keep highest:FIELD, or NULL */
	const char *source_field; /* counted per source in the report */
	struct minhash mh;
	struct sig_writer *out;
	uint64_t unusable;
};

/* Split fields_arg into fields (usage error on a bad list) and draw the permutations. */
void neardup_signer_setup(struct stage *st, struct neardup_signer *s);
void neardup_signer_release(struct neardup_signer *s);
struct sig_params neardup_signer_params(const struct neardup_signer *s);

/* Parse --shingle words|chars|auto. 0 or -1. */
int neardup_parse_mode(const char *arg, enum shingle_mode *mode) MUST_CHECK;

/* Stage ops: map signs (worker threads), serial appends to s->out. */
extern const struct stage_ops neardup_sign_ops;

/* Where filter's decisions come from: a file cluster wrote, or an open stream. */
struct neardup_filter {
	int shard;
	struct record_reader *rd; /* a file (any compression) */
	FILE *fp;                 /* or a plain stream */
	struct raw_record raw;
	char *line;
	size_t line_cap;
	json_t *next; /* the next decision of this shard, NULL past the end */
	int ended;
	uint64_t removed;
	const char *source; /* for messages */
};

/* Open decisions from `path` (or from `fp` when path is NULL). 0 or -1. */
int neardup_filter_open(struct neardup_filter *f, const char *path, FILE *fp, int shard) MUST_CHECK;
void neardup_filter_close(struct neardup_filter *f);

/* Stage ops: map copies the id, serial rejects what the decisions say. */
extern const struct stage_ops neardup_filter_ops;

/* Options of the one-process run (smelt-dedup --near). */
struct neardup_local {
	struct neardup_signer signer;
	int bands, rows;
	struct cluster_opts cluster;
	const char *report_path; /* or NULL */
};

/*
 * Sign, bucket, cluster and filter the stage's inputs in this process,
 * through temporary files in $TMPDIR. Returns 0 or -1 (fatal).
 */
int neardup_local_run(struct stage *st, struct neardup_local *o) MUST_CHECK;

#endif
