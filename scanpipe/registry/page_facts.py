"""Read-only facts about pages and files that screens show beside search hits and on dashboards.

``Registry.search`` ranks pages by text alone; the filters officers ask for
(office or section, year, document kind, file number) and the labels beside
each hit are file and page columns, read here in one query per result page
rather than one per hit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import regex
from sqlalchemy import func, select, text

from scanpipe.registry.eoffice_models import OfficeRow, SectionRow
from scanpipe.registry.models import FileRow, PageRow
from scanpipe.registry.search_filter import SearchFilter
from scanpipe.registry.store import REVIEW_STATUSES, Registry

_NUMBER = regex.compile(r"\d+(\.\d+)?")


@dataclass(frozen=True)
class FileFacts:
    file_id: int
    file_no: str | None
    file_no_norm: str | None
    subject: str | None
    year: int | None
    office: str | None  # code
    section: str | None  # code
    has_pdf: bool


@dataclass(frozen=True)
class FilterOptions:
    offices: tuple[tuple[str, str], ...]  # (code, name)
    sections: tuple[tuple[str, str], ...]
    years: tuple[int, ...]


def file_facts(registry: Registry, file_ids: set[int]) -> dict[int, FileFacts]:
    if not file_ids:
        return {}
    stmt = (
        select(
            FileRow.id,
            FileRow.file_no,
            FileRow.file_no_norm,
            FileRow.subject,
            FileRow.year,
            OfficeRow.code,
            SectionRow.code,
            FileRow.pdf_path,
        )
        .outerjoin(OfficeRow, OfficeRow.id == FileRow.office_id)
        .outerjoin(SectionRow, SectionRow.id == FileRow.section_id)
        .where(FileRow.id.in_(file_ids))
    )
    with registry.reading("reading files for search hits") as session:
        return {row[0]: FileFacts(*row[:7], has_pdf=bool(row[7])) for row in session.execute(stmt)}


def page_kinds(registry: Registry, page_ids: set[int]) -> dict[int, str | None]:
    """Each page's document kind (receipt, note, order ...), for the kind filter."""
    if not page_ids:
        return {}
    stmt = select(PageRow.id, PageRow.doc_type).where(PageRow.id.in_(page_ids))
    with registry.reading("reading page kinds") as session:
        return dict(session.execute(stmt).tuples().all())


def filter_options(registry: Registry) -> FilterOptions:
    with registry.reading("reading search filters") as session:
        offices = session.execute(select(OfficeRow.code, OfficeRow.name_en, OfficeRow.name_hi))
        sections = session.execute(
            select(SectionRow.code, SectionRow.name_en, SectionRow.name_hi).distinct()
        )
        years = session.scalars(
            select(FileRow.year).where(FileRow.year.is_not(None)).distinct().order_by(FileRow.year)
        )
        return FilterOptions(
            tuple((c, f"{en} / {hi}" if hi else en) for c, en, hi in offices),
            tuple(sorted({(c, f"{en} / {hi}" if hi else en) for c, en, hi in sections})),
            tuple(y for y in years if y is not None),
        )


def pages_since(registry: Registry, since: datetime) -> int:
    """Pages of scanned files registered at or after ``since`` (files by hand have none)."""
    stmt = select(func.coalesce(func.sum(FileRow.page_count), 0)).where(
        FileRow.created_at >= since, FileRow.sha256.is_not(None)
    )
    with registry.reading("counting pages") as session:
        return int(session.scalar(stmt) or 0)


def review_reasons(registry: Registry) -> list[tuple[str, int]]:
    """Pages waiting for review by kind of reason, largest first.

    Reasons carry figures ("low OCR confidence 41 (threshold 70)"); they are
    grouped with the figures taken out, so forty low-confidence pages are one
    bar, not forty.
    """
    stmt = (
        select(PageRow.status, PageRow.reason, func.count())
        .where(PageRow.status.in_(REVIEW_STATUSES))
        .group_by(PageRow.status, PageRow.reason)
    )
    counts: Counter[str] = Counter()
    with registry.reading("counting pages for review") as session:
        for status, reason, n in session.execute(stmt):
            head = _NUMBER.sub("N", (reason or "").split("\n")[0].split(";")[0])[:80]
            counts[f"{status}: {head}" if head else status] += n
    return counts.most_common()


BROWSE_LIMIT = 200


def browse_files(registry: Registry, where: SearchFilter, limit: int = BROWSE_LIMIT) -> list[int]:
    """Files that pass the filters alone, no search words: newest year first, then newest.

    The read rule travels in ``where.reader`` like a search's, so a section's files
    of 2019 list only what the reader may see. A document kind keeps the files that
    have a page of that kind.
    """
    params: dict[str, object] = {"limit": limit}
    condition = where.file_condition(params)
    if where.doc_type:
        params["f_doc_type"] = where.doc_type
        condition += (
            " AND EXISTS (SELECT 1 FROM pages AS p WHERE p.file_id = f.id"
            " AND p.doc_type = :f_doc_type)"
        )
    sql = (
        f"SELECT f.id FROM files AS f WHERE {condition} "
        "ORDER BY f.year IS NULL, f.year DESC, f.id DESC LIMIT :limit"
    )
    with registry.reading("browsing files by filters") as session:
        return [int(row[0]) for row in session.execute(text(sql), params)]


@dataclass(frozen=True)
class RoomProgress:
    """A record room's files against what has been digitised of them."""

    room: str
    files: int  # on the register (registered by hand, from the register CSV, or scanned)
    digitised: int  # with an archive PDF/A
    pages: int

    @property
    def share(self) -> float:
        return self.digitised / self.files if self.files else 0.0


def digitisation_by_room(registry: Registry) -> list[RoomProgress]:
    """Files per record room, and how many have been scanned into the archive, most first."""
    digitised = func.count(FileRow.pdf_path)
    stmt = (
        select(
            FileRow.room, func.count(), digitised, func.coalesce(func.sum(FileRow.page_count), 0)
        )
        .group_by(FileRow.room)
        .order_by(func.count().desc())
    )
    with registry.reading("counting digitisation by record room") as session:
        return [
            RoomProgress(room or "—", int(n), int(d), int(p))
            for room, n, d, p in session.execute(stmt)
        ]
