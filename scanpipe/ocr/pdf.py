"""Assemble the archive PDF/A-2b of a file from its straightened pages.

Each scanned page is the scan itself, drawn upright by a transform, with
Tesseract's invisible text layer on top. A born-digital page whose own text
layer was used (ocr/layer_triage.py) is copied as it is, vectors and fonts
and all; a legacy-font page is marked with its decoded Unicode as
``/ActualText``, so copying from the archive gives Hindi, not Kruti codes.
The scan's bytes go in unchanged: a JPEG as a DCT stream, a PNG as its
compressed rows with the PNG predictor. Nothing is resampled or re-encoded,
so the archive keeps exactly the pixels scanned.
pikepdf writes the PDF/A declarations and validates the bytes it wrote; a
file that fails validation is never handed to the registry.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf
from pikepdf.pdfa import PdfaError
from pikepdf.pdfa import save as save_pdfa

from scanpipe.errors import ScanpipeError
from scanpipe.model import PageRef, PageResult

A4_POINTS = (595.0, 842.0)
_COLOUR_TYPES = {0: (1, "/DeviceGray"), 2: (3, "/DeviceRGB")}


class ArchiveError(ScanpipeError):
    """The archive PDF could not be written or did not validate as PDF/A."""


def png_stream(pdf: Pdf, png: bytes) -> pikepdf.Stream:
    """An image XObject that reuses a PNG's compressed data without decoding it."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ArchiveError("page image is not a PNG", advice="report this as a bug")
    pos, idat = 8, []
    width = height = depth = ctype = interlace = 0
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        data = png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", data)
        elif kind == b"IDAT":
            idat.append(data)
        pos += 12 + length
    if ctype not in _COLOUR_TYPES or depth != 8 or interlace:
        raise ArchiveError(f"unsupported PNG layout (type {ctype})", advice="report this as a bug")
    colours, space = _COLOUR_TYPES[ctype]
    stream = pikepdf.Stream(pdf, b"".join(idat))
    stream.Type, stream.Subtype = Name.XObject, Name.Image
    stream.Width, stream.Height = width, height
    stream.ColorSpace = Name(space)
    stream.BitsPerComponent = 8
    stream.Filter = Name.FlateDecode
    stream.DecodeParms = Dictionary(Predictor=15, Colors=colours, BitsPerComponent=8, Columns=width)
    return stream


def jpeg_stream(pdf: Pdf, jpeg: bytes, size: tuple[int, int]) -> pikepdf.Stream:
    """An image XObject holding a JPEG's bytes unchanged (DCTDecode)."""
    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(jpeg)) as im:
        space = {"L": "/DeviceGray", "RGB": "/DeviceRGB"}.get(im.mode)
    if space is None:
        raise ArchiveError("unsupported JPEG colour mode", advice="report this as a bug")
    stream = pikepdf.Stream(pdf, jpeg)
    stream.Type, stream.Subtype = Name.XObject, Name.Image
    stream.Width, stream.Height = size
    stream.ColorSpace = Name(space)
    stream.BitsPerComponent = 8
    stream.Filter = Name.DCTDecode
    return stream


def placement(result: PageResult) -> list[float]:
    """The ``cm`` operands that draw the master upright on the page.

    ``image_matrix`` maps master pixels (y down) to page pixels; PDF wants the
    image's unit square (y up) mapped to points, so fold in both flips and the
    72/dpi scale.
    """
    m00, m01, m02, m10, m11, m12 = result.image_matrix
    # The matrix is in pixel-centre coordinates (as warpAffine); PDF maps pixel edges.
    m02 += 0.5 - 0.5 * (m00 + m01)
    m12 += 0.5 - 0.5 * (m10 + m11)
    w0, h0 = result.image_size
    k = 72 / result.dpi
    return [
        k * m00 * w0,
        -k * m10 * w0,
        -k * m01 * h0,
        k * m11 * h0,
        k * (m01 * h0 + m02),
        k * (result.height - m11 * h0 - m12),
    ]


def _page_size(result: PageResult) -> tuple[float, float]:
    if result.width and result.dpi:
        return result.width * 72 / result.dpi, result.height * 72 / result.dpi
    return A4_POINTS


def _add_page(pdf: Pdf, result: PageResult) -> None:
    w_pt, h_pt = _page_size(result)
    if result.text_pdf and result.text_pdf.exists():
        with Pdf.open(result.text_pdf) as layer:
            pdf.pages.append(layer.pages[0])
        page = pdf.pages[-1]
        page.MediaBox = Array([0, 0, w_pt, h_pt])
    else:  # a failed page keeps its place (and number) in the file, even with no image
        page = pdf.add_blank_page(page_size=(w_pt, h_pt))
    if result.image_path and result.image_matrix and result.image_path.exists():
        data = result.image_path.read_bytes()
        if result.image_format == "jpeg":
            image = jpeg_stream(pdf, data, result.image_size)
        else:
            image = png_stream(pdf, data)
        name = page.add_resource(image, Name.XObject, prefix="Scan")
        cm = " ".join(f"{v:.5f}" for v in placement(result))
        draw = f"q 0 0 {w_pt:.4f} {h_pt:.4f} re W n {cm} cm {name} Do Q\n".encode()
        page.contents_add(pikepdf.Stream(pdf, draw), prepend=True)


LAYER_SOURCES = frozenset({"unicode", "legacy"})
_PAGE_KEYS = frozenset(
    {"/Type", "/Parent", "/Resources", "/Contents", "/MediaBox", "/CropBox", "/Rotate", "/Group"}
)


def _pdf_string(text: str) -> bytes:
    """A PDF text string as hex: UTF-16BE with its byte-order mark, nothing to escape."""
    return b"<" + (b"\xfe\xff" + text.encode("utf-16-be")).hex().encode() + b">"


def _font_embedded(font: pikepdf.Object) -> bool:
    if font.get("/Subtype") == Name.Type3:
        return True  # its glyphs are content streams in the font itself
    for desc in [font, *font.get("/DescendantFonts", [])]:
        descriptor = desc.get("/FontDescriptor")
        if descriptor is not None and any(
            k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
        ):
            return True
    return False


def _resources_embedded(resources: pikepdf.Object, depth: int = 0) -> bool:
    if not resources or depth > 4:
        return True
    if not all(_font_embedded(f) for f in resources.get("/Font", {}).values()):
        return False
    for xobject in resources.get("/XObject", {}).values():
        form = xobject.get("/Subtype") == Name.Form and "/Resources" in xobject
        if form and not _resources_embedded(xobject.Resources, depth + 1):
            return False
    return True


def fonts_embedded(path: Path, index: int) -> bool:
    """Whether every font the page draws with is in the file, as PDF/A requires."""
    with Pdf.open(path) as pdf:
        return _resources_embedded(pdf.pages[index].get("/Resources"))


def embed_fonts(path: Path, index: int, out: Path) -> Path:
    """The page rewritten by Ghostscript with every font embedded (base-14 ones too).

    Word and fpdf2 leave Helvetica, Arial or Times out of small PDFs; PDF/A
    forbids that. Ghostscript substitutes its URW metric twins and keeps the
    page's vectors, in about 60 ms a page.
    """
    from scanpipe import tools

    argv = [
        "gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite",
        "-dEmbedAllFonts=true", "-dSubsetFonts=true",
        f"-dFirstPage={index + 1}", f"-dLastPage={index + 1}", f"-sOutputFile={out}",
        "-c", "<</NeverEmbed []>> setdistillerparams", "-f", path,
    ]  # fmt: skip
    tools.run(argv, timeout=120, about=path)
    return out


def _keep_page(pdf: Pdf, sources: dict[Path, Pdf], result: PageResult, ref: PageRef) -> None:
    """Copy the original page (or its font-embedded rewrite); decoded text rides as ActualText."""
    rewritten = result.image_format == "pdf" and result.image_path is not None
    path, index = (result.image_path, 0) if rewritten else (ref.path, ref.index)
    assert path is not None
    if path not in sources:
        sources[path] = Pdf.open(path)
    pdf.pages.append(sources[path].pages[index])
    page = pdf.pages[-1]
    # What draws the page stays; the rest (links and widgets, thumbnails, editors' private
    # keys such as /PDFpenImprints, structure back-references) is not part of the record
    # and PDF/A validation refuses keys it does not know.
    for key in [k for k in page.obj if k not in _PAGE_KEYS]:
        del page.obj[key]
    if result.text_source == "legacy" or rewritten:  # the rewrite may lose ToUnicode maps
        begin = b"/Span <</ActualText " + _pdf_string(result.text) + b">> BDC\n"
        page.contents_coalesce()
        page.contents_add(pikepdf.Stream(pdf, begin), prepend=True)
        page.contents_add(pikepdf.Stream(pdf, b"\nEMC\n"))


def assemble_pdfa(
    pages: Sequence[PageResult],
    out: Path,
    *,
    title: str,
    sources: Sequence[PageRef] | None = None,
) -> Path:
    """Write one validated PDF/A-2b for a file; raise ArchiveError if it does not validate.

    ``sources`` (the file's pages in order) lets pages read from their own text
    layer be copied from the original PDF instead of drawn from a scan. When a
    copied page does not validate (editors' private keys deep in its forms, odd
    colour spaces), those pages are rewritten by Ghostscript, which keeps their
    vectors and drops what PDF/A does not know, and the file is assembled again.
    """
    try:
        return _assemble(pages, out, title, sources)
    except ArchiveError:
        kept = [
            r
            for r in pages
            if r.text_source in LAYER_SOURCES and r.image_format != "pdf" and sources
        ]
        if not kept or sources is None:
            raise
    rewritten = {
        r.number: replace(
            r,
            image_path=embed_fonts(
                sources[r.number - 1].path,
                sources[r.number - 1].index,
                out.with_name(f"page-{r.number:04d}-rewritten.pdf"),
            ),
            image_format="pdf",
        )
        for r in kept
    }
    return _assemble([rewritten.get(r.number, r) for r in pages], out, title, sources)


def _assemble(
    pages: Sequence[PageResult], out: Path, title: str, sources: Sequence[PageRef] | None
) -> Path:
    pdf = Pdf.new()
    opened: dict[Path, Pdf] = {}
    for result in sorted(pages, key=lambda r: r.number):
        if result.text_source in LAYER_SOURCES and sources and result.number <= len(sources):
            _keep_page(pdf, opened, result, sources[result.number - 1])
        else:
            _add_page(pdf, result)
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = title
        meta["xmp:CreatorTool"] = "scanpipe"
    try:
        save_pdfa(pdf, out, "2b", output_intent="sRGB")
    except PdfaError as exc:
        raise ArchiveError(
            f"the archive PDF did not validate as PDF/A-2b: {exc}",
            advice="report this with the input file; the pages are kept in the work folder",
            path=out,
        ) from exc
    finally:
        for source in opened.values():
            source.close()
    return out


def pdf_text(pdf_path: Path) -> str:
    """Text as a PDF reader copies it out (used to verify the text layer)."""
    from scanpipe import tools

    return tools.run(["pdftotext", "-layout", pdf_path, "-"], timeout=120).stdout.decode("utf-8")
