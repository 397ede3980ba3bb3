"""Reading a PDF page's own text layer: characters, fonts and lines, in the page's order.

Why not ``pdftotext``: poppler places a space wherever two glyphs are far
apart, and HarfBuzz-shaped Devanagari puts the ि glyph before its consonant
and the reph after its syllable, so it returns ``जि ला`` for जिला and
``कार्या लय`` for कार्यालय. Shaping writers (fpdf2, LibreOffice, Word) map a
whole cluster's text to its first glyph and leave the others unmapped; read in
content-stream order, with unmapped glyphs dropped and words split at real
space characters, the text comes back exactly. Two extractors give us that
order, each glyph's font, box and render mode: pdfium (C, about 5 ms a page,
the first reading) and pdfminer.six (pure Python, about 45 ms, the second
opinion ocr/layer_triage.py asks when pdfium's reading fails its checks).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import regex

from scanpipe.model import Word

INVISIBLE = 3  # text render mode: neither filled nor stroked (an OCR layer)
_CID = regex.compile(r"^\(cid:\d+\)$")


@dataclass(frozen=True)
class LayerChar:
    text: str  # "" for a glyph with no Unicode mapping (part of a shaped cluster)
    font: str
    size: float
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in points, y up
    baseline: float
    invisible: bool


@dataclass(frozen=True)
class PageText:
    """What the layer of one page holds."""

    chars: tuple[LayerChar, ...]
    width_pt: float
    height_pt: float
    rotation: int  # the page's /Rotate, degrees clockwise
    image_share: float = 0.0  # of the page's area, the largest image drawn on it (pdfium)

    @property
    def fonts(self) -> frozenset[str]:
        return frozenset(c.font for c in self.chars)

    @property
    def visible(self) -> tuple[LayerChar, ...]:
        return tuple(c for c in self.chars if not c.invisible)


def _aggregator():
    from pdfminer.converter import PDFPageAggregator

    class Collector(PDFPageAggregator):
        """Keeps the render mode of each glyph, which pdfminer's layout objects drop."""

        mode = 0

        def render_string(self, textstate, seq, ncs, graphicstate) -> None:
            self.mode = textstate.render
            super().render_string(textstate, seq, ncs, graphicstate)

        def render_char(self, *args, **kwargs) -> float:
            advance = super().render_char(*args, **kwargs)
            self.cur_item._objs[-1].render_mode = self.mode
            return advance

    return Collector


def read_page_text(path: Path, index: int, extractor: str = "pdfium") -> PageText:
    """The glyphs of page ``index`` (0-based) in content-stream order."""
    if extractor == "pdfium":
        return _read_pdfium(path, index)
    return _read_pdfminer(path, index)


def _read_pdfium(path: Path, index: int) -> PageText:
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(str(path))
    try:
        page = doc[index]
        rotation = int(page.get_rotation()) % 360
        width, height = page.get_size()  # as displayed: turned by /Rotate
        if rotation in (90, 270):
            width, height = height, width  # the glyphs' own axes, which char boxes use
        textpage = page.get_textpage()
        tp = textpage.raw
        name = ctypes.create_string_buffer(256)
        flags = ctypes.c_int()
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        ox, oy = ctypes.c_double(), ctypes.c_double()
        chars = []
        for i in range(raw.FPDFText_CountChars(tp)):
            if raw.FPDFText_IsGenerated(tp, i) == 1:
                continue  # spaces and line ends pdfium inferred: we find words ourselves
            unmapped = raw.FPDFText_HasUnicodeMapError(tp, i) == 1
            code = raw.FPDFText_GetUnicode(tp, i)
            raw.FPDFText_GetFontInfo(tp, i, name, len(name), ctypes.byref(flags))
            raw.FPDFText_GetCharBox(tp, i, left, right, bottom, top)
            raw.FPDFText_GetCharOrigin(tp, i, ox, oy)
            obj = raw.FPDFText_GetTextObject(tp, i)
            mode = raw.FPDFTextObj_GetTextRenderMode(obj) if obj else 0
            font = name.value.decode("latin-1")
            chars.append(
                LayerChar(
                    "" if unmapped or code in (0, 0xFFFD) else ("-" if code == 2 else chr(code)),
                    font.rsplit("+", 1)[-1] if "+" in font[:8] else font,
                    float(raw.FPDFText_GetFontSize(tp, i)),
                    (left.value, bottom.value, right.value, top.value),
                    oy.value,
                    mode == INVISIBLE,
                )
            )
        textpage.close()
        biggest = 0.0
        for obj in page.get_objects(max_depth=3):
            if obj.type == raw.FPDF_PAGEOBJ_IMAGE:
                x0, y0, x1, y1 = obj.get_bounds()
                biggest = max(biggest, max(0.0, x1 - x0) * max(0.0, y1 - y0))
        page.close()
    finally:
        doc.close()
    share = biggest / (width * height) if width and height else 0.0
    return PageText(tuple(chars), float(width), float(height), rotation, round(share, 3))


def _read_pdfminer(path: Path, index: int) -> PageText:
    from pdfminer.layout import LTChar
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    resources = PDFResourceManager(caching=True)
    device = _aggregator()(resources, laparams=None)
    interpreter = PDFPageInterpreter(resources, device)
    with path.open("rb") as fh:
        for page in PDFPage.get_pages(fh, pagenos={index}, check_extractable=False):
            interpreter.process_page(page)
            layout = device.get_result()
            x0, y0, x1, y1 = page.mediabox
            rotation = int(page.rotate or 0) % 360
            back = _unturn(rotation, float(x0), float(y0), float(x1), float(y1))
            chars = tuple(_char(o, back) for o in layout if isinstance(o, LTChar))
            return PageText(chars, x1 - x0, y1 - y0, rotation)
    return PageText((), 0.0, 0.0, 0)


def _unturn(
    rotation: int, x0: float, y0: float, x1: float, y1: float
) -> Callable[[float, float], tuple[float, float]]:
    """pdfminer reports a turned page's glyphs turned (its /Rotate applied); this maps them
    back onto the page's own axes, which the line grouping and pdfium's boxes use."""
    if rotation == 90:
        return lambda u, v: (x1 - v, u + y0)
    if rotation == 180:
        return lambda u, v: (x1 - u, y1 - v)
    if rotation == 270:
        return lambda u, v: (v + x0, y1 - u)
    return lambda u, v: (u, v)


def _char(o, back: Callable[[float, float], tuple[float, float]]) -> LayerChar:
    text = o.get_text()
    if _CID.match(text) or text == "\ufffd":
        text = ""
    name = str(o.fontname)
    (ax, ay), (bx, by) = back(float(o.x0), float(o.y0)), back(float(o.x1), float(o.y1))
    _, baseline = back(float(o.matrix[4]), float(o.matrix[5]))
    return LayerChar(
        text,
        name.rsplit("+", 1)[-1] if "+" in name[:8] else name,
        float(o.size),
        (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)),
        baseline,
        getattr(o, "render_mode", 0) == INVISIBLE,
    )


def lines(chars: Sequence[LayerChar]) -> list[list[LayerChar]]:
    """Glyphs grouped into lines by baseline, lines top to bottom, glyphs in stream order.

    Stream order, not x order: a shaped cluster's glyphs are drawn in visual
    order but carry their text on the first one, so sorting by x would tear
    clusters apart. A new line starts where the baseline moves by more than a
    third of the type size.
    """
    rows: list[list[LayerChar]] = []
    keys: list[float] = []
    for char in chars:
        for i, key in enumerate(keys):
            if abs(char.baseline - key) <= char.size / 3:
                rows[i].append(char)
                break
        else:
            keys.append(char.baseline)
            rows.append([char])
    order = sorted(range(len(rows)), key=lambda i: -keys[i])
    return [rows[i] for i in order]


def _gap_limit(line: Sequence[LayerChar]) -> float:
    """The gap that separates words on a line drawn without space glyphs.

    A quarter of the type size, or well above the line's usual gap between
    letters when the line is letter-spaced (``T e x t`` must stay one word).
    """
    gaps = sorted(b.box[0] - a.box[2] for a, b in itertools.pairwise(line))
    usual = gaps[len(gaps) // 2] if gaps else 0.0
    size = max((c.size for c in line), default=10.0)
    return max(0.25 * size, 2 * usual + 0.1 * size)


def _words(line: Sequence[LayerChar]) -> Iterator[list[LayerChar]]:
    """Words of one line: split at space glyphs, or at gaps when a writer draws none."""
    has_spaces = any(c.text.isspace() for c in line)
    limit = 0.0 if has_spaces else _gap_limit([c for c in line if c.text])
    word: list[LayerChar] = []
    prev: LayerChar | None = None
    for char in line:
        if char.text.isspace():
            if word:
                yield word
            word, prev = [], None
            continue
        gap = (char.box[0] - prev.box[2]) if prev is not None else 0.0
        if word and not has_spaces and gap > limit:
            yield word
            word = []
        word.append(char)
        prev = char
    if word:
        yield word


def layer_words(
    chars: Sequence[LayerChar], decode: Callable[[str, str], str] | None = None
) -> list[list[tuple[str, tuple[float, float, float, float]]]]:
    """Lines of (word text, box in points); ``decode(text, font)`` turns legacy codes to Unicode."""
    out = []
    for line in lines(chars):
        row = []
        for word in _words(line):
            text = "".join(c.text for c in word)
            if decode is not None:
                text = _decode_runs(word, decode)
            if not text.strip():
                continue
            box = (
                min(c.box[0] for c in word),
                min(c.box[1] for c in word),
                max(c.box[2] for c in word),
                max(c.box[3] for c in word),
            )
            row.append((text, box))
        if row:
            out.append(row)
    return out


def _decode_runs(word: Sequence[LayerChar], decode: Callable[[str, str], str]) -> str:
    """A word may switch fonts (Kruti letters, a Latin digit): decode each font's run."""
    out, run, font = [], "", None
    for char in word:
        if char.font != font and run:
            out.append(decode(run, font or ""))
            run = ""
        font = char.font
        run += char.text
    if run:
        out.append(decode(run, font or ""))
    return "".join(out)


def as_text(rows: Sequence[Sequence[tuple[str, tuple[float, float, float, float]]]]) -> str:
    return "\n".join(" ".join(text for text, _ in row) for row in rows)


def as_words(
    rows: Sequence[Sequence[tuple[str, tuple[float, float, float, float]]]],
    height_pt: float,
    dpi: float,
) -> list[Word]:
    """Word boxes in page pixels at ``dpi`` (y down), as the completeness check takes them."""
    k = dpi / 72
    words = []
    for n, row in enumerate(rows):
        for text, (x0, y0, x1, y1) in row:
            box = (
                round(x0 * k),
                round((height_pt - y1) * k),
                round(x1 * k),
                round((height_pt - y0) * k),
            )
            words.append(Word(text, 100.0, box, n))
    return words
