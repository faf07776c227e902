/*
 * answer_numword.h — English number words ("twenty-one", "three hundred
 * thousand") read as integers, for the numeric rule ("five" = 5) and for
 * VQA normalisation, which writes them as digits.
 */
#ifndef SMELT_ANSWER_NUMWORD_H
#define SMELT_ANSWER_NUMWORD_H

#include "answer/span.h"

/*
 * How many of the words w[0..n) make one number, from the first: "twenty
 * one apples" gives 2 with *value = 21, "apples" gives 0. Case-insensitive.
 */
size_t answer_numword_run(const struct span *w, size_t n, long long *value);

/*
 * Split s at spaces and hyphens into at most max word spans of w (borrowed
 * from s). Returns the number of words, or max + 1 when s holds more.
 */
size_t answer_numword_split(struct span s, struct span *w, size_t max);

#endif
