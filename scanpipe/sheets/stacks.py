"""A scanned stack as pages to look at and pages to copy out: PDF or multi-page TIFF.

``split`` decides where the files of a stack begin; this module hides what
the stack is made of. Both kinds give a cheap grey preview of a page and copy
a run of pages into a new file of the same kind, losslessly, with
deterministic bytes (a split redone after a crash writes the same files, which
the registry's sha256 check recognises) and atomically (a crash leaves only a
hidden ``.part`` file, never a short file under the final name).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
from PIL import Image, TiffImagePlugin

from scanpipe.errors import InputFileError
from scanpipe.model import SourceKind
from scanpipe.sheets.render import page_gray
from scanpipe.sources import pdf_errors, sniff

if TYPE_CHECKING:
    import pikepdf

_A4_LONG_IN = 297 / 25.4
# Compressions that give back the very pixels they were given; a frame keeps its own
# when it is one of these (group 3/4 exist for bilevel frames only).
_LOSSLESS = frozenset({"raw", "packbits", "tiff_lzw", "tiff_adobe_deflate", "tiff_deflate"})
_BILEVEL = frozenset({"group3", "group4"})
# What Pillow raises for damaged or truncated TIFFs ("Missing dimensions" is a TypeError).
_PILLOW_ERRORS = (
    OSError,
    ValueError,
    TypeError,
    EOFError,
    SyntaxError,
    Image.DecompressionBombError,
)


class Stack(Protocol):
    """What ``split_stack`` needs of a stack: its pages, previews, and copies of runs."""

    path: Path
    suffix: str  # of the files ``write`` makes

    def __len__(self) -> int: ...

    def gray(self, index: int, dpi: float) -> tuple[np.ndarray, float]:
        """A uint8 preview of page ``index`` at about ``dpi`` (at least that, if the page has
        it), and its actual dpi."""
        ...

    def write(self, indices: Sequence[int], target: Path) -> None:
        """Copy these pages, in this order, into a new file at ``target``."""
        ...


@contextmanager
def open_stack(path: Path, *, max_pixels: int) -> Iterator[Stack]:
    """Open a PDF or TIFF stack by its first bytes; anything else is refused."""
    path = Path(path)
    kind = sniff(path)
    if kind is SourceKind.PDF:
        import pikepdf

        with pdf_errors(path, "export or scan the stack again"), pikepdf.open(path) as pdf:
            yield PdfStack(pdf, path, max_pixels)
    elif kind is SourceKind.TIFF:
        try:
            image = Image.open(path)
            frames = int(getattr(image, "n_frames", 1))  # walks every frame's header
        except _PILLOW_ERRORS as exc:
            raise InputFileError(
                f"the TIFF cannot be read ({exc})",
                advice="the file is damaged or incomplete; scan or copy it again",
                path=path,
            ) from exc
        with image:
            yield TiffStack(image, path, max_pixels, frames)
    else:
        raise InputFileError(
            "only a PDF or a multi-page TIFF can be split into files",
            advice="scan the stack to PDF or TIFF",
            path=path,
        )


class PdfStack:
    """A PDF stack: pages are copied as page objects, so the scanner's JPEGs stay as they are."""

    suffix = ".pdf"

    def __init__(self, pdf: pikepdf.Pdf, path: Path, max_pixels: int) -> None:
        self.pdf, self.path, self.max_pixels = pdf, path, max_pixels

    def __len__(self) -> int:
        return len(self.pdf.pages)

    def gray(self, index: int, dpi: float) -> tuple[np.ndarray, float]:
        return page_gray(self.pdf, index, self.path, dpi=dpi, max_pixels=self.max_pixels)

    def write(self, indices: Sequence[int], target: Path) -> None:
        import pikepdf

        tmp = target.with_name(f".{target.name}.part")
        with pikepdf.new() as dst:
            for index in indices:
                dst.pages.append(self.pdf.pages[index])
            if self.pdf.docinfo:
                dst.docinfo = dst.copy_foreign(self.pdf.docinfo)
            dst.save(tmp, deterministic_id=True)
        os.replace(tmp, target)


class TiffStack:
    """A multi-page TIFF stack (one frame per page), split into multi-page TIFFs.

    Why TIFF out, not PDF: each file then reaches the pipeline exactly as the
    stack would have (same kind, same frames, same mode and dpi), and Pillow
    can copy a frame pixel for pixel. The frames are decoded and encoded
    again, which is lossless with the frame's own compression when that is
    lossless (G4 for bilevel frames, LZW, Deflate, PackBits, none) and with
    Deflate otherwise: a JPEG-compressed frame keeps its decoded pixels
    exactly and grows, rather than losing detail to a second JPEG pass.
    Pillow writes no time stamp, so equal frames give equal bytes.
    """

    suffix = ".tif"

    def __init__(self, image: Image.Image, path: Path, max_pixels: int, frames: int) -> None:
        self.image, self.path, self.max_pixels, self.frames = image, path, max_pixels, frames

    def __len__(self) -> int:
        return self.frames

    def _frame(self, index: int) -> Image.Image:
        """Frame ``index``, its size checked before it is decoded (a frame can be a bomb)."""
        try:
            self.image.seek(index)
            width, height = self.image.size
            if width * height > self.max_pixels:
                raise InputFileError(
                    f"page {index + 1} is {width}×{height} = {width * height / 1e6:.0f} "
                    f"megapixels, over the cap of {self.max_pixels / 1e6:.0f} megapixels",
                    advice="rescan at 300 dpi, or raise ocr.max_pixels if the page is that large",
                    path=self.path,
                )
            self.image.load()
        except _PILLOW_ERRORS as exc:
            raise InputFileError(
                f"page {index + 1} of the TIFF cannot be read ({exc})",
                advice="the file is damaged or incomplete; scan or copy it again",
                path=self.path,
            ) from exc
        return self.image

    def _dpi(self, frame: Image.Image) -> float:
        found = frame.info.get("dpi")
        if found and float(found[0]) > 1:
            return float(found[0])
        return max(frame.size) / _A4_LONG_IN  # no resolution tag: assume an A4 page

    def gray(self, index: int, dpi: float) -> tuple[np.ndarray, float]:
        frame = self._frame(index)
        src_dpi = self._dpi(frame)
        if frame.mode.startswith("I;16"):
            gray = Image.fromarray((np.asarray(frame, np.uint16) >> 8).astype(np.uint8))
        else:
            gray = frame.convert("L") if frame.mode != "L" else frame
        factor = max(1, int(src_dpi / dpi))
        if factor > 1:
            gray = gray.reduce(factor)  # box average: cheap, and keeps at least ``dpi``
        return np.array(gray, np.uint8), src_dpi / factor

    def write(self, indices: Sequence[int], target: Path) -> None:
        tmp = target.with_name(f".{target.name}.part")
        with TiffImagePlugin.AppendingTiffWriter(tmp, new=True) as out:
            for index in indices:
                frame = self._frame(index)
                options: dict[str, object] = {"compression": _compression(frame)}
                found = frame.info.get("dpi")
                if found:
                    options["dpi"] = found
                frame.save(out, "TIFF", **options)
                out.newFrame()
        os.replace(tmp, target)


def _compression(frame: Image.Image) -> str:
    """The frame's own compression when it is lossless for its mode, else G4 or Deflate."""
    own = frame.info.get("compression")
    if frame.mode == "1":
        return own if own in _BILEVEL | _LOSSLESS else "group4"
    return own if own in _LOSSLESS else "tiff_adobe_deflate"
