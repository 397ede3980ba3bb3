"""Registry tables (SQLAlchemy 2 typed ORM) and the frozen views handed to callers.

ORM rows never leave the store: callers get frozen dataclasses, so nothing
outside ``store.py`` can lazily load or mutate a row after its session closed.
The schema itself is created by the Alembic migrations, not by
``metadata.create_all``; these classes must match ``migrations/versions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scanpipe.registry.base import Base, UTCDateTime

__all__ = ["Base", "FileRow", "PageRow", "UTCDateTime"]

FILE_STATUS_REGISTERED = "registered"


class FileRow(Base):
    """One file: scanned (``sha256`` set, unique) or registered by hand from paper (no sha256).

    The columns after ``pages_for_review`` are what e-Office and the records
    room know of it (migration 0002); ``file_no`` is kept as written and
    ``file_no_norm`` is the parsed key that links scans, register rows and
    NIC folders.
    """

    __tablename__ = "files"
    __table_args__ = (
        UniqueConstraint("sha256", name="uq_files_sha256"),
        UniqueConstraint("computer_no", name="uq_files_computer_no"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_path: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))
    page_count: Mapped[int] = mapped_column(Integer)
    # 64-bit: a scanned stack passes 2 GiB (migration 0004; SQLite's INTEGER already is).
    size_bytes: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    pdf_path: Mapped[str | None] = mapped_column(Text)
    text_path: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), default=FILE_STATUS_REGISTERED)
    pages_for_review: Mapped[int] = mapped_column(Integer, default=0)

    computer_no: Mapped[int] = mapped_column(Integer)
    file_no: Mapped[str | None] = mapped_column(String(120))
    file_no_norm: Mapped[str | None] = mapped_column(String(120), index=True)
    subject: Mapped[str | None] = mapped_column(Text)
    nature: Mapped[str] = mapped_column(String(16), default="digitised")
    original_id: Mapped[int | None] = mapped_column(
        ForeignKey("files.id", ondelete="SET NULL", name="fk_files_original_id")
    )
    file_state: Mapped[str] = mapped_column(String(16), default="open")
    category: Mapped[str | None] = mapped_column(String(1))
    retention_years: Mapped[int | None] = mapped_column(Integer)
    review_year: Mapped[int | None] = mapped_column(Integer)
    volume: Mapped[int] = mapped_column(Integer, default=1)
    room: Mapped[str | None] = mapped_column(String(64))
    almirah: Mapped[str | None] = mapped_column(String(64))  # almirah or rack
    shelf: Mapped[str | None] = mapped_column(String(64))
    bundle: Mapped[str | None] = mapped_column(String(64))
    created_on: Mapped[date | None] = mapped_column(Date)
    opened_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    grading: Mapped[str] = mapped_column(String(16), default="normal")
    year: Mapped[int | None] = mapped_column(Integer)
    office_id: Mapped[int | None] = mapped_column(
        ForeignKey("offices.id", ondelete="SET NULL", name="fk_files_office_id")
    )
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("sections.id", ondelete="SET NULL", name="fk_files_section_id")
    )
    declared_pages: Mapped[int | None] = mapped_column(Integer)
    operator: Mapped[str | None] = mapped_column(String(100))
    metadata_origin: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    pages: Mapped[list[PageRow]] = relationship(
        back_populates="file", order_by="PageRow.number", cascade="all, delete-orphan"
    )


class PageRow(Base):
    """One page of a file with its OCR text as read (not the search-folded form).

    Page ``number`` is also its page in the archived PDF/A; ``part_page`` is its
    number in its part's own series (notes 1, 2 ...; correspondence 1, 2 ...).
    """

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("file_id", "number", name="uq_pages_file_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(
        ForeignKey("files.id", ondelete="CASCADE", name="fk_pages_file_id"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[float] = mapped_column(Float)
    skew_deg: Mapped[float] = mapped_column(Float)
    orientation_deg: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    dpi: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    words: Mapped[int] = mapped_column(Integer)
    # Share of the page's text-like ink that produced no word (ocr/completeness.py);
    # None for pages converted before it was measured.
    missing: Mapped[float | None] = mapped_column(Float)
    reading: Mapped[str] = mapped_column(String(80), default="", server_default="")
    # unicode | legacy | ocr (ocr/layer_triage.py), and why; "" before the triage existed.
    text_source: Mapped[str] = mapped_column(String(16), default="", server_default="")
    source_note: Mapped[str] = mapped_column(Text, default="", server_default="")

    part_id: Mapped[int | None] = mapped_column(
        ForeignKey("parts.id", ondelete="SET NULL", name="fk_pages_part_id"), index=True
    )
    part_page: Mapped[int | None] = mapped_column(Integer)
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL", name="fk_pages_document_id"), index=True
    )
    language: Mapped[str | None] = mapped_column(String(8))
    doc_type: Mapped[str | None] = mapped_column(String(16))
    doc_type_confidence: Mapped[float | None] = mapped_column(Float)
    doc_type_source: Mapped[str | None] = mapped_column(String(16))  # rule | model | person
    notesheet: Mapped[bool] = mapped_column(Boolean, default=False)

    file: Mapped[FileRow] = relationship(back_populates="pages")


class VocabularyRow(Base):
    """One indexed word, its document frequency and spelling keys (registry/vocabulary.py).

    Written only through ``vocabulary.count`` on the index's connection.
    """

    __tablename__ = "vocabulary"

    word: Mapped[str] = mapped_column(String(200), primary_key=True)
    loose: Mapped[str] = mapped_column(String(200), index=True)
    phonetic: Mapped[str] = mapped_column(String(200), index=True)
    roman: Mapped[str] = mapped_column(String(400))
    df: Mapped[int] = mapped_column(Integer)


class VocabularyDeleteRow(Base):
    """A loose key with one letter deleted, and a word it came from (SymSpell)."""

    __tablename__ = "vocabulary_deletes"

    variant: Mapped[str] = mapped_column(String(200), primary_key=True)
    word: Mapped[str] = mapped_column(String(200), primary_key=True)


@dataclass(frozen=True)
class PageInfo:
    """A page's facts without its text (ask ``Registry.page_text`` for that: it can be long)."""

    id: int
    number: int
    confidence: float
    skew_deg: float
    orientation_deg: int
    status: str
    reason: str
    dpi: int
    width: int
    height: int
    words: int
    missing: float | None = None
    reading: str = ""
    text_source: str = ""
    source_note: str = ""

    @classmethod
    def from_row(cls, row: PageRow) -> PageInfo:
        return cls(
            id=row.id,
            number=row.number,
            confidence=row.confidence,
            skew_deg=row.skew_deg,
            orientation_deg=row.orientation_deg,
            status=row.status,
            reason=row.reason,
            dpi=row.dpi,
            width=row.width,
            height=row.height,
            words=row.words,
            missing=row.missing,
            reading=row.reading,
            text_source=row.text_source,
            source_note=row.source_note,
        )


@dataclass(frozen=True)
class FileSummary:
    """A file's own columns; what ``list_files`` returns (no per-page rows to load)."""

    id: int
    source_path: Path | None
    sha256: str | None
    page_count: int
    size_bytes: int
    created_at: datetime
    pdf_path: Path | None
    text_path: Path | None
    status: str
    pages_for_review: int

    @staticmethod
    def _columns(row: FileRow) -> dict[str, object]:
        return {
            "id": row.id,
            "source_path": Path(row.source_path) if row.source_path else None,
            "sha256": row.sha256,
            "page_count": row.page_count,
            "size_bytes": row.size_bytes,
            "created_at": row.created_at,
            "pdf_path": Path(row.pdf_path) if row.pdf_path else None,
            "text_path": Path(row.text_path) if row.text_path else None,
            "status": row.status,
            "pages_for_review": row.pages_for_review,
        }

    @classmethod
    def from_row(cls, row: FileRow) -> FileSummary:
        return cls(**cls._columns(row))  # type: ignore[arg-type]


@dataclass(frozen=True)
class FileInfo(FileSummary):
    """A file with its pages in page-number order; what ``get_file`` returns."""

    pages: tuple[PageInfo, ...] = ()

    @classmethod
    def from_row(cls, row: FileRow) -> FileInfo:
        pages = tuple(PageInfo.from_row(p) for p in row.pages)
        return cls(**cls._columns(row), pages=pages)  # type: ignore[arg-type]


@dataclass(frozen=True)
class RegistryStats:
    files: int
    pages: int
    pages_for_review: int  # pages with status review or failed: a person should look
