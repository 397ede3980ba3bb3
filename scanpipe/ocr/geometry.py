"""Find how a scanned page is turned: a quarter-turn orientation and a fine skew.

Why our own estimator: plain Tesseract loses pages skewed beyond ~5°, and
OCRmyPDF's deskew (Leptonica) does not correct those either. A projection-
profile search over the ink of text-sized components is robust to dark
scanner-bed borders (removed as oversized components), costs tens of
milliseconds on a downscaled image, and reaches a few hundredths of a degree
after a parabolic refinement around the best angle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

COARSE_WIDTH = 640  # pixels across the long-ish side for the coarse search
FINE_WIDTH = 1400  # pixels for the fine search
MAX_SKEW = 20.5  # degrees searched either side of level


@dataclass(frozen=True)
class SkewEstimate:
    skew_deg: float  # content turned CCW by this; correct with -skew_deg
    vertical: bool  # text lines run top-to-bottom (page turned 90 or 270)
    sharpness: float  # profile score ratio; near 1 means no text structure found


def _ink_mask(gray: np.ndarray) -> np.ndarray:
    """Binary mask (uint8 0/1) of text-like ink, with borders and rules removed."""
    # Flatten uneven lighting by dividing by a blurred background estimate.
    h, w = gray.shape
    k = max(15, (min(h, w) // 20) | 1)
    background = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    norm = cv2.divide(gray, background, scale=255)
    _, binary = cv2.threshold(norm, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    cw, ch, area = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_AREA]
    limit = max(h, w) / 12
    keep = (area >= 3) & (cw < limit) & (ch < limit)
    keep[0] = False
    return keep[labels].astype(np.uint8)


def _profile_scores(ys: np.ndarray, xs: np.ndarray, angles_deg: np.ndarray, size: int) -> np.ndarray:
    """Sum of squared row counts after turning the ink by each angle.

    Text lines make sharp peaks only when the projection runs along them, so the
    score peaks at the angle that levels the lines.
    """
    scores = np.empty(len(angles_deg))
    ys = ys.astype(np.float32)
    xs = xs.astype(np.float32)
    for i, a in enumerate(np.radians(angles_deg)):
        # Row of each ink pixel after a rotation by -a (undoing a CCW skew of a).
        r = ys * math.cos(a) + xs * math.sin(a)
        counts = np.bincount((r + size).astype(np.int32), minlength=3 * size)
        scores[i] = float(np.dot(counts, counts))
    return scores


def _refine(scores: np.ndarray, angles: np.ndarray) -> float:
    i = int(np.argmax(scores))
    if 0 < i < len(scores) - 1:
        y0, y1, y2 = scores[i - 1], scores[i], scores[i + 1]
        denom = y0 - 2 * y1 + y2
        if denom < 0:
            step = angles[1] - angles[0]
            return float(angles[i] + 0.5 * step * (y0 - y2) / denom)
    return float(angles[i])


def _resize(gray: np.ndarray, width: int) -> tuple[np.ndarray, float]:
    scale = width / max(gray.shape)
    if scale >= 1:
        return gray, 1.0
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), scale


def estimate_skew(gray: np.ndarray) -> SkewEstimate:
    """Coarse search over ±20° for both line directions, then a fine parabolic refinement."""
    small, _ = _resize(gray, COARSE_WIDTH)
    ys, xs = np.nonzero(_ink_mask(small))
    if len(ys) < 50:
        return SkewEstimate(0.0, False, 1.0)
    size = max(small.shape)
    coarse = np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.5)
    horiz = _profile_scores(ys, xs, coarse, size)
    # Vertical lines: swap axes; a CCW skew s of the page makes columns tilt the same way.
    vert = _profile_scores(xs, ys, -coarse, size)
    base = float(np.dot(np.bincount(ys), np.bincount(ys))) or 1.0
    vertical = vert.max() > horiz.max()
    best = coarse[int(np.argmax(vert if vertical else horiz))]
    sharp = float(max(vert.max(), horiz.max()) / base)

    fine_img, _ = _resize(gray, FINE_WIDTH)
    ys, xs = np.nonzero(_ink_mask(fine_img))
    size = max(fine_img.shape)
    angles = np.arange(best - 0.6, best + 0.6 + 1e-9, 0.05)
    if vertical:
        scores = _profile_scores(xs, ys, -angles, size)
    else:
        scores = _profile_scores(ys, xs, angles, size)
    return SkewEstimate(round(_refine(scores, angles), 3), bool(vertical), sharp)


def rotate(gray: np.ndarray, angle_deg: float, fill: int = 255) -> np.ndarray:
    """Turn an image CCW by ``angle_deg`` about its centre, growing the canvas to fit."""
    if abs(angle_deg) < 1e-3:
        return gray
    h, w = gray.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle_deg, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * sin + w * cos + 0.5), int(h * cos + w * sin + 0.5)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    border = (fill,) * 3 if gray.ndim == 3 else fill
    return cv2.warpAffine(
        gray, m, (nw, nh), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT, borderValue=border
    )


def quarter_turn(img: np.ndarray, ccw_deg: int) -> np.ndarray:
    """Turn by a multiple of 90° counter-clockwise, losslessly."""
    turns = (ccw_deg // 90) % 4
    codes = {1: cv2.ROTATE_90_COUNTERCLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_CLOCKWISE}
    return cv2.rotate(img, codes[turns]) if turns else img
