"""Kodak patch-code sheets: print them, and recognise them on scanned pages.

Production scanners (Kodak, Fujitsu, Canon, ...) separate documents with patch
sheets (ANSI/AIIM MS44, Kodak A-61599): four parallel black bars, two wide
(0.2 in, 5.08 mm) and two narrow (0.08 in, 2.03 mm), with three narrow spaces
between them, 0.80 in in all. The order of wide (W) and narrow (N) bars is the
whole message; there is no data and no check digit. Neither zxing-cpp nor
OpenCV reads patch codes, so this module measures the bars itself.

Reading direction: the code is read in the scan direction, the leading edge
first: top to bottom for horizontal bars, left to right for vertical bars (the
same pattern turned a quarter counter-clockwise). Patch 3 (WNWN) and T (NWNW),
and 1 and 6, are each other's mirror image, so a sheet fed upside down reads
3 as T, as on a Kodak scanner. Both are separators here, so a stack splits the
same either way.

Without a check digit, refusing ordinary pages rests on geometry alone: four
long bars of near-equal length, parallel and aligned, with the published widths
(relative to each other and in millimetres at the page's dpi), clean white
spaces between them, white beside them, and exactly a published pattern.
Typed letters, ruled tables, stamps, QR sheets and scanner-bed borders fail
several of these at once. Bars are measured on a ~100 dpi copy (a narrow bar
is 8 px, its width known to a fraction of a pixel as area / length), and only
where a ~50 dpi look found something long: an ordinary page costs a few ms.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from scanpipe import samples
from scanpipe.sheets.payload import Sheet, SheetKind
from scanpipe.sheets.render import _Pen

# Patch number -> bar widths in scan order (W = wide, N = narrow), from MS44 / A-61599.
PATCH_CODES: dict[str, str] = {
    "1": "WWNN",
    "2": "WNNW",
    "3": "WNWN",
    "4": "NWWN",
    "6": "NNWW",
    "T": "NWNW",
}
_BY_PATTERN = {pattern: code for code, pattern in PATCH_CODES.items()}
# Patch T and 2 separate documents, Patch 3 batches: each starts a new file here.
SEPARATOR_CODES = frozenset({"T", "2", "3"})
WIDE_MM = 0.20 * 25.4
NARROW_MM = 0.08 * 25.4
SPACE_MM = NARROW_MM
PATTERN_MM = 2 * WIDE_MM + 2 * NARROW_MM + 3 * SPACE_MM  # 0.80 in
BAR_MM = 150.0  # printed bar length; Kodak asks for at least 2 in
MIN_BAR_MM = 40.0  # shortest bar read: a sheet printed smaller or partly covered still counts
WORK_DPI = 100.0
WIDTH_TOL = 0.25  # bar widths against the published size, and against each other
SPACE_TOL = 0.40  # spaces shrink by what the bars gain from toner spread and scanner blur
MIN_CONTRAST = 32  # grey levels between paper and ink below which nothing is ink
_MAX_TILT_DEG = 12.0  # of the bars from horizontal or vertical (skew is ±5° in practice)

_LABELS = {
    "T": ("separator", "विभाजक"),
    "2": ("separator", "विभाजक"),
    "3": ("batch separator", "बैच विभाजक"),
}

_NOTES = {  # what happens to the sheet, for the operator: (is it a separator) -> lines
    True: (
        "Scanpipe starts a new file at this sheet and does not keep it as a page.",
        "इस शीट से नई फ़ाइल शुरू होती है; यह पृष्ठ के रूप में नहीं रखी जाती।",
    ),
    False: ("Scanpipe keeps this sheet as a page.", "यह शीट पृष्ठ की तरह रखी जाती है।"),
}


# --- printing ------------------------------------------------------------------------------


def render_patch_sheet(code: str = "T", *, dpi: int = 300) -> Image.Image:
    """An A4 patch sheet (mode "1") with the published bars, printed twice, and a label.

    Bar and space widths are whole pixels at ``dpi`` as close to the published
    millimetres as the grid allows (exact at 200, 300 and 600 dpi). The bars
    run across the page, read top to bottom; a second copy near the foot keeps
    the sheet readable when a staple, a stamp or a fold spoils one. The label
    stays 25 mm away from both patterns, so text never touches a bar.
    """
    if code not in PATCH_CODES:
        raise ValueError(f"unknown patch code {code!r}; use one of {', '.join(PATCH_CODES)}")
    width, height = (round(mm / 25.4 * dpi) for mm in samples.A4_MM)
    page = Image.new("L", (width, height), 255)
    pen = _Pen(page, dpi)
    left = (width - pen.px(BAR_MM)) // 2
    for top_mm in (35.0, 297.0 - 35.0 - PATTERN_MM):
        y = pen.px(top_mm)
        for i, kind in enumerate(PATCH_CODES[code]):
            bar = pen.px(WIDE_MM if kind == "W" else NARROW_MM)
            pen.draw.rectangle((left, y, left + pen.px(BAR_MM) - 1, y + bar - 1), fill=0)
            y += bar + (pen.px(SPACE_MM) if i < 3 else 0)
    en, hi = _LABELS.get(code, ("patch code", "पैच कोड"))
    y = pen.px(125)
    pen.centred(y, f"PATCH {code} · {en} / {hi}", 26, bold=True)
    for text in (*_NOTES[code in SEPARATOR_CODES], f"Kodak patch {code} ({PATCH_CODES[code]})"):
        y += pen.px(11)
        pen.centred(y, text, 11)
    return page.point(lambda v: 255 if v >= 128 else 0, mode="1")


def write_patch_pdf(codes: Sequence[str], path: Path, *, dpi: int = 300) -> Path:
    """A printable PDF, one patch sheet per code; dates pinned, so equal calls give equal bytes."""
    if not codes:
        raise ValueError("no patch sheets to write")
    drawn = {code: render_patch_sheet(code, dpi=dpi) for code in dict.fromkeys(codes)}
    pages = [drawn[c] for c in codes]
    epoch = time.gmtime(0)
    pages[0].save(
        Path(path),
        "PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=float(dpi),
        title=f"scanpipe patch {codes[0]} sheet",
        producer="scanpipe",
        creationDate=epoch,
        modDate=epoch,
    )
    return Path(path)


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bar:
    x: float  # centre, work pixels
    y: float
    angle: float  # of the long axis, radians in [-pi/2, pi/2)
    length: float
    width: float  # area / length: sub-pixel, from thousands of pixels
    kind: str  # "W" or "N"


def _ink_limit(gray: np.ndarray, px_mm: float) -> np.ndarray:
    """Per pixel, the grey level below which ``gray`` is ink: midway between paper and ink.

    Paper and ink are the max and min over 25 mm on a ~25 dpi copy (cheap, and
    averaged so that noise does not pass for ink), which reaches past half the
    pattern: a bar's edge is then cut at half its contrast, so blur neither
    widens nor thins it, and faded toner, grey paper or uneven light move the
    cut with them. Where the two differ by little (blank paper, a black
    scanner bed) nothing is ink.
    """
    h, w = gray.shape
    step = max(1, round(px_mm * 25.4 / 25))
    tiny = cv2.resize(gray, (max(1, w // step), max(1, h // step)), interpolation=cv2.INTER_AREA)
    window = cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, round(25 * px_mm / step) | 1),) * 2)
    paper = cv2.dilate(tiny, window).astype(np.int16)
    ink = cv2.erode(tiny, window).astype(np.int16)
    middle = (paper + ink) >> 1
    middle[paper - ink < np.maximum(MIN_CONTRAST, paper >> 2)] = 0
    return cv2.resize(middle.astype(np.uint8), (w, h), interpolation=cv2.INTER_LINEAR)


def _candidates(gray: np.ndarray, px_mm: float) -> tuple[list[tuple[slice, slice]], np.ndarray]:
    """Where bars may be, found on a half-size copy, and that copy's ink limit.

    A text page is mostly small components; at ~50 dpi there are far fewer of
    them, and a pattern whose spaces closed up is still one long component, so
    this pass misses no sheet and leaves most pages with nothing to measure.
    """
    half = cv2.resize(gray, (gray.shape[1] // 2, gray.shape[0] // 2), interpolation=cv2.INTER_AREA)
    limit = _ink_limit(half, px_mm / 2)
    coarse = cv2.compare(half, limit, cv2.CMP_LT)
    _, _, stats, _ = cv2.connectedComponentsWithStats(coarse, connectivity=8)
    x0, y0, bw, bh, area = (stats[1:, i] for i in range(5))
    long, short = np.maximum(bw, bh), np.minimum(bw, bh)
    scale = px_mm / 2
    keep = (
        (long >= 0.9 * MIN_BAR_MM * scale)
        & (short <= 1.3 * PATTERN_MM * scale + long * math.sin(math.radians(_MAX_TILT_DEG)) + 2)
        & (area >= 0.5 * long * NARROW_MM * scale)
    )
    pad = round(2 * SPACE_MM * px_mm)
    boxes = [
        (
            slice(max(0, 2 * y0[i] - pad), 2 * (y0[i] + bh[i]) + pad),
            slice(max(0, 2 * x0[i] - pad), 2 * (x0[i] + bw[i]) + pad),
        )
        for i in np.flatnonzero(keep)
    ]
    return boxes, limit


def _bars(mask: np.ndarray, px_mm: float) -> list[_Bar]:
    """Long, straight, evenly wide components whose width is a published bar width.

    The cheap filter (bounding boxes and areas, vectorised) leaves a handful
    of components on a text page; only those are measured pixel by pixel.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count < 5:
        return []
    x0, y0, bw, bh, area = (stats[1:, i].astype(np.float64) for i in range(5))
    long, short = np.maximum(bw, bh), np.minimum(bw, bh)
    tilt = math.sin(math.radians(_MAX_TILT_DEG))
    keep = (
        (long >= MIN_BAR_MM * px_mm)
        & (area >= long * NARROW_MM * px_mm * (1 - WIDTH_TOL) * 0.9)
        & (area <= long * WIDE_MM * px_mm * (1 + WIDTH_TOL) * 1.1)
        & (short <= WIDE_MM * px_mm * (1 + WIDTH_TOL) + long * tilt + 2)
    )
    bars = []
    for i in np.flatnonzero(keep):
        x, y, w, h = int(x0[i]), int(y0[i]), int(bw[i]), int(bh[i])
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == i + 1)
        bar = _measure(xs.astype(np.float64) + x, ys.astype(np.float64) + y, px_mm)
        if bar is not None:
            bars.append(bar)
    return bars


def _measure(xs: np.ndarray, ys: np.ndarray, px_mm: float) -> _Bar | None:
    """The bar these pixels form, or None when they are not a straight, even rectangle."""
    mx, my = xs.mean(), ys.mean()
    dx, dy = xs - mx, ys - my
    angle = 0.5 * math.atan2(2 * (dx * dy).mean(), (dx * dx).mean() - (dy * dy).mean())
    off_axis = min(abs(angle), abs(abs(angle) - math.pi / 2))
    if off_axis > math.radians(_MAX_TILT_DEG):
        return None
    c, s = math.cos(angle), math.sin(angle)
    u = dx * c + dy * s
    v = dy * c - dx * s
    length = float(u.max() - u.min() + 1)
    width = xs.size / length
    # A rectangle's cross-section is flat: its spread gives the same width as its area.
    if not 0.8 <= v.std() * math.sqrt(12) / width <= 1.25:
        return None
    # Even along its length: no bulge (text touching), no taper (a wedge, a stroke).
    slices = np.bincount(np.minimum(((u - u.min()) / length * 10).astype(np.int64), 9), None, 10)
    inner = slices[1:-1] / (length / 10)
    if inner.min() < 0.8 * width or inner.max() > 1.2 * width:
        return None
    kinds = [
        k
        for k, mm in (("N", NARROW_MM), ("W", WIDE_MM))
        if abs(width / px_mm / mm - 1) <= WIDTH_TOL
    ]
    if not kinds or length < MIN_BAR_MM * px_mm:
        return None
    return _Bar(float(mx), float(my), angle, length, width, kinds[0])


def _normal(bar: _Bar) -> tuple[float, float]:
    """Unit vector across the bars, pointing in the reading direction (down, or right)."""
    nx, ny = -math.sin(bar.angle), math.cos(bar.angle)
    horizontal = abs(math.cos(bar.angle)) >= abs(math.sin(bar.angle))
    if (ny if horizontal else nx) < 0:
        nx, ny = -nx, -ny
    return nx, ny


def _neighbours(a: _Bar, b: _Bar, px_mm: float) -> bool:
    """Next to each other in one pattern: parallel, as long, side by side, one space apart."""
    turn = abs(a.angle - b.angle) % math.pi
    if min(turn, math.pi - turn) > math.radians(3):
        return False
    if min(a.length, b.length) < 0.85 * max(a.length, b.length):
        return False
    nx, ny = _normal(a)
    dx, dy = b.x - a.x, b.y - a.y
    along = abs(dx * ny - dy * nx)
    if along > 0.08 * max(a.length, b.length):
        return False
    space = abs(dx * nx + dy * ny) - (a.width + b.width) / 2
    return abs(space / px_mm - SPACE_MM) <= SPACE_TOL * SPACE_MM


def _white_along(mask: np.ndarray, bar: _Bar, offset: float, limit: float) -> bool:
    """Is the line parallel to ``bar``, ``offset`` px across it, nearly free of ink?"""
    nx, ny = _normal(bar)
    t = np.linspace(-0.45, 0.45, 64) * bar.length
    xs = np.rint(bar.x + offset * nx + t * math.cos(bar.angle)).astype(np.int64)
    ys = np.rint(bar.y + offset * ny + t * math.sin(bar.angle)).astype(np.int64)
    inside = (xs >= 0) & (ys >= 0) & (xs < mask.shape[1]) & (ys < mask.shape[0])
    if inside.mean() < 0.9:
        return False  # the pattern runs off the page: not one we can vouch for
    return float((mask[ys[inside], xs[inside]] > 0).mean()) <= limit


def _pattern(chain: list[_Bar], mask: np.ndarray, px_mm: float) -> str | None:
    """The code of four neighbouring bars in reading order, or None when they are not one."""
    kinds = "".join(b.kind for b in chain)
    code = _BY_PATTERN.get(kinds)
    if code is None:
        return None
    wide = [b.width for b in chain if b.kind == "W"]
    narrow = [b.width for b in chain if b.kind == "N"]
    if min(wide) < (1 - WIDTH_TOL) * max(wide) or min(narrow) < (1 - WIDTH_TOL) * max(narrow):
        return None
    if sum(wide) / sum(narrow) < 1.8:  # 2.5 printed
        return None
    # Clean spaces between the bars, and white paper just beyond the outer ones.
    nx, ny = _normal(chain[0])
    for a, b in itertools.pairwise(chain):
        across = (b.x - a.x) * nx + (b.y - a.y) * ny
        middle = (across + a.width / 2 - b.width / 2) / 2
        if not _white_along(mask, a, middle, 0.04):
            return None
    # A fifth element one space beyond (a thinner bar, a rule) makes it another pattern.
    first, last = chain[0], chain[-1]
    for quiet in (0.5 * SPACE_MM * px_mm, 1.25 * SPACE_MM * px_mm):
        if not _white_along(mask, first, -(first.width / 2 + quiet), 0.08):
            return None
        if not _white_along(mask, last, last.width / 2 + quiet, 0.08):
            return None
    return code


def _codes(bars: list[_Bar], mask: np.ndarray, px_mm: float) -> list[str]:
    """Codes of every run of exactly four neighbouring bars (a fifth bar spoils the run)."""
    links: dict[int, list[int]] = {i: [] for i in range(len(bars))}
    for i, a in enumerate(bars):
        for j in range(i + 1, len(bars)):
            if _neighbours(a, bars[j], px_mm):
                links[i].append(j)
                links[j].append(i)
    seen: set[int] = set()
    codes = []
    for start in links:
        if start in seen:
            continue
        group, todo = [], [start]
        while todo:
            i = todo.pop()
            if i not in seen:
                seen.add(i)
                group.append(i)
                todo.extend(links[i])
        if len(group) != 4 or any(len(links[i]) > 2 for i in group):
            continue
        nx, ny = _normal(bars[group[0]])
        chain = sorted((bars[i] for i in group), key=lambda b: b.x * nx + b.y * ny)
        if (code := _pattern(chain, mask, px_mm)) is not None:
            codes.append(code)
    return codes


def read_patch(gray: np.ndarray, *, dpi: float) -> str | None:
    """The patch code on this page ("1", "2", "3", "4", "6" or "T"), or None.

    ``gray`` is the page as uint8 (colour is converted), ``dpi`` its resolution:
    widths are checked in millimetres, so a wrong dpi makes sheets unreadable
    rather than letting other pages through. Two patterns that disagree give
    None: a page that looks like two different sheets is not trusted as either.
    """
    if gray.ndim == 3:
        gray = cv2.cvtColor(gray, cv2.COLOR_BGR2GRAY if gray.shape[2] == 3 else cv2.COLOR_BGRA2GRAY)
    if gray.dtype != np.uint8:
        raise ValueError(f"read_patch needs a uint8 image, not {gray.dtype}")
    if dpi <= 0:
        raise ValueError(f"read_patch needs the page's dpi, not {dpi}")
    height = gray.shape[0]
    if WORK_DPI / dpi < 0.9:
        factor = WORK_DPI / dpi
        gray = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    px_mm = dpi * gray.shape[0] / height / 25.4
    if min(gray.shape) < MIN_BAR_MM * px_mm:
        return None
    boxes, half_limit = _candidates(gray, px_mm)
    if not boxes:
        return None
    limit = cv2.resize(half_limit, gray.shape[::-1], interpolation=cv2.INTER_LINEAR)
    mask = cv2.compare(gray, limit, cv2.CMP_LT)
    focus = np.zeros_like(mask)
    for box in boxes:
        focus[box] = mask[box]
    bars = _bars(focus, px_mm)
    if len(bars) < 4:
        return None
    codes = set(_codes(bars, mask, px_mm))
    return codes.pop() if len(codes) == 1 else None


def patch_sheet(gray: np.ndarray, *, dpi: float) -> Sheet | None:
    """A separator Sheet for a page carrying Patch T, 2 or 3; None for any other page.

    Patch 1, 4 and 6 control image levels and outputs on the scanners that
    read them; what a site meant by them we cannot know, so such a page stays
    a page (an extra page is seen by a reviewer, a dropped one is lost).
    """
    return Sheet(SheetKind.SEPARATOR) if read_patch(gray, dpi=dpi) in SEPARATOR_CODES else None
