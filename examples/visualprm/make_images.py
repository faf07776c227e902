#!/usr/bin/env python3
"""make_images.py N DIR — write N small real PNG images (48x48 RGB:
a coloured background with i % 6 + 1 dark dots) as DIR/img-000.png …,
using only the standard library (zlib for IDAT, crc32 for the chunks),
so the example ships no binaries."""
import os
import struct
import sys
import zlib

SIZE = 48


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(pixels):
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)  # filter type 0 per row
    head = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def image(i):
    bg = ((60 * i) % 200 + 40, (90 * i) % 200 + 40, (150 * i) % 200 + 40)
    rows = [[c for _ in range(SIZE) for c in bg] for _ in range(SIZE)]
    for d in range(i % 6 + 1):
        cx, cy = 8 + (d % 3) * 16, 12 + (d // 3) * 20
        for y in range(cy - 4, cy + 5):
            for x in range(cx - 4, cx + 5):
                if (x - cx) ** 2 + (y - cy) ** 2 <= 16:
                    rows[y][3 * x:3 * x + 3] = [20, 20, 20]
    return png(rows)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make_images.py N DIR")
    n, out = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for i in range(n):
        with open(os.path.join(out, "img-%03d.png" % i), "wb") as f:
            f.write(image(i))


if __name__ == "__main__":
    main()
