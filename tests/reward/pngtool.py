#!/usr/bin/env python3
"""pngtool.py — tiny PNG writer and checker for the smelt-filter report tests
(standard library only: zlib and struct).

  pngtool.py make OUT.png W H R G B     a W x H image: a gradient over the colour
  pngtool.py check SHOT.png MIN_COLOURS  decode a screenshot; print "W H colours
                                         ink%" and fail if it is blank or has
                                         fewer than MIN_COLOURS distinct colours
"""
import struct
import sys
import zlib


def make(path, w, h, r, g, b):
    rows = bytearray()
    for y in range(h):
        rows.append(0)
        for x in range(w):
            rows += bytes(((r + 3 * x) % 256, (g + 3 * y) % 256, (b + x + y) % 256))

    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(bytes(rows))) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("%s: not a PNG" % path)
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype not in (2, 6):
                raise SystemExit("unsupported PNG: depth %d colour type %d" % (depth, ctype))
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    pixels = []
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                line[i] = (line[i] + paeth(a, b, c)) & 255
        pixels.append(bytes(line))
        prev = line
    return w, h, bpp, pixels


def check(path, min_colours):
    w, h, bpp, rows = decode(path)
    colours, ink = set(), 0
    for line in rows[::2]:
        for x in range(0, w * bpp, 2 * bpp):
            px = line[x:x + 3]
            colours.add(px)
            if sum(px) < 600:  # not white or near-white background
                ink += 1
    total = len(rows[::2]) * len(range(0, w * bpp, 2 * bpp))
    share = 100.0 * ink / total
    print("%d %d %d %.2f" % (w, h, len(colours), share))
    if len(colours) < min_colours or share < 1.0:
        raise SystemExit("%s looks blank: %d colours, %.2f%% ink" % (path, len(colours), share))


if __name__ == "__main__":
    if len(sys.argv) == 8 and sys.argv[1] == "make":
        make(sys.argv[2], *map(int, sys.argv[3:]))
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        check(sys.argv[2], int(sys.argv[3]))
    else:
        raise SystemExit(__doc__)
