#!/usr/bin/env python3
"""An independent implementation of the published metric definitions, to check the C# QaMetrics against.

- EM and F1: the SQuAD v1.1 official evaluation script's definitions (evaluate-v1.1.py): normalize_answer = lower,
  remove string.punctuation, replace \\b(a|an|the)\\b with a space, ' '.join(split()); EM = the normalised strings are
  equal; F1 = over token multisets (Counter intersection), 0 when nothing is shared; the max over gold answers.
- set-F1: the original DeepResearcher reward's F1 (verl/utils/reward_score/format_and_f1.py, spec section 5): lower,
  every string.punctuation character becomes a space, re.sub(r'\\s+', ' ').strip(); F1 over token SETS, skipping an
  empty prediction or gold; the max over gold answers.

Written from those definitions with the Python 3 standard library only. Writes expected.json (per-row and overall).

    python3 reference_scores.py data.jsonl predictions.jsonl > expected.json
"""
import json
import re
import string
import sys
from collections import Counter


def squad_normalize(s):
    s = s.lower()
    s = "".join(ch for ch in s if ch not in set(string.punctuation))
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def squad_exact_match(prediction, gold):
    return float(squad_normalize(prediction) == squad_normalize(gold))


def squad_f1(prediction, gold):
    p = squad_normalize(prediction).split()
    g = squad_normalize(gold).split()
    shared = sum((Counter(p) & Counter(g)).values())
    if shared == 0:
        return 0.0
    precision = 1.0 * shared / len(p)
    recall = 1.0 * shared / len(g)
    return (2 * precision * recall) / (precision + recall)


def original_normalize(s):
    s = s.lower()
    for punct in string.punctuation:
        s = s.replace(punct, " ")
    return re.sub(r"\s+", " ", s).strip()


def original_set_f1(prediction, golds):
    p = set(original_normalize(prediction).split())
    best = 0.0
    for gold in golds:
        g = set(original_normalize(gold).split())
        if not g or not p:
            continue
        shared = p & g
        precision = len(shared) / len(p)
        recall = len(shared) / len(g)
        if precision + recall > 0:
            best = max(best, 2 * (precision * recall) / (precision + recall))
    return best


def main():
    data = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
    predictions = {}
    for line in open(sys.argv[2], encoding="utf-8"):
        if line.strip():
            row = json.loads(line)
            predictions[row["id"]] = row["prediction"]
    rows = []
    for example in data:
        prediction = predictions[example["id"]]
        golds = example["answers"]
        rows.append({
            "id": example["id"],
            "em": max(squad_exact_match(prediction, g) for g in golds),
            "f1": max(squad_f1(prediction, g) for g in golds),
            "set_f1": original_set_f1(prediction, golds),
        })
    n = len(rows)
    overall = {key: sum(r[key] for r in rows) / n for key in ("em", "f1", "set_f1")}
    overall["count"] = n
    json.dump({"generator": "reference_scores.py (Python %d.%d)" % sys.version_info[:2], "overall": overall, "rows": rows},
              sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
