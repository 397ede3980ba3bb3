"""Kodak patch-code sheets: printed, read back off degraded scans, never seen on ordinary
pages, and splitting PDF and multi-page TIFF stacks (also through the hot folder).

Every fixture is generated here with scanpipe's own renderers; the near-miss
bar patterns each come with a control drawn by the same helper that is read,
so a detector that sees nothing at all cannot pass.
"""

from __future__ import annotations

import os
import random
from functools import cache
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from conftest import run_cli
from PIL import Image, ImageDraw
from test_watch import Site

from scanpipe import samples, stress_samples
from scanpipe import stress_degrade as sd
from scanpipe.errors import InputFileError
from scanpipe.model import FileMetadata
from scanpipe.sheets.patch import (
    NARROW_MM,
    PATCH_CODES,
    SPACE_MM,
    WIDE_MM,
    patch_sheet,
    read_patch,
    render_patch_sheet,
    write_patch_pdf,
)
from scanpipe.sheets.render import page_gray, render_sheet
from scanpipe.sheets.split import Sheet, SheetKind, read_sheet, split_stack

MIRROR = {"1": "6", "6": "1", "3": "T", "T": "3", "2": "2", "4": "4"}
COVER = Sheet(SheetKind.COVER, file_no="A-21001(3)/5/2008/DFG", subject="भूमि अभिलेख")


def gray(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("L"))


def scan(img: Image.Image, seed: int, **how: object) -> np.ndarray:
    """A feeder scan: noise, blur, toner grey on paper grey (samples.degrade), as uint8."""
    options: dict[str, object] = {"noise": 6.0, "blur": 0.9, **how}
    return gray(samples.degrade(img, seed=seed, **options))  # type: ignore[arg-type]


@cache
def letter(seed: int, dpi: int = 150) -> Image.Image:
    return samples.render_page(samples.letter_lines(seed), dpi=dpi, seed=seed)


@cache
def patch(code: str, dpi: int) -> Image.Image:
    return render_patch_sheet(code, dpi=dpi)


def bars_page(
    widths_mm: list[float],
    *,
    gap_mm: float = SPACE_MM,
    length_mm: float | list[float] = 120.0,
    dpi: int = 200,
    extra: bool = False,
) -> Image.Image:
    """A white A4 page with horizontal bars of these widths, top to bottom."""
    px = dpi / 25.4
    page = Image.new("L", (round(210 * px), round(297 * px)), 255)
    draw = ImageDraw.Draw(page)
    lengths = length_mm if isinstance(length_mm, list) else [length_mm] * len(widths_mm)
    y = 60 * px
    for width, length in zip(widths_mm, lengths, strict=True):
        draw.rectangle((40 * px, y, (40 + length) * px - 1, y + width * px - 1), fill=0)
        y += (width + gap_mm) * px
    if extra:  # a 1 mm rule one space under the last bar: a fifth, thinner bar
        draw.rectangle((40 * px, y, (40 + lengths[-1]) * px - 1, y + px - 1), fill=0)
    return page


T_MM = [NARROW_MM, WIDE_MM, NARROW_MM, WIDE_MM]


# --- reading -------------------------------------------------------------------------------


@pytest.mark.parametrize("dpi", [200, 300])
@pytest.mark.parametrize("code", list(PATCH_CODES))
def test_every_code_reads_back_from_a_scan(code: str, dpi: int) -> None:
    assert read_patch(scan(patch(code, dpi), seed=dpi), dpi=dpi) == code


@pytest.mark.parametrize(
    ("code", "dpi", "how", "expect"),
    [
        ("T", 300, {"skew_deg": 5.0}, "T"),
        ("3", 200, {"skew_deg": -5.0}, "3"),
        ("2", 200, {"skew_deg": 4.0, "noise": 14.0, "blur": 1.6}, "2"),
        ("T", 200, {"orientation_deg": 90, "skew_deg": -3.0}, "T"),  # bars upright, left to right
        ("6", 300, {"orientation_deg": 90}, "6"),
        ("3", 300, {"orientation_deg": 180, "skew_deg": 2.0}, "T"),  # fed upside down: mirrored
        ("1", 200, {"orientation_deg": 270}, "6"),
        ("T", 250, {"jpeg_quality": 40, "paper": 200}, "T"),
    ],
)
def test_degraded_turned_and_skewed_scans_read(
    code: str, dpi: int, how: dict[str, object], expect: str
) -> None:
    assert MIRROR[MIRROR[expect]] == expect
    assert read_patch(scan(patch(code, dpi), seed=7, **how), dpi=dpi) == expect


def test_uneven_light_and_colour_scans_read() -> None:
    page = scan(patch("T", 200), seed=3, skew_deg=1.5)
    light = sd.illumination_field(
        page.shape, {"kind": "linear", "min_factor": 0.45, "angle_deg": 30}
    )
    dim = np.clip(page * light, 0, 255).astype(np.uint8)
    assert read_patch(dim, dpi=200) == "T"
    rgb = np.dstack([dim, dim, np.clip(dim * 0.8, 0, 255).astype(np.uint8)])  # yellowed paper
    assert read_patch(rgb, dpi=200) == "T"


def test_the_dpi_is_a_measurement_not_a_hint() -> None:
    page = scan(patch("T", 300), seed=1)
    assert read_patch(page, dpi=300) == "T"
    assert read_patch(page, dpi=150) is None, "bars twice too wide in millimetres"
    assert read_patch(page, dpi=600) is None
    with pytest.raises(ValueError):
        read_patch(page, dpi=0)


def test_only_t_2_and_3_are_separators() -> None:
    for code in PATCH_CODES:
        sheet = patch_sheet(scan(patch(code, 200), seed=2), dpi=200)
        if code in ("T", "2", "3"):
            assert sheet == Sheet(SheetKind.SEPARATOR), code
        else:
            assert sheet is None, code


# --- ordinary pages ------------------------------------------------------------------------


def table_page(dpi: int = 200) -> Image.Image:
    """A typed register: ruled table, a thick 2 mm frame, bold headings, a stamp-like ring."""
    px = dpi / 25.4
    page = letter(5, dpi=dpi)
    draw = ImageDraw.Draw(page)
    top = 150 * px
    for row in range(12):
        y = top + row * 8 * px
        draw.line([(25 * px, y), (185 * px, y)], fill=0, width=max(1, round(0.3 * px)))
    for x in (25, 45, 110, 150, 185):
        draw.line([(x * px, top), (x * px, top + 88 * px)], fill=0, width=max(1, round(0.3 * px)))
    draw.rectangle((20 * px, 140 * px, 190 * px, 245 * px), outline=0, width=round(2 * px))
    draw.ellipse((140 * px, 250 * px, 175 * px, 285 * px), outline=0, width=round(1.5 * px))
    for i in range(4):  # four heavy underlines of varying length: not one pattern
        y = (252 + i * 7) * px
        draw.rectangle((25 * px, y, (60 + i * 15) * px, y + WIDE_MM * px), fill=0)
    return page


def ordinary_pages() -> list[tuple[str, np.ndarray, int]]:
    pages = [(f"letter {s}", scan(letter(s), seed=s, skew_deg=s - 2), 150) for s in range(3)]
    for i in (0, 1, 5):
        img, _ = stress_samples.render_plan(stress_samples.plan_page(77, i, dpi=150))
        pages.append((f"stress page {i}", gray(img), 150))
    for sheet in (COVER, Sheet(SheetKind.SEPARATOR), Sheet(SheetKind.PART, part="notes")):
        pages.append((f"QR {sheet.kind}", scan(render_sheet(sheet, dpi=150), seed=4), 150))
    pages.append(("table", scan(table_page(), seed=5, skew_deg=1.0), 200))
    border = np.full((2339, 1654), 30, np.uint8)  # a letter on a black scanner bed
    border[60:-60, 50:-50] = scan(letter(8, dpi=200), seed=8)[: 2339 - 120, : 1654 - 100]
    pages.append(("black bed border", border, 200))
    return pages


def test_ordinary_pages_are_not_patch_sheets() -> None:
    found = {name: read_patch(page, dpi=dpi) for name, page, dpi in ordinary_pages()}
    assert found == dict.fromkeys(found), found


@pytest.mark.parametrize(
    ("what", "page"),
    [
        ("four wide bars", bars_page([WIDE_MM] * 4)),
        ("four narrow bars", bars_page([NARROW_MM] * 4)),
        ("bars of 3.5 and 7 mm", bars_page([3.5, 7.0, 3.5, 7.0])),
        ("right widths, 6 mm gaps", bars_page(T_MM, gap_mm=6.0)),
        ("a fifth bar", bars_page([*T_MM, WIDE_MM])),
        ("short bars", bars_page(T_MM, length_mm=25.0)),
        ("unequal lengths", bars_page(T_MM, length_mm=[120, 120, 70, 120])),
        ("a thin rule one space beyond", bars_page(T_MM, extra=True)),
        ("right pattern at twice the size", bars_page([2 * w for w in T_MM], gap_mm=2 * SPACE_MM)),
    ],
)
def test_near_miss_bars_are_refused(what: str, page: Image.Image) -> None:
    assert read_patch(gray(bars_page(T_MM)), dpi=200) == "T", "the control pattern is read"
    assert read_patch(scan(page, seed=9), dpi=200) is None, what


# --- stacks --------------------------------------------------------------------------------


@cache
def stack_pages(dpi: int = 150) -> tuple[tuple[Image.Image, ...], tuple[int, ...]]:
    """Three documents (1, 2 and 3 pages) with a PATCH-T sheet between them; and which
    stack pages are document pages."""
    rng = random.Random(11)
    pages: list[Image.Image] = []
    keep: list[int] = []
    for doc in range(3):
        if doc:
            sheet = samples.degrade(patch("T", dpi), seed=doc, skew_deg=rng.uniform(-3, 3))
            pages.append(sheet)
        for k in range(doc + 1):
            keep.append(len(pages))
            pages.append(samples.degrade(letter(10 * doc + k, dpi=dpi), seed=k, skew_deg=1))
    return tuple(pages), tuple(keep)


def test_pdf_stack_splits_on_patch_t_sheets(tmp_path: Path) -> None:
    pages, keep = stack_pages()
    path = tmp_path / "stack.pdf"
    samples.write_pdf(path, pages, dpi=150)
    files = split_stack(path, tmp_path / "out")
    assert [p.name for p, _ in files] == ["stack-01.pdf", "stack-02.pdf", "stack-03.pdf"]
    assert all(meta == FileMetadata() for _, meta in files)

    def images(p: Path) -> list[bytes]:
        with pikepdf.open(p) as pdf:
            return [next(iter(pg.get_images().values())).read_raw_bytes() for pg in pdf.pages]

    originals = images(path)
    assert [images(p) for p, _ in files] == [
        [originals[i] for i in keep[:1]],
        [originals[i] for i in keep[1:3]],
        [originals[i] for i in keep[3:]],
    ], "the documents' own JPEGs, in order, sheets left out"


def test_qr_sheets_take_precedence_over_patch_bars(tmp_path: Path) -> None:
    cover = render_sheet(COVER, dpi=150).convert("L")
    bars = patch("T", 150).convert("L")
    cover.paste(bars.crop((0, bars.height - 340, bars.width, bars.height - 170)), (0, 1340))
    page = scan(cover, seed=1)
    assert read_sheet(page, dpi=150) == COVER and read_patch(page, dpi=150) == "T"
    path = tmp_path / "both.pdf"
    samples.write_pdf(path, [Image.fromarray(page), letter(1), letter(2)], dpi=150)
    ((_, meta),) = split_stack(path, tmp_path / "out")
    assert meta.file_no == COVER.file_no, "read as the cover, not as a separator"


def tiff_frames(path: Path) -> list[tuple[str, bytes, tuple[float, float]]]:
    with Image.open(path) as im:
        out = []
        for i in range(im.n_frames):
            im.seek(i)
            out.append((im.mode, im.tobytes(), im.info["dpi"]))
        return out


@pytest.mark.parametrize(("mode", "compression"), [("L", "tiff_lzw"), ("1", "group4")])
def test_tiff_stack_splits_losslessly_and_deterministically(
    tmp_path: Path, mode: str, compression: str
) -> None:
    pages, keep = stack_pages()
    frames = [
        p.convert(mode) if mode == "L" else p.point(lambda v: 255 * (v > 140), "1") for p in pages
    ]
    path = tmp_path / "stack.tif"
    frames[0].save(
        path, save_all=True, append_images=frames[1:], dpi=(150, 150), compression=compression
    )
    files = split_stack(path, tmp_path / "out")
    assert [p.name for p, _ in files] == ["stack-01.tif", "stack-02.tif", "stack-03.tif"]
    originals = tiff_frames(path)
    got = [tiff_frames(p) for p, _ in files]
    assert got == [
        [originals[i] for i in keep[:1]],
        [originals[i] for i in keep[1:3]],
        [originals[i] for i in keep[3:]],
    ], "same mode, pixels and dpi, sheets left out"
    for p, _ in files:
        with Image.open(p) as im:
            assert im.info["compression"] == compression
    again = split_stack(path, tmp_path / "again")
    assert [p.read_bytes() for p, _ in again] == [p.read_bytes() for p, _ in files]
    assert not list((tmp_path / "out").glob(".*")), "no .part file left behind"


def test_tiff_without_sheets_is_returned_whole(tmp_path: Path) -> None:
    path = tmp_path / "plain.tif"
    pages = [letter(1).copy(), letter(2).copy()]  # copies: a PDF save leaves JPEG options on
    pages[0].save(path, save_all=True, append_images=pages[1:], dpi=(150, 150))
    assert split_stack(path, tmp_path / "out") == [(path, FileMetadata())]
    assert not (tmp_path / "out").exists()


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_a_damaged_tiff_stack_is_refused_as_bad_input(tmp_path: Path) -> None:
    pages = [Image.new("L", (620, 877), 200 + i) for i in range(4)]
    whole = tmp_path / "whole.tif"
    pages[0].save(whole, save_all=True, append_images=pages[1:], compression="tiff_lzw")
    cut = tmp_path / "cut.tif"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(InputFileError, match="TIFF cannot be read"):
        split_stack(cut, tmp_path / "out")


def test_write_patch_pdf_is_printable_and_deterministic(tmp_path: Path) -> None:
    first = write_patch_pdf(["T", "T", "3"], tmp_path / "a.pdf", dpi=200)
    second = write_patch_pdf(["T", "T", "3"], tmp_path / "b.pdf", dpi=200)
    assert first.read_bytes() == second.read_bytes()
    with pikepdf.open(first) as pdf:
        assert len(pdf.pages) == 3
        raw = pikepdf.PdfImage(next(iter(pdf.pages[2].get_images().values()))).as_pil_image()
    assert read_patch(gray(raw), dpi=200) == "3"


# --- the hot folder ------------------------------------------------------------------------


def test_patch_t_stacks_dropped_in_the_hot_folder_register_three_files_each(
    tmp_path: Path,
) -> None:
    site = Site(tmp_path)
    # Plain pages of distinct sizes keep the fake OCR quick; the sheets are scans.
    pages: list[Image.Image] = []
    for doc in range(3):
        if doc:
            pages.append(samples.degrade(patch("T", 150), seed=doc, skew_deg=2 * doc - 3))
        pages += [Image.new("L", (1240 + 3 * doc + k, 1754), 250) for k in range(doc + 1)]
    tiff = {"dpi": (150, 150), "compression": "tiff_lzw"}
    pages[0].save(tmp_path / "stack.tif", save_all=True, append_images=pages[1:], **tiff)
    os.replace(tmp_path / "stack.tif", site.inbox / "stack.tif")
    proc = site.run("watch", "--once", timeout=300)
    assert proc.returncode == 0, proc.stderr + site.log_text()
    files = site.registered()
    by_source: dict[str, list[int]] = {}
    for f in sorted(files, key=lambda f: f.id):
        by_source.setdefault(Path(f.source_path).suffix, []).append(f.page_count)
    assert by_source == {".tif": [1, 2, 3]}, "three files, and the sheets are not pages"
    (done,) = site.events("done")
    assert done["name"] == "stack.tif" and len(done["file_ids"]) == 3


def test_cli_prints_patch_sheets_that_read_back(tmp_path: Path) -> None:
    out = tmp_path / "sheets" / "patch-3.pdf"
    proc = run_cli(tmp_path / "home", "sheets", "patch", "--code", "3", "--copies", "2", "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert "patch 3 sheet; 2 pages" in proc.stdout
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 2
        page, dpi = page_gray(pdf, 1, out)
    assert read_patch(page, dpi=dpi) == "3"
