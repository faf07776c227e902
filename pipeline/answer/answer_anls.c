/*
 * answer_anls.c — ANLS similarity (DocVQA, InfographicVQA): one minus the
 * Levenshtein distance over the longer length, on code points of the
 * case-folded, trimmed, space-collapsed strings.
 *
 * The distance is the classic dynamic programme kept in one row, O(n·m)
 * time and O(m) memory; strings longer than ANLS_MAX_CP code points are
 * only tested for equality, so a degenerate reply costs no quadratic
 * time. The threshold that turns the similarity into a score is applied
 * by answer_equivalent (answer_check.c).
 */
#include "answer/answer_check.h"

#include <stdint.h>
#include <stdlib.h>
#include <utf8proc.h>

#include "answer/span.h"
#include "core/util.h"

#define ANLS_MAX_CP 4096	/* longest string ANLS computes a distance for */

/* Case-folded, trimmed, runs of white space made one space, as code points. */
static size_t anls_codepoints(const char *s, int32_t **out)
{
	struct sbuf f = SBUF_INIT;
	size_t n = 0, i = 0;
	bool space = false;

	span_casefold(span_trim(span_of(s)), &f, false);
	*out = xmalloc((f.len + 1) * sizeof(**out));
	while (i < f.len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t *)f.buf + i,
							(utf8proc_ssize_t)(f.len - i), &cp);

		if (len <= 0) {
			cp = 0x110000 + (unsigned char)f.buf[i];	/* a stray byte is its own symbol */
			len = 1;
		}
		i += (size_t)len;
		if (cp < 0x80 && is_sp(cp)) {
			space = true;
			continue;
		}
		if (space && n)
			(*out)[n++] = ' ';
		space = false;
		(*out)[n++] = cp;
	}
	sbuf_release(&f);
	return n;
}

double answer_anls(const char *pred, const char *gold)
{
	int32_t *a, *b;
	size_t na = anls_codepoints(pred, &a), nb = anls_codepoints(gold, &b);
	size_t *row, maxlen = na > nb ? na : nb;
	double sim;

	if (!maxlen) {
		sim = 1;
	} else if (maxlen > ANLS_MAX_CP) {
		sim = na == nb && !memcmp(a, b, na * sizeof(*a));
	} else {
		row = xmalloc((nb + 1) * sizeof(*row));
		for (size_t j = 0; j <= nb; j++)
			row[j] = j;
		for (size_t i = 1; i <= na; i++) {
			size_t diag = row[0];

			row[0] = i;
			for (size_t j = 1; j <= nb; j++) {
				size_t up = row[j];
				size_t best = diag + (a[i - 1] != b[j - 1]);

				if (up + 1 < best)
					best = up + 1;
				if (row[j - 1] + 1 < best)
					best = row[j - 1] + 1;
				row[j] = best;
				diag = up;
			}
		}
		sim = 1.0 - (double)row[nb] / (double)maxlen;
		free(row);
	}
	free(a);
	free(b);
	return sim;
}
