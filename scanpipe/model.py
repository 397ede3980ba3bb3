"""Small value types passed between stages.

They are frozen and picklable so that a page job can cross a process (or a
Celery) boundary unchanged, and a stage can never mutate another's input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from scanpipe.settings import OcrSettings


class SourceKind(StrEnum):
    PDF = "pdf"
    TIFF = "tiff"
    IMAGE = "image"


class PageStatus(StrEnum):
    OK = "ok"
    REVIEW = "review"  # low confidence or blank: a person should look
    FAILED = "failed"  # no text could be produced; the page is still registered


@dataclass(frozen=True)
class PageRef:
    """Where one page of a legacy file comes from: a path and an index inside it."""

    path: Path
    index: int  # 0-based page inside a PDF or multi-page TIFF; 0 for single images
    kind: SourceKind


@dataclass(frozen=True)
class FileSource:
    """One legacy file to convert: a PDF, a TIFF, an image or a folder of page images."""

    path: Path
    pages: tuple[PageRef, ...]
    sha256: str  # of the file, or of the ordered page hashes for a folder
    size_bytes: int


@dataclass(frozen=True)
class PageJob:
    """Everything a worker needs to turn one page into a PageResult; no database."""

    ref: PageRef
    number: int  # 1-based page number in the file
    out_dir: Path  # where the worker writes the page image and text-layer PDF
    ocr: OcrSettings


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float
    box: tuple[int, int, int, int]  # left, top, right, bottom in straightened-page pixels
    line: int  # reading-order line key from the engine


@dataclass(frozen=True)
class OcrPage:
    """The result of the one OCR run per page: text, words and the PDF text layer."""

    text: str
    words: tuple[Word, ...]
    confidence: float  # mean word confidence 0-100, -1 when there are no words
    text_pdf: Path | None  # a one-page, text-only PDF sized like the page image


@dataclass(frozen=True)
class Geometry:
    """How the scan had to be turned to read it.

    ``skew_deg`` follows OpenCV: the page content was turned this many degrees
    counter-clockwise, so the correcting rotation is ``-skew_deg``.
    ``orientation_deg`` is the quarter turn (counter-clockwise) the page had.
    """

    orientation_deg: int
    skew_deg: float
    orientation_confidence: float = 0.0


@dataclass(frozen=True)
class PageResult:
    number: int
    status: PageStatus
    text: str = ""
    confidence: float = -1.0
    skew_deg: float = 0.0
    orientation_deg: int = 0
    dpi: int = 0
    width: int = 0
    height: int = 0
    # The archived master: the scan's own encoded bytes (JPEG passed through, or a
    # lossless PNG), never resampled. ``image_matrix`` maps its pixels onto the
    # upright page (``width`` x ``height`` at ``dpi``), which the PDF draws it with.
    image_path: Path | None = None
    image_format: str = ""  # "jpeg" or "png"
    image_size: tuple[int, int] = (0, 0)
    image_matrix: tuple[float, ...] = ()
    text_pdf: Path | None = None
    reason: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    words: int = 0


@dataclass(frozen=True)
class FileMetadata:
    """What is known of a legacy file beyond its scans.

    ``origin`` says who said so: an operator or inbox default ("declared"), a
    QR cover sheet ("qr"), a records-room register row ("register") or the
    classifier ("suggested"). Declared values win over suggestions.
    """

    file_no: str | None = None
    subject: str | None = None
    office: str | None = None
    section: str | None = None
    part: str | None = None  # notes | correspondence | appendix-notes | appendix-correspondence
    declared_pages: int | None = None
    year: int | None = None
    operator: str | None = None
    origin: str = "declared"
