#!/usr/bin/python3
"""gen_corpus.py MEGABYTES SEED — print a ShareGPT/LLaVA-like JSON Lines corpus
of about MEGABYTES uncompressed, deterministically, for the benchmarks.

Mixes text-only ShareGPT conversations and LLaVA records with images,
multi-turn, with non-ASCII text, escapes and ~8% exact and near duplicates
so that dedup has work to do."""
import json, random, sys

mb, seed = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
words = ("the of and to in is that for it as with was on be by this are at from or have an "
         "image model data train answer question step result value because which their would "
         "graph function number color shows person table chart left right above below "
         "café naïve Größe 数据 模型 问题 答案 über déjà").split()

def sentence(n):
    return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."

def para(lo, hi):
    return " ".join(sentence(rng.randint(6, 18)) for _ in range(rng.randint(lo, hi)))

target = mb * 1024 * 1024
out = sys.stdout
written = 0
i = 0
recent = []
while written < target:
    i += 1
    if recent and rng.random() < 0.08:
        rec = dict(rng.choice(recent))
        rec["id"] = "dup-%d" % i
    else:
        turns = []
        for t in range(rng.randint(1, 4)):
            turns.append({"from": "human", "value": para(1, 3) + ("\n\"quoted\"\ttab" if t == 0 else "")})
            turns.append({"from": "gpt", "value": para(2, 8) + "\n\n" + para(1, 4)})
        rec = {"id": "r-%d" % i, "conversations": turns}
        if rng.random() < 0.5:
            rec["image"] = "coco/train2017/%012d.jpg" % rng.randint(1, 10**9)
            turns[0]["value"] = "<image>\n" + turns[0]["value"]
        rec["source"] = rng.choice(["sharegpt", "llava", "allava", "textvqa"])
        if len(recent) < 1000:
            recent.append(rec)
        elif rng.random() < 0.01:
            recent[rng.randrange(1000)] = rec
    line = json.dumps(rec, ensure_ascii=False)
    out.write(line + "\n")
    written += len(line.encode()) + 1
