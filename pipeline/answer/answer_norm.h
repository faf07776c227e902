/*
 * answer_norm.h — notations rewritten before the rules compare answers:
 * thousands separators written with LaTeX spacing or spaces, "x \in S",
 * matrix and cases environments as bracket lists, doubled backslashes.
 * answer_norm.c lists each rewrite.
 */
#ifndef SMELT_ANSWER_NORM_H
#define SMELT_ANSWER_NORM_H

#include "answer/span.h"

/* Append the normal form of the (cleaned) answer s to out. */
void answer_norm(struct span s, struct sbuf *out);

/*
 * An inequality of one variable as an interval, appended to out:
 * "a < x <= b" (also with > or \le, \geq …) is "(a, b]"; with single,
 * "x > 5" is "(5, \infty)" too. False (out untouched) when s is none.
 */
bool answer_norm_inequality(struct span s, bool single, struct sbuf *out);

#endif
