/*
 * sim_detect.h — smelt-sim as an object detector, for smelt-verify's
 * tests and demos. A prompt that carries its ground truth between
 * <sim-boxes> and </sim-boxes> — a list of [x1, y1, x2, y2] — is answered
 * Visual-RFT style: <think>…</think><answer>[boxes with confidences]</answer>,
 * each box near a true one with seeded noise, and per choice:
 *   a true box missed                 15%
 *   a false box added (low confidence) 20%
 *   the boxes written Python-style    30% ('bbox_2d': (…), single quotes)
 *   no <think> part (format fails)    10%
 *   the list cut short (unreadable)   10%
 * Confidences fall with the noise, so confident boxes are the good ones.
 * An empty ground truth "[]" is always answered with a well-formed empty
 * list — every rollout of such a prompt scores the same.
 */
#ifndef SMELT_SIM_DETECT_H
#define SMELT_SIM_DETECT_H

#include "core/sbuf.h"
#include "sim/sim_rng.h"

/* Append the reply when `prompt` carries <sim-boxes>; returns 1 then, else 0. */
int sim_detect_reply(const char *prompt, struct sim_rng *rng, struct sbuf *out);

#endif
