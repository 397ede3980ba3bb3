"""Page-level review: the pages OCR could not read well, and what a person does about them.

``Registry.review_queue`` holds the classifier's suggestions; this module
holds the other half of reviewing, the pages themselves (status ``review``
or ``failed``). Every change is one transaction that also rewrites the
page's search-index entry and the file's ``pages_for_review`` count, so the
queue, the search and the file view never disagree; it also appends its audit
entry (``registry.audit``), so a page changed on the CLI or the web is on record alike.

Functions take the ``Registry`` rather than extending it, so the store stays
as it is while the review workflow settles. The page's ``reason`` keeps a
short trail (``corrected by hand (admin)``, ``moved from file 3 page 2``):
it is what the review queue and the file view show, and the move marker is
how the page's archived image is found again (see ``image_origin``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import regex
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from scanpipe.errors import ExitCode, NotFoundError, ScanpipeError
from scanpipe.model import PageResult, PageStatus
from scanpipe.registry import audit
from scanpipe.registry.models import FileRow, PageRow
from scanpipe.registry.store import REVIEW_STATUSES, Registry
from scanpipe.text import clean_ocr_text

MOVED: Final = regex.compile(r"moved from file (\d+) page (\d+)")
MAX_TEXT: Final = 200_000  # characters a corrected page may hold; a page, not a book


class PageReviewError(ScanpipeError):
    """A page-review action does not fit the page (wrong target, empty correction ...)."""

    exit_code = ExitCode.BAD_ARGS


@dataclass(frozen=True)
class ReviewPage:
    """One page waiting for a person, with what is needed to judge it side by side."""

    page_id: int
    file_id: int
    number: int
    status: str
    reason: str
    confidence: float
    text: str
    file_no: str | None
    subject: str | None
    has_pdf: bool
    missing: float | None = None  # share of text-like ink that gave no words


@dataclass(frozen=True)
class PageState:
    """A page after an action: what the CLI prints and the web app redirects with."""

    file_id: int
    number: int
    status: str
    reason: str
    confidence: float
    words: int


def _page(session: Session, file_id: int, number: int) -> PageRow:
    row = session.scalar(
        select(PageRow).where(PageRow.file_id == file_id, PageRow.number == number)
    )
    if row is None:
        if session.get(FileRow, file_id) is None:
            raise NotFoundError(
                f"there is no file with id {file_id}",
                advice="run 'scanpipe search' or 'scanpipe list' to find the file's id",
            )
        raise NotFoundError(
            f"file {file_id} has no page {number}", advice=f"see 'scanpipe file pages {file_id}'"
        )
    return row


def _reindex(session: Session, registry: Registry, page_id: int, body: str) -> None:
    """Replace the page's entry in the search index, in the same transaction as its row."""
    conn = session.connection()
    registry.search_backend.remove_page(conn, page_id)
    if body.strip():
        registry.search_backend.index_page(conn, page_id, body)


def _audit(session: Session, action: str, row: PageRow, by: str | None, **detail: Any) -> None:
    """The action's audit entry, in its transaction: page review changes what search finds."""
    audit.write(session, action, row.file_id, login=by, detail={"page": row.number, **detail})


def _recount(session: Session, file_id: int) -> None:
    session.flush()
    pages, review = session.execute(
        select(func.count(), func.count().filter(PageRow.status.in_(REVIEW_STATUSES))).where(
            PageRow.file_id == file_id
        )
    ).one()
    session.execute(
        update(FileRow)
        .where(FileRow.id == file_id)
        .values(page_count=pages or 0, pages_for_review=review or 0)
    )


def _state(row: PageRow) -> PageState:
    return PageState(row.file_id, row.number, row.status, row.reason, row.confidence, row.words)


def _trail(row: PageRow, note: str) -> str:
    """The new reason: the decision, keeping a move marker so the image can still be found."""
    moved = MOVED.search(row.reason or "")
    return f"{note}; {moved.group(0)}" if moved and moved.group(0) not in note else note


def review_pages(registry: Registry, limit: int = 100, offset: int = 0) -> list[ReviewPage]:
    """Failed pages first, then those that lost most of their text, then oldest first."""
    stmt = (
        select(PageRow, FileRow.file_no, FileRow.subject, FileRow.pdf_path)
        .join(FileRow, FileRow.id == PageRow.file_id)
        .where(PageRow.status.in_(REVIEW_STATUSES))
        .order_by(
            (PageRow.status == PageStatus.FAILED.value).desc(),
            func.coalesce(PageRow.missing, 0.0).desc(),
            PageRow.id,
        )
        .limit(limit)
        .offset(offset)
    )
    with registry.reading("reading the page review queue") as session:
        return [
            ReviewPage(
                p.id,
                p.file_id,
                p.number,
                p.status,
                p.reason,
                p.confidence,
                p.text,
                file_no,
                subject,
                bool(pdf),
                p.missing,
            )
            for p, file_no, subject, pdf in session.execute(stmt).all()
        ]


def correct_text(registry: Registry, file_id: int, number: int, body: str, by: str) -> PageState:
    """A person's reading replaces the OCR text; the page leaves the queue and is searchable."""
    body = clean_ocr_text(body.replace("\r\n", "\n"))
    if not body.strip():
        raise PageReviewError(
            f"the corrected text of file {file_id} page {number} is empty",
            advice="type the page's text, or mark the page blank instead",
        )
    if len(body) > MAX_TEXT:
        raise PageReviewError(
            f"the corrected text has {len(body)} characters; at most {MAX_TEXT}",
            advice="check the right text was pasted",
        )
    with registry.writing("correcting a page's text") as session:
        row = _page(session, file_id, number)
        row.text, row.status = body, PageStatus.OK.value
        row.words = len(body.split())
        row.reason = _trail(row, f"text corrected by hand ({by})")
        _reindex(session, registry, row.id, body)
        _recount(session, file_id)
        _audit(session, "page-correct", row, by, words=row.words)
        return _state(row)


def mark_blank(registry: Registry, file_id: int, number: int, by: str) -> PageState:
    """A blank page has no text to find: it leaves the index and the queue."""
    with registry.writing("marking a page blank") as session:
        row = _page(session, file_id, number)
        row.text, row.words, row.status = "", 0, PageStatus.OK.value
        row.doc_type, row.doc_type_source, row.doc_type_confidence = "blank", "person", 1.0
        row.reason = _trail(row, f"marked blank ({by})")
        _reindex(session, registry, row.id, "")
        _recount(session, file_id)
        _audit(session, "page-blank", row, by)
        return _state(row)


def accept_page(registry: Registry, file_id: int, number: int, by: str) -> PageState:
    """The OCR text is good enough as it is (a low score on a stamp-heavy page, say)."""
    with registry.writing("accepting a page") as session:
        row = _page(session, file_id, number)
        if row.status not in REVIEW_STATUSES:
            raise PageReviewError(
                f"file {file_id} page {number} is not waiting for review (status {row.status})",
                advice="nothing to do; 'scanpipe page list' shows the pages that are",
            )
        if row.status == PageStatus.FAILED.value and not row.text.strip():
            raise PageReviewError(
                f"file {file_id} page {number} failed and has no text to accept",
                advice="retry it with other settings, correct its text, or mark it blank",
            )
        row.status = PageStatus.OK.value
        row.reason = _trail(row, f"accepted as read ({by}); was: {row.reason}"[:500])
        _recount(session, file_id)
        _audit(session, "page-accept", row, by)
        return _state(row)


def move_page(registry: Registry, file_id: int, number: int, to_file: int, by: str) -> PageState:
    """Put a page that was scanned into the wrong file at the end of the right one.

    The page keeps its id (so its index entry stays valid) and gets the next
    number of the target file; it loses its part and document, which belong
    to the old file. The archived image stays in the old file's PDF/A; the
    reason records where, so the page can still be shown.
    """
    if to_file == file_id:
        raise PageReviewError(
            f"page {number} is already in file {file_id}", advice="give the other file's id"
        )
    with registry.writing("moving a page") as session:
        row = _page(session, file_id, number)
        if session.get(FileRow, to_file) is None:
            raise NotFoundError(
                f"there is no file with id {to_file} to move the page to",
                advice="run 'scanpipe search' or 'scanpipe list' to find the file's id",
            )
        origin = image_origin(row.file_id, row.number, row.reason)
        last = session.scalar(select(func.max(PageRow.number)).where(PageRow.file_id == to_file))
        row.file_id, row.number = to_file, (last or 0) + 1
        row.part_id = row.part_page = row.document_id = None
        marker = f"moved from file {origin[0]} page {origin[1]}"
        row.reason = f"{marker} ({by})"
        _recount(session, file_id)
        _recount(session, to_file)
        _audit(session, "page-move", row, by, from_file=file_id, from_page=number)
        return _state(row)


def image_origin(file_id: int, number: int, reason: str) -> tuple[int, int]:
    """``(file, page)`` whose archive holds this page's image: its own, unless it was moved."""
    moved = MOVED.search(reason or "")
    return (int(moved.group(1)), int(moved.group(2))) if moved else (file_id, number)


def page_reason(registry: Registry, file_id: int, number: int) -> str:
    with registry.reading("reading a page") as session:
        return _page(session, file_id, number).reason


def apply_result(
    registry: Registry,
    file_id: int,
    number: int,
    result: PageResult,
    note: str,
    *,
    by: str | None = None,
) -> PageState:
    """Store a re-run of OCR on the page; a failed re-run keeps the text read before.

    ``by`` is who asked for the re-run, for the audit log (None: the OS account).
    """
    with registry.writing("storing the re-read page") as session:
        row = _page(session, file_id, number)
        _audit(session, "page-retry", row, by, note=note, status=result.status.value)
        if result.status is PageStatus.FAILED:
            row.status = PageStatus.FAILED.value
            row.reason = _trail(row, f"{note} failed: {result.reason}"[:2000])
            return _state(row)
        body = clean_ocr_text(result.text)
        row.text, row.confidence, row.words = body, result.confidence, result.words
        row.missing = result.missing if result.missing >= 0 else None
        row.reading = result.reading[:80]
        row.skew_deg, row.orientation_deg = result.skew_deg, result.orientation_deg
        row.dpi, row.width, row.height = result.dpi, result.width, result.height
        row.status = result.status.value
        row.reason = _trail(row, f"{note}: {result.reason}" if result.reason else note)
        _reindex(session, registry, row.id, body)
        _recount(session, file_id)
        return _state(row)


def source_of(registry: Registry, file_id: int) -> tuple[Path | None, str | None, Path | None]:
    """``(source path, sha256, archive PDF)`` of a file, for re-reading its pages."""
    info = registry.get_file(file_id)
    return info.source_path, info.sha256, info.pdf_path
