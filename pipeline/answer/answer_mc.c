/*
 * answer_mc.c — options read once per comparison into a fixed table of
 * letters and texts (an element "B. text" names its letter, otherwise
 * letters go A, B, …), then the mc rule over it.
 *
 * A pred counts as a letter when it is one ("(B)", "B. 45°") or says one
 * ("the answer is (B)"). Option texts are compared with the caller's
 * comparison, so "45°" matches the option "45 degrees" as the numeric
 * rule would.
 */
#include "answer/answer_mc.h"

#include "answer/answer_clean.h"
#include "answer/answer_extract.h"
#include "answer/answer_letter.h"

static void option_add(struct answer_mc_options *m, struct span text, size_t idx)
{
	struct answer_letter lf;

	if (m->nopt >= ANSWER_MC_OPTIONS_MAX)
		return;
	if (answer_letter_parse(text, false, &lf) && lf.rest.n) {
		m->opt[m->nopt].letter = lf.letter;
		m->opt[m->nopt].text = lf.rest;
	} else {
		m->opt[m->nopt].letter = (char)('A' + idx);
		m->opt[m->nopt].text = span_trim(text);
	}
	m->nopt++;
}

void answer_mc_options_load(struct answer_mc_options *m, const struct answer_opts *o)
{
	m->nopt = 0;
	if (o->options && o->noptions) {
		for (size_t i = 0; i < o->noptions && i < ANSWER_MC_OPTIONS_MAX; i++)
			if (o->options[i])
				option_add(m, span_of(o->options[i]), i);
	} else if (json_is_array(o->options_json) && json_array_size(o->options_json)) {
		size_t i;
		const json_t *v;

		json_array_foreach(o->options_json, i, v)
			if (json_is_string(v) && i < ANSWER_MC_OPTIONS_MAX)
				option_add(m, span_make(json_string_value(v), json_string_length(v)), i);
	} else if (o->question) {
		const char *q = o->question;

		while (*q && m->nopt < ANSWER_MC_OPTIONS_MAX) {
			const char *nl = strchr(q, '\n');
			size_t len = nl ? (size_t)(nl - q) : strlen(q);
			struct answer_letter lf;

			if (answer_letter_parse(span_make(q, len), false, &lf) && lf.rest.n) {
				m->opt[m->nopt].letter = lf.letter;
				m->opt[m->nopt].text = lf.rest;
				m->nopt++;
			}
			q += len + (nl ? 1 : 0);
		}
	}
}

static const struct answer_option *option_by_letter(const struct answer_mc_options *m,
						    char letter)
{
	for (size_t i = 0; i < m->nopt; i++)
		if (m->opt[i].letter == letter)
			return &m->opt[i];
	return NULL;
}

static const struct answer_option *option_by_text(const struct answer_mc_options *m,
						  const struct span_equal *eq, struct span text,
						  int depth)
{
	for (size_t i = 0; i < m->nopt; i++)
		if (eq->fn(eq->data, text, m->opt[i].text, depth + 1))
			return &m->opt[i];
	return NULL;
}

/* A letter in pred: pred itself, or "the answer is (B)" inside it. */
static bool pred_letter(struct span p, struct answer_letter *lf)
{
	struct span cap;

	if (answer_letter_parse(p, false, lf))
		return true;
	return answer_extract_phrase(p.p, p.n, &cap) &&
	       answer_letter_parse(answer_clean_span(cap), true, lf);
}

int answer_mc_compare(const struct answer_mc_options *m, const struct span_equal *eq,
		      struct span p, struct span g, bool *correct)
{
	struct answer_letter pl, gl;
	bool has_p = pred_letter(p, &pl), has_g = answer_letter_parse(g, false, &gl);
	const struct answer_option *o;

	if (has_g) {
		if (has_p) {
			*correct = pl.letter == gl.letter;
			return 1;
		}
		if (m->nopt && (o = option_by_text(m, eq, p, 0))) {
			*correct = o->letter == gl.letter;
			return 1;
		}
		if (gl.rest.n && eq->fn(eq->data, p, gl.rest, 1)) {
			*correct = true;
			return 1;
		}
		if (m->nopt) {
			*correct = false;	/* pred names no option at all */
			return 1;
		}
		return 0;
	}
	if (!has_p)
		return 0;
	if ((o = option_by_letter(m, pl.letter))) {
		*correct = eq->fn(eq->data, o->text, g, 1) ||
			   (pl.rest.n && eq->fn(eq->data, pl.rest, g, 1));
		return 1;
	}
	if (pl.rest.n && eq->fn(eq->data, pl.rest, g, 1)) {
		*correct = true;
		return 1;
	}
	return 0;
}
