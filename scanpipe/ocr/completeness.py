"""Did every line of text on the page produce words? A check that does not trust the engine.

Why: Tesseract's confidence describes the words it returned, not the ones it
never saw. A page whose lower half went black, or whose layout analysis
dropped a block, reads back at confidence 85 with half its text gone, and no
search will ever find that half. So we find the text-like ink ourselves, on
the same binary image the engine read, and ask which of it lies inside a
word box.

Text-like ink is the connected components of letter size (about 1-15 mm
high, not page-long rules, not solid blobs), grouped into lines by their
row projection. A component counts as read when its centre falls inside a
word box of a word the engine was not guessing at. The measure is the share
of text-like ink that was *not* read; lines with almost nothing read are
named, so a reviewer is told where to look.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from scanpipe.model import Word

MM_PER_INCH = 25.4
# Words below this confidence are the engine reading noise (a stain, a border) as
# letters: they do not prove that a line was read.
MIN_WORD_CONFIDENCE = 20.0
# A line is "not read" when less than this share of its ink sits inside word boxes.
LINE_READ_SHARE = 0.5
# Pages whose unread share of text-like ink is above this are never ``ok``. Missing
# text well below it is a stray stamp, a signature or a rule of dots.
MAX_MISSING = 0.1


@dataclass(frozen=True)
class Completeness:
    """How much of the page's text-like ink produced words, and where the rest is."""

    missing: float  # share of text-like ink outside word boxes, 0..1
    lines: int  # text lines found on the page
    unread_lines: tuple[int, ...]  # 1-based numbers of lines that produced (almost) no words
    where: str  # "lines 12-30 (lower half)", "right side of lines 3-28", or ""
    marks: int = 0  # letter-sized ink components found

    @property
    def has_text_lines(self) -> bool:
        """Lines of several marks each: a page of text, not a blank, a photo or noise."""
        return self.lines >= 3 and self.marks >= 5 * self.lines

    @property
    def complete(self) -> bool:
        return self.missing <= MAX_MISSING

    def describe(self) -> str:
        """The reviewer's sentence: how much is missing and where."""
        share = f"{self.missing:.0%} of the text-like ink gave no words"
        return f"{self.where} gave no text ({share})" if self.where else share


NOTHING_TO_READ = Completeness(0.0, 0, (), "")


def _text_components(ink: np.ndarray, dpi: int) -> np.ndarray:
    """Stats rows (x, y, w, h, area) of letter-sized components."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    stats = stats[1:]
    mm = dpi / MM_PER_INCH
    w, h, area = stats[:, 2], stats[:, 3], stats[:, 4]
    density = area / np.maximum(w * h, 1)
    keep = (
        (h >= 1.0 * mm)
        & (h <= 15 * mm)
        & (w <= 120 * mm)
        & (area >= 0.5 * mm * mm)
        & (density >= 0.06)
        & (density <= 0.9)
        & (w <= 25 * h)  # rules, underlines and the edge of a scanner bed
    )
    return stats[keep]


def _lines(comps: np.ndarray, height: int, dpi: int) -> np.ndarray:
    """Line number (0-based, top to bottom) of each component, from the row projection.

    A component joins the line whose rows its vertical centre occupies; rows are
    occupied by the middle half of each component, so matras and descenders do
    not bridge two lines.
    """
    rows = np.zeros(height + 1, np.int32)
    top = comps[:, 1] + comps[:, 3] // 4
    bottom = comps[:, 1] + (3 * comps[:, 3]) // 4
    np.add.at(rows, top, 1)
    np.add.at(rows, np.minimum(bottom + 1, height), -1)
    occupied = np.cumsum(rows)[:height] > 0
    # Gaps shorter than half a millimetre are not line gaps.
    close = max(1, round(0.5 * dpi / MM_PER_INCH))
    occupied = cv2.morphologyEx(
        occupied.astype(np.uint8)[:, None], cv2.MORPH_CLOSE, np.ones((close, 1), np.uint8)
    )[:, 0].astype(bool)
    starts = np.flatnonzero(occupied & ~np.concatenate([[False], occupied[:-1]]))
    centre = comps[:, 1] + comps[:, 3] // 2
    return np.searchsorted(starts, centre, side="right") - 1


def _covered(
    comps: np.ndarray, words: Sequence[Word], shape: tuple[int, int], dpi: int
) -> np.ndarray:
    """True for components whose centre lies in a (slightly grown) confident word box."""
    step = 4  # a quarter-resolution mask is plenty for box membership
    mask = np.zeros((shape[0] // step + 2, shape[1] // step + 2), bool)
    pad = round(0.7 * dpi / MM_PER_INCH)
    for word in words:
        if word.confidence < MIN_WORD_CONFIDENCE:
            continue
        left, top, right, bottom = word.box
        mask[
            max(0, top - pad) // step : (bottom + pad) // step + 1,
            max(0, left - pad) // step : (right + pad) // step + 1,
        ] = True
    cx = np.clip((comps[:, 0] + comps[:, 2] // 2) // step, 0, mask.shape[1] - 1)
    cy = np.clip((comps[:, 1] + comps[:, 3] // 2) // step, 0, mask.shape[0] - 1)
    return mask[cy, cx]


def _ranges(numbers: Sequence[int]) -> str:
    parts: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(f"{start}" if start == prev else f"{start}–{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)


def _span(comps: np.ndarray, rows: np.ndarray) -> str:
    """Where the unread rows sit within the page's text, from top to bottom."""
    top, bottom = comps[:, 1].min(), (comps[:, 1] + comps[:, 3]).max()
    height = max(1, bottom - top)
    first = (comps[rows, 1].min() - top) / height
    last = (comps[rows, 1] + comps[rows, 3]).max() - top
    last /= height
    if first >= 0.4:
        return "lower half"
    if last <= 0.6:
        return "upper half"
    if first >= 0.2 and last <= 0.8:
        return "middle"
    return "throughout the page"


def _where(
    comps: np.ndarray, line_of: np.ndarray, read: np.ndarray, unread_lines: list[int], width: int
) -> str:
    if unread_lines:
        rows = np.isin(line_of, unread_lines)
        label = "line" if len(unread_lines) == 1 else "lines"
        numbers = _ranges([n + 1 for n in unread_lines])
        return f"{label} {numbers} ({_span(comps, rows)})"
    lost = ~read
    if not lost.any():
        return ""
    x = float(np.average(comps[lost, 0] + comps[lost, 2] / 2, weights=comps[lost, 4]))
    lines = sorted({int(n) + 1 for n in line_of[lost]})
    side = "left side" if x < width / 2 else "right side"
    return f"the {side} of lines {_ranges(lines)}" if len(lines) > 1 else f"part of line {lines[0]}"


def check(ink: np.ndarray, words: Sequence[Word], dpi: int) -> Completeness:
    """Compare the page's text-like ink with the words the engine returned for it."""
    comps = _text_components(ink, dpi)
    if len(comps) < 5:  # a blank page or a photo: nothing text-like to miss
        return NOTHING_TO_READ
    line_of = _lines(comps, ink.shape[0], dpi)
    read = _covered(comps, words, ink.shape, dpi)
    area = comps[:, 4].astype(np.float64)
    total = float(area.sum())
    missing = float(area[~read].sum()) / total
    n_lines = int(line_of.max()) + 1
    ink_per_line = np.bincount(line_of, weights=area, minlength=n_lines)
    read_per_line = np.bincount(line_of, weights=area * read, minlength=n_lines)
    # A line counts when it holds real ink (not a lone speck row) and almost none was read.
    substantial = ink_per_line >= 0.1 * np.median(ink_per_line[ink_per_line > 0])
    unread = np.flatnonzero(substantial & (read_per_line < LINE_READ_SHARE * ink_per_line))
    where = _where(comps, line_of, read, [int(n) for n in unread], ink.shape[1]) if missing else ""
    unread_numbers = tuple(int(n) + 1 for n in unread)
    return Completeness(round(missing, 4), n_lines, unread_numbers, where, len(comps))
