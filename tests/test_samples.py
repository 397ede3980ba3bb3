"""Tests for the scanned-page fixture generator.

The generator is the ground truth for everything downstream (deskew, OCR
accuracy, benchmarks), so these pin what it promises: shaped Hindi, the exact
rotation convention, byte-for-byte determinism, and the demo batch layout.
"""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path

import cv2
import numpy as np
import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageFont, ImageOps

from scanpipe import samples
from scanpipe.errors import ExitCode, MissingDependencyError

LOW_DPI = 100  # enough for geometry checks, and fast


def _ink_bbox(img: Image.Image) -> tuple[int, int, int, int]:
    box = ImageOps.invert(img.convert("L")).point(lambda v: 255 if v > 128 else 0).getbbox()
    assert box is not None, "no ink on the page"
    return box


def _ink_points(img: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.nonzero(np.asarray(img.convert("L")) < 128)
    return xs.astype(float), ys.astype(float)


def _tilt_deg(img: Image.Image) -> float:
    """Angle of a near-horizontal ink line, CCW positive as seen on screen.

    Image rows grow downwards, so a CCW turn makes the right end go *up*: the
    fitted slope dy/dx is negative and the angle is -atan(slope).
    """
    xs, ys = _ink_points(img)
    slope = np.polyfit(xs, ys, 1)[0]
    return -math.degrees(math.atan(slope))


def _bar(width: int = 1200, height: int = 1200) -> Image.Image:
    img = Image.new("L", (width, height), 255)
    ImageDraw.Draw(img).rectangle((200, height // 2 - 8, width - 200, height // 2 + 8), fill=0)
    return img


CLEAN = {"noise": 0.0, "blur": 0.0, "paper": 255}


# --- fonts and shaping ---------------------------------------------------------------------


def test_fonts_found() -> None:
    deva, latin = samples.find_font(True), samples.find_font(False)
    assert deva.is_file() and "Devanagari" in deva.name
    assert latin.is_file() and "Devanagari" not in latin.name
    assert "Bold" in samples.find_font(True, bold=True).name


def test_lohit_is_accepted_when_noto_is_absent(tmp_path: Path) -> None:
    (tmp_path / "Lohit-Devanagari.ttf").write_bytes(samples.find_font().read_bytes())
    assert samples.find_font(dirs=[tmp_path]).name == "Lohit-Devanagari.ttf"
    assert samples.find_font(bold=True, dirs=[tmp_path]).name == "Lohit-Devanagari.ttf"


def test_missing_font_raises_with_install_advice(tmp_path: Path) -> None:
    with pytest.raises(MissingDependencyError) as info:
        samples.find_font(dirs=[tmp_path])
    assert "fonts-noto-core" in info.value.advice
    assert info.value.exit_code == ExitCode.MISSING_DEPENDENCY


def test_conjunct_is_shaped_narrower_than_its_letters() -> None:
    path = samples.find_font()
    font = samples.load_font(path, 64)
    separate = sum(font.getlength(ch) for ch in "क्ष")
    assert font.getlength("क्ष") < 0.6 * separate

    def draw(pieces: list[str]) -> Image.Image:
        img = Image.new("L", (400, 120), 255)
        x = 10.0
        for piece in pieces:
            ImageDraw.Draw(img).text((x, 90), piece, font=font, fill=0, anchor="ls")
            x += font.getlength(piece)
        return img

    joined, apart = draw(["क्ष"]), draw(list("क्ष"))
    assert np.any(np.asarray(joined) != np.asarray(apart))
    jb, ab = _ink_bbox(joined), _ink_bbox(apart)
    assert jb[2] - jb[0] < 0.7 * (ab[2] - ab[0])
    # Control: without Raqm the same string is not shaped, so the check above can fail.
    basic = ImageFont.truetype(str(path), 64, layout_engine=ImageFont.Layout.BASIC)
    assert basic.getlength("क्ष") > 0.6 * separate


def test_render_page_shapes_conjuncts() -> None:
    # ZWNJ forbids the conjunct, giving a visible virama: wider ink if shaping works.
    shaped = _ink_bbox(samples.render_page(["क्ष"], dpi=150))
    broken = _ink_bbox(samples.render_page(["क्\u200cष"], dpi=150))
    assert shaped[2] - shaped[0] < 0.75 * (broken[2] - broken[0])


def test_script_runs_split_latin_from_devanagari() -> None:
    assert samples.script_runs("फा.क्र. ४५/२०१९/स्था.") == [(True, "फा.क्र. ४५/२०१९/स्था.")]
    assert samples.script_runs("File No. कार्यालय, R&D।") == [
        (False, "File No. "),
        (True, "कार्यालय, "),
        (False, "R&D"),
        (True, "।"),
    ]
    assert samples.script_runs("12, ") == [(True, "12, ")]


def test_latin_is_drawn_with_the_latin_font_not_as_tofu() -> None:
    page = samples.render_page(["Mungeli"], dpi=150)
    size = round(12 * 150 / 72)

    def reference(path: Path) -> np.ndarray:
        img = Image.new("L", (600, 120), 255)
        font = samples.load_font(path, size)
        ImageDraw.Draw(img).text((20, 80), "Mungeli", font=font, fill=0, anchor="ls")
        return np.asarray(img.crop(_ink_bbox(img)))

    got = np.asarray(page.crop(_ink_bbox(page)))
    assert got.shape == reference(samples.find_font(False)).shape
    assert got.shape != reference(samples.find_font(True)).shape  # Devanagari font: tofu


def test_mixed_line_renders_both_scripts() -> None:
    line = "Office कार्यालय"
    mixed = _ink_bbox(samples.render_page([line], dpi=150))
    latin_only = _ink_bbox(samples.render_page(["Office"], dpi=150))
    assert mixed[2] - latin_only[2] > 60  # the Hindi word adds real width after "Office"


# --- text ----------------------------------------------------------------------------------


def test_letter_lines_vary_by_seed_and_repeat_for_the_same_seed() -> None:
    assert samples.letter_lines(3) == samples.letter_lines(3)
    texts = {tuple(samples.letter_lines(seed)) for seed in range(20)}
    assert len(texts) == 20


def test_letter_content_is_realistic() -> None:
    corpus = "\n".join("\n".join(samples.letter_lines(seed)) for seed in range(40))
    for word in ("कलेक्टर", "ई-ऑफिस", "क्षेत्र", "प्रशासनिक", "कार्यालय", "फ़ाइल", "जिला", "मुंगेली"):
        assert unicodedata.normalize("NFC", word) in corpus, word
    for text in ("Government of Chhattisgarh", "District Mungeli", "File No. F-", "फा.क्र."):
        assert text in corpus
    lines = samples.letter_lines(5)
    assert lines[0] == "Government of Chhattisgarh"
    assert all("कलेक्टर" in "".join(samples.letter_lines(seed)) for seed in range(40))
    assert any(line.startswith("विषय:") for line in lines)
    assert all(line and unicodedata.is_normalized("NFC", line) for line in lines)
    assert "फा.क्र. ४५/२०१९/स्था." in samples.LETTER_LINES_HI
    assert "File No. F-847/2022/GAD-36" in samples.LETTER_LINES_EN


@pytest.mark.parametrize("seed", range(0, 60, 3))
def test_every_generated_letter_fits_the_page(seed: int) -> None:
    samples.render_page(samples.letter_lines(seed), dpi=72)


def test_render_page_geometry_and_overflow() -> None:
    page = samples.render_page(samples.LETTER_LINES_HI, dpi=300)
    assert page.mode == "L" and page.size == (2480, 3508)
    left, top, _, _ = _ink_bbox(page)
    assert left > 250 and top > 250  # ~25 mm margins
    with pytest.raises(ValueError, match="too wide"):
        samples.render_page(["कार्यालय " * 30], dpi=72)
    with pytest.raises(ValueError, match="do not fit"):
        samples.render_page(["x"] * 80, dpi=72)


# --- degradation and the angle convention --------------------------------------------------


@pytest.mark.parametrize("skew", [4.0, -9.0, 0.7])
def test_skew_sign_matches_opencv_convention(skew: float) -> None:
    bar = _bar()
    measured = _tilt_deg(samples.degrade(bar, skew_deg=skew, **CLEAN))
    assert measured == pytest.approx(skew, abs=0.1)
    # The same measurement on OpenCV's own rotation, so the convention is OpenCV's.
    m = cv2.getRotationMatrix2D((600, 600), skew, 1.0)
    turned = cv2.warpAffine(np.asarray(bar), m, (1200, 1200), borderValue=255)
    assert _tilt_deg(Image.fromarray(turned)) == pytest.approx(skew, abs=0.1)


def test_skew_of_rendered_text_line() -> None:
    page = samples.render_page(["_" * 60], dpi=LOW_DPI)
    assert _tilt_deg(samples.degrade(page, **CLEAN)) == pytest.approx(0.0, abs=0.05)
    assert _tilt_deg(samples.degrade(page, skew_deg=4.0, **CLEAN)) == pytest.approx(4.0, abs=0.1)
    # Independent check with a minimum-area rectangle: its long edge runs along the line.
    xs, ys = _ink_points(samples.degrade(page, skew_deg=-3.0, **CLEAN))
    box = cv2.boxPoints(cv2.minAreaRect(np.column_stack([xs, ys]).astype(np.float32)))
    edges = [box[(i + 1) % 4] - box[i] for i in range(4)]
    dx, dy = max(edges, key=lambda e: float(np.hypot(*e)))
    dx, dy = (dx, dy) if dx >= 0 else (-dx, -dy)
    assert -math.degrees(math.atan2(dy, dx)) == pytest.approx(-3.0, abs=0.2)


@pytest.mark.parametrize(("turn", "corner"), [(0, "tl"), (90, "bl"), (180, "br"), (270, "tr")])
def test_orientation_turns_counter_clockwise(turn: int, corner: str) -> None:
    img = Image.new("L", (300, 400), 255)
    ImageDraw.Draw(img).rectangle((10, 10, 60, 60), fill=0)
    out = samples.degrade(img, orientation_deg=turn, **CLEAN)
    assert out.size == ((300, 400) if turn in (0, 180) else (400, 300))
    xs, ys = _ink_points(out)
    cx, cy = xs.mean() / out.width, ys.mean() / out.height
    assert ("t" if cy < 0.5 else "b") + ("l" if cx < 0.5 else "r") == corner


def test_degrade_tones_paper_and_grows_canvas() -> None:
    page = samples.render_page(["कार्यालय"], dpi=LOW_DPI)
    out = samples.degrade(page, skew_deg=5, seed=1)
    assert out.mode == "L" and out.width > page.width and out.height > page.height
    corner = np.asarray(out)[:20, :20]  # skew fill must look like paper, not black or white
    assert abs(float(corner.mean()) - 238) < 3 and corner.std() > 1
    jpeg = samples.degrade(page, seed=1, jpeg_quality=30)
    assert np.any(np.asarray(jpeg) != np.asarray(samples.degrade(page, seed=1)))
    with pytest.raises(ValueError):
        samples.degrade(page, orientation_deg=45)


# --- determinism and files -----------------------------------------------------------------


def test_degrade_is_deterministic() -> None:
    page = samples.render_page(samples.letter_lines(1), dpi=LOW_DPI, seed=1)
    a = samples.degrade(page, skew_deg=2.5, seed=9)
    b = samples.degrade(page, skew_deg=2.5, seed=9)
    c = samples.degrade(page, skew_deg=2.5, seed=10)
    assert np.array_equal(np.asarray(a), np.asarray(b))
    assert not np.array_equal(np.asarray(a), np.asarray(c))


@pytest.mark.parametrize("suffix", [".png", ".tif", ".jpg"])
def test_write_letter_is_byte_identical_per_seed(tmp_path: Path, suffix: str) -> None:
    a, b, c = (tmp_path / f"{n}{suffix}" for n in "abc")
    truth = samples.write_letter(a, seed=4, skew_deg=1.5, dpi=LOW_DPI)
    assert samples.write_letter(b, seed=4, skew_deg=1.5, dpi=LOW_DPI) == truth
    samples.write_letter(c, seed=5, skew_deg=1.5, dpi=LOW_DPI)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    with Image.open(a) as img:
        assert img.mode == "L"
        assert tuple(round(float(v)) for v in img.info["dpi"]) == (LOW_DPI, LOW_DPI)
    assert truth == samples.letter_lines(4)


def test_write_letter_uses_given_lines_and_rejects_unknown_suffix(tmp_path: Path) -> None:
    lines = ["विषय: परीक्षण", "Test line"]
    assert samples.write_letter(tmp_path / "x.png", seed=0, lines=lines, dpi=LOW_DPI) == lines
    with pytest.raises(ValueError, match="suffix"):
        samples.write_letter(tmp_path / "x.bmp", seed=0, dpi=LOW_DPI)


def test_write_pdf_is_image_only_and_deterministic(tmp_path: Path) -> None:
    pages = [samples.degrade(samples.render_page(["कलेक्टर"], dpi=LOW_DPI), seed=s) for s in (1, 2)]
    samples.write_pdf(tmp_path / "a.pdf", pages, dpi=LOW_DPI)
    samples.write_pdf(tmp_path / "b.pdf", pages, dpi=LOW_DPI)
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    with pikepdf.open(tmp_path / "a.pdf") as pdf:
        assert len(pdf.pages) == 2
        box = [float(v) for v in pdf.pages[0].MediaBox]
        assert box[2:] == pytest.approx([595.3, 841.9], abs=0.5)  # A4 in points
        assert b"BT" not in pdf.pages[0].Contents.read_bytes()  # no text layer


# --- demo set ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return samples.write_demo_set(tmp_path_factory.mktemp("demo"))


def test_demo_set_layout(demo: list[Path]) -> None:
    pdf, folder, jpg = demo
    assert (pdf.name, folder.name, jpg.name) == ("letter-0001.pdf", "file-0002", "scan-0003.jpg")
    assert sorted(p.name for p in folder.glob("*.png")) == ["page1.png", "page10.png", "page2.png"]
    for image in [*folder.glob("*.png"), jpg]:
        gt = image.with_suffix(".gt.txt").read_text(encoding="utf-8")
        assert "Mungeli" in gt and "कलेक्टर" in gt and len(gt.splitlines()) > 10
        with Image.open(image) as img:
            img.verify()
        with Image.open(image) as img:
            assert img.mode == "L" and round(float(img.info["dpi"][0])) == 300
            assert img.width >= 2480 and img.height >= 3508


def test_demo_pdf_has_two_scanned_pages(demo: list[Path]) -> None:
    pdf_path = demo[0]
    with pikepdf.open(pdf_path) as pdf:
        assert len(pdf.pages) == 2
        for page in pdf.pages:
            (image,) = page.get_images().values()
            assert image.Filter == pikepdf.Name.DCTDecode
        first, second = ([float(v) for v in p.MediaBox][2:] for p in pdf.pages)
        assert second == pytest.approx([595.3, 841.9], abs=0.5)  # 180° keeps A4
        assert first[0] > 600 and first[1] > 850  # the 4° skew grew the canvas
    truth = pdf_path.with_suffix(".gt.txt").read_text(encoding="utf-8")
    assert truth.count("\f") == 1


def test_demo_jpeg_is_skewed_minus_nine(demo: list[Path]) -> None:
    with Image.open(demo[2]) as img:
        w, h = img.size
    a = math.radians(9)
    expected = (2480 * math.cos(a) + 3508 * math.sin(a), 2480 * math.sin(a) + 3508 * math.cos(a))
    assert (w, h) == pytest.approx(expected, abs=3)


def test_main_writes_the_demo_set_or_explains_usage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert samples.main([]) == 2
    assert "usage" in capsys.readouterr().err
    calls: list[Path] = []

    def fake_demo(out: Path) -> list[Path]:
        calls.append(out)
        return [out / "x"]

    monkeypatch.setattr(samples, "write_demo_set", fake_demo)
    assert samples.main([str(tmp_path)]) == 0
    assert calls == [tmp_path] and str(tmp_path / "x") in capsys.readouterr().out
