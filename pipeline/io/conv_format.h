/*
 * conv_format.h — conversation record formats and conversion between them.
 *
 * The canonical form is OpenAI messages plus images:
 *   {"id", "messages": [{"role", "content"}], "images": [ref, ...], ...}
 * with one "<image>" placeholder in the content per image, in order.
 * Converters keep every field they do not own, in its place.
 *
 *   messages  {"messages": [{role, content}]}; content may also be a list
 *             of OpenAI parts (text / image_url / image), flattened here.
 *   sharegpt  {"conversations": [{from, value}], "images"?}
 *   llava     ShareGPT plus "image": path or [paths]
 *   alpaca    {"instruction", "input", "output", "system"?, "history"?, "images"?}
 *   cauldron  HuggingFaceM4/the_cauldron: {"texts": [{user, assistant, ...}], "images"?}
 *             (from only; per-turn fields other than user/assistant are dropped)
 *   jsonl     any record: no conversion
 *
 * visualprm400k, math-shepherd and prm-raw are exports of smelt-mc's
 * labelled solutions (conv_prm.h), not conversation formats: they can be
 * converted to, never from.
 */
#ifndef SMELT_CONV_FORMAT_H
#define SMELT_CONV_FORMAT_H

#include <jansson.h>

#include "core/sbuf.h"

enum conv_format {
	CONV_AUTO,
	CONV_JSONL,
	CONV_MESSAGES,
	CONV_SHAREGPT,
	CONV_LLAVA,
	CONV_ALPACA,
	CONV_CAULDRON, /* --from only */
	/* exports of step-labelled solutions (conv_prm.h); --to only */
	CONV_VISUALPRM400K,
	CONV_MATH_SHEPHERD,
	CONV_PRM_RAW,
};

/* Parse a format name; 0 or -1 if unknown. */
int conv_format_parse(const char *name, enum conv_format *out);
const char *conv_format_name(enum conv_format f);

/* Guess a record's format from its keys (CONV_JSONL when none fits). */
enum conv_format conv_detect(const json_t *rec);

/* Reject kinds. */
#define CONV_BAD_FIELD "bad_field_type"
#define CONV_MISSING_FIELD "missing_field"
#define CONV_IMAGE_MISMATCH "image_mismatch"
#define CONV_CANNOT_CONVERT "cannot_convert"

/*
 * Convert `rec` (format `from`, CONV_AUTO to detect) to the canonical
 * messages form. Images and placeholders are made consistent: images with
 * no placeholder get one at the start of the first user turn (as LLaVA
 * does); any other disagreement is an error. Returns a new reference, or
 * NULL with *kind (static) and a message in err.
 */
json_t *conv_to_messages(const json_t *rec, enum conv_format from, const char **kind,
			 struct sbuf *err);

/* Convert a canonical record to `to`. New reference or NULL as above. */
json_t *conv_from_messages(const json_t *rec, enum conv_format to, const char **kind,
			   struct sbuf *err);

/*
 * Code points of the text in a message's content: a string, or the "text"
 * parts of a list (image parts count nothing). Used by the stats and by the
 * filter's length control, which must measure alike.
 */
size_t conv_content_chars(const json_t *content);

/* Count "<image>" placeholders in s. */
size_t conv_count_placeholders(const char *s);

/*
 * `text` as the user turn of a record with `nimages` images: one
 * "<image>" per image, those the text does not place itself going in
 * front, one a line. New string, or NULL with *kind CONV_IMAGE_MISMATCH
 * and a message naming `what` ("question", "prompt") when the text places
 * more than there are images.
 */
char *conv_user_text(const char *text, const char *what, size_t nimages, const char **kind,
		     struct sbuf *err);

/*
 * The preference pair smelt writes for DPO trainers (schemas/dpo.schema.json):
 * {id, prompt, chosen, rejected}, the prompt through conv_user_text. The
 * caller adds "images" and whatever else it keeps. New reference, or NULL
 * with *kind and err.
 */
json_t *conv_dpo_pair(const char *id, const char *prompt, size_t nimages, const char *chosen,
		      const char *rejected, const char **kind, struct sbuf *err);

#endif
