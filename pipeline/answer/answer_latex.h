/*
 * answer_latex.h — LaTeX and Unicode math decoration rewritten into the
 * plain syntax the expression evaluator and the set parser read.
 */
#ifndef SMELT_ANSWER_LATEX_H
#define SMELT_ANSWER_LATEX_H

#include "answer/span.h"

/*
 * Append s to out with its decoration rewritten: \left( -> (, \dfrac ->
 * \frac, \times and × -> *, ÷ -> /, π -> \pi, ∪ -> " \cup ", \text{cm} ->
 * " cm ", degree marks and spacing commands dropped. Set braces \{ \} are
 * kept for the set parser.
 */
void answer_latex_flatten(struct span s, struct sbuf *out);

/*
 * Does w (a control word such as "\cup", or plain text) stand at p[0..n)?
 * A control word ending in a letter must not run into more letters:
 * "\cup" is not found in "\cupcake".
 */
bool answer_latex_command_at(const char *p, size_t n, const char *w);

#endif
