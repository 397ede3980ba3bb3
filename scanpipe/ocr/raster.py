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
class Master:
    """Encoded bytes of the scan that can go into the PDF as they are."""

    path: Path
    format: str  # "jpeg" or "png"
    size: tuple[int, int]  # width, height in pixels


@dataclass(frozen=True)
class Raster:
    pixels: np.ndarray  # uint8, HxW (gray) or HxWx3 (BGR, only when the page has colour)
    dpi: int
    master: Master | None = None  # None: the pipeline encodes ``pixels`` losslessly

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
    """Render through an uncompressed PPM: pdftoppm's PNG writer costs ~15 s a page."""
    with tempfile.TemporaryDirectory(prefix="scanpipe-raster-") as tmp:
        base = Path(tmp) / "page"
        page_no = str(ref.index + 1)
        tools.run(
            [
                "pdftoppm",
                "-r",
                str(dpi),
                "-f",
                page_no,
                "-l",
                page_no,
                "-singlefile",
                ref.path,
                base,
            ],
            timeout=timeout,
            about=ref.path,
        )
        bgr = cv2.imread(str(base.with_suffix(".ppm")), cv2.IMREAD_COLOR)
    if bgr is None:
        raise InputFileError(
            f"page {ref.index + 1} could not be rendered",
            advice="the PDF page is damaged; export or scan it again",
            path=ref.path,
        )
    return bgr if _has_colour(bgr) else cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)


def _passthrough(path: Path, im: Image.Image) -> Master | None:
    """The file itself, when a PDF can embed its bytes unchanged.

    Baseline JPEGs (gray or RGB, no EXIF turn) go in as DCT streams and plain
    8-bit PNGs as their compressed rows: no re-encoding, no generation loss,
    and no CPU spent compressing a page we already have compressed.
    """
    if im.mode not in ("L", "RGB") or getattr(im, "n_frames", 1) > 1:
        return None
    if im.format == "JPEG" and not im.info.get("progressive"):
        exif = im.getexif()
        if exif.get(0x0112, 1) == 1:
            return Master(path, "jpeg", im.size)
    if im.format == "PNG" and not im.info.get("interlace") and "transparency" not in im.info:
        return Master(path, "png", im.size)
    return None


def _upscale(pixels: np.ndarray, dpi: float, ocr: OcrSettings) -> tuple[np.ndarray, float]:
    if dpi >= ocr.min_dpi:
        return pixels, dpi
    factor = min(MAX_UPSCALE, ocr.target_dpi / dpi)
    scaled = cv2.resize(pixels, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    return scaled, dpi * factor


def load_page(ref: PageRef, ocr: OcrSettings, work: Path | None = None) -> Raster:
    """Pixels of one page at a usable dpi; raises InputFileError for unreadable pages."""
    if ref.kind is SourceKind.PDF:
        embedded = _embedded_jpeg(ref, work) if work else None
        if embedded is not None:
            pixels, dpi, master = embedded
            pixels, dpi = _upscale(pixels, dpi, ocr)
            return Raster(pixels, round(dpi), master)
        return Raster(_render_pdf_page(ref, ocr.target_dpi, ocr.timeout_s), ocr.target_dpi)
    Image.MAX_IMAGE_PIXELS = ocr.max_pixels
    try:
        with Image.open(ref.path) as im:
            if ref.index:
                im.seek(ref.index)
            dpi = _image_dpi(im)
            master = _passthrough(ref.path, im)
            pixels = _from_pil(im)
    except (OSError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise InputFileError(
            f"page {ref.index + 1} cannot be decoded ({exc})",
            advice="the image is damaged; scan this page again",
            path=ref.path,
        ) from exc
    pixels, dpi = _upscale(pixels, dpi or estimate_dpi(pixels), ocr)
    return Raster(pixels, round(dpi), master)


def _embedded_jpeg(ref: PageRef, work: Path) -> tuple[np.ndarray, float, Master] | None:
    """A scanned PDF page that is one full-page JPEG: take the JPEG, skip rendering.

    This is what scanners write. Using the embedded image keeps the scan's own
    resolution and bytes and costs ~40 ms instead of ~400 ms for pdftoppm.
    Anything else (several images, masks, page rotation, partial placement)
    is rendered by poppler instead.
    """
    import pikepdf

    try:
        with pikepdf.open(ref.path) as pdf:
            page = pdf.pages[ref.index]
            if int(page.obj.get("/Rotate", 0)) % 360:
                return None
            images = list(page.get_images().values())
            if len(images) != 1:
                return None
            image = images[0]
            filters = image.get("/Filter")
            if filters != pikepdf.Name.DCTDecode and list(filters or []) != [
                pikepdf.Name.DCTDecode
            ]:
                return None
            if "/SMask" in image or "/Mask" in image or "/Decode" in image:
                return None
            if image.get("/ColorSpace") not in (pikepdf.Name.DeviceGray, pikepdf.Name.DeviceRGB):
                return None
            box = [float(v) for v in page.mediabox]
            if not _draws_full_page(page, box):
                return None
            raw = image.read_raw_bytes()
            width = int(image.Width)
    except (pikepdf.PdfError, ValueError, KeyError, TypeError):
        return None
    pixels = cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_UNCHANGED)
    if pixels is None or (pixels.ndim == 3 and pixels.shape[2] != 3):
        return None
    if pixels.ndim == 3 and not _has_colour(pixels):
        pixels = cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY)
    path = work / f"source-{ref.index + 1:04d}.jpg"
    work.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    dpi = width / ((box[2] - box[0]) / 72)
    return pixels, dpi, Master(path, "jpeg", (width, pixels.shape[0]))


def _draws_full_page(page: object, box: list[float]) -> bool:
    """True when the content is just ``q  W 0 0 H X Y cm  /Im Do  Q`` covering the box."""
    import pikepdf

    ops = [(list(operands), str(op)) for operands, op in pikepdf.parse_content_stream(page)]
    names = [op for _, op in ops]
    if names.count("cm") != 1 or names.count("Do") != 1 or not set(names) <= {"q", "Q", "cm", "Do"}:
        return False
    a, b, c, d, e, f = (float(v) for v in next(o for o, op in ops if op == "cm"))
    w, h = box[2] - box[0], box[3] - box[1]
    return (
        abs(b) < 1e-6
        and abs(c) < 1e-6
        and abs(a - w) < 1
        and abs(d - h) < 1
        and abs(e - box[0]) < 1
        and abs(f - box[1]) < 1
    )


def estimate_dpi(pixels: np.ndarray) -> float:
    """Guess the resolution of an image without metadata from its size, taking A4 paper."""
    long_side_in = 11.69
    return max(72.0, min(600.0, max(pixels.shape[:2]) / long_side_in))
