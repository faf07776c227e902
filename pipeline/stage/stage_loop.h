/*
 * stage_loop.h — the record loop of stage_run (stage_loop.c): records are
 * read and parsed in batches, mapped on worker threads, and handed back to
 * the main thread in input order for the serial step and output.
 *
 * A stage gives a struct stage_ops: `map` decides per record (keep, drop
 * or reject with record_reject), `serial` sees the kept ones in order.
 * stage.h includes this header, so a stage needs only stage.h.
 */
#ifndef SMELT_STAGE_LOOP_H
#define SMELT_STAGE_LOOP_H

#include <jansson.h>
#include <stdint.h>

#include "core/sbuf.h"
#include "core/util.h"
#include "io/record_reader.h"

struct stage;

enum stage_verdict {
	STAGE_KEEP,   /* emit rec->json, or each record of rec->outputs */
	STAGE_DROP,   /* emit nothing; the stage accounts for it itself */
	STAGE_REJECT, /* set aside with rec->reject_kind and rec->reject_msg */
};

struct record {
	json_t *json;       /* the parsed record; the loop owns it */
	json_t *outputs;    /* optional array of records emitted instead of json */
	struct record_loc loc;
	uint64_t seq;       /* 0-based position among all input records */
	enum stage_verdict verdict;
	const char *reject_kind;
	struct sbuf reject_msg;
	struct sbuf text;   /* the raw input text; serialised output after map */
	size_t nout;        /* records serialised in text after map */
	uint64_t scratch[4]; /* for the stage: e.g. a hash computed in map */
	struct sbuf aux;    /* for the stage: bytes map hands to serial (a key, an id) */
	int parse_failed;
};

/* Helper for map functions: mark the record rejected. Returns STAGE_REJECT. */
int record_reject(struct record *rec, const char *kind, const char *fmt, ...) PRINTF_LIKE(3, 4);
/*
 * Helper for map functions that build a new record: `out` (stolen)
 * replaces rec->json with `entry` appended to its provenance
 * (io/provenance.h). Returns STAGE_KEEP, or rejects the record
 * (bad_field_type) when its "provenance" is not a list.
 */
int record_replace(struct record *rec, json_t *out, json_t *entry);

struct stage_ops {
	/*
	 * Runs on worker threads, so it may touch only the record and
	 * thread-safe state in ctx. Returns an enum stage_verdict. NULL keeps
	 * every record as it is.
	 */
	int (*map)(struct record *rec, void *ctx);
	/*
	 * Runs on the main thread in input order, after map, with the output
	 * serialised in rec->text (one line per record, '\n'-terminated).
	 * Return 0 to let the loop write rec->text, 1 if the callback consumed
	 * the record itself (it then counts what it emits), -1 on a fatal
	 * error. Rejected records never reach it.
	 */
	int (*serial)(struct stage *st, struct record *rec, void *ctx);
	int keep_json;  /* serial needs rec->json */
	int require_id; /* reject records without a string "id" */
	/*
	 * map leaves a record whose "id" is a string as it is (smelt-cat
	 * assigning missing ids), so such records may take the fast path.
	 * Its only change to a record whose "id" is an integer is making it
	 * the integer's decimal string in place, and to one without an "id"
	 * putting first the hash128 hex of its canonical JSON: the fast path
	 * does both on the text (SMELT_NO_FAST_PATH=1 compares).
	 */
	int map_only_without_id;
};

/* Run the loop over st->inputs (stdin when none). Returns 0 or -1 (fatal). */
int stage_run(struct stage *st, const struct stage_ops *ops, void *ctx) MUST_CHECK;

#endif
