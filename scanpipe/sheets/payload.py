"""What a QR cover, part or separator sheet says, and its text format.

The payload is plain text, versioned and self-describing (see ``scanpipe.sheets.split``
for why), so this module has no image code: printing, reading and splitting
all build on it.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote

from scanpipe.errors import InputFileError

MAGIC = "SCANPIPE"
VERSION = 1
# The four parts of a file (CSMOP); each is paginated in its own series.
PARTS: tuple[str, ...] = ("notes", "correspondence", "appendix-notes", "appendix-correspondence")
# (Hindi, English) labels, as printed on the sheets and shown to operators.
PART_LABELS: dict[str, tuple[str, str]] = {
    "notes": ("टिप्पणी", "Notes"),
    "correspondence": ("पत्राचार", "Correspondence"),
    "appendix-notes": ("टिप्पणी का परिशिष्ट", "Appendix to notes"),
    "appendix-correspondence": ("पत्राचार का परिशिष्ट", "Appendix to correspondence"),
}
# Largest QR version a sheet may use. A4 sheets print the code up to 120 mm wide,
# so version 18 (89 modules + 8 quiet) still gets ~1.2 mm modules: ~4.7 px at the
# 100 dpi the stack splitter looks at, which survived blur, JPEG and ±15° skew
# in our trials (a 490-byte payload, version 17, read in 100 % of 330 scans).
MAX_QR_VERSION = 18
_ESCAPE = re.compile(r"[%;=\x00-\x1f\x7f]")


class SheetKind(StrEnum):
    COVER = "cover"  # starts a new file and says what it is
    PART = "part"  # starts a new part within the current file
    SEPARATOR = "separator"  # starts a new file and says nothing about it


class SheetError(InputFileError):
    """A QR code says it is a scanpipe sheet but cannot be understood.

    Raised rather than treating the sheet as a page: guessing would either put
    a sheet into the archive or merge two files into one.
    """


@dataclass(frozen=True)
class Sheet:
    """What one printed sheet says. Only ``kind`` is always present."""

    kind: SheetKind
    file_no: str | None = None
    subject: str | None = None
    part: str | None = None
    declared_pages: int | None = None  # cover: the whole file; part sheet: that part
    office: str | None = None
    section: str | None = None

    def __post_init__(self) -> None:
        # Stored as printed and as read back, so parse(encode(sheet)) == sheet.
        for name in ("file_no", "subject", "part", "office", "section"):
            object.__setattr__(self, name, _clean(getattr(self, name)))
        if self.part is not None and self.part not in PARTS:
            raise ValueError(f"unknown part {self.part!r}; use one of {', '.join(PARTS)}")
        if self.declared_pages is not None and self.declared_pages < 1:
            raise ValueError(f"declared pages must be 1 or more, not {self.declared_pages}")
        if self.kind is SheetKind.COVER and not self.file_no:
            raise ValueError("a cover sheet needs a file number")
        if self.kind is SheetKind.PART and self.part is None:
            raise ValueError("a part sheet needs a part")


# --- payload -------------------------------------------------------------------------------


def _escape(value: str) -> str:
    return _ESCAPE.sub(lambda m: f"%{ord(m.group()):02X}", value)


def _clean(value: str | None) -> str | None:
    """NFC (Hindi typed on different keyboards must compare equal) and trimmed; "" is None."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", value).strip()
    return value or None


def encode_payload(sheet: Sheet) -> str:
    """The QR text for ``sheet``; keys in a fixed order so equal sheets print equal codes."""
    fields = {
        "kind": sheet.kind.value,
        "file": sheet.file_no,
        "subject": sheet.subject,
        "part": sheet.part,
        "pages": str(sheet.declared_pages) if sheet.declared_pages is not None else None,
        "office": sheet.office,
        "section": sheet.section,
    }
    body = ";".join(f"{k}={_escape(v)}" for k, v in fields.items() if v is not None)
    return f"{MAGIC}:{VERSION};{body}"


def _repair_mojibake(text: str) -> str:
    """Undo a decoder that read UTF-8 bytes as Latin-1 (the QR default without ECI)."""
    if any(0x80 <= ord(c) <= 0xFF for c in text) and all(ord(c) <= 0xFF for c in text):
        with contextlib.suppress(UnicodeError):
            return text.encode("latin-1").decode("utf-8")
    return text


def parse_payload(text: str) -> Sheet | None:
    """The Sheet a QR text describes; None when it is some other QR code.

    Government papers carry QR codes of their own (e-stamps, land records,
    Aadhaar letters); those are pages, so only our magic prefix counts. A text
    with our prefix that cannot be read raises SheetError.
    """
    text = _repair_mojibake(text.strip())
    if not text.startswith(MAGIC + ":"):
        return None
    head, _, body = text.partition(";")
    version = head[len(MAGIC) + 1 :]
    if not version.isdigit() or int(version) != VERSION:
        raise SheetError(
            f"a sheet says it is scanpipe sheet format {version!r}; this scanpipe reads {VERSION}",
            advice="upgrade scanpipe, or reprint the sheet with this version and rescan",
        )
    values: dict[str, str] = {}
    for item in body.split(";"):
        key, sep, value = item.partition("=")
        if sep:
            values[key.strip()] = unquote(value, errors="strict")
    try:
        pages = values.get("pages")
        return Sheet(
            kind=SheetKind(values.get("kind", "")),
            file_no=values.get("file"),
            subject=values.get("subject"),
            part=values.get("part"),
            declared_pages=int(pages) if pages else None,
            office=values.get("office"),
            section=values.get("section"),
        )
    except (ValueError, UnicodeError) as exc:
        raise SheetError(
            f"a scanpipe sheet's QR code is not valid ({exc}): {text[:120]!r}",
            advice="print the sheet again with 'scanpipe sheets' and rescan the stack",
        ) from exc
