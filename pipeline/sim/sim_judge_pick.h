/*
 * sim_judge_pick.h — smelt-sim as the OmniAlign-V judge: asked which of
 * the numbered answers ("[Answer k]", zh "[回答k]") deviates most from
 * the reference ("[Reference Answer]", zh "[参考回答]") and told to end
 * with "[[none]]"-style verdicts (prompts/omnialign/LANG/judge.prompt),
 * it picks an answer, or none, by a seeded draw, and writes the pick in
 * one of the forms real judges use — the asked-for [[k]], JSON, a bare
 * "Answer k", an ordinal sentence, a verdict line — and sometimes one
 * that cannot be read (two answers named) or names an answer that does
 * not exist. Rates: stages/README-sim.md ("The OmniAlign-V judge").
 */
#ifndef SMELT_SIM_JUDGE_PICK_H
#define SMELT_SIM_JUDGE_PICK_H

#include "core/sbuf.h"
#include "sim/sim_rng.h"

/*
 * If `prompt` (every message's text) is a judge prompt, append the
 * verdict to out and return 1; else return 0 without drawing from rng.
 */
int sim_judge_pick_reply(const char *prompt, struct sim_rng *rng, struct sbuf *out);

#endif
