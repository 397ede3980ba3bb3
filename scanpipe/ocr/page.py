"""One page from scan to OCR result: the work a page worker does.

It is a plain function of a PageJob: no database, no shared state, so it runs
the same in-process, in a local pool or on a Celery worker. Its only side
effects are the files it writes into ``job.out_dir``.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from scanpipe.errors import ScanpipeError
from scanpipe.model import Geometry, PageJob, PageResult, PageStatus, SourceKind
from scanpipe.ocr import second_model
from scanpipe.ocr.binarise import binarise, outside_mask
from scanpipe.ocr.engine import OcrEngine, load_engine
from scanpipe.ocr.geometry import (
    estimate_skew,
    headline_vote,
    quarter_turn,
    rotate,
    straighten_matrix,
    warp,
)
from scanpipe.ocr.layer_triage import Triage, triage
from scanpipe.ocr.pdf import embed_fonts, fonts_embedded
from scanpipe.ocr.raster import Master, load_page
from scanpipe.ocr.reading import Reading, read_page
from scanpipe.ocr.reread import reread_lines
from scanpipe.settings import OcrSettings

# Noise defeats LZ matching on scans, so run-length coding after PNG's row filters
# is both faster (0.22 s vs 0.30 s an A4 page) and smaller than zlib level 1.
PNG_FAST = [cv2.IMWRITE_PNG_COMPRESSION, 1, cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_RLE]


# Below this OSD confidence a 180° verdict is noise (phototest.tif at 100 dpi: 0.3).
MIN_FLIP_CONFIDENCE = 1.5
# When OSD is below that, the headline vote decides if at least this many word blobs
# voted and this share of them agree (61 to 14 on a 180° carbon copy).
WEAK_VOTE_MINIMUM = 20
WEAK_VOTE_SHARE = 0.75


# Orientation is decided before OCR, on evidence that carbon copies and worn type can
# mislead (docs/decisions.md). A page read below this confidence is read once turned
# over, and kept turned when that reads this many points more surely. Wrongly turned
# stress pages read at 19-51; upright clean letters at 90 and more.
UPSIDE_DOWN_BELOW = 60.0
TURNED_MARGIN = 10.0


# Resampling a page costs Tesseract more than a residual skew this small: on the real
# Devanagari scans, turning pages by 0.02-0.3° raised CER from 9.6% to 10.4% (marathi)
# and 5.3% to 5.7% (bhojpuri), while from 0.37° up it helps (synthetic-dev). The
# measured skew is still recorded; only the correction is skipped.
MIN_DESKEW_DEG = 0.3


def applied_skew(skew_deg: float) -> float:
    """The rotation actually applied: none for skews too small to be worth resampling."""
    return skew_deg if abs(skew_deg) >= MIN_DESKEW_DEG else 0.0


def paper_level(gray: np.ndarray) -> int:
    """The paper's grey level, to fill the corners that straightening uncovers."""
    return int(np.percentile(gray[::8, ::8], 90))


def not_paper(gray: np.ndarray, matrix: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """What OCR must ignore on the upright page: scanner bed, and corners straightening uncovered.

    The bed is found on the scan as it came (where it touches the scan's edge),
    then turned with the page; the uncovered corners come along as the warp's
    fill. Both are grown by a few pixels so the step between them and a dimly
    lit edge of the sheet never turns into a black border line.
    """
    bed = outside_mask(gray).astype(np.uint8) * 255
    turned = warp(bed, matrix, size, 255) > 127
    if turned.any():
        turned = cv2.dilate(turned.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    return turned


def find_geometry(
    gray: np.ndarray, dpi: int, engine: OcrEngine, work: Path, forced_rotation: int | None = None
) -> Geometry:
    """Skew from the ink's projection profile, then 0-or-180 from the OCR engine.

    Orientation is judged on a half-size, levelled copy: turning a full
    300 dpi page costs a tenth of a second. Devanagari headlines decide most
    pages in milliseconds; Tesseract's OSD (a separate process, 0.2 s or
    more) is asked only when they do not.
    """
    est = estimate_skew(gray)
    if forced_rotation is not None:
        return Geometry(forced_rotation % 360, est.skew_deg, 100.0)
    # Half size is plenty at 300 dpi; smaller scans keep every pixel for OSD.
    factor = 0.5 if dpi >= 300 else 1.0
    small = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    level = rotate(small, -est.skew_deg, fill=paper_level(small))
    # Both votes threshold globally (Otsu), which uneven light defeats just as it
    # defeats OCR: they get the same locally thresholded page the engine reads.
    level = binarise(level, round(dpi * factor)).image
    base = 0
    if est.vertical:
        level, base = quarter_turn(level, -90), 90
    vote = headline_vote(level)
    flip = vote.decision()
    conf = 100.0
    if flip is None:
        flip, conf = engine.orientation(level, round(dpi * factor), work)
        if conf < MIN_FLIP_CONFIDENCE:
            # OSD is guessing. A clear headline majority (carbon copies and worn type
            # make some words vote wrong) still beats a guess; without one, most pages
            # are scanned upright, and a guess must not turn them over.
            flip = vote.decision(minimum=WEAK_VOTE_MINIMUM, share=WEAK_VOTE_SHARE) or 0
    return Geometry((base + flip) % 360, est.skew_deg, conf)


def _status(
    confidence: float, words: int, threshold: float, reading: Reading
) -> tuple[PageStatus, str]:
    if words == 0:
        return PageStatus.REVIEW, "no text found: blank page, photo, or unreadable scan"
    if not reading.completeness.complete:
        return PageStatus.REVIEW, reading.completeness.describe()
    if reading.disagreement > second_model.MAX_DISAGREEMENT:
        return PageStatus.REVIEW, (
            f"two models read {reading.disagreement:.0%} of the Devanagari text differently"
            f" ({reading.attempt.langs} and {reading.second_langs})"
        )
    if confidence < threshold:
        return PageStatus.REVIEW, f"low OCR confidence {confidence:.0f} (threshold {threshold:.0f})"
    return PageStatus.OK, ""


def _straighten(
    gray: np.ndarray, geometry: Geometry, master_size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The upright page, what on it is not paper, and the master's matrix onto it."""
    turn = applied_skew(geometry.skew_deg)
    matrix, size = straighten_matrix(gray.shape[1], gray.shape[0], turn, geometry.orientation_deg)
    upright = warp(gray, matrix, size, paper_level(gray))
    outside = not_paper(gray, matrix, size)
    # The master may be smaller than the pixels OCR saw (upscaled low-dpi scans).
    scale = gray.shape[1] / master_size[0]
    to_page, _ = straighten_matrix(
        master_size[0], master_size[1], turn, geometry.orientation_deg, scale
    )
    return upright, outside, to_page


def _worth_turning(job: PageJob, reading: Reading) -> bool:
    """A reading this unsure is more often a page upside down than a page that bad."""
    return (
        job.ocr.rotate is None
        and job.ocr.fallback
        and reading.completeness.has_text_lines  # a blank, a photo or noise has no way up
        and 0 <= reading.ocr.confidence < UPSIDE_DOWN_BELOW
    )


def _reads_better_turned(
    engine: OcrEngine,
    upright: np.ndarray,
    dpi: int,
    outside: np.ndarray,
    ocr: OcrSettings,
    base: Path,
    reading: Reading,
) -> bool:
    """The page turned 180°, through the same chain (no second model): far surer?

    Rare (pages read below ``UPSIDE_DOWN_BELOW``), so it may cost the whole chain:
    on a worn carbon copy only one of its readings makes sense of the page.
    """
    quick = replace(ocr, second_langs="")
    turned = read_page(
        engine,
        cv2.rotate(upright, cv2.ROTATE_180),
        dpi,
        cv2.rotate(outside.astype(np.uint8), cv2.ROTATE_180).astype(bool),
        quick,
        base.with_name(f"{base.name}-turned"),
    )
    if turned.ocr.text_pdf is not None:
        turned.ocr.text_pdf.unlink(missing_ok=True)
    return turned.ocr.confidence > reading.ocr.confidence + TURNED_MARGIN


def _layer_result(job: PageJob, found: Triage, seconds: float) -> PageResult:
    """A page whose PDF text layer passed the triage: its text, and its page kept as it is."""
    import pikepdf

    with pikepdf.open(job.ref.path) as pdf:
        box = pdf.pages[job.ref.index].mediabox
        width, height = float(box[2] - box[0]), float(box[3] - box[1])
    kept = None
    if not fonts_embedded(job.ref.path, job.ref.index):
        kept = embed_fonts(job.ref.path, job.ref.index, job.out_dir / f"page-{job.number:04d}.pdf")
    return PageResult(
        number=job.number,
        status=PageStatus.OK,
        text=found.text,
        confidence=100.0,
        dpi=72,  # sizes in points: the page is archived as drawn, not as pixels
        width=round(width),
        height=round(height),
        seconds={"layer": round(seconds, 3)},
        words=found.words,
        missing=found.missing,
        reading="text layer",
        image_path=kept,  # the page to archive when it had to be rewritten, else the original
        image_format="pdf" if kept else "",
        text_source=found.source,
        source_note=found.reason,
    )


def process_page(job: PageJob, engine: OcrEngine | None = None) -> PageResult:
    """Read a PDF page's verified text layer, or rasterise, orient, deskew and OCR it.

    Never raises for a bad page.
    """
    job.out_dir.mkdir(parents=True, exist_ok=True)
    note = ""
    if job.ref.kind is SourceKind.PDF and job.ocr.text_layer:
        started = time.perf_counter()
        found = triage(job.ref.path, job.ref.index)
        if found.uses_layer:
            try:
                return _layer_result(job, found, time.perf_counter() - started)
            except Exception as exc:  # the layer was fine but the page box was not: OCR it
                note = f"the page's box cannot be read ({type(exc).__name__})"
        else:
            note = found.reason
    engine = engine or load_engine(job.ocr.engine, job.ocr.timeout_s, job.ocr.psm)
    return replace(_ocr_page(job, engine), source_note=note)


def _ocr_page(job: PageJob, engine: OcrEngine) -> PageResult:
    base = job.out_dir / f"page-{job.number:04d}"
    clock: dict[str, float] = {}
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        clock[name] = round(now - t, 3)
        t = now

    try:
        raster = load_page(job.ref, job.ocr, job.out_dir)
        gray = raster.gray
        lap("load")
        geometry = find_geometry(gray, raster.dpi, engine, base, job.ocr.rotate)
        master = raster.master
        if master is None:  # no bytes to pass through: keep the pixels losslessly as PNG
            master = Master(base.with_suffix(".png"), "png", (gray.shape[1], gray.shape[0]))
            cv2.imwrite(str(master.path), raster.pixels, PNG_FAST)
        lap("master")
        upright, outside, to_page = _straighten(gray, geometry, master.size)
        lap("straighten")
        reading = read_page(engine, upright, raster.dpi, outside, job.ocr, base)
        if _worth_turning(job, reading) and _reads_better_turned(
            engine, upright, raster.dpi, outside, job.ocr, base, reading
        ):
            geometry = replace(geometry, orientation_deg=(geometry.orientation_deg + 180) % 360)
            upright, outside, to_page = _straighten(gray, geometry, master.size)
            reading = read_page(engine, upright, raster.dpi, outside, job.ocr, base)
        ocr = reading.ocr
        lap("ocr")
        rereads = reread_lines(
            engine, reading.image, raster.dpi, job.ocr.reread_langs, ocr.words, base
        )
        lap("reread")
    except ScanpipeError as exc:
        return PageResult(job.number, PageStatus.FAILED, reason=exc.render(), seconds=clock)
    except Exception as exc:  # one bad page must never fail the file
        return PageResult(
            job.number, PageStatus.FAILED, reason=f"{type(exc).__name__}: {exc}", seconds=clock
        )
    found = reading.completeness
    status, reason = _status(ocr.confidence, len(ocr.words), job.ocr.review_confidence, reading)
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
        image_path=master.path,
        image_format=master.format,
        image_size=master.size,
        image_matrix=tuple(float(v) for v in to_page.ravel()),
        text_pdf=ocr.text_pdf,
        reason=reason,
        seconds=clock,
        words=len(ocr.words),
        rereads=rereads,
        missing=found.missing,
        reading=reading.label,
        attempts=reading.attempts,
        disagreement=reading.disagreement,
    )
