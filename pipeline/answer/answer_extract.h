/*
 * answer_extract.h — the extraction methods' helpers other rules reuse.
 * answer_extract itself, and the order its methods are tried in, are in
 * answer_check.h.
 */
#ifndef SMELT_ANSWER_EXTRACT_H
#define SMELT_ANSWER_EXTRACT_H

#include "answer/span.h"

/*
 * The answer of the last "the answer is …" / "answer: …" / "故选 …" phrase
 * in s[0..n), up to the end of its sentence; the mc rule uses it to find a
 * letter inside a longer pred. *out is borrowed from s. False if none.
 */
bool answer_extract_phrase(const char *s, size_t n, struct span *out);

#endif
