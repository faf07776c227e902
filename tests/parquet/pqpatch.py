#!/usr/bin/env python3
"""tests/parquet/pqpatch.py — damage a Parquet file in one precise place,
for the corruption tests. Integers are rewritten in the bytes they took
(a padded varint), so nothing else moves.

  pqpatch.py footer-len FILE N        set the footer length to N
  pqpatch.py footer FILE PATH N       set the footer integer at PATH to N
  pqpatch.py page FILE PATH N [K]     set an integer of page K's header (default 0,
                                      the first; pages counted from the file's start)
  pqpatch.py flip-page FILE           flip a byte in the middle of the first page's data

PATH is field ids and list indexes joined by dots: "4.0.3" is
FileMetaData.row_groups[0].num_rows; for a page header "3" is
compressed_page_size, "7.1" the dictionary page's num_values.
"""
import struct
import sys


def varint(b, p):
    v = shift = 0
    while True:
        c = b[p]
        p += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return v, p


def value(b, p, t):
    """Parse a value of compact type t at p: (value, start, end)."""
    s = p
    if t in (1, 2):
        return t == 1, s, p
    if t == 3:
        return b[p], s, p + 1
    if t in (4, 5, 6):
        v, p = varint(b, p)
        return (v >> 1) ^ -(v & 1), s, p
    if t == 7:
        return None, s, p + 8
    if t == 8:
        n, p = varint(b, p)
        return b[p:p + n], s, p + n
    if t in (9, 10):
        h = b[p]
        p += 1
        n, et = h >> 4, h & 15
        if n == 15:
            n, p = varint(b, p)
        items = []
        for _ in range(n):
            if et in (1, 2):
                items.append((b[p] == 1, p, p + 1))
                p += 1
            else:
                v, vs, p = value(b, p, et)
                items.append((v, vs, p))
        return items, s, p
    if t == 12:
        fields, last = {}, 0
        while True:
            h = b[p]
            p += 1
            if h == 0:
                return fields, s, p
            d, ft = h >> 4, h & 15
            if d:
                fid = last + d
            else:
                z, p = varint(b, p)
                fid = (z >> 1) ^ -(z & 1)
            last = fid
            v, vs, p = value(b, p, ft)
            fields[fid] = (v, vs, p)
    raise ValueError("type %d" % t)


def find(tree, path):
    node = (tree, None, None)
    for k in path.split("."):
        node = node[0][int(k)]
    return node


def set_int(b, start, end, n):
    z = (n << 1) ^ (n >> 63)
    out = []
    for i in range(end - start):
        c = z & 0x7F
        z >>= 7
        out.append(c | (0x80 if i < end - start - 1 else 0))
    if z:
        sys.exit("pqpatch: %d does not fit in %d bytes" % (n, end - start))
    b[start:end] = bytes(out)


def main():
    cmd, f = sys.argv[1], sys.argv[2]
    b = bytearray(open(f, "rb").read())
    flen = struct.unpack("<I", b[-8:-4])[0]
    if cmd == "footer-len":
        b[-8:-4] = struct.pack("<I", int(sys.argv[3]))
    elif cmd == "footer":
        fmd, _, _ = value(b, len(b) - 8 - flen, 12)
        _, s, e = find(fmd, sys.argv[3])
        set_int(b, s, e, int(sys.argv[4]))
    elif cmd == "page":
        p = 4
        for _ in range(int(sys.argv[5]) if len(sys.argv) > 5 else 0):
            ph, _, p = value(b, p, 12)
            p += ph[3][0]
        ph, _, _ = value(b, p, 12)
        _, s, e = find(ph, sys.argv[3])
        set_int(b, s, e, int(sys.argv[4]))
    elif cmd == "flip-page":
        ph, _, end = value(b, 4, 12)
        size = ph[3][0]
        b[end + size // 2] ^= 0x5A
    else:
        sys.exit("pqpatch: unknown command " + cmd)
    open(f, "wb").write(b)


main()
