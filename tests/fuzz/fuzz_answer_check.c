/*
 * fuzz_answer_check.c — libFuzzer target over answer extraction and
 * equivalence. The input is a reply and a gold answer separated by the
 * first NUL byte (no NUL: the whole input is both). Every extraction
 * method and every comparison mode runs on it; the properties checked are
 * the ones no input may break:
 *   - nothing crashes, leaks or trips the sanitizers;
 *   - an extracted answer is non-empty exactly when extraction succeeds;
 *   - every extracted answer is equivalent to itself (exact, auto, and
 *     numeric when it reads as a number); a reply's ANLS with itself is 1;
 *   - ANLS scores stay within [0, 1].
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ipipeline \
 *     tests/fuzz/fuzz_answer_check.c pipeline/answer_check.c pipeline/sbuf.c \
 *     pipeline/util.c -ljansson -lutf8proc -lm -o fuzz_answer_check
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "answer/answer_check.h"
#include "core/sbuf.h"

static void check_self(const char *s)
{
	struct answer_opts o;
	struct answer_verdict v;
	double x;

	answer_opts_init(&o);
	o.mode = ANSWER_EXACT;
	if (answer_equivalent(s, s, &o, &v) || !v.correct || v.score != 1.0)
		abort();
	o.mode = ANSWER_AUTO;
	if (answer_equivalent(s, s, &o, &v) || !v.correct)
		abort();
	/* Whatever reads as a number equals itself numerically. */
	if (!answer_value(s, true, &x, NULL)) {
		o.mode = ANSWER_NUMERIC;
		if (answer_equivalent(s, s, &o, &v) || !v.correct)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	const char *reply, *gold;
	struct sbuf out = SBUF_INIT;
	struct answer_opts o;
	struct answer_verdict v;
	double x;
	bool pct;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	reply = buf;
	gold = strlen(buf) < size ? buf + strlen(buf) + 1 : buf;

	for (int m = EXTRACT_AUTO; m <= EXTRACT_STRICT; m++) {
		enum extract_method found;
		int r = answer_extract(reply, (enum extract_method)m, &out, &found);

		if (r < 0 || (r == 1) != (out.len > 0) || (r == 1) != (found != EXTRACT_NONE))
			abort();
		if (r == 1)
			check_self(out.buf);
	}

	answer_opts_init(&o);
	o.question = reply;
	for (int m = ANSWER_AUTO; m <= ANSWER_SYMBOLIC; m++) {
		if (m == ANSWER_NONE)
			continue;	/* a verdict, not a mode */
		o.mode = (enum answer_mode)m;
		if (answer_equivalent(reply, gold, &o, &v) || v.score < 0 || v.score > 1)
			abort();
		if (answer_check(reply, gold, &o, &v, &out))
			abort();
	}

	(void)!answer_value(reply, true, &x, &pct);
	(void)!answer_value(reply, false, &x, &pct);
	if (size <= 2048) {
		double a = answer_anls(reply, gold);

		if (!(a >= 0 && a <= 1) || answer_anls(reply, reply) != 1.0)
			abort();
	}
	sbuf_reset(&out);
	answer_vqa_normalize(reply, &out);
	sbuf_reset(&out);
	answer_clean(reply, &out);

	sbuf_release(&out);
	free(buf);
	return 0;
}
