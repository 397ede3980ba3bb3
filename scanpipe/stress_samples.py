"""Hard scanned pages with exact ground truth: the stress set of issue 15.

    python -m scanpipe.stress_samples OUT --seed N [--count K] [--jobs J] [--dpi D]

Each page is a Mungeli letter (``scanpipe.samples.letter_lines``), rendered by
``scanpipe.samples.render_page`` at its own dpi (150-200 for about a third of
the pages, else 300) and then damaged well past the dev set: uneven light down
to 0.4, fold shadows, coffee rings, bleed-through of another letter, worn
typewriter or carbon-copy strokes, rubber stamps over the text, skew up to
±15° and quarter turns, yellowed paper, noise and JPEG. Every page combines at
least three of the big ones, and one page of every pair (so half the set)
combines light of 0.6 or darker with a skew of 10° or more.

A page is a pure function of (seed, index): ``plan_page`` draws every
parameter, ``render_plan`` turns the plan into pixels, and the plan is what
``manifest.json`` records, so a page can be regenerated, or regenerated without
one of its degradations, from its manifest entry alone. The folder has the
layout of ``../shared/corpus/synthetic-dev``: ``NAME.png|jpg``, ``NAME.gt.txt``
and ``manifest.json`` (``skew_deg``, ``orientation_deg``, ``degradations``).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

from scanpipe import stress_degrade as sd
from scanpipe import stress_stamps as ss
from scanpipe.sample_text import letter_lines
from scanpipe.samples import (
    _QUARTER_TURNS,
    LINE_PITCH,
    MARGIN_MM,
    _add_noise,
    _page_size,
    render_page,
)
from scanpipe.stress_degrade import rnd

GENERATOR = "scanpipe.stress_samples/1"  # bump when the same plan would give other pixels
KINDS = ("uneven_light", "fold", "stain", "bleed_through", "typewriter", "carbon", "stamp")
LOW_DPI = (150, 200)
CONFIG: dict[str, Any] = {
    "low_dpi_share": 0.3,
    "low_dpi": list(LOW_DPI),
    "skew_deg": [-15, 15],
    "hard_pair": "one page of each pair (2k, 2k+1): light <= 0.6 and |skew| >= 10",
    "hard_light": [0.4, 0.6],
    "hard_skew_abs": [10, 15],
    "light": [0.62, 0.92],
    "orientation_share": 0.25,
    "paper_level": [200, 240],
    "noise_sigma": [2, 7],
    "jpeg_share": 0.4,
    "jpeg_quality": [45, 85],
    "min_kinds": 3,
    "kinds": list(KINDS),
}
CONVENTIONS = (
    "orientation_deg: CCW rot90 applied first; skew_deg: CCW rotation applied second (cv2 "
    "convention). Correct by rotating -skew_deg then -orientation_deg. Pixel positions of "
    "folds, stains, stamps and bleed-through are on the sheet before the turn and the skew; "
    "uneven_light is over the saved image (the scanner's lamp)."
)


def is_hard(seed: int, index: int) -> bool:
    """One page of each pair (2k, 2k+1), chosen by the seed, gets strong light plus large skew."""
    coin = random.Random(f"stress-pair/{seed}/{index // 2}").random() < 0.5
    return index % 2 == int(coin)


def plan_page(seed: int, index: int, *, dpi: int | None = None) -> dict[str, Any]:
    """Every random choice of page ``index`` of set ``seed``, as the manifest records it.

    ``dpi`` forces the resolution (tests use 150); the other draws stay the same.
    """
    rng = random.Random(f"stress/{seed}/{index}")
    hard = is_hard(seed, index)
    on = {
        "uneven_light": hard or rng.random() < 0.7,
        "fold": rng.random() < 0.4,
        "stain": rng.random() < 0.35,
        "bleed_through": rng.random() < 0.4,
        "stamp": rng.random() < 0.5,
    }
    ink_kind = rng.choices(["typewriter", "carbon", None], [0.35, 0.25, 0.4])[0]
    while sum(on.values()) + (ink_kind is not None) < CONFIG["min_kinds"]:
        missing = [k for k in (*on, "ink") if not on.get(k)]
        pick = rng.choice(missing)
        if pick == "ink":
            ink_kind = rng.choice(["typewriter", "carbon"])
        else:
            on[pick] = True
    low = rng.random() < CONFIG["low_dpi_share"]
    low_dpi = rng.randint(*LOW_DPI)
    dpi = dpi or (low_dpi if low else 300)
    scale = dpi / 300
    width, height = _page_size(dpi)
    letter_seed = (seed * 1_000_003 + index * 7919) % 2**31
    lines = letter_lines(letter_seed)
    font_pt = rng.choice([11, 12])
    size_px = round(font_pt * dpi / 72)
    margin = round(MARGIN_MM / 25.4 * dpi)
    text_rows = (margin, margin + round(size_px * LINE_PITCH) * len(lines))
    if hard:
        skew = rng.uniform(*CONFIG["hard_skew_abs"]) * rng.choice([-1, 1])
    else:
        skew = rng.uniform(*CONFIG["skew_deg"])
    orientation = rng.choice([90, 180, 270]) if rng.random() < CONFIG["orientation_share"] else 0

    paper = rnd(rng.uniform(*CONFIG["paper_level"]), 1)
    stamps = []
    if on["stamp"]:
        stamps = [
            ss.draw_stamp(rng, dpi, width, text_rows) for _ in range(rng.choice([1, 1, 1, 2]))
        ]
    mode = "RGB" if any(st["color"] != "gray" for st in stamps) else "L"
    for st in stamps:
        weights = [rnd(1 - c / 255) for c in st["color_rgb"]]
        st["color_weights"] = weights if mode == "RGB" else [weights[0]]
    d: dict[str, Any] = {
        "paper_level": paper,
        "ink_level": rnd(rng.uniform(20, 45), 1),
        "lid_level": rnd(min(250.0, paper + rng.uniform(2, 10)), 1),
        "paper_mottle": rnd(rng.uniform(0.005, 0.02)),
        "paper_mottle_px": round(8 / 25.4 * dpi),
    }
    if mode == "RGB":  # yellowed: the blue channel loses most
        d["paper_rgb"] = [rnd(min(255.0, paper + 6), 1), paper, rnd(paper - rng.uniform(10, 30), 1)]
    d["illum_min_factor"] = 1.0  # the dev set's name for the darkest light factor
    if on["uneven_light"]:
        d["uneven_light"] = sd.draw_light(rng, *CONFIG["hard_light" if hard else "light"])
        d["illum_min_factor"] = d["uneven_light"]["min_factor"]
    d["folds"] = sd.draw_folds(rng, width, height, scale) if on["fold"] else []
    n_stains = rng.choice([1, 1, 2]) if on["stain"] else 0
    d["stains"] = [sd.draw_stain(rng, width, height, mode == "RGB") for _ in range(n_stains)]
    if on["bleed_through"]:
        d["bleed_through"] = sd.draw_bleed(rng, letter_seed, scale)
    if ink_kind == "typewriter":
        d["typewriter"] = sd.draw_typewriter(rng, paper, scale, size_px)
    elif ink_kind == "carbon":
        d["carbon"] = sd.draw_carbon(rng)
    d["stamps"] = stamps
    d["noise_sigma"] = rnd(rng.uniform(*CONFIG["noise_sigma"]), 2)
    d["scan_blur_sigma"] = rnd(rng.uniform(0.4, 0.9) * scale, 2)
    jpeg = rng.random() < CONFIG["jpeg_share"]
    d["jpeg_quality"] = rng.randint(*CONFIG["jpeg_quality"]) if jpeg else None
    kinds = [k for k in KINDS if k == ink_kind or on.get(k)]
    if dpi < 300:
        kinds.append("low_dpi")
    return {
        "page": f"stress-{seed}-{index:03d}",
        "index": index,
        "hard": hard,
        "kinds": kinds,
        "dpi": dpi,
        "mode": mode,
        "letter_seed": letter_seed,
        "pixel_seed": (letter_seed * 31 + 17) % 2**31,
        "font_pt": font_pt,
        "skew_deg": rnd(skew, 2),
        "orientation_deg": orientation,
        "degradations": d,
    }


def _coverage(lines: Sequence[str], dpi: int, font_pt: float, seed: int) -> np.ndarray:
    clean = render_page(lines, dpi=dpi, font_pt=font_pt, seed=seed)
    return 1.0 - np.asarray(clean, np.float32) / np.float32(255)


def render_plan(plan: dict[str, Any]) -> tuple[Image.Image, list[str]]:
    """The scanned page of a plan (mode "L" or "RGB", before JPEG) and its ground-truth lines.

    Order: ink (typewriter or carbon) on the clean text; paper, mottle,
    bleed-through and folds as one transmittance; stains and stamps per colour
    channel; quarter turn and skew onto a lid-coloured canvas; then the lamp
    (uneven light), scanner blur and noise over the whole image.
    """
    dpi, d, seed = plan["dpi"], plan["degradations"], plan["pixel_seed"]
    lines = letter_lines(plan["letter_seed"])
    cov = _coverage(lines, dpi, plan["font_pt"], plan["letter_seed"])
    ink = d["ink_level"]
    if "typewriter" in d:
        cov = sd.typewriter_strokes(cov, d["typewriter"], seed + 1)
        ink = d["typewriter"]["ink_level"]
    if "carbon" in d:
        cov = sd.carbon_copy(cov, d["carbon"])
    paper = d["paper_level"]
    trans = 1.0 - cov * np.float32(1.0 - min(ink, paper) / paper)
    mottle = sd.smooth_noise(cov.shape, d["paper_mottle_px"], seed + 2)
    trans *= 1.0 - np.float32(d["paper_mottle"]) * mottle
    if bt := d.get("bleed_through"):
        back = _coverage(letter_lines(bt["letter_seed"]), dpi, bt["font_pt"], bt["letter_seed"])
        trans *= sd.bleed_factor(back, bt)
        del back
    for fold in d["folds"]:
        trans *= sd.fold_factor(cov.shape, fold)
    if plan["mode"] == "RGB":
        sheet = trans[..., None] * np.asarray(d["paper_rgb"], np.float32)
    else:
        sheet = trans * np.float32(paper)
    for i, stain in enumerate(d["stains"]):
        top, left, dark = sd.stain_darkness(stain, seed + 10 + i)
        sd.paste_factor(sheet, top, left, sd.tint(dark, stain["color_weights"]))
    for i, stamp in enumerate(d["stamps"]):
        ink_s = ss.stamp_coverage(stamp, seed + 20 + i)
        top = stamp["center_px"][1] - ink_s.shape[0] // 2
        left = stamp["center_px"][0] - ink_s.shape[1] // 2
        sd.paste_factor(sheet, top, left, sd.tint(ink_s, stamp["color_weights"]))
    img = Image.fromarray(np.clip(np.rint(sheet), 0, 255).astype(np.uint8), plan["mode"])
    if (turn := _QUARTER_TURNS[plan["orientation_deg"]]) is not None:
        img = img.transpose(turn)
    lid = round(d["lid_level"])
    if plan["skew_deg"]:
        fill = lid if plan["mode"] == "L" else (lid, lid, lid)
        img = img.rotate(
            plan["skew_deg"], resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill
        )
    del sheet, trans, cov
    # Channel by channel from here: a 300 dpi RGB page in float32 is 150 MB a copy.
    scan = np.asarray(img).reshape(img.height, img.width, -1)
    light = d.get("uneven_light")
    field = None if light is None else sd.illumination_field(scan.shape[:2], light)
    out = np.empty_like(scan)
    for c in range(scan.shape[2]):
        channel = scan[..., c] if field is None else np.rint(scan[..., c] * field)
        channel = np.clip(channel, 0, 255).astype(np.uint8)
        channel = cv2.GaussianBlur(channel, (0, 0), d["scan_blur_sigma"])
        out[..., c] = _add_noise(channel, d["noise_sigma"], seed + 3 + c)
    return Image.fromarray(out[..., 0] if plan["mode"] == "L" else out, plan["mode"]), lines


def _encode(img: Image.Image, dpi: int, jpeg_quality: int | None) -> bytes:
    buf = io.BytesIO()
    if jpeg_quality is None:
        img.save(buf, "PNG", dpi=(dpi, dpi), compress_level=1)
    else:
        img.save(buf, "JPEG", dpi=(dpi, dpi), quality=jpeg_quality)
    return buf.getvalue()


def write_page(out_dir: Path, seed: int, index: int, dpi: int | None = None) -> dict[str, Any]:
    """Write one page and its ground truth; return its manifest entry."""
    plan = plan_page(seed, index, dpi=dpi)
    img, lines = render_plan(plan)
    quality = plan["degradations"]["jpeg_quality"]
    image = f"{plan['page']}.{'png' if quality is None else 'jpg'}"
    (out_dir / image).write_bytes(_encode(img, plan["dpi"], quality))
    gt = f"{plan['page']}.gt.txt"
    (out_dir / gt).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {
        "page": plan["page"],
        "image": image,
        "gt": gt,
        "skew_deg": plan["skew_deg"],
        "orientation_deg": plan["orientation_deg"],
        "expected_deskew_ccw_deg": -plan["skew_deg"],
        "width": img.width,
        "height": img.height,
        "style": {"font": "Noto Sans, Noto Sans Devanagari", "size_pt": plan["font_pt"]},
        **plan,
    }


def _write_page_args(args: tuple[Path, int, int, int | None]) -> dict[str, Any]:
    return write_page(*args)


def write_stress_set(
    out_dir: Path, seed: int, count: int = 60, *, jobs: int | None = None, dpi: int | None = None
) -> list[Path]:
    """Write ``stress-{seed}-{i:03d}.png|jpg`` with ``.gt.txt``, and ``manifest.json``.

    Returns the image paths.

    ``jobs`` worker processes (default: up to 2) render pages in parallel; the
    bytes do not depend on it. ``dpi`` forces one resolution for every page.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = min(count, jobs or min(2, os.cpu_count() or 1))
    work = [(out_dir, seed, i, dpi) for i in range(count)]
    if jobs <= 1:
        pages = [_write_page_args(w) for w in work]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            pages = list(pool.map(_write_page_args, work))
    manifest = {
        "set": "stress",
        "seed": seed,
        "dpi": 300,
        "dpi_note": "pages at 150-200 dpi carry their own 'dpi'",
        "generator": GENERATOR,
        "count": count,
        "page_size_px_before_rotation": list(_page_size(300)),
        "config": {**CONFIG, "forced_dpi": dpi},
        "text_sources": {"letter": "scanpipe.sample_text.letter_lines(letter_seed)"},
        "conventions": CONVENTIONS,
        "pages": pages,
    }
    keep = {name for page in pages for name in (page["image"], page["gt"])}
    for stale in out_dir.glob("stress-*"):  # pages of a larger or older set in the same folder
        if stale.name not in keep and stale.name.endswith((".png", ".jpg", ".gt.txt")):
            stale.unlink()
    tmp = out_dir / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(out_dir / "manifest.json")
    return [out_dir / page["image"] for page in pages]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m scanpipe.stress_samples", description=__doc__)
    p.add_argument("out", type=Path)
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--count", type=int, default=60)
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default 2)")
    p.add_argument("--dpi", type=int, default=None, help="force one dpi for every page")
    args = p.parse_args(argv)
    for path in write_stress_set(args.out, args.seed, args.count, jobs=args.jobs, dpi=args.dpi):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
