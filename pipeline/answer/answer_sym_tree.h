/*
 * answer_sym_tree.h — the expression tree the symbolic rule reads LaTeX
 * into: the seam between its parser (answer_sym_parse.c), its comparison
 * at random points (answer_sym.c) and its exact rationals
 * (answer_sym_exact.c). For this folder only; answer_sym.h is the rule.
 *
 * A form is one expression, or a chain of them joined by relations. Its
 * nodes live in one array, children before parents, so every walk over a
 * tree is a loop over the array.
 */
#ifndef SMELT_ANSWER_SYM_TREE_H
#define SMELT_ANSWER_SYM_TREE_H

#include <stdint.h>

#include "answer/span.h"

#define SYM_MAX_PARTS 8		/* parts of a relation chain */

enum sym_kind {
	K_NUM, K_VAR, K_I, K_ADD, K_SUB, K_MUL, K_DIV, K_POW, K_NEG, K_FN, K_APPLY,
	K_ROOT, K_FACT, K_ABS, K_COMMA, K_BINOM, K_LOGB,
};

enum sym_fn {
	F_SIN, F_COS, F_TAN, F_SEC, F_CSC, F_COT, F_ASIN, F_ACOS, F_ATAN, F_SINH, F_COSH,
	F_TANH, F_LN, F_EXP,
};

struct sym_node {
	unsigned char kind, fn;
	bool decimal;		/* K_NUM written with a point */
	int a, b;		/* children, -1 for none */
	double x;		/* K_NUM */
	uint64_t name;		/* K_VAR, K_APPLY */
};

enum sym_relop { R_EQ, R_NE, R_LT, R_LE, R_GT, R_GE };

struct sym_form {
	struct sym_node *n;
	size_t nr, alloc;
	int part[SYM_MAX_PARTS];
	enum sym_relop op[SYM_MAX_PARTS - 1];
	size_t nparts;
	uint64_t var[16];	/* the first distinct variable names */
	size_t nvars;
	bool has_i;
};

/*
 * Read s (LaTeX; longer than 4096 bytes is no expression) into f; flat
 * receives the flattened text, which f does not point into. 0, -1 when s
 * is no expression, or ANSWER_TOO_DEEP (answer_check.h). The caller frees
 * f->n (also on error) and releases flat.
 */
int answer_sym_read(struct span s, struct sbuf *flat, struct sym_form *f);

#endif
