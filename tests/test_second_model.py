"""Combining two models' readings line by line (no Tesseract: words are given)."""

from __future__ import annotations

import pytest

from scanpipe.model import OcrPage, Word
from scanpipe.ocr import second_model
from scanpipe.ocr.engine import mean_confidence


def _page(lines: list[tuple[str, float, int]]) -> OcrPage:
    """One word per entry: (text, confidence, line number); lines stacked 40 px apart."""
    words = tuple(
        Word(text, conf, (10, 40 * n, 10 + 20 * len(text), 40 * n + 30), 10_000 + 100 + n)
        for text, conf, n in lines
    )
    return OcrPage(" ".join(w.text for w in words), words, mean_confidence(words), None)


def test_a_devanagari_line_takes_the_surer_reading_and_latin_lines_never_do() -> None:
    first = _page([("कलेक्टर", 60.0, 1), ("Collector", 60.0, 2), ("मुंगेली", 90.0, 3)])
    second = _page([("कलक्टर", 80.0, 1), ("Co11ector", 99.0, 2), ("मुगेली", 70.0, 3)])
    combined = second_model.combine(first, second)
    assert combined.replaced == 1
    assert combined.page.text.split() == ["कलक्टर", "Collector", "मुंगेली"]
    # Two of the Devanagari lines' 14 characters differ (one letter in each line).
    assert combined.disagreement == pytest.approx(2 / 14, abs=1e-3)


def test_the_bias_decides_near_ties_for_the_language_model() -> None:
    first = _page([("कार्यालय", 82.0, 1)])
    second = _page([("कार्यलय", 82.0 - second_model.HIN_BIAS + 1, 1)])
    assert second_model.combine(first, second).replaced == 1
    second = _page([("कार्यलय", 82.0 - second_model.HIN_BIAS - 1, 1)])
    assert second_model.combine(first, second).replaced == 0


def test_only_doubtful_devanagari_pages_are_read_again() -> None:
    sure = _page([("कलेक्टर जिला मुंगेली कार्यालय", 93.0, 1)])
    unsure = _page([("कलेक्टर जिला मुंगेली कार्यालय", 70.0, 1)])
    english = _page([("Office of the Collector, District Mungeli", 50.0, 1)])
    assert not second_model.doubtful(sure, "Devanagari", "hin")
    assert second_model.doubtful(unsure, "Devanagari", "hin")
    assert not second_model.doubtful(unsure, "hin", "hin")  # already that model
    assert not second_model.doubtful(unsure, "Devanagari", "")  # turned off
    assert not second_model.doubtful(english, "Devanagari", "hin")  # hin cannot read it


def test_marathi_and_sanskrit_pages_are_not_read_again_with_hin() -> None:
    """hin's Hindi language model would "correct" them towards Hindi words."""
    words = "आम्ही शाळेत आहोत आणि ते घरी गेले होते त्यांची वेळ झाली"
    marathi = _page([(w, 70.0, i) for i, w in enumerate(words.split())])
    verse = "रामः वनं गच्छति सीता अपि तत्र अस्ति नारदः"
    sanskrit = _page([(w, 70.0, i) for i, w in enumerate(verse.split())])
    text = "अतः " + "कलेक्टर ने आदेश दिया है कि फाइलें समय पर भेजी जाएं " * 6
    hindi = _page([(w, 70.0, i) for i, w in enumerate(text.split())])
    assert not second_model.doubtful(marathi, "Devanagari", "hin")
    assert not second_model.doubtful(sanskrit, "Devanagari", "hin")
    assert second_model.doubtful(hindi, "Devanagari", "hin")  # one अतः in 61 words is Hindi
