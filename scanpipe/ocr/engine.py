"""The OCR engine seam and its real implementation, Tesseract.

One Tesseract process per page produces the plain text, the TSV word boxes
with confidences and a text-only PDF layer in a single recognition run, so a
page is never OCRed twice. Tests swap the engine through ``load_engine``
(a ``module:Class`` name), never by patching module attributes.
"""

from __future__ import annotations

import csv
import importlib
import io
from pathlib import Path
from typing import Protocol, runtime_checkable

import cv2
import numpy as np

from scanpipe import tools
from scanpipe.errors import ExternalToolError
from scanpipe.model import OcrPage, Word

# One thread per Tesseract: we parallelise across pages, which scales far better.
_ENV = {"OMP_THREAD_LIMIT": "1"}


@runtime_checkable
class OcrEngine(Protocol):
    """What the pipeline needs from an OCR engine.

    An engine may declare ``wants = "grey"`` when it thresholds pages itself;
    otherwise it is handed the binarised page (ocr/binarise.py).
    """

    def orientation(self, gray: np.ndarray, dpi: int, work: Path) -> tuple[int, float]:
        """Return (0 or 180, confidence) for a page whose text lines are already horizontal."""
        ...

    def recognise(
        self, gray: np.ndarray, dpi: int, langs: str, out_base: Path, psm: int | None = None
    ) -> OcrPage:
        """OCR an upright page once; write ``out_base.pdf`` as its text layer.

        ``psm`` overrides the engine's page segmentation mode for this call (the
        fallback chain tries another one); ``None`` keeps the engine's own.
        """
        ...


@runtime_checkable
class LineReader(Protocol):
    """An engine that can read one cropped text line with another model (optional)."""

    def read_line(self, gray: np.ndarray, dpi: int, langs: str, work: Path) -> str: ...


def parse_tsv(data: str) -> tuple[Word, ...]:
    words: list[Word] = []
    for row in csv.DictReader(io.StringIO(data), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        conf = float(row["conf"])
        if conf < 0:
            continue
        left, top = int(row["left"]), int(row["top"])
        box = (left, top, left + int(row["width"]), top + int(row["height"]))
        line = int(row["block_num"]) * 10_000 + int(row["par_num"]) * 100 + int(row["line_num"])
        words.append(Word(text, conf, box, line))
    return tuple(words)


def mean_confidence(words: tuple[Word, ...]) -> float:
    """Character-weighted mean: a long word misread matters more than a stray mark."""
    total = sum(len(w.text) for w in words)
    if not total:
        return -1.0
    return round(sum(w.confidence * len(w.text) for w in words) / total, 2)


def _osd_crop(gray: np.ndarray) -> np.ndarray:
    """The densest horizontal band of text, so OSD reads ~15 lines instead of a page."""
    h, w = gray.shape
    band = max(400, h // 5)
    if h <= band * 1.5:
        return gray
    ink = (gray < 128).sum(axis=1).astype(np.float64)
    window = np.convolve(ink, np.ones(band), mode="valid")
    top = int(np.argmax(window))
    margin = w // 12
    return gray[top : top + band, margin : w - margin]


class TesseractEngine:
    # Tesseract's own threshold is one global Otsu: it is given our binary page instead.
    wants = "binary"

    def __init__(self, timeout_s: float = 300.0, psm: int = 3) -> None:
        self.timeout_s = timeout_s
        self.psm = psm

    def orientation(self, gray: np.ndarray, dpi: int, work: Path) -> tuple[int, float]:
        path = work.with_suffix(".osd.png")
        cv2.imwrite(str(path), _osd_crop(gray))
        try:
            proc = tools.run(
                ["tesseract", path, "-", "--psm", "0", "--dpi", str(dpi)],
                timeout=60,
                env=_ENV,
                check=False,
            )
        finally:
            path.unlink(missing_ok=True)
        out = proc.stdout.decode("utf-8", "replace")
        fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
        try:
            rotate = int(fields["Rotate"].strip())
            conf = float(fields["Orientation confidence"].strip())
        except (KeyError, ValueError):
            return 0, 0.0  # too little text to tell: leave the page as it is
        return (180, conf) if rotate == 180 else (0, conf if rotate == 0 else 0.0)

    def recognise(
        self, gray: np.ndarray, dpi: int, langs: str, out_base: Path, psm: int | None = None
    ) -> OcrPage:
        image = out_base.with_suffix(".ocr.pgm")  # uncompressed: 5 ms to write, not 200
        cv2.imwrite(str(image), gray)
        try:
            tools.run(
                [
                    "tesseract",
                    image,
                    out_base,
                    "-l",
                    langs,
                    "--dpi",
                    str(dpi),
                    "--psm",
                    str(self.psm if psm is None else psm),
                    "-c",
                    "textonly_pdf=1",
                    "txt",
                    "tsv",
                    "pdf",
                ],
                timeout=self.timeout_s,
                env=_ENV,
                about=out_base,
            )
        finally:
            image.unlink(missing_ok=True)
        try:
            text = out_base.with_suffix(".txt").read_text(encoding="utf-8")
            words = parse_tsv(out_base.with_suffix(".tsv").read_text(encoding="utf-8"))
        except OSError as exc:
            raise ExternalToolError(
                f"tesseract wrote no output ({exc})", advice="run 'scanpipe doctor'"
            ) from exc
        pdf = out_base.with_suffix(".pdf")
        return OcrPage(text.replace("\f", "").strip(), words, mean_confidence(words), pdf)

    def read_line(self, gray: np.ndarray, dpi: int, langs: str, work: Path) -> str:
        """One line, page segmentation 7 ("a single text line"), plain text out."""
        image = work.with_suffix(".line.pgm")
        cv2.imwrite(str(image), gray)
        try:
            proc = tools.run(
                ["tesseract", image, "-", "-l", langs, "--dpi", str(dpi), "--psm", "7"],
                timeout=min(self.timeout_s, 60.0),
                env=_ENV,
                about=work,
            )
        finally:
            image.unlink(missing_ok=True)
        return proc.stdout.decode("utf-8", "replace").strip()


def load_engine(name: str, timeout_s: float = 300.0, psm: int = 3) -> OcrEngine:
    """``tesseract`` or ``package.module:Class`` (used by tests for a fake engine)."""
    if name == "tesseract":
        return TesseractEngine(timeout_s, psm)
    module, _, cls = name.partition(":")
    engine = getattr(importlib.import_module(module), cls)()
    if not isinstance(engine, OcrEngine):
        raise TypeError(f"{name} does not implement OcrEngine")
    return engine
