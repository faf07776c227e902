#!/usr/bin/env python3
"""make_images.py LLAVA.json OUTDIR — draw the small PNG each LLaVA record names.

The file name says what to draw: vqa_<n>_<colour>_<shape>_<count>_<background>.png
becomes a 48x48 picture with <count> shapes of that colour on a light or dark
background, so the thumbnails in the filter report match the questions.
Standard library only (zlib, struct).
"""
import json
import os
import struct
import sys
import zlib

RGB = {"red": (214, 48, 49), "green": (39, 174, 96), "blue": (41, 98, 255), "yellow": (241, 196, 15),
       "purple": (142, 68, 173), "orange": (230, 126, 34)}
BACKGROUND = {"light": (236, 240, 241), "dark": (44, 62, 80)}
SIZE = 48


def inside(shape, x, y, cx, cy, r):
    dx, dy = x - cx, y - cy
    if shape == "square":
        return abs(dx) <= r and abs(dy) <= r
    if shape == "circle":
        return dx * dx + dy * dy <= r * r
    if shape == "diamond":
        return abs(dx) + abs(dy) <= r
    return dy <= r and dy >= -r and abs(dx) * 2 <= (dy + r)  # triangle, apex up


def draw(path, colour, shape, count, background):
    centres = [(24, 24)] if count == 1 else [(12 + 24 * (i % 2), 12 + 24 * (i // 2)) for i in range(count)]
    r = 14 if count == 1 else 8
    rows = bytearray()
    for y in range(SIZE):
        rows.append(0)
        for x in range(SIZE):
            hit = any(inside(shape, x, y, cx, cy, r) for cx, cy in centres)
            rows += bytes(RGB[colour] if hit else BACKGROUND[background])

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def main(llava, outdir):
    os.makedirs(outdir, exist_ok=True)
    for rec in json.load(open(llava)):
        name = rec["image"]
        _, _, colour, shape, count, background = name[:-4].split("_")
        draw(os.path.join(outdir, name), colour, shape, int(count), background)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
