#!/usr/bin/env python3
"""make_corpus.py OUTDIR — write the rmfilter example's fixture corpus.

Three sources in the formats curators receive them:

  corpus/llava_vqa.json       LLaVA: one JSON array, "image" + <image> in the first turn
  corpus/sharegpt_chat.jsonl  ShareGPT: long explanatory answers
  corpus/sharegpt_short.jsonl ShareGPT: short factual answers

and, separately, answer-key.tsv listing the records given a defect on
purpose (empty answer, unrelated answer, answer cut off mid-word, or <image>
placeholders that do not match the images). The corpus itself carries no
mark of which records are defective. Deterministic: the files in the repo
are this script's output (python3 make_corpus.py .).
"""
import json
import os
import random
import sys

rng = random.Random(20250112)

# ---- llava_vqa: questions about simple synthetic pictures -----------------

COLOURS = ["red", "green", "blue", "yellow", "purple", "orange"]
SHAPES = ["square", "circle", "triangle", "diamond"]


def vqa_pair(pic):
    shape, colour, count, bg = pic["shape"], pic["colour"], pic["count"], pic["background"]
    kind = rng.randrange(4)
    if kind == 0:
        return ("What colour is the %s shown in this image?" % shape,
                "The %s shown in this image is %s." % (shape, colour))
    if kind == 1:
        return ("How many %ss can you count in the image?" % shape,
                "I can count %d %s%s in the image." % (count, shape, "" if count == 1 else "s"))
    if kind == 2:
        return ("Is the background of this image light or dark?",
                "The background of this image is %s, behind the %s %s." % (bg, colour, shape))
    return ("Which shape appears in the centre of the picture?",
            "A %s %s appears in the centre of the picture." % (colour, shape))


UNRELATED = [
    "Mortgage rates rose again this quarter as lenders tightened credit for buyers.",
    "The football club announced a new coach after a disappointing season.",
    "Bake the bread at a high temperature until the crust turns golden.",
    "Train timetables change in December when the winter schedule starts.",
    "Stock markets closed higher on Friday after strong earnings from banks.",
    "Remember to water tomato seedlings every morning during hot weather.",
]

# ---- sharegpt_chat: long answers --------------------------------------------

TOPICS = [
    ("How does photosynthesis turn sunlight into chemical energy inside plants?",
     ["Photosynthesis happens in the chloroplasts of leaves, where chlorophyll absorbs sunlight.",
      "The light reactions split water molecules, release oxygen and store energy in ATP and NADPH.",
      "The Calvin cycle then uses that stored energy to fix carbon dioxide into sugars the plant can burn or store.",
      "So sunlight becomes chemical energy held in the bonds of glucose."]),
    ("Why does the moon show different phases during a month?",
     ["The moon shines only by reflecting sunlight, and half of it is always lit.",
      "As the moon orbits the earth, we see different portions of that lit half from our position.",
      "At new moon the lit side faces away from us, at full moon it faces us completely.",
      "The phases repeat roughly every twenty nine and a half days, one full orbit relative to the sun."]),
    ("How do vaccines train the immune system to fight infections?",
     ["Vaccines show the immune system a harmless piece or weakened form of a pathogen.",
      "White blood cells learn to recognise its shapes and produce matching antibodies.",
      "Memory cells remain afterwards, so a later real infection meets a fast and strong response.",
      "That prepared response usually stops the infection before it causes serious illness."]),
    ("What makes earthquakes happen along tectonic plate boundaries?",
     ["The crust of the earth is broken into tectonic plates that slowly move on the mantle.",
      "Where plates meet, friction locks their edges while stress keeps building up along the boundary.",
      "When the stress exceeds the strength of the rock, the fault slips suddenly and releases energy as seismic waves.",
      "Those waves shaking the ground are what we feel as earthquakes."]),
    ("How does a refrigerator keep food cold using a refrigerant?",
     ["A refrigerator moves heat from inside the cabinet to the room using a circulating refrigerant.",
      "The refrigerant evaporates in coils inside, absorbing heat and keeping food cold.",
      "A compressor then squeezes the vapour, raising its temperature, and the coils at the back release that heat.",
      "The cooled liquid expands through a valve and the cycle starts again."]),
    ("Why do rivers form meanders as they cross flat floodplains?",
     ["On flat floodplains a river flows slowly, and small bends grow over time.",
      "Water moves faster on the outside of each bend, eroding the bank there.",
      "On the inside of the bend slower water drops sediment and builds a point bar.",
      "Erosion outside and deposition inside make the meanders swing wider across the floodplain."]),
    ("How do bees communicate the location of flowers to their hive?",
     ["Forager bees that find good flowers return to the hive and perform a waggle dance.",
      "The angle of the waggle run relative to vertical shows the direction of the flowers relative to the sun.",
      "The duration of the waggle tells other bees how far away the flowers are.",
      "Nestmates follow the dance, smell the nectar the forager carries and fly out to the location."]),
    ("What causes the seasons to change during the year on earth?",
     ["Seasons come from the tilt of the earth's axis, about twenty three degrees, not from its distance to the sun.",
      "As the earth orbits, each hemisphere leans toward the sun for part of the year.",
      "Leaning toward the sun brings higher sunlight and longer days, which makes summer.",
      "Leaning away gives low sunlight and short days, so the seasons change in turn."]),
    ("How does a compiler translate source code into machine instructions?",
     ["A compiler first reads the source code and breaks it into tokens.",
      "A parser builds a syntax tree, and semantic analysis checks types and names.",
      "The compiler then lowers the tree to an intermediate form and optimises it.",
      "Finally code generation chooses machine instructions and registers for the target processor."]),
    ("Why does bread dough rise when yeast is added?",
     ["Yeast is a living fungus that feeds on the sugars in bread dough.",
      "As it ferments, yeast releases carbon dioxide gas and a little alcohol.",
      "The gluten network in kneaded dough traps the gas in many small bubbles.",
      "Those bubbles expand, so the dough rises, and baking sets the structure."]),
    ("How do noise cancelling headphones reduce background sound?",
     ["Noise cancelling headphones use small microphones to pick up background sound around the ear.",
      "A chip computes a signal that is the inverse of that sound wave.",
      "The speakers play this inverse signal together with the music.",
      "The two waves interfere destructively, which reduces steady background noise such as engine hum."]),
    ("Why do glaciers move slowly down mountain valleys?",
     ["Glaciers form where snow piles up for years and compacts into dense ice.",
      "Under its own great weight the ice deforms and flows like a very thick fluid.",
      "Meltwater at the base also lets the glacier slide over the bedrock of the valley.",
      "Together these processes move glaciers slowly downhill, often a few metres per day."]),
]

AUDIENCES = ["a curious teenager", "a busy engineer", "a primary teacher", "a retired nurse",
             "a museum visitor", "a first year student", "a science journalist", "a farmer",
             "a software tester", "a keen gardener"]

# ---- sharegpt_short: one-line facts -----------------------------------------

CAPITALS = [
    ("France", "Paris"), ("Japan", "Tokyo"), ("Kenya", "Nairobi"), ("Canada", "Ottawa"),
    ("Brazil", "Brasilia"), ("Norway", "Oslo"), ("Egypt", "Cairo"), ("Peru", "Lima"),
    ("Spain", "Madrid"), ("Ghana", "Accra"), ("Chile", "Santiago"), ("Poland", "Warsaw"),
    ("Vietnam", "Hanoi"), ("Morocco", "Rabat"), ("Austria", "Vienna"), ("Ireland", "Dublin"),
    ("Mexico", "Mexico City"), ("Sweden", "Stockholm"), ("Nepal", "Kathmandu"), ("Italy", "Rome"),
    ("Greece", "Athens"), ("Portugal", "Lisbon"), ("Finland", "Helsinki"), ("Turkey", "Ankara"),
    ("Argentina", "Buenos Aires"), ("Thailand", "Bangkok"), ("Hungary", "Budapest"),
    ("Denmark", "Copenhagen"), ("Iceland", "Reykjavik"), ("Australia", "Canberra"),
    ("Colombia", "Bogota"), ("Ethiopia", "Addis Ababa"), ("Mongolia", "Ulaanbaatar"),
    ("Cuba", "Havana"), ("Senegal", "Dakar"), ("Belgium", "Brussels"), ("Jordan", "Amman"),
    ("Uganda", "Kampala"), ("Latvia", "Riga"), ("Malaysia", "Kuala Lumpur"),
]


def short_pair(country, capital, kind):
    if kind == 0:
        return ("What is the capital city of %s?" % country,
                "The capital city of %s is %s." % (country, capital))
    if kind == 1:
        return ("Which city serves as the capital of %s?" % country,
                "%s serves as the capital of %s." % (capital, country))
    return ("Name the capital of %s, please." % country, "The capital of %s is %s." % (country, capital))


# ---- defects ------------------------------------------------------------------


def truncate(answer, keep_words):
    """Cut mid-word after about keep_words words, so the text ends in a letter."""
    words = answer.split()
    keep = min(keep_words, len(words) - 1)
    cut = " ".join(words[:keep]) + " " + words[keep][:max(2, len(words[keep]) // 2)]
    return cut.rstrip(".,;")


def plan(n, counts):
    """Assign defect kinds to distinct random positions."""
    pos = rng.sample(range(n), sum(counts.values()))
    out, i = {}, 0
    for kind, k in counts.items():
        for p in pos[i:i + k]:
            out[p] = kind
        i += k
    return out


def main(outdir):
    os.makedirs(os.path.join(outdir, "corpus"), exist_ok=True)
    key = []

    # llava_vqa
    n = 120
    defects = plan(n, {"empty": 3, "unrelated": 4, "truncated": 4, "image_mismatch": 3})
    records = []
    for i in range(n):
        pic = {"shape": rng.choice(SHAPES), "colour": rng.choice(COLOURS),
               "count": rng.randint(1, 4), "background": rng.choice(["light", "dark"])}
        q, a = vqa_pair(pic)
        rid = "vqa-%03d" % i
        image = "vqa_%03d_%s_%s_%d_%s.png" % (i, pic["colour"], pic["shape"], pic["count"], pic["background"])
        conv = [{"from": "human", "value": "<image>\n" + q}, {"from": "gpt", "value": a}]
        d = defects.get(i)
        if d == "empty":
            conv[1]["value"] = ""
        elif d == "unrelated":
            conv[1]["value"] = rng.choice(UNRELATED)
        elif d == "truncated":
            conv[1]["value"] = truncate(a, 5)
        elif d == "image_mismatch":
            conv += [{"from": "human", "value": "<image>\nAnd in this second image?"},
                     {"from": "gpt", "value": "The second image shows the same %s." % pic["shape"]}]
        if d:
            key.append((rid, "llava_vqa", d))
        records.append({"id": rid, "source": "llava_vqa", "image": image, "conversations": conv})
    with open(os.path.join(outdir, "corpus", "llava_vqa.json"), "w") as f:
        json.dump(records, f, indent=1, ensure_ascii=False)
        f.write("\n")

    # sharegpt_chat
    n = 120
    defects = plan(n, {"empty": 3, "unrelated": 5, "truncated": 5})
    combos = [(t, a) for t in range(len(TOPICS)) for a in range(len(AUDIENCES))]
    rng.shuffle(combos)
    with open(os.path.join(outdir, "corpus", "sharegpt_chat.jsonl"), "w") as f:
        for i, (t, aud) in enumerate(combos[:n]):
            q, facts = TOPICS[t]
            question = "%s Please explain it for %s." % (q, AUDIENCES[aud])
            answer = " ".join(facts) + " I hope this helps."
            rid = "chat-%03d" % i
            d = defects.get(i)
            if d == "empty":
                answer = ""
            elif d == "unrelated":
                other = TOPICS[(t + 1 + rng.randrange(len(TOPICS) - 1)) % len(TOPICS)][1]
                answer = " ".join(other) + " I hope this helps."
            elif d == "truncated":
                answer = truncate(answer, 48)
            if d:
                key.append((rid, "sharegpt_chat", d))
            rec = {"id": rid, "source": "sharegpt_chat",
                   "conversations": [{"from": "human", "value": question}, {"from": "gpt", "value": answer}]}
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")

    # sharegpt_short
    n = 120
    defects = plan(n, {"empty": 3, "unrelated": 4, "truncated": 3})
    pairs = [(c, k) for c in range(len(CAPITALS)) for k in range(3)]
    rng.shuffle(pairs)
    with open(os.path.join(outdir, "corpus", "sharegpt_short.jsonl"), "w") as f:
        for i, (c, k) in enumerate(pairs[:n]):
            q, a = short_pair(CAPITALS[c][0], CAPITALS[c][1], k)
            rid = "short-%03d" % i
            d = defects.get(i)
            if d == "empty":
                a = ""
            elif d == "unrelated":
                a = rng.choice(UNRELATED)
            elif d == "truncated":
                a = truncate(a, 4)
            if d:
                key.append((rid, "sharegpt_short", d))
            rec = {"id": rid, "source": "sharegpt_short",
                   "conversations": [{"from": "human", "value": q}, {"from": "gpt", "value": a}]}
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")

    with open(os.path.join(outdir, "answer-key.tsv"), "w") as f:
        f.write("id\tsource\tdefect\n")
        for row in sorted(key):
            f.write("\t".join(row) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
