#!/usr/bin/python3
"""gen_neardup.py — a corpus with planted near-duplicates, for smelt-minhash.

    gen_neardup.py --families N [--seed S] [--shards K] OUT_PREFIX

writes OUT_PREFIX.jsonl (every record, in order), OUT_PREFIX.K.jsonl when
--shards K (the same records cut in K consecutive pieces) and
OUT_PREFIX.truth.jsonl: one {"a","b","jaccard","how"} per pair worth
checking — every pair inside a family and a sample of random pairs.

A family is an original and 1-4 variants made from it: words replaced,
numbers changed, sentences reordered, or (for CJK originals) characters
replaced. Some variants are far (hard negatives), most are near. Originals
come first and variants later, shuffled, so keeping the first record of a
cluster keeps the original. Jaccard is computed here, independently of
smelt, on the shingles smelt is documented to use: the text of `messages`
("user" and the content, lower-cased), word 5-grams, or for text that is
mostly CJK, 5-grams of non-space characters. Standard library only.
"""
import argparse
import itertools
import json
import random

NGRAM = 5


def make_vocab(rng, n):
    syll = ["ka", "to", "ri", "me", "so", "lu", "na", "pe", "di", "vo", "shi", "gra",
            "ten", "mor", "bel", "qui", "zan", "fle", "dro", "wix"]
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(syll) for _ in range(rng.randint(1, 3))))
    return sorted(words)


def english(rng, vocab):
    sents = []
    for _ in range(rng.randint(4, 7)):
        words = [rng.choice(vocab) for _ in range(rng.randint(7, 14))]
        if rng.random() < 0.6:
            words.insert(rng.randrange(len(words)), str(rng.randint(2, 9999)))
        sents.append(" ".join(words) + ".")
    return sents


def cjk(rng):
    sents = []
    for _ in range(rng.randint(4, 6)):
        sents.append("".join(chr(rng.randint(0x4E00, 0x4FFF)) for _ in range(rng.randint(12, 20))) + "。")
    return sents


def tokens(text):
    full = ("user " + text).lower()
    chars = [c for c in full if not c.isspace()]
    han = sum(1 for c in chars if 0x4E00 <= ord(c) <= 0x9FFF)
    if chars and han * 10 >= len(chars) * 3:
        return chars, ""
    return full.split(), " "


def shingles(text):
    toks, sep = tokens(text)
    if len(toks) < NGRAM:
        return {sep.join(toks)}
    return {sep.join(toks[i:i + NGRAM]) for i in range(len(toks) - NGRAM + 1)}


def jaccard(a, b):
    return len(a & b) / len(a | b) if a or b else 1.0


def edit_words(rng, sents, vocab, k):
    words = " ".join(sents).split()
    for _ in range(k):
        i = rng.randrange(len(words))
        words[i] = rng.choice(vocab)
    return " ".join(words)


def swap_numbers(rng, sents):
    out = []
    for s in sents:
        out.append(" ".join(str(rng.randint(2, 9999)) if w.isdigit() else w for w in s.split()))
    return " ".join(out)


def reorder(rng, sents):
    s = list(sents)
    i, j = rng.sample(range(len(s)), 2)
    s[i], s[j] = s[j], s[i]
    return " ".join(s)


def edit_chars(rng, sents, k):
    text = list("".join(sents))
    for _ in range(k):
        i = rng.randrange(len(text))
        text[i] = chr(rng.randint(0x4E00, 0x4FFF))
    return "".join(text)


def variant(rng, sents, vocab, is_cjk):
    if is_cjk:
        k = rng.choice([1, 1, 2, 3, 6, 10])
        return edit_chars(rng, sents, k), "cjk_chars_%d" % k
    how = rng.choice(["words", "words", "numbers", "reorder", "far"])
    if how == "words":
        k = rng.choice([1, 1, 2, 3])
        return edit_words(rng, sents, vocab, k), "words_%d" % k
    if how == "numbers":
        return swap_numbers(rng, sents), "numbers"
    if how == "reorder":
        return reorder(rng, sents), "reorder"
    k = rng.choice([6, 10, 16])
    return edit_words(rng, sents, vocab, k), "far_words_%d" % k


def record(rid, text, source):
    return {"id": rid, "source": source, "messages": [{"role": "user", "content": text}]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--families", type=int, default=1500)
    ap.add_argument("--singles", type=int, default=1500)
    ap.add_argument("--random-pairs", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--shards", type=int, default=0)
    ap.add_argument("prefix")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    vocab = make_vocab(rng, 3000)
    originals, variants, texts, family = [], [], {}, {}
    for f in range(a.families + a.singles):
        is_cjk = rng.random() < 0.2
        sents = cjk(rng) if is_cjk else english(rng, vocab)
        rid = "f%d" % f
        src = "cjk" if is_cjk else ("planted" if f < a.families else "singles")
        originals.append(record(rid, " ".join(sents) if not is_cjk else "".join(sents), src))
        texts[rid] = originals[-1]["messages"][0]["content"]
        family[rid] = [rid]
        if f >= a.families:
            continue
        for v in range(rng.randint(1, 4)):
            text, how = variant(rng, sents, vocab, is_cjk)
            vid = "f%d-v%d-%s" % (f, v, how)
            variants.append(record(vid, text, src))
            texts[vid] = text
            family[rid].append(vid)
    rng.shuffle(variants)
    records = originals + variants
    with open(a.prefix + ".jsonl", "w") as out:
        for r in records:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    if a.shards:
        per = (len(records) + a.shards - 1) // a.shards
        for k in range(a.shards):
            with open("%s.%d.jsonl" % (a.prefix, k), "w") as out:
                for r in records[k * per:(k + 1) * per]:
                    out.write(json.dumps(r, ensure_ascii=False) + "\n")
    sh = {rid: shingles(t) for rid, t in texts.items()}
    ids = list(texts)
    with open(a.prefix + ".truth.jsonl", "w") as out:
        for members in family.values():
            for x, y in itertools.combinations(members, 2):
                out.write(json.dumps({"a": x, "b": y, "jaccard": jaccard(sh[x], sh[y]),
                                      "how": "planted"}) + "\n")
        for _ in range(a.random_pairs):
            x, y = rng.sample(ids, 2)
            out.write(json.dumps({"a": x, "b": y, "jaccard": jaccard(sh[x], sh[y]),
                                  "how": "random"}) + "\n")


if __name__ == "__main__":
    main()
