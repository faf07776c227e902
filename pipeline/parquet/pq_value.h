/*
 * pq_value.h — one Parquet leaf value as JSON, by its physical and logical
 * type. The choices (README "Parquet"):
 *
 *   BOOLEAN, INT32, INT64       true/false, integers (unsigned read as such; a
 *                               UINT_64 above INT64_MAX is a string of its digits)
 *   FLOAT                       the shortest decimal that reads back as the
 *                               same float (0.1f is 0.1, not 0.10000000149)
 *   DOUBLE                      the number; NaN and infinities, which JSON
 *                               lacks, are the strings "NaN", "Infinity", "-Infinity"
 *   DATE                        "YYYY-MM-DD"
 *   TIME                        "HH:MM:SS[.fraction]"
 *   TIMESTAMP, INT96            "YYYY-MM-DDTHH:MM:SS[.fraction]", with "Z" when
 *                               the column is adjusted to UTC (INT96: none, as
 *                               DuckDB and Spark read it); trailing zeros of
 *                               the fraction dropped
 *   DECIMAL                     a number when its precision is at most 15
 *                               digits (a double holds it exactly), else a
 *                               string of its exact digits
 *   STRING, ENUM                strings
 *   JSON                        parsed into the record (a string when it does not parse)
 *   UUID                        "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
 *   FLOAT16                     the number
 *   INTERVAL                    {"months", "days", "milliseconds"}
 *   other byte arrays           a string when valid UTF-8, else a
 *                               "data:MIME;base64,..." URI (MIME from the bytes'
 *                               magic number, application/octet-stream otherwise)
 */
#ifndef SMELT_PQ_VALUE_H
#define SMELT_PQ_VALUE_H

#include <jansson.h>

#include "core/sbuf.h"
#include "parquet/pq_encoding.h"
#include "parquet/pq_meta.h"

/*
 * The JSON for v in a column of element el: a new reference, or NULL when a
 * STRING value is not valid UTF-8 (the row is then rejected as bad_utf8).
 */
json_t *pq_value_json(const struct pq_schema_elem *el, const struct pq_val *v);

/* Append a data: URI for these bytes (MIME type from their magic number). */
void pq_data_uri(struct sbuf *out, const uint8_t *p, size_t len);

#endif
