"""Review reasons said again in Hindi, with their figures, from the pipeline's own wording."""

from __future__ import annotations

from scanpipe.ocr.completeness import Completeness
from scanpipe.web.reasons import reason_text


def test_completeness_reasons_keep_their_figures_and_place_in_hindi() -> None:
    lower = Completeness(0.34, 30, tuple(range(12, 31)), "lines 12–30 (lower half)").describe()
    said = reason_text(lower, "hi")
    assert "पंक्तियाँ 12–30" in said and "निचला आधा भाग" in said and "34%" in said
    side = Completeness(0.12, 28, (), "the left side of lines 3–28").describe()
    assert "बायाँ भाग" in reason_text(side, "hi") and "3–28" in reason_text(side, "hi")
    bare = Completeness(0.2, 5, (), "").describe()
    assert reason_text(bare, "hi").startswith("पाठ जैसी स्याही का 20%")


def test_other_pipeline_reasons_and_unknown_ones() -> None:
    assert reason_text("low OCR confidence 41 (threshold 70)", "hi") == (
        "ओसीआर विश्वसनीयता कम: 41 (सीमा 70)"
    )
    blank = "no text found: blank page, photo, or unreadable scan"
    assert reason_text(blank, "hi").startswith("कोई पाठ नहीं मिला")
    assert reason_text(blank, "en") == blank
    engine = "OCR failed: tesseract did not finish within 300 s"
    assert reason_text(engine, "hi") == engine  # an engine's own words stay as written
