#!/usr/bin/env python3
"""make_corpus.py DIR — write DIR/hub.jsonl and DIR/answer-key.tsv from the
rmfilter example's LLaVA records, in the_cauldron's layout.

Each row: "images", a list of image files (relative to the build's out/
directory, drawn there by draw_images.py), and "texts", one
{user, assistant, source} per turn, with no <image> placeholders (the_cauldron
has none; smelt-cat --from cauldron adds them). Every seventh row joins two
pictures and their questions, so some rows hold a list of two images. The
first 60 LLaVA records are used, less those whose defect is a placeholder
mismatch (which this layout cannot carry). The key lists the rows holding a
planted defect (empty, unrelated or cut-off answer).
Standard library only; `python3 make_corpus.py corpus` reproduces the files.
"""
import csv
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RMFILTER = os.path.join(HERE, "..", "rmfilter")


def main(outdir):
    recs = json.load(open(os.path.join(RMFILTER, "corpus", "llava_vqa.json")))[:60]
    key = {}
    with open(os.path.join(RMFILTER, "answer-key.tsv")) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            key[row["id"]] = row["defect"]
    recs = [r for r in recs if key.get(r["id"]) != "image_mismatch"]
    rows, defects, i = [], [], 0
    while i < len(recs):
        group = recs[i:i + 2] if len(rows) % 7 == 3 and i + 1 < len(recs) else recs[i:i + 1]
        i += len(group)
        row = {"id": "hub-%03d" % len(rows), "images": [], "texts": []}
        for r in group:
            row["images"].append("images/" + r["image"])
            conv = r["conversations"]
            for q, a in zip(conv[0::2], conv[1::2]):
                row["texts"].append({"user": q["value"].replace("<image>\n", "").replace("<image>", "").strip(),
                                     "assistant": a["value"], "source": "shapes"})
            if r["id"] in key:
                defects.append((row["id"], key[r["id"]]))
        rows.append(row)
    with open(os.path.join(outdir, "hub.jsonl"), "w") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(os.path.join(outdir, "answer-key.tsv"), "w") as f:
        f.write("id\tdefect\n")
        for d in defects:
            f.write("%s\t%s\n" % d)


if __name__ == "__main__":
    main(sys.argv[1])
