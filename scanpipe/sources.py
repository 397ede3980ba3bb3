"""Turn a path given by the user into a validated FileSource, or refuse it clearly.

Validation happens here, before any OCR, so that a bad file costs
milliseconds, is named in the error, and never takes a worker down.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import regex
from PIL import Image

from scanpipe.errors import InputFileError
from scanpipe.model import FileSource, PageRef, SourceKind

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})
IGNORED_NAMES = regex.compile(
    r"^(\.|~\$|Thumbs\.db$|desktop\.ini$)|\.(part|tmp|crdownload)$", regex.I
)
_CHUNK = 1 << 20


def natural_key(name: str) -> list[object]:
    """Sort key so that page2 comes before page10 (digits compare as numbers)."""
    return [int(p) if p.isdigit() else p.casefold() for p in regex.split(r"(\d+)", name)]


def sniff(path: Path) -> SourceKind:
    """Decide the kind by the file's first bytes, not its name: names lie."""
    with path.open("rb") as fh:
        head = fh.read(1024)
    if not head:
        raise InputFileError(
            "the file is empty (0 bytes)",
            advice="the scan or copy did not finish; copy or scan it again",
            path=path,
        )
    if b"%PDF-" in head:
        return SourceKind.PDF
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return SourceKind.TIFF
    if head[:8] == b"\x89PNG\r\n\x1a\n" or head[:3] == b"\xff\xd8\xff":
        return SourceKind.IMAGE
    raise InputFileError(
        "this is not a PDF, TIFF, PNG or JPEG file (its content does not match any of them)",
        advice="export the scan as PDF, TIFF, PNG or JPEG and convert that file",
        path=path,
    )


@contextmanager
def pdf_errors(path: Path, advice: str) -> Iterator[None]:
    """Turn pikepdf's open errors into InputFileError naming the file and the fix."""
    import pikepdf

    try:
        yield
    except pikepdf.PasswordError as exc:
        raise InputFileError(
            "the PDF is encrypted (password protected)",
            advice="remove the password, e.g. 'qpdf --decrypt in.pdf out.pdf', then try again",
            path=path,
        ) from exc
    except pikepdf.PdfError as exc:
        raise InputFileError(
            f"the PDF is damaged and cannot be read ({exc})", advice=advice, path=path
        ) from exc


def _check_pdf(path: Path, max_pixels: int, dpi: int) -> int:
    """Return the page count of a PDF that we can rasterise, else raise InputFileError."""
    import pikepdf

    with path.open("rb") as fh:
        fh.seek(max(0, path.stat().st_size - 2048))
        tail = fh.read()
    if b"%%EOF" not in tail:
        raise InputFileError(
            "the PDF is truncated: it has no end-of-file marker (the copy or scan did not finish)",
            advice="copy or export the PDF again, then convert it",
            path=path,
        )
    with pdf_errors(path, "export or scan the document again"), pikepdf.open(path) as pdf:
        pages = len(pdf.pages)
        for page in pdf.pages:
            box = page.mediabox
            w_in = float(box[2] - box[0]) / 72
            h_in = float(box[3] - box[1]) / 72
            if w_in * h_in * dpi * dpi > max_pixels:
                raise InputFileError(
                    f"a page is {w_in:.0f}×{h_in:.0f} inches, which at {dpi} dpi is over the "
                    f"cap of {max_pixels / 1e6:.0f} megapixels",
                    advice="check the PDF's page size; split or resize oversized pages",
                    path=path,
                )
    if pages == 0:
        raise InputFileError("the PDF has no pages", advice="scan it again", path=path)
    return pages


def check_image(path: Path, max_pixels: int) -> int:
    """Read only the header: size and frame count. Never decode a decompression bomb."""
    bomb_limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None  # only the header is read here; our own cap follows
    try:
        with Image.open(path) as im:
            w, h = im.size
            if w * h > max_pixels:
                raise InputFileError(
                    f"the image is {w}×{h} = {w * h / 1e6:.0f} megapixels, over the cap of "
                    f"{max_pixels / 1e6:.0f} megapixels",
                    advice="rescan at 300 dpi, or raise ocr.max_pixels if the page is really "
                    "that large",
                    path=path,
                )
            return getattr(im, "n_frames", 1)
    except InputFileError:
        raise
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InputFileError(
            f"the image cannot be read ({exc})",
            advice="the file is damaged or incomplete; scan or copy it again",
            path=path,
        ) from exc
    finally:
        Image.MAX_IMAGE_PIXELS = bomb_limit


def _regular_file(path: Path) -> os.stat_result:
    st = path.lstat()
    if stat.S_ISLNK(st.st_mode):
        st = path.stat()
    if not stat.S_ISREG(st.st_mode):
        raise InputFileError(
            "this is not a regular file (a device, pipe or socket)",
            advice="give the path of a scanned PDF or image",
            path=path,
        )
    return st


def _sha256(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for p in paths:
        with p.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


def _pages_of(path: Path, max_pixels: int, dpi: int) -> list[PageRef]:
    kind = sniff(path)
    if kind is SourceKind.PDF:
        return [PageRef(path, i, kind) for i in range(_check_pdf(path, max_pixels, dpi))]
    frames = check_image(path, max_pixels)
    if kind is SourceKind.TIFF or frames > 1:
        return [PageRef(path, i, SourceKind.TIFF) for i in range(frames)]
    return [PageRef(path, 0, kind)]


def page_files(folder: Path) -> list[Path]:
    """The page images of a folder-file, in natural name order, temp files skipped."""
    return sorted(
        (
            p
            for p in folder.iterdir()
            if p.suffix.lower() in IMAGE_SUFFIXES and not IGNORED_NAMES.search(p.name)
        ),
        key=lambda p: natural_key(p.name),
    )


def open_source(path: Path, *, max_pixels: int, dpi: int = 300) -> FileSource:
    """Validate a PDF, TIFF, image or folder of images and describe its pages."""
    if not path.exists():
        raise InputFileError(
            "no such file or folder", advice="check the path and try again", path=path
        )
    if path.is_dir():
        files = page_files(path)
        if not files:
            raise InputFileError(
                "the folder holds no page images (.png, .jpg, .tif)",
                advice="put the scanned pages of one file in the folder, or give a PDF",
                path=path,
            )
        pages: list[PageRef] = []
        size = 0
        for f in files:
            size += _regular_file(f).st_size
            pages.extend(_pages_of(f, max_pixels, dpi))
        # Folders hash their ordered page bytes, so renaming the folder is not a new file.
        return FileSource(path, tuple(pages), _sha256(files), size)
    st = _regular_file(path)
    pages = _pages_of(path, max_pixels, dpi)
    return FileSource(path, tuple(pages), _sha256([path]), st.st_size)
