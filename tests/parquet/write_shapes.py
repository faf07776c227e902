#!/usr/bin/python3
# tests/parquet/write_shapes.py DIR — the JSON Lines shapes the Parquet
# writing tests put through smelt-cat -o X.parquet, one file per shape
# (deterministic). Each is what tests/README.md lists under "Writing
# Parquet".
import json, os, random, sys

out = sys.argv[1]
rng = random.Random(16)


def write(name, rows):
    with open(os.path.join(out, name + '.jsonl'), 'w', encoding='utf-8') as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False, separators=(',', ':')) + '\n')


def word(n=8):
    return ''.join(rng.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(n))


# flat scalars of every kind, nulls among them
write('flat', [{'id': 'r%d' % i, 'n': i * 7 - 300, 'x': i / 8 + 0.1, 's': word(), 'b': i % 3 == 0,
                'maybe': None if i % 4 else word(3), 'neg': -2 ** 62 + i}
               for i in range(300)])

# structs three deep, some null at each level
def deep(i):
    if i % 7 == 0:
        return None
    inner = None if i % 5 == 0 else {'leaf': i, 'name': word(4), 'none': None}
    return {'mid': {'inner': inner, 'flag': i % 2 == 1}, 'top': word(2)}
write('nested_structs', [{'id': 'r%d' % i, 'deep': deep(i)} for i in range(200)])

# lists of structs, structs of lists, lists of lists, empty lists, null elements
def lists(i):
    return {
        'id': 'r%d' % i,
        'turns': [{'from': 'human' if k % 2 == 0 else 'gpt', 'value': word(5), 'score': None if k == 1 else k}
                  for k in range(i % 4)],
        'meta': {'tags': [word(3) for _ in range(i % 3)], 'scores': [i / 2, None, 3.25] if i % 2 else []},
        'matrix': [[k * j for j in range(k % 3)] for k in range(i % 4)],
        'sparse': None if i % 3 == 0 else [None, i, None] if i % 3 == 1 else [],
        'empty_always': [],
        'null_lists': [[], None, [None]] if i % 2 else None,
    }
write('lists', [lists(i) for i in range(240)])

# unicode: CJK, emoji (astral), combining marks, escapes, RTL
texts = ['中文字符 测试', '日本語のテキスト', 'emoji 😀🎉👩‍👩‍👧', 'é vs é (combining)', 'tab\tnew\nline "quote" \\ back',
         'עברית', 'Ελληνικά', '']
write('unicode', [{'id': 'u%d' % i, 'text': texts[i % len(texts)], 'key': {'名前': texts[(i + 3) % len(texts)]}}
                  for i in range(64)])

# big strings: beyond a page, beyond the 64-byte statistics cut
write('big_strings', [{'id': 'b%d' % i, 'blob': (word(16) * (1 + i * 40000))[:3 << 20], 'small': word(2)}
                      for i in range(6)])

# dictionary: low cardinality (pays), then a column whose distinct values
# outgrow the dictionary limit mid-chunk (PLAIN after), then unique values
write('dictionary', [{'id': 'd%d' % i, 'lang': ['en', 'zh', 'fr'][i % 3],
                      'grows': ['a', 'b'][i % 2] if i < 10000 else 'v%07d-%s' % (i, word(12)),
                      'unique': 'u%07d' % i, 'small_int': i % 5, 'real': [0.5, 1.5][i % 2]}
                     for i in range(30000)])

# shapes that disagree: documented widening
write('widening', [
    {'id': 'w0', 'num': 1, 'mixed': 'text', 'obj_or_str': {'a': 1}, 'big': 1.5, 'empty_obj': {}},
    {'id': 'w1', 'num': 2.5, 'mixed': 3, 'obj_or_str': 'plain', 'big': 9007199254740993, 'empty_obj': {}},
    {'id': 'w2', 'num': None, 'mixed': [1, {'x': None}], 'obj_or_str': None, 'big': None},
    {'id': 'w3', 'num': -7, 'mixed': {'k': [True, None]}, 'extra': 'only here'},
])

# a map keyed by ids: more distinct keys than PQW_MAX_KEYS -> one JSON column
write('wide_map', [{'id': 'm%d' % i, 'scores': {'k%05d' % (i * 50 + j): j for j in range(50)}}
                   for i in range(30)])

# many rows for many row groups (the tests set a small row-group size)
write('many_rows', [{'id': 'm%d' % i, 'v': i, 'tags': [word(2)] * (i % 3), 'o': {'p': i % 2 == 0}}
                    for i in range(5000)])
