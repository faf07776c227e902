/*
 * sim_text.h — text measures smelt-sim needs to act like a model server:
 * token counting (a token is a whitespace-separated word or one CJK
 * character), cutting a reply at a token budget, pulling marked sections
 * and labelled lines out of prompts, picking keywords, and measuring how
 * much of a question an answer talks about.
 */
#ifndef SMELT_SIM_TEXT_H
#define SMELT_SIM_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Number of tokens in s[0..len). */
size_t sim_text_tokens(const char *s, size_t len);

/*
 * Byte length of the prefix of s[0..len) holding its first `max` tokens
 * (trailing whitespace excluded). Returns len when s has <= max tokens.
 */
size_t sim_text_token_prefix(const char *s, size_t len, size_t max);

/* 1 if s contains a CJK character. */
int sim_text_has_cjk(const char *s);

/*
 * The text between the first `start` marker and the next `end` marker
 * (to the end of s when `end` is missing), whitespace-trimmed.
 * Returns a new string, or NULL when `start` does not occur.
 */
char *sim_text_between(const char *s, const char *start, const char *end);

/*
 * The rest of the line after the first `label` (e.g. "Theme:"), trimmed
 * of whitespace and of surrounding quotes. New string, or NULL when the
 * label does not occur or the rest is empty.
 */
char *sim_text_after_label(const char *s, const char *label);

/*
 * The first sentence of s: up to (not including) the first of ? ! . (ASCII
 * or CJK) or a newline, trimmed. New string.
 */
char *sim_text_first_sentence(const char *s);

/* A new copy of s[0..len) with leading/trailing whitespace removed. */
char *sim_text_trim(const char *s, size_t len);

/*
 * Up to `max` distinct keywords of s in order of first appearance: ASCII
 * words of 4+ letters that are not common function words, lowercased.
 * Stores new strings in out[]; returns how many.
 */
size_t sim_text_keywords(const char *s, char **out, size_t max);

/*
 * How much of `question` the `answer` mentions: the fraction of the
 * question's features (keywords as above, plus CJK character bigrams)
 * found in the answer. *nfeatures receives the question's feature count.
 */
double sim_text_overlap(const char *question, const char *answer, size_t *nfeatures);

/*
 * 1 if the text looks cut off: its last non-space character is a letter,
 * a CJK ideograph, or a comma/semicolon/hyphen (a finished sentence ends
 * in punctuation, a digit or a closing bracket).
 */
int sim_text_looks_truncated(const char *s);

/* Append template t to out with each "%s" replaced by the next of args[]. */
struct sbuf;
void sim_text_fill(struct sbuf *out, const char *t, const char *const *args);

/* Number of non-overlapping occurrences of needle in s. */
size_t sim_text_count(const char *s, const char *needle);

/* Decode one UTF-8 code point at s (len > 0); returns its byte length. */
size_t sim_text_utf8(const char *s, size_t len, uint32_t *cp);

#endif
