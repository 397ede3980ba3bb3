"""Deterministic stand-ins for Tesseract, loaded by name through ``ocr.engine.load_engine``.

Use them as ``OcrSettings(engine="fakes:FakeEngine")``. The name resolves in
pytest's process and in its worker processes alike, because pytest puts
``tests/`` on ``sys.path`` (rootdir conftest, "prepend" import mode) and the
local pool forks with that path. Test modules must import this module as
``fakes`` too, so there is only one copy of it.

What a fake "reads" is a pure function of the pixels it is given:

* text: ``page of WxH``, the size of the upright image handed to ``recognise``;
* confidence of every word: the page's mean brightness in percent, so a white
  page reads at 100, a mid-grey page falls below the review threshold;
* a valid one-page, text-only PDF at ``out_base.pdf`` sized to the image at
  ``dpi``, so the real PDF/A assembly runs on it.

Every ``recognise`` call appends one JSON line to the file named by the
``SCANPIPE_FAKE_ENGINE_LOG`` environment variable (when set). Workers may be
other processes, so counting calls in memory would miss them; ``O_APPEND``
writes of one short line are atomic on POSIX.

``SCANPIPE_FAKE_ENGINE_DELAY_S`` (when set) makes every ``recognise`` call
sleep that long first, so a test can kill a worker in the middle of a page.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pikepdf

from scanpipe.model import OcrPage, Word
from scanpipe.ocr.engine import mean_confidence

LOG_ENV = "SCANPIPE_FAKE_ENGINE_LOG"
DELAY_ENV = "SCANPIPE_FAKE_ENGINE_DELAY_S"
DARK = 64  # CrashingEngine fails on pages whose mean grey level is below this


def page_text(width: int, height: int) -> str:
    """What the fake engine reads from an upright image of this size."""
    return f"page of {width}x{height}"


def write_text_layer(path: Path, width: int, height: int, dpi: int) -> Path:
    """A one-page PDF with no visible content, sized like the image at ``dpi``."""
    pdf = pikepdf.Pdf.new()
    pdf.add_blank_page(page_size=(width * 72 / dpi, height * 72 / dpi))
    pdf.save(path)
    return path


def read_log(path: Path) -> list[dict]:
    """The engine calls recorded so far, in the order they were written."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _log(out_base: Path, width: int, height: int, mean: float, outcome: str) -> None:
    target = os.environ.get(LOG_ENV)
    if not target:
        return
    entry = {
        "page": out_base.name,  # page-0001 ...
        "work": out_base.parent.name,  # the file's sha256
        "size": [width, height],
        "mean": round(mean, 2),
        "outcome": outcome,
        "pid": os.getpid(),
    }
    line = (json.dumps(entry) + "\n").encode("utf-8")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


class FakeEngine:
    """Implements ``scanpipe.ocr.engine.OcrEngine`` without running anything external.

    It reads brightness, so it asks for the page grey, as an engine that
    thresholds for itself would.
    """

    wants = "grey"

    def orientation(self, gray: np.ndarray, dpi: int, work: Path) -> tuple[int, float]:
        # No opinion: the pipeline keeps a page upright below its confidence floor.
        return 0, 0.0

    def recognise(
        self, gray: np.ndarray, dpi: int, langs: str, out_base: Path, psm: int | None = None
    ) -> OcrPage:
        height, width = gray.shape[:2]
        mean = float(gray.mean())
        self._check(mean, out_base, width, height)
        if os.environ.get(DELAY_ENV):
            time.sleep(float(os.environ[DELAY_ENV]))
        text = page_text(width, height)
        confidence = round(100 * mean / 255, 2)
        words = tuple(Word(token, confidence, (0, 0, width, height), 1) for token in text.split())
        pdf = write_text_layer(out_base.with_suffix(".pdf"), width, height, dpi)
        _log(out_base, width, height, mean, "ok")
        return OcrPage(text, words, mean_confidence(words), pdf)

    def _check(self, mean: float, out_base: Path, width: int, height: int) -> None:
        """Hook for engines that refuse some pages."""


class CrashingEngine(FakeEngine):
    """Like FakeEngine, but crashes (as a buggy OCR run would) on very dark pages."""

    def _check(self, mean: float, out_base: Path, width: int, height: int) -> None:
        if mean < DARK:
            _log(out_base, width, height, mean, "crashed")
            raise RuntimeError(f"fake OCR crash on a dark page (mean grey {mean:.0f})")


class LineEngine(FakeEngine):
    """Reads every text line it can see: one word per line of ink, boxed where the ink is.

    Lines are runs of rows holding ink (pixels below mid-grey), so the
    completeness check finds its words exactly where the ink is. It takes the
    binarised page, as Tesseract does.
    """

    wants = "binary"

    def recognise(
        self, gray: np.ndarray, dpi: int, langs: str, out_base: Path, psm: int | None = None
    ) -> OcrPage:
        height, width = gray.shape[:2]
        self._check(float(gray.mean()), out_base, width, height)
        words = tuple(
            Word(f"line{n}", 90.0, box, n) for n, box in enumerate(self._lines(gray, psm), start=1)
        )
        text = " ".join(w.text for w in words)
        pdf = write_text_layer(out_base.with_suffix(".pdf"), width, height, dpi)
        _log(out_base, width, height, float(gray.mean()), f"psm{psm} {langs}")
        return OcrPage(text, words, mean_confidence(words) if words else -1.0, pdf)

    def _lines(self, gray: np.ndarray, psm: int | None) -> list[tuple[int, int, int, int]]:
        ink = gray < 128
        rows = ink.any(axis=1)
        edges = np.flatnonzero(np.diff(np.concatenate([[0], rows.astype(np.int8), [0]])))
        boxes = []
        for top, bottom in zip(edges[::2], edges[1::2], strict=True):
            cols = np.flatnonzero(ink[top:bottom].any(axis=0))
            boxes.append((int(cols[0]), int(top), int(cols[-1]) + 1, int(bottom)))
        return boxes


class HalfBlindEngine(LineEngine):
    """Like LineEngine, but its default segmentation drops the lower half of the text.

    That is how a real layout analysis loses a block: the words it does return
    are confident, so only the completeness check can tell. With ``--psm 6``
    (the chain's first fallback) it reads the whole page.
    """

    def _lines(self, gray: np.ndarray, psm: int | None) -> list[tuple[int, int, int, int]]:
        boxes = super()._lines(gray, psm)
        if psm == 6:
            return boxes
        middle = (boxes[0][1] + boxes[-1][3]) / 2 if boxes else 0
        return [box for box in boxes if box[3] < middle]


class TopHeavyEngine(LineEngine):
    """Sure of a page only when its ink sits in the upper half, as a letter's does.

    Turned upside down, a letter's text block sits low, and this engine reads it
    at confidence 30: the stand-in for Tesseract reading an inverted page.
    """

    def recognise(
        self, gray: np.ndarray, dpi: int, langs: str, out_base: Path, psm: int | None = None
    ) -> OcrPage:
        page = super().recognise(gray, dpi, langs, out_base, psm)
        rows = np.flatnonzero((gray < 128).any(axis=1))
        upright = rows.size > 0 and rows.mean() < gray.shape[0] / 2
        confidence = 90.0 if upright else 30.0
        words = tuple(Word(w.text, confidence, w.box, w.line) for w in page.words)
        return OcrPage(page.text, words, mean_confidence(words) if words else -1.0, page.text_pdf)
