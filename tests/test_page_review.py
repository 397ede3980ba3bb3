"""Page review in the library and on the CLI: correct, blank, move, accept, retry.

Each action must keep the search index and the file's review count in step
with the page, so every test searches after acting.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli
from web import webdata

from scanpipe.errors import NotFoundError
from scanpipe.page_retry import page_ref, retry_page
from scanpipe.registry import page_review
from scanpipe.registry.page_review import PageReviewError
from scanpipe.registry.store import Registry
from scanpipe.settings import Settings


@pytest.fixture
def data(tmp_path: Path) -> webdata.WebData:
    return webdata.build(tmp_path / "home")


def _open(settings: Settings) -> Registry:
    return Registry.open(settings.db_url, settings.archive_dir)


def _found(registry: Registry, query: str) -> list[tuple[int, int]]:
    return [(h.file_id, h.page_number) for h in registry.search(query) if h.kind == "page"]


def test_queue_lists_failed_before_low_confidence(data: webdata.WebData) -> None:
    with _open(data.settings) as registry:
        queue = page_review.review_pages(registry)
        assert [(p.file_id, p.number, p.status) for p in queue] == [
            (data.review_id, 2, "failed"),
            (data.review_id, 3, "review"),
        ]
        assert registry.get_file(data.review_id).pages_for_review == 2


def test_correct_replaces_the_indexed_text(data: webdata.WebData) -> None:
    with _open(data.settings) as registry:
        assert _found(registry, "धुंधला") == [(data.review_id, 3)]
        state = page_review.correct_text(registry, data.review_id, 3, "स्पष्ट पत्र", "admin")
        assert state.status == "ok" and "corrected by hand (admin)" in state.reason
        assert _found(registry, "धुंधला") == []  # the old words left the index
        assert _found(registry, "स्पष्ट") == [(data.review_id, 3)]
        assert registry.get_file(data.review_id).pages_for_review == 1
        with pytest.raises(PageReviewError):
            page_review.correct_text(registry, data.review_id, 3, "   ", "admin")


def test_blank_removes_the_page_from_search_and_queue(data: webdata.WebData) -> None:
    with _open(data.settings) as registry:
        page_review.mark_blank(registry, data.review_id, 3, "admin")
        assert _found(registry, "धुंधला") == []
        assert registry.page_text(data.review_id, 3) == ""
        assert [p.number for p in page_review.review_pages(registry)] == [2]


def test_accept_keeps_text_but_refuses_a_failed_page_without_any(data: webdata.WebData) -> None:
    with _open(data.settings) as registry:
        with pytest.raises(PageReviewError, match="no text to accept"):
            page_review.accept_page(registry, data.review_id, 2, "admin")
        page_review.accept_page(registry, data.review_id, 3, "admin")
        assert _found(registry, "धुंधला") == [(data.review_id, 3)]
        with pytest.raises(PageReviewError, match="not waiting"):
            page_review.accept_page(registry, data.review_id, 3, "admin")


def test_move_appends_the_page_to_the_other_file(data: webdata.WebData) -> None:
    with _open(data.settings) as registry:
        state = page_review.move_page(registry, data.review_id, 3, data.letter_id, "admin")
        assert (state.file_id, state.number) == (data.letter_id, 3)
        assert _found(registry, "धुंधला") == [(data.letter_id, 3)]
        assert registry.get_file(data.letter_id).page_count == 3
        assert registry.get_file(data.review_id).page_count == 2
        assert page_review.image_origin(data.letter_id, 3, state.reason) == (data.review_id, 3)
        # re-reading a moved page reads its own image, from the file it came from
        ref = page_ref(registry, data.letter_id, 3, 120_000_000)
        assert ref.path.name == "page-3.png" and "scans-review" in str(ref.path)
        with pytest.raises(NotFoundError):
            page_review.move_page(registry, data.letter_id, 3, 999, "admin")


def test_retry_rereads_the_page_through_the_page_stage(data: webdata.WebData) -> None:
    with _open(data.settings) as registry:
        settings = data.settings
        state = retry_page(registry, settings, data.review_id, 2, by="admin", rotate=0, dpi=150)
        assert state.status == "ok"
        assert "re-read with rotate 0, 150 dpi (admin)" in state.reason
        text = registry.page_text(data.review_id, 2)
        # the fake engine reads the size of the upright image it was given: 100 dpi -> 150 dpi
        width, height = (int(v) for v in text.removeprefix("page of ").split("x"))
        assert abs(width - 827 * 1.5) <= 2 and abs(height - 1169 * 1.5) <= 2
        assert _found(registry, "page") == [(data.review_id, 2)]
        with pytest.raises(PageReviewError, match="quarter turn"):
            retry_page(registry, data.settings, data.review_id, 2, by="admin", rotate=45)


def test_retry_falls_back_to_the_archive_when_the_scan_is_gone(data: webdata.WebData) -> None:
    with _open(data.settings) as registry:
        for png in (data.home.parent / "scans-review").glob("*.png"):
            png.unlink()
        ref = page_ref(registry, data.review_id, 3, 120_000_000)
        assert ref.path.suffix == ".pdf" and ref.index == 2
        state = retry_page(registry, data.settings, data.review_id, 3, by="admin")
        assert state.status == "ok"
        assert registry.page_text(data.review_id, 3).startswith("page of ")


def test_cli_page_commands(data: webdata.WebData) -> None:
    home = data.home
    listed = run_cli(home, "page", "list")
    assert listed.returncode == 0, listed.stderr
    assert "failed" in listed.stdout and "review" in listed.stdout
    fixed = run_cli(home, "page", "correct", str(data.review_id), "3", "--text", "नया पाठ")
    assert fixed.returncode == 0, fixed.stderr
    assert run_cli(home, "search", "नया").stdout.count(f"file {data.review_id} page 3") == 1
    blanked = run_cli(home, "page", "blank", str(data.review_id), "3")
    assert blanked.returncode == 0 and "marked blank" in blanked.stdout
    missing = run_cli(home, "page", "accept", str(data.review_id), "9")
    assert missing.returncode == 9 and "has no page 9" in missing.stderr
    moved = run_cli(home, "page", "move", str(data.review_id), "1", "--to", str(data.letter_id))
    assert moved.returncode == 0, moved.stderr
    assert f"file {data.letter_id} page 3" in moved.stdout
