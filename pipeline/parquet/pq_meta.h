/*
 * pq_meta.h — the Parquet footer (FileMetaData) and page headers, decoded
 * from the Thrift compact protocol into plain structs.
 *
 * Only what reading needs is kept; statistics, indexes, encryption and
 * key/value metadata are skipped. Everything the structs point to is owned
 * by them (pq_meta_free).
 */
#ifndef SMELT_PQ_META_H
#define SMELT_PQ_META_H

#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"
#include "parquet/pq_format.h"

struct pq_schema_elem {
	char *name;
	int type;            /* enum pq_type; -1 for a group */
	int32_t type_length; /* FIXED_LEN_BYTE_ARRAY width */
	int repetition;      /* enum pq_repetition; -1 when absent (the root) */
	int32_t num_children;
	int converted;       /* enum pq_converted; -1 when absent */
	int32_t scale, precision;
	int logical;         /* enum pq_logical; PQ_LT_NONE when absent */
	int time_unit;       /* TIME / TIMESTAMP: enum pq_time_unit */
	int utc;             /* TIME / TIMESTAMP: isAdjustedToUTC */
	int int_bits, int_signed; /* INTEGER */
};

struct pq_column_meta {
	int type, codec;
	int64_t num_values;
	int64_t total_compressed;
	int64_t data_page_offset;
	int64_t dict_page_offset; /* -1 when absent */
	char **path;              /* path_in_schema */
	uint32_t path_len;
};

struct pq_row_group {
	struct pq_column_meta *cols;
	uint32_t ncols;
	int64_t num_rows;
};

struct pq_file_meta {
	struct pq_schema_elem *schema; /* depth-first, the root first */
	uint32_t nschema;
	int64_t num_rows;
	struct pq_row_group *rgs;
	uint32_t nrgs;
	char *created_by;
};

/* Decode a footer; -1 with the reason in err (m is then freed). */
int pq_meta_parse(const void *buf, size_t len, struct pq_file_meta *m, struct sbuf *err);
void pq_meta_free(struct pq_file_meta *m);

struct pq_page_header {
	int type; /* enum pq_page_type */
	int32_t uncompressed_size, compressed_size;
	int has_crc;
	uint32_t crc;
	/* data page v1, v2 and dictionary page */
	int32_t num_values;
	int encoding;
	/* v1 */
	int def_encoding, rep_encoding;
	/* v2 */
	int32_t num_nulls, num_rows, def_len, rep_len;
	int is_compressed;
};

/*
 * Decode the page header at the start of [buf, buf+len); *used is its
 * length. -1 with the reason in err.
 */
int pq_page_header_parse(const void *buf, size_t len, struct pq_page_header *h, size_t *used,
			 struct sbuf *err);

#endif
