"""Skew, orientation and the straightening transform, on generated pages (no Tesseract)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fakes import FakeEngine
from PIL import Image

from scanpipe import samples
from scanpipe.model import PageResult, PageStatus
from scanpipe.ocr.geometry import (
    estimate_skew,
    headline_vote,
    quarter_turn,
    rotate,
    straighten_matrix,
    warp,
)
from scanpipe.ocr.page import find_geometry
from scanpipe.ocr.pdf import placement

# 150 dpi: the estimator works on a copy at most 1400 px across anyway, and these render fast.
DPI = 150
SKEW_TOLERANCE = 0.1
ANGLES = [-19.5, -12.0, -5.3, -0.7, 0.0, 0.4, 3.3, 8.0, 14.0, 19.5]
ENGLISH_LINES = [
    "Government of Chhattisgarh",
    "Office of the Collector, District Mungeli",
    "All scanned files shall be uploaded to the e-Office portal.",
    "Scan each page at 300 dpi and keep the original in the record room.",
    "Nodal Officer: Deputy Collector (e-Office), Mungeli.",
    "Progress report to be sent by e-mail every Monday.",
]


@pytest.fixture(scope="module")
def letter_page() -> Image.Image:
    """A clean bilingual (mostly Hindi) letter page."""
    return samples.render_page(samples.letter_lines(7), dpi=DPI, seed=7)


@pytest.fixture(scope="module")
def english_page() -> Image.Image:
    return samples.render_page(ENGLISH_LINES, dpi=DPI, seed=3)


def scan(page: Image.Image, skew: float = 0.0, orientation: int = 0) -> np.ndarray:
    return np.asarray(samples.degrade(page, skew_deg=skew, orientation_deg=orientation, seed=3))


# -- skew ------------------------------------------------------------------------------------


@pytest.mark.parametrize("orientation", [0, 90, 180, 270])
@pytest.mark.parametrize("angle", ANGLES)
def test_estimate_skew_within_a_tenth_of_a_degree(
    letter_page: Image.Image, angle: float, orientation: int
) -> None:
    est = estimate_skew(scan(letter_page, angle, orientation))
    assert abs(est.skew_deg - angle) <= SKEW_TOLERANCE, est
    assert est.vertical is (orientation in (90, 270)), est


def test_estimate_skew_of_a_blank_page_is_level() -> None:
    blank = np.full((800, 600), 238, np.uint8)
    est = estimate_skew(blank)
    assert (est.skew_deg, est.vertical) == (0.0, False)


# -- 0 or 180 --------------------------------------------------------------------------------


def test_headline_vote_tells_upright_from_upside_down(letter_page: Image.Image) -> None:
    upright = headline_vote(scan(letter_page))
    flipped = headline_vote(scan(letter_page, orientation=180))
    assert upright.decision() == 0, upright
    assert flipped.decision() == 180, flipped
    assert upright.upright >= 12 and flipped.flipped >= 12


def test_headline_vote_never_flips_an_upright_latin_page(english_page: Image.Image) -> None:
    """Latin words rarely vote; an undecided page is left to OSD, never turned by mistake."""
    assert headline_vote(scan(english_page)).decision() in (0, None)
    assert headline_vote(scan(english_page, orientation=180)).decision() in (180, None)


@pytest.mark.parametrize("orientation", [0, 90, 180, 270])
def test_find_geometry_recovers_orientation_and_skew(
    letter_page: Image.Image, orientation: int, tmp_path: Path
) -> None:
    """Headlines alone decide a Hindi page: the fake engine's OSD has no opinion."""
    gray = scan(letter_page, 6.2, orientation)
    geometry = find_geometry(gray, DPI, FakeEngine(), tmp_path / "page-0001")
    assert geometry.orientation_deg == orientation
    assert abs(geometry.skew_deg - 6.2) <= SKEW_TOLERANCE


# -- the straightening transform -------------------------------------------------------------

NOISE = np.random.default_rng(0).integers(0, 256, (37, 53), dtype=np.uint8)


@pytest.mark.parametrize("orientation", [0, 90, 180, 270])
@pytest.mark.parametrize("skew", [0.0, 3.3, -7.5, 19.5])
def test_straighten_matrix_and_warp_equal_rotate_then_quarter_turn(
    skew: float, orientation: int
) -> None:
    h, w = NOISE.shape
    matrix, size = straighten_matrix(w, h, skew, orientation)
    got = warp(NOISE, matrix, size, 200)
    want = quarter_turn(rotate(NOISE, -skew, fill=200), -orientation)
    assert got.shape == want.shape
    assert size == (want.shape[1], want.shape[0])
    diff = np.abs(got.astype(int) - want.astype(int))
    if skew == 0:
        assert np.array_equal(got, want)  # a pure quarter turn is lossless
    else:
        assert diff.max() <= 1 and diff.mean() < 0.05  # float rounding only


def test_straighten_matrix_scale_maps_a_smaller_master() -> None:
    """``scale`` is for masters smaller than the pixels OCR saw (upscaled low-dpi scans)."""
    for orientation in (0, 90, 180, 270):
        small, size_small = straighten_matrix(100, 150, 4.0, orientation, scale=2.0)
        big, size_big = straighten_matrix(200, 300, 4.0, orientation)
        assert size_small == size_big
        np.testing.assert_allclose(small, big @ np.diag([2.0, 2.0, 1.0]), atol=1e-9)


# -- drawing the master on the PDF page ------------------------------------------------------


def _page(w0: int, h0: int, skew: float, orientation: int, dpi: int) -> PageResult:
    matrix, (width, height) = straighten_matrix(w0, h0, skew, orientation)
    return PageResult(
        1,
        PageStatus.OK,
        dpi=dpi,
        width=width,
        height=height,
        image_size=(w0, h0),
        image_matrix=tuple(float(v) for v in matrix.ravel()),
    )


def _draw(cm: list[float], u: float, v: float) -> tuple[float, float]:
    """Where the image's unit-square point (u, v) (PDF: v up) lands on the page, in points."""
    a, b, c, d, e, f = cm
    return a * u + c * v + e, b * u + d * v + f


# Master corners in pixels (y down) and the same corners of the image's unit square (v up).
CORNERS = {"top-left": (0, 1), "top-right": (1, 1), "bottom-left": (0, 0), "bottom-right": (1, 0)}


@pytest.mark.parametrize("orientation", [0, 90, 180, 270])
@pytest.mark.parametrize("skew", [0.0, 2.5, -11.0])
def test_placement_follows_the_image_matrix(skew: float, orientation: int) -> None:
    w0, h0, dpi = 1200, 1700, 300
    page = _page(w0, h0, skew, orientation, dpi)
    m = np.array(page.image_matrix).reshape(2, 3)
    cm = placement(page)
    k = 72 / dpi
    for u, v in CORNERS.values():
        # The matrix works on pixel centres; the PDF draws pixel edges (half a pixel out).
        x_px, y_px = m @ np.array([u * w0 - 0.5, (1 - v) * h0 - 0.5, 1.0]) + 0.5
        want = (k * x_px, k * (page.height - y_px))
        assert _draw(cm, u, v) == pytest.approx(want, abs=1e-6)


# Which page corner the master's corners must land on once the page is upright.
# ``orientation`` is the counter-clockwise quarter turn the scan had.
UPRIGHT_CORNERS = {
    0: {"top-left": "top-left", "top-right": "top-right", "bottom-left": "bottom-left"},
    90: {"top-left": "top-right", "top-right": "bottom-right", "bottom-left": "top-left"},
    180: {"top-left": "bottom-right", "top-right": "bottom-left", "bottom-left": "top-right"},
    270: {"top-left": "bottom-left", "top-right": "top-left", "bottom-left": "bottom-right"},
}


@pytest.mark.parametrize("orientation", [0, 90, 180, 270])
def test_placement_puts_a_quarter_turned_master_exactly_on_the_page(orientation: int) -> None:
    w0, h0, dpi = 1200, 1700, 300
    page = _page(w0, h0, 0.0, orientation, dpi)
    w_pt, h_pt = page.width * 72 / dpi, page.height * 72 / dpi
    page_corner = {
        "top-left": (0.0, h_pt),
        "top-right": (w_pt, h_pt),
        "bottom-left": (0.0, 0.0),
        "bottom-right": (w_pt, 0.0),
    }
    cm = placement(page)
    for master_corner, target in UPRIGHT_CORNERS[orientation].items():
        got = _draw(cm, *CORNERS[master_corner])
        assert got == pytest.approx(page_corner[target], abs=0.01), master_corner
