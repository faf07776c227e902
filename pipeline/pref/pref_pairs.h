/*
 * pref_pairs.h — the record steps of OmniAlign-V-style preference pairs
 * around the two LLM calls (smelt-gen samples N answers from a second
 * model; an LLM judge picks the one that deviates most from the chosen
 * answer):
 *
 *   prepare     SFT record {id, image, prompt, chosen} -> the same with
 *               "images" (a list, what smelt-gen sends) and "image" (as
 *               OmniAlign-V writes it: one path, or a list of several)
 *   candidates  + sampled answers -> "candidates" [{n, sample, text}]
 *               numbered from 1 for the judge prompt, leaving out empty
 *               answers, answers equal to the chosen one and repeats; and
 *               "question", the prompt without <image> placeholders
 *   pair        + the judge's reply -> {id, image, prompt, chosen,
 *               rejected} (OmniAlign-V) or smelt's DPO record (dpo.schema.json)
 *
 * Each builder is a pure function of its input (safe on worker threads):
 * a new record, or NULL with *kind (one of the kinds below or of
 * conv_format.h) and a message in err.
 */
#ifndef SMELT_PREF_PAIRS_H
#define SMELT_PREF_PAIRS_H

#include <jansson.h>
#include <stdint.h>

#include "core/sbuf.h"
#include "pref/pref_pick.h"

/* Reject kinds. */
#define PREF_NO_CANDIDATES "no_candidates"
#define PREF_NO_DEVIATION "no_deviation"
#define PREF_UNPARSED_PICK "unparsed_pick"
#define PREF_PICK_OUT_OF_RANGE "pick_out_of_range"

json_t *pref_prepare(const json_t *in, const char **kind, struct sbuf *err);

/* What candidates left out of one record's samples. */
struct pref_sample_counts {
	uint64_t samples, empty, same_as_chosen, repeated, candidates;
};

/*
 * `samples_field`: the sampled answers (a list of strings, or one string
 * for a single sample). keep_images: leave "images" in the record, so the
 * judge call sends them too (a vision judge); by default they are taken
 * out, the judge reading text only as OmniAlign-V's LLM judge does ("image"
 * stays for the pairs). Adds to *c.
 */
json_t *pref_candidates(const json_t *in, const char *samples_field, int keep_images,
			struct pref_sample_counts *c, const char **kind, struct sbuf *err);

enum pref_shape {
	PREF_SHAPE_OMNIALIGN, /* {id, image, prompt, chosen, rejected} */
	PREF_SHAPE_DPO,       /* {id, prompt with <image>s, chosen, rejected, images} */
};

/*
 * The pair of `in` (a candidates record with the judge's reply in
 * judge_field). *pick gets what was read from the reply, also when the
 * record is refused: no_deviation (the judge says none deviates),
 * unparsed_pick, pick_out_of_range. Provenance is carried over.
 */
json_t *pref_pair(const json_t *in, const char *judge_field, enum pref_shape shape, struct pref_pick *pick,
		  const char **kind, struct sbuf *err);

#endif
