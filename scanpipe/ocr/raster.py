"""Load one page as pixels at a resolution Tesseract reads well.

PDF pages are rendered by poppler at the target dpi. Images keep their own
resolution, except that low-resolution scans are brought up to the target:
Tesseract's models are trained on text of roughly 20-40 px x-height, and
Devanagari matras vanish below that.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps

from scanpipe import tools
from scanpipe.errors import InputFileError
from scanpipe.model import PageRef, SourceKind
from scanpipe.settings import OcrSettings

MAX_UPSCALE = 4.0


@dataclass(frozen=True)
class Raster:
    pixels: np.ndarray  # uint8, HxW (gray) or HxWx3 (BGR, only when the page has colour)
    dpi: int

    @property
    def gray(self) -> np.ndarray:
        if self.pixels.ndim == 2:
            return self.pixels
        return cv2.cvtColor(self.pixels, cv2.COLOR_BGR2GRAY)


def _has_colour(bgr: np.ndarray) -> bool:
    """True when the page has real colour (stamps, signatures), not just tinted paper."""
    small = cv2.resize(bgr, (256, 256), interpolation=cv2.INTER_AREA)
    hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)
    coloured = (hsv[..., 1] > 80) & (hsv[..., 2] > 60)
    return float(coloured.mean()) > 0.002


def _from_pil(im: Image.Image) -> np.ndarray:
    im = ImageOps.exif_transpose(im)
    if im.mode in ("1", "L", "I;16", "I", "F", "LA"):
        arr = np.asarray(im.convert("L"))
        return np.ascontiguousarray(arr)
    rgb = np.asarray(im.convert("RGB"))
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    return bgr if _has_colour(bgr) else cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)


def _image_dpi(im: Image.Image) -> float:
    dpi = im.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        value = 0.0
    return value if 50 <= value <= 2400 else 0.0


def _render_pdf_page(ref: PageRef, dpi: int, timeout: float) -> np.ndarray:
    with tempfile.TemporaryDirectory(prefix="scanpipe-raster-") as tmp:
        base = Path(tmp) / "page"
        page_no = str(ref.index + 1)
        tools.run(
            ["pdftoppm", "-r", str(dpi), "-f", page_no, "-l", page_no, "-png", "-singlefile",
             ref.path, base],
            timeout=timeout,
            about=ref.path,
        )
        with Image.open(base.with_suffix(".png")) as im:
            return _from_pil(im)


def load_page(ref: PageRef, ocr: OcrSettings) -> Raster:
    """Pixels of one page at a usable dpi; raises InputFileError for unreadable pages."""
    if ref.kind is SourceKind.PDF:
        return Raster(_render_pdf_page(ref, ocr.target_dpi, ocr.timeout_s), ocr.target_dpi)
    Image.MAX_IMAGE_PIXELS = ocr.max_pixels
    try:
        with Image.open(ref.path) as im:
            if ref.index:
                im.seek(ref.index)
            dpi = _image_dpi(im)
            pixels = _from_pil(im)
    except (OSError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise InputFileError(
            f"page {ref.index + 1} cannot be decoded ({exc})",
            advice="the image is damaged; scan this page again",
            path=ref.path,
        ) from exc
    if not dpi:
        dpi = estimate_dpi(pixels)
    if dpi < ocr.min_dpi:
        factor = min(MAX_UPSCALE, ocr.target_dpi / dpi)
        pixels = cv2.resize(pixels, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
        dpi = round(dpi * factor)
    return Raster(pixels, round(dpi))


def estimate_dpi(pixels: np.ndarray) -> float:
    """Guess the resolution of an image without metadata from its size, taking A4 paper."""
    long_side_in = 11.69
    return max(72.0, min(600.0, max(pixels.shape[:2]) / long_side_in))
