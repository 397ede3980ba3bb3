"""A second reading of doubtful Devanagari lines with the ``hin`` model, kept line by line.

Why: the ``Devanagari`` script model reads mixed Hindi-English letters best,
but on real Hindi book scans the ``hin`` model (trained with a Hindi
language model) makes a quarter fewer errors, and each misreads different
lines. So where the first reading of a page is doubtful, the page is read
once more with ``hin`` on the same image and page segmentation, and each
Devanagari line keeps whichever reading the engine was surer of. Latin
lines always keep the script model's reading: ``hin`` cannot read English.

Tesseract's confidences are not calibrated across models: the ``hin`` model
reports a few points less for the same correct line. ``HIN_BIAS`` corrects
for that; it was chosen on the synthetic tuning seeds (docs/benchmarks.md).

The page's PDF text layer stays the first reading's; the page text (what is
indexed, searched and shown) is the combined one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from scanpipe.model import OcrPage, Word
from scanpipe.ocr.engine import mean_confidence

# A page is doubtful when its Devanagari words' confidence is below this: clean
# letters read at 92-95, real book scans at 80-85.
DOUBTFUL_BELOW = 88.0
# Points added to the second model's line confidence before comparing.
HIN_BIAS = 5.0
# Where two models read more than this share of the Devanagari text differently, at
# least one of them is wrong that often: the page is not ``ok``. On the tuning seeds
# pages above it had 13-87% CER; good pages stayed below 0.09.
MAX_DISAGREEMENT = 0.1


@dataclass(frozen=True)
class Line:
    key: int
    words: tuple[Word, ...]

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (
            min(w.box[0] for w in self.words),
            min(w.box[1] for w in self.words),
            max(w.box[2] for w in self.words),
            max(w.box[3] for w in self.words),
        )

    @property
    def confidence(self) -> float:
        chars = sum(len(w.text) for w in self.words)
        return sum(w.confidence * len(w.text) for w in self.words) / max(1, chars)

    @property
    def devanagari(self) -> bool:
        text = "".join(w.text for w in self.words)
        deva = sum(1 for ch in text if 0x0900 <= ord(ch) <= 0x097F)
        return deva * 2 > sum(1 for ch in text if ch.isalnum())


def _lines(words: tuple[Word, ...]) -> list[Line]:
    grouped: dict[int, list[Word]] = defaultdict(list)
    for word in words:
        grouped[word.line].append(word)
    return [Line(key, tuple(ws)) for key, ws in grouped.items()]


def _deva_confidence(words: tuple[Word, ...]) -> float | None:
    deva = [w for w in words if any(0x0900 <= ord(ch) <= 0x097F for ch in w.text)]
    chars = sum(len(w.text) for w in deva)
    if chars < 20:
        return None
    return sum(w.confidence * len(w.text) for w in deva) / chars


# Letters that tell a Devanagari page is not Hindi. ``hin`` reads with a Hindi language
# model, which "corrects" Marathi and Sanskrit towards Hindi words: on the real sets its
# second reading made Marathi 9.73% against 9.57% and Sanskrit 19.8% against 17.6%.
# ळ does not occur in Hindi and is common in Marathi; the visarga is rare in Hindi
# (अतः, दुःख) and ends many Sanskrit (and Marathi specimen) words. The shares are
# well clear of both sides: 0 and 0.3% of words on the Hindi and Bhojpuri pages.
NOT_HINDI_LETTERS = {"\u0933": 0.005, "\u0903": 0.02}  # ळ, visarga: share of Devanagari words


def hindi_like(words: tuple[Word, ...]) -> bool:
    """False when the page's letters say it is Marathi or Sanskrit rather than Hindi."""
    deva = [w.text for w in words if any(0x0900 <= ord(ch) <= 0x097F for ch in w.text)]
    if not deva:
        return True
    return all(
        sum(letter in t for t in deva) / len(deva) < share
        for letter, share in NOT_HINDI_LETTERS.items()
    )


def doubtful(page: OcrPage, langs: str, second: str) -> bool:
    """Worth a second reading: a Hindi-like Devanagari page read by another model, and not
    sure of it."""
    if not second or second == langs:
        return False
    confidence = _deva_confidence(page.words)
    return confidence is not None and confidence < DOUBTFUL_BELOW and hindi_like(page.words)


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    if x1 <= x0 or y1 <= y0:
        return 0.0
    inter = (x1 - x0) * (y1 - y0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


def text_of(words: tuple[Word, ...]) -> str:
    """Page text from words: a line per engine line, a blank line between paragraphs."""
    out: list[str] = []
    previous: int | None = None
    for line in _lines(words):
        if previous is not None and line.key // 100 != previous // 100:
            out.append("")
        out.append(" ".join(w.text for w in line.words))
        previous = line.key
    return "\n".join(out)


@dataclass(frozen=True)
class Combined:
    page: OcrPage
    replaced: int  # lines whose text is now the second model's
    # Share of the Devanagari text the two models read differently: where two
    # unrelated readings disagree, at least one is wrong, so this bounds the
    # error from below without any ground truth.
    disagreement: float


def combine(first: OcrPage, second: OcrPage) -> Combined:
    """First's lines, each Devanagari one replaced by second's where that is surer."""
    others = _lines(second.words)
    kept: list[Word] = []
    replaced = 0
    differing = total = 0
    for line in _lines(first.words):
        match = max(others, key=lambda o: _overlap(line.box, o.box), default=None)
        matched = match is not None and _overlap(line.box, match.box) >= 0.5
        if line.devanagari:
            text = " ".join(w.text for w in line.words)
            total += len(text)
            if matched:
                assert match is not None
                differing += Levenshtein.distance(text, " ".join(w.text for w in match.words))
            else:
                differing += len(text)
        if line.devanagari and matched and match.confidence + HIN_BIAS > line.confidence:
            replaced += 1
            kept.extend(Word(w.text, w.confidence, w.box, line.key) for w in match.words)
        else:
            kept.extend(line.words)
    disagreement = round(min(1.0, differing / total), 4) if total else 0.0
    if not replaced:
        return Combined(first, 0, disagreement)
    words = tuple(kept)
    page = OcrPage(text_of(words), words, mean_confidence(words), first.text_pdf)
    return Combined(page, replaced, disagreement)
