/*
 * fuzz_parquet.c — libFuzzer target over the Parquet footer and page
 * decoders. The first input byte picks the mode:
 *   even: the rest is a whole Parquet file, read to the end in memory
 *         (footer, schema, every column chunk and row assembly);
 *   odd:  the next three bytes pick a physical type, codec and level
 *         maxima, and the rest is one column chunk (page headers, pages,
 *         dictionary, levels, values) read entry by entry.
 * The property: nothing crashes, leaks, reads out of bounds or trips the
 * sanitizers; damage is an error, never a fault.
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/sbuf.h"
#include "parquet/pq_column.h"
#include "parquet/pq_format.h"
#include "parquet/pq_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf err = SBUF_INIT;

	if (size < 1)
		return 0;
	if (!(data[0] & 1)) {
		(void)pq_check_buffer(data + 1, size - 1, &err);
	} else if (size >= 4) {
		static const int codecs[] = { PQ_CODEC_UNCOMPRESSED, PQ_CODEC_SNAPPY, PQ_CODEC_GZIP,
					      PQ_CODEC_BROTLI, PQ_CODEC_ZSTD, PQ_CODEC_LZ4_RAW };
		int ptype = data[1] % 8;
		int codec = codecs[(data[1] >> 3) % 6];
		int32_t type_len = 1 + data[2] % 20;
		int max_def = data[3] & 7, max_rep = (data[3] >> 3) & 3;
		struct pq_column *c = pq_column_open(data + 4, size - 4, codec, ptype, type_len, max_def, max_rep);
		int rep, def;
		const struct pq_val *val;
		while (pq_column_next(c, &rep, &def, &val, &err) > 0)
			;
		pq_column_close(c);
	}
	sbuf_release(&err);
	return 0;
}
