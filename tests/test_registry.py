"""Registry store: schema/migrations, atomic add_file, duplicates, reads."""

from __future__ import annotations

import errno
import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scanpipe.errors import NotFoundError, OutOfSpaceError, RegistryError
from scanpipe.model import FileSource, PageResult, PageStatus
from scanpipe.registry import DuplicateFileError, Registry, RegistryStats
from scanpipe.registry.models import Base


def sha(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def source(label: str = "a", size: int = 123) -> FileSource:
    return FileSource(
        path=Path(f"/inbox/{label}.pdf"), pages=(), sha256=sha(label), size_bytes=size
    )


def three_pages() -> list[PageResult]:
    return [
        PageResult(2, PageStatus.REVIEW, text="दूसरा पृष्ठ\n", confidence=55.0, reason="low conf"),
        PageResult(1, PageStatus.OK, text="पहला पृष्ठ कलेक्टर\r\n\f", confidence=91.5,
                   skew_deg=1.25, orientation_deg=90, dpi=300, width=2480, height=3508, words=3),
        PageResult(3, PageStatus.FAILED, text="", reason="blank"),
    ]  # fmt: skip


def stage(tmp: Path, label: str = "a") -> dict[str, Path]:
    d = tmp / "work" / label
    d.mkdir(parents=True, exist_ok=True)
    (d / "out.pdf").write_bytes(b"%PDF-1.7 " + label.encode())
    (d / "out.txt").write_text(f"text of {label}", encoding="utf-8")
    return {"pdf": d / "out.pdf", "txt": d / "out.txt"}


def db_path(tmp: Path) -> Path:
    return tmp / "data" / "registry.sqlite3"


@pytest.fixture
def reg(tmp_path: Path) -> Iterator[Registry]:
    with Registry.open(f"sqlite:///{db_path(tmp_path)}", tmp_path / "archive") as r:
        yield r


def counts(tmp: Path) -> tuple[int, int, int]:
    """Rows in files, pages and the FTS index, read with plain sqlite3."""
    conn = sqlite3.connect(db_path(tmp))
    try:
        return tuple(  # type: ignore[return-value]
            conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("files", "pages", "pages_fts")
        )
    finally:
        conn.close()


def archive_files(tmp: Path) -> list[Path]:
    return sorted(p for p in (tmp / "archive").rglob("*") if p.is_file())


# --- open / migrate ------------------------------------------------------------------


def test_open_creates_dirs_migrates_and_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{db_path(tmp_path)}"
    with Registry.open(url, tmp_path / "archive"):
        pass
    with Registry.open(url, tmp_path / "archive") as r:  # second open: already at head
        assert r.stats() == RegistryStats(0, 0, 0)
    assert (tmp_path / "archive").is_dir()
    conn = sqlite3.connect(db_path(tmp_path))
    assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
        ("0012_notifications",)
    ]
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.close()


def test_concurrent_first_opens_migrate_once(tmp_path: Path) -> None:
    """Several processes starting at once on a new database: BEGIN IMMEDIATE serialises them."""
    url = f"sqlite:///{db_path(tmp_path)}"
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def open_it() -> None:
        barrier.wait()
        try:
            Registry.open(url, tmp_path / "archive").close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert counts(tmp_path) == (0, 0, 0)


def test_models_match_the_migrations(reg: Registry) -> None:
    """The ORM classes and migrations/versions must describe the same schema."""

    def not_fts(name: str | None, type_: str, _parent: object) -> bool:
        return not (
            type_ == "table" and name is not None and name.startswith(("pages_fts", "notes_fts"))
        )

    with reg._engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_name": not_fts})
        assert compare_metadata(ctx, Base.metadata) == []


def test_in_memory_database_works(tmp_path: Path) -> None:
    with Registry.open("sqlite://", tmp_path / "archive") as r:
        fid = r.add_file(source(), three_pages(), {})
        assert r.search("कलेक्टर")[0].file_id == fid


def test_foreign_keys_are_enforced(reg: Registry) -> None:
    """SQLite ignores foreign keys unless the connection turns them on."""
    with pytest.raises(IntegrityError, match="FOREIGN KEY"), reg._engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO pages (file_id, number, text, confidence, skew_deg, orientation_deg,"
            " status, reason, dpi, width, height, words)"
            " VALUES (999, 1, '', 0, 0, 0, 'ok', '', 0, 0, 0, 0)"
        )


def test_bad_url_is_explained(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="database URL"):
        Registry.open("not a url", tmp_path / "archive")


# --- add_file / get_file ---------------------------------------------------------


def test_add_and_get_file(reg: Registry, tmp_path: Path) -> None:
    staged = stage(tmp_path)
    before = datetime.now(UTC)
    fid = reg.add_file(source(size=4567), three_pages(), staged)
    info = reg.get_file(fid)

    assert info.id == fid and info.sha256 == sha("a") and info.size_bytes == 4567
    assert info.source_path == Path("/inbox/a.pdf")
    assert info.status == "registered" and info.page_count == 3 and info.pages_for_review == 2
    assert info.created_at.tzinfo is UTC and before <= info.created_at <= datetime.now(UTC)
    assert [p.number for p in info.pages] == [1, 2, 3]
    first = info.pages[0]
    assert (first.confidence, first.skew_deg, first.orientation_deg) == (91.5, 1.25, 90)
    assert (first.dpi, first.width, first.height, first.words, first.status) == (
        300, 2480, 3508, 3, "ok",
    )  # fmt: skip
    assert info.pages[1].reason == "low conf" and info.pages[2].status == "failed"

    assert info.pdf_path == tmp_path / "archive" / sha("a")[:2] / f"{sha('a')}.pdf"
    assert info.pdf_path.read_bytes() == b"%PDF-1.7 a"
    assert info.text_path is not None and info.text_path.read_text() == "text of a"
    assert not any(p.exists() for p in staged.values())  # moved, not copied
    assert archive_files(tmp_path) == sorted([info.pdf_path, info.text_path])
    assert counts(tmp_path) == (1, 3, 3)
    assert reg.find_by_sha256(sha("a")) == fid
    assert reg.find_by_sha256(sha("a").upper()) == fid
    assert reg.find_by_sha256(sha("zzz")) is None


def test_get_missing_file_raises_not_found_with_advice(reg: Registry) -> None:
    with pytest.raises(NotFoundError) as info:
        reg.get_file(42)
    assert "scanpipe search" in info.value.advice and "scanpipe list" in info.value.advice


def test_page_text_joins_pages_with_form_feed(reg: Registry) -> None:
    fid = reg.add_file(source(), three_pages(), {})
    assert reg.page_text(fid) == "पहला पृष्ठ कलेक्टर\fदूसरा पृष्ठ\f"
    assert reg.page_text(fid).split("\f") == ["पहला पृष्ठ कलेक्टर", "दूसरा पृष्ठ", ""]
    assert reg.page_text(fid, 2) == "दूसरा पृष्ठ"
    with pytest.raises(NotFoundError, match="no page 7") as info:
        reg.page_text(fid, 7)
    assert "1-3" in info.value.advice
    with pytest.raises(NotFoundError):
        reg.page_text(fid + 1)


def test_list_files_and_stats(reg: Registry) -> None:
    ids = [reg.add_file(source(label), three_pages(), {}) for label in "abc"]
    assert [f.id for f in reg.list_files()] == ids[::-1]  # newest first
    assert [f.id for f in reg.list_files(limit=1, offset=1)] == [ids[1]]
    assert reg.stats() == RegistryStats(files=3, pages=9, pages_for_review=6)


@pytest.mark.parametrize(
    ("bad_source", "pages", "staged_keys"),
    [
        (FileSource(Path("x"), (), "../../etc/passwd", 1), [], []),
        (source(), [PageResult(1, PageStatus.OK), PageResult(1, PageStatus.OK)], []),
        (source(), [PageResult(0, PageStatus.OK)], []),
        (source(), [], ["exe"]),
    ],
)
def test_invalid_input_is_rejected_before_writing(
    reg: Registry,
    tmp_path: Path,
    bad_source: FileSource,
    pages: list[PageResult],
    staged_keys: list[str],
) -> None:
    staged = {key: tmp_path / f"f.{key}" for key in staged_keys}
    with pytest.raises(ValueError):
        reg.add_file(bad_source, pages, staged)
    assert counts(tmp_path) == (0, 0, 0)


# --- duplicates --------------------------------------------------------------------


def test_duplicate_sha256_from_another_writer(tmp_path: Path) -> None:
    """Two registries on one database (as two processes would be): the second add fails clean."""
    url = f"sqlite:///{db_path(tmp_path)}"
    with (
        Registry.open(url, tmp_path / "archive") as one,
        Registry.open(url, tmp_path / "archive") as two,
    ):
        first = one.add_file(source(), three_pages(), stage(tmp_path, "a"))
        archived = one.get_file(first).pdf_path
        assert archived is not None

        again = stage(tmp_path, "again")
        with pytest.raises(DuplicateFileError) as info:
            two.add_file(source(), three_pages(), again)
        assert info.value.existing_id == first
        assert isinstance(info.value, RegistryError) and info.value.advice

        assert all(p.exists() for p in again.values())  # caller still has its artefacts
        assert archived.read_bytes() == b"%PDF-1.7 a"  # the original archive file is untouched
        assert counts(tmp_path) == (1, 3, 3)
        assert two.add_file(source("b"), three_pages(), again) != first  # still usable


# --- atomicity ---------------------------------------------------------------------


def assert_nothing_registered(reg: Registry, tmp_path: Path) -> None:
    assert counts(tmp_path) == (0, 0, 0)
    assert archive_files(tmp_path) == []
    assert reg.find_by_sha256(sha("a")) is None
    assert reg.search("कलेक्टर") == []


def test_missing_staged_file_leaves_no_row_and_no_archive_file(
    reg: Registry, tmp_path: Path
) -> None:
    staged = stage(tmp_path)
    staged["txt"].unlink()  # the pdf is placed first, then the txt move fails
    with pytest.raises(RegistryError, match="could not archive"):
        reg.add_file(source(), three_pages(), staged)
    assert_nothing_registered(reg, tmp_path)
    assert staged["pdf"].exists()


def test_failed_replace_rolls_back_everything(
    reg: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace
    calls: list[str] = []

    def replace_then_fail(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls.append(str(dst))
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_then_fail)
    staged = stage(tmp_path)
    with pytest.raises(OutOfSpaceError):
        reg.add_file(source(), three_pages(), staged)
    monkeypatch.undo()

    assert len(calls) == 2  # the first artefact was really placed, then removed
    assert_nothing_registered(reg, tmp_path)
    assert all(p.exists() for p in staged.values())
    assert not list((tmp_path / "archive").rglob(".*.tmp"))
    # the same file can be registered once the problem is gone
    fid = reg.add_file(source(), three_pages(), staged)
    assert reg.get_file(fid).pdf_path is not None


def test_failed_commit_removes_archive_files(
    reg: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(self: Session) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(Session, "commit", boom)
    staged = stage(tmp_path)
    with pytest.raises(RuntimeError, match="power cut"):
        reg.add_file(source(), three_pages(), staged)
    monkeypatch.undo()
    assert_nothing_registered(reg, tmp_path)
    assert all(p.exists() for p in staged.values())
