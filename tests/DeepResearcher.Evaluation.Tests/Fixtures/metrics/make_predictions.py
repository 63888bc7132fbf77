#!/usr/bin/env python3
"""Builds the fixed prediction file of the metric fixture (run once; the output is committed).

Takes 300 questions of data/deepresearcher_dev.jsonl (every yes/no one, the rest drawn with a fixed seed) and writes
data.jsonl (those questions) and predictions.jsonl: a mix of exact, partial, wrong and empty answers, answers with
ASCII and Unicode punctuation, articles, yes/no, numbers, and the characters where Python's string handling differs
from a naive port (İ, Σ, combining marks, U+001F). Python 3 standard library only.

    python3 make_predictions.py ../../../../data/deepresearcher_dev.jsonl
"""
import json
import random
import sys

rng = random.Random(14)
rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
yes_no = [r for r in rows if any(a.strip().lower() in ("yes", "no") for a in r["answers"])]
rest = [r for r in rows if r not in yes_no]
chosen = yes_no + rng.sample(rest, 300 - len(yes_no))
rng.shuffle(chosen)

def short_gold(row):
    return min(row["answers"], key=len)

def variant(i, row):
    gold = short_gold(row)
    words = gold.split()
    kind = i % 16
    if kind == 0:
        return gold
    if kind == 1:
        return gold.upper() + "."
    if kind == 2:
        return words[0] if len(words) > 1 else gold + " " + gold
    if kind == 3:
        return "It was " + gold + ", I think"
    if kind == 4:
        return '"' + gold + '"!'
    if kind == 5:
        return "\u201c" + gold + "\u201d"
    if kind == 6:
        return "\u2013".join(words) if len(words) > 1 else gold + "\u2026"
    if kind == 7:
        return "The " + gold
    if kind == 8:
        return "a " + gold + " an"
    if kind == 9:
        return rng.choice(["yes", "no", "Yes.", "no, it is not", "yes yes", "noanswer"])
    if kind == 10:
        return rng.choice(["1,000", "1914", "in 1066 AD", "3.5", "42"])
    if kind == 11:
        return ""
    if kind == 12:
        return short_gold(rng.choice(rows))
    if kind == 13:
        return rng.choice(["\u0130stanbul " + gold, "\u039f\u0394\u039f\u03a3 " + gold, "the\u0301 " + gold, gold.replace(" ", "\u001f"), gold + " \u00ab\u00bb"])
    if kind == 14:
        return gold.replace(" ", "-") + " (" + rng.choice(["the", "a", "an"]) + ")"
    return "  " + gold.lower() + "\t\n"

with open("data.jsonl", "w", encoding="utf-8", newline="\n") as data, open("predictions.jsonl", "w", encoding="utf-8", newline="\n") as predictions:
    for i, row in enumerate(chosen):
        data.write(json.dumps({"id": row["id"], "source": row["source"], "question": row["question"], "answers": row["answers"]}, ensure_ascii=False) + "\n")
        predictions.write(json.dumps({"id": row["id"], "prediction": variant(i, row)}, ensure_ascii=False) + "\n")
