#!/usr/bin/env python3
"""draw_images.py HUB.jsonl OUTDIR — draw every PNG the rows' "images" name
(images/vqa_<n>_<colour>_<shape>_<count>_<background>.png) under OUTDIR, with
the rmfilter example's drawing (make_images.py), so nothing binary is stored."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rmfilter"))
from make_images import draw  # noqa: E402


def main(corpus, outdir):
    for line in open(corpus):
        for ref in json.loads(line)["images"]:
            path = os.path.join(outdir, ref)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            _, _, colour, shape, count, background = os.path.basename(ref)[:-4].split("_")
            draw(path, colour, shape, int(count), background)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
