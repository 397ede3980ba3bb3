"""Filters applied inside the search query, before ranking (issue 12, and the read rule to come).

A filter applied after ranking loses hits: the web once ranked 500 hits and
then dropped those outside the officer's section, so a section whose pages
ranked 501st and below showed nothing. Here the filter is a condition on the
page's file that both backends put inside the match, so ranking, the rank
window and the tiers of expansion all see only the pages that may be shown.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from scanpipe.registry.access import Reader, condition


@dataclass(frozen=True)
class SearchFilter:
    """Which files' pages may come back; empty fields do not filter.

    ``office`` and ``section`` are codes; ``file_no`` is a normalised file
    number (``eoffice.fileno.parse_file_no(...).normalised``); ``doc_type``
    keeps pages of that kind (and so no notes); ``file_ids``, when set, is
    a set of files to search within; ``reader`` applies the read rule
    (``registry.access``), so nobody is shown a hit, snippet or count of a
    file they may not see.
    """

    office: str = ""
    section: str = ""
    year: int | None = None
    file_no: str = ""
    doc_type: str = ""
    file_ids: Collection[int] | None = None
    reader: Reader | None = None

    @property
    def active(self) -> bool:
        return bool(
            self.office
            or self.section
            or self.year is not None
            or self.file_no
            or self.doc_type
            or self.file_ids is not None
            or (self.reader is not None and not self.reader.sees_all)
        )

    def file_condition(self, params: dict[str, object]) -> str:
        """SQL over ``files AS f`` (and offices/sections by id); fills ``params``."""
        parts = []
        if self.office:
            params["f_office"] = self.office
            parts.append("f.office_id IN (SELECT id FROM offices WHERE code = :f_office)")
        if self.section:
            params["f_section"] = self.section
            parts.append("f.section_id IN (SELECT id FROM sections WHERE code = :f_section)")
        if self.year is not None:
            params["f_year"] = self.year
            parts.append("f.year = :f_year")
        if self.file_no:
            params["f_file_no"] = self.file_no
            parts.append("f.file_no_norm = :f_file_no")
        if self.file_ids is not None:
            ids = sorted({int(i) for i in self.file_ids}) or [0]  # 0: no file has it
            parts.append("f.id IN (" + ", ".join(str(i) for i in ids) + ")")
        if self.reader is not None and not self.reader.sees_all:
            parts.append(condition(self.reader, params))
        return " AND ".join(parts) or "1 = 1"

    def page_ids_sql(self, params: dict[str, object]) -> str:
        """A subquery of the ids of the pages that pass."""
        where = self.file_condition(params)
        if self.doc_type:
            params["f_doc_type"] = self.doc_type
            where += " AND p.doc_type = :f_doc_type"
        return f"SELECT p.id FROM pages AS p JOIN files AS f ON f.id = p.file_id WHERE {where}"

    def note_files_sql(self, params: dict[str, object]) -> str:
        """A subquery of the ids of the files whose notes pass (none with a page kind)."""
        if self.doc_type:
            return "SELECT 0 WHERE 1 = 0"
        return f"SELECT f.id FROM files AS f WHERE {self.file_condition(params)}"
