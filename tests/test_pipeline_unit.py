"""The orchestrator (``scanpipe.pipeline.convert``) with a fake OCR engine: fast, no Tesseract.

Pages are plain grey images of distinct sizes. The fake engine "reads" the
size of the upright image it is given (``page of WxH``) and reports the mean
brightness as its confidence, so every registered page can be traced back to
the image it came from, and a page's status follows from its grey level.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pikepdf
import pytest
from fakes import LOG_ENV, page_text, read_log
from PIL import Image

from scanpipe.errors import InputFileError
from scanpipe.executors import Executor, LocalPool
from scanpipe.model import PageResult
from scanpipe.pipeline import FileOutcome, Outcome, convert
from scanpipe.registry.store import Registry
from scanpipe.settings import Settings

FAKE = "fakes:FakeEngine"
CRASHING = "fakes:CrashingEngine"
DPI = 300
WHITE, GREY, DARK = 250, 120, 12  # GREY reads at 47% confidence, DARK crashes CrashingEngine

JOBS = pytest.mark.parametrize("jobs", [1, 2], ids=["inline", "pool2"])


# -- helpers ---------------------------------------------------------------------------------


def write_page(path: Path, size: tuple[int, int], tone: int = WHITE) -> Path:
    """A blank page image of ``size`` (w, h) at 300 dpi, so it is neither upscaled nor turned."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("L", size, tone).save(path, dpi=(DPI, DPI))
    return path


def make_settings(home: Path, engine: str = FAKE, **ocr: object) -> Settings:
    settings = Settings(home=home, db_url=f"sqlite:///{home / 'registry.sqlite3'}", jobs=1)
    return settings.with_ocr(engine=engine, **ocr)


def open_registry(settings: Settings) -> Registry:
    return Registry.open(settings.db_url, settings.archive_dir)


def run(
    paths: Sequence[Path],
    settings: Settings,
    jobs: int = 1,
    on_page: Callable[[PageResult], None] | None = None,
    executor: Executor | None = None,
) -> list[FileOutcome]:
    pool = executor or LocalPool(jobs)
    try:
        with open_registry(settings) as registry:
            return list(convert(paths, settings, registry, pool, on_page=on_page))
    finally:
        pool.close()


@pytest.fixture
def calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fake engines log every recognise call here, from any process."""
    log = tmp_path / "engine-calls.jsonl"
    monkeypatch.setenv(LOG_ENV, str(log))
    return log


def only(outcomes: Iterable[FileOutcome], kind: Outcome) -> list[FileOutcome]:
    return [o for o in outcomes if o.outcome is kind]


# -- page order ------------------------------------------------------------------------------

# Written in an order that is neither natural nor lexicographic; page sizes tell pages apart.
FOLDER_PAGES = {
    "page10.png": (330, 210),
    "page2.png": (310, 230),
    "page11.png": (340, 200),
    "page1.png": (300, 220),
}
NATURAL = ["page1.png", "page2.png", "page10.png", "page11.png"]


@JOBS
def test_folder_pages_are_registered_in_natural_order(
    tmp_path: Path, calls: Path, jobs: int
) -> None:
    folder = tmp_path / "file-0002"
    for name, size in FOLDER_PAGES.items():
        write_page(folder / name, size)
    settings = make_settings(tmp_path / "home")

    (outcome,) = run([folder], settings, jobs)

    assert outcome.outcome is Outcome.REGISTERED, outcome.error
    expected = [page_text(*FOLDER_PAGES[name]) for name in NATURAL]
    assert [p.number for p in outcome.pages] == [1, 2, 3, 4]
    assert [p.text for p in outcome.pages] == expected
    with open_registry(settings) as registry:
        info = registry.get_file(outcome.file_id)
        texts = [registry.page_text(info.id, n) for n in range(1, 5)]
    assert texts == expected
    assert [(p.width, p.height) for p in info.pages] == [FOLDER_PAGES[n] for n in NATURAL]
    assert [p.status for p in info.pages] == ["ok"] * 4
    # The archive's pages are in the same order and sized like their scans at 300 dpi.
    assert info.pdf_path is not None
    with pikepdf.open(info.pdf_path) as pdf:
        boxes = [tuple(round(float(v), 2) for v in page.mediabox) for page in pdf.pages]
    assert boxes == [
        (0, 0, round(w * 72 / DPI, 2), round(h * 72 / DPI, 2))
        for w, h in (FOLDER_PAGES[n] for n in NATURAL)
    ]
    # Each page was OCRed exactly once.
    assert Counter(c["page"] for c in read_log(calls)) == {f"page-{n:04d}": 1 for n in range(1, 5)}


# -- bad pages never fail the file -----------------------------------------------------------


@JOBS
def test_page_that_crashes_the_engine_is_failed_but_file_is_registered(
    tmp_path: Path, calls: Path, jobs: int
) -> None:
    folder = tmp_path / "letter"
    write_page(folder / "p1.png", (300, 220))
    write_page(folder / "p2.png", (310, 230), DARK)
    write_page(folder / "p3.png", (320, 240))
    settings = make_settings(tmp_path / "home", CRASHING)

    (outcome,) = run([folder], settings, jobs)

    assert outcome.outcome is Outcome.REGISTERED, outcome.error
    assert outcome.error is None
    assert outcome.pages_for_review == 1
    crashed = [c["page"] for c in read_log(calls) if c["outcome"] == "crashed"]
    assert crashed == ["page-0002"], "the engine must really have been asked to read page 2"
    with open_registry(settings) as registry:
        info = registry.get_file(outcome.file_id)
        text2 = registry.page_text(info.id, 2)
        text3 = registry.page_text(info.id, 3)
    assert [p.number for p in info.pages] == [1, 2, 3]
    assert [p.status for p in info.pages] == ["ok", "failed", "ok"]
    assert "fake OCR crash" in info.pages[1].reason
    assert [p.reason for p in (info.pages[0], info.pages[2])] == ["", ""]
    assert info.pages_for_review == 1
    assert text2 == ""
    assert text3 == page_text(320, 240)
    # The failed page keeps its place in the archive, so page numbers still match.
    assert info.pdf_path is not None
    with pikepdf.open(info.pdf_path) as pdf:
        assert len(pdf.pages) == 3


def test_file_whose_every_page_fails_is_reported_not_registered(
    tmp_path: Path, calls: Path
) -> None:
    dark = write_page(tmp_path / "dark.png", (300, 200), DARK)
    good = write_page(tmp_path / "good.png", (320, 200))
    settings = make_settings(tmp_path / "home", CRASHING)

    outcomes = run([dark, good], settings)

    (failed,) = only(outcomes, Outcome.FAILED)
    (registered,) = only(outcomes, Outcome.REGISTERED)
    assert failed.source == dark and registered.source == good
    assert failed.error is not None
    assert str(dark) in failed.error.render()
    assert "→" in failed.error.render()
    with open_registry(settings) as registry:
        assert [f.source_path for f in registry.list_files()] == [good]


def test_failed_file_is_tried_again_on_the_next_run(tmp_path: Path, calls: Path) -> None:
    dark = write_page(tmp_path / "dark.png", (300, 200), DARK)
    home = tmp_path / "home"
    (first,) = run([dark], make_settings(home, CRASHING))
    assert first.outcome is Outcome.FAILED
    calls.unlink()

    # The cause is gone (say Tesseract was reinstalled): converting again must OCR the page.
    (second,) = run([dark], make_settings(home, FAKE))

    assert [c["page"] for c in read_log(calls)] == ["page-0001"]
    assert second.outcome is Outcome.REGISTERED, second.error


def test_bad_input_is_reported_and_the_rest_of_the_run_goes_on(tmp_path: Path) -> None:
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    good = write_page(tmp_path / "good.png", (300, 200))
    settings = make_settings(tmp_path / "home")

    outcomes = run([empty, good], settings)

    (failed,) = only(outcomes, Outcome.FAILED)
    (registered,) = only(outcomes, Outcome.REGISTERED)
    assert failed.source == empty
    assert isinstance(failed.error, InputFileError)
    assert registered.source == good and registered.pages[0].text == page_text(300, 200)


# -- the executor's default window ----------------------------------------------------------


@pytest.mark.parametrize("layout", ["one-page-files", "one-two-page-folder"])
def test_default_window_does_not_crash_when_a_file_ends_a_window(
    tmp_path: Path, layout: str
) -> None:
    if layout == "one-page-files":
        paths = [write_page(tmp_path / f"{n}.png", (300 + n, 200)) for n in (1, 2, 3)]
    else:
        for n in (1, 2):
            write_page(tmp_path / "folder" / f"{n}.png", (300 + n, 200))
        paths = [tmp_path / "folder", write_page(tmp_path / "single.png", (320, 200))]
    settings = make_settings(tmp_path / "home")

    # Exactly what `scanpipe convert --jobs 1` does: LocalPool(1) with its default window.
    outcomes = run(paths, settings, executor=LocalPool(1))

    assert [o.outcome for o in outcomes] == [Outcome.REGISTERED] * len(paths)
    with open_registry(settings) as registry:
        assert len(registry.list_files()) == len(paths)


# -- low confidence goes to review -----------------------------------------------------------


@pytest.mark.parametrize(
    ("threshold", "status"), [(70.0, "review"), (40.0, "ok")], ids=["below", "above"]
)
def test_low_confidence_page_goes_to_review_with_a_reason(
    tmp_path: Path, threshold: float, status: str
) -> None:
    folder = tmp_path / "file"
    write_page(folder / "1.png", (300, 200))
    write_page(folder / "2.png", (300, 210), GREY)  # the fake reads it at 47% confidence
    settings = make_settings(tmp_path / "home", review_confidence=threshold)

    (outcome,) = run([folder], settings)

    assert outcome.outcome is Outcome.REGISTERED, outcome.error
    grey = outcome.pages[1]
    assert 45 < grey.confidence < 49
    with open_registry(settings) as registry:
        info = registry.get_file(outcome.file_id)
    assert [p.status for p in info.pages] == ["ok", status]
    if status == "review":
        assert "low OCR confidence 47" in info.pages[1].reason
        assert f"threshold {threshold:.0f}" in info.pages[1].reason
        assert info.pages_for_review == outcome.pages_for_review == 1
    else:
        assert info.pages[1].reason == ""
        assert info.pages_for_review == outcome.pages_for_review == 0


# -- duplicates ------------------------------------------------------------------------------


@JOBS
def test_duplicate_input_in_one_run_is_reported_not_registered_twice(
    tmp_path: Path, calls: Path, jobs: int
) -> None:
    original = write_page(tmp_path / "a" / "scan.png", (300, 200))
    copy = tmp_path / "b" / "scan-copy.png"
    copy.parent.mkdir()
    shutil.copyfile(original, copy)
    settings = make_settings(tmp_path / "home")

    outcomes = run([original, copy, original], settings, jobs)

    (registered,) = only(outcomes, Outcome.REGISTERED)
    duplicates = only(outcomes, Outcome.DUPLICATE)
    assert registered.source == original
    assert sorted(map(str, (d.source for d in duplicates))) == sorted(map(str, (copy, original)))
    assert {d.sha256 for d in duplicates} == {registered.sha256}
    assert all(d.error is None for d in duplicates)
    assert len(read_log(calls)) == 1, "the duplicate must not be OCRed again"
    with open_registry(settings) as registry:
        files = registry.list_files()
    assert [(f.id, f.source_path, f.page_count) for f in files] == [
        (registered.file_id, original, 1)
    ]

    # A later run finds it in the registry and names the registered file.
    (again,) = run([copy], settings, jobs)
    assert again.outcome is Outcome.DUPLICATE
    assert again.file_id == registered.file_id


def test_duplicate_in_one_run_names_the_registered_file(tmp_path: Path) -> None:
    original = write_page(tmp_path / "scan.png", (300, 200))
    copy = tmp_path / "scan-copy.png"
    shutil.copyfile(original, copy)

    outcomes = run([original, copy], make_settings(tmp_path / "home"))

    (registered,) = only(outcomes, Outcome.REGISTERED)
    (duplicate,) = only(outcomes, Outcome.DUPLICATE)
    assert registered.file_id is not None
    assert duplicate.file_id == registered.file_id
