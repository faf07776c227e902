#!/usr/bin/python3
# tests/parquet/write_compare.py EXPECT GOT — compare JSON Lines record by
# record after the normalisation the Parquet writing tests document
# (README "Writing Parquet"):
#   - a key whose value is null and a missing key are the same (Parquet
#     fields are optional: both read back as null);
#   - numbers compare by value (a DOUBLE column gives 2.0 for 2);
#   - key order does not matter (readers give the schema's order).
# Booleans stay apart from numbers. With --json-strings, a reader that
# gives JSON-typed columns as their text (pyarrow) is met halfway: a string
# where the input has another value, or a different string, is compared
# as the JSON it holds. Exits 1 naming the first difference.
import json, sys

json_strings = len(sys.argv) > 1 and sys.argv[1] == '--json-strings'
if json_strings:
    del sys.argv[1]


def norm(v):
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, bool):
        return ('bool', v)
    if isinstance(v, (int, float)):
        return ('num', float(v) if abs(v) < 2 ** 53 else v)
    return v


def load(path):
    with open(path, encoding='utf-8') as f:
        return [json.loads(line) for line in f if line.strip()]


def unjson(want, got):
    """`got` with the JSON text pyarrow gives for JSON columns parsed where `want` says so."""
    if isinstance(got, str) and (not isinstance(want, str) or want != got):
        try:
            return json.loads(got)
        except ValueError:
            return got
    if isinstance(want, dict) and isinstance(got, dict):
        return {k: unjson(want.get(k), v) for k, v in got.items()}
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        return [unjson(w, g) for w, g in zip(want, got)]
    return got


a, b = load(sys.argv[1]), load(sys.argv[2])
if json_strings:
    b = [unjson(x, y) for x, y in zip(a, b)]
if len(a) != len(b):
    sys.exit('%s has %d records, %s has %d' % (sys.argv[1], len(a), sys.argv[2], len(b)))
for i, (x, y) in enumerate(zip(a, b)):
    if norm(x) != norm(y):
        sys.exit('record %d differs:\n  %s\n  %s' % (i + 1, json.dumps(x, ensure_ascii=False)[:400],
                                                     json.dumps(y, ensure_ascii=False)[:400]))
print('%d records equal' % len(a))
