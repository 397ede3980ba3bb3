"""Read file-number lines a second time with the English model.

The Devanagari model reads Hindi and English prose best (docs/benchmarks.md),
but on a Hindi page it turns the Latin head letter of ``F-195/2015/GAD-38``
into ``--`` or ``£`` and the strokes of ``5(II)`` into ``5(])``. Those are
exactly the characters that make a file number right. A line crop read with
``eng`` gets them back; extraction then trusts a number only where the two
readings agree on every digit (``classify/extract.py``), so an English
misreading of Devanagari digits can never invent a number.

The crop comes from the same cleaned, upright image the page was read from,
using the word boxes of that reading; it costs one short Tesseract run per
file-number line (at most ``MAX_LINES`` a page), and none on pages without one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import regex

from scanpipe.eoffice.fileno import find_candidates
from scanpipe.errors import ScanpipeError
from scanpipe.model import Word
from scanpipe.ocr.engine import LineReader, OcrEngine

MAX_LINES = 3  # a letter has one file number, a notesheet a few; more is a table
PAD = 0.5  # of the line height, around the words' box


_DATE = regex.compile(r"^[(]?[0-9०-९]{1,2}[/.\-][0-9०-९]{1,2}[/.\-][0-9०-९]{2,4}[).,;]*$")


#: A Latin file number read cleanly: a head letter and digits, or the conventional form
#: (``16/51/07-Rev``). No Roman numerals, no marks: nothing a second reading could add.
_CLEAN = regex.compile(
    r"(?:[A-Z]-[0-9]+(?:\([0-9]+\))?(?:/[0-9A-Za-z]+(?:-[0-9A-Za-z]+)*)+"
    r"|[0-9]{1,4}/[0-9]{1,4}/[0-9]{2}-[A-Za-z]{2,})[.,;]?"
)
_DEVANAGARI_LETTER = regex.compile(r"[\p{Devanagari}--[०-९]]", flags=regex.V1)


def _has_number(text: str) -> bool:
    """Does the line hold a number the English model could read better than the first reading?

    A number-like word (a file-number candidate, or two slashes and not a date, like the
    mangled ``A-11011/1()/2013-Est``) qualifies unless it is already a clean Latin number,
    or is written in Devanagari, which the English model cannot read.
    """
    words = [w for w in text.split() if w.count("/") >= 2 and not _DATE.match(w)]
    words += [f for _, _, f in find_candidates(text) if "/" in f and f not in words]
    return any(not _CLEAN.fullmatch(w) and not _DEVANAGARI_LETTER.search(w) for w in words)


def file_number_lines(words: tuple[Word, ...]) -> list[tuple[str, tuple[int, int, int, int]]]:
    """Lines (text, box) that hold something shaped like a file number, in reading order."""
    lines: dict[int, list[Word]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    out = []
    for key in sorted(lines):
        ws = lines[key]
        text = " ".join(w.text for w in ws)
        if not _has_number(text):
            continue
        box = (min(w.box[0] for w in ws), min(w.box[1] for w in ws),
               max(w.box[2] for w in ws), max(w.box[3] for w in ws))  # fmt: skip
        out.append((text, box))
    return out[:MAX_LINES]


def reread_lines(
    engine: OcrEngine, gray: np.ndarray, dpi: int, langs: str, words: tuple[Word, ...], work: Path
) -> tuple[tuple[str, str], ...]:
    """(first reading, second reading) of each file-number line; () if the engine can't."""
    if not langs or not isinstance(engine, LineReader):
        return ()
    h, w = gray.shape[:2]
    out = []
    for text, (x0, y0, x1, y1) in file_number_lines(words):
        pad = max(4, int((y1 - y0) * PAD))
        crop = gray[max(0, y0 - pad) : min(h, y1 + pad), max(0, x0 - pad) : min(w, x1 + pad)]
        if crop.size == 0:
            continue
        try:
            again = engine.read_line(np.ascontiguousarray(crop), dpi, langs, work)
        except ScanpipeError:
            continue  # the second reading is a bonus; the page stands without it
        if again:
            out.append((text, again))
    return tuple(out)
