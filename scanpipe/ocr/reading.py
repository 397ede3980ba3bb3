"""Read a page until its text is all there: the first reading, then a short fallback chain.

Why a chain and not one better setting: each way of reading fails on its own
kind of page. A local threshold drops faint strokes that Tesseract's own
threshold on the flattened page keeps; page segmentation (``--psm 3``) sometimes drops a whole
block as "image" that ``--psm 6`` reads as one block of text; the script
model and the ``hin`` model misread different pages. The completeness check
(``completeness.check``) tells us which pages need another try, so the
chain costs time only on those (docs/benchmarks.md reports the share).

Every attempt is judged against the same ink: the first binarisation's, so a
fallback that simply throws ink away cannot look complete.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scanpipe.model import OcrPage
from scanpipe.ocr import completeness, second_model
from scanpipe.ocr.binarise import Binarised, binarise
from scanpipe.ocr.completeness import Completeness
from scanpipe.ocr.engine import OcrEngine
from scanpipe.settings import OcrSettings


@dataclass(frozen=True)
class Attempt:
    """One way of reading a page: a binarisation, a page segmentation mode and a model."""

    binarise: str  # "sauvola", "flattened" or "grey" (ocr/binarise.py)
    psm: int
    langs: str

    @property
    def label(self) -> str:
        return f"{self.binarise} psm{self.psm} {self.langs}"


@dataclass(frozen=True)
class Reading:
    """The attempt whose text the page keeps, how complete it is, and how many were made."""

    ocr: OcrPage
    completeness: Completeness
    attempt: Attempt
    attempts: int
    image: np.ndarray  # the binary image that attempt read (line re-reads use it too)
    second_lines: int = 0  # lines whose text is the second model's (ocr/second_model.py)
    second_langs: str = ""
    disagreement: float = -1.0  # of the two models on Devanagari lines; -1: one reading

    @property
    def label(self) -> str:
        """What ``show`` prints: ``sauvola psm3 Devanagari + 7 lines hin``."""
        extra = f" + {self.second_lines} lines {self.second_langs}" if self.second_lines else ""
        return self.attempt.label + extra


def _other_model(langs: str) -> str:
    """The second model for Devanagari pages: ``hin`` and the script model fail apart."""
    return "hin+eng" if langs == "Devanagari" else "Devanagari"


def attempts(ocr: OcrSettings, wants: str = "binary") -> tuple[Attempt, ...]:
    """The first reading, then the fallbacks in the order they pay off (cheapest change first).

    ``wants`` is the engine's: one that thresholds for itself gets grey pages only.
    """
    method = "grey" if wants == "grey" else ocr.binarise
    first = Attempt(method, ocr.psm, ocr.langs)
    if not ocr.fallback:
        return (first,)
    other = {"sauvola": "flattened", "flattened": "sauvola"}.get(method, method)
    chain = [
        first,
        Attempt(first.binarise, 6 if ocr.psm != 6 else 4, ocr.langs),
        Attempt(other, ocr.psm, ocr.langs),
        Attempt(first.binarise, ocr.psm, _other_model(ocr.langs)),
    ]
    return tuple(dict.fromkeys(chain))  # a setting equal to the first is not tried twice


def _better(a: Reading, b: Reading) -> bool:
    """More of the ink read wins; among equals, the more confident reading."""
    if abs(a.completeness.missing - b.completeness.missing) > 0.02:
        return a.completeness.missing < b.completeness.missing
    return a.ocr.confidence > b.ocr.confidence


def read_page(
    engine: OcrEngine,
    upright: np.ndarray,
    dpi: int,
    outside: np.ndarray | None,
    ocr: OcrSettings,
    out_base: Path,
) -> Reading:
    """OCR ``upright`` (grey) through the chain; the kept reading's layer is ``out_base.pdf``."""
    images: dict[str, Binarised] = {}
    best: Reading | None = None
    chain = attempts(ocr, getattr(engine, "wants", "binary"))
    reference: np.ndarray | None = None
    made = 0
    for number, attempt in enumerate(chain):
        if attempt.binarise not in images:
            images[attempt.binarise] = binarise(upright, dpi, attempt.binarise, outside)
        image = images[attempt.binarise]
        if reference is None:
            reference = image.ink
        base = out_base if number == 0 else out_base.with_name(f"{out_base.name}-try{number}")
        page = engine.recognise(image.image, dpi, attempt.langs, base, psm=attempt.psm)
        made += 1
        found = completeness.check(reference, page.words, dpi)
        reading = Reading(page, found, attempt, made, image.image)
        if best is None or _better(reading, best):
            _discard(best, keep=None)
            best = reading
        else:
            _discard(reading, keep=None)
        if best.completeness.complete:
            break
    assert best is not None
    page = _settle(best.ocr, out_base)
    replaced, disagreement = 0, -1.0
    if second_model.doubtful(page, best.attempt.langs, ocr.second_langs):
        base = out_base.with_name(f"{out_base.name}-second")
        again = engine.recognise(best.image, dpi, ocr.second_langs, base, psm=best.attempt.psm)
        made += 1
        if again.text_pdf is not None and again.text_pdf != page.text_pdf:
            again.text_pdf.unlink(missing_ok=True)
        combined = second_model.combine(page, again)
        page, replaced, disagreement = combined.page, combined.replaced, combined.disagreement
    return Reading(
        page,
        best.completeness,
        best.attempt,
        made,
        best.image,
        replaced,
        ocr.second_langs,
        disagreement,
    )


def _discard(reading: Reading | None, keep: Path | None) -> None:
    """Remove an attempt's text layer, which the kept reading does not need."""
    if reading is None or reading.ocr.text_pdf is None or reading.ocr.text_pdf == keep:
        return
    if "-try" in reading.ocr.text_pdf.name:
        reading.ocr.text_pdf.unlink(missing_ok=True)


def _settle(page: OcrPage, out_base: Path) -> OcrPage:
    """Give the kept layer the page's own name, whichever attempt wrote it."""
    target = out_base.with_suffix(".pdf")
    if page.text_pdf is None or page.text_pdf == target:
        return page
    os.replace(page.text_pdf, target)
    return OcrPage(page.text, page.words, page.confidence, target)
