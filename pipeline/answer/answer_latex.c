/*
 * answer_latex.c — flatten LaTeX for the numeric and set rules, with a
 * rewrite table (longer spellings first where one is a prefix of another)
 * and the list of text commands whose braces become spaces.
 *
 * One pass: the brace that closes a \text{ is found with a stack of brace
 * depths, not by scanning ahead, so nested or unclosed groups stay linear.
 */
#include "answer/answer_latex.h"

#include <stdlib.h>

#include "core/util.h"

struct rewrite {
	const char *from;
	const char *to;
};

/* Longer spellings first where one is a prefix of another. */
static const struct rewrite latex_rewrites[] = {
	{ "\\left", "" }, { "\\right", "" }, { "\\bigg", "" }, { "\\Bigg", "" },
	{ "\\big", "" }, { "\\Big", "" }, { "\\displaystyle", "" },
	{ "\\!", "" }, { "\\,", "" }, { "\\;", "" }, { "\\:", "" }, { "\\ ", " " },
	{ "\\qquad", " " }, { "\\quad", " " },
	{ "\\dfrac", "\\frac" }, { "\\tfrac", "\\frac" },
	{ "^{\\circ}", "" }, { "^\\circ", "" }, { "\\circ", "" }, { "\\degree", "" },
	{ "\xc2\xb0", "" }, { "\xc2\xba", "" },			/* ° º */
	{ "\\%", "%" }, { "\\$", "$" }, { "{,}", "," },
	{ "\\times", "*" }, { "\\cdot", "*" }, { "\\div", "/" },
	{ "\xc3\x97", "*" }, { "\xc2\xb7", "*" }, { "\xe2\x8b\x85", "*" },	/* × · ⋅ */
	{ "\xc3\xb7", "/" },					/* ÷ */
	{ "\xe2\x88\x92", "-" },				/* − */
	{ "\xcf\x80", "\\pi" }, { "\xe2\x88\x9a", "\\sqrt" },	/* π √ */
	{ "\xe2\x88\x9e", "\\infty" },				/* ∞ */
	{ "\xc2\xb2", "^2" }, { "\xc2\xb3", "^3" },		/* ² ³ */
	{ "\\approx", "=" }, { "\xe2\x89\x88", "=" },		/* ≈ */
	{ "\\leqslant", "<=" }, { "\\geqslant", ">=" }, { "\\leq", "<=" }, { "\\geq", ">=" },
	{ "\\le", "<=" }, { "\\ge", ">=" }, { "\\neq", "!=" }, { "\\ne", "!=" },
	{ "\\lt", "<" }, { "\\gt", ">" },
	{ "\xe2\x89\xa4", "<=" }, { "\xe2\x89\xa5", ">=" }, { "\xe2\x89\xa0", "!=" },	/* ≤ ≥ ≠ */
	{ "\\lvert", "|" }, { "\\rvert", "|" }, { "\\cfrac", "\\frac" },
	{ "\\cup", " \\cup " }, { "\xe2\x88\xaa", " \\cup " },	/* ∪ */
};

static const char *const text_commands[] = {
	"\\text", "\\textbf", "\\textrm", "\\textit", "\\mathrm", "\\mathbf", "\\mathit",
	"\\mbox", "\\operatorname", "\\textnormal", "\\textsf",
};

/* Does control word w match at p without running into more letters? */
bool answer_latex_command_at(const char *p, size_t n, const char *w)
{
	size_t k = strlen(w);

	if (!span_starts(p, n, w))
		return false;
	return w[0] != '\\' || !is_alpha((unsigned char)w[k - 1]) || k == n ||
	       !is_alpha((unsigned char)p[k]);
}

void answer_latex_flatten(struct span s, struct sbuf *out)
{
	long *text_depth = NULL, depth = 0;
	size_t ntext = 0, alloc = 0, i = 0;

	while (i < s.n) {
		const char *p = s.p + i;
		size_t left = s.n - i;
		unsigned char c = (unsigned char)*p;
		bool done = false;

		/* Every table entry starts with one of these bytes. */
		if (c != '\\' && c != '^' && c != '{' && c != '}' && c < 0x80) {
			sbuf_addch(out, c);
			i++;
			continue;
		}
		if (span_starts(p, left, "\\{") || span_starts(p, left, "\\}")) {
			sbuf_add(out, p, 2);
			i += 2;
			continue;
		}
		if (*p == '{') {
			depth++;
		} else if (*p == '}') {
			if (ntext && text_depth[ntext - 1] == depth) {
				ntext--;
				sbuf_addch(out, ' ');
				depth--;
				i++;
				continue;
			}
			depth--;
		}
		for (size_t k = 0; k < ARRAY_SIZE(text_commands) && !done; k++) {
			size_t j = strlen(text_commands[k]);

			if (*p != '\\' || (left > 1 && p[1] != text_commands[k][1]) ||
			    !answer_latex_command_at(p, left, text_commands[k]))
				continue;
			while (j < left && p[j] == ' ')
				j++;
			if (j >= left || p[j] != '{')
				continue;
			ALLOC_GROW(text_depth, ntext + 1, alloc);
			text_depth[ntext++] = ++depth;
			sbuf_addch(out, ' ');
			i += j + 1;
			done = true;
		}
		for (size_t k = 0; k < ARRAY_SIZE(latex_rewrites) && !done; k++) {
			const char *from = latex_rewrites[k].from;

			/* the first two bytes rule out most entries cheaply */
			if (from[0] != p[0] || (left > 1 && from[1] && from[1] != p[1]))
				continue;
			if (answer_latex_command_at(p, left, from)) {
				sbuf_addstr(out, latex_rewrites[k].to);
				i += strlen(latex_rewrites[k].from);
				done = true;
			}
		}
		if (!done)
			sbuf_addch(out, s.p[i++]);
	}
	free(text_depth);
}
