/*
 * pq_format.h — the numbers of the Parquet format (parquet.thrift) and of
 * the Thrift compact protocol that carries its metadata. Shared by the
 * reader and the writer; values are the file format's, never renumber.
 */
#ifndef SMELT_PQ_FORMAT_H
#define SMELT_PQ_FORMAT_H

/* "PAR1" at both ends of a file; the footer is
 * <FileMetaData> <4-byte little-endian length> "PAR1". */
#define PQ_MAGIC "PAR1"
#define PQ_MAGIC_LEN 4

/* Physical types (parquet.thrift enum Type). */
enum pq_type {
	PQ_BOOLEAN = 0,
	PQ_INT32 = 1,
	PQ_INT64 = 2,
	PQ_INT96 = 3,
	PQ_FLOAT = 4,
	PQ_DOUBLE = 5,
	PQ_BYTE_ARRAY = 6,
	PQ_FIXED_LEN_BYTE_ARRAY = 7,
};

/* Converted types (enum ConvertedType, the legacy annotation). */
enum pq_converted {
	PQ_CT_UTF8 = 0,
	PQ_CT_MAP = 1,
	PQ_CT_MAP_KEY_VALUE = 2,
	PQ_CT_LIST = 3,
	PQ_CT_ENUM = 4,
	PQ_CT_DECIMAL = 5,
	PQ_CT_DATE = 6,
	PQ_CT_TIME_MILLIS = 7,
	PQ_CT_TIME_MICROS = 8,
	PQ_CT_TIMESTAMP_MILLIS = 9,
	PQ_CT_TIMESTAMP_MICROS = 10,
	PQ_CT_UINT_8 = 11,
	PQ_CT_UINT_16 = 12,
	PQ_CT_UINT_32 = 13,
	PQ_CT_UINT_64 = 14,
	PQ_CT_INT_8 = 15,
	PQ_CT_INT_16 = 16,
	PQ_CT_INT_32 = 17,
	PQ_CT_INT_64 = 18,
	PQ_CT_JSON = 19,
	PQ_CT_BSON = 20,
	PQ_CT_INTERVAL = 21,
};

/* Logical types: the field id of the member set in the LogicalType union. */
enum pq_logical {
	PQ_LT_NONE = 0,
	PQ_LT_STRING = 1,
	PQ_LT_MAP = 2,
	PQ_LT_LIST = 3,
	PQ_LT_ENUM = 4,
	PQ_LT_DECIMAL = 5,
	PQ_LT_DATE = 6,
	PQ_LT_TIME = 7,
	PQ_LT_TIMESTAMP = 8,
	/* 9 is reserved */
	PQ_LT_INTEGER = 10,
	PQ_LT_UNKNOWN = 11, /* always null */
	PQ_LT_JSON = 12,
	PQ_LT_BSON = 13,
	PQ_LT_UUID = 14,
	PQ_LT_FLOAT16 = 15,
};

/* TimeUnit union field ids (inside TIME and TIMESTAMP). */
enum pq_time_unit {
	PQ_UNIT_MILLIS = 1,
	PQ_UNIT_MICROS = 2,
	PQ_UNIT_NANOS = 3,
};

/* FieldRepetitionType. */
enum pq_repetition {
	PQ_REQUIRED = 0,
	PQ_OPTIONAL = 1,
	PQ_REPEATED = 2,
};

/* Encodings (enum Encoding; 1 is unused). */
enum pq_encoding {
	PQ_ENC_PLAIN = 0,
	PQ_ENC_PLAIN_DICTIONARY = 2,
	PQ_ENC_RLE = 3,
	PQ_ENC_BIT_PACKED = 4,
	PQ_ENC_DELTA_BINARY_PACKED = 5,
	PQ_ENC_DELTA_LENGTH_BYTE_ARRAY = 6,
	PQ_ENC_DELTA_BYTE_ARRAY = 7,
	PQ_ENC_RLE_DICTIONARY = 8,
	PQ_ENC_BYTE_STREAM_SPLIT = 9,
};

/* Compression codecs (enum CompressionCodec). */
enum pq_codec {
	PQ_CODEC_UNCOMPRESSED = 0,
	PQ_CODEC_SNAPPY = 1,
	PQ_CODEC_GZIP = 2,
	PQ_CODEC_LZO = 3,
	PQ_CODEC_BROTLI = 4,
	PQ_CODEC_LZ4 = 5, /* the Hadoop-framed one; deprecated */
	PQ_CODEC_ZSTD = 6,
	PQ_CODEC_LZ4_RAW = 7,
};

/* Page types (enum PageType). */
enum pq_page_type {
	PQ_PAGE_DATA = 0,
	PQ_PAGE_INDEX = 1,
	PQ_PAGE_DICTIONARY = 2,
	PQ_PAGE_DATA_V2 = 3,
};

/* Thrift compact protocol: the 4-bit type of a field header or of the
 * elements of a list. */
enum tc_type {
	TC_STOP = 0,
	TC_TRUE = 1,  /* a bool field's value lives in its type nibble */
	TC_FALSE = 2,
	TC_BYTE = 3,
	TC_I16 = 4,
	TC_I32 = 5,
	TC_I64 = 6,
	TC_DOUBLE = 7,
	TC_BINARY = 8,
	TC_LIST = 9,
	TC_SET = 10,
	TC_MAP = 11,
	TC_STRUCT = 12,
};

/* Field ids of the structs both sides touch (parquet.thrift). */
enum pq_fmd_field { /* FileMetaData */
	PQ_FMD_VERSION = 1,
	PQ_FMD_SCHEMA = 2,
	PQ_FMD_NUM_ROWS = 3,
	PQ_FMD_ROW_GROUPS = 4,
	PQ_FMD_KEY_VALUE_METADATA = 5,
	PQ_FMD_CREATED_BY = 6,
};
enum pq_se_field { /* SchemaElement */
	PQ_SE_TYPE = 1,
	PQ_SE_TYPE_LENGTH = 2,
	PQ_SE_REPETITION = 3,
	PQ_SE_NAME = 4,
	PQ_SE_NUM_CHILDREN = 5,
	PQ_SE_CONVERTED_TYPE = 6,
	PQ_SE_SCALE = 7,
	PQ_SE_PRECISION = 8,
	PQ_SE_FIELD_ID = 9,
	PQ_SE_LOGICAL_TYPE = 10,
};
enum pq_rg_field { /* RowGroup */
	PQ_RG_COLUMNS = 1,
	PQ_RG_TOTAL_BYTE_SIZE = 2,
	PQ_RG_NUM_ROWS = 3,
};
enum pq_cc_field { /* ColumnChunk */
	PQ_CC_FILE_PATH = 1,
	PQ_CC_FILE_OFFSET = 2,
	PQ_CC_META_DATA = 3,
};
enum pq_cmd_field { /* ColumnMetaData */
	PQ_CMD_TYPE = 1,
	PQ_CMD_ENCODINGS = 2,
	PQ_CMD_PATH_IN_SCHEMA = 3,
	PQ_CMD_CODEC = 4,
	PQ_CMD_NUM_VALUES = 5,
	PQ_CMD_TOTAL_UNCOMPRESSED_SIZE = 6,
	PQ_CMD_TOTAL_COMPRESSED_SIZE = 7,
	PQ_CMD_KEY_VALUE_METADATA = 8,
	PQ_CMD_DATA_PAGE_OFFSET = 9,
	PQ_CMD_INDEX_PAGE_OFFSET = 10,
	PQ_CMD_DICTIONARY_PAGE_OFFSET = 11,
	PQ_CMD_STATISTICS = 12,
};
enum pq_ph_field { /* PageHeader */
	PQ_PH_TYPE = 1,
	PQ_PH_UNCOMPRESSED_SIZE = 2,
	PQ_PH_COMPRESSED_SIZE = 3,
	PQ_PH_CRC = 4,
	PQ_PH_DATA_PAGE_HEADER = 5,
	PQ_PH_INDEX_PAGE_HEADER = 6,
	PQ_PH_DICTIONARY_PAGE_HEADER = 7,
	PQ_PH_DATA_PAGE_HEADER_V2 = 8,
};
enum pq_dph_field { /* DataPageHeader (v1) */
	PQ_DPH_NUM_VALUES = 1,
	PQ_DPH_ENCODING = 2,
	PQ_DPH_DEF_LEVEL_ENCODING = 3,
	PQ_DPH_REP_LEVEL_ENCODING = 4,
};
enum pq_dict_field { /* DictionaryPageHeader */
	PQ_DICT_NUM_VALUES = 1,
	PQ_DICT_ENCODING = 2,
	PQ_DICT_IS_SORTED = 3,
};
enum pq_dph2_field { /* DataPageHeaderV2 */
	PQ_DPH2_NUM_VALUES = 1,
	PQ_DPH2_NUM_NULLS = 2,
	PQ_DPH2_NUM_ROWS = 3,
	PQ_DPH2_ENCODING = 4,
	PQ_DPH2_DEF_LEVELS_BYTE_LENGTH = 5,
	PQ_DPH2_REP_LEVELS_BYTE_LENGTH = 6,
	PQ_DPH2_IS_COMPRESSED = 7,
};

#endif
