"""Importing a records room's physical file register from CSV.

Record rooms keep their registers in Excel; we read what Excel saves (UTF-8
with or without BOM, comma, semicolon or tab) with English or Hindi column
names. Each row is registered on its own, so a bad row is reported with its
line number and the good rows are kept. Importing the same register again
updates the rows instead of duplicating them, and every row adopts the
scans already registered under its file number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import regex

from scanpipe.eoffice.fileno import parse_file_no, to_ascii_digits
from scanpipe.eoffice.terms import Category, FileState, Nature
from scanpipe.errors import InputFileError, ScanpipeError
from scanpipe.registry.records import FileDraft

if TYPE_CHECKING:
    from scanpipe.registry.store import Registry

#: Column name (folded: lower case, no spaces/dots/underscores) -> field.
COLUMNS: Final[dict[str, str]] = {
    **dict.fromkeys(["fileno", "filenumber", "file", "फाइलक्रमांक", "फाइलनंबर", "नस्तीक्रमांक",
                     "नस्तीक्र", "फाक्र"], "file_no"),
    **dict.fromkeys(["subject", "विषय"], "subject"),
    **dict.fromkeys(["year", "वर्ष", "सन"], "year"),
    **dict.fromkeys(["category", "श्रेणी", "recordcategory"], "category"),
    **dict.fromkeys(["location", "स्थान", "physicallocation"], "location"),
    **dict.fromkeys(["retention", "retentionyears", "retentionperiod", "अवधि"], "retention_years"),
    **dict.fromkeys(["room", "recordroom", "कक्ष"], "room"),
    **dict.fromkeys(["almirah", "rack", "अलमारी", "रैक"], "almirah"),
    **dict.fromkeys(["shelf", "खाना", "शेल्फ"], "shelf"),
    **dict.fromkeys(["bundle", "बस्ता", "बंडल"], "bundle"),
    **dict.fromkeys(["volume", "vol", "खंड"], "volume"),
    **dict.fromkeys(["closed", "closedon", "closingdate"], "closed_on"),
    **dict.fromkeys(["opened", "openedon", "openingdate"], "opened_on"),
    **dict.fromkeys(["office", "कार्यालय"], "office"),
    **dict.fromkeys(["section", "शाखा"], "section"),
    **dict.fromkeys(["grading", "classification", "वर्गीकरण"], "grading"),
}  # fmt: skip
REQUIRED: Final = ("file_no",)
#: Hindi category letters as written on old covers: क ख ग.
_HINDI_CATEGORY: Final = {"क": "A", "ख": "B", "ग": "C"}
_CATEGORY: Final = regex.compile(
    r"^\s*([ABCabcकखग])\s*(?:[-(/ ]\s*(\d{1,2})\s*\)?\s*(?:years?|वर्ष)?)?\s*$"
)


@dataclass(frozen=True)
class RowError:
    line: int
    file_no: str
    message: str


@dataclass
class ImportReport:
    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    linked: dict[int, tuple[int, ...]] = field(default_factory=dict)  # register id -> scan ids
    errors: list[RowError] = field(default_factory=list)


def _fold(name: str) -> str:
    return regex.sub(r"[\s._\-]+", "", name.strip().lower())


def _category(text: str) -> tuple[str, int | None]:
    m = _CATEGORY.match(to_ascii_digits(text))
    if not m:
        raise ScanpipeError(f"category {text!r} is not A, B or C (or C-5 for five years)")
    letter = _HINDI_CATEGORY.get(m[1], m[1].upper())
    return letter, int(m[2]) if m[2] else None


def _location(text: str) -> dict[str, str]:
    """``Room 2 / Almirah 4 / Shelf 1 / Bundle 12``: up to four parts, in that order."""
    parts = [p.strip() for p in regex.split(r"\s*[/;|]\s*", text.strip()) if p.strip()]
    if len(parts) > 4:
        raise ScanpipeError(
            f"location {text!r} has {len(parts)} parts; write room / almirah / shelf / bundle"
        )
    return dict(zip(("room", "almirah", "shelf", "bundle"), parts, strict=False))


def row_draft(row: dict[str, str]) -> FileDraft:
    """Turn one register row (already mapped to field names) into a FileDraft."""
    values: dict[str, Any] = {k: v.strip() for k, v in row.items() if v and v.strip()}
    if "file_no" not in values:
        raise ScanpipeError("no file number")
    if "location" in values:
        for key, part in _location(values.pop("location")).items():
            values.setdefault(key, part)
    if "category" in values:
        values["category"], years = _category(values["category"])
        if years is not None:
            values.setdefault("retention_years", years)
    for key in ("year", "retention_years", "volume"):
        if isinstance(values.get(key), str):
            values[key] = to_ascii_digits(values[key])
    state = FileState.RECORDED if values.get("category") else FileState.CLOSED
    return FileDraft(nature=Nature.PHYSICAL, file_state=state, **{
        k: (Category(v) if k == "category" else v) for k, v in values.items()
    })  # fmt: skip


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{path.name} is not UTF-8 text (byte {exc.start})",
            advice="in Excel use 'Save As' > 'CSV UTF-8 (Comma delimited)'",
            path=path,
        ) from exc
    except OSError as exc:
        raise InputFileError(f"cannot read the register: {exc.strerror}", path=path) from exc
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(text.splitlines(keepends=True), dialect)
    header = next(reader, None)
    if not header:
        raise InputFileError("the register is empty", path=path)
    names = [COLUMNS.get(_fold(h), "") for h in header]
    missing = [f for f in REQUIRED if f not in names]
    if missing:
        raise InputFileError(
            f"no file number column among {header}",
            advice="name the columns e.g. file_no, subject, year, category, location",
            path=path,
        )
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        yield reader.line_num, {n: c for n, c in zip(names, cells, strict=False) if n}


def import_register(registry: Registry, path: Path) -> ImportReport:
    """Register (or update) every good row of the register at ``path``; report the bad ones."""
    report = ImportReport()
    seen: dict[tuple[str, int], int] = {}
    for line, row in _rows(Path(path)):
        written = row.get("file_no", "").strip()
        try:
            draft = row_draft(row)
            key = (parse_file_no(written).normalised, int(draft.volume))
            if key in seen:
                raise ScanpipeError(f"repeats the file number of line {seen[key]}")
            seen[key] = line
            existing = [
                r for r in registry.list_records(file_no=written, nature=Nature.PHYSICAL.value)
                if r.volume == draft.volume
            ]  # fmt: skip
            if existing:
                record = registry.edit_file(existing[0].id, draft.changes())
                report.updated.append(record.id)
            else:
                record = registry.get_record(registry.register_file(draft))
                report.added.append(record.id)
            if record.digitised_ids:
                report.linked[record.id] = record.digitised_ids
        except ScanpipeError as exc:
            report.errors.append(RowError(line, written, exc.message))
    return report
