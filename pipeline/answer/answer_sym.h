/*
 * answer_sym.h — the symbolic rule: LaTeX read into an expression tree
 * (variables, functions, relations), and two trees compared by exact
 * rational arithmetic when both are plain rationals, else by evaluating
 * both at seeded random points.
 *
 * What it reads (after answer_latex_flatten): numbers, + - * / ^ and
 * implicit products ("2x", "xy", "(x-2)(x+2)", "2^6 3^5"), \frac \sqrt
 * \sqrt[n] \binom, "!" , |x|, the functions \sin \cos \tan \sec \csc \cot
 * (with \sin^2 x and \sin^{-1} x), \arcsin \arccos \arctan, \sinh \cosh
 * \tanh, \ln \log (natural) \log_b \exp, the constants \pi and e, i as the
 * imaginary unit when no other variable occurs, variables (one letter
 * with an optional subscript, Greek letters, any other control word),
 * f(x), g(x), h(x) (also capital) as unknown functions, numbers with a
 * base subscript ("4210_7" as a name), and relations = < > <= >= != in
 * chains ("x = 5+5+1 = 11"). A run of three or more letters that is no
 * function name is a word, not an expression: the rule does not apply.
 *
 * Equations (answer_check.h says the same for users): a chain whose
 * parts before the last include a lone name ("x", "f(x)") is an
 * assignment and stands for its last part; two assignments compare their
 * values, not their names; an assignment and a bare expression compare
 * the value with it. Other equations compare lhs - rhs up to a non-zero
 * constant factor, inequalities up to a positive one after turning > into
 * <; an equation never equals a bare expression ("7 = 11a+c" is not
 * "11a+c").
 */
#ifndef SMELT_ANSWER_SYM_H
#define SMELT_ANSWER_SYM_H

#include "answer/span.h"

/*
 * 1 when both sides read as expressions or relations, with *correct set;
 * 0 when either does not (then *correct is untouched); ANSWER_TOO_DEEP
 * when either nests past the parser's limit. tol is relative.
 */
int answer_sym_compare(struct span p, struct span g, double tol, bool *correct);

/*
 * 1 when both sides are rationals written with integers only (no decimal
 * point, no variable, no irrational function): *correct says whether
 * they are exactly equal. 0 otherwise.
 */
int answer_sym_exact(struct span p, struct span g, bool *correct);

#endif
