#!/usr/bin/env python3
"""make_table.py SEED FORMAT — a results table with a planted structure,
for smelt-redundancy's tests (FORMAT: jsonl, csv-long or csv-wide).

40 models with three independent abilities (perception, reasoning, ocr):
  alpha  four dimensions of 150 items each: "perception" and "recognition"
         both measure perception (the redundant pair), "reasoning" and
         "ocr" measure the others; right/wrong items, difficulty spread
  beta   200 near-identical items: every item is the perception ability
         plus a little noise, so any few items rank the models as all do
  gamma  200 right/wrong items, each a random mix of the three abilities
         with its own difficulty: many items are needed for the ranking
"""
import json
import math
import random
import sys

seed, fmt = int(sys.argv[1]), sys.argv[2]
rng = random.Random(seed)
models = [f"m{i:02d}" for i in range(40)]
abil = {m: [rng.gauss(0, 1.5) for _ in range(3)] for m in models}
cells = []  # (model, benchmark, dimension, item, score)


def right(p):
    return 1 if rng.random() < p else 0


def sig(x):
    return 1 / (1 + math.exp(-x))


items = []
for dim, a in (("perception", 0), ("recognition", 0), ("reasoning", 1), ("ocr", 2)):
    for i in range(150):
        items.append(("alpha", dim, f"{dim[:3]}{i}", ("bin", a, rng.gauss(0, 1.5))))
for i in range(200):
    items.append(("beta", "", f"b{i}", ("near", 0, 0)))
for i in range(200):
    w = [rng.random() for _ in range(3)]
    s = sum(w)
    items.append(("gamma", "", f"g{i}", ("mix", [x / s for x in w], rng.gauss(0, 2))))

for m in models:
    a = abil[m]
    for bench, dim, item, (kind, k, d) in items:
        if kind == "bin":
            score = right(sig(a[k] - d))
        elif kind == "near":
            score = round(sig(a[0]) + rng.gauss(0, 0.01), 4)
        else:
            score = right(sig(sum(wi * ai for wi, ai in zip(k, a)) - d))
        cells.append((m, bench, dim, item, score))

if fmt == "jsonl":
    for m, bench, dim, item, score in cells:
        rec = {"model": m, "item": item, "benchmark": bench, "score": score}
        if dim:
            rec["dimension"] = dim
        print(json.dumps(rec))
elif fmt == "csv-long":
    print("model,benchmark,dimension,item,score")
    for c in cells:
        print(",".join(str(x) for x in c))
else:
    cols = [f"{b}/{d}/{i}" if d else f"{b}/{i}" for b, d, i, _ in items]
    print("model," + ",".join(cols))
    n = len(items)
    for j, m in enumerate(models):
        print(m + "," + ",".join(str(c[4]) for c in cells[j * n:(j + 1) * n]))
