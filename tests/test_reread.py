"""The second reading of file-number lines, with the real Tesseract, end to end on a page."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanpipe import samples
from scanpipe.classify import Classifier
from scanpipe.model import PageJob, PageRef, SourceKind, Word
from scanpipe.ocr.page import process_page
from scanpipe.ocr.reread import file_number_lines
from scanpipe.settings import OcrSettings

LINES = [
    "छत्तीसगढ़ शासन",
    "कार्यालय कलेक्टर, जिला मुंगेली",
    "नस्ती क्रमांक A-11011/5(II)/2016-Est",
    "विषय: शासकीय भवनों की मरम्मत हेतु राशि स्वीकृति",
    "उपरोक्त विषयांतर्गत लेख है कि प्रस्ताव स्वीकृत किया जाए।",
]


def test_only_doubtful_file_number_lines_are_read_again() -> None:
    words = (
        Word("विषय:", 90, (10, 10, 60, 30), 1),
        Word("नस्ती", 90, (10, 50, 60, 70), 2),
        Word("--195/2015/GAD-38", 80, (70, 48, 300, 72), 2),  # F- read as --
        Word("दिनांक", 90, (10, 90, 60, 110), 3),
        Word("12/03/2019", 90, (70, 90, 160, 110), 3),  # a date is not a file number
        Word("F.No.", 90, (10, 130, 60, 150), 4),
        Word("F-980/2005/GAD-37", 90, (70, 130, 300, 150), 4),  # clean: nothing to add
        Word("११४/२००८/स्था.", 90, (10, 170, 160, 190), 5),  # Devanagari: eng cannot read it
        Word("A-11011/1()/2013-Est", 70, (10, 210, 300, 230), 6),  # mangled past parsing
    )
    assert file_number_lines(words) == [
        ("नस्ती --195/2015/GAD-38", (10, 48, 300, 72)),
        ("A-11011/1()/2013-Est", (10, 210, 300, 230)),
    ]


@pytest.mark.slow
def test_a_sub_file_numeral_on_a_hindi_page_is_confirmed_by_the_english_model(
    tmp_path: Path,
) -> None:
    page = samples.degrade(samples.render_page(LINES, seed=3), skew_deg=1.2, seed=3, noise=5)
    scan = tmp_path / "page.png"
    page.save(scan, dpi=(300, 300))
    job = PageJob(PageRef(scan, 0, SourceKind.IMAGE), 1, tmp_path / "work", OcrSettings())
    result = process_page(job)
    assert len(result.rereads) == 1
    first, again = result.rereads[0]
    assert "(II)" not in first and "5(" in again  # the strokes were misread the first time
    labels = Classifier().file([result]).pages[0]
    numbers = [f for f in labels.fields if f.field == "file_no"]
    assert [(f.value, f.confidence >= 0.8) for f in numbers] == [("A-11011/5(II)/2016-EST", True)]
    off = process_page(PageJob(job.ref, 1, tmp_path / "off", OcrSettings(reread_langs="")))
    assert off.rereads == ()
    alone = [f for f in Classifier().file([off]).pages[0].fields if f.field == "file_no"]
    assert not any(f.confidence >= 0.8 for f in alone)  # without it: review at best
