"""The completeness check and the fallback chain, on pages rendered by scanpipe.samples.

The engine here is a fake that boxes the ink it sees (tests/fakes.py), so what is
measured is our own check, not Tesseract; test_hard_pages.py runs the real one.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import fakes
import numpy as np
import pytest

from scanpipe import samples
from scanpipe.model import Word
from scanpipe.ocr import completeness
from scanpipe.ocr.binarise import binarise, sauvola_ink
from scanpipe.ocr.reading import attempts, read_page
from scanpipe.settings import OcrSettings

DPI = 150


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    return np.asarray(samples.render_page(samples.letter_lines(11), dpi=DPI, seed=11))


def _line_words(gray: np.ndarray) -> tuple[Word, ...]:
    boxes = fakes.LineEngine()._lines(gray, 3)
    return tuple(Word(f"w{n}", 90.0, box, n) for n, box in enumerate(boxes))


def test_a_fully_read_page_is_complete(page: np.ndarray) -> None:
    ink = binarise(page, DPI).ink
    found = completeness.check(ink, _line_words(page), DPI)
    assert found.lines >= 15
    assert found.missing < 0.02
    assert found.complete
    assert found.unread_lines == ()


def test_words_lost_from_the_lower_half_are_found_and_placed(page: np.ndarray) -> None:
    ink = binarise(page, DPI).ink
    ys = np.flatnonzero(ink.any(axis=1))
    middle = (ys[0] + ys[-1]) / 2
    upper = tuple(w for w in _line_words(page) if w.box[3] < middle)
    found = completeness.check(ink, upper, DPI)
    assert not found.complete
    assert 0.3 < found.missing < 0.7
    # Every line below the middle of the text block is named, and only those.
    assert found.unread_lines == tuple(range(found.unread_lines[0], found.lines + 1))
    assert found.unread_lines[0] > found.lines / 3
    assert "lower" in found.describe()
    assert f"lines {found.unread_lines[0]}–{found.lines}" in found.describe()


def test_guessed_words_do_not_count_as_read(page: np.ndarray) -> None:
    ink = binarise(page, DPI).ink
    guesses = tuple(
        Word(w.text, completeness.MIN_WORD_CONFIDENCE - 1, w.box, w.line) for w in _line_words(page)
    )
    assert completeness.check(ink, guesses, DPI).missing > 0.9


def test_a_blank_or_speckled_page_has_nothing_to_miss() -> None:
    rng = np.random.default_rng(3)
    speckled = np.full((1754, 1240), 235, np.uint8)
    speckled[rng.random(speckled.shape) < 0.0005] = 20
    found = completeness.check(binarise(speckled, DPI).ink, (), DPI)
    assert found.complete and found.lines == 0


def test_local_threshold_keeps_the_dark_side_of_an_unevenly_lit_page(page: np.ndarray) -> None:
    truth = page < 128
    light = np.linspace(1.0, 0.4, page.shape[1])[None, :]  # the right edge at 0.4
    lit = (page.astype(np.float32) * 0.9 * light + 20 * light).astype(np.uint8)
    right = np.s_[:, page.shape[1] * 3 // 4 :]
    kept = sauvola_ink(lit, DPI)[right] & truth[right]
    assert kept.sum() >= 0.9 * truth[right].sum()
    # One global threshold (Otsu's, as Tesseract uses) turns the dim paper into ink.
    cut, _ = cv2.threshold(lit, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    dim_paper = lit[right][~truth[right]]
    assert (dim_paper <= cut).mean() > 0.5


def _log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = tmp_path / "engine.log"
    monkeypatch.setenv(fakes.LOG_ENV, str(log))
    return log


def test_the_chain_reads_once_when_the_first_reading_is_complete(
    page: np.ndarray, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _log(tmp_path, monkeypatch)
    reading = read_page(fakes.LineEngine(), page, DPI, None, OcrSettings(), tmp_path / "p")
    assert reading.attempts == 1 and len(fakes.read_log(log)) == 1
    assert reading.completeness.complete


def test_the_chain_tries_again_only_on_a_page_that_lost_text(
    page: np.ndarray, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _log(tmp_path, monkeypatch)
    reading = read_page(fakes.HalfBlindEngine(), page, DPI, None, OcrSettings(), tmp_path / "p")
    calls = fakes.read_log(log)
    assert [c["outcome"] for c in calls] == ["psm3 Devanagari", "psm6 Devanagari"]
    assert reading.attempts == 2 and reading.attempt.psm == 6
    assert reading.completeness.complete
    # The kept reading's layer carries the page's own name; the first try's is gone.
    assert reading.ocr.text_pdf == tmp_path / "p.pdf" and reading.ocr.text_pdf.exists()
    assert not list(tmp_path.glob("p-try*.pdf"))


def test_a_page_no_attempt_completes_keeps_the_best_reading_and_says_where(
    page: np.ndarray, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Blind(fakes.HalfBlindEngine):
        def _lines(self, gray: np.ndarray, psm: int | None) -> list:
            return fakes.HalfBlindEngine._lines(self, gray, 3)

    log = _log(tmp_path, monkeypatch)
    reading = read_page(Blind(), page, DPI, None, OcrSettings(), tmp_path / "p")
    assert len(fakes.read_log(log)) == len(attempts(OcrSettings())) == reading.attempts
    assert not reading.completeness.complete
    assert "lower" in reading.completeness.describe()


def test_no_fallback_when_it_is_turned_off(
    page: np.ndarray, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _log(tmp_path, monkeypatch)
    settings = OcrSettings(fallback=False)
    reading = read_page(fakes.HalfBlindEngine(), page, DPI, None, settings, tmp_path / "p")
    assert len(fakes.read_log(log)) == 1 and not reading.completeness.complete
