/*
 * condor_record.h — the record shapes of the Condor pipeline, built from
 * what the LLM stages leave behind:
 *
 *  - question records: one per generated question, from the question
 *    replies smelt-gen writes for the question prompt (a tree sample whose
 *    `question` is the parsed list of blocks [{label, text}, ...], or with
 *    --explode one record per block {label, text}): {id, pair,
 *    question, difficulty, path, domain, theme, task, lang, images?,
 *    provenance}, with the level label ("Hard", "困难") turned into the
 *    difficulty id of knowledge_tree/difficulty.json, and length bounds;
 *  - SFT records: canonical messages (user question, assistant answer)
 *    from the original answer (Condor's D_V) or the refined one (D_R);
 *  - DPO pairs: {prompt, chosen: refined, rejected: original}.
 *
 * Every output carries the metadata fields (path, domain, theme, task,
 * difficulty, lang, pair, images, provenance) of its input. The builders
 * are pure functions of their input, safe on worker threads.
 */
#ifndef SMELT_CONDOR_RECORD_H
#define SMELT_CONDOR_RECORD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sbuf.h"
#include "core/util.h"

/* Reject kinds. */
#define CONDOR_TOO_SHORT "too_short"
#define CONDOR_TOO_LONG "too_long"
#define CONDOR_BAD_LEVEL "bad_level"
#define CONDOR_MISSING "missing_field"
#define CONDOR_IMAGES "image_mismatch"

/* Difficulty levels: marker labels in every language -> level id. */
struct condor_levels;

/* From knowledge_tree/difficulty.json ({levels: [{id, labels: {lang: L}, names}]}),
 * borrowed. New, or NULL after error(). */
struct condor_levels *condor_levels_from_json(const json_t *doc);
struct condor_levels *condor_levels_load(const char *path);
void condor_levels_free(struct condor_levels *lv);
/* The id for a label or name in any language, or an id itself, ignoring
 * case and surrounding space; NULL if unknown. Borrowed. */
const char *condor_levels_id(const struct condor_levels *lv, const char *label);
/* The number of levels, and the id of level i (file order; borrowed). */
size_t condor_levels_count(const struct condor_levels *lv);
const char *condor_levels_id_at(const struct condor_levels *lv, size_t i);

struct condor_question_opts {
	const struct condor_levels *levels;
	size_t min_chars, max_chars; /* question length in code points; 0 = no bound */
};

/*
 * The question record for `in` (borrowed): `question` either the parsed
 * block {label, text} or already a string with `difficulty` set. New
 * reference, or NULL with *kind (one of the kinds above) and a message in
 * `err`.
 */
json_t *condor_question_record(const json_t *in, const struct condor_question_opts *o,
			       const char **kind, struct sbuf *err);

/*
 * The question records of one whole reply: `in`'s `question` is the list
 * of blocks [{label, text}, ...] the markers parser gives for the question
 * prompt. Each block with text becomes a question record (id
 * "<in.id>-<k>", k its place in the list; pair in.id) appended to `out`,
 * or, when condor_question_record refuses it, {record, kind, message}
 * appended to `rejects`. A block without text is a missing question, not
 * a reject. Bit i of *present is set when level i (file order, i < 64)
 * has a question in the reply, kept or not: the levels not set are the
 * missing ones. Returns the number of blocks with text; 0 means the reply
 * holds no question at all (the caller rejects the record whole).
 */
size_t condor_question_explode(const json_t *in, const struct condor_question_opts *o, json_t *out,
			       json_t *rejects, uint64_t *present);

/*
 * The SFT record: messages [{user: question}, {assistant: in[answer_field]}],
 * `<image>` placeholders added in front of the question for images it
 * does not place itself, `set` = set_name (e.g. "D_V"). New, or NULL with
 * *kind and err.
 */
json_t *condor_sft_record(const json_t *in, const char *answer_field, const char *set_name,
			  const char **kind, struct sbuf *err);

/*
 * The preference pair {id, prompt, chosen: in[chosen_field], rejected:
 * in[rejected_field], ...metadata}. NULL with *kind = NULL (nothing to
 * say: not an error) when the two answers are the same text or
 * refine_rounds is 0 — there is no preference between them; NULL with
 * *kind and err when a field is missing.
 */
json_t *condor_dpo_record(const json_t *in, const char *chosen_field, const char *rejected_field,
			  const char **kind, struct sbuf *err);

/* Code points in the UTF-8 string s. */
size_t condor_chars(const char *s);

#endif
