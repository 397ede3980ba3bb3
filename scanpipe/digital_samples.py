"""Born-digital test pages: PDFs that carry their own text, as offices print them from Word.

Three kinds the text-layer triage must tell apart (ocr/text_layer.py):

* **Unicode**: Hindi and English typeset with HarfBuzz shaping (fpdf2), the way
  a Word or LibreOffice export carries Mangal or Noto text;
* **legacy**: the Hindi typed in Kruti Dev 010 (or DevLys), so the text layer
  holds the layout's ASCII codes in a font of that name. The glyphs are drawn
  with an ordinary Latin font renamed to the legacy name: what the triage sees
  is the text layer and the font name, exactly as in a real Kruti PDF;
* **header over a scan**: a scanned body with a typed header line, whose text
  layer covers the header only.

Latin runs are always set in a Latin font of their own name, so a legacy page
also proves that English beside Kruti is never decoded.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

from PIL import Image

from scanpipe.legacy_text import encode_kruti
from scanpipe.samples import find_font, script_runs

LINE_MM = 8.0
FONT_PT = 12.0


def _pdf():
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("latin", fname=str(find_font(devanagari=False)))
    pdf.add_font("deva", fname=str(find_font(devanagari=True)))
    pdf.set_text_shaping(True)
    return pdf


def _second_latin_font() -> Path:
    for candidate in (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf"),
        Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
    ):
        if candidate.is_file():
            return candidate
    return find_font(devanagari=False)


def _postscript_name(font: Path) -> str:
    from fontTools.ttLib import TTFont

    with TTFont(font, lazy=True) as face:
        return str(face["name"].getDebugName(6))


def _write_line(pdf, line: str, *, legacy: bool) -> None:
    for is_deva, run in script_runs(line):
        if is_deva and legacy:
            pdf.set_font("legacy", size=FONT_PT)
            pdf.set_text_shaping(False)  # ASCII codes: nothing to shape
            pdf.write(LINE_MM, encode_kruti(run))
            pdf.set_text_shaping(True)
        else:
            pdf.set_font("deva" if is_deva else "latin", size=FONT_PT)
            pdf.write(LINE_MM, run)
    pdf.ln(LINE_MM)


def _rename_font(data: bytes, family: str, new_name: str) -> bytes:
    """Give the font registered as ``family`` the PostScript name a legacy font has."""
    import pikepdf

    with pikepdf.open(BytesIO(data)) as pdf:
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                base = str(font.get("/BaseFont", ""))
                if family not in base:
                    continue
                prefix = base[1:].split("+", 1)[0] + "+" if "+" in base else ""
                name = pikepdf.Name("/" + prefix + new_name)
                font.BaseFont = name
                for desc in [font, *font.get("/DescendantFonts", [])]:
                    if "/FontDescriptor" in desc:
                        desc.FontDescriptor.FontName = name
                    if desc is not font:
                        desc.BaseFont = name
        out = BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


def write_text_pdf(
    path: Path, pages: Sequence[Sequence[str]], *, legacy_font: str | None = None
) -> Path:
    """A born-digital PDF of the given pages of lines.

    With ``legacy_font`` (``"Kruti Dev 010"``, ``"DevLys 010"``...), the
    Devanagari runs are typed in that font's codes and the font carries its name.
    """
    pdf = _pdf()
    if legacy_font:  # a second Latin face, renamed to the legacy font once written
        pdf.add_font("legacy", fname=str(_second_latin_font()))
    for lines in pages:
        pdf.add_page()
        for line in lines:
            _write_line(pdf, line, legacy=legacy_font is not None)
    data = bytes(pdf.output())
    if legacy_font:
        data = _rename_font(
            data, _postscript_name(_second_latin_font()), legacy_font.replace(" ", "")
        )
    path.write_bytes(data)
    return path


def write_header_over_scan(path: Path, scan: Image.Image, header: Sequence[str]) -> Path:
    """A scanned page image with typed header lines as real text above it."""
    pdf = _pdf()
    pdf.add_page()
    for line in header:
        _write_line(pdf, line, legacy=False)
    top = pdf.get_y() + 2
    buf = BytesIO()
    scan.convert("L").save(buf, format="PNG")
    pdf.image(buf, x=10, y=top, w=190, h=297 - top - 10)
    path.write_bytes(bytes(pdf.output()))
    return path
