"""A page that lost text is recorded as such, end to end: status, reason, measure, queue order.

The engine is ``fakes.HalfBlindEngine`` (it never sees the lower half of the text),
loaded by name as the pipeline loads Tesseract, so the real orchestrator, registry
and review queue run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_pipeline_unit import make_settings, open_registry, run

from scanpipe import samples
from scanpipe.pipeline import Outcome
from scanpipe.registry import page_review

DPI = 150


def _letter(path: Path, seed: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    samples.render_page(samples.letter_lines(seed), dpi=DPI, seed=seed).save(path, dpi=(DPI, DPI))
    return path


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_a_page_that_lost_its_lower_half_is_recorded_for_review_with_the_measure(
    tmp_path: Path, home: Path
) -> None:
    blind = make_settings(home, "fakes:HalfBlindEngine", fallback=False, min_dpi=100)
    (outcome,) = run([_letter(tmp_path / "blind.png", 5)], blind)
    assert outcome.outcome is Outcome.REGISTERED
    (page,) = outcome.pages
    assert page.status == "review"
    assert "lower half" in page.reason and "gave no text" in page.reason
    assert 0.3 < page.missing < 0.8

    whole = make_settings(home, "fakes:LineEngine", min_dpi=100)
    (read,) = run([_letter(tmp_path / "whole.png", 6)], whole)
    assert read.pages[0].status == "ok" and read.pages[0].missing < 0.05

    with open_registry(blind) as registry:
        stored = registry.get_file(outcome.file_id).pages[0]
        assert stored.missing == pytest.approx(page.missing)
        assert stored.reading == "sauvola psm3 Devanagari"
        queue = page_review.review_pages(registry)
    assert [(p.file_id, p.missing) for p in queue] == [
        (outcome.file_id, pytest.approx(page.missing))
    ]


def test_the_fallback_reads_the_lost_half_and_the_page_is_ok(tmp_path: Path, home: Path) -> None:
    settings = make_settings(home, "fakes:HalfBlindEngine", min_dpi=100)
    (outcome,) = run([_letter(tmp_path / "letter.png", 7)], settings)
    (page,) = outcome.pages
    assert page.status == "ok", page.reason
    assert page.reading == "sauvola psm6 Devanagari" and page.attempts == 2
    assert page.missing < 0.05


def test_the_review_queue_puts_the_page_missing_most_text_first(tmp_path: Path, home: Path) -> None:
    blind = make_settings(home, "fakes:HalfBlindEngine", fallback=False, min_dpi=100)
    short = samples.letter_lines(8)[:6]  # the lost half of a short letter is a smaller share
    path = tmp_path / "short.png"
    samples.render_page(short, dpi=DPI, seed=8).save(path, dpi=(DPI, DPI))
    (first,) = run([path], blind)  # registered first, so the older page
    (second,) = run([_letter(tmp_path / "long.png", 9)], blind)
    assert first.pages[0].missing + 0.1 < second.pages[0].missing
    with open_registry(blind) as registry:
        queue = page_review.review_pages(registry)
    # Oldest first would put the short letter first; the measure puts it second.
    assert [p.file_id for p in queue] == [second.file_id, first.file_id]
