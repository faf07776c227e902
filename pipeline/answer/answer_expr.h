/*
 * answer_expr.h — the arithmetic evaluator behind the numeric, expr and
 * set rules: + - * / ^ with parentheses and braces, implicit products
 * (2\pi, 3(4), 2\sqrt3), \frac{a}{b} and \frac12, \sqrt{x} and \sqrt[n]{x},
 * \pi, e, \infty, and mixed numbers ("3\frac{1}{2}" = 3.5). Variables
 * are not evaluated: "x + 1" is no value.
 *
 * The input is plain syntax: run answer_latex_flatten first for \left,
 * \dfrac, \times and the like.
 */
#ifndef SMELT_ANSWER_EXPR_H
#define SMELT_ANSWER_EXPR_H

#include "answer/span.h"

/*
 * Evaluate all of s. `lenient` also reads thousands separators
 * ("1,234,567") and a decimal comma that cannot be one ("3,5"; "3,500"
 * stays 3500). 0 and *x set; -1 when s is not one whole expression,
 * divides by zero, takes an even root of a negative, or gives NaN;
 * ANSWER_TOO_DEEP (answer_check.h) when it nests deeper than 200 levels
 * (brackets, \frac and \sqrt arguments, signs and exponents all count).
 * The stack used is bounded by that depth, whatever the length of s.
 */
int answer_expr_eval(struct span s, bool lenient, double *x);

#endif
