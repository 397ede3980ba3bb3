"""Re-read one registered page with other OCR settings, through the pipeline's own page stage.

A page that came out unreadable is usually fixed by a forced quarter turn,
another language model or another resolution. The page is re-run through
``ocr.page.process_page`` (the very worker ``convert`` uses) on its original
scan when that is still on disk and unchanged, else on the archived PDF/A
page. The registry row and the search index are updated; the archive PDF/A
itself is not rewritten (its text layer keeps the first reading), because
archive files are written once, validated, and named by their hash.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import replace
from pathlib import Path

from scanpipe.errors import InputFileError
from scanpipe.model import PageJob, PageRef, SourceKind
from scanpipe.ocr.page import process_page
from scanpipe.registry.page_review import (
    PageReviewError,
    PageState,
    apply_result,
    image_origin,
    page_reason,
    source_of,
)
from scanpipe.registry.store import Registry
from scanpipe.settings import OcrSettings, Settings
from scanpipe.sources import open_source

ROTATIONS = (0, 90, 180, 270)
DPI_RANGE = (100, 600)


def retry_settings(
    ocr: OcrSettings, *, rotate: int | None, langs: str | None, dpi: int | None
) -> OcrSettings:
    """The page's OCR settings with the reviewer's changes, checked before any work."""
    if rotate is not None and rotate not in ROTATIONS:
        raise PageReviewError(
            f"rotation {rotate} is not a quarter turn", advice="use 0, 90, 180 or 270"
        )
    if dpi is not None and not DPI_RANGE[0] <= dpi <= DPI_RANGE[1]:
        raise PageReviewError(
            f"{dpi} dpi is outside {DPI_RANGE[0]}-{DPI_RANGE[1]}", advice="try 300 or 400"
        )
    if langs is not None and (not langs or not all(c.isalnum() or c in "+_" for c in langs)):
        raise PageReviewError(
            f"{langs!r} is not a Tesseract language setting",
            advice="use e.g. Devanagari, hin+eng or eng",
        )
    # A retry is a request to read the page again: a text layer, which triage would
    # accept exactly as before, is not what the reviewer asked for.
    changes: dict[str, object] = {"text_layer": False}
    if rotate is not None:
        changes["rotate"] = rotate
    if langs:
        changes["langs"] = langs
    if dpi is not None:
        changes["target_dpi"] = dpi
        changes["min_dpi"] = min(ocr.min_dpi, dpi)
    return replace(ocr, **changes)


def page_ref(registry: Registry, file_id: int, number: int, max_pixels: int) -> PageRef:
    """The page's original scan when it is still there with the same bytes, else the archive."""
    origin_file, origin_page = image_origin(file_id, number, page_reason(registry, file_id, number))
    source, sha, pdf = source_of(registry, origin_file)
    if source is not None and source.exists() and sha:
        try:
            found = open_source(source, max_pixels=max_pixels)
        except InputFileError:
            found = None
        if found is not None and found.sha256 == sha and origin_page <= len(found.pages):
            return found.pages[origin_page - 1]
    if pdf is not None and pdf.exists():
        return PageRef(pdf, origin_page - 1, SourceKind.PDF)
    raise PageReviewError(
        f"file {origin_file} has neither its original scan nor an archive PDF to re-read",
        advice="correct the page's text by hand, or convert the original again",
    )


def retry_page(
    registry: Registry,
    settings: Settings,
    file_id: int,
    number: int,
    *,
    by: str,
    rotate: int | None = None,
    langs: str | None = None,
    dpi: int | None = None,
) -> PageState:
    """OCR the page again with the changed settings and store what it reads."""
    ocr = retry_settings(settings.ocr, rotate=rotate, langs=langs, dpi=dpi)
    if ocr.engine == "tesseract":
        from scanpipe import tools

        tools.require_languages(ocr.langs)
    ref = page_ref(registry, file_id, number, ocr.max_pixels)
    work = settings.work_dir / "page-retry" / uuid.uuid4().hex
    try:
        result = process_page(PageJob(ref, number, Path(work), ocr))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    bits = [
        f"rotate {rotate}" if rotate is not None else "",
        langs or "",
        f"{dpi} dpi" if dpi else "",
    ]
    what = ", ".join(b for b in bits if b) or "same settings"
    return apply_result(registry, file_id, number, result, f"re-read with {what} ({by})", by=by)
