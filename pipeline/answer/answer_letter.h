/*
 * answer_letter.h — what counts as a multiple-choice letter. Extraction
 * uses it to recognise "the answer is (B)" and a reply that is just an
 * option; the mc rule to compare letters and to read the options of a
 * question ("A. 3 cm" lines).
 */
#ifndef SMELT_ANSWER_LETTER_H
#define SMELT_ANSWER_LETTER_H

#include "answer/span.h"

struct answer_letter {
	char letter;		/* 'A'..'Z' */
	struct span rest;	/* text after "B." / "(B)", may be empty; borrowed */
};

/*
 * Is s an option letter: "B", "(B)", "[B]", "B.", "B)", "B:", "**B**",
 * "Option B", "B. text", "(B) text"? A lowercase letter only counts in
 * brackets or alone. `loose` also takes a letter followed by a space or
 * comma ("B because ..."), keeping just the letter: right after "the
 * answer is", but not for a whole answer, where "A cat" is no option.
 * On true, *lf holds the upper-case letter and the text after it.
 */
bool answer_letter_parse(struct span s, bool loose, struct answer_letter *lf);

#endif
