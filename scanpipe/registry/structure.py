"""A scanned file's structure: parts, documents, page series and suggestions.

Runs inside ``Registry.add_file``'s transaction. Declared metadata (an
operator, an inbox, a QR sheet) always wins; a suggestion is applied only at
or above the classification's threshold, and everything else is stored with
status ``review`` for a person. Every suggestion is kept with its reason, so
``file show`` can say why a field has its value.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from scanpipe.eoffice.fileno import FileNumberError
from scanpipe.eoffice.terms import DocKind, PartKind, RecordError, parse_choice
from scanpipe.errors import NotFoundError
from scanpipe.model import Classification, FileMetadata, PageLabels, Suggestion
from scanpipe.registry.eoffice_models import (
    DocumentInfo,
    DocumentRow,
    PartInfo,
    PartRow,
    SuggestionInfo,
    SuggestionRow,
)
from scanpipe.registry.models import FileRow, PageRow
from scanpipe.registry.records import set_fields

APPLIED, REVIEW, OVERRIDDEN, ACCEPTED, REJECTED = (
    "applied", "review", "overridden", "accepted", "rejected",
)  # fmt: skip
FILE_FIELDS: Final = ("file_no", "subject", "year")
#: Page-level suggestion field -> documents column. ``doc_subject`` is a document's own
#: subject; ``subject`` (a file field) is the file's.
DOCUMENT_FIELDS: Final = {"date": "doc_date", "sender": "sender", "reference_no": "reference_no",
                          "doc_subject": "subject"}  # fmt: skip
SKIP_KINDS: Final = (DocKind.BLANK.value, DocKind.SEPARATOR.value)


def _store(session: Session, file_id: int, s: Suggestion, status: str) -> SuggestionRow:
    row = SuggestionRow(
        file_id=file_id, page_number=s.page, field=s.field, value=s.value,
        confidence=s.confidence, reason=s.reason, source=s.source, status=status,
        created_at=datetime.now(UTC),
    )  # fmt: skip
    session.add(row)
    return row


def apply_metadata(session: Session, row: FileRow, metadata: FileMetadata | None) -> set[str]:
    """Write declared metadata to a new scan's row; return the file fields it declared.

    A declared value that does not fit (a file number that does not parse, a
    year in the future) is not fatal, because the scans are precious: the
    field is left unset (a file number is kept as written, unnormalised) and a
    review suggestion says what is wrong.
    """
    if metadata is None:
        return set()
    row.metadata_origin = metadata.origin
    given = {
        "file_no": metadata.file_no, "subject": metadata.subject, "year": metadata.year,
        "declared_pages": metadata.declared_pages, "operator": metadata.operator,
    }  # fmt: skip
    groups = [{k: v} for k, v in given.items() if v is not None]
    if metadata.office or metadata.section:
        groups.append({"office": metadata.office, "section": metadata.section})
    declared: set[str] = set()
    for changes in groups:
        try:
            set_fields(session, row, changes)
            declared |= set(changes)
        except (FileNumberError, RecordError) as exc:
            name, value = next(iter(changes.items()))
            if name == "file_no":
                row.file_no = str(value)
                declared.add(name)
            why = f"{exc.part}: {exc.reason}" if isinstance(exc, FileNumberError) else exc.message
            reason = f"declared ({metadata.origin}) but invalid: {why}"
            note = Suggestion(name, str(value), 0.0, reason, "declared")
            session.flush()
            _store(session, row.id, note, REVIEW)
    return {k for k in FILE_FIELDS if k in declared}


def apply_classification(
    session: Session,
    row: FileRow,
    pages: Sequence[PageRow],
    classification: Classification | None,
    declared: set[str],
    declared_parts: Sequence[tuple[str, int]] = (),
) -> None:
    """Parts, page series, documents and suggestions for a newly added scan.

    ``declared_parts`` are ``(part, first page)`` from QR part sheets or an
    operator: they decide each page's part; without them notesheet pages go to
    Notes and the rest to Correspondence.
    """
    threshold = classification.threshold if classification else 1.0
    labels = {p.number: p for p in classification.pages} if classification else {}
    for s in classification.suggestions if classification else ():
        if s.field in declared:
            _store(session, row.id, s, OVERRIDDEN)
        elif s.confidence >= threshold and s.field in FILE_FIELDS:
            try:
                set_fields(session, row, {s.field: s.value})
                _store(session, row.id, s, APPLIED)
            except (RecordError, FileNumberError):
                _store(session, row.id, s, REVIEW)
        else:
            _store(session, row.id, s, REVIEW)
    starts = sorted((first, _part_kind(part)) for part, first in declared_parts)
    parts: dict[str, PartRow] = {}
    series: dict[str, int] = {}
    positions: dict[str, int] = {}
    document: DocumentRow | None = None
    kind_now: str | None = None
    for page in sorted(pages, key=lambda p: p.number):
        lab = labels.get(page.number)
        applied = lab is not None and lab.confidence >= threshold
        if lab is not None:
            page.language = lab.language
            page.doc_type = lab.doc_type if applied else None
            page.doc_type_confidence, page.doc_type_source = lab.confidence, lab.source
            page.notesheet = applied and lab.notesheet
            if lab.doc_type not in SKIP_KINDS:
                status = APPLIED if applied else REVIEW
                _store(session, row.id, _kind_suggestion(lab), status)
        content = lab is None or lab.doc_type not in SKIP_KINDS
        part_kind = next((k for first, k in reversed(starts) if first <= page.number), None)
        if part_kind is None and starts:
            part_kind = starts[0][1]  # pages before the first part sheet belong to that part
        if part_kind:
            kind = part_kind
        elif content or kind_now is None:
            kind = PartKind.NOTES.value if page.notesheet else PartKind.CORRESPONDENCE.value
        else:
            kind = kind_now  # a blank or separator page stays in the part it is in
        if kind not in parts:
            parts[kind] = PartRow(file_id=row.id, kind=kind)
            session.add(parts[kind])
            session.flush()
        series[kind] = series.get(kind, 0) + 1
        page.part_id, page.part_page = parts[kind].id, series[kind]
        new_doc = content and (
            document is None or kind != kind_now or (lab is not None and lab.starts_document)
        )
        if new_doc:
            positions[kind] = positions.get(kind, 0) + 1
            document = _new_document(session, row.id, parts[kind], positions[kind], lab,
                                     threshold)  # fmt: skip
        kind_now = kind
        if document is not None and document.part_id == parts[kind].id:
            page.document_id = document.id


def _part_kind(name: str) -> str:
    return parse_choice(PartKind, name, "part").value


def _kind_suggestion(lab: PageLabels) -> Suggestion:
    return Suggestion("doc_type", lab.doc_type, lab.confidence, lab.reason, lab.source, lab.number)


def _new_document(
    session: Session,
    file_id: int,
    part: PartRow,
    position: int,
    lab: PageLabels | None,
    threshold: float,
) -> DocumentRow:
    applied = lab is not None and lab.confidence >= threshold
    doc = DocumentRow(
        part_id=part.id,
        position=position,
        kind=lab.doc_type if applied and lab else DocKind.OTHER.value,
        language=lab.language if lab else None,
    )
    for s in lab.fields if lab else ():
        column = DOCUMENT_FIELDS.get(s.field)
        if column is None:
            continue
        if s.confidence >= threshold:
            setattr(doc, column, date.fromisoformat(s.value) if column == "doc_date" else s.value)
            _store(session, file_id, s, APPLIED)
        else:
            _store(session, file_id, s, REVIEW)
    session.add(doc)
    session.flush()
    return doc


def decide(session: Session, suggestion_id: int, accept: bool, value: str | None = None) -> None:
    """A person accepts (perhaps corrected) or rejects a suggestion; accepted values apply."""
    s = session.get(SuggestionRow, suggestion_id)
    if s is None:
        raise NotFoundError(f"there is no suggestion {suggestion_id}",
                            advice="run 'scanpipe file suggestions' to list them")  # fmt: skip
    if not accept:
        s.status = REJECTED
        return
    if s.field == "doc_type" and s.page_number is not None:
        close_page_suggestions(session, s.file_id, s.page_number, value or s.value)
    final = value if value is not None else s.value
    row = session.get(FileRow, s.file_id)
    assert row is not None  # the foreign key guarantees it
    if s.field in FILE_FIELDS:
        set_fields(session, row, {s.field: final})
    elif s.page_number is not None:
        page = session.scalar(
            select(PageRow).where(PageRow.file_id == s.file_id, PageRow.number == s.page_number)
        )
        if page is None:
            raise NotFoundError(f"file {s.file_id} has no page {s.page_number}")
        apply_page_value(session, page, s.field, final)
    if value is not None and value != s.value:
        s.value, s.reason = value, f"corrected by a person (was {s.value!r})"
    s.status = ACCEPTED


def apply_page_value(session: Session, page: PageRow, field: str, value: str) -> None:
    """A person's value for a page: its kind (confirmed, so it trains the model) or a field
    of the document it belongs to."""
    doc = session.get(DocumentRow, page.document_id) if page.document_id else None
    if field == "doc_type":
        kind = parse_choice(DocKind, value, "document kind").value
        page.doc_type, page.doc_type_source, page.doc_type_confidence = kind, "person", 1.0
        page.notesheet = kind == DocKind.NOTE.value
        first = session.scalar(
            select(PageRow.number).where(PageRow.document_id == page.document_id)
            .order_by(PageRow.number).limit(1)
        )  # fmt: skip
        if doc is not None and first == page.number:
            doc.kind = kind
    elif field in DOCUMENT_FIELDS and doc is not None:
        column = DOCUMENT_FIELDS[field]
        setattr(doc, column, date.fromisoformat(value) if column == "doc_date" else value)


# -- reading the structure back --------------------------------------------------------------


def parts_of(session: Session, file_id: int) -> tuple[PartInfo, ...]:
    pages = session.execute(
        select(PageRow.number, PageRow.part_id, PageRow.document_id)
        .where(PageRow.file_id == file_id).order_by(PageRow.number)
    ).all()  # fmt: skip
    order = {kind.value: i for i, kind in enumerate(PartKind)}
    parts = sorted(
        session.scalars(select(PartRow).where(PartRow.file_id == file_id)),
        key=lambda p: order.get(p.kind, 99),
    )
    out: list[PartInfo] = []
    for part in parts:
        docs = session.scalars(
            select(DocumentRow).where(DocumentRow.part_id == part.id).order_by(DocumentRow.position)
        )
        infos = tuple(
            DocumentInfo(d.id, d.position, d.kind, d.doc_date, d.sender, d.reference_no,
                         d.language, d.subject,
                         tuple(n for n, _, doc_id in pages if doc_id == d.id))
            for d in docs
        )  # fmt: skip
        numbers = tuple(n for n, part_id, _ in pages if part_id == part.id)
        out.append(PartInfo(part.id, part.kind, numbers, infos))
    return tuple(out)


def suggestions_of(
    session: Session, file_id: int | None = None, status: str | None = None, limit: int = 500
) -> tuple[SuggestionInfo, ...]:
    stmt = select(SuggestionRow).order_by(SuggestionRow.id).limit(limit)
    if file_id is not None:
        stmt = stmt.where(SuggestionRow.file_id == file_id)
    if status is not None:
        stmt = stmt.where(SuggestionRow.status == status)
    return tuple(
        SuggestionInfo(s.id, s.file_id, s.page_number, s.field, s.value, s.confidence, s.reason,
                       s.source, s.status)
        for s in session.scalars(stmt)
    )  # fmt: skip


def close_page_suggestions(session: Session, file_id: int, page: int, kind: str) -> None:
    """A person decided a page's kind: pending kind suggestions for it are settled."""
    stmt = select(SuggestionRow).where(
        SuggestionRow.file_id == file_id,
        SuggestionRow.page_number == page,
        SuggestionRow.field == "doc_type",
        SuggestionRow.status == REVIEW,
    )
    for s in session.scalars(stmt):
        s.status = ACCEPTED if s.value == kind else REJECTED
