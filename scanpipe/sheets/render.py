"""Sheet pixels in and out: printable A4 sheets, and cheap previews of scanned pages.

Printing: the QR code is what scanpipe reads; the printed words are for the
operator and the record-room clerk, who must see at a glance which file a
sheet belongs to and that it must stay in the stack. Pages are drawn with
Pillow (Raqm shaping through ``samples.load_font``, so conjuncts print
correctly) and saved as bilevel CCITT G4 PDF pages: crisp modules, ~20 kB.

Previewing: every page of a scanned stack is looked at for a sheet, so the
preview must cost far less than OCR rasterising; see ``page_gray``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from scanpipe import samples
from scanpipe.errors import InputFileError
from scanpipe.sheets.payload import (
    MAX_QR_VERSION,
    PART_LABELS,
    Sheet,
    SheetKind,
    encode_payload,
)

if TYPE_CHECKING:
    import pikepdf

READ_DPI = 100.0  # the first, cheap look at a scanned page (``split`` reads sheets at it)
QR_MM = 120.0  # largest printed size of the code, quiet zone included
MODULE_MAX_MM = 1.8
MARGIN_MM = 12.0
_BANNER = {
    SheetKind.COVER: ("SCANPIPE COVER SHEET — do not remove", "कवर शीट — हटाएँ नहीं"),
    SheetKind.PART: ("SCANPIPE PART SHEET — do not remove", "भाग शीट — हटाएँ नहीं"),
    SheetKind.SEPARATOR: ("SCANPIPE SEPARATOR SHEET — do not remove", "विभाजक शीट — हटाएँ नहीं"),
}
_NOT_A_PAGE = (
    "Scanpipe reads it and does not keep it as a page.",
    "यह पृष्ठ के रूप में नहीं रखी जाती।",
)
_HOWTO = {
    SheetKind.COVER: (
        "Put this sheet on top of the file's first page; it starts a new file.",
        "इस शीट को फ़ाइल के पहले पृष्ठ के ऊपर रखें; इससे नई फ़ाइल शुरू होती है।",
    ),
    SheetKind.PART: (
        "Put this sheet before the first page of this part of the file.",
        "इस शीट को फ़ाइल के इस भाग के पहले पृष्ठ से पहले रखें।",
    ),
    SheetKind.SEPARATOR: (
        "Put this sheet between two files; it starts a new file.",
        "इस शीट को दो फ़ाइलों के बीच रखें; इससे नई फ़ाइल शुरू होती है।",
    ),
}


def qr_matrix(payload: str) -> np.ndarray:
    """The QR code for ``payload`` as a bool array (True = dark), quiet zone included.

    Error correction Q (25 % of the code may be stamped, stapled or torn)
    when the payload fits within MAX_QR_VERSION, else M; past that the
    modules get too fine to read from a 100-dpi preview, so we refuse.
    """
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M, ERROR_CORRECT_Q
    from qrcode.exceptions import DataOverflowError

    for level in (ERROR_CORRECT_Q, ERROR_CORRECT_M):
        code = qrcode.QRCode(error_correction=level, border=4)
        code.add_data(payload.encode("utf-8"), optimize=0)
        # best_fit raises DataOverflowError, or ValueError past version 40
        with contextlib.suppress(DataOverflowError, ValueError):
            if code.best_fit() <= MAX_QR_VERSION:
                code.make(fit=False)
                return np.array(code.get_matrix(), dtype=bool)
    raise ValueError(
        f"the sheet's text is {len(payload.encode())} bytes, too long for a QR code that "
        "scans reliably; shorten the subject (about 150 Hindi or 400 English characters fit)"
    )


class _Pen:
    """Draws mixed Hindi/English lines: Noto Devanagari has no Latin letters, so each
    script run gets its own font on a shared baseline (as ``samples.render_page``)."""

    def __init__(self, page: Image.Image, dpi: int) -> None:
        self.draw = ImageDraw.Draw(page)
        self.page_w = page.width
        self.dpi = dpi

    def px(self, mm: float) -> int:
        return round(mm / 25.4 * self.dpi)

    def fonts(self, pt: float, bold: bool) -> tuple[ImageFont.FreeTypeFont, ...]:
        size = max(6, round(pt * self.dpi / 72))
        return tuple(
            samples.load_font(samples.find_font(deva, bold), size) for deva in (True, False)
        )

    def width(self, text: str, pt: float, bold: bool = False) -> float:
        fonts = self.fonts(pt, bold)
        return sum(
            fonts[0 if deva else 1].getlength(run, language="hi" if deva else "en")
            for deva, run in samples.script_runs(text)
        )

    def line(
        self, x: float, y: float, text: str, pt: float, *, bold: bool = False, fill: int = 0
    ) -> None:
        """Draw ``text`` with its baseline at ``y``."""
        fonts = self.fonts(pt, bold)
        for deva, run in samples.script_runs(text):
            font, lang = (fonts[0], "hi") if deva else (fonts[1], "en")
            self.draw.text((x, y), run, font=font, fill=fill, anchor="ls", language=lang)
            x += font.getlength(run, language=lang)

    def centred(self, y: float, text: str, pt: float, *, bold: bool = False, fill: int = 0) -> None:
        x = (self.page_w - self.width(text, pt, bold)) / 2
        self.line(x, y, text, pt, bold=bold, fill=fill)

    def wrap(self, text: str, pt: float, max_w: float, bold: bool = False) -> list[str]:
        """Greedy word wrap; a word wider than the column is cut between characters."""
        lines: list[str] = []
        current = ""
        for word in text.split():
            candidate = f"{current} {word}".strip()
            if self.width(candidate, pt, bold) <= max_w:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = word
            while self.width(current, pt, bold) > max_w and len(current) > 1:
                cut = len(current) - 1
                while cut > 1 and self.width(current[:cut], pt, bold) > max_w:
                    cut -= 1
                lines.append(current[:cut])
                current = current[cut:]
        if current:
            lines.append(current)
        return lines or [""]


def _fields(sheet: Sheet) -> list[tuple[str, str]]:
    """(bilingual label, value) rows printed under the code."""

    def part(name: str | None) -> str:
        return " / ".join(PART_LABELS[name]) if name else "—"

    pages = str(sheet.declared_pages) if sheet.declared_pages is not None else "—"
    if sheet.kind is SheetKind.COVER:
        rows = [
            ("फ़ाइल क्रमांक / File No.", sheet.file_no or ""),
            ("विषय / Subject", sheet.subject or "—"),
            ("भाग / Part", part(sheet.part)),
            ("कुल पृष्ठ / Pages (total)", pages),
        ]
        if sheet.office:
            rows.append(("कार्यालय / Office", sheet.office))
        if sheet.section:
            rows.append(("शाखा / Section", sheet.section))
        return rows
    if sheet.kind is SheetKind.PART:
        return [("भाग / Part", part(sheet.part)), ("इस भाग के पृष्ठ / Pages in part", pages)]
    return [("", "Starts a new file without metadata / बिना विवरण के नई फ़ाइल")]


def render_sheet(sheet: Sheet, *, dpi: int = 300) -> Image.Image:
    """One A4 sheet as a mode "1" image at ``dpi``.

    Raises ValueError when the text is too long for the QR code or the page.
    """
    payload = encode_payload(sheet)
    matrix = qr_matrix(payload)
    width, height = round(samples.A4_MM[0] / 25.4 * dpi), round(samples.A4_MM[1] / 25.4 * dpi)
    page = Image.new("L", (width, height), 255)
    pen = _Pen(page, dpi)
    margin = pen.px(MARGIN_MM)
    # Banner: black, full width, so a sheet is obvious in a stack and on a preview.
    english, hindi = _BANNER[sheet.kind]
    pen.draw.rectangle((margin, margin, width - margin, margin + pen.px(24)), fill=0)
    pen.centred(margin + pen.px(10.5), english, 17, bold=True, fill=255)
    pen.centred(margin + pen.px(20.5), hindi, 17, bold=True, fill=255)
    y = margin + pen.px(30)
    for en_hi in zip(_HOWTO[sheet.kind], _NOT_A_PAGE, strict=True):
        for text in pen.wrap(" ".join(en_hi), 9.5, width - 2 * margin):
            pen.centred(y, text, 9.5)
            y += pen.px(5)
    if sheet.kind is SheetKind.PART and sheet.part:
        title = " / ".join(PART_LABELS[sheet.part])
        pt = 24.0
        while pt > 12 and pen.width(title, pt, True) > width - 2 * margin:
            pt -= 1
        y += pen.px(pt * 25.4 / 72 * 1.3)
        pen.centred(y, title, pt, bold=True)
    # The code: whole pixels per module, so every module prints the same size;
    # short payloads get a smaller code with modules no bigger than MODULE_MAX_MM.
    size = min(pen.px(QR_MM), pen.px(MODULE_MAX_MM) * matrix.shape[0])
    module = max(1, size // matrix.shape[0])
    code = np.kron(matrix, np.ones((module, module), dtype=bool))
    top = y + pen.px(2)
    page.paste(
        Image.fromarray(np.where(code, 0, 255).astype(np.uint8)),
        ((width - code.shape[1]) // 2, top),
    )
    y = top + code.shape[0] + pen.px(6)
    label_w, value_x = pen.px(60), margin + pen.px(62)
    for label, value in _fields(sheet):
        if pen.width(label, 11, True) > label_w:
            raise ValueError(f"label too wide for its column: {label!r}")
        pen.line(margin, y, label, 11, bold=True)
        x = value_x if label else margin
        for text in pen.wrap(value, 14, width - margin - x):
            pen.line(x, y, text, 14)
            y += pen.px(7.5)
        y += pen.px(1.5)
    footer = height - margin
    if y > footer - pen.px(8):
        raise ValueError("the sheet's text does not fit on one page; shorten the subject")
    pen.line(
        margin, footer, f"scanpipe sheet format 1 · QR version {(matrix.shape[0] - 25) // 4}", 8
    )
    return page.point(lambda v: 255 if v >= 128 else 0, mode="1")


def write_sheets_pdf(sheets: Sequence[Sheet], path: Path, *, dpi: int = 300) -> Path:
    """Write the sheets, one A4 page each, to a printable PDF."""
    if not sheets:
        raise ValueError("no sheets to write")
    rendered: dict[Sheet, Image.Image] = {}  # copies are drawn once
    for sheet in sheets:
        if sheet not in rendered:
            rendered[sheet] = render_sheet(sheet, dpi=dpi)
    pages = [rendered[s] for s in sheets]
    first = sheets[0]
    title = f"scanpipe {first.kind.value} sheet" + (f" {first.file_no}" if first.file_no else "")
    path = Path(path)
    pages[0].save(
        path,
        "PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=float(dpi),
        title=title,
        producer="scanpipe",
    )
    return path


# --- page previews -------------------------------------------------------------------------


def _reduction(dpi: float, want: float) -> tuple[int, int]:
    """(cv2 imread flag, factor): JPEG decodes at 1/2, 1/4 or 1/8 size for a fraction
    of the cost, as long as the result keeps at least ``want`` dpi."""
    for factor, flag in (
        (8, cv2.IMREAD_REDUCED_GRAYSCALE_8),
        (4, cv2.IMREAD_REDUCED_GRAYSCALE_4),
        (2, cv2.IMREAD_REDUCED_GRAYSCALE_2),
    ):
        if dpi / factor >= want:
            return flag, factor
    return cv2.IMREAD_GRAYSCALE, 1


def _embedded_image(
    page: pikepdf.Page, want: float, max_pixels: int
) -> tuple[np.ndarray, float] | None:
    """The page's one image, decoded cheaply; None when the page is not a plain scan.

    Where the image sits or how it is turned does not matter to a QR reader,
    so unlike OCR rasterising this accepts any single image that covers the
    page at a usable resolution. Masks and /Decode arrays (inverted images)
    are left to poppler, which draws them as printed.
    """
    import pikepdf

    images = list(page.get_images().values())
    if len(images) != 1:
        return None
    image = images[0]
    if any(key in image for key in ("/Decode", "/ImageMask", "/Mask", "/SMask")):
        return None
    width, height = int(image.get("/Width", 0)), int(image.get("/Height", 0))
    box = [float(v) for v in page.mediabox]
    page_long_in = max(abs(box[2] - box[0]), abs(box[3] - box[1])) / 72
    if width * height == 0 or width * height > max_pixels or page_long_in <= 0:
        return None
    dpi = max(width, height) / page_long_in
    if dpi < READ_DPI * 0.7:  # a logo on a born-digital page, not a scan
        return None
    filters = image.get("/Filter")
    filters = list(filters) if isinstance(filters, pikepdf.Array) else [filters]
    if filters == [pikepdf.Name.DCTDecode]:
        flag, factor = _reduction(dpi, want)
        raw = np.frombuffer(image.read_raw_bytes(), np.uint8)
        gray = cv2.imdecode(raw, flag)
        return (gray, dpi / factor) if gray is not None else None
    try:
        pil = pikepdf.PdfImage(image).as_pil_image()
    except Exception:  # JBIG2 without jbig2dec, odd colour spaces...: poppler draws those
        return None
    return np.asarray(pil.convert("L")), dpi


def page_gray(
    pdf: pikepdf.Pdf,
    index: int,
    path: Path,
    *,
    dpi: float = READ_DPI,
    max_pixels: int = 120_000_000,
) -> tuple[np.ndarray, float]:
    """A grey preview of page ``index`` (0-based) of an open pikepdf.Pdf, and its dpi.

    A scanned page (one image) is decoded directly, a JPEG at the smallest
    reduced size that keeps ``dpi``; anything else is rendered by poppler at
    ``dpi``, whose size is bounded by the page, so a decompression bomb is
    never decoded whole.
    """
    import pikepdf

    from scanpipe import tools

    with contextlib.suppress(pikepdf.PdfError, KeyError, TypeError, ValueError, AttributeError):
        found = _embedded_image(pdf.pages[index], dpi, max_pixels)
        if found is not None:
            return found
    proc = tools.run(
        [
            "pdftoppm",
            "-r",
            str(round(dpi)),
            "-gray",
            "-f",
            str(index + 1),
            "-l",
            str(index + 1),
            path,
        ],
        timeout=120,
        about=path,
    )
    gray = cv2.imdecode(np.frombuffer(proc.stdout, np.uint8), cv2.IMREAD_GRAYSCALE)
    if gray is None:
        raise InputFileError(
            f"page {index + 1} could not be rendered to look for a QR sheet",
            advice="the PDF may be damaged; export or scan it again",
            path=path,
        )
    return gray, float(round(dpi))
