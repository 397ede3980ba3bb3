"""The page Tesseract reads: paper white everywhere, ink as it was, whatever the light.

Why we threshold ourselves: Tesseract thresholds a grey page with one global
Otsu threshold. Under strong uneven light (one side of the sheet at 0.4-0.6 of
the other) the paper of the dark side is darker than the ink of the bright
side, so no single threshold exists: measured on such pages, Tesseract read
0-70% of the text, and its own adaptive methods (``thresholding_method`` 1
and 2) left 22-41% CER. A local threshold (Sauvola) compares each pixel with
its own neighbourhood, so light that changes slowly across the sheet cancels
out. We keep the grey of the ink Sauvola finds (on the page divided by its
paper estimate) and whiten the rest: the recogniser still sees the grey edges
of strokes, and its layout analysis sees clean paper (docs/decisions.md has
the measurements).

Sauvola's threshold is ``m * (1 + k * (s / R - 1))`` over a window of about
twice the text height. It is three box filters with OpenCV, 0.13 s for an
A4 page at 300 dpi; scikit-image's ``threshold_sauvola`` gives the same
threshold in 1.5 s.

Border cleaning happens *after* thresholding, on the result, so it can never
move a threshold: dark scanner bed, the corners that straightening uncovers
and bars of ink along the sheet's edge are painted white in the result, not
in the grey page.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# Sauvola's k: how far below the local mean ink must be, scaled by local contrast.
# 0.2 is the textbook value; higher k keeps JPEG noise and blur halos out of the
# strokes, lower k keeps faded ribbon. Chosen on tuning seeds (docs/benchmarks.md).
DEFAULT_K = 0.3
DYNAMIC_RANGE = 128.0  # R: the standard deviation of a full-contrast 8-bit window
METHODS = ("sauvola", "flattened", "grey")


@dataclass(frozen=True)
class Binarised:
    """The OCR input and the ink mask the completeness check counts."""

    image: np.ndarray  # uint8, paper 255, the size of the upright page
    ink: np.ndarray  # bool, True where ``image`` is ink


def window_px(dpi: int) -> int:
    """About 4 mm: twice the height of 12 pt type, odd, as Sauvola's window should be."""
    return max(15, round(dpi / 6) | 1)


def sauvola_ink(gray: np.ndarray, dpi: int, k: float = DEFAULT_K) -> np.ndarray:
    """True where a pixel is darker than its neighbourhood's Sauvola threshold."""
    win = (window_px(dpi),) * 2
    f = gray.astype(np.float32)
    mean = cv2.boxFilter(f, -1, win, borderType=cv2.BORDER_REFLECT)
    sq = cv2.boxFilter(f * f, -1, win, borderType=cv2.BORDER_REFLECT)
    std = cv2.sqrt(cv2.max(sq - mean * mean, 0))
    threshold = mean * (1.0 + k * (std / DYNAMIC_RANGE - 1.0))
    return f <= threshold


def flatten(gray: np.ndarray) -> np.ndarray:
    """Divide the page by an estimate of its paper, so paper is ~255 under any light."""
    h, w = gray.shape
    scale = min(1.0, 600 / max(h, w))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    paper = cv2.medianBlur(cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8)), 5)
    paper = cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(gray, paper, scale=255)


def outside_mask(gray: np.ndarray) -> np.ndarray:
    """Where the page is not paper: dark scanner bed, found on a closed small copy.

    The closing removes text, so what stays far darker than the paper around
    it is bed or a filled corner. Compared with a *local* paper level, so the
    dark side of an unevenly lit sheet is not taken for bed.
    """
    h, w = gray.shape
    scale = 400 / max(h, w)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    paper = cv2.dilate(background, np.ones((61, 61), np.uint8))  # brightest paper nearby
    dark = (background < 0.7 * paper).astype(np.uint8)
    if not dark.any():
        return np.zeros((h, w), bool)
    # Bed touches the edge of the scan; a dark photo or a stain inside the sheet does not.
    _, labels = cv2.connectedComponents(dark)
    edge = set(np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])))
    edge.discard(0)
    if not edge:
        return np.zeros((h, w), bool)
    bed = np.isin(labels, list(edge)).astype(np.uint8)
    bed = cv2.dilate(bed, np.ones((5, 5), np.uint8))
    return cv2.resize(bed, (w, h), interpolation=cv2.INTER_NEAREST).astype(bool)


def binarise(
    gray: np.ndarray,
    dpi: int,
    method: str = "sauvola",
    outside: np.ndarray | None = None,
    k: float = DEFAULT_K,
) -> Binarised:
    """The image handed to the engine; ``outside`` (True = not part of the sheet) turns white.

    ``sauvola`` keeps the flattened grey of the ink and a pixel around it, and
    makes everything else white. Tesseract's recogniser reads the grey edges of
    strokes (binary input cost 2.5 points of CER on small type), while its
    layout analysis and global threshold then see clean paper everywhere.
    ``flattened`` is the whole flattened page, for Tesseract's own threshold:
    the fallback, because it keeps faint strokes that Sauvola's mask drops
    (worn ribbon at low dpi). ``grey`` is for engines that threshold for
    themselves (``OcrEngine.wants``): the page as scanned, with only what
    lies outside the sheet painted the paper's level. ``ink`` is always
    Sauvola's, for the completeness check.
    """
    if method not in METHODS:
        raise ValueError(f"unknown binarisation {method!r}; use one of {', '.join(METHODS)}")
    ink = sauvola_ink(gray, dpi, k)
    if outside is not None:
        ink &= ~outside
    ink = _drop_edge_bars(ink, dpi, outside)
    if method == "grey":
        image = gray.copy()
        if outside is not None and outside.any():
            image[outside] = int(np.percentile(gray[::8, ::8], 75))
        return Binarised(image, ink)
    flat = flatten(gray)
    if method == "flattened":
        image = flat
        if outside is not None:
            image[outside] = 255
    else:
        near_ink = cv2.dilate(ink.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        image = np.where(near_ink, flat, 255).astype(np.uint8)
    return Binarised(image, ink)


def _drop_edge_bars(ink: np.ndarray, dpi: int, outside: np.ndarray | None) -> np.ndarray:
    """Remove bars of ink that touch the sheet's edge: the rim of the bed, a shadowed edge.

    Tesseract reads them as ``|`` and ``l``, and a bed mask made on a small
    copy always leaves a sliver. Only bar shapes go (taller than 10 mm, or
    ten times longer than high); a letter cut by the edge stays.
    """
    touching = np.zeros_like(ink)
    touching[[0, -1], :] = True
    touching[:, [0, -1]] = True
    if outside is not None and outside.any():
        touching |= cv2.dilate(outside.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    if n <= 1:
        return ink
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    bar = (h > 10 * dpi / 25.4) | (w > 10 * h)
    edge = np.zeros(n, bool)
    edge[np.unique(labels[touching & ink])] = True
    drop = bar & edge
    drop[0] = False
    if not drop.any():
        return ink
    return ink & ~drop[labels]
