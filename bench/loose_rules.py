"""Which loose-key rules pay: how many distinct printed words each rule merges, with examples.

    .venv/bin/python bench/loose_rules.py DIR [DIR ...]

Reads the ground truth (``*.gt.txt``) of the given folders. For each rule of
``text.loose_key`` on its own, it counts the distinct Devanagari words that
the rule folds onto another printed word (a merge), and shows some, so that a
person can judge whether they are spellings of one word (the rule pays) or
different words (it costs precision). The anchor is the number of distinct
words; merges are printed as a share of it.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import regex

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scanpipe.text import is_devanagari, normalise_for_search, tokenise

NASAL = regex.compile(r"[ङञणनम]्(?=[क-ह])")
RULES = {
    "nasal+virama -> anusvara": lambda w: NASAL.sub("ं", w),
    "ी -> ि, ई -> इ": lambda w: w.replace("ी", "ि").replace("ई", "इ"),
    "ू -> ु, ऊ -> उ": lambda w: w.replace("ू", "ु").replace("ऊ", "उ"),
    "ॉ -> ा, ऑ -> आ": lambda w: w.replace("ॉ", "ा").replace("ऑ", "आ"),
    "visarga dropped": lambda w: w.replace("ः", ""),
    "(not used) ै -> े": lambda w: w.replace("ै", "े"),
    "(not used) anusvara dropped": lambda w: w.replace("ं", ""),
}


def main() -> None:
    words: set[str] = set()
    for d in sys.argv[1:]:
        for gt in Path(d).rglob("*.gt.txt"):
            words |= {t for t in tokenise(normalise_for_search(gt.read_text("utf-8")))
                      if is_devanagari(t)}  # fmt: skip
    print(f"{len(words)} distinct Devanagari words")
    for name, rule in RULES.items():
        classes: dict[str, set[str]] = defaultdict(set)
        for w in words:
            classes[rule(w)].add(w)
        merged = [sorted(c) for c in classes.values() if len(c) > 1]
        n = sum(len(c) for c in merged)
        print(f"{name:32} {n:5} words merged ({n / len(words):.2%})  e.g. {merged[:6]}")


if __name__ == "__main__":
    main()
