"""The registry: files, their pages, their archived artefacts and the search index.

``add_file`` is the one writer and it is all-or-nothing (DESIGN.md §3): rows
and index entries first (so a duplicate sha256 fails before any file is
touched), then the artefacts go into the archive under a temp name, are
fsynced and ``os.replace``d into place, then the transaction commits. If
anything fails the transaction rolls back and every archive file this call
placed is removed, so there is never a row without its file nor a file
without its row. (A crash between ``os.replace`` and commit can leave an
archive file without a row; the retry overwrites it, because its name is the
sha256.)
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import string
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Final, Self

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from scanpipe.eoffice.glossary import GLOSSARY_FILE
from scanpipe.errors import NotFoundError, OutOfSpaceError, RegistryError
from scanpipe.model import Classification, FileMetadata, FileSource, PageResult, PageStatus
from scanpipe.registry.db import BEGIN_MODE, make_engine, migrate, parse_url, sqlite_path
from scanpipe.registry.db import db_errors as _db_errors
from scanpipe.registry.eoffice_store import EOfficeRegistry
from scanpipe.registry.models import (
    FILE_STATUS_REGISTERED,
    FileInfo,
    FileRow,
    FileSummary,
    PageRow,
    RegistryStats,
)
from scanpipe.registry.records import link_by_file_no, next_computer_no
from scanpipe.registry.search import SearchBackend
from scanpipe.registry.searching import Searching, make_search_backend
from scanpipe.registry.structure import apply_classification, apply_metadata
from scanpipe.text import clean_ocr_text

#: Staged artefact key -> files column. The key is also the archive file's suffix.
ARTEFACT_COLUMNS: Final[Mapping[str, str]] = {"pdf": "pdf_path", "txt": "text_path"}
REVIEW_STATUSES: Final = (PageStatus.REVIEW.value, PageStatus.FAILED.value)
FIND_ADVICE: Final = "run 'scanpipe search' or 'scanpipe list' to find the file's id"


class DuplicateFileError(RegistryError):
    """The same bytes (same sha256) are already registered.

    Raised rather than silently returning the old id so the caller can report
    the duplicate (DESIGN.md §5.4); ``existing_id`` says which file it was.
    Nothing was written and the staged artefacts were left where they were.
    """

    def __init__(self, sha256: str, existing_id: int, path: Path | None = None):
        self.sha256 = sha256
        self.existing_id = existing_id
        super().__init__(
            f"already registered as file {existing_id} (sha256 {sha256[:12]}…)",
            advice="nothing to do: a file is registered once; remove the duplicate copy",
            path=path,
        )


def _check_sha256(sha256: str) -> str:
    """The hash names archive files, so it must be exactly 64 hex digits (no path tricks)."""
    sha = sha256.lower()
    if len(sha) != 64 or not set(sha) <= set(string.hexdigits.lower()):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return sha


def _fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (POSIX; a no-op where directories cannot be opened)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _place(src: Path, dest: Path) -> None:
    """Put a copy of ``src`` at ``dest`` atomically and durably; ``src`` is left alone.

    A hard link costs nothing on the same file system; across file systems we
    copy. Leaving ``src`` until the commit means a failed registration loses
    nothing and can simply be retried.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.tmp")
    try:
        try:
            os.link(src, tmp)
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                raise
            shutil.copyfile(src, tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(dest.parent)


class Registry(EOfficeRegistry, Searching):
    """The file registry. Open with ``Registry.open``; use as a context manager.

    This half archives scans; the e-Office half (register by hand, edit, review)
    is ``eoffice_store.EOfficeRegistry``.
    """

    def __init__(self, engine: Engine, archive_dir: Path, search: SearchBackend):
        super().__init__(engine, search)
        self.archive_dir = archive_dir

    @classmethod
    def open(cls, db_url: str, archive_dir: Path, *, hold_classified: bool = True) -> Registry:
        """Create missing directories, connect and migrate the schema to the newest version."""
        archive_dir = Path(archive_dir).absolute()
        url = parse_url(db_url)
        db_file = sqlite_path(url)
        try:
            archive_dir.mkdir(parents=True, exist_ok=True)
            if db_file is not None:
                db_file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RegistryError(
                f"cannot create a registry directory: {exc.strerror}",
                advice="check SCANPIPE_HOME points to a writable folder",
                path=exc.filename,
            ) from exc
        search = make_search_backend(url.get_backend_name(), archive_dir.parent / GLOSSARY_FILE)
        engine = make_engine(db_url)
        try:
            if url.get_backend_name() == "postgresql":
                from scanpipe.registry.pgcheck import check_database

                check_database(engine)
            migrate(engine)
        except BaseException:
            engine.dispose()
            raise
        registry = cls(engine, archive_dir, search)
        registry.hold_classified = hold_classified
        return registry

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def archive_path(self, sha256: str, key: str) -> Path:
        """Where artefact ``key`` of the file with ``sha256`` lives in the archive."""
        sha = _check_sha256(sha256)
        return self.archive_dir / sha[:2] / f"{sha}.{key}"

    def find_by_sha256(self, sha256: str) -> int | None:
        with self.reading("looking up a file by sha256") as session:
            return session.scalar(select(FileRow.id).where(FileRow.sha256 == sha256.lower()))

    def add_file(
        self,
        source: FileSource,
        pages: Sequence[PageResult],
        staged: Mapping[str, Path],
        metadata: FileMetadata | None = None,
        classification: Classification | None = None,
    ) -> int:
        """Register ``source`` with its pages and archive its ``staged`` artefacts, atomically.

        ``metadata`` (declared by an operator, inbox or QR sheet) is stored on
        the file and wins over ``classification``, whose confident suggestions
        are applied and the rest queued for review; parts, page series and
        documents follow from both (``registry.structure``). A scan whose file
        number matches a registered paper file is linked to it.

        ``staged`` maps an artefact key ("pdf", "txt") to a finished file; after
        the commit the staged files are removed (they were moved). Returns the
        new file id. Raises DuplicateFileError if the sha256 is already there.
        """
        sha = _check_sha256(source.sha256)
        unknown = set(staged) - set(ARTEFACT_COLUMNS)
        if unknown:
            raise ValueError(
                f"unknown artefact keys {sorted(unknown)}; use {list(ARTEFACT_COLUMNS)}"
            )
        numbers = [p.number for p in pages]
        if len(set(numbers)) != len(numbers) or any(n < 1 for n in numbers):
            raise ValueError(f"page numbers must be unique and start at 1: {numbers}")

        placed: list[Path] = []
        try:
            with _db_errors("registering the file"), Session(self._engine) as session:
                conn = session.connection(execution_options={BEGIN_MODE: "IMMEDIATE"})
                row = FileRow(
                    source_path=str(source.path),
                    sha256=sha,
                    page_count=len(pages),
                    size_bytes=source.size_bytes,
                    created_at=datetime.now(UTC),
                    status=FILE_STATUS_REGISTERED,
                    pages_for_review=sum(p.status.value in REVIEW_STATUSES for p in pages),
                    computer_no=next_computer_no(session),
                    nature="digitised",
                )
                session.add(row)
                try:
                    session.flush()
                except IntegrityError as exc:
                    session.rollback()
                    existing = self.find_by_sha256(sha)
                    if existing is None:
                        raise
                    raise DuplicateFileError(sha, existing, source.path) from exc
                declared = apply_metadata(session, row, metadata)
                page_rows = [_page_row(row.id, p) for p in sorted(pages, key=lambda p: p.number)]
                session.add_all(page_rows)
                session.flush()
                parts = _declared_parts(metadata)
                apply_classification(session, row, page_rows, classification, declared, parts)
                link_by_file_no(session, row)
                for page_row in page_rows:
                    self._search.index_page(conn, page_row.id, page_row.text)
                for key, src in staged.items():
                    dest = self.archive_path(sha, key)
                    _place(Path(src), dest)
                    placed.append(dest)
                    setattr(row, ARTEFACT_COLUMNS[key], str(dest))
                file_id = row.id
                session.commit()
        except BaseException as exc:
            for dest in placed:
                with contextlib.suppress(OSError):
                    dest.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise _archive_error(exc, sha) from exc
            raise
        for src in staged.values():
            with contextlib.suppress(OSError):
                Path(src).unlink(missing_ok=True)
        return file_id

    def get_file(self, file_id: int) -> FileInfo:
        with self.reading("reading a file") as session:
            row = session.get(FileRow, file_id, options=[selectinload(FileRow.pages)])
            if row is None:
                raise NotFoundError(f"there is no file with id {file_id}", advice=FIND_ADVICE)
            return FileInfo.from_row(row)

    def list_files(self, limit: int = 50, offset: int = 0) -> list[FileSummary]:
        """Registered files, newest first."""
        if limit < 1 or offset < 0:
            raise ValueError(f"need limit >= 1 and offset >= 0, got {limit}, {offset}")
        stmt = select(FileRow).order_by(FileRow.id.desc()).limit(limit).offset(offset)
        with self.reading("listing files") as session:
            return [FileSummary.from_row(r) for r in session.scalars(stmt)]

    def page_text(self, file_id: int, number: int | None = None) -> str:
        """The OCR text of one page, or of all pages joined by a form feed (``\\f``)."""
        with self.reading("reading page text") as session:
            if session.get(FileRow, file_id) is None:
                raise NotFoundError(f"there is no file with id {file_id}", advice=FIND_ADVICE)
            stmt = select(PageRow.number, PageRow.text).where(PageRow.file_id == file_id)
            rows = session.execute(stmt.order_by(PageRow.number)).all()
        if number is None:
            return "\f".join(text for _, text in rows)
        for n, text in rows:
            if n == number:
                return text
        have = f"pages {rows[0][0]}-{rows[-1][0]}" if rows else "no pages"
        raise NotFoundError(
            f"file {file_id} has no page {number}", advice=f"file {file_id} has {have}"
        )

    def stats(self) -> RegistryStats:
        review = func.count().filter(PageRow.status.in_(REVIEW_STATUSES))
        with self.reading("counting files") as session:
            files = session.scalar(select(func.count()).select_from(FileRow)) or 0
            pages, for_review = session.execute(select(func.count(), review)).one()
        return RegistryStats(files=files, pages=pages or 0, pages_for_review=for_review or 0)


def _declared_parts(metadata: FileMetadata | None) -> list[tuple[str, int]]:
    """``(part, first page)`` from QR part sheets, or the one part an operator declared."""
    if metadata is None:
        return []
    if metadata.parts:
        return [(p.part, p.first_page) for p in metadata.parts]
    return [(metadata.part, 1)] if metadata.part else []


def _page_row(file_id: int, page: PageResult) -> PageRow:
    return PageRow(
        file_id=file_id,
        number=page.number,
        text=clean_ocr_text(page.text),
        confidence=page.confidence,
        skew_deg=page.skew_deg,
        orientation_deg=page.orientation_deg,
        status=page.status.value,
        reason=page.reason,
        dpi=page.dpi,
        width=page.width,
        height=page.height,
        words=page.words,
        missing=page.missing if page.missing >= 0 else None,
        reading=page.reading[:80],
        text_source=page.text_source[:16],
        source_note=page.source_note,
    )


def _archive_error(exc: OSError, sha256: str) -> RegistryError:
    """Explain a failed archive write; nothing was registered."""
    if exc.errno == errno.ENOSPC:
        return OutOfSpaceError(
            "the archive disk is full; nothing was registered",
            advice="free disk space and convert the file again",
            path=exc.filename,
        )
    return RegistryError(
        f"could not archive file {sha256[:12]}…: {exc.strerror or exc}; nothing was registered",
        advice="check the staged file exists and the archive folder is writable, then retry",
        path=exc.filename,
    )
