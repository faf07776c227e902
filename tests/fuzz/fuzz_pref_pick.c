/*
 * fuzz_pref_pick.c — libFuzzer target: the input is a judge's reply, read
 * by smelt-pairs pick's reader (pipeline/pref/pref_pick.h). Unreadable
 * picks are expected; crashes, sanitizer reports, runaway time, or a pick
 * without a reason when unread are not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pref/pref_pick.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *reply = malloc(size + 1);
	struct sbuf why = SBUF_INIT;
	struct pref_pick p;

	/* the reader takes a C string: a NUL ends the reply, as it would in a JSON string */
	memcpy(reply, data, size);
	reply[size] = 0;
	if (pref_pick_parse(reply, &p, &why) == PREF_UNPARSED && !why.len)
		__builtin_trap();
	if (p.via >= PREF_VIA_COUNT)
		__builtin_trap();
	sbuf_release(&why);
	free(reply);
	return 0;
}
