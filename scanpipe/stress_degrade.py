"""The damage of ``scanpipe.stress_samples``: light, folds, stains, bleed, ink, stamps.

Each degradation has a ``draw_*`` function that picks its parameters from a
``random.Random`` (plain JSON values, exactly what the manifest records) and
a function that turns those parameters into pixels. Both are pure: the
pixels depend only on the parameters and an explicit seed.

Images are float32 arrays; ink is handled as *coverage* (0 = bare paper,
1 = full stroke) and everything that darkens the sheet as a *transmittance*
factor (1 = no change) that multiplies paper and ink alike, so a shadow or a
stain darkens the text under it the way it darkens the paper.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np

Spec = dict[str, Any]
BROWN = (0.45, 0.72, 1.0)  # coffee absorbs blue most: a brown tint on white paper


def rnd(x: float, nd: int = 3) -> float:
    """Rounded for the manifest; the pixels are made from the rounded value, so it is exact."""
    return round(float(x), nd)


def smooth_noise(shape: tuple[int, int], cell_px: float, seed: int) -> np.ndarray:
    """Values in [0, 1] that change over about ``cell_px`` pixels (uniform grid, cubic upscale)."""
    h, w = shape
    cell = max(1.0, float(cell_px))
    gh, gw = int(h / cell) + 3, int(w / cell) + 3
    grid = np.random.default_rng(seed).random((gh, gw), dtype=np.float32)
    big = cv2.resize(grid, (round(gw * cell), round(gh * cell)), interpolation=cv2.INTER_CUBIC)
    return np.clip(big[:h, :w], 0.0, 1.0)


def _quantile(values: np.ndarray, q: float) -> float:
    """Quantile of a large array from a strided sample: fast, and exact enough for a threshold."""
    sample = values[::5, ::5].ravel()
    return float(np.quantile(sample, q))


# --- light ---------------------------------------------------------------------------------


def draw_light(rng: random.Random, lo: float, hi: float) -> Spec:
    """A lamp: a linear ramp at any angle (2 in 3) or a radial falloff, darkest at lo..hi."""
    light: Spec = {"kind": rng.choice(["linear", "linear", "radial"])}
    light["min_factor"] = rnd(rng.uniform(lo, hi))
    if light["kind"] == "linear":
        return light | {
            "angle_deg": rnd(rng.uniform(0, 360), 1),
            "gamma": rnd(rng.uniform(0.7, 1.4)),
        }
    centre = [rnd(rng.uniform(0.2, 0.8)), rnd(rng.uniform(0.2, 0.8))]
    return light | {"center_frac": centre, "power": rnd(rng.uniform(1.2, 2.5))}


def illumination_field(shape: tuple[int, int], spec: Spec) -> np.ndarray:
    """Smooth light factor in [min_factor, 1] over the image: 1 is the brightest spot.

    ``linear``: darkens toward the direction ``angle_deg`` (counter-clockwise from
    the image's +x axis, as seen on screen), from 1 at the farthest point behind
    to ``min_factor`` at the farthest corner ahead; ``gamma`` bends the ramp.
    ``radial``: 1 at ``center_frac`` (x, y as fractions of width and height),
    falling as (distance / farthest-corner distance) ** ``power`` to
    ``min_factor`` at the farthest corner: a vignette, or a lamp off to one side.
    """
    h, w = shape
    lo = float(spec["min_factor"])
    xs = np.arange(w, dtype=np.float32)
    ys = np.arange(h, dtype=np.float32)
    if spec["kind"] == "linear":
        a = np.radians(spec["angle_deg"])
        px, py = np.float32(np.cos(a)), np.float32(-np.sin(a))  # screen y grows downwards
        corners = [x * px + y * py for x in (0, w - 1) for y in (0, h - 1)]
        t0, t1 = min(corners), max(corners)
        u = ((ys[:, None] * py - t0) + xs[None, :] * px) / np.float32(t1 - t0)
        u = np.clip(u, 0, 1) ** np.float32(spec.get("gamma", 1.0))
    elif spec["kind"] == "radial":
        cx, cy = spec["center_frac"][0] * (w - 1), spec["center_frac"][1] * (h - 1)
        far = max(np.hypot(x - cx, y - cy) for x in (0, w - 1) for y in (0, h - 1))
        dx2 = ((xs - np.float32(cx)) / np.float32(far)) ** 2
        dy2 = ((ys - np.float32(cy)) / np.float32(far)) ** 2
        u = (dy2[:, None] + dx2[None, :]) ** np.float32(spec["power"] / 2)
    else:
        raise ValueError(f"unknown illumination kind {spec['kind']!r}")
    return np.float32(1.0) - np.float32(1.0 - lo) * u


# --- folds and stains: on the sheet, before it is turned --------------------------------


def draw_folds(rng: random.Random, width: int, height: int, scale: float) -> list[Spec]:
    """One or two folds at a third or a half of the sheet, as letters are folded for envelopes."""
    axes = rng.choice([["horizontal"], ["horizontal"], ["vertical"], ["horizontal"] * 2])
    if rng.random() < 0.2:
        axes = ["horizontal", "vertical"]
    folds = []
    for axis, spot in zip(axes, rng.sample([1 / 3, 1 / 2, 2 / 3], len(axes)), strict=True):
        across = height if axis == "horizontal" else width
        fw = rng.uniform(0.006, 0.025) * across
        folds.append(
            {
                "axis": axis,
                "position_px": round((spot + rng.uniform(-0.03, 0.03)) * across),
                "width_px": rnd(fw, 1),
                "depth": rnd(rng.uniform(0.12, 0.35)),
                "asymmetry": rnd(rng.uniform(0.5, 2.0)),
                "ramp": rnd(rng.uniform(0, 0.6)),
                "crease": rnd(rng.uniform(0.05, 0.14)) if rng.random() < 0.5 else 0.0,
                "crease_offset_px": rnd(rng.uniform(-0.3, 0.3) * fw, 1),
                "crease_width_px": rnd(max(1.0, 1.2 * scale), 2),
            }
        )
    return folds


def fold_factor(shape: tuple[int, int], fold: Spec) -> np.ndarray:
    """Transmittance of one fold: a soft dark band across the sheet, maybe a bright crease.

    ``axis`` "horizontal" is a fold line running left to right at row
    ``position_px``. The shadow is a Gaussian of ``width_px`` (longer on one
    side by ``asymmetry``), ``depth`` deep in the middle of its length and
    fading by ``ramp`` toward one end, as a sheet lifts more on one side.
    ``crease`` brightens a line ``crease_width_px`` wide just beside the fold.
    """
    h, w = shape
    across, along = (h, w) if fold["axis"] == "horizontal" else (w, h)
    u = np.arange(across, dtype=np.float32) - np.float32(fold["position_px"])
    width = np.where(u < 0, fold["width_px"], fold["width_px"] * fold["asymmetry"])
    shadow = fold["depth"] * np.exp(-0.5 * (u / width) ** 2)
    light = np.zeros_like(u)
    if fold["crease"]:
        off = u - np.float32(fold["crease_offset_px"])
        light = fold["crease"] * np.exp(-0.5 * (off / np.float32(fold["crease_width_px"])) ** 2)
    t = np.linspace(0.0, 1.0, along, dtype=np.float32)
    fade = 1.0 - np.float32(fold["ramp"]) * t  # along the fold line
    out = (1.0 - shadow[:, None] * fade[None, :] + light[:, None]).astype(np.float32)
    return out if fold["axis"] == "horizontal" else out.T


def draw_stain(rng: random.Random, width: int, height: int, rgb: bool) -> Spec:
    """A coffee ring anywhere on the sheet, 6-16% of its width in radius."""
    return {
        "center_px": [round(rng.uniform(0.1, 0.9) * width), round(rng.uniform(0.1, 0.9) * height)],
        "radius_px": round(rng.uniform(0.06, 0.16) * width),
        "harmonics": [
            [k, rnd(rng.uniform(0, 0.1 / k)), rnd(rng.uniform(0, 6.283))] for k in (2, 3, 5)
        ],
        "fill": rnd(rng.uniform(0.02, 0.09)),
        "rim": rnd(rng.uniform(0.12, 0.35)),
        "rim_width_px": rnd(rng.uniform(0.006, 0.018) * width, 1),
        "rim_gap": rnd(rng.uniform(0, 0.8)),
        "rim_gap_deg": rnd(rng.uniform(0, 360), 1),
        "color_weights": list(BROWN) if rgb else [0.8],
    }


def stain_darkness(stain: Spec, seed: int) -> tuple[int, int, np.ndarray]:
    """(top, left, darkness) of a coffee ring, darkness in [0, 1] over its bounding box.

    The edge wobbles by a few angular harmonics; inside is a faint wash
    (``fill``), the edge a darker rim (``rim``, ``rim_width_px`` wide) that is
    weaker on one side (``rim_gap`` at ``rim_gap_deg``), as a cup set down
    askew leaves it; a coarse mottle makes the tint uneven.
    """
    cx, cy, r = stain["center_px"][0], stain["center_px"][1], float(stain["radius_px"])
    wobble = sum(abs(amp) for _, amp, _ in stain["harmonics"])
    half = int(r * (1 + wobble) + 3 * stain["rim_width_px"]) + 4  # the rim fades out inside
    ys = np.arange(cy - half, cy + half, dtype=np.float32) - np.float32(cy)
    xs = np.arange(cx - half, cx + half, dtype=np.float32) - np.float32(cx)
    rho = np.hypot(ys[:, None], xs[None, :])
    theta = np.arctan2(ys[:, None], xs[None, :])
    edge = np.ones_like(rho)
    for k, amp, phase in stain["harmonics"]:
        edge += np.float32(amp) * np.sin(np.float32(k) * theta + np.float32(phase))
    d = rho - np.float32(r) * edge  # negative inside
    rim_w = np.float32(stain["rim_width_px"])
    inside = 1.0 / (1.0 + np.exp(np.clip(d / (0.5 * rim_w), -30, 30)))
    side = 1.0 - stain["rim_gap"] * (0.5 + 0.5 * np.cos(theta - np.radians(stain["rim_gap_deg"])))
    rim = np.exp(-0.5 * (d / rim_w) ** 2) * side
    mottle = 0.6 + 0.4 * smooth_noise(rho.shape, max(4.0, r / 6), seed)
    dark = (stain["fill"] * inside + stain["rim"] * rim) * mottle
    return cy - half, cx - half, np.clip(dark, 0, 1).astype(np.float32)


def paste_factor(target: np.ndarray, top: int, left: int, factor: np.ndarray) -> None:
    """target[top:, left:] *= factor, clipped at the borders; target is (h, w) or (h, w, c)."""
    h, w = target.shape[:2]
    y0, x0 = max(0, top), max(0, left)
    y1, x1 = min(h, top + factor.shape[0]), min(w, left + factor.shape[1])
    if y0 >= y1 or x0 >= x1:
        return
    part = factor[y0 - top : y1 - top, x0 - left : x1 - left]
    view = target[y0:y1, x0:x1]
    view *= part if part.ndim == view.ndim else part[..., None]


def tint(darkness: np.ndarray, weights: Sequence[float]) -> np.ndarray:
    """Transmittance, (h, w, c) or (h, w): 1 - darkness * weight, per channel."""
    if len(weights) == 1:
        return 1.0 - darkness * np.float32(weights[0])
    return 1.0 - darkness[..., None] * np.asarray(weights, np.float32)


# --- ink -----------------------------------------------------------------------------------


def draw_typewriter(rng: random.Random, paper: float, scale: float, size_px: int) -> Spec:
    """A worn ribbon: ink at 35-55% of the paper level, thinned, gapped, unevenly struck."""
    return {
        "ink_level": rnd(paper * rng.uniform(0.35, 0.55), 1),
        "erosion": rnd(rng.uniform(0.15, 0.6) * min(1.0, scale)),
        "gap_share": rnd(rng.uniform(0.06, 0.2)),
        "gap_px": rnd(rng.uniform(3, 6) * scale, 2),
        "strike": rnd(rng.uniform(0.1, 0.35)),
        "strike_px": rnd(size_px * rng.uniform(0.5, 1.0), 1),
    }


def draw_carbon(rng: random.Random) -> Spec:
    """A carbon copy: blur 1.2-2.5 px, greyer ink, a ghost impression 2-5 px away."""
    sx, sy = rng.choice([-1, 1]), rng.choice([-1, 1])
    return {
        "blur_px": rnd(rng.uniform(1.2, 2.5), 2),
        "contrast": rnd(rng.uniform(0.55, 0.8)),
        "spread": rnd(rng.uniform(1.3, 1.7)),
        "double_offset_px": [sx * rng.randint(2, 5), sy * rng.randint(1, 3)],
        "double_strength": rnd(rng.uniform(0.25, 0.5)),
    }


def typewriter_strokes(cov: np.ndarray, spec: Spec, seed: int) -> np.ndarray:
    """Worn typewriter ribbon: thinner strokes, gaps, and keys striking unevenly.

    ``erosion`` blends the coverage toward a 3x3 minimum (thinner strokes; at low
    dpi the blend is scaled down so strokes survive); ``gap_share`` of the
    stroke area, in specks ``gap_px`` across, loses its ink; ``strike`` makes
    the ink vary by up to that share over about a letter (``strike_px``).
    """
    out = cov.copy()
    if spec["erosion"]:
        thin = cv2.erode(cov, np.ones((3, 3), np.uint8))
        e = np.float32(spec["erosion"])
        out = out * (1 - e) + thin * e
    specks = smooth_noise(cov.shape, spec["gap_px"], seed)
    thr = _quantile(specks, spec["gap_share"])
    out *= np.clip((specks - thr) / 0.04 + 0.5, 0, 1)
    strike = smooth_noise(cov.shape, spec["strike_px"], seed + 1)
    out *= 1.0 - np.float32(spec["strike"]) * strike
    return out


def carbon_copy(cov: np.ndarray, spec: Spec) -> np.ndarray:
    """Carbon copy: a faint second impression ``double_offset_px`` away, spread and blurred.

    The blur lowers the peak of thin strokes, so the ink is first spread
    (``spread`` gain, clipped), then scaled by ``contrast`` (< 1 is greyer ink).
    """
    dx, dy = spec["double_offset_px"]
    ghost = np.roll(cov, (dy, dx), axis=(0, 1))  # the margins are blank, so wrapping is harmless
    out = np.maximum(cov, np.float32(spec["double_strength"]) * ghost)
    out = cv2.GaussianBlur(out, (0, 0), spec["blur_px"])
    return np.clip(out * np.float32(spec["spread"]), 0, 1) * np.float32(spec["contrast"])


# --- bleed-through -------------------------------------------------------------------------


def draw_bleed(rng: random.Random, letter_seed: int, scale: float) -> Spec:
    """Another letter on the back, 5-20% dark through the paper, a little off register."""
    return {
        "letter_seed": (letter_seed + 1_000_033) % 2**31,
        "font_pt": rng.choice([11, 12]),
        "darkness": rnd(rng.uniform(0.05, 0.20)),
        "blur_px": rnd(rng.uniform(1.5, 3.5) * scale, 2),
        "offset_px": [round(rng.uniform(-15, 15) * scale), round(rng.uniform(-20, 20) * scale)],
    }


def bleed_factor(back_cov: np.ndarray, spec: Spec) -> np.ndarray:
    """Transmittance of the other side's text seen through the paper: mirrored, blurred, faint."""
    mirrored = np.ascontiguousarray(back_cov[:, ::-1])
    dx, dy = spec["offset_px"]
    mirrored = np.roll(mirrored, (dy, dx), axis=(0, 1))
    soft = cv2.GaussianBlur(mirrored, (0, 0), spec["blur_px"])
    return 1.0 - np.float32(spec["darkness"]) * soft
