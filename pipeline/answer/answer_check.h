/*
 * answer_check.h — rule-based answer checking: pull the final answer out
 * of a model's reply, then decide whether it is equivalent to the gold
 * answer. No LLM judge; every decision names the rule that made it.
 *
 * Extraction (answer_extract). The reply ends at its first end-of-turn
 * token (<|im_end|>, <|im_start|>, <|eot_id|>, <|endoftext|>, <|end|>,
 * </s>, <end_of_turn>): what follows is no longer the model's answer.
 * Under EXTRACT_AUTO the methods are tried in this order:
 *   <answer>…</answer>            the last complete pair
 *   Final answer: …               the last marker, case-insensitive, also
 *                                 "最终答案：", "最终答案:", "答案："; the
 *                                 answer runs to the next blank line.
 *                                 Minerva's "Final Answer: The final answer
 *                                 is X. I hope it is correct." gives X; "The
 *                                 volume of $V$ is 120." gives what follows
 *                                 the last " is " outside math when that
 *                                 is a number or math; else a plain
 *                                 sentence with exactly one number gives
 *                                 that number ("12 is the smallest")
 *   \boxed{…} / \fbox{…}          the last one whose braces close, joined
 *                                 with the boxes right before it when only
 *                                 connectors stand between them ("$\boxed{2}$
 *                                 and $\boxed{3}$" is "2, 3"; spaces, $ , ;
 *                                 "and", "or", \quad; a blank line or any
 *                                 other word separates), repeats once
 *   "the answer is B", "The correct option is (C)", "answer: 12"
 *                                 (EXTRACT_OPTION when it is a letter)
 *   a reply that is just an option ("B", "(B)", "B. text", "**B**"),
 *   or whose last line is one
 *   the last math span            $…$ or \(…\) on one line, $$…$$ or \[…\]
 *                                 over several ("Answer $ 9 $"), unless a
 *                                 number follows it in plain text
 *   a one-line reply (at most 200 bytes) taken whole, unless it is a
 *   sentence of more than 8 words with a digit in it
 *   the last number in the text
 * EXTRACT_STRICT tries only the first three (tag, final answer, boxed):
 * no phrase, no math span, no whole reply, no last number. It is the
 * policy for checking rollouts, where a guess from the text would turn a
 * wrong or cut-off continuation into a correct one ("17 - 9 = 8 ... wait:
 * 12+5 = 17" finds nothing). EXTRACT_FINAL_ANSWER or EXTRACT_BOXED alone
 * demand that one format. A boxed answer inside a tag or after "Final
 * answer:" narrows the answer to the box. The result is cleaned:
 * surrounding whitespace, $…$, $$…$$, \(…\), \[…\], markdown bold, a whole
 * \boxed{} / \text{}, and a trailing period are stripped.
 *
 * Notation read alike before any rule (answer_norm.c): thousands written
 * "12,\!000", "14{,}916" or "1 000"; "x \in S" is S; a double inequality
 * of one variable is an interval ("-2 \le x < 7" = "[-2, 7)"), and a single
 * one too when the other side is an interval ("x > 5" = "(5, \infty)");
 * pmatrix, bmatrix, vmatrix, matrix, smallmatrix and array (with their
 * \left[ … \right]) are "[[a, b], [c, d]]", one row or column "[a, b]" (so
 * a column vector equals the row with the same entries); cases is a set
 * of equations; "7, -2, \text{ and } -5" is a list; "3 1/2" a mixed
 * number; "20:34:00" and "8:34 \text{P.M.}" are "20:34"; "x = 1/3 \approx
 * 0.33" drops the rounding; a doubled "\\frac" is "\frac".
 *
 * Equivalence (answer_equivalent) under ANSWER_AUTO tries, in order:
 *   exact    case-folded equality after cleaning
 *   mc       option letters: letter vs letter ("B", "(B)", "B.", "**B**",
 *            "B) text", "the answer is B"); letter vs option text when
 *            the options are given (a list, or "A. …" lines of the question)
 *   set      intervals, sets, tuples, matrices: "(1, 2]" = "(1,2]",
 *            "{1,2,3}" = "{3,2,1}", tuples and intervals keep order and
 *            bracket kind; "1, 2" is an unordered list, "(1,2), (3,4)" a
 *            list of tuples, and "-5,-2,7" a list too (a signed or
 *            non-3-digit part cannot be thousands; "1,2" is a list when the
 *            other side is one); unions with \cup / ∪; elements compare by
 *            all these rules, and "x = 1" against "1" by its value
 *   numeric  both sides evaluate to numbers: thousands separators, a decimal
 *            comma when unambiguous ("3,5"; "3,500" is 3500), percent
 *            ("%", "percent", "pct", "percentage"), units and currency
 *            before or after, scientific notation ("1.5e3", "1.5 \times
 *            10^{3}"), LaTeX (\frac \dfrac \tfrac \frac12 \sqrt \pi \left
 *            \right \text \, ^\circ), number words, "x = 5", and + - * / ^
 *            with parentheses, implicit products (2\pi) and sqrt; equal
 *            within rel_tol (relative; a gold of 0 needs |pred| <= 1e-9).
 *            Two rationals written with integers only must be exactly
 *            equal ("1000/1001" is not "1") unless rel_tol is above the
 *            default 1e-3. "2 + 3 = 5" and "x = 5" read as 5, but an
 *            equation ("a + 3z = 0", "\sin(x) = 1/2") is no number
 *   symbolic at least one side has a letter or "!": both read as
 *            expressions (answer_sym.h: fractions, roots, powers, trig and
 *            log functions, \pi, e, i, implicit products, f(x), relations)
 *            and compare by evaluating both at 24 seeded random points,
 *            skipping points where either is undefined or not real (at
 *            least 4 must remain; at most 2 may miss, for rounded decimals
 *            near a zero; the tolerance is rel_tol of the terms' size).
 *            "\frac{x+2}{7}" = "\frac{x}{7}+\frac{2}{7}", "\tan^2(y)+1" =
 *            "\sec^2(y)", "\sqrt[3]{x}^2" = "x^{2/3}" (odd roots of negatives
 *            are real); "f(x)" vs "f(y)" and "x_1" vs "x_2" differ (names
 *            get independent values, unknown functions a fixed function of
 *            name and arguments). Equations: "y = 2x+1" or "f(x) = 2x+1"
 *            (a lone name on the left) is an assignment standing for its
 *            value, so it equals "2x+1" and "y = 2x+1" (names are not
 *            compared); other equations equal when lhs - rhs agree up to a
 *            non-zero factor ("2x+4y-3=0" = "y = -x/2+3/4"), and are never
 *            equal to a bare expression ("7 = 11a+c" vs "11a+c");
 *            inequalities up to a positive factor after flipping > to <
 *            ("-x > -1" = "x < 1"); \le \leq \ge \geq \lt \gt \ne \neq ≤ ≥ ≠
 *            read as <= >= < > !=
 *   vqa      lowercase, punctuation dropped (except inside numbers),
 *            articles dropped, number words to digits, contractions expanded
 * Once a rule applies to both sides (both are option letters, both are
 * numbers, both are sets), its answer is final: "3" vs "4" is wrong even
 * if some later rule were laxer. Other modes run a single rule:
 *   relaxed  auto with relaxed_tol (5%) for numbers: ChartQA-style charts
 *   anls     similarity 1 - levenshtein/max_len over code points of the
 *            case-folded, space-collapsed strings; score = similarity when
 *            the distance ratio is below anls_threshold (0.5), else 0;
 *            correct when score > 0. (VisualPRM stored the distance as the
 *            score, so unrelated strings passed; this does not.) ANLS sees
 *            the answers as written, without the notation rewrites above
 *   expr     sets or arithmetic only, strict: no units, words or separators
 *   symbolic sets, else the symbolic rule alone
 *
 * Percent is a documented choice (answer_opts.percent): by default a number
 * written with % on one side only matches either reading, so "50%" equals
 * both "50" and "0.5"; when both sides carry %, the numbers must agree.
 * Numbers are parsed with strtod in the C locale. Unsupported on purpose:
 * "1.234,5" European grouping; units written without a space still drop
 * ("10cm" = "10"); degrees are radians to the symbolic rule only where
 * written ("\sin(90^\circ - x)" = "\cos x"); \log is the natural log; a
 * matrix product or sum is not computed; "\pm" is no expression.
 *
 * Limits that keep a degenerate reply linear: sets of more than 256
 * elements, unions of more than 8 parts, matrices of more than 1024 cells
 * and more than 16 joined boxes are not read as such; the symbolic rule
 * reads answers of at most 4096 bytes; ANLS compares strings of over 4096
 * code points for equality only. A typical answer_check costs ~6 us, some
 * 30 us when the symbolic rule evaluates.
 *
 * Limits on depth, so that no reply can overflow the stack: an expression
 * nested deeper than 200 levels (brackets, \frac / \sqrt arguments, signs,
 * exponents, function arguments) or sets nested deeper than 8 leave the
 * comparison undecided: the verdict says too_deep (correct is false,
 * method none) and stages turn it into a reject of kind "too_deep".
 * Nothing else in the checker recurses on its input: extraction, cleaning,
 * notation rewrites, LaTeX flattening, VQA normalisation and the symbolic
 * rule's evaluation (a walk over the node array) are loops.
 *
 * All functions are reentrant: no globals, no locale changes; the random
 * points come from a fixed seed, so verdicts are reproducible.
 *
 * The rules live one per module in answer/ (answer/README.md says which
 * and in what order a comparison meets them); this is their only public
 * header.
 */
#ifndef SMELT_ANSWER_CHECK_H
#define SMELT_ANSWER_CHECK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/sbuf.h"

enum extract_method {
	EXTRACT_NONE = 0,	/* found: nothing */
	EXTRACT_AUTO,		/* pref: try all, in the order above */
	EXTRACT_ANSWER_TAG,
	EXTRACT_FINAL_ANSWER,
	EXTRACT_BOXED,
	EXTRACT_PHRASE,		/* "the answer is …" that is not a letter */
	EXTRACT_OPTION,		/* a multiple-choice letter */
	EXTRACT_WHOLE,		/* the whole (short, one-line) reply */
	EXTRACT_LAST_NUMBER,
	EXTRACT_LAST_MATH,	/* the last $…$, $$…$$, \(…\) or \[…\] */
	EXTRACT_STRICT,		/* pref: tag, final answer, boxed; nothing else */
};

enum answer_mode {
	ANSWER_AUTO = 0,
	ANSWER_EXACT,
	ANSWER_VQA,
	ANSWER_MC,
	ANSWER_NUMERIC,
	ANSWER_RELAXED,
	ANSWER_ANLS,
	ANSWER_EXPR,
	ANSWER_SET,
	ANSWER_NONE,		/* verdict only: no answer to compare */
	ANSWER_SYMBOLIC,	/* expression trees at random points (answer_sym) */
};

/* How a number carrying % compares with one that does not. */
enum answer_percent {
	ANSWER_PERCENT_EITHER = 0,	/* 50% = 50 and 50% = 0.5 (default) */
	ANSWER_PERCENT_STRIP,		/* VisualPRM: % dropped, 50% = 50 only */
	ANSWER_PERCENT_SCALE,		/* % means /100, 50% = 0.5 only */
};

struct answer_opts {
	enum answer_mode mode;
	enum extract_method extract;	/* for answer_check */
	double rel_tol;			/* numeric, expr; default 1e-3 */
	double relaxed_tol;		/* relaxed; default 0.05 */
	double anls_threshold;		/* distance ratio cut; default 0.5 */
	enum answer_percent percent;
	/*
	 * The options of a multiple-choice question, all borrowed, first
	 * non-empty source wins: a C array, a JSON array of strings, or the
	 * question text whose lines look like "A. …", "(B) …", "C) …".
	 * An element "B. text" names its letter; otherwise letters go A, B, …
	 */
	const char *const *options;
	size_t noptions;
	const json_t *options_json;
	const char *question;
};

/* Defaults: auto, auto extraction, 1e-3, 0.05, 0.5, percent either, no options. */
void answer_opts_init(struct answer_opts *opts);

struct answer_verdict {
	bool correct;
	enum answer_mode method;	/* the rule that decided */
	double score;			/* 1/0, or the ANLS score */
	enum extract_method extracted;	/* answer_check only */
	bool too_deep;			/* undecided: nested past a limit (above) */
};

/* answer_value's result when the text nests past a limit (see above). */
#define ANSWER_TOO_DEEP (-2)

/*
 * Find the answer in `text` with method `pref` (EXTRACT_AUTO for all).
 * `out` is reset and receives the cleaned answer; *found (may be NULL)
 * the method that found it. Returns 1 if found, 0 if not (out empty,
 * *found = EXTRACT_NONE), -1 on a NULL text or out.
 */
int answer_extract(const char *text, enum extract_method pref, struct sbuf *out,
		   enum extract_method *found);

/*
 * Decide whether `pred` (an extracted answer) is equivalent to `gold`.
 * opts may be NULL for the defaults. Returns 0 with *v filled, -1 on a NULL
 * argument. An empty pred or gold is never correct.
 */
int answer_equivalent(const char *pred, const char *gold, const struct answer_opts *opts,
		      struct answer_verdict *v);

/*
 * Extract from `response` with opts->extract, then compare with `gold`.
 * `extracted` (may be NULL) receives the answer. Nothing extracted gives
 * correct = false, method ANSWER_NONE. Returns 0, or -1 on a NULL argument.
 */
int answer_check(const char *response, const char *gold, const struct answer_opts *opts,
		 struct answer_verdict *v, struct sbuf *extracted);

/*
 * The building blocks, for stages and tests.
 *
 * answer_clean: the cleaning every extracted answer gets, appended to out.
 * answer_vqa_normalize: the vqa rule's normal form, appended to out.
 * answer_value: the numeric rule's reading of s (lenient: units, words,
 *   separators; else strict arithmetic); 0 and *x, *percent set, -1 when
 *   it is no number, or ANSWER_TOO_DEEP.
 * answer_anls: the raw similarity 1 - dist/max_len in [0, 1] (1 for two
 *   empty strings), before any threshold; strings longer than 4096 code
 *   points compare as 0 unless equal.
 */
void answer_clean(const char *s, struct sbuf *out);
void answer_vqa_normalize(const char *s, struct sbuf *out);
int answer_value(const char *s, bool lenient, double *x, bool *percent) MUST_CHECK;
double answer_anls(const char *pred, const char *gold);

/* Names as used on command lines: parse returns 0, or -1 for an unknown name. */
const char *answer_mode_name(enum answer_mode mode);
int answer_mode_parse(const char *name, enum answer_mode *out) MUST_CHECK;
const char *extract_method_name(enum extract_method m);
int extract_method_parse(const char *name, enum extract_method *out) MUST_CHECK;
const char *answer_percent_name(enum answer_percent p);
int answer_percent_parse(const char *name, enum answer_percent *out) MUST_CHECK;

#endif
