#!/usr/bin/python3
"""score_neardup.py — recall and precision of near-duplicate removal.

    score_neardup.py CORPUS.jsonl TRUTH.jsonl DECISIONS.jsonl THRESHOLD

Recall: of the truth pairs (planted and random) with exact Jaccard >= T,
the share that ends in one cluster (a record's cluster is the record it
was removed for, or itself). Precision: of the removals, the share whose
exact Jaccard with the record kept in its place is >= T (strict: a record
joined through a chain but below T against the kept one counts as wrong).
Jaccard is computed by gen_neardup.shingles, not by smelt. Prints the
figures as one JSON line.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_neardup import jaccard, shingles  # noqa: E402


def main():
    corpus, truth, decisions, t = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    text = {}
    with open(corpus) as f:
        for line in f:
            r = json.loads(line)
            text[r["id"]] = r["messages"][0]["content"]
    kept_for = {}
    with open(decisions) as f:
        for line in f:
            d = json.loads(line)
            if d["kind"] == "near_duplicate":
                kept_for[d["id"]] = d["kept"]
    root = lambda x: kept_for.get(x, x)
    pos = hit = 0
    planted_pos = planted_hit = 0
    with open(truth) as f:
        for line in f:
            p = json.loads(line)
            if p["jaccard"] < t:
                continue
            pos += 1
            same = root(p["a"]) == root(p["b"])
            hit += same
            if p["how"] == "planted":
                planted_pos += 1
                planted_hit += same
    good = 0
    worst = 1.0
    for rid, kept in kept_for.items():
        j = jaccard(shingles(text[rid]), shingles(text[kept]))
        worst = min(worst, j)
        good += j >= t
    out = {
        "threshold": t, "pairs_at_or_above": pos, "recall": hit / pos if pos else 1.0,
        "planted_pairs_at_or_above": planted_pos,
        "removals": len(kept_for), "precision": good / len(kept_for) if kept_for else 1.0,
        "lowest_jaccard_removed": round(worst, 4),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
