/*
 * prm_judge.h — smelt-check --judge: the rules decide what they can
 * (prm_check.h); each reply they leave undecided is put to an LLM with a
 * judge prompt, and its one-word verdict replaces the rules' "incorrect".
 *
 * The judge prompt renders against {question, gold, pred, extracted}
 * (pred: the whole reply; extracted: the rules' answer or empty). Its
 * reply is parsed with the prompt's own parser: a text reply, or a regex
 * with a group named "verdict", is read by prm_judge_verdict. A reply it
 * cannot read, or a request that fails, rejects the record (kind
 * judge_unparsed with the reply in raw_reply, or the engine's kind).
 */
#ifndef SMELT_PRM_JUDGE_H
#define SMELT_PRM_JUDGE_H

#include "llm/llm_prompt.h"
#include "prm/prm_check.h"
#include "stage/llm_loop.h"

struct prm_judge {
	struct prm_check *check;            /* borrowed; its figures are updated */
	struct llm_setup llm;               /* the judge prompt, its parser, params, engine */
};

/* The llm_loop callbacks; ctx is the struct prm_judge. */
extern const struct llm_loop_ops prm_judge_ops;

/*
 * The verdict in a parsed judge reply (a string, or an object with a
 * string "verdict"): 1, 0, or -1 when it says neither.
 */
int prm_judge_parsed_verdict(const json_t *parsed);

#endif
