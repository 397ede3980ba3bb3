"""What e-Office and a records room say about a file: vocabularies and the retention rules.

Pure values and functions, no database: the store, the CLI, the classifier and
the tests all use the same words, and the rules can be checked case by case
(``tests/test_records.py``). Every value has a bilingual label because records
clerks read these in Hindi and officers in English.

The retention rules are DOMAIN.md's reading of CSMOP; its wording must still be
checked against an official copy before it is shown to users as *the* rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final, TypeVar

from scanpipe.errors import ExitCode, ScanpipeError

E = TypeVar("E", bound=StrEnum)


class RecordError(ScanpipeError):
    """A value a person gave for a file does not fit the e-Office rules."""

    exit_code = ExitCode.BAD_ARGS


class Nature(StrEnum):
    PHYSICAL = "physical"
    ELECTRONIC = "electronic"
    DIGITISED = "digitised"  # a legacy paper file scanned into e-Office; links to its original


class FileState(StrEnum):
    OPEN = "open"
    PARKED = "parked"
    CLOSED = "closed"
    RECORDED = "recorded"


class Category(StrEnum):
    A = "A"  # keep permanently, microfilm or digitise
    B = "B"  # keep permanently, no microfilm
    C = "C"  # keep for a stated period, at most 10 years


class Grading(StrEnum):
    NORMAL = "normal"
    CONFIDENTIAL = "confidential"
    SECRET = "secret"
    TOP_SECRET = "top-secret"


class PartKind(StrEnum):
    """The four parts of a file, each paginated in its own series."""

    NOTES = "notes"
    CORRESPONDENCE = "correspondence"
    APPENDIX_NOTES = "appendix-notes"
    APPENDIX_CORRESPONDENCE = "appendix-correspondence"


class DocKind(StrEnum):
    """Kinds of document inside a part; BLANK and SEPARATOR only ever describe pages."""

    RECEIPT = "receipt"  # a letter received (dak) or issued
    NOTE = "note"
    ORDER = "order"
    CIRCULAR = "circular"  # circulars and notifications
    APPLICATION = "application"
    REPORT = "report"
    BILL = "bill"
    OTHER = "other"
    BLANK = "blank"
    SEPARATOR = "separator"


DOCUMENT_KINDS: Final = tuple(k for k in DocKind if k not in (DocKind.BLANK, DocKind.SEPARATOR))


class Priority(StrEnum):
    """How soon a file sent must be acted on (docs/priorities.md: CSMOP urgency markings)."""

    MOST_IMMEDIATE = "most-immediate"
    IMMEDIATE = "immediate"
    TODAY = "today"  # "out today": due the day it is sent
    NORMAL = "normal"


#: Most urgent first: the inbox sorts by this before age.
PRIORITY_ORDER: Final = tuple(Priority)


class Language(StrEnum):
    HI = "hi"
    EN = "en"
    MIXED = "mixed"
    NONE = "none"  # no letters: a blank or a picture


LABELS: Final[dict[StrEnum, tuple[str, str]]] = {
    Nature.PHYSICAL: ("Physical", "भौतिक"),
    Nature.ELECTRONIC: ("Electronic", "इलेक्ट्रॉनिक"),
    Nature.DIGITISED: ("Digitised legacy", "डिजिटाइज़ पुरानी नस्ती"),
    FileState.OPEN: ("Open", "खुली"),
    FileState.PARKED: ("Parked", "स्थगित"),
    FileState.CLOSED: ("Closed", "बंद"),
    FileState.RECORDED: ("Recorded", "अभिलेखित"),
    Category.A: ("A: permanent, digitise", "क: स्थायी, डिजिटाइज़"),
    Category.B: ("B: permanent", "ख: स्थायी"),
    Category.C: ("C: kept for a period", "ग: निर्धारित अवधि तक"),
    Grading.NORMAL: ("Normal", "सामान्य"),
    Priority.MOST_IMMEDIATE: ("Most immediate", "अति आवश्यक"),
    Priority.IMMEDIATE: ("Immediate", "तत्काल"),
    Priority.TODAY: ("Today", "आज ही"),
    Priority.NORMAL: ("Normal", "सामान्य"),
    Grading.CONFIDENTIAL: ("Confidential", "गोपनीय"),
    Grading.SECRET: ("Secret", "गुप्त"),
    Grading.TOP_SECRET: ("Top secret", "अति गुप्त"),
    PartKind.NOTES: ("Notes", "टिप्पणी"),
    PartKind.CORRESPONDENCE: ("Correspondence", "पत्राचार"),
    PartKind.APPENDIX_NOTES: ("Appendix to notes", "टिप्पणी का परिशिष्ट"),
    PartKind.APPENDIX_CORRESPONDENCE: ("Appendix to correspondence", "पत्राचार का परिशिष्ट"),
    DocKind.RECEIPT: ("Receipt / letter", "पत्र / प्राप्ति"),
    DocKind.NOTE: ("Note", "टीप"),
    DocKind.ORDER: ("Order", "आदेश"),
    DocKind.CIRCULAR: ("Circular / notification", "परिपत्र / अधिसूचना"),
    DocKind.APPLICATION: ("Application", "आवेदन"),
    DocKind.REPORT: ("Report", "प्रतिवेदन"),
    DocKind.BILL: ("Bill", "देयक"),
    DocKind.OTHER: ("Other", "अन्य"),
    DocKind.BLANK: ("Blank page", "रिक्त पृष्ठ"),
    DocKind.SEPARATOR: ("Separator sheet", "विभाजक पृष्ठ"),
    Language.HI: ("Hindi", "हिंदी"),
    Language.EN: ("English", "अंग्रेज़ी"),
    Language.MIXED: ("Hindi and English", "हिंदी व अंग्रेज़ी"),
    Language.NONE: ("No text", "पाठ नहीं"),
}


def label(value: StrEnum | str | None) -> str:
    """``"Notes / टिप्पणी"``: what a person sees for a stored value."""
    if value is None or value == "":
        return "–"
    if isinstance(value, StrEnum) and value in LABELS:
        en, hi = LABELS[value]
        return f"{en} / {hi}"
    return str(value)


def parse_choice(enum: type[E], value: str, what: str) -> E:
    """Read a user's value case-insensitively (``Top_Secret`` -> TOP_SECRET) or explain."""
    key = value.strip().lower().replace("_", "-").replace(" ", "-")
    for member in enum:
        if key in (member.value.lower(), member.name.lower().replace("_", "-")):
            return member
    allowed = ", ".join(m.value for m in enum)
    raise RecordError(f"{value!r} is not a {what}", advice=f"use one of: {allowed}")


# -- recording and retention -----------------------------------------------------------------

#: A and B files are reviewed with the National Archives in their 25th year; we count it
#: as 25 years after the year the count starts (closing, else the file's year).
AB_REVIEW_AFTER: Final = 25
C_MAX_YEARS: Final = 10
CLASSIFIED_REVIEW_EVERY: Final = 5
CLASSIFIED: Final = frozenset({Grading.CONFIDENTIAL, Grading.SECRET, Grading.TOP_SECRET})


@dataclass(frozen=True)
class Retention:
    """What goes on the file cover: category, how long it is kept, when it is reviewed."""

    category: Category
    retention_years: int | None  # None: kept permanently (A and B)
    review_year: int | None  # None: no year to count from yet
    reason: str


def compute_retention(
    category: Category,
    *,
    retention_years: int | None = None,
    closed_year: int | None = None,
    file_year: int | None = None,
    grading: Grading = Grading.NORMAL,
) -> Retention:
    """Apply the recording rules (DOMAIN.md) to one file.

    * A and B are kept permanently and reviewed 25 years on; giving them a
      retention period is a mistake, so it is refused rather than ignored.
    * C is kept for 1-10 years (10 when the register does not say) and
      reviewed when that period ends.
    * A classified file (confidential, secret, top secret) is also reviewed
      for declassification every 5 years, so its first review is at most 5
      years on.

    Years count from ``closed_year``; a legacy file whose closing is unknown
    counts from ``file_year`` (the year in its number or register row), and the
    reason says so.
    """
    if category in (Category.A, Category.B):
        if retention_years is not None:
            raise RecordError(
                f"category {category.value} files are kept permanently; "
                f"a retention period of {retention_years} years does not apply",
                advice="leave the retention period out, or record the file as category C",
            )
        years, review_after = None, AB_REVIEW_AFTER
        why = f"category {category.value}: kept permanently, reviewed after {AB_REVIEW_AFTER} years"
    else:
        if retention_years is None:
            years = C_MAX_YEARS
            why = f"category C: no period given, so the maximum of {C_MAX_YEARS} years"
        elif not 1 <= retention_years <= C_MAX_YEARS:
            raise RecordError(
                f"category C files are kept 1 to {C_MAX_YEARS} years, not {retention_years}",
                advice="give a period of at most 10 years, or record the file as A or B",
            )
        else:
            years = retention_years
            why = f"category C: kept {years} years, reviewed when the period ends"
        review_after = years
    if grading in CLASSIFIED and review_after > CLASSIFIED_REVIEW_EVERY:
        review_after = CLASSIFIED_REVIEW_EVERY
        why += f"; {grading.value}: reviewed for declassification every 5 years"
    if closed_year is not None:
        base, since = closed_year, f"closed in {closed_year}"
    elif file_year is not None:
        base, since = file_year, f"counted from {file_year}, the file's year (closing unknown)"
    else:
        return Retention(category, years, None, why + "; no year to count from yet")
    return Retention(category, years, base + review_after, f"{why}; {since}")


def next_classified_review(review_year: int, this_year: int) -> int:
    """The first 5-yearly declassification review in or after ``this_year``."""
    if review_year >= this_year:
        return review_year
    behind = this_year - review_year
    return review_year + -(-behind // CLASSIFIED_REVIEW_EVERY) * CLASSIFIED_REVIEW_EVERY
