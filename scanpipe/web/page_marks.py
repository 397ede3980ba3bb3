"""Where the query's words sit on a page image: boxes from the archive's own text layer.

The PDF/A carries each page's words with their positions (Tesseract's invisible
layer, or a born-digital page's own text), so the same words the snippet marks
can be marked on the image: pdfium finds each spelling on the page and gives
its rectangles, returned as fractions of the page, so they fit the image at any
zoom.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterable
from pathlib import Path

MAX_BOXES = 200  # a word on every line of a page is still a page's worth, not more
Box = tuple[float, float, float, float]


def word_boxes(pdf: Path, number: int, words: Iterable[str]) -> list[Box]:
    """(left, top, width, height) of every occurrence of ``words`` on page ``number`` (1-based)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    wanted = sorted({w for w in words if w.strip()}, key=len, reverse=True)
    if not wanted:
        return []
    doc = pdfium.PdfDocument(str(pdf))
    boxes: list[Box] = []
    try:
        if not 0 < number <= len(doc):
            return []
        page = doc[number - 1]
        width, height = page.get_size()
        textpage = page.get_textpage()
        left, top, right, bottom = (ctypes.c_double() for _ in range(4))
        for word in wanted:
            utf16 = word.encode("utf-16-le") + b"\x00\x00"  # FPDF_WIDESTRING, NUL-ended
            buffer = (ctypes.c_ushort * (len(utf16) // 2)).from_buffer_copy(utf16)
            search = raw.FPDFText_FindStart(textpage.raw, buffer, 0, 0)
            try:
                while raw.FPDFText_FindNext(search) and len(boxes) < MAX_BOXES:
                    first = raw.FPDFText_GetSchResultIndex(search)
                    count = raw.FPDFText_GetSchCount(search)
                    for i in range(raw.FPDFText_CountRects(textpage.raw, first, count)):
                        raw.FPDFText_GetRect(textpage.raw, i, left, top, right, bottom)
                        boxes.append(
                            (
                                round(left.value / width, 4),
                                round(1 - top.value / height, 4),
                                round((right.value - left.value) / width, 4),
                                round((top.value - bottom.value) / height, 4),
                            )
                        )
            finally:
                raw.FPDFText_FindClose(search)
        textpage.close()
        page.close()
    finally:
        doc.close()
    return boxes
