"""Learn the OCR's own letter confusions by aligning its output with ground truth.

    .venv/bin/python bench/confusions.py OCR_DIR:GT_DIR [...] [--out PATH.tsv]

OCR_DIR holds NAME.txt (what scanpipe read; bench/accuracy.py and bench/stress.py write
them under bench/out/*/scanpipe), GT_DIR the NAME.gt.txt beside the page images. Words
are paired by aligning the two texts, and each pair of different words of similar
length is aligned letter by letter after ``loose_key`` (so the folds search already
makes are not counted). The commonest substitutions, insertions and deletions become
cheap edits for fuzzy search (registry/expansion.py). Learn on tuning seeds only, so
that findability on the report seeds measures something.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scanpipe.registry.expansion import stretches
from scanpipe.text import loose_key, normalise_for_search, tokenise

# Classic Latin OCR confusions, known from the literature rather than learned: English
# pages are few in the tuning sets, so these would fall under MIN_COUNT. Written with
# the count 0 so that they read as priors in the table.
PRIORS = [
    ("m", "rn"),
    ("rn", "m"),
    ("d", "cl"),
    ("h", "li"),
    ("w", "vv"),
    ("i", "l"),
    ("l", "i"),
    ("l", "1"),
    ("o", "0"),
    ("e", "c"),
    ("c", "e"),
    ("u", "n"),
    ("n", "u"),
]
MIN_COUNT = 3  # an edit seen fewer times is noise
TOP = 60


def words(text: str) -> list[str]:
    return [loose_key(t) for t in tokenise(normalise_for_search(text))]


def edits(ocr: list[str], gt: list[str]) -> Counter[tuple[str, str]]:
    found: Counter[tuple[str, str]] = Counter()
    for op in Levenshtein.opcodes(gt, ocr):
        if op.tag != "replace" or op.src_end - op.src_start != op.dest_end - op.dest_start:
            continue
        for g, o in zip(
            gt[op.src_start : op.src_end], ocr[op.dest_start : op.dest_end], strict=True
        ):
            if g == o or abs(len(g) - len(o)) > 2 or Levenshtein.distance(g, o) > 2:
                continue
            for a, b in stretches(g, o):
                found[(a, b)] += 1
    return found


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("pairs", nargs="+", help="OCR_DIR:GT_DIR")
    ap.add_argument("--out", type=Path, default=Path("scanpipe/registry/ocr_confusions.tsv"))
    args = ap.parse_args()
    total: Counter[tuple[str, str]] = Counter()
    pages = 0
    for pair in args.pairs:
        ocr_dir, gt_dir = map(Path, pair.split(":"))
        for txt in sorted(ocr_dir.glob("*.txt")):
            gt = gt_dir / (txt.stem + ".gt.txt")
            if gt.is_file():
                total += edits(words(txt.read_text("utf-8")), words(gt.read_text("utf-8")))
                pages += 1
    kept = [(k, n) for k, n in total.most_common(TOP) if n >= MIN_COUNT]
    lines = [
        "# OCR confusions (stretches, learned by bench/confusions.py): truth<TAB>read<TAB>count",
        f"# from {pages} tuning pages; an empty field is an inserted or dropped stretch;",
        "# count 0: a classic Latin OCR confusion, a prior rather than learned",
    ]
    lines += [f"{a}\t{b}\t{n}" for (a, b), n in kept]
    learned = {k for k, _ in kept}
    lines += [f"{a}\t{b}\t0" for a, b in PRIORS if (a, b) not in learned]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for (a, b), n in kept[:25]:
        print(f"{a or '∅'} -> {b or '∅'}  {n}")
    print(f"{len(kept)} edits from {pages} pages -> {args.out}")


if __name__ == "__main__":
    main()
