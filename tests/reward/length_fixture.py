#!/usr/bin/env python3
"""length_fixture.py OUTDIR [--seed S] [--per-source N]

Write a length-confounded reward-filtering fixture: OUTDIR/corpus.jsonl and
OUTDIR/key.tsv (id, source, defect: the planted defects, which the corpus
itself does not mark).

Two sources, each mixing short answers (VQA-style one-liners) with long
explanations, as sources merged from LLaVA-style and chat data do. Every
record already carries its reward in scores.rm, written the way reward
models behave (REFERENCE.md, IXC-2.5-Reward: low scores go with
hallucinated, empty and mismatched answers; reward models also score
shorter answers lower):

    score = level[source] + slope[source] * log(1 + chars) + noise
    defect: the same, minus a penalty of 1.5 .. 2.5

so a defect sits low against answers of its own length, while a correct
one-line answer sits lower than a defective long one. About 8% of each
source is defective: hallucinated (a wrong fact, normal length), mismatched
(an answer to another question) or empty. Deterministic for a seed.
"""
import argparse
import json
import math
import os
import random

SOURCES = {
    # name: (level, slope, share of short answers)
    "llava_mix": (-3.0, 1.3, 0.6),
    "chat_mix": (-1.0, 1.0, 0.4),
}
DEFECT_SHARE = 0.08
NOISE = 0.45

OBJECTS = ["cup", "dog", "bicycle", "lamp", "tree", "boat", "clock", "chair", "kite", "train"]
COLOURS = ["red", "green", "blue", "yellow", "white", "black", "orange"]
PLACES = ["on the table", "in the park", "next to the window", "on the shelf", "by the river"]
WORDS = ("the model of the scene shows how each part relates to the others and why the "
         "result follows from the evidence in the picture and the question so we can "
         "explain step by step what happens when light falls on objects of different "
         "colours sizes and shapes placed at several distances from the camera").split()


def short_answer(rng, obj, colour, place):
    kind = rng.randrange(4)
    if kind == 0:
        return "What colour is the %s?" % obj, "%s." % colour.capitalize()
    if kind == 1:
        return "How many %ss are there?" % obj, "%s." % rng.choice(["One", "Two", "Three", "Four"])
    if kind == 2:
        return "Where is the %s?" % obj, "It is %s." % place
    return "What is shown %s?" % place, "A %s %s." % (colour, obj)


def long_answer(rng, obj, colour, place, chars):
    q = "Describe the %s %s and explain what the picture suggests." % (colour, obj)
    words = ["The", colour, obj, "stands", place + "."]
    while len(" ".join(words)) < chars:
        words.append(rng.choice(WORDS))
    return q, " ".join(words) + "."


def wrong_fact(answer, colour):
    """Hallucinated: the same answer with its colour (or count) swapped."""
    other = [c for c in COLOURS if c != colour]
    out = answer.replace(colour, other[0]).replace(colour.capitalize(), other[0].capitalize())
    if out == answer:
        out = answer.replace("One", "Seven").replace("Two", "Nine").replace("It is", "It is not")
    return out if out != answer else "There is no %s in the picture." % colour


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--per-source", type=int, default=500)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.outdir, exist_ok=True)
    recs, key = [], []
    for name, (level, slope, short_share) in SOURCES.items():
        for i in range(args.per_source):
            obj, colour, place = rng.choice(OBJECTS), rng.choice(COLOURS), rng.choice(PLACES)
            if rng.random() < short_share:
                q, a = short_answer(rng, obj, colour, place)
            else:
                q, a = long_answer(rng, obj, colour, place, int(math.exp(rng.uniform(math.log(150), math.log(2000)))))
            defect = None
            if rng.random() < DEFECT_SHARE:
                defect = rng.choices(["hallucinated", "mismatched", "empty"], [0.45, 0.4, 0.15])[0]
                if defect == "empty":
                    a = ""
                elif defect == "mismatched":
                    # an answer written for another question, of a similar length
                    other = rng.choice(OBJECTS)
                    a = a.replace(obj, other) if obj in a else "A %s %s." % (colour, other)
                else:
                    a = wrong_fact(a, colour)
            score = level + slope * math.log1p(len(a)) + rng.gauss(0, NOISE)
            if defect:
                score -= rng.uniform(1.5, 2.5)
            rid = "%s-%04d" % (name, i)
            recs.append({"id": rid, "source": name,
                         "messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}],
                         "scores": {"rm": round(score, 4)}})
            if defect:
                key.append((rid, name, defect))
    rng.shuffle(recs)  # sources interleaved, as a merged corpus is
    with open(os.path.join(args.outdir, "corpus.jsonl"), "w") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(os.path.join(args.outdir, "key.tsv"), "w") as f:
        f.write("id\tsource\tdefect\n")
        for row in key:
            f.write("\t".join(row) + "\n")


if __name__ == "__main__":
    main()
