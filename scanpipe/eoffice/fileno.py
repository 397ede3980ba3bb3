"""File numbers as e-Office and the Mungeli record rooms write them: parse, validate, normalise.

A file number is the key that joins a scan to its paper original, a register
row to a shelf, and a folder in NIC's migration layout to a file, so it must be
read the same way everywhere. Forms accepted (DOMAIN.md):

* functional ``N-11016/6/2016-ARC-DARPG``: basic-head letter, a five-digit head
  (primary head, ``0``, secondary head), serial, year, section;
* conventional ``8/3/11-Adm``: head / serial / year (2 or 4 digits) - section;
* a part of a head ``A-21001(3)/5/2008/DFG`` and sub-files ``A-11011/5(I)/2001-Est``;
* serial forms ``F-847/2022/GAD-36``, receipts ``81829/2023/ARC-DARPG`` and the
  Hindi ``फा.क्र. ४५/२०१९/स्था.`` (Devanagari digits, Devanagari section).

``parse_file_no`` is strict and says which part is wrong; it is what a person
typing a number or a register CSV row goes through. ``find_candidates`` is the
permissive scanner the classifier runs over OCR text; each candidate is then
parsed strictly, so both agree on what a valid number is.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

import regex

from scanpipe.errors import ExitCode, ScanpipeError
from scanpipe.text import WORD_JOINERS, normalise_for_search

__all__ = [
    "FileNoKind",
    "FileNumber",
    "FileNumberError",
    "find_candidates",
    "parse_file_no",
    "to_ascii_digits",
]

_DEVA_DIGITS: Final = {0x0966 + i: str(i) for i in range(10)}
#: Characters a number may be written with; NIC allows only ``a-z A-Z 0-9 ( ) - /`` (see
#: ``FileNumber.nic_problems``), but legacy Hindi numbers carry dots and Devanagari.
_ALLOWED: Final = regex.compile(r"[A-Za-z0-9()\-/.\p{Devanagari}]")
#: Labels written before a number; stripped before parsing. Matched on NFC text with
#: nukta folded, so फ़ाइल and फाइल are the same label.
LABELS: Final = regex.compile(
    r"""^\s*(?:
        (?:file|f)\s*\.?\s*(?:number|num|no)\s*\.?
      | (?:फा|फाइल|नस्ती|नस्ति|पत्रावली)\s*\.?\s*(?:क्रमांक|क्र|संख्या|सं)\s*\.?
      | (?:no|क्रमांक|क्र)\s*\.?
    )\s*[:\-–]?\s*""",
    regex.IGNORECASE | regex.VERBOSE,
)
_ROMAN: Final = regex.compile(r"^(?:X{0,2})(?:IX|IV|V?I{0,3})$")
_FIRST: Final = regex.compile(r"^(?:(?P<letter>[A-Za-z])-)?(?P<num>\d+)(?:\((?P<paren>[^()]*)\))?$")
_NEXT: Final = regex.compile(r"^(?P<num>\d+)(?:\((?P<paren>[^()]*)\))?$")
_YEAR_SECTION: Final = regex.compile(r"^(?P<num>\d+)-(?P<section>.+)$")
_SECTION: Final = regex.compile(r"^[A-Za-z[\p{Devanagari}&&\p{L}]][\p{L}\p{M}0-9.\-]*$", regex.V1)
NIC_OK: Final = regex.compile(r"^[A-Za-z0-9()\-/]+$")
EARLIEST_YEAR: Final = 1900


class FileNoKind(StrEnum):
    FUNCTIONAL = "functional"  # N-11016/6/2016-ARC-DARPG
    CONVENTIONAL = "conventional"  # 8/3/11-Adm
    SERIAL = "serial"  # F-847/2022/GAD-36, ४५/२०१९/स्था., 81829/2023/ARC-DARPG


class FileNumberError(ScanpipeError):
    """A file number that cannot be accepted; ``part`` names the part that is wrong."""

    exit_code = ExitCode.BAD_ARGS

    def __init__(self, written: str, part: str, reason: str, advice: str = "") -> None:
        self.written = written
        self.part = part
        self.reason = reason
        super().__init__(
            f"file number {written!r}: {part}: {reason}",
            advice=advice
            or "write it as e.g. N-11016/6/2016-ARC-DARPG, 8/3/11-Adm or फा.क्र. ४५/२०१९/स्था.",
        )


@dataclass(frozen=True)
class FileNumber:
    """A parsed, valid file number. ``normalised`` is the key used to compare numbers."""

    written: str
    normalised: str
    kind: FileNoKind
    basic_head: str | None  # the letter of a functional/serial number: "N", "A", "F"
    head: str | None  # digits as written, "11016" or "8"; None for serial forms
    part_no: int | None  # the (3) of A-21001(3)/...
    serial: int
    sub_file: str | None  # the (I) of .../5(I)/...
    year: int  # four digits, also when written with two
    year_text: str  # the year's digits as written: "11" or "2016"
    section: str  # as written: "ARC-DARPG", "Adm", "स्था."
    section_sep: str = "-"  # "-" as in 2016-ARC-DARPG, "/" as in 2008/DFG

    @property
    def primary_head(self) -> str | None:
        return self.head[:2] if self.kind is FileNoKind.FUNCTIONAL and self.head else None

    @property
    def secondary_head(self) -> str | None:
        return self.head[3:] if self.kind is FileNoKind.FUNCTIONAL and self.head else None

    def nic_problems(self) -> list[str]:
        """Why ``normalised`` is not a valid NIC file number (empty when it is)."""
        bad = sorted({c for c in self.normalised if not NIC_OK.match(c)})
        return [f"characters not allowed by NIC: {' '.join(bad)}"] if bad else []

    def __str__(self) -> str:
        return self.normalised


def to_ascii_digits(s: str) -> str:
    """Devanagari digits ०-९ to ASCII 0-9; nothing else changes."""
    return s.translate(_DEVA_DIGITS)


def _clean(written: str) -> str:
    """NFC, no zero-width joiners, no label, ASCII digits, no spaces around separators."""
    s = unicodedata.normalize("NFC", written).translate(dict.fromkeys(map(ord, WORD_JOINERS)))
    s = s.replace("\u093c", "")  # nukta: फ़ाइल and फाइल are the same label and section
    s = s.replace("–", "-").replace("—", "-").replace("\u2010", "-").replace("\u2011", "-")
    s = LABELS.sub("", s, count=1)
    s = to_ascii_digits(s.strip()).rstrip("।॥,;: ")
    return regex.sub(r"\s*([/()\-])\s*", r"\1", s)


def _year(text: str, written: str) -> int:
    this_year = date.today().year
    if len(text) == 2:
        yy = int(text)
        return 2000 + yy if yy <= this_year % 100 + 1 else 1900 + yy
    if len(text) != 4:
        raise FileNumberError(written, "year", f"{text!r} is not a year of 2 or 4 digits")
    year = int(text)
    if year > this_year + 1:
        raise FileNumberError(written, "year", f"{year} is in the future")
    if year < EARLIEST_YEAR:
        raise FileNumberError(written, "year", f"{year} is before {EARLIEST_YEAR}")
    return year


def _section(text: str, written: str) -> str:
    if not text:
        raise FileNumberError(
            written, "section", "nothing after the year; a section (-Adm, /स्था.) must follow"
        )
    if not _SECTION.match(text) or text.endswith("-") or "--" in text:
        raise FileNumberError(
            written,
            "section",
            f"{text!r} is not a section code: it must start with a letter and hold only "
            "letters, digits, dots and single hyphens",
        )
    if len(text) > 40:
        raise FileNumberError(written, "section", f"{text!r} is longer than 40 characters")
    return text


def normal_section(section: str) -> str:
    folded = normalise_for_search(section).rstrip(".")
    return "".join(c.upper() if c.isascii() else c for c in folded)


def parse_file_no(written: str) -> FileNumber:
    """Parse and validate ``written``; raise FileNumberError naming the wrong part.

    Labels such as ``File No.``, ``F.No.``, ``फा.क्र.`` or ``नस्ती क्रमांक`` are
    dropped, Devanagari digits read as ASCII, spaces around ``/ - ( )`` ignored.
    """
    if not written or not written.strip():
        raise FileNumberError(written or "", "number", "it is empty")
    s = _clean(written)
    if not s:
        raise FileNumberError(written, "number", "there is only a label, no number")
    bad = sorted({c for c in s if not _ALLOWED.match(c)})
    if bad:
        raise FileNumberError(
            written,
            "characters",
            f"{' '.join(repr(c) for c in bad)} cannot be in a file number "
            "(only letters, digits, ( ) - / . and Devanagari)",
        )
    pieces = s.split("/")
    numbers: list[regex.Match[str]] = []
    section = ""
    sep = "-"
    for i, piece in enumerate(pieces):
        pattern = _FIRST if i == 0 else _NEXT
        m = pattern.match(piece)
        if m:
            numbers.append(m)
            continue
        m = _YEAR_SECTION.match(piece)
        if m and i > 0:
            numbers.append(m)
            section = "/".join([m["section"], *pieces[i + 1 :]])
        elif i > 0 and piece[:1].isdigit():
            raise FileNumberError(
                written,
                "structure",
                f"{piece!r} is neither a number, a number with one bracketed part, "
                "nor year-section",
            )
        elif i > 0:
            section, sep = "/".join(pieces[i:]), "/"
        elif _YEAR_SECTION.match(piece) or _FIRST.match(piece.split("-", 1)[0]):
            raise FileNumberError(
                written,
                "structure",
                "only one number before the section; expected head/serial/year or serial/year",
            )
        else:
            raise FileNumberError(
                written, "head", f"{piece!r} does not start with a number or a letter-number"
            )
        break
    if len(numbers) < 2 or len(numbers) > 3:
        found = len(numbers)
        raise FileNumberError(
            written,
            "structure",
            f"{found} number group{'s' * (found != 1)} before the section; expected "
            "head/serial/year or serial/year",
        )
    section = _section(section, written)
    year_text = numbers[-1]["num"]
    if numbers[-1].groupdict().get("paren") is not None:
        raise FileNumberError(written, "year", "a year cannot carry a bracketed part")
    year = _year(year_text, written)
    first = numbers[0]
    letter = first["letter"].upper() if first["letter"] else None
    if len(numbers) == 3:
        head, head_paren = first["num"], first["paren"]
        serial_m = numbers[1]
    else:
        head, head_paren, serial_m = None, None, first
    part_no = _part_no(head_paren, written)
    serial = int(serial_m["num"])
    if serial == 0:
        raise FileNumberError(written, "serial", "the serial number is 0")
    if len(serial_m["num"]) > 6:
        raise FileNumberError(written, "serial", f"{serial_m['num']} has more than 6 digits")
    sub_file = _sub_file(serial_m["paren"] if head is not None else first["paren"], written)
    kind = _kind(letter, head, written)
    return FileNumber(
        written=written.strip(),
        normalised=normalised_form(
            letter, head, part_no, serial, sub_file, year_text, sep, section
        ),
        kind=kind,
        basic_head=letter,
        head=head,
        part_no=part_no,
        serial=serial,
        sub_file=sub_file,
        year=year,
        year_text=year_text,
        section=section,
        section_sep=sep,
    )


def _part_no(paren: str | None, written: str) -> int | None:
    if paren is None:
        return None
    if not paren.isdigit() or int(paren) == 0:
        raise FileNumberError(
            written, "part", f"({paren}) after the head must be a part number from 1, e.g. (3)"
        )
    return int(paren)


def _sub_file(paren: str | None, written: str) -> str | None:
    if paren is None:
        return None
    roman = paren.upper()
    if not roman or not _ROMAN.match(roman):
        raise FileNumberError(
            written, "sub-file", f"({paren}) after the serial must be a Roman numeral, e.g. (I)"
        )
    return roman


def _kind(letter: str | None, head: str | None, written: str) -> FileNoKind:
    if head is None:
        return FileNoKind.SERIAL
    if letter is None:
        if int(head) == 0:
            raise FileNumberError(written, "head", "the head is 0")
        return FileNoKind.CONVENTIONAL
    if len(head) != 5:
        raise FileNumberError(
            written,
            "head",
            f"{head} has {len(head)} digits; a functional head has 5 "
            "(primary head, 0, secondary head), e.g. 11016",
        )
    if head[2] != "0":
        raise FileNumberError(
            written,
            "head",
            f"{head}: the third digit of a functional head must be 0 "
            "(primary head, 0, secondary head)",
        )
    return FileNoKind.FUNCTIONAL


def normalised_form(
    letter: str | None,
    head: str | None,
    part_no: int | None,
    serial: int,
    sub_file: str | None,
    year_text: str,
    sep: str,
    section: str,
) -> str:
    out = f"{letter}-" if letter else ""
    if head is not None:
        out += head + (f"({part_no})" if part_no else "") + "/"
    out += str(serial) + (f"({sub_file})" if sub_file else "")
    return f"{out}/{year_text}{sep}{normal_section(section)}"


# -- finding numbers in OCR text -------------------------------------------------------------

_D = r"[0-9\u0966-\u096f]"
_PAREN = rf"(?:\(\s?(?:{_D}{{1,3}}|[IVXivx]{{1,4}})\s?\))"
_SECTION_SCAN = (
    r"[A-Za-z[\p{Devanagari}&&\p{L}]][\p{L}\p{M}0-9.\u0966-\u096f]*"
    r"(?:-[\p{L}\p{M}0-9.\u0966-\u096f]+)*"
)
CANDIDATE: Final = regex.compile(
    rf"(?<![\p{{L}}\p{{M}}0-9\u0966-\u096f/])"
    rf"(?:[A-Za-z^£€]\s?-\s?)?{_D}{{1,6}}{_PAREN}?(?:\s?/\s?{_D}{{1,6}}{_PAREN}?){{1,2}}"
    rf"(?:-|\s?/\s?){_SECTION_SCAN}",
    regex.V1,
)


def find_candidates(text: str) -> list[tuple[int, int, str]]:
    """Spans of ``text`` that look like file numbers: ``(start, end, matched text)``.

    Permissive on spacing (OCR adds spaces around ``/``); callers parse each
    with ``parse_file_no`` and drop what fails.
    """
    return [(m.start(), m.end(), m.group()) for m in CANDIDATE.finditer(text)]
