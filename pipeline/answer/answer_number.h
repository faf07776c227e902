/*
 * answer_number.h — the numeric rule: read each side as a number, then
 * compare within a tolerance.
 *
 * Reading flattens LaTeX (answer_latex.h), takes the value after the last
 * top-level '=' ("x = 5"), notes a trailing % or "percent", and in lenient
 * mode also drops currency prefixes and trailing units ("12 cm", "$5",
 * "3 m^2"), reads number words ("twenty-one"), and refuses what looks
 * like a date or a range ("2020-01-05", "3-4"). The rest goes to the
 * evaluator (answer_expr.h). answer_value (answer_check.h) is this
 * reading after answer_clean.
 */
#ifndef SMELT_ANSWER_NUMBER_H
#define SMELT_ANSWER_NUMBER_H

#include "answer/answer_check.h"
#include "answer/span.h"

/*
 * 1 when both p and g read as numbers, with *correct set: equal within
 * tol (relative; a gold of 0 needs |p| <= 1e-9; infinities must match),
 * percent handled as `pol` says (answer_check.h). 0 when either side is
 * no number, ANSWER_TOO_DEEP when one nests past the evaluator's limit;
 * *correct untouched then.
 */
int answer_number_compare(struct span p, struct span g, bool lenient, double tol,
			  enum answer_percent pol, bool *correct);

/*
 * Offsets of the first and last top-level '=' in s ("x = 2 + 3 = 5"), not
 * counting <=, >=, !=, ==; false if there is none.
 */
bool answer_number_find_equals(struct span s, size_t *first, size_t *last);

/*
 * "x = 5", "2 + 3 = 5", "\approx 3.14" (after flattening): the trimmed
 * value after the last '=' (borrowed from s); s itself when there is no
 * '=' or nothing after it.
 */
struct span answer_number_strip_assignment(struct span s);

#endif
