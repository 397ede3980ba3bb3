"""Tests for the stress-page generator (issue 15).

The stress set is ground truth for the hard-page benchmark, so these pin what
it promises: the same bytes for the same seed, a manifest that matches the
files, ground truth that is the letter's text (never the stamp's), the mix of
hard pages, and that every degradation the manifest lists really is in the
pixels, where and as strong as the manifest says. Pages are small (150 dpi).
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from scanpipe import samples
from scanpipe import stress_degrade as sd
from scanpipe import stress_samples as ss
from scanpipe.sample_text import letter_lines

SEED = 22  # its first three pages hold all seven kinds, L and RGB, PNG and JPEG, a quarter turn
COUNT = 3
DPI = 150


@pytest.fixture(scope="module")
def stress_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("stress")
    assert ss.main([str(out), "--seed", str(SEED), "--count", str(COUNT), "--dpi", str(DPI)]) == 0
    return out


@pytest.fixture(scope="module")
def manifest(stress_dir: Path) -> dict[str, Any]:
    return json.loads((stress_dir / "manifest.json").read_text(encoding="utf-8"))


def _plan_with(pred: Callable[[dict], bool], seed: int = 5) -> dict[str, Any]:
    """The first page of a set whose plan satisfies pred, at the test dpi."""
    for index in range(80):
        plan = ss.plan_page(seed, index, dpi=DPI)
        if pred(plan):
            return plan
    raise AssertionError("no such page in 80: the generator's mix changed")


def _only(plan: dict[str, Any], *keep: str) -> dict[str, Any]:
    """A copy of plan, upright, PNG, with only the degradations named in keep."""
    out = copy.deepcopy(plan)
    out["skew_deg"], out["orientation_deg"] = 0.0, 0
    d = out["degradations"]
    d["jpeg_quality"] = None
    for key in ("uneven_light", "bleed_through", "typewriter", "carbon"):
        if key not in keep:
            d.pop(key, None)
    for key in ("folds", "stains", "stamps"):
        if key not in keep:
            d[key] = []
    return out


def _pixels(plan: dict[str, Any]) -> np.ndarray:
    return np.asarray(ss.render_plan(plan)[0], np.float32)


def _gray(a: np.ndarray) -> np.ndarray:
    return a if a.ndim == 2 else a.mean(axis=2)


# --- the set on disk -----------------------------------------------------------------------


def test_same_seed_gives_the_same_bytes(stress_dir: Path, tmp_path: Path) -> None:
    # In-process (jobs=1) against the CLI's two worker processes: the bytes must not care.
    again = ss.write_stress_set(tmp_path / "a", SEED, COUNT, jobs=1, dpi=DPI)
    assert [p.name for p in again] == sorted(p.name for p in stress_dir.glob("stress-*.*g"))
    for path in sorted(stress_dir.iterdir()):
        assert (tmp_path / "a" / path.name).read_bytes() == path.read_bytes(), path.name
    other = ss.write_stress_set(tmp_path / "b", SEED + 1, 1, jobs=1, dpi=DPI)
    assert other[0].read_bytes() != again[0].read_bytes()


def test_manifest_describes_the_files(stress_dir: Path, manifest: dict[str, Any]) -> None:
    pages = manifest["pages"]
    assert manifest["set"] == "stress" and manifest["seed"] == SEED and len(pages) == COUNT
    assert {p.name for p in stress_dir.iterdir()} == {
        "manifest.json",
        *(p["image"] for p in pages),
        *(p["gt"] for p in pages),
    }
    for i, page in enumerate(pages):
        name = f"stress-{SEED}-{i:03d}"
        assert page["page"] == name and page["gt"] == f"{name}.gt.txt"
        jpeg = page["degradations"]["jpeg_quality"] is not None
        assert page["image"] == f"{name}.{'jpg' if jpeg else 'png'}"
        # The fields bench/scoring.load_corpus reads, with the types it expects.
        assert isinstance(page["skew_deg"], float) and abs(page["skew_deg"]) <= 15
        assert page["orientation_deg"] in (0, 90, 180, 270)
        assert page["expected_deskew_ccw_deg"] == -page["skew_deg"]
        with Image.open(stress_dir / page["image"]) as im:
            assert im.format == ("JPEG" if jpeg else "PNG")
            assert im.size == (page["width"], page["height"])
            assert im.mode == page["mode"]
            assert tuple(round(v) for v in im.info["dpi"]) == (DPI, DPI) == (page["dpi"],) * 2
        # The saved size is the A4 sheet at that dpi, quarter-turned, then grown by the skew.
        w, h = samples._page_size(DPI)
        if page["orientation_deg"] in (90, 270):
            w, h = h, w
        a = math.radians(page["skew_deg"])
        grown = (
            w * abs(math.cos(a)) + h * abs(math.sin(a)),
            h * abs(math.cos(a)) + w * abs(math.sin(a)),
        )
        assert page["width"] == pytest.approx(grown[0], abs=2)
        assert page["height"] == pytest.approx(grown[1], abs=2)
        assert page == {**page, **ss.plan_page(SEED, i, dpi=DPI)}  # the manifest is the plan
    assert {p["mode"] for p in pages} == {"L", "RGB"}, "pick another SEED: the set lost variety"
    assert {p["image"][-3:] for p in pages} == {"png", "jpg"}
    assert set().union(*(p["kinds"] for p in pages)) >= set(ss.KINDS)


def test_ground_truth_is_the_letter_and_not_the_stamps(
    stress_dir: Path, manifest: dict[str, Any]
) -> None:
    seeds = set()
    for page in manifest["pages"]:
        gt = (stress_dir / page["gt"]).read_text(encoding="utf-8")
        assert gt == "\n".join(letter_lines(page["letter_seed"])) + "\n"
        for stamp in page["degradations"]["stamps"]:
            assert not any(line in gt for line in stamp["lines"] if "/" in line or "क्र." in line)
        if bt := page["degradations"].get("bleed_through"):
            assert letter_lines(bt["letter_seed"]) != letter_lines(page["letter_seed"])
        seeds.add(page["letter_seed"])
    assert len(seeds) == COUNT


# --- the mix of pages ----------------------------------------------------------------------


def test_plan_mix_and_purity() -> None:
    plans = [ss.plan_page(seed, i) for seed in (9101, 9102) for i in range(100)]
    assert ss.plan_page(9101, 7) == plans[7]  # a pure function of (seed, index)
    for a, b in zip(plans[::2], plans[1::2], strict=True):
        assert a["hard"] != b["hard"]  # one hard page in every pair: half the set
    for p in plans:
        d = p["degradations"]
        assert -15 <= p["skew_deg"] <= 15 and p["orientation_deg"] in (0, 90, 180, 270)
        assert 0.4 <= d["illum_min_factor"] <= 1.0
        assert 200 <= d["paper_level"] <= 240
        if p["hard"]:
            assert d["illum_min_factor"] <= 0.6 and abs(p["skew_deg"]) >= 10
        assert len(set(p["kinds"]) - {"low_dpi"}) >= 3, p["kinds"]
        assert p["dpi"] == 300 or 150 <= p["dpi"] <= 200
        assert not ("typewriter" in d and "carbon" in d)
        colour = any(st["color"] != "gray" for st in d["stamps"])
        assert p["mode"] == ("RGB" if colour else "L")
        if "carbon" in d:
            assert 1.2 <= d["carbon"]["blur_px"] <= 2.5
        if "bleed_through" in d:
            assert 0.05 <= d["bleed_through"]["darkness"] <= 0.20
    share = lambda pred: sum(map(pred, plans)) / len(plans)  # noqa: E731
    assert 0.15 < share(lambda p: p["dpi"] < 300) < 0.45
    assert 0.1 < share(lambda p: p["orientation_deg"] != 0) < 0.4
    assert 0.25 < share(lambda p: p["degradations"]["jpeg_quality"] is not None) < 0.55
    for kind in ss.KINDS:
        assert share(lambda p, k=kind: k in p["kinds"]) > 0.15, kind
    assert share(lambda p: p["hard"] and "uneven_light" in p["kinds"]) == 0.5


# --- each degradation is in the pixels, where the manifest says ----------------------------


def _expected_light(light: dict[str, Any], w: int, h: int, x: float, y: float) -> float:
    """The light factor at (x, y), computed here from the manifest's definition."""
    m = light["min_factor"]
    if light["kind"] == "linear":
        a = math.radians(light["angle_deg"])
        proj = [cx * math.cos(a) - cy * math.sin(a) for cx in (0, w - 1) for cy in (0, h - 1)]
        u = (x * math.cos(a) - y * math.sin(a) - min(proj)) / (max(proj) - min(proj))
        return 1 - (1 - m) * u ** light["gamma"]
    cx, cy = light["center_frac"][0] * (w - 1), light["center_frac"][1] * (h - 1)
    far = max(math.hypot(px - cx, py - cy) for px in (0, w - 1) for py in (0, h - 1))
    return 1 - (1 - m) * (math.hypot(x - cx, y - cy) / far) ** light["power"]


@pytest.mark.parametrize("kind", ["linear", "radial"])
def test_uneven_light_darkens_paper_by_the_claimed_ratio(kind: str) -> None:
    plan = _only(
        _plan_with(lambda p: p.get("degradations", {}).get("uneven_light", {}).get("kind") == kind),
        "uneven_light",
    )
    light = plan["degradations"]["uneven_light"]
    img = _gray(_pixels(plan))
    h, w = img.shape
    r = 12
    spots = [(x, y) for x in range(r, w - r, 40) for y in range(r, h - r, 40)]
    values = [_expected_light(light, w, h, x, y) for x, y in spots]
    (dx, dy), (bx, by) = spots[int(np.argmin(values))], spots[int(np.argmax(values))]

    def paper(x: int, y: int) -> float:  # paper, not ink: the bright part of a small patch
        return float(np.percentile(img[y - r : y + r, x - r : x + r], 75))

    expected = min(values) / max(values)
    assert expected <= light["min_factor"] + 0.05  # the darkest spot is near the claimed floor
    measured = paper(dx, dy) / paper(bx, by)
    assert measured == pytest.approx(expected, abs=0.04)
    flat = _gray(_pixels(_only(plan)))
    assert paper(bx, by) / float(np.percentile(flat[by - r : by + r, bx - r : bx + r], 75)) > 0.96


def test_fold_darkens_its_band_and_the_crease_brightens() -> None:
    plan = _only(_plan_with(lambda p: bool(p["degradations"]["folds"])), "folds")
    fold = {
        **plan["degradations"]["folds"][0],
        "axis": "horizontal",
        "depth": 0.3,
        "ramp": 0.0,
        "crease": 0.12,
    }
    plan["degradations"]["folds"] = [fold]
    diff = _gray(_pixels(_only(plan))) - _gray(_pixels(plan))  # > 0: darker with the fold
    rows = np.median(diff, axis=1)  # text-free median: paper rows
    paper = plan["degradations"]["paper_level"]
    pos, width = fold["position_px"], fold["width_px"] * max(1.0, fold["asymmetry"])
    assert abs(int(np.argmax(rows)) - pos) <= width
    assert rows.max() == pytest.approx(fold["depth"] * paper, rel=0.25)
    far = np.abs(np.arange(len(rows)) - pos) > 6 * width
    assert np.abs(rows[far]).max() <= 2
    crease = pos + fold["crease_offset_px"]
    near = slice(round(crease - 2), round(crease + 3))
    assert rows[near].min() < rows[round(pos - width) : round(pos + width)].max() - 0.05 * paper


def test_stain_darkens_only_inside_its_ring_and_is_brown_on_colour_pages() -> None:
    plan = _only(
        _plan_with(lambda p: bool(p["degradations"]["stains"]) and p["mode"] == "RGB", seed=9101),
        "stains",
    )
    stain = plan["degradations"]["stains"][0]
    plan["degradations"]["stains"] = [stain]
    diff = _pixels(_only(plan)) - _pixels(plan)
    cx, cy, r = *stain["center_px"], stain["radius_px"]
    ys, xs = np.nonzero(_gray(diff) > 6)
    assert len(xs) > 0.3 * math.pi * (r * 0.1) ** 2  # at least the rim shows
    wobble = sum(abs(amp) for _, amp, _ in stain["harmonics"])
    assert np.hypot(xs - cx, ys - cy).max() <= r * (1 + wobble) + 3 * stain["rim_width_px"]
    changed = diff[ys, xs]
    assert changed[:, 2].mean() > 1.5 * changed[:, 0].mean()  # blue absorbed most: brown
    assert changed.max() <= stain["rim"] * 255 + 20


def test_bleed_through_is_the_mirrored_other_letter() -> None:
    plan = _only(_plan_with(lambda p: "bleed_through" in p["degradations"]), "bleed_through")
    bt = plan["degradations"]["bleed_through"]
    diff = _gray(_pixels(_only(plan))) - _gray(_pixels(plan))
    back = samples.render_page(letter_lines(bt["letter_seed"]), dpi=DPI, font_pt=bt["font_pt"])
    mirrored = np.roll(np.asarray(back)[:, ::-1] < 128, bt["offset_px"][::-1], axis=(0, 1))
    front = np.asarray(samples.render_page(letter_lines(plan["letter_seed"]), dpi=DPI)) < 250
    under, clear = mirrored & ~front, ~mirrored & ~front
    paper = plan["degradations"]["paper_level"]
    assert diff[under].mean() > 0.3 * bt["darkness"] * paper
    assert diff[under].mean() > 4 * max(0.5, diff[clear].mean())
    assert np.percentile(diff[under], 99) <= bt["darkness"] * paper + 8
    # Not mirrored, the same text would sit under the clear paper instead.
    unmirrored = np.asarray(back) < 128
    assert diff[unmirrored & ~front].mean() < diff[under].mean()


def test_typewriter_raises_the_ink_and_breaks_strokes() -> None:
    plan = _only(_plan_with(lambda p: "typewriter" in p["degradations"]), "typewriter")
    tw = plan["degradations"]["typewriter"]
    worn, clean = _gray(_pixels(plan)), _gray(_pixels(_only(plan)))
    text = np.asarray(samples.render_page(letter_lines(plan["letter_seed"]), dpi=DPI)) < 128
    assert np.percentile(worn[text], 10) > np.percentile(clean[text], 10) + 40
    assert np.percentile(worn[text], 2) >= tw["ink_level"] - 20
    mid = (plan["degradations"]["paper_level"] + tw["ink_level"]) / 2
    assert (worn[text] < mid).mean() < (clean[text] < mid).mean() - tw["gap_share"] / 2
    # The gaps alone: gap_share of a solid stroke loses its ink, in specks, not evenly.
    solid = np.ones((300, 400), np.float32)
    broken = sd.typewriter_strokes(solid, {**tw, "erosion": 0.0, "strike": 0.0}, seed=3)
    assert (broken < 0.5).mean() == pytest.approx(tw["gap_share"], abs=0.03)
    assert (broken > 0.95).mean() > 1 - 2 * tw["gap_share"]


def test_carbon_copy_blurs_lowers_contrast_and_doubles() -> None:
    plan = _only(_plan_with(lambda p: "carbon" in p["degradations"]), "carbon")
    copy_, clean = _gray(_pixels(plan)), _gray(_pixels(_only(plan)))
    sharp = lambda a: np.abs(np.diff(a, axis=1)).mean()  # noqa: E731
    assert sharp(copy_) < 0.85 * sharp(clean)
    assert np.percentile(copy_, 0.5) > np.percentile(clean, 0.5) + 15
    # A single dot becomes two: the ghost sits at double_offset_px.
    spec = {**plan["degradations"]["carbon"], "blur_px": 0.01, "spread": 1.0, "contrast": 1.0}
    dot = np.zeros((40, 40), np.float32)
    dot[20, 20] = 1
    dx, dy = spec["double_offset_px"]
    out = sd.carbon_copy(dot, spec)
    assert out[20 + dy, 20 + dx] == pytest.approx(spec["double_strength"], rel=0.05)
    assert out[20, 20] == pytest.approx(1.0, rel=0.05)


def test_stamp_is_where_the_manifest_says_and_in_its_colour() -> None:
    plan = _only(
        _plan_with(lambda p: any(s["color"] == "violet" for s in p["degradations"]["stamps"])),
        "stamps",
    )
    stamp = next(s for s in plan["degradations"]["stamps"] if s["color"] == "violet")
    plan["degradations"]["stamps"] = [stamp]
    with_stamp = _pixels(plan)
    diff = _pixels(_only(plan)) - with_stamp
    ys, xs = np.nonzero(_gray(diff) > 12)
    assert len(xs) > 200
    reach = math.hypot(*stamp["size_px"]) / 2 + 4
    assert np.hypot(xs - stamp["center_px"][0], ys - stamp["center_px"][1]).max() <= reach
    # Violet ink (R 105, G 55, B 150) takes most green and least blue.
    mean = diff[ys, xs].mean(axis=0)
    assert mean[1] > mean[0] > mean[2]
    assert Image.fromarray(with_stamp.astype(np.uint8)).mode == "RGB"


def test_skew_and_quarter_turn_follow_the_manifest_convention() -> None:
    """Undo -skew_deg and the quarter turn: text rows come back level, at the top of the sheet."""
    for turn in (0, 90, 180, 270):
        plan = _only(_plan_with(lambda p: p["mode"] == "L"))
        plan["skew_deg"], plan["orientation_deg"] = 7.5, turn
        img = ss.render_plan(plan)[0]

        across = 1 if turn in (0, 180) else 0  # sum along the text lines

        def row_energy(angle: float, im: Image.Image = img, axis: int = across) -> float:
            turned = im.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
            return float(np.var((np.asarray(turned) < 120).sum(axis=axis)))

        best = max((-9, -8, -7.5, -7, -6, 0, 6, 7, 7.5, 8, 9), key=row_energy)
        assert best == pytest.approx(-7.5, abs=0.6), turn
        ink = np.asarray(img.rotate(-7.5, fillcolor=255)) < 120
        ys, xs = np.nonzero(ink)
        cy, cx = ys.mean() / ink.shape[0], xs.mean() / ink.shape[1]
        # The letter fills the top of an upright sheet; a CCW quarter turn moves the top left.
        where = {0: cy < 0.45, 90: cx < 0.45, 180: cy > 0.55, 270: cx > 0.55}
        assert where[turn], (turn, cx, cy)
