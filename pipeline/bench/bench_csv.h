/*
 * bench_csv.h — results tables in CSV (RFC 4180: quoted fields may hold
 * commas, doubled quotes and newlines; a UTF-8 BOM is skipped), in one of
 * two shapes told apart by the header:
 *
 *   long   columns model, item, score and optionally benchmark, dimension
 *          (any order, names case-insensitive): one cell a row
 *   wide   the first column names the model, every other column an item
 *          as BENCHMARK/DIMENSION/ITEM, BENCHMARK/ITEM or ITEM (split at
 *          the first and last '/'): one model a row; an empty cell is a
 *          missing score
 *
 * A row that cannot be used — a score that is no number, a missing field,
 * the wrong number of fields, a cell given twice — goes to `reject`
 * whole, with its line and a kind; the other rows are read.
 */
#ifndef SMELT_BENCH_CSV_H
#define SMELT_BENCH_CSV_H

#include <stdint.h>
#include <stdio.h>

#include "bench/bench_table.h"

/* A row set aside: its first line, its text (the fields joined by ','), why. */
typedef void (*bench_csv_reject_fn)(void *ctx, uint64_t line, const char *raw, const char *kind, const char *msg);

/*
 * Read `fp` (named `name` in messages) into t. Returns the rows read
 * (the header not counted), or -1 after error() when the header is
 * unusable (no model column, a wide column given twice).
 */
long bench_csv_read(FILE *fp, const char *name, struct bench_table *t, bench_csv_reject_fn reject, void *ctx);

#endif
