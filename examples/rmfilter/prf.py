#!/usr/bin/env python3
"""prf.py KEY --before REJECTS... --cut NAME=DROPPED... [--json OUT]

Compare what a pipeline set aside with the answer key of planted defects.

KEY             answer-key.tsv: id, source, defect (header line first)
--before FILE   rejects of the stages before the filter (conversion,
                scoring): defects caught there never reach the filter
--cut NAME=FILE the filter's rejects (plain JSON Lines) of one way of cutting

For each cut: the records it dropped, how many of them are planted defects
(precision) and how many of the planted defects that reached the filter it
dropped (recall), overall and per source; then recall per kind of defect,
and what the whole pipeline caught. Prints Markdown; --json writes the
figures for tests.
"""
import argparse
import json


def read_ids(path, want_filter):
    """id -> source of the records in a rejects file (only filter drops if want_filter)."""
    ids = {}
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            if want_filter and "filter" not in rec:
                continue
            if "id" in rec:
                ids[rec["id"]] = rec.get("source")
    return ids


def pct(a, b):
    return 100.0 * a / b if b else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("key")
    ap.add_argument("--before", nargs="*", default=[])
    ap.add_argument("--cut", nargs="+", required=True)
    ap.add_argument("--json")
    args = ap.parse_args()

    key = {}
    with open(args.key) as f:
        next(f)
        for line in f:
            rid, source, defect = line.rstrip("\n").split("\t")
            key[rid] = (source, defect)
    before = set()
    for path in args.before:
        before.update(read_ids(path, False))
    reaching = {rid: v for rid, v in key.items() if rid not in before}
    sources = sorted({s for s, _ in key.values()})
    kinds = sorted({d for _, d in key.values()})
    out = {"planted": len(key), "caught_before_filter": len(key) - len(reaching),
           "reaching_filter": len(reaching), "cuts": {}}

    print("Planted defects: %d; set aside before the filter (conversion, scoring): %d; "
          "reaching the filter: %d.\n" % (len(key), len(key) - len(reaching), len(reaching)))
    print("| cut | dropped | defects dropped | precision | recall |")
    print("|---|---:|---:|---:|---:|")
    for spec in args.cut:
        name, path = spec.split("=", 1)
        dropped_src = read_ids(path, True)
        dropped = set(dropped_src)
        tp = dropped & set(reaching)
        fig = {"dropped": len(dropped), "true_positives": len(tp),
               "precision": pct(len(tp), len(dropped)), "recall": pct(len(tp), len(reaching)),
               "by_source": {}, "recall_by_kind": {}}
        print("| %s | %d | %d | %.1f%% | %.1f%% |" % (name, len(dropped), len(tp), fig["precision"], fig["recall"]))
        for s in sources:
            src_def = {r for r, v in reaching.items() if v[0] == s}
            src_drop = {r for r, src in dropped_src.items() if src == s}
            fig["by_source"][s] = {"dropped": len(src_drop), "defects": len(src_def),
                                   "true_positives": len(src_drop & src_def)}
        for k in kinds:
            kd = {r for r, v in reaching.items() if v[1] == k}
            fig["recall_by_kind"][k] = pct(len(kd & dropped), len(kd)) if kd else None
        fig["pipeline_recall"] = pct(len(tp) + out["caught_before_filter"], len(key))
        out["cuts"][name] = fig

    print("\nPer source (dropped / planted defects reaching the filter / defects dropped):\n")
    print("| cut | " + " | ".join(sources) + " |")
    print("|---|" + "---:|" * len(sources))
    for name, fig in out["cuts"].items():
        cells = ["%d / %d / %d" % (v["dropped"], v["defects"], v["true_positives"]) for v in fig["by_source"].values()]
        print("| %s | %s |" % (name, " | ".join(cells)))
    print("\nRecall per kind of defect (of those reaching the filter):\n")
    print("| cut | " + " | ".join(kinds) + " | whole pipeline |")
    print("|---|" + "---:|" * (len(kinds) + 1))
    for name, fig in out["cuts"].items():
        cells = ["–" if fig["recall_by_kind"][k] is None else "%.0f%%" % fig["recall_by_kind"][k] for k in kinds]
        print("| %s | %s | %.1f%% |" % (name, " | ".join(cells), fig["pipeline_recall"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
