"""One page from scan to OCR result: the work a page worker does.

It is a plain function of a PageJob: no database, no shared state, so it runs
the same in-process, in a local pool or on a Celery worker. Its only side
effects are the files it writes into ``job.out_dir``.
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

from scanpipe.errors import ScanpipeError
from scanpipe.model import Geometry, PageJob, PageResult, PageStatus
from scanpipe.ocr.engine import OcrEngine, load_engine
from scanpipe.ocr.geometry import estimate_skew, quarter_turn, rotate
from scanpipe.ocr.raster import load_page


def paper_level(gray: np.ndarray) -> int:
    """The paper's grey level, to fill the corners that straightening uncovers."""
    return int(np.percentile(gray[:: 8, :: 8], 90))


def clean_for_ocr(gray: np.ndarray) -> np.ndarray:
    """Paint dark scanner-bed borders paper-white before OCR.

    Tesseract reads the edges of dark borders as ``|`` and letters, and noisy
    grey regions cost it seconds. The background (a morphological closing on a
    small copy, so text disappears) is far darker than paper only on the
    scanner bed. Text itself is not touched: dividing the whole page by the
    background was measured to amplify noise and make Tesseract 4x slower.
    The archived image is not changed.
    """
    h, w = gray.shape
    scale = 400 / max(h, w)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    paper = float(np.percentile(background, 75))
    dark = (background < 0.7 * paper).astype(np.uint8)
    if not dark.any():
        return gray
    dark = cv2.dilate(dark, np.ones((5, 5), np.uint8))
    mask = cv2.resize(dark, (w, h), interpolation=cv2.INTER_NEAREST).astype(bool)
    cleaned = gray.copy()
    cleaned[mask] = int(paper)
    return cleaned


def find_geometry(
    gray: np.ndarray, dpi: int, engine: OcrEngine, work: Path, forced_rotation: int | None = None
) -> Geometry:
    """Skew from the ink's projection profile, then 0-or-180 from the OCR engine.

    Orientation is judged on a half-size, levelled copy: OSD needs no more,
    and turning a full 300 dpi page costs a tenth of a second.
    """
    est = estimate_skew(gray)
    if forced_rotation is not None:
        return Geometry(forced_rotation % 360, est.skew_deg, 100.0)
    small = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    level = rotate(small, -est.skew_deg, fill=paper_level(small))
    base = 0
    if est.vertical:
        level, base = quarter_turn(level, -90), 90
    flip, conf = engine.orientation(level, max(dpi // 2, 70), work)
    return Geometry((base + flip) % 360, est.skew_deg, conf)


def straighten(pixels: np.ndarray, geometry: Geometry, fill: int) -> np.ndarray:
    return quarter_turn(rotate(pixels, -geometry.skew_deg, fill=fill), -geometry.orientation_deg)


def _status(confidence: float, words: int, threshold: float) -> tuple[PageStatus, str]:
    if words == 0:
        return PageStatus.REVIEW, "no text found: blank page, photo, or unreadable scan"
    if confidence < threshold:
        return PageStatus.REVIEW, f"low OCR confidence {confidence:.0f} (threshold {threshold:.0f})"
    return PageStatus.OK, ""


def process_page(job: PageJob, engine: OcrEngine | None = None) -> PageResult:
    """Rasterise, orient, deskew and OCR one page. Never raises for a bad page."""
    engine = engine or load_engine(job.ocr.engine, job.ocr.timeout_s, job.ocr.psm)
    job.out_dir.mkdir(parents=True, exist_ok=True)
    base = job.out_dir / f"page-{job.number:04d}"
    clock: dict[str, float] = {}
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        clock[name] = round(now - t, 3)
        t = now

    try:
        raster = load_page(job.ref, job.ocr)
        gray = raster.gray
        lap("load")
        geometry = find_geometry(gray, raster.dpi, engine, base, job.ocr.rotate)
        fill = paper_level(gray)
        upright = straighten(raster.pixels, geometry, fill)
        upright_gray = upright if upright.ndim == 2 else cv2.cvtColor(upright, cv2.COLOR_BGR2GRAY)
        lap("geometry")
        image_path = base.with_suffix(".png")
        cv2.imwrite(str(image_path), upright, [cv2.IMWRITE_PNG_COMPRESSION, 1])
        lap("save")
        ocr = engine.recognise(clean_for_ocr(upright_gray), raster.dpi, job.ocr.langs, base)
        lap("ocr")
    except ScanpipeError as exc:
        return PageResult(job.number, PageStatus.FAILED, reason=exc.render(), seconds=clock)
    except Exception as exc:  # one bad page must never fail the file
        return PageResult(
            job.number, PageStatus.FAILED, reason=f"{type(exc).__name__}: {exc}", seconds=clock
        )
    status, reason = _status(ocr.confidence, len(ocr.words), job.ocr.review_confidence)
    h, w = upright.shape[:2]
    return PageResult(
        number=job.number,
        status=status,
        text=ocr.text,
        confidence=ocr.confidence,
        skew_deg=geometry.skew_deg,
        orientation_deg=geometry.orientation_deg,
        dpi=raster.dpi,
        width=w,
        height=h,
        image_path=image_path,
        text_pdf=ocr.text_pdf,
        reason=reason,
        seconds=clock,
        words=len(ocr.words),
    )
