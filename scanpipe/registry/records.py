"""Setting a file's e-Office fields: one validating path for the CLI, CSV rows, scans and edits.

Whoever sets a field (a person with ``file register``/``edit``, a register
CSV row, a QR sheet, the classifier) goes through ``set_fields``, so the
file number is always parsed the same way, the review year always follows
the retention rules, and a recorded file always has a category.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scanpipe.eoffice.fileno import parse_file_no
from scanpipe.eoffice.terms import (
    Category,
    FileState,
    Grading,
    Nature,
    RecordError,
    compute_retention,
    parse_choice,
)
from scanpipe.registry.eoffice_models import OfficeRow, SectionRow
from scanpipe.registry.models import FileRow

#: Computer numbers look like e-Office's and never collide with row ids in conversation.
COMPUTER_NO_BASE: Final = 100000
TEXT_FIELDS: Final = ("subject", "room", "almirah", "shelf", "bundle", "operator")

#: Offices of the first district (DOMAIN.md), used when a code is first seen:
#: code -> (English, Hindi, {section code: (English, Hindi)}).
MUNGELI_OFFICES: Final[dict[str, tuple[str, str, dict[str, tuple[str, str]]]]] = {
    "COLL-MUNGELI": (
        "Office of the Collector, District Mungeli",
        "कार्यालय कलेक्टर, जिला मुंगेली",
        {
            "REV": ("Revenue Section", "राजस्व शाखा"),
            "EST": ("Establishment Section", "स्थापना शाखा"),
            "ACCTS": ("Accounts Section", "लेखा शाखा"),
            "LR": ("Land Records Branch", "भू-अभिलेख शाखा"),
            "ELE": ("Election Cell", "निर्वाचन शाखा"),
            "GAD": ("General Administration Department", "सामान्य प्रशासन विभाग"),
            "REC": ("Record Room", "अभिलेख कक्ष"),
            "EOF": ("e-Office Cell", "ई-ऑफिस प्रकोष्ठ"),
        },
    ),
    "ZP-MUNGELI": ("Zila Panchayat Mungeli", "जिला पंचायत मुंगेली", {}),
    "TEH-MUNGELI": ("Tehsil Office Mungeli", "तहसील कार्यालय मुंगेली", {}),
    "TEH-LORMI": ("Tehsil Office Lormi", "तहसील कार्यालय लोरमी", {}),
    "TEH-PATHARIYA": ("Tehsil Office Pathariya", "तहसील कार्यालय पथरिया", {}),
}
DEFAULT_OFFICE: Final = "COLL-MUNGELI"


@dataclass(frozen=True)
class FileDraft:
    """A file as a person registers it, usually with no scans yet (a paper file)."""

    file_no: str | None = None
    subject: str | None = None
    nature: Nature = Nature.PHYSICAL
    file_state: FileState = FileState.OPEN
    category: Category | None = None
    retention_years: int | None = None
    volume: int = 1
    room: str | None = None
    almirah: str | None = None
    shelf: str | None = None
    bundle: str | None = None
    created_on: date | None = None
    opened_on: date | None = None
    closed_on: date | None = None
    grading: Grading = Grading.NORMAL
    year: int | None = None
    office: str | None = None
    section: str | None = None
    declared_pages: int | None = None
    operator: str | None = None

    def changes(self) -> dict[str, Any]:
        """The fields a person gave (None means "not given")."""
        given = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: value for name, value in given.items() if value is not None}


EDITABLE: Final = tuple(f.name for f in fields(FileDraft))


def next_computer_no(session: Session) -> int:
    """The next computer number; the caller's write transaction (BEGIN IMMEDIATE) serialises it."""
    top = session.scalar(select(func.max(FileRow.computer_no)))
    return max(top or 0, COMPUTER_NO_BASE) + 1


def _text(value: Any, name: str) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    if len(text) > (2000 if name == "subject" else 64 if name != "operator" else 100):
        raise RecordError(f"the {name} is too long ({len(text)} characters)")
    return text or None


def _date(value: Any, name: str) -> date | None:
    if value is None or isinstance(value, date):
        when = value
    else:
        try:
            when = date.fromisoformat(str(value).strip())
        except ValueError as exc:
            raise RecordError(
                f"{name} {value!r} is not a date", advice="write dates as YYYY-MM-DD"
            ) from exc
    if when is not None and when > date.today():
        raise RecordError(f"{name} {when.isoformat()} is in the future")
    return when


def _int(value: Any, name: str, low: int, high: int | None = None) -> int | None:
    if value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise RecordError(f"{name} {value!r} is not a whole number") from exc
    if number < low or (high is not None and number > high):
        span = f"{low} to {high}" if high is not None else f"at least {low}"
        raise RecordError(f"{name} must be {span}, not {number}")
    return number


def resolve_section(
    session: Session, office_code: str | None, section_code: str | None
) -> tuple[int | None, int | None]:
    """Office and section ids for the codes a person typed, created on first use.

    Known Mungeli codes get their real names; other codes are created with the
    code as the name (a records room should not be stopped by a missing
    master table), and ``file show`` displays whatever the name is.
    """
    if office_code is None and section_code is None:
        return None, None
    code = (office_code or DEFAULT_OFFICE).strip().upper()
    office = session.scalar(select(OfficeRow).where(OfficeRow.code == code))
    seed = MUNGELI_OFFICES.get(code)
    if office is None:
        office = OfficeRow(code=code, name_en=seed[0] if seed else code,
                           name_hi=seed[1] if seed else None)  # fmt: skip
        session.add(office)
        session.flush()
    if section_code is None:
        return office.id, None
    scode = section_code.strip().upper().rstrip(".")
    section = session.scalar(
        select(SectionRow).where(SectionRow.office_id == office.id, SectionRow.code == scode)
    )
    if section is None:
        names = (seed[2] if seed else {}).get(scode)
        section = SectionRow(office_id=office.id, code=scode, name_en=names[0] if names else scode,
                             name_hi=names[1] if names else None)  # fmt: skip
        session.add(section)
        session.flush()
    return office.id, section.id


def set_fields(session: Session, row: FileRow, changes: Mapping[str, Any]) -> None:
    """Validate ``changes`` and write them to ``row``; derived columns follow.

    Raises RecordError / FileNumberError before anything is flushed when a
    value is wrong, naming the field. ``None`` for an optional field clears it.
    """
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise RecordError(f"unknown fields {sorted(unknown)}", advice=f"use {', '.join(EDITABLE)}")
    for name in TEXT_FIELDS:
        if name in changes:
            setattr(row, name, _text(changes[name], name))
    if "file_no" in changes:
        if changes["file_no"] in (None, ""):
            row.file_no = row.file_no_norm = None
        else:
            number = parse_file_no(str(changes["file_no"]))
            row.file_no, row.file_no_norm = number.written, number.normalised
            if "year" not in changes:
                row.year = number.year
    if "year" in changes:
        row.year = _int(changes["year"], "year", 1900, date.today().year + 1)
    if "nature" in changes:
        row.nature = parse_choice(Nature, str(changes["nature"]), "nature").value
    if "file_state" in changes:
        row.file_state = parse_choice(FileState, str(changes["file_state"]), "file status").value
    if "grading" in changes:
        grading = parse_choice(Grading, str(changes["grading"]), "security grading")
        if grading is not Grading.NORMAL and not session.info.get("hold_classified", True):
            raise RecordError(
                f"this deployment may not hold {grading.value} files",
                advice="keep classified papers out of the registry, as the e-Office manual "
                "does; or set hold_classified = true in scanpipe.toml (docs/access.md)",
            )
        row.grading = grading.value
    if "category" in changes:
        value = changes["category"]
        category = parse_choice(Category, str(value), "record category") if value else None
        row.category = category.value if category else None
    if row.category in ("A", "B") and "retention_years" not in changes:
        row.retention_years = None  # permanent: a period left from an earlier C does not apply
    if "retention_years" in changes:
        row.retention_years = _int(changes["retention_years"], "retention period", 1)
    if "volume" in changes:
        row.volume = _int(changes["volume"], "volume", 1, 99) or 1
    if "declared_pages" in changes:
        row.declared_pages = _int(changes["declared_pages"], "declared pages", 0)
    for name in ("created_on", "opened_on", "closed_on"):
        if name in changes:
            setattr(row, name, _date(changes[name], name.replace("_on", " on")))
    if "office" in changes or "section" in changes:
        office = changes.get("office") if "office" in changes else _office_code(session, row)
        row.office_id, row.section_id = resolve_section(session, office, changes.get("section"))
    _derive(row)
    row.updated_at = datetime.now(UTC)


def _office_code(session: Session, row: FileRow) -> str | None:
    if row.office_id is None:
        return None
    return session.scalar(select(OfficeRow.code).where(OfficeRow.id == row.office_id))


def _derive(row: FileRow) -> None:
    """Retention and review year from the category rules; check fields that go together."""
    if row.opened_on and row.closed_on and row.closed_on < row.opened_on:
        raise RecordError(
            f"closed on {row.closed_on} is before opened on {row.opened_on}",
            advice="check the two dates",
        )
    if row.category is None:
        if row.retention_years is not None:
            raise RecordError(
                "a retention period needs a record category",
                advice="give --category C with the period, or leave the period out",
            )
        row.review_year = None
        if row.file_state == FileState.RECORDED.value:
            raise RecordError(
                "a recorded file needs its record category",
                advice="give the category A, B or C (DOMAIN.md: recording and retention)",
            )
        return
    retention = compute_retention(
        Category(row.category),
        retention_years=row.retention_years,
        closed_year=row.closed_on.year if row.closed_on else None,
        file_year=row.year,
        grading=Grading(row.grading),
    )
    row.retention_years, row.review_year = retention.retention_years, retention.review_year


def find_twin(session: Session, row: FileRow) -> int | None:
    """Another paper file with the same number and volume: registering it again is a mistake.

    Scans may share a number (rescans, parts scanned apart); paper files may not.
    """
    if row.file_no_norm is None or row.nature != Nature.PHYSICAL.value:
        return None
    stmt = select(FileRow.id).where(
        FileRow.file_no_norm == row.file_no_norm,
        FileRow.volume == row.volume,
        FileRow.nature == Nature.PHYSICAL.value,
    )
    if row.id is not None:
        stmt = stmt.where(FileRow.id != row.id)
    return session.scalar(stmt.limit(1))


def link_by_file_no(session: Session, row: FileRow) -> list[int]:
    """Join digitised scans and their paper original by file number and volume.

    A physical row adopts every unlinked scan with its number; a scan is linked
    to the physical row with its number. Returns the ids that were linked.
    """
    if row.file_no_norm is None:
        return []
    same = select(FileRow).where(
        FileRow.file_no_norm == row.file_no_norm, FileRow.volume == row.volume, FileRow.id != row.id
    )
    linked: list[int] = []
    if row.nature == Nature.PHYSICAL.value:
        for scan in session.scalars(
            same.where(FileRow.nature == Nature.DIGITISED.value, FileRow.original_id.is_(None))
        ):
            scan.original_id = row.id
            linked.append(scan.id)
    elif row.original_id is None:
        paper = session.scalar(same.where(FileRow.nature == Nature.PHYSICAL.value).limit(1))
        if paper is not None:
            row.original_id = paper.id
            linked.append(paper.id)
    return linked
