"""QR cover, part and separator sheets: what they say, how to read them, how to split a stack.

An operator scans many legacy files in one go, putting a printed sheet on top
of each file (a *cover*: file number, subject, part, page count), between its
parts (a *part* sheet) or just between files (a *separator*). The sheets carry
a QR code, so the metadata registered is what the operator printed, not what
OCR guessed, and the sheets themselves never become pages.

The payload is plain text, versioned and self-describing, so a sheet printed
today still reads in ten years and a person with any phone QR app can read it::

    SCANPIPE:1;kind=cover;file=A-21001(3)/5/2008/DFG;subject=<UTF-8>;part=notes;pages=12

Values are percent-escaped only for ``%``, ``;``, ``=`` and control characters;
Hindi stays raw UTF-8 because escaping it triples its size (3 bytes → 9
characters), and a bigger QR code needs finer modules that a 100-dpi preview
of a noisy scan can no longer resolve. Readers ignore keys they do not know,
so a later scanpipe can add keys without a new format number; a new number
means old readers must refuse the sheet rather than guess.

Scanners that separate documents by Kodak patch code can be fed their own
patch T, 2 or 3 sheets instead of our separator: a page without one of our
QR sheets is also looked at for a patch code (``sheets.patch``).

Reading is tuned for the hot folder, where every scanned page passes through
``read_sheet``: a page is looked at once at ~100 dpi (tens of milliseconds,
JPEG pages decoded at reduced size), and only a page where a QR code was seen
but not decoded is looked at again at a finer scale.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from scanpipe.errors import InputFileError
from scanpipe.model import FileMetadata, PartStart
from scanpipe.sheets.patch import patch_sheet
from scanpipe.sheets.payload import (
    MAGIC,
    MAX_QR_VERSION,
    PART_LABELS,
    PARTS,
    VERSION,
    Sheet,
    SheetError,
    SheetKind,
    encode_payload,
    parse_payload,
)
from scanpipe.sheets.render import READ_DPI
from scanpipe.sheets.stacks import Stack, open_stack

# The sheet API is used from here; the payload types live in sheets.payload.
__all__ = [
    "MAGIC",
    "MAX_QR_VERSION",
    "PARTS",
    "PART_LABELS",
    "VERSION",
    "Sheet",
    "SheetError",
    "SheetKind",
    "encode_payload",
    "page_count_mismatch",
    "parse_payload",
    "plan_stack",
    "read_page",
    "read_sheet",
    "split_stack",
]

RETRY_DPI = 200.0  # a QR code was located but not decoded: look closer
_A4_LONG_IN = 297 / 25.4


# --- reading -------------------------------------------------------------------------------

_detectors = threading.local()


def _detector(kind: str) -> cv2.QRCodeDetector:
    """One detector per thread and kind: OpenCV detectors keep state between calls."""
    found = getattr(_detectors, kind, None)
    if found is None:
        aruco = getattr(cv2, "QRCodeDetectorAruco", None)
        found = aruco() if kind == "aruco" and aruco is not None else cv2.QRCodeDetector()
        setattr(_detectors, kind, found)
    return found


def _scaled(gray: np.ndarray, factor: float) -> np.ndarray:
    if factor >= 0.95:
        return gray
    return cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)


def _decode(img: np.ndarray) -> tuple[str, bool]:
    """(text, located). The ArUco-based detector first: it is faster and, in our
    trials, located every sheet from 100 dpi up. The plain detector runs only on
    a code that was located but not decoded (it decodes some of those), so an
    ordinary page costs one detector pass."""
    try:
        text, points, _ = _detector("aruco").detectAndDecode(img)
    except cv2.error:
        text, points = "", np.zeros(1)  # unknown: let the plain detector decide
    if text or points is None:
        return text, bool(text)
    try:
        text, points, _ = _detector("plain").detectAndDecode(img)
    except cv2.error:
        return "", True
    return text, True


def read_page(gray: np.ndarray, *, dpi: float | None = None) -> tuple[Sheet | None, bool]:
    """``read_sheet`` that also says whether a QR code was seen at all.

    A code located but not decoded at this resolution is worth a finer
    preview (``split_stack`` makes one); an ordinary page is not.
    """
    if gray.ndim == 3:
        gray = cv2.cvtColor(gray, cv2.COLOR_BGR2GRAY if gray.shape[2] == 3 else cv2.COLOR_BGRA2GRAY)
    if gray.dtype != np.uint8:
        raise ValueError(f"read_sheet needs a uint8 image, not {gray.dtype}")
    if dpi is None or dpi <= 0:
        dpi = max(gray.shape[:2]) / _A4_LONG_IN
    text, located = _decode(_scaled(gray, READ_DPI / dpi))
    closer = min(RETRY_DPI, dpi)
    if located and not text and closer > READ_DPI * 1.2:
        text, _ = _decode(_scaled(gray, closer / dpi))
    return (parse_payload(text) if text else None), located


def read_sheet(gray: np.ndarray, *, dpi: float | None = None) -> Sheet | None:
    """The scanpipe sheet on this page, or None for an ordinary page.

    ``gray`` is the page as uint8 (colour is converted); ``dpi`` its resolution,
    guessed from an A4 size when not given. An ordinary page costs one QR
    detector pass at READ_DPI (~20-40 ms for A4). Raises SheetError for a
    scanpipe QR code that cannot be understood.
    """
    return read_page(gray, dpi=dpi)[0]


# --- stacks --------------------------------------------------------------------------------


@dataclass
class Segment:
    """Pages of one file in a stack (0-based indices into the stack) and what sheets said."""

    cover: Sheet | None = None
    cover_index: int | None = None
    pages: list[int] = field(default_factory=list)
    parts: list[PartStart] = field(default_factory=list)

    def metadata(self) -> FileMetadata:
        # A part nobody declared pages for and that got none (a cover's part
        # immediately followed by a part sheet) says nothing; drop it.
        sizes = part_sizes(self.parts, len(self.pages))
        parts = tuple(
            p for p, n in zip(self.parts, sizes, strict=True) if n or p.declared_pages is not None
        )
        if self.cover is None and not parts:
            return FileMetadata()
        cover = self.cover or Sheet(SheetKind.SEPARATOR)
        return FileMetadata(
            file_no=cover.file_no,
            subject=cover.subject,
            office=cover.office,
            section=cover.section,
            # the part of page 1, if a sheet said so
            part=parts[0].part if parts and parts[0].first_page == 1 else None,
            declared_pages=cover.declared_pages,
            origin="qr",
            parts=parts,
        )


def plan_stack(sheets: Sequence[Sheet | None]) -> list[Segment]:
    """Group a stack's pages into files, given what each page is (None = an ordinary page).

    * a cover starts a new file; a second identical cover right after it is a
      duplicate print and is ignored;
    * a separator starts a new file without metadata;
    * a part sheet starts a new part in the current file;
    * pages before the first cover or separator form a file of their own.

    A cover with no pages after it raises InputFileError: its pages are
    missing or misplaced, and registering the neighbours without it would
    hide that.
    """
    segments: list[Segment] = []
    current: Segment | None = None

    def close() -> None:
        if current is None:
            return
        if current.pages:
            segments.append(current)
        elif current.cover is not None:
            assert current.cover_index is not None
            raise InputFileError(
                f"the cover sheet for file {current.cover.file_no} (stack page "
                f"{current.cover_index + 1}) has no pages after it",
                advice="put the file's pages after its cover sheet and scan the stack again, "
                "or remove the extra cover sheet",
            )

    for index, sheet in enumerate(sheets):
        if sheet is None:
            if current is None:
                current = Segment()
            current.pages.append(index)
        elif sheet.kind is SheetKind.COVER:
            if current is not None and not current.pages and current.cover == sheet:
                continue
            close()
            current = Segment(cover=sheet, cover_index=index)
            if sheet.part:
                current.parts.append(PartStart(sheet.part, 1))
        elif sheet.kind is SheetKind.SEPARATOR:
            close()
            current = None
        else:
            if current is None:
                current = Segment()
            start = PartStart(sheet.part or "", len(current.pages) + 1, sheet.declared_pages)
            last = current.parts[-1] if current.parts else None
            if last and last.first_page == start.first_page and last.part == start.part:
                current.parts[-1] = start  # the part sheet restates the cover's part
            else:
                current.parts.append(start)
    close()
    return segments


def part_sizes(parts: Sequence[PartStart], total: int) -> list[int]:
    """Pages in each part: each runs up to the next part's start, the last to the end."""
    ends = [p.first_page for p in parts[1:]] + [total + 1]
    return [max(0, end - p.first_page) for p, end in zip(parts, ends, strict=False)]


def page_count_mismatch(meta: FileMetadata, actual: int) -> str | None:
    """Why the scanned page count disagrees with the sheets, or None when it agrees.

    ``actual`` is the number of pages in the file (sheets excluded). Checks the
    cover's declared total and each part sheet's declared count.
    """
    reasons = []
    if meta.declared_pages is not None and meta.declared_pages != actual:
        diff = actual - meta.declared_pages
        how = f"{-diff} missing" if diff < 0 else f"{diff} extra"
        reasons.append(
            f"the cover sheet declares {meta.declared_pages} pages but {actual} were "
            f"scanned ({how})"
        )
    for part, got in zip(meta.parts, part_sizes(meta.parts, actual), strict=True):
        if part.declared_pages is not None and part.declared_pages != got:
            reasons.append(
                f"part '{part.part}' declares {part.declared_pages} pages but "
                f"{got} were scanned (from file page {part.first_page})"
            )
    return "; ".join(reasons) or None


_DEVA_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")


def _safe_name(file_no: str) -> str:
    """File number as a file name, NIC migration style: '/' becomes '_', odd characters go.

    Only for telling the outputs apart by eye; the metadata carries the real number.
    """
    name = file_no.translate(_DEVA_DIGITS).replace("/", "_")
    return re.sub(r"[^A-Za-z0-9()_-]+", "", name).strip("_-")[:80]


def split_stack(
    path: Path, out_dir: Path, *, max_pixels: int = 120_000_000
) -> list[tuple[Path, FileMetadata]]:
    """Split a scanned stack (PDF or multi-page TIFF) into one file per file, on its sheets.

    Sheets are the QR cover, part and separator sheets, and Kodak patch
    sheets T, 2 and 3 (separators; ``sheets.patch``). Each output copies the
    stack's own pages and leaves the sheets out: PDF page objects (the
    scanner's JPEGs are not re-encoded) or TIFF frames, pixel for pixel (see
    ``sheets.stacks``). Names are ``<stem>-NN[-<file no>].pdf|.tif`` and the
    bytes are deterministic, so redoing a split after a crash rewrites the
    same files, which the registry's sha256 check recognises. A stack without
    any sheet is returned as itself: ``[(path, FileMetadata())]``, without a copy.

    Callers compare each file's page count with ``declared_pages`` through
    ``page_count_mismatch``. Raises InputFileError for an unreadable stack, a
    cover without pages, or a sheet this version cannot read.
    """
    path, out_dir = Path(path), Path(out_dir)
    with open_stack(path, max_pixels=max_pixels) as stack:
        sheets: list[Sheet | None] = []
        for index in range(len(stack)):
            try:
                sheets.append(_sheet_of_page(stack, index))
            except SheetError as exc:
                raise SheetError(
                    f"page {index + 1}: {exc.message}", advice=exc.advice, path=path
                ) from exc
        if not any(sheets):
            return [(path, FileMetadata())]
        segments = plan_stack(sheets)
        out_dir.mkdir(parents=True, exist_ok=True)
        results = []
        for number, segment in enumerate(segments, 1):
            meta = segment.metadata()
            name = _safe_name(meta.file_no or "")
            suffix = f"-{name}" if name else ""
            target = out_dir / f"{path.stem}-{number:02d}{suffix}{stack.suffix}"
            stack.write(segment.pages, target)
            results.append((target, meta))
        return results


def _sheet_of_page(stack: Stack, index: int) -> Sheet | None:
    """Read one page cheaply; look again at RETRY_DPI only where a QR code was seen.

    Our QR sheets come first; a page without one (a foreign QR code included)
    is then looked at for a patch code on the same preview, a few ms more.
    """
    gray, dpi = stack.gray(index, READ_DPI)
    sheet, located = read_page(gray, dpi=dpi)
    if sheet is None and located and dpi < RETRY_DPI * 0.9:
        closer, closer_dpi = stack.gray(index, RETRY_DPI)
        sheet, _ = read_page(closer, dpi=closer_dpi)
    return sheet if sheet is not None else patch_sheet(gray, dpi=dpi)
