"""A killed or interrupted conversion resumes: finished pages are kept and never OCRed again.

Same fake engine and page images as ``test_pipeline_unit``; the run is cut short either by
an executor that stops handing back results or by Ctrl-C after the first finished page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

import pikepdf
import pytest
from fakes import page_text, read_log
from test_pipeline_unit import JOBS, calls, make_settings, open_registry, run, write_page

from scanpipe.executors import Executor, LocalPool
from scanpipe.model import PageResult
from scanpipe.pipeline import FileOutcome, Outcome, convert
from scanpipe.settings import Settings

J = TypeVar("J")
R = TypeVar("R")

__all__ = ["calls"]  # the fixture, used by name below


class StopAfter:
    """An executor that hands back only the first ``n`` results, as if the run died then."""

    def __init__(self, inner: Executor, n: int) -> None:
        self.inner = inner
        self.n = n

    def imap_unordered(
        self, fn: Callable[[J], R], jobs: Iterable[J], window: int | None = None
    ) -> Iterator[tuple[J, R]]:
        for i, item in enumerate(self.inner.imap_unordered(fn, jobs, window)):
            if i >= self.n:
                return
            yield item

    def close(self, cancel: bool = False) -> None:
        self.inner.close(cancel=cancel)


RESUME_PAGES = {f"page{n}.png": (300 + 10 * n, 200 + 5 * n) for n in range(1, 6)}


def _interrupted_run(folder: Path, settings: Settings, jobs: int, how: str) -> list[FileOutcome]:
    pool = LocalPool(jobs)
    outcomes: list[FileOutcome] = []
    try:
        with open_registry(settings) as registry:
            if how == "executor-stops":
                outcomes = list(convert([folder], settings, registry, StopAfter(pool, 1)))
            else:

                def on_page(result: PageResult) -> None:
                    raise KeyboardInterrupt  # Ctrl-C right after the first finished page

                with pytest.raises(KeyboardInterrupt):
                    for o in convert([folder], settings, registry, pool, on_page=on_page):
                        outcomes.append(o)
    finally:
        pool.close(cancel=True)
        pool.close()  # and wait, so no worker still writes into the work folder
    return outcomes


@JOBS
@pytest.mark.parametrize("how", ["executor-stops", "ctrl-c"])
def test_interrupted_run_resumes_without_redoing_finished_pages(
    tmp_path: Path, calls: Path, jobs: int, how: str
) -> None:
    folder = tmp_path / "file"
    for name, size in RESUME_PAGES.items():
        write_page(folder / name, size)
    settings = make_settings(tmp_path / "home")

    assert _interrupted_run(folder, settings, jobs, how) == []
    with open_registry(settings) as registry:
        assert registry.list_files() == []
    (work,) = settings.work_dir.iterdir()
    finished = {int(p.stem.split("-")[1]) for p in work.glob("page-*.json")}
    assert 1 <= len(finished) < len(RESUME_PAGES), finished
    calls.unlink()

    seen: list[int] = []
    (outcome,) = run([folder], settings, jobs, on_page=lambda r: seen.append(r.number))

    assert outcome.outcome is Outcome.REGISTERED, outcome.error
    redone = Counter(int(c["page"].split("-")[1]) for c in read_log(calls))
    assert redone == dict.fromkeys(set(range(1, 6)) - finished, 1)
    # Cached pages still count for the progress bar.
    assert sorted(seen) == [1, 2, 3, 4, 5]
    expected = [page_text(*RESUME_PAGES[f"page{n}.png"]) for n in range(1, 6)]
    assert [p.text for p in outcome.pages] == expected
    with open_registry(settings) as registry:
        (summary,) = registry.list_files()
        info = registry.get_file(summary.id)
        texts = [registry.page_text(summary.id, n) for n in range(1, 6)]
    assert summary.id == outcome.file_id and summary.page_count == 5
    assert [p.number for p in info.pages] == [1, 2, 3, 4, 5]
    assert texts == expected
    assert not work.exists(), "a registered file's work folder must be removed"
    assert info.pdf_path is not None
    with pikepdf.open(info.pdf_path) as pdf:
        assert len(pdf.pages) == 5
