/*
 * fuzz_record_reader.c — libFuzzer target for the record reader (format
 * and layout detection, splitting, zstd/gzip decoding), record_parse and
 * the tree-less canonicaliser, which must agree with jansson + json_write.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json/json_canon.h"
#include "json/json_write.h"
#include "io/record_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/smelt-fuzz-XXXXXX";
	int fd = mkstemp(path);
	struct record_reader *r;
	struct raw_record rec;
	struct sbuf err = SBUF_INIT, canon = SBUF_INIT;

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	r = record_reader_open(path);
	if (r) {
		raw_record_init(&rec);
		for (int i = 0; i < 10000 && record_reader_next(r, &rec) == 1; i++) {
			const char *kind = NULL;
			struct json_canon_info info;
			json_t *v;

			sbuf_reset(&err);
			v = record_parse(&rec, &kind, &err);
			sbuf_reset(&canon);
			if (!rec.defect && json_canon(rec.text.buf, rec.text.len, &canon, &info) == 0) {
				/* The fast path accepted it: jansson must too, with the same bytes. */
				if (!v)
					abort();
				char *slow = json_to_string(v);
				if (strcmp(slow, canon.buf))
					abort();
				free(slow);
			}
			json_decref(v);
		}
		raw_record_release(&rec);
		record_reader_close(r);
	}
	sbuf_release(&err);
	sbuf_release(&canon);
	unlink(path);
	return 0;
}
