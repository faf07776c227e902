/*
 * score_request.h — what smelt-score asks and how it reads the answer:
 * the conversation of a record (canonical messages, or ShareGPT / LLaVA
 * converted on the fly), the units scored (the whole conversation, or
 * each prefix ending at an assistant turn), and the score in a /pooling,
 * /classify or judge answer, plus the aggregate of per-turn scores.
 *
 * Pure functions over jansson values; thread-safe.
 */
#ifndef SMELT_SCORE_REQUEST_H
#define SMELT_SCORE_REQUEST_H

#include <jansson.h>
#include <stddef.h>

#include "llm/image_load.h"
#include "core/sbuf.h"

enum score_backend { SCORE_POOLING, SCORE_CLASSIFY, SCORE_JUDGE, SCORE_FIELD };
enum score_target { SCORE_CONVERSATION, SCORE_TURNS };
enum score_agg { SCORE_MIN, SCORE_MEAN, SCORE_LAST };

/* Names <-> values ("pooling", "conversation", "min", ...); -1 if unknown. */
int score_backend_parse(const char *s);
int score_target_parse(const char *s);
int score_agg_parse(const char *s);
const char *score_backend_name(enum score_backend b);
const char *score_target_name(enum score_target t);
const char *score_agg_name(enum score_agg a);

/* Reject kinds. */
#define SCORE_NO_CONVERSATION "no_conversation"
#define SCORE_NO_ANSWER "no_assistant_turn"
#define SCORE_BAD_RESPONSE "bad_response"
#define SCORE_MISSING_FIELD "missing_field"

/*
 * The record's conversation: *messages (an array of {role, content}) and
 * *images (an array, or NULL), both new references. A record with
 * "messages" is taken as it is; ShareGPT and LLaVA records are converted
 * (conv_format.h). Returns 0, or -1 with *kind and a message in err.
 */
int score_conversation(const json_t *rec, json_t **messages, json_t **images, const char **kind,
		       struct sbuf *err);

/*
 * Indices of the messages that end a scored unit: the last message for
 * SCORE_CONVERSATION, every assistant message for SCORE_TURNS. Returns
 * the count (0 when there is nothing to score) and a malloc'd array in
 * *ends (caller frees).
 */
size_t score_unit_ends(const json_t *messages, enum score_target target, size_t **ends);

/* A new array holding messages[0..end] (the messages are shared, not copied). */
json_t *score_prefix(const json_t *messages, size_t end);

/* The number of images the prefix messages[0..end] refers to by placeholder. */
size_t score_prefix_images(const json_t *messages, size_t end);

/*
 * The score in a /pooling answer: data[0].data when it is a number;
 * element `index` of it when it is a list (negative counts from the end;
 * an element that is itself a one-element list is unwrapped). Returns 0,
 * or -1 with the reason in err.
 */
int score_from_pooling(const json_t *resp, long index, double *out, struct sbuf *err);

/* The score in a /classify answer: data[0].probs[label] (negative from the end). */
int score_from_classify(const json_t *resp, long label, double *out, struct sbuf *err);

/*
 * The score in a parsed judge reply: a number, a string holding one, or
 * an object's "score" holding either (as the regex and json parsers give).
 */
int score_from_value(const json_t *v, double *out, struct sbuf *err);

/* Aggregate n >= 1 per-turn scores. */
double score_aggregate(const double *v, size_t n, enum score_agg agg);

/*
 * A plain-text transcript of messages[0..end] ("User: ...\n\nAssistant:
 * ..."), <image> placeholders kept, for judge prompts. New string.
 */
char *score_transcript(const json_t *messages, size_t end);

#endif
