"""Rubber stamps for ``scanpipe.stress_samples``: drawn over the text, never in the ground truth.

Like the other degradations (``stress_degrade``), ``draw_stamp`` picks plain JSON
parameters and ``stamp_coverage`` turns them into ink coverage, purely.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from scanpipe.samples import find_font, load_font, script_runs
from scanpipe.stress_degrade import Spec, rnd, smooth_noise

STAMP_COLORS = {"violet": (105, 55, 150), "blue": (35, 70, 165), "gray": (75, 75, 75)}
_STAMP_TEXTS = (
    ("प्राप्त / RECEIVED", "{date}", "कार्यालय कलेक्टर मुंगेली"),
    ("कार्यालय कलेक्टर मुंगेली", "आवक क्र. {no}", "{date}"),
    ("RECEIVED", "{date}", "Collectorate, Mungeli"),
    ("प्रतिलिपि / COPY",),
    ("जावक क्र. {no}", "दिनांक {date}"),
)
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

# --- stamps --------------------------------------------------------------------------------


def draw_stamp(rng: random.Random, dpi: int, width: int, rows: tuple[int, int]) -> Spec:
    """A received/copy/dispatch stamp, centred on a text row (``rows``) so it covers letters.

    ``color_weights`` (what each channel loses under full ink) is filled in by
    the caller once the page's colour mode is known.
    """
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2012, 2023)
    date = rng.choice(
        [
            f"{day:02d} {_MONTHS[month - 1]} {year}",
            f"{day:02d}/{month:02d}/{year}",
            f"{day}.{month}.{year}",
        ]
    )
    template = rng.choice(_STAMP_TEXTS)
    lines = [line.format(date=date, no=rng.randint(10, 4999)) for line in template]
    shape = rng.choice(["ellipse", "ellipse", "rectangle"])
    color = rng.choices(list(STAMP_COLORS), [0.4, 0.3, 0.3])[0]
    font_px = round(rng.uniform(10, 13) * dpi / 72)
    return {
        "shape": shape,
        "color": color,
        "color_rgb": list(STAMP_COLORS[color]),
        "lines": lines,
        "font_px": font_px,
        "size_px": list(stamp_size(lines, font_px, shape)),
        "angle_deg": rnd(rng.uniform(-35, 35), 2),
        "center_px": [round(rng.uniform(0.3, 0.78) * width), rng.randint(*rows)],
        "strength": rnd(rng.uniform(0.55, 0.9)),
        "patchiness": rnd(rng.uniform(0.2, 0.6)),
    }


def _stamp_fonts(font_px: int) -> tuple[Any, Any]:
    bold = (load_font(find_font(deva, bold=True), font_px) for deva in (True, False))
    return next(bold), next(bold)


def _line_length(text: str, deva: Any, latin: Any) -> float:
    total = 0.0
    for is_deva, run in script_runs(text):
        font, lang = (deva, "hi") if is_deva else (latin, "en")
        total += font.getlength(run, language=lang)
    return total


def stamp_size(lines: Sequence[str], font_px: int, shape: str) -> tuple[int, int]:
    """Outer width and height of a stamp whose text lines fit inside its outline."""
    deva, latin = _stamp_fonts(font_px)
    text_w = max(_line_length(line, deva, latin) for line in lines)
    text_h = len(lines) * font_px * 1.45
    grow = 1.5 if shape == "ellipse" else 1.12  # an ellipse's inner rectangle is ~0.7 of it
    return round(text_w * grow + font_px), round(text_h * grow + font_px)


def stamp_coverage(stamp: Spec, seed: int) -> np.ndarray:
    """Ink coverage of a rubber stamp, rotated by ``angle_deg`` (CCW), centred in its array.

    Outline (an ellipse with an inner ring, or a rectangle with a rule under
    the first line) and text, then patchy inking: ``strength`` at best,
    fading to ``strength * (1 - patchiness)`` where the stamp pressed lightly.
    """
    w, h = stamp["size_px"]
    fp = stamp["font_px"]
    lw = max(2, round(fp / 9))
    pad = lw * 2
    layer = Image.new("L", (w + 2 * pad, h + 2 * pad), 0)
    draw = ImageDraw.Draw(layer)
    box = (pad, pad, pad + w - 1, pad + h - 1)
    if stamp["shape"] == "ellipse":
        draw.ellipse(box, outline=255, width=lw)
        inset = lw * 3
        inner = (box[0] + inset, box[1] + inset, box[2] - inset, box[3] - inset)
        draw.ellipse(inner, outline=255, width=max(1, lw // 2))
    else:
        draw.rectangle(box, outline=255, width=lw)
    deva, latin = _stamp_fonts(fp)
    lines = stamp["lines"]
    pitch = fp * 1.45
    base = pad + h / 2 - pitch * len(lines) / 2 + fp * 1.05
    for i, line in enumerate(lines):
        x = pad + (w - _line_length(line, deva, latin)) / 2
        y = base + i * pitch
        for is_deva, run in script_runs(line):
            font, lang = (deva, "hi") if is_deva else (latin, "en")
            draw.text((x, y), run, font=font, fill=255, anchor="ls", language=lang)
            x += font.getlength(run, language=lang)
        if i == 0 and stamp["shape"] == "rectangle" and len(lines) > 1:
            rule = round(y + fp * 0.35)
            draw.line((box[0], rule, box[2], rule), fill=255, width=max(1, lw // 2))
    turned = layer.rotate(stamp["angle_deg"], resample=Image.Resampling.BILINEAR, expand=True)
    cov = np.asarray(turned, np.float32) / 255.0
    patch = smooth_noise(cov.shape, fp * 0.8, seed)
    lo = 1.0 - stamp["patchiness"]
    return cov * np.float32(stamp["strength"]) * (lo + (1 - lo) * patch)
