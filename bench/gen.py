#!/usr/bin/python3
"""gen.py - the benchmark corpora, reproducibly (fixed seed).

  gen.py gigaword XML N OUT   the <Text> of a PETRARCH sample file as JSON
                              lines, repeated until N sentences
  gen.py varied DIR N OUT     N sentences of stories made from our own sample
                              and test stories, with country names, numbers,
                              weekdays and story dates varied, so that no
                              cache sees the same sentence twice in a row
"""
import json
import random
import re
import sys


def sentences(text):
    return max(1, len(re.findall(r"[.!?](\s|$)", text)))


def gigaword(xml, n, out):
    src = open(xml, encoding="utf-8").read()
    texts = [re.sub(r"\s+", " ", t).strip()
             for t in re.findall(r"<Text>(.*?)</Text>", src, re.S)]
    texts = [t for t in texts if t]
    count = i = 0
    with open(out, "w", encoding="utf-8") as f:
        while count < n:
            t = texts[i % len(texts)]
            f.write(json.dumps({"id": "gw-%d" % i, "date": "2008-08-%02d" % (1 + i % 28),
                                "text": t}) + "\n")
            count += sentences(t)
            i += 1


def varied(root, n, out):
    rng = random.Random(20261123)
    stories = []
    for name in ("data/demo/stories.jsonl", "tests/stories/world-2020-2026.jsonl"):
        for line in open("%s/%s" % (root, name), encoding="utf-8"):
            if line.strip():
                stories.append(json.loads(line)["text"])
    names = []
    for line in open("%s/data/actors/countries.txt" % root, encoding="utf-8"):
        m = re.match(r"name:\s*(.+)", line)
        if m:
            names.append(m.group(1).strip())
    pat = re.compile(r"\b(%s)\b" % "|".join(re.escape(x) for x in sorted(names, key=len, reverse=True)))
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    dayp = re.compile(r"\b(%s)\b" % "|".join(days))
    count = i = 0
    with open(out, "w", encoding="utf-8") as f:
        while count < n:
            t = rng.choice(stories)
            t = pat.sub(lambda m: rng.choice(names), t)
            t = dayp.sub(lambda m: rng.choice(days), t)
            t = re.sub(r"\b\d+\b", lambda m: str(rng.randint(2, 5000)), t)
            date = "%04d-%02d-%02d" % (rng.randint(2018, 2026), rng.randint(1, 12), rng.randint(1, 28))
            f.write(json.dumps({"id": "v-%d" % i, "date": date, "text": t}) + "\n")
            count += sentences(t)
            i += 1


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] not in ("gigaword", "varied"):
        sys.exit(__doc__)
    (gigaword if sys.argv[1] == "gigaword" else varied)(sys.argv[2], int(sys.argv[3]), sys.argv[4])
