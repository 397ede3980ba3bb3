"""The e-Office half of ``Registry``: files registered by hand, edits, reviews, look-ups.

A mixin so that ``store.py`` keeps the scan-archiving half readable; both
share ``session.Transactions`` (``reading()``/``writing()``). Every write runs in one
``BEGIN IMMEDIATE`` transaction, so two clerks registering at once get
distinct computer numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scanpipe.eoffice.fileno import parse_file_no
from scanpipe.eoffice.terms import RecordError
from scanpipe.errors import NotFoundError
from scanpipe.registry.eoffice_models import (
    FileRecord,
    OfficeRow,
    SectionRow,
    SuggestionInfo,
)
from scanpipe.registry.models import FileRow, PageRow
from scanpipe.registry.records import (
    FileDraft,
    find_twin,
    link_by_file_no,
    next_computer_no,
    set_fields,
)
from scanpipe.registry.session import Transactions
from scanpipe.registry.structure import (
    REVIEW,
    apply_page_value,
    close_page_suggestions,
    decide,
    parts_of,
    suggestions_of,
)

FIND_ADVICE = "run 'scanpipe file list' to find the file's id"


class EOfficeRegistry(Transactions):
    """Methods mixed into ``Registry``; see ``store.Registry`` for opening one."""

    archive_dir: Path

    @property
    def data_dir(self) -> Path:
        """The data folder (``SCANPIPE_HOME``): the archive's parent; holds ``rules.toml``."""
        return self.archive_dir.parent

    def register_file(self, draft: FileDraft) -> int:
        """Register a file from its paper (no scans); returns its id.

        Raises RecordError when a paper file with the same number and volume is
        already registered, and links scans already registered under the number.
        """
        with self.writing("registering a file") as session:
            row = FileRow(
                source_path=None, sha256=None, page_count=0, size_bytes=0,
                created_at=datetime.now(UTC), computer_no=next_computer_no(session),
                status="registered", pages_for_review=0, metadata_origin="declared",
            )  # fmt: skip
            set_fields(session, row, {"nature": draft.nature, **draft.changes()})
            _refuse_twin(session, row)
            session.add(row)
            session.flush()
            link_by_file_no(session, row)
            return row.id

    def edit_file(self, file_id: int, changes: Mapping[str, Any]) -> FileRecord:
        """Change fields of a file; the same validation as registering."""
        with self.writing("editing a file") as session:
            row = _get(session, file_id)
            set_fields(session, row, changes)
            if ("file_no" in changes or "volume" in changes) and row.nature != "physical":
                row.original_id = None  # a scan with a new number belongs to that number's paper
            _refuse_twin(session, row)
            session.flush()
            link_by_file_no(session, row)
        return self.get_record(file_id)

    def get_record(self, file_id: int) -> FileRecord:
        with self.reading("reading a file") as session:
            return _record(session, _get(session, file_id), full=True)

    def list_records(
        self,
        *,
        file_no: str | None = None,
        state: str | None = None,
        category: str | None = None,
        nature: str | None = None,
        review_by: int | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[FileRecord]:
        """Files matching every filter given, newest first (without parts and suggestions)."""
        stmt = select(FileRow).order_by(FileRow.id.desc()).limit(limit).offset(offset)
        if file_no is not None:
            stmt = stmt.where(FileRow.file_no_norm == parse_file_no(file_no).normalised)
        for column, value in ((FileRow.file_state, state), (FileRow.category, category),
                              (FileRow.nature, nature)):  # fmt: skip
            if value is not None:
                stmt = stmt.where(column == value)
        if review_by is not None:
            stmt = stmt.where(FileRow.review_year <= review_by)
        with self.reading("listing files") as session:
            return [_record(session, row, full=False) for row in session.scalars(stmt)]

    def find_file_no(self, written: str) -> list[int]:
        """Ids of the files with this number, in any written form (``४५/२०१९/स्था.``)."""
        norm = parse_file_no(written).normalised
        with self.reading("looking up a file number") as session:
            return list(
                session.scalars(
                    select(FileRow.id).where(FileRow.file_no_norm == norm).order_by(FileRow.id)
                )
            )

    def review_queue(self, file_id: int | None = None, limit: int = 200) -> list[SuggestionInfo]:
        """Suggestions waiting for a person, oldest first."""
        with self.reading("reading the review queue") as session:
            return list(suggestions_of(session, file_id, REVIEW, limit))

    def decide(self, suggestion_id: int, accept: bool, value: str | None = None) -> None:
        """Accept (optionally with a corrected value) or reject one suggestion."""
        with self.writing("deciding a suggestion") as session:
            decide(session, suggestion_id, accept, value)

    def label_page(self, file_id: int, page: int, kind: str) -> None:
        """A person confirms page ``page``'s document kind; it becomes training data."""
        with self.writing("labelling a page") as session:
            _get(session, file_id)
            row = session.scalar(
                select(PageRow).where(PageRow.file_id == file_id, PageRow.number == page)
            )
            if row is None:
                raise NotFoundError(f"file {file_id} has no page {page}",
                                    advice=f"see 'scanpipe file show {file_id}'")  # fmt: skip
            apply_page_value(session, row, "doc_type", kind)
            close_page_suggestions(session, file_id, page, row.doc_type or kind)

    def confirmed_labels(self) -> list[tuple[str, str]]:
        """``(page text, kind)`` of every page whose kind a person confirmed: training data."""
        stmt = select(PageRow.text, PageRow.doc_type).where(
            PageRow.doc_type_source == "person", PageRow.doc_type.is_not(None)
        )
        with self.reading("reading confirmed labels") as session:
            return [(text, kind) for text, kind in session.execute(stmt) if kind]

    def office_names(self) -> list[str]:
        """Known office names, English and Hindi, for matching letterheads."""
        with self.reading("reading offices") as session:
            rows = session.execute(select(OfficeRow.name_en, OfficeRow.name_hi)).all()
        return [name for pair in rows for name in pair if name]


def _get(session: Session, file_id: int) -> FileRow:
    row = session.get(FileRow, file_id)
    if row is None:
        raise NotFoundError(f"there is no file with id {file_id}", advice=FIND_ADVICE)
    return row


def _refuse_twin(session: Session, row: FileRow) -> None:
    twin = find_twin(session, row)
    if twin is not None:
        raise RecordError(
            f"paper file {row.file_no_norm} volume {row.volume} is already registered "
            f"as file {twin}",
            advice=f"edit it with 'scanpipe file edit {twin} ...', or give --volume",
        )


def _record(session: Session, row: FileRow, *, full: bool) -> FileRecord:
    office = session.get(OfficeRow, row.office_id) if row.office_id else None
    section = session.get(SectionRow, row.section_id) if row.section_id else None
    scans = tuple(session.scalars(select(FileRow.id).where(FileRow.original_id == row.id)))
    return FileRecord.from_row(
        row,
        office=_name(office),
        section=_name(section),
        digitised_ids=scans,
        parts=parts_of(session, row.id) if full else (),
        suggestions=suggestions_of(session, row.id) if full else (),
    )


def _name(row: OfficeRow | SectionRow | None) -> str | None:
    if row is None:
        return None
    return f"{row.name_en} / {row.name_hi}" if row.name_hi else row.name_en
