/*
 * pq_meta.c — FileMetaData and PageHeader from their Thrift bytes
 * (field ids in pq_format.h). Unknown fields are skipped; a field of an
 * unexpected wire type is skipped too, so a newer writer's additions never
 * break reading.
 */
#include "parquet/pq_meta.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "parquet/pq_thrift.h"

/* A struct's fields: `body` runs once per field with id and type set. */
#define TC_FIELDS(tc, id, type, body)                                         \
	do {                                                                  \
		int16_t last_##id = 0, id = 0;                                  \
		int type = 0;                                                 \
		if (tc_struct_begin(tc) < 0)                                  \
			break;                                                \
		while (tc_field(tc, &last_##id, &id, &type)) {               \
			body                                                  \
		}                                                             \
		tc_struct_end(tc);                                            \
	} while (0)

static int is_int(int type)
{
	return type == TC_BYTE || type == TC_I16 || type == TC_I32 || type == TC_I64;
}

/* Read an integer field or skip a field of another type; returns the value or dflt. */
static int64_t int_field(struct tc *tc, int type, int64_t dflt)
{
	if (!is_int(type)) {
		tc_skip(tc, type);
		return dflt;
	}
	if (type == TC_BYTE) {
		if (tc->p >= tc->end)
			return tc_fail(tc, "metadata ends inside a byte"), dflt;
		return (int8_t)*tc->p++;
	}
	return tc_zigzag(tc);
}

static int32_t i32_field(struct tc *tc, int type, int32_t dflt)
{
	int64_t v = int_field(tc, type, dflt);
	if (v < INT32_MIN || v > INT32_MAX)
		return tc_fail(tc, "metadata i32 out of range"), dflt;
	return (int32_t)v;
}

/* TimeUnit: a union of empty structs; the field id is the unit. */
static int time_unit(struct tc *tc)
{
	int unit = 0;
	TC_FIELDS(tc, id, type, {
		if (type == TC_STRUCT)
			unit = id;
		tc_skip(tc, type);
	});
	return unit;
}

static void logical_type(struct tc *tc, struct pq_schema_elem *e)
{
	TC_FIELDS(tc, id, type, {
		if (type != TC_STRUCT) {
			tc_skip(tc, type);
			continue;
		}
		e->logical = id;
		switch (id) {
		case PQ_LT_DECIMAL:
			TC_FIELDS(tc, fid, ft, {
				if (fid == 1)
					e->scale = i32_field(tc, ft, 0);
				else if (fid == 2)
					e->precision = i32_field(tc, ft, 0);
				else
					tc_skip(tc, ft);
			});
			break;
		case PQ_LT_TIME:
		case PQ_LT_TIMESTAMP:
			TC_FIELDS(tc, fid, ft, {
				if (fid == 1 && (ft == TC_TRUE || ft == TC_FALSE))
					e->utc = ft == TC_TRUE;
				else if (fid == 2 && ft == TC_STRUCT)
					e->time_unit = time_unit(tc);
				else
					tc_skip(tc, ft);
			});
			break;
		case PQ_LT_INTEGER:
			TC_FIELDS(tc, fid, ft, {
				if (fid == 1)
					e->int_bits = (int)int_field(tc, ft, 0);
				else if (fid == 2 && (ft == TC_TRUE || ft == TC_FALSE))
					e->int_signed = ft == TC_TRUE;
				else
					tc_skip(tc, ft);
			});
			break;
		default:
			tc_skip(tc, type);
		}
	});
}

static void schema_elem(struct tc *tc, struct pq_schema_elem *e)
{
	e->type = -1;
	e->repetition = -1;
	e->converted = -1;
	TC_FIELDS(tc, id, type, {
		switch (id) {
		case PQ_SE_TYPE: e->type = i32_field(tc, type, -1); break;
		case PQ_SE_TYPE_LENGTH: e->type_length = i32_field(tc, type, 0); break;
		case PQ_SE_REPETITION: e->repetition = i32_field(tc, type, -1); break;
		case PQ_SE_NAME:
			if (type == TC_BINARY && !e->name)
				e->name = tc_string(tc);
			else
				tc_skip(tc, type);
			break;
		case PQ_SE_NUM_CHILDREN: e->num_children = i32_field(tc, type, 0); break;
		case PQ_SE_CONVERTED_TYPE: e->converted = i32_field(tc, type, -1); break;
		case PQ_SE_SCALE: e->scale = i32_field(tc, type, 0); break;
		case PQ_SE_PRECISION: e->precision = i32_field(tc, type, 0); break;
		case PQ_SE_LOGICAL_TYPE:
			if (type == TC_STRUCT)
				logical_type(tc, e);
			else
				tc_skip(tc, type);
			break;
		default: tc_skip(tc, type);
		}
	});
	if (!e->name && !tc->err)
		tc_fail(tc, "schema element without a name");
}

static void column_meta(struct tc *tc, struct pq_column_meta *c)
{
	TC_FIELDS(tc, id, type, {
		switch (id) {
		case PQ_CMD_TYPE: c->type = i32_field(tc, type, -1); break;
		case PQ_CMD_PATH_IN_SCHEMA: {
			int et;
			uint32_t n;
			if (type != TC_LIST || c->path) {
				tc_skip(tc, type);
				break;
			}
			if (tc_list(tc, &et, &n) < 0)
				break;
			if (et != TC_BINARY) {
				tc_fail(tc, "path_in_schema is not a list of strings");
				break;
			}
			c->path = xcalloc(n ? n : 1, sizeof(*c->path));
			c->path_len = n;
			for (uint32_t i = 0; i < n && !tc->err; i++)
				c->path[i] = tc_string(tc);
			break;
		}
		case PQ_CMD_CODEC: c->codec = i32_field(tc, type, -1); break;
		case PQ_CMD_NUM_VALUES: c->num_values = int_field(tc, type, 0); break;
		case PQ_CMD_TOTAL_COMPRESSED_SIZE: c->total_compressed = int_field(tc, type, -1); break;
		case PQ_CMD_DATA_PAGE_OFFSET: c->data_page_offset = int_field(tc, type, -1); break;
		case PQ_CMD_DICTIONARY_PAGE_OFFSET: c->dict_page_offset = int_field(tc, type, -1); break;
		default: tc_skip(tc, type);
		}
	});
}

static void column_chunk(struct tc *tc, struct pq_column_meta *c)
{
	int have = 0;

	c->type = -1;
	c->codec = -1;
	c->total_compressed = -1;
	c->data_page_offset = -1;
	c->dict_page_offset = -1;
	TC_FIELDS(tc, id, type, {
		if (id == PQ_CC_META_DATA && type == TC_STRUCT && !have) {
			column_meta(tc, c);
			have = 1;
		} else {
			tc_skip(tc, type);
		}
	});
	if (!have && !tc->err)
		tc_fail(tc, "column chunk without its metadata (columns in other files are not supported)");
}

static void row_group(struct tc *tc, struct pq_row_group *rg)
{
	TC_FIELDS(tc, id, type, {
		if (id == PQ_RG_COLUMNS && type == TC_LIST && !rg->cols) {
			int et;
			uint32_t n;
			if (tc_list(tc, &et, &n) < 0)
				break;
			if (et != TC_STRUCT) {
				tc_fail(tc, "row group columns are not structs");
				break;
			}
			rg->cols = xcalloc(n ? n : 1, sizeof(*rg->cols));
			rg->ncols = n;
			for (uint32_t i = 0; i < n && !tc->err; i++)
				column_chunk(tc, &rg->cols[i]);
		} else if (id == PQ_RG_NUM_ROWS) {
			rg->num_rows = int_field(tc, type, -1);
		} else {
			tc_skip(tc, type);
		}
	});
}

int pq_meta_parse(const void *buf, size_t len, struct pq_file_meta *m, struct sbuf *err)
{
	struct tc tc;
	int et;
	uint32_t n;

	memset(m, 0, sizeof(*m));
	m->num_rows = -1;
	tc_init(&tc, buf, len);
	TC_FIELDS(&tc, id, type, {
		switch (id) {
		case PQ_FMD_SCHEMA:
			if (type != TC_LIST || m->schema) {
				tc_skip(&tc, type);
				break;
			}
			if (tc_list(&tc, &et, &n) < 0)
				break;
			if (et != TC_STRUCT) {
				tc_fail(&tc, "schema is not a list of structs");
				break;
			}
			m->schema = xcalloc(n ? n : 1, sizeof(*m->schema));
			m->nschema = n;
			for (uint32_t i = 0; i < n && !tc.err; i++)
				schema_elem(&tc, &m->schema[i]);
			break;
		case PQ_FMD_NUM_ROWS: m->num_rows = int_field(&tc, type, -1); break;
		case PQ_FMD_ROW_GROUPS:
			if (type != TC_LIST || m->rgs) {
				tc_skip(&tc, type);
				break;
			}
			if (tc_list(&tc, &et, &n) < 0)
				break;
			if (et != TC_STRUCT) {
				tc_fail(&tc, "row groups are not structs");
				break;
			}
			m->rgs = xcalloc(n ? n : 1, sizeof(*m->rgs));
			m->nrgs = n;
			for (uint32_t i = 0; i < n && !tc.err; i++)
				row_group(&tc, &m->rgs[i]);
			break;
		case PQ_FMD_CREATED_BY:
			if (type == TC_BINARY && !m->created_by)
				m->created_by = tc_string(&tc);
			else
				tc_skip(&tc, type);
			break;
		default: tc_skip(&tc, type);
		}
	});
	if (!tc.err && !m->schema)
		tc_fail(&tc, "footer has no schema");
	if (!tc.err && m->nschema == 0)
		tc_fail(&tc, "footer has an empty schema");
	if (tc.err) {
		sbuf_addf(err, "bad footer: %s", tc.err);
		pq_meta_free(m);
		return -1;
	}
	return 0;
}

void pq_meta_free(struct pq_file_meta *m)
{
	for (uint32_t i = 0; i < m->nschema; i++)
		free(m->schema[i].name);
	free(m->schema);
	for (uint32_t i = 0; i < m->nrgs; i++) {
		for (uint32_t j = 0; j < m->rgs[i].ncols; j++) {
			struct pq_column_meta *c = &m->rgs[i].cols[j];
			for (uint32_t k = 0; k < c->path_len; k++)
				free(c->path[k]);
			free(c->path);
		}
		free(m->rgs[i].cols);
	}
	free(m->rgs);
	free(m->created_by);
	memset(m, 0, sizeof(*m));
}

static void data_page_v1(struct tc *tc, struct pq_page_header *h)
{
	TC_FIELDS(tc, id, type, {
		switch (id) {
		case PQ_DPH_NUM_VALUES: h->num_values = i32_field(tc, type, -1); break;
		case PQ_DPH_ENCODING: h->encoding = i32_field(tc, type, -1); break;
		case PQ_DPH_DEF_LEVEL_ENCODING: h->def_encoding = i32_field(tc, type, -1); break;
		case PQ_DPH_REP_LEVEL_ENCODING: h->rep_encoding = i32_field(tc, type, -1); break;
		default: tc_skip(tc, type);
		}
	});
}

static void dict_page(struct tc *tc, struct pq_page_header *h)
{
	TC_FIELDS(tc, id, type, {
		switch (id) {
		case PQ_DICT_NUM_VALUES: h->num_values = i32_field(tc, type, -1); break;
		case PQ_DICT_ENCODING: h->encoding = i32_field(tc, type, -1); break;
		default: tc_skip(tc, type);
		}
	});
}

static void data_page_v2(struct tc *tc, struct pq_page_header *h)
{
	TC_FIELDS(tc, id, type, {
		switch (id) {
		case PQ_DPH2_NUM_VALUES: h->num_values = i32_field(tc, type, -1); break;
		case PQ_DPH2_NUM_NULLS: h->num_nulls = i32_field(tc, type, -1); break;
		case PQ_DPH2_NUM_ROWS: h->num_rows = i32_field(tc, type, -1); break;
		case PQ_DPH2_ENCODING: h->encoding = i32_field(tc, type, -1); break;
		case PQ_DPH2_DEF_LEVELS_BYTE_LENGTH: h->def_len = i32_field(tc, type, -1); break;
		case PQ_DPH2_REP_LEVELS_BYTE_LENGTH: h->rep_len = i32_field(tc, type, -1); break;
		case PQ_DPH2_IS_COMPRESSED:
			if (type == TC_TRUE || type == TC_FALSE)
				h->is_compressed = type == TC_TRUE;
			else
				tc_skip(tc, type);
			break;
		default: tc_skip(tc, type);
		}
	});
}

int pq_page_header_parse(const void *buf, size_t len, struct pq_page_header *h, size_t *used,
			 struct sbuf *err)
{
	struct tc tc;
	int have_body = 0;

	memset(h, 0, sizeof(*h));
	h->type = -1;
	h->uncompressed_size = h->compressed_size = -1;
	h->num_values = -1;
	h->encoding = -1;
	h->is_compressed = 1; /* the v2 default */
	tc_init(&tc, buf, len);
	TC_FIELDS(&tc, id, type, {
		switch (id) {
		case PQ_PH_TYPE: h->type = i32_field(&tc, type, -1); break;
		case PQ_PH_UNCOMPRESSED_SIZE: h->uncompressed_size = i32_field(&tc, type, -1); break;
		case PQ_PH_COMPRESSED_SIZE: h->compressed_size = i32_field(&tc, type, -1); break;
		case PQ_PH_CRC:
			if (is_int(type)) {
				h->crc = (uint32_t)i32_field(&tc, type, 0);
				h->has_crc = 1;
			} else {
				tc_skip(&tc, type);
			}
			break;
		case PQ_PH_DATA_PAGE_HEADER:
		case PQ_PH_DICTIONARY_PAGE_HEADER:
		case PQ_PH_DATA_PAGE_HEADER_V2:
			if (type != TC_STRUCT || have_body) {
				tc_skip(&tc, type);
				break;
			}
			have_body = id;
			if (id == PQ_PH_DATA_PAGE_HEADER)
				data_page_v1(&tc, h);
			else if (id == PQ_PH_DICTIONARY_PAGE_HEADER)
				dict_page(&tc, h);
			else
				data_page_v2(&tc, h);
			break;
		default: tc_skip(&tc, type);
		}
	});
	if (!tc.err && (h->compressed_size < 0 || h->uncompressed_size < 0))
		tc_fail(&tc, "page header without its sizes");
	if (!tc.err && (h->type == PQ_PAGE_DATA || h->type == PQ_PAGE_DATA_V2 ||
			h->type == PQ_PAGE_DICTIONARY)) {
		int want = h->type == PQ_PAGE_DATA ? PQ_PH_DATA_PAGE_HEADER :
			   h->type == PQ_PAGE_DATA_V2 ? PQ_PH_DATA_PAGE_HEADER_V2 : PQ_PH_DICTIONARY_PAGE_HEADER;
		if (have_body != want)
			tc_fail(&tc, "page header lacks the header of its page type");
		else if (h->num_values < 0)
			tc_fail(&tc, "page header with a negative value count");
		else if (h->type == PQ_PAGE_DATA_V2 &&
			 (h->def_len < 0 || h->rep_len < 0 || h->num_nulls < 0 || h->num_rows < 0 ||
			  (int64_t)h->def_len + h->rep_len > h->uncompressed_size ||
			  (int64_t)h->def_len + h->rep_len > h->compressed_size))
			tc_fail(&tc, "v2 page header with level lengths beyond the page");
	}
	if (tc.err) {
		sbuf_addf(err, "bad page header: %s", tc.err);
		return -1;
	}
	*used = (size_t)(tc.p - (const uint8_t *)buf);
	return 0;
}
