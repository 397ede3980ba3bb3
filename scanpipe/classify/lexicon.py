"""The words and OCR repairs the extractors share, built on ``scanpipe.text``.

Everything that compares words goes through ``normalise_for_search`` and
``tokenise``, so a missing nukta, ZWNJ or Devanagari digits never matter and a
short word never matches inside a longer one (DESIGN.md §4). OCR repairs here
are length-preserving, so offsets found in repaired text point into the
original OCR text too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Final

import regex

from scanpipe.text import normalise_for_search, token_spans

_DEVA_DIGIT: Final = "०१२३४५६७८९"
# A run of digits (either script) that OCR may have written with o/O for ० or 0.
_DIGIT_RUN: Final = regex.compile(r"(?<![A-Za-z])[0-9०-९oO]*[0-9०-९][0-9०-९oO]*(?![A-Za-z])")


def repair_digits(text: str) -> str:
    """``o``/``O`` inside a number become ``0`` (or ``०`` among Devanagari digits).

    Tesseract reads ``०`` as ``o`` often enough to break dates and file numbers
    (``२o१९``). Only runs that hold a real digit and touch no Latin letter are
    changed, so ``No.`` and ``Oct`` stay as they are. Length-preserving.
    """

    def fix(m: regex.Match[str]) -> str:
        run = m.group()
        if "o" not in run and "O" not in run:
            return run
        deva = sum(c in _DEVA_DIGIT for c in run) > sum(c.isascii() and c.isdigit() for c in run)
        zero = "०" if deva else "0"
        return run.replace("o", zero).replace("O", zero)

    return _DIGIT_RUN.sub(fix, text)


# Roman sub-file numerals after a serial ("/5(II)/") as Tesseract misreads them: (IT), (Il), (1I).
_SUB_FILE = regex.compile(r"(?<=/\s?[0-9०-९]{1,6}\s?\()([IVXTl1|]{1,4})(?=\))")


def repair_sub_files(text: str) -> str:
    """``5(IT)`` -> ``5(II)``: T, l, 1 and | inside a sub-file bracket are read as I.

    Only brackets after a serial (``/5(...)``), never a head's part number
    (``21001(3)``), and only when a Latin I-like letter is there already or
    the bracket is all ones. Length-preserving.
    """

    def fix(m: regex.Match[str]) -> str:
        run = m.group()
        if run.isdigit() and set(run) != {"1"}:
            return run
        return run.translate(str.maketrans("Tl1|", "IIII"))

    return _SUB_FILE.sub(fix, text)


def tokens(s: str) -> tuple[str, ...]:
    """Search-normalised words of ``s`` (नुक्ता, digits, case folded)."""
    return tuple(normalise_for_search(s[a:b]) for a, b in token_spans(s))


def phrase(s: str) -> tuple[str, ...]:
    """A label or rule literal as the token sequence it must match."""
    return tokens(s)


def find_phrase(words: Sequence[str], wanted: Sequence[str], start: int = 0) -> int:
    """Index of the first occurrence of ``wanted`` as whole consecutive words, or -1."""
    n = len(wanted)
    if not n:
        return -1
    for i in range(start, len(words) - n + 1):
        if tuple(words[i : i + n]) == tuple(wanted):
            return i
    return -1


@dataclass(frozen=True)
class Line:
    """One line of a page: its text, where it starts in the page, and its words."""

    index: int
    start: int
    text: str

    @cached_property
    def spans(self) -> list[tuple[int, int]]:
        return token_spans(self.text)

    @cached_property
    def words(self) -> tuple[str, ...]:
        return tuple(normalise_for_search(self.text[a:b]) for a, b in self.spans)

    @cached_property
    def folded(self) -> str:
        return normalise_for_search(self.text)


@dataclass(frozen=True)
class PageText:
    """A page's OCR text, repaired and split into non-empty lines, prepared once."""

    raw: str

    @cached_property
    def text(self) -> str:
        return repair_sub_files(repair_digits(self.raw))

    @cached_property
    def lines(self) -> tuple[Line, ...]:
        out: list[Line] = []
        pos = 0
        for part in self.text.split("\n"):
            if part.strip():
                out.append(Line(len(out), pos, part))
            pos += len(part) + 1
        return tuple(out)

    @cached_property
    def words(self) -> tuple[str, ...]:
        return tuple(w for line in self.lines for w in line.words)

    @cached_property
    def folded(self) -> str:
        return "\n".join(line.folded for line in self.lines)

    def head(self, n: int = 8) -> tuple[Line, ...]:
        return self.lines[:n]

    def line_at(self, offset: int) -> Line | None:
        for line in self.lines:
            if line.start <= offset < line.start + len(line.text) + 1:
                return line
        return None


# -- labels ----------------------------------------------------------------------------------

FILE_NO_LABELS: Final = tuple(
    phrase(s)
    for s in (
        "File No",
        "F No",
        "File Number",
        "फा क्र",
        "फाइल क्र",
        "फाइल क्रमांक",
        "फाइल नंबर",
        "नस्ती क्र",
        "नस्ती क्रमांक",
        "नस्ती",
    )
)
REFERENCE_LABELS: Final = tuple(
    phrase(s)
    for s in (
        "पत्र क्रमांक",
        "पत्र क्र",
        "आदेश क्रमांक",
        "ज्ञापन क्रमांक",
        "पृ क्र",
        "पृष्ठांकन क्रमांक",
        "क्रमांक",
        "क्र",
        "Letter No",
        "Memo No",
        "Order No",
        "Ref No",
        "Endt No",
        "No",
    )
)
DATE_LABELS: Final = tuple(phrase(s) for s in ("दिनांक", "दि", "तारीख", "dated", "date", "dt"))
SUBJECT_LABELS: Final = frozenset({"विषय", "विषयः", "subject", "sub"})
REFERENCE_CONTEXT: Final = frozenset(
    {"संदर्भ", "सन्दर्भ", "reference", "ref", "पत्र", "letter", "memo", "अनुसार", "vide"}
)


def ends_with_label(words: Sequence[str], labels: Sequence[tuple[str, ...]]) -> bool:
    """Do ``words`` end with one of ``labels`` (token sequences)?"""
    return any(len(words) >= len(lab) and tuple(words[-len(lab) :]) == lab for lab in labels)


# -- months ----------------------------------------------------------------------------------

_MONTHS: Final = {
    1: "जनवरी january jan",
    2: "फरवरी फ़रवरी february feb",
    3: "मार्च march mar",
    4: "अप्रैल अप्रेल april apr",
    5: "मई may",
    6: "जून june jun",
    7: "जुलाई july jul",
    8: "अगस्त august aug",
    9: "सितम्बर सितंबर september sept sep",
    10: "अक्टूबर अक्तूबर october oct",
    11: "नवम्बर नवंबर november nov",
    12: "दिसम्बर दिसंबर december dec",
}
MONTHS: Final[dict[str, int]] = {
    normalise_for_search(name): number
    for number, names in _MONTHS.items()
    for name in names.split()
}
