"""Page images for the screens, rendered once from the archive and kept in a cache.

The archive holds each page's scan only inside the file's PDF/A (decisions.md:
the scan's own bytes, drawn upright), so a page image is poppler's rendering
of that PDF page, scaled to a width. Renderings are cached under
``$SCANPIPE_HOME/cache/pages``; the archive never changes, so neither do
they. A page of a file with no archive PDF (one registered by hand) is
shown from its original image when that is still on disk.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path
from typing import Final

from PIL import Image

from scanpipe import tools
from scanpipe.errors import NotFoundError
from scanpipe.registry.page_review import image_origin, page_reason
from scanpipe.registry.store import Registry
from scanpipe.sources import page_files

WIDTHS: Final = {"thumb": 160, "view": 900, "large": 1800}
IMAGE_SUFFIXES: Final = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})


def page_image(registry: Registry, cache: Path, file_id: int, number: int, size: str) -> Path:
    """A PNG of the page at the named width; raises NotFoundError when there is no image."""
    width = WIDTHS.get(size)
    if width is None:
        raise NotFoundError(f"no image size {size!r}", advice=f"use one of {sorted(WIDTHS)}")
    origin_file, origin_page = image_origin(file_id, number, page_reason(registry, file_id, number))
    out = cache / "pages" / f"{origin_file}-{origin_page}-{width}.png"
    if out.exists():
        return out
    info = registry.get_file(origin_file)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.{uuid.uuid4().hex}.png")
    try:
        if info.pdf_path and info.pdf_path.exists():
            _from_pdf(info.pdf_path, origin_page, width, tmp)
        elif info.source_path and _from_source(info.source_path, origin_page, width, tmp):
            pass
        else:
            raise NotFoundError(
                f"file {file_id} page {number} has no archived image",
                advice="the file was registered by hand, or its archive is missing",
            )
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def _from_pdf(pdf: Path, page: int, width: int, out: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="scanpipe-thumb-") as tmp:
        base = Path(tmp) / "p"
        tools.run(
            [
                "pdftoppm",
                "-f",
                str(page),
                "-l",
                str(page),
                "-scale-to-x",
                str(width),
                "-scale-to-y",
                "-1",
                "-gray",
                "-png",
                "-singlefile",
                pdf,
                base,
            ],
            timeout=60,
            about=pdf,
        )
        os.replace(base.with_suffix(".png"), out)


def _from_source(source: Path, page: int, width: int, out: Path) -> bool:
    """The original page image (a folder of pages, or one image file), if it is still there."""
    if source.is_dir():
        files = page_files(source)
        path = files[page - 1] if 0 < page <= len(files) else None
    else:
        path = source if page == 1 and source.suffix.lower() in IMAGE_SUFFIXES else None
    if path is None or not path.is_file():
        return False
    with Image.open(path) as im:
        im = im.convert("L")
        im.thumbnail((width, width * 4))
        im.save(out, "PNG")
    return True
