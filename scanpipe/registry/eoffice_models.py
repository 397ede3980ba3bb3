"""e-Office tables (migration 0002): offices, sections, parts, documents, suggestions.

Same rules as ``models.py``: rows never leave the store, callers get the
frozen views at the bottom, and every class here must match the migration
(``test_models_match_the_migrations``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from scanpipe.registry.base import Base, UTCDateTime
from scanpipe.registry.models import FileRow


class OfficeRow(Base):
    """An office: the Collectorate, the Zila Panchayat, a tehsil."""

    __tablename__ = "offices"
    __table_args__ = (UniqueConstraint("code", name="uq_offices_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    name_en: Mapped[str] = mapped_column(Text)
    name_hi: Mapped[str | None] = mapped_column(Text)


class DepartmentRow(Base):
    """A state department a section works for (GAD, Revenue ...)."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("code", name="uq_departments_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    name_en: Mapped[str] = mapped_column(Text)
    name_hi: Mapped[str | None] = mapped_column(Text)


class SectionRow(Base):
    """A section of an office (Establishment, Revenue, Record Room ...); codes end file numbers."""

    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("office_id", "code", name="uq_sections_office_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(
        ForeignKey("offices.id", ondelete="CASCADE", name="fk_sections_office_id")
    )
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL", name="fk_sections_department_id")
    )
    code: Mapped[str] = mapped_column(String(32))
    name_en: Mapped[str] = mapped_column(Text)
    name_hi: Mapped[str | None] = mapped_column(Text)


class PartRow(Base):
    """One of a file's four parts; its pages are numbered in their own series."""

    __tablename__ = "parts"
    __table_args__ = (UniqueConstraint("file_id", "kind", name="uq_parts_file_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(
        ForeignKey("files.id", ondelete="CASCADE", name="fk_parts_file_id"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))


class DocumentRow(Base):
    """A document inside a part: a letter, a note, an order ... over one or more pages."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("part_id", "position", name="uq_documents_part_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    part_id: Mapped[int] = mapped_column(
        ForeignKey("parts.id", ondelete="CASCADE", name="fk_documents_part_id"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)  # 1-based order inside the part
    kind: Mapped[str] = mapped_column(String(16))
    doc_date: Mapped[date | None] = mapped_column(Date)
    sender: Mapped[str | None] = mapped_column(Text)
    reference_no: Mapped[str | None] = mapped_column(String(120))
    language: Mapped[str | None] = mapped_column(String(8))
    subject: Mapped[str | None] = mapped_column(Text)


class SuggestionRow(Base):
    """What the classifier proposed, why, how sure, and what became of it.

    ``status``: ``applied`` (confident enough, written to the file), ``review``
    (below the threshold: a person decides), ``accepted`` / ``rejected`` (a
    person did), ``overridden`` (a declared value won).
    """

    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(
        ForeignKey("files.id", ondelete="CASCADE", name="fk_suggestions_file_id"), index=True
    )
    page_number: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


# -- frozen views ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    position: int
    kind: str
    doc_date: date | None
    sender: str | None
    reference_no: str | None
    language: str | None
    subject: str | None
    pages: tuple[int, ...]  # file page numbers, in order


@dataclass(frozen=True)
class PartInfo:
    id: int
    kind: str
    pages: tuple[int, ...]  # file page numbers; the part's own series is 1..len(pages)
    documents: tuple[DocumentInfo, ...]


@dataclass(frozen=True)
class SuggestionInfo:
    id: int
    file_id: int
    page_number: int | None
    field: str
    value: str
    confidence: float
    reason: str
    source: str
    status: str


def place_text(room: str | None, almirah: str | None, shelf: str | None, bundle: str | None) -> str:
    """A record-room place as clerks write it, ``?`` for what is not known; "" if nothing is."""
    bits = [room, almirah, shelf, bundle]
    return " / ".join(b or "?" for b in bits) if any(bits) else ""


@dataclass(frozen=True)
class FileRecord:
    """Everything e-Office and the records room know about one file; ``file show``."""

    id: int
    computer_no: int
    file_no: str | None
    file_no_norm: str | None
    subject: str | None
    nature: str
    original_id: int | None
    digitised_ids: tuple[int, ...]  # scans that point at this paper original
    file_state: str
    category: str | None
    retention_years: int | None
    review_year: int | None
    volume: int
    room: str | None
    almirah: str | None
    shelf: str | None
    bundle: str | None
    created_on: date | None
    opened_on: date | None
    closed_on: date | None
    grading: str
    year: int | None
    office: str | None
    section: str | None
    page_count: int
    declared_pages: int | None
    pdf_path: Path | None
    source_path: Path | None
    sha256: str | None
    metadata_origin: str | None
    parts: tuple[PartInfo, ...]
    suggestions: tuple[SuggestionInfo, ...]

    @property
    def location(self) -> str:
        """``room / almirah / shelf / bundle`` as far as known."""
        return place_text(self.room, self.almirah, self.shelf, self.bundle)

    @classmethod
    def from_row(
        cls,
        row: FileRow,
        *,
        office: str | None,
        section: str | None,
        digitised_ids: tuple[int, ...],
        parts: tuple[PartInfo, ...],
        suggestions: tuple[SuggestionInfo, ...],
    ) -> FileRecord:
        return cls(
            id=row.id,
            computer_no=row.computer_no,
            file_no=row.file_no,
            file_no_norm=row.file_no_norm,
            subject=row.subject,
            nature=row.nature,
            original_id=row.original_id,
            digitised_ids=digitised_ids,
            file_state=row.file_state,
            category=row.category,
            retention_years=row.retention_years,
            review_year=row.review_year,
            volume=row.volume,
            room=row.room,
            almirah=row.almirah,
            shelf=row.shelf,
            bundle=row.bundle,
            created_on=row.created_on,
            opened_on=row.opened_on,
            closed_on=row.closed_on,
            grading=row.grading,
            year=row.year,
            office=office,
            section=section,
            page_count=row.page_count,
            declared_pages=row.declared_pages,
            pdf_path=Path(row.pdf_path) if row.pdf_path else None,
            source_path=Path(row.source_path) if row.source_path else None,
            sha256=row.sha256,
            metadata_origin=row.metadata_origin,
            parts=parts,
            suggestions=suggestions,
        )
