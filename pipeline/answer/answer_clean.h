/*
 * answer_clean.h — the cleaning every extracted answer gets, and every
 * answer the rules compare: surrounding white space, $…$, $$…$$, \(…\),
 * \[…\], markdown bold, a whole \boxed{} / \text{}, a half bold pair cut
 * off by a marker, and a trailing period are stripped, layer after layer.
 *
 * answer_clean (answer_check.h) is the same on a C string, for callers.
 */
#ifndef SMELT_ANSWER_CLEAN_H
#define SMELT_ANSWER_CLEAN_H

#include "answer/span.h"

/* s with every wrapping layer stripped: a sub-span of s (borrowed). */
struct span answer_clean_span(struct span s);

#endif
