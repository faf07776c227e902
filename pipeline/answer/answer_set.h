/*
 * answer_set.h — the set rule: intervals, sets, tuples and lists compared
 * element by element.
 *
 * "(1, 2]" = "(1,2]": tuples and intervals keep their order and bracket
 * kinds; "{1,2,3}" = "{3,2,1}" and a bare "1, 2" is an unordered list;
 * "\{5\}" is a set but "(5)" and "{5}" are grouping; unions with \cup or
 * ∪ compare part by part. Elements go to the caller's comparison, named
 * ones ("x = 1") only when the names agree.
 */
#ifndef SMELT_ANSWER_SET_H
#define SMELT_ANSWER_SET_H

#include "answer/span.h"

/*
 * 1 when both p and g read as structures, with *correct set; 0 when either
 * does not (or a structure holds more than 256 elements or a union more
 * than 8 parts); ANSWER_TOO_DEEP when depth is past 8 levels; *correct
 * untouched then. eq compares two elements and is called with depth + 1.
 */
int answer_set_compare(const struct span_equal *eq, struct span p, struct span g, int depth,
		       bool *correct);

#endif
