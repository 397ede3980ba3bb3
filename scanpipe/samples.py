"""Realistic scanned-page fixtures: Mungeli district letters, rendered and degraded.

Why our own generator: tests, ``make demo`` and the benchmarks need pages whose
ground truth is known exactly, whose skew and orientation are known exactly, and
which look like the real files (bilingual letterhead, Devanagari conjuncts, grey
paper, blur, noise, JPEG artefacts) without shipping real government papers.

Everything is a pure function of its arguments and ``seed``: the same call gives
the same pixels and the same file bytes, so failures reproduce.

Fonts: Debian's Noto Devanagari fonts carry digits and punctuation but *no Latin
letters*, so ``render_page`` splits every line into script runs and draws Latin
runs with a Latin font on a shared baseline. Shaping (conjuncts, matras, reph)
needs Pillow's Raqm layout; without it Hindi would be rendered as broken
letters that Tesseract never sees in real scans, so we refuse instead.
"""

from __future__ import annotations

import io
import itertools
import os
import random
import string
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from statistics import NormalDist

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, features

from scanpipe.errors import MissingDependencyError

FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/noto"),  # fonts-noto-core
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/truetype/lohit-devanagari"),  # fonts-lohit-deva
    Path("/usr/share/fonts/truetype/dejavu"),  # fonts-dejavu-core (Latin fallback)
    Path("/usr/local/share/fonts"),
)
# Preferred file names, best first. Lohit has no bold; bold falls back to regular.
_DEVA_NAMES = ("NotoSansDevanagari", "NotoSerifDevanagari", "Lohit-Devanagari")
_LATIN_NAMES = ("NotoSans", "NotoSerif", "DejaVuSans")
FONT_ADVICE = "sudo apt-get install fonts-noto-core"

A4_MM = (210.0, 297.0)
MARGIN_MM = 25.0
LINE_PITCH = 1.6  # baseline-to-baseline distance in ems; Devanagari needs room for matras
INK = 28  # grey level of printed ink after degrade; real toner is never pure black

from scanpipe.sample_text import LETTER_LINES_EN, LETTER_LINES_HI, letter_lines  # noqa: E402

__all__ = ["LETTER_LINES_EN", "LETTER_LINES_HI", "letter_lines"]


# --- fonts and rendering -------------------------------------------------------------------


def find_font(
    devanagari: bool = True, bold: bool = False, *, dirs: Sequence[Path] | None = None
) -> Path:
    """Path of an installed Devanagari (or Latin) font, searching the usual Debian places.

    ``dirs`` exists so tests can prove the missing-font error; callers leave it.
    """
    search = FONT_DIRS if dirs is None else tuple(dirs)
    weights = ("Bold", "Regular") if bold else ("Regular",)
    names = _DEVA_NAMES if devanagari else _LATIN_NAMES
    # Bare names last: Lohit-Devanagari.ttf and DejaVuSans.ttf carry no weight suffix.
    stems = [f"{name}-{weight}" for name in names for weight in weights] + list(names)
    for stem, folder, ext in itertools.product(stems, search, (".ttf", ".otf")):
        if (folder / f"{stem}{ext}").is_file():
            return folder / f"{stem}{ext}"
    kind = "Devanagari" if devanagari else "Latin"
    raise MissingDependencyError(
        f"no {kind} font found in {', '.join(map(str, search)) or 'no folders'}",
        advice=FONT_ADVICE,
    )


@cache
def load_font(path: Path, size_px: int) -> ImageFont.FreeTypeFont:
    """Font with Raqm shaping; refuses the basic layout, which breaks Hindi conjuncts."""
    if not features.check("raqm"):
        raise MissingDependencyError(
            "Pillow has no Raqm text layout, so Devanagari would be drawn unshaped",
            advice="sudo apt-get install libraqm0 libfribidi0, or install Pillow from PyPI wheels",
        )
    return ImageFont.truetype(str(path), size_px, layout_engine=ImageFont.Layout.RAQM)


def _is_devanagari(ch: str) -> bool:
    cp = ord(ch)
    return 0x0900 <= cp <= 0x097F or 0xA8E0 <= cp <= 0xA8FF or 0x1CD0 <= cp <= 0x1CFF


# Characters both fonts carry. Noto Devanagari lacks $ & @ ` and all Latin letters.
_NEUTRAL = frozenset(string.digits + string.punctuation + " \u00a0\u200c\u200d–—‘’“”₹") - {*"$&@`"}


def script_runs(line: str) -> list[tuple[bool, str]]:
    """Split a line into (is_devanagari, text) runs.

    Devanagari-block characters (danda and Devanagari digits too) start or
    continue a Devanagari run; characters both fonts carry (spaces, ASCII digits,
    most punctuation, ZWJ/ZWNJ) join the run before them, which keeps
    ``फा.क्र. ४५/२०१९`` one shaped run; everything else is drawn with the Latin font.
    """
    runs: list[tuple[bool | None, str]] = []
    for ch in line:
        script = True if _is_devanagari(ch) else None if ch in _NEUTRAL else False
        if runs and (script is None or runs[-1][0] in (None, script)):
            prev, text = runs[-1]
            runs[-1] = (prev if script is None else script, text + ch)
        else:
            runs.append((script, ch))
    return [(bool(script) if script is not None else True, text) for script, text in runs]


def _page_size(dpi: int) -> tuple[int, int]:
    return round(A4_MM[0] / 25.4 * dpi), round(A4_MM[1] / 25.4 * dpi)


def render_page(
    lines: Sequence[str], *, dpi: int = 300, font_pt: float = 12, seed: int = 0
) -> Image.Image:
    """Clean A4 page (mode "L"): black text on white, one line per entry, top-down.

    ``""`` leaves a blank line. The seed adds a pixel or two of indent and
    spacing jitter, as a typewriter or old printer would. A line wider than the
    text block raises ValueError rather than being clipped or wrapped, because
    either would silently make the returned ground truth wrong.
    """
    width, height = _page_size(dpi)
    size_px = max(6, round(font_pt * dpi / 72))
    deva = load_font(find_font(True), size_px)
    latin = load_font(find_font(False), size_px)
    margin = round(MARGIN_MM / 25.4 * dpi)
    pitch = round(size_px * LINE_PITCH)
    jitter = max(1, dpi // 150)
    rng = random.Random(seed)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    baseline = margin + deva.getmetrics()[0]
    for line in lines:
        if baseline + deva.getmetrics()[1] > height - margin // 2:
            raise ValueError(f"{len(lines)} lines do not fit on an A4 page at {font_pt} pt")
        x = float(margin + rng.randint(-jitter, jitter))
        y = baseline + rng.randint(-jitter, jitter)
        for is_deva, text in script_runs(line):
            font, lang = (deva, "hi") if is_deva else (latin, "en")
            draw.text((x, y), text, font=font, fill=0, anchor="ls", language=lang)
            x += font.getlength(text, language=lang)
        if x > width - margin + jitter:
            raise ValueError(f"line too wide for the text block at {font_pt} pt: {line!r}")
        baseline += pitch
    return page


# --- degradation ---------------------------------------------------------------------------

_QUARTER_TURNS = {
    0: None,
    90: Image.Transpose.ROTATE_90,  # Pillow's ROTATE_90 is counter-clockwise
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_270,
}


def _add_noise(gray: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    """Gaussian sensor noise, fast: one random byte per pixel picks one of 256 normal quantiles.

    Several times quicker than drawing float normals for 8.7 Mpx; tails stop at
    ±2.9 sigma, which no one can tell apart on a scan.
    """
    table = np.array([NormalDist(0, sigma).inv_cdf((i + 0.5) / 256) for i in range(256)])
    picks = np.frombuffer(np.random.default_rng(seed).bytes(gray.size), np.uint8)
    noisy = gray + table.astype(np.float32)[picks].reshape(gray.shape)
    np.rint(noisy, out=noisy)
    return np.clip(noisy, 0, 255, out=noisy).astype(np.uint8)


def degrade(
    img: Image.Image,
    *,
    skew_deg: float = 0.0,
    orientation_deg: int = 0,
    seed: int = 0,
    noise: float = 4.0,
    blur: float = 0.6,
    paper: int = 238,
    jpeg_quality: int | None = None,
) -> Image.Image:
    """Make a clean page look scanned; returns mode "L".

    Angles follow OpenCV's ``getRotationMatrix2D``: positive means the content is
    turned counter-clockwise as seen on screen, so the corrector must turn by
    ``-skew_deg``. The quarter turn happens first (a page put in the feeder
    sideways or upside-down), then the skew (the page slipping), on a canvas
    grown to fit and filled with paper, then paper tone, blur, noise, JPEG.
    """
    if orientation_deg not in _QUARTER_TURNS:
        raise ValueError(f"orientation_deg must be 0, 90, 180 or 270, not {orientation_deg}")
    out = img.convert("L")
    turn = _QUARTER_TURNS[orientation_deg]
    if turn is not None:
        out = out.transpose(turn)
    if skew_deg:
        out = out.rotate(skew_deg, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    # White becomes paper, black becomes toner grey; the skew fill is white, so it turns paper.
    ink = min(INK, paper)
    out = out.point([round(ink + (paper - ink) * v / 255) for v in range(256)])
    if blur > 0:
        out = out.filter(ImageFilter.GaussianBlur(blur))
    if noise > 0:
        out = Image.fromarray(_add_noise(np.asarray(out), noise, seed))
    if jpeg_quality is not None:
        buf = io.BytesIO()
        out.save(buf, "JPEG", quality=jpeg_quality)
        buf.seek(0)
        out = Image.open(buf).convert("L")
    return out


# --- files ---------------------------------------------------------------------------------


def _save_image(img: Image.Image, path: Path, dpi: int) -> None:
    """Save by suffix with DPI metadata; JPEG quality 85 is typical of office scanners."""
    suffix = path.suffix.lower()
    if suffix == ".png":
        img.save(path, "PNG", dpi=(dpi, dpi), compress_level=1)
    elif suffix in (".tif", ".tiff"):
        img.save(path, "TIFF", dpi=(dpi, dpi), compression="tiff_deflate")
    elif suffix in (".jpg", ".jpeg"):
        img.save(path, "JPEG", dpi=(dpi, dpi), quality=85)
    else:
        raise ValueError(f"unsupported image suffix {path.suffix!r}; use .png, .tif or .jpg")


def write_letter(
    path: Path,
    *,
    seed: int,
    skew_deg: float = 0.0,
    orientation_deg: int = 0,
    dpi: int = 300,
    lines: Sequence[str] | None = None,
) -> list[str]:
    """Write one scanned letter page (PNG/TIFF/JPEG by suffix); return its ground-truth lines."""
    truth = list(lines) if lines is not None else letter_lines(seed)
    page = degrade(
        render_page(truth, dpi=dpi, seed=seed),
        skew_deg=skew_deg,
        orientation_deg=orientation_deg,
        seed=seed,
    )
    _save_image(page, Path(path), dpi)
    return truth


def write_pdf(path: Path, images: Sequence[Image.Image], dpi: int = 300) -> None:
    """Image-only PDF, one JPEG (quality 80) per page sized by ``dpi``, like "scan to PDF".

    Pillow writes it; dates and title are pinned so equal inputs give equal bytes.
    """
    if not images:
        raise ValueError("a PDF needs at least one page image")
    pages = [im if im.mode in ("L", "RGB") else im.convert("L") for im in images]
    epoch = time.gmtime(0)
    pages[0].save(
        Path(path),
        "PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=float(dpi),
        quality=80,
        title="scanned letter",
        producer="scanpipe.samples",
        creationDate=epoch,
        modDate=epoch,
    )


def _write_truth(image_path: Path, lines: Iterable[str]) -> Path:
    gt = image_path.with_suffix(".gt.txt")
    gt.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return gt


def write_demo_set(out_dir: Path) -> list[Path]:
    """A small mixed batch, like one morning at the record room; returns the three inputs.

    * ``letter-0001.pdf``: 2 pages, page 1 skewed 4°, page 2 upside down.
      ``letter-0001.gt.txt`` holds both pages separated by a form feed (as pdftotext).
    * ``file-0002/``: page1.png, page2.png, page10.png (natural-sort trap), mildly skewed.
    * ``scan-0003.jpg``: one page skewed -9°, beyond what plain Tesseract handles.

    Every single image has ``<name>.gt.txt`` beside it. All pages are A4 at
    300 dpi, the pipeline's target; the set takes about 2 s on two cores.
    """
    dpi = 300
    out_dir = Path(out_dir)
    folder, pdf_path, jpg = (
        out_dir / "file-0002",
        out_dir / "letter-0001.pdf",
        out_dir / "scan-0003.jpg",
    )
    folder.mkdir(parents=True, exist_ok=True)
    # (image file or None for a PDF page, seed, skew, quarter turn)
    plan: list[tuple[Path | None, int, float, int]] = [
        (None, 101, 4.0, 0),
        (None, 102, 0.0, 180),
        (folder / "page1.png", 201, 0.8, 0),
        (folder / "page2.png", 202, -1.5, 0),
        (folder / "page10.png", 210, 0.0, 0),
        (jpg, 301, -9.0, 0),
    ]
    truths = {seed: letter_lines(seed) for _, seed, _, _ in plan}
    # Text is drawn here because a FreeType face must not be shared between threads;
    # rotating, blurring and encoding release the GIL, so they run in parallel.
    clean = {seed: render_page(lines, dpi=dpi, seed=seed) for seed, lines in truths.items()}

    def scan(path: Path | None, seed: int, skew: float, turn: int) -> Image.Image:
        page = degrade(clean[seed], skew_deg=skew, orientation_deg=turn, seed=seed)
        if path is not None:
            _save_image(page, path, dpi)
            _write_truth(path, truths[seed])
        return page

    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        pages = list(pool.map(scan, *zip(*plan, strict=True)))
    write_pdf(pdf_path, pages[:2], dpi=dpi)
    gt = "\f".join("\n".join(truths[seed]) + "\n" for _, seed, _, _ in plan[:2])
    pdf_path.with_suffix(".gt.txt").write_text(gt, encoding="utf-8")
    return [pdf_path, folder, jpg]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m scanpipe.samples OUT_DIR``, as ``make demo`` runs it: write the demo batch."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m scanpipe.samples OUT_DIR", file=sys.stderr)
        return 2
    for path in write_demo_set(Path(args[0])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
