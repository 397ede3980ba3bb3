"""Registry tables (SQLAlchemy 2 typed ORM) and the frozen views handed to callers.

ORM rows never leave the store: callers get frozen dataclasses, so nothing
outside ``store.py`` can lazily load or mutate a row after its session closed.
The schema itself is created by the Alembic migrations, not by
``metadata.create_all``; these classes must match ``migrations/versions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

FILE_STATUS_REGISTERED = "registered"


class UTCDateTime(TypeDecorator[datetime]):
    """Store UTC, always return an aware UTC datetime.

    SQLite has no time zones and hands back naive values; without this a
    caller could not tell UTC from local time.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the registry; use datetime.now(UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class FileRow(Base):
    """One registered legacy file; ``sha256`` is unique so a file is never registered twice."""

    __tablename__ = "files"
    __table_args__ = (UniqueConstraint("sha256", name="uq_files_sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    page_count: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    pdf_path: Mapped[str | None] = mapped_column(Text)
    text_path: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), default=FILE_STATUS_REGISTERED)
    pages_for_review: Mapped[int] = mapped_column(Integer, default=0)

    pages: Mapped[list[PageRow]] = relationship(
        back_populates="file", order_by="PageRow.number", cascade="all, delete-orphan"
    )


class PageRow(Base):
    """One page of a file with its OCR text as read (not the search-folded form)."""

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

    file: Mapped[FileRow] = relationship(back_populates="pages")


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
        )


@dataclass(frozen=True)
class FileSummary:
    """A file's own columns; what ``list_files`` returns (no per-page rows to load)."""

    id: int
    source_path: Path
    sha256: str
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
            "source_path": Path(row.source_path),
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
