/*
 * sim_condor.h — smelt-sim's Condor-style replies (arXiv 2501.12273):
 * bracket-marked questions at three difficulty levels, critiques,
 * refined answers, and World Knowledge Tree growth (a Python list of
 * sub-topics). Triggers, in the order they are tried:
 *
 *   refinement  "[Improved Answer Start]" / "[改进回答开始]"
 *   critique    "[Critique Start]" / "[评价开始]" (the suggestion block is
 *               "[改进意见开始]" when the prompt names it, as Condor's zh
 *               prompts do, else "[建议开始]")
 *   questions   "[Question Start]" + "[Easy]" / "[问题开始]" + "[简单]"
 *   tree growth "Python list" / "Python 列表" (or "Python列表")
 *
 * The language of the reply is the language of the marker found.
 */
#ifndef SMELT_SIM_CONDOR_H
#define SMELT_SIM_CONDOR_H

#include "core/sbuf.h"
#include "sim/sim_rng.h"

/*
 * If `prompt` (every message's text) triggers a Condor behaviour, append
 * its reply to out and return 1; else return 0. With probability
 * `malformed` the reply is deliberately malformed (missing end marker,
 * prose around it, a missing level or block, an unclosed list). With
 * probability `drop_level` a question reply leaves out one of its three
 * levels, drawn at random (otherwise well formed): a partial reply.
 */
int sim_condor_reply(const char *prompt, const char *last_user, struct sim_rng *rng,
		     double malformed, double drop_level, struct sbuf *out);

#endif
