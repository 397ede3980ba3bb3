"""Small value types passed between stages.

They are frozen and picklable so that a page job can cross a process (or a
Celery) boundary unchanged, and a stage can never mutate another's input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

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
    # (line as first read, the same line read again by ``OcrSettings.reread_langs``) for
    # lines holding a file number; extraction trusts a number both readings agree on.
    rereads: tuple[tuple[str, str], ...] = ()
    # The completeness check (ocr/completeness.py): the share of the page's text-like
    # ink that produced no word (-1: not measured), and which reading the text is from.
    missing: float = -1.0
    reading: str = ""
    attempts: int = 0
    # How differently two models read the Devanagari lines (ocr/second_model.py); -1:
    # the page was read by one model only.
    disagreement: float = -1.0
    # Where the text came from (ocr/layer_triage.py): "unicode" (the PDF's own layer),
    # "legacy" (a Kruti Dev / DevLys layer decoded), "ocr"; and why.
    text_source: str = "ocr"
    source_note: str = ""


class PartStart(NamedTuple):
    """Where one part of a file (notes, correspondence, ...) begins, from a QR sheet.

    A plain tuple, so it pickles and serialises to JSON as ``[part, first_page,
    declared_pages]``. ``first_page`` is 1-based in the file's own pages (sheets
    are not pages); the part runs to the page before the next part's start.
    """

    part: str
    first_page: int
    declared_pages: int | None = None


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
    # Part boundaries from QR part sheets, in page order; empty when none were scanned.
    parts: tuple[PartStart, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    """One value the classifier proposes, with why and how sure (0-1).

    ``field`` is a file field (``file_no``, ``subject``, ``year``) or, with a
    ``page``, a field of the document starting there (``doc_type``, ``date``
    as ISO ``YYYY-MM-DD``, ``sender``, ``reference_no``, ``doc_subject``,
    ``language``).
    ``source``: ``rule`` (a written rule), ``model`` (learned from confirmed
    labels) or ``extractor`` (a pattern such as a date).
    """

    field: str
    value: str
    confidence: float
    reason: str
    source: str = "extractor"
    page: int | None = None


@dataclass(frozen=True)
class PageLabels:
    """What the classifier read from one page: language, kind, notesheet, extracted fields."""

    number: int
    language: str  # hi | en | mixed | none
    doc_type: str  # a DocKind value, incl. blank and separator
    confidence: float
    reason: str
    source: str
    notesheet: bool
    starts_document: bool  # a new document begins here (its own heading, date, subject ...)
    fields: tuple[Suggestion, ...] = ()


@dataclass(frozen=True)
class Classification:
    """The classifier's reading of a whole file, handed to ``Registry.add_file``.

    Suggestions at or above ``threshold`` are applied (unless a declared value
    exists); the rest go to the review queue.
    """

    pages: tuple[PageLabels, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    threshold: float = 0.8
