"""QR cover, part and separator sheets: payload, printing, reading scans, splitting stacks.

Every scan here is generated (scanpipe.samples pages, our own printed sheets,
degraded like a feeder scan), so the expected split is known exactly.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from click.testing import CliRunner
from conftest import run_cli
from PIL import Image

from scanpipe import samples, tools
from scanpipe.errors import ExitCode, InputFileError
from scanpipe.model import FileMetadata, PartStart
from scanpipe.sheets.render import page_gray, qr_matrix, render_sheet
from scanpipe.sheets.split import (
    Sheet,
    SheetError,
    SheetKind,
    encode_payload,
    page_count_mismatch,
    parse_payload,
    plan_stack,
    read_sheet,
    split_stack,
)

SUBJECT_A = "अभिलेख कक्ष की फ़ाइलों के डिजिटलीकरण के संबंध में"
SUBJECT_B = "भू-अभिलेख नस्तियों की सूची; Lormi & Pathariya = 100% (urgent)"
COVER_A = Sheet(
    SheetKind.COVER,
    file_no="A-21001(3)/5/2008/DFG",
    subject=SUBJECT_A,
    part="notes",
    declared_pages=3,
    office="Collectorate Mungeli",
    section="Establishment",
)
# Declares 4 pages but only 3 follow: the mismatch must be reported.
COVER_B = Sheet(
    SheetKind.COVER,
    file_no="फा.क्र. ४५/२०१९/स्था.",
    subject=SUBJECT_B,
    part="notes",
    declared_pages=4,
)
PART_B = Sheet(SheetKind.PART, part="correspondence", declared_pages=1)


def scan(img: Image.Image, seed: int, skew: float = 0.0, turn: int = 0) -> Image.Image:
    """A feeder scan of a clean page: turned, skewed, blurred, noisy (JPEG comes with the PDF)."""
    return samples.degrade(img, skew_deg=skew, orientation_deg=turn, seed=seed, noise=6, blur=0.9)


def letter(seed: int) -> Image.Image:
    return samples.render_page(samples.letter_lines(seed), seed=seed)


def qr_page(text: str, dpi: int = 150) -> Image.Image:
    """An A4 page holding just a QR code with ``text``, e.g. someone else's QR code."""
    w, h = round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)
    matrix = qr_matrix(text)
    module = max(1, round(w * 0.5) // matrix.shape[0])
    code = np.kron(matrix, np.ones((module, module), dtype=bool))
    page = Image.new("L", (w, h), 255)
    page.paste(Image.fromarray(np.where(code, 0, 255).astype(np.uint8)), (w // 4, h // 4))
    return page


# --- payload -------------------------------------------------------------------------------


def test_payload_round_trip_keeps_hindi_and_escapes_separators() -> None:
    decomposed = unicodedata.normalize("NFD", "फ़ाइल क्रमांक; 50% = आधा\nदूसरी पंक्ति %3B")
    sheet = Sheet(
        SheetKind.COVER,
        file_no=" A-11011/5(I)/2001-Est ",
        subject=decomposed,
        part="appendix-correspondence",
        declared_pages=250,
        office="Collectorate Mungeli",
        section="e-Office Cell",
    )
    payload = encode_payload(sheet)
    assert payload.startswith("SCANPIPE:1;kind=cover;file=A-11011/5(I)/2001-Est;subject=फ़ाइल")
    assert "\n" not in payload and payload.count(";") == 7 and payload.count("=") == 7
    back = parse_payload(payload)
    assert back == sheet
    assert back is not None
    assert back.subject == unicodedata.normalize("NFC", decomposed)  # NFC, as typed in Hindi
    assert back.file_no == "A-11011/5(I)/2001-Est"
    assert (back.part, back.declared_pages, back.section) == (
        "appendix-correspondence",
        250,
        "e-Office Cell",
    )
    # A decoder that hands back UTF-8 bytes as Latin-1 still reads correctly.
    assert parse_payload(payload.encode("utf-8").decode("latin-1")) == back


@pytest.mark.parametrize(
    "sheet",
    [Sheet(SheetKind.PART, part="notes"), Sheet(SheetKind.SEPARATOR), PART_B, COVER_B],
)
def test_payload_round_trip_every_kind(sheet: Sheet) -> None:
    assert parse_payload(encode_payload(sheet)) == sheet


def test_payload_ignores_foreign_codes_and_unknown_keys_but_refuses_bad_sheets() -> None:
    assert parse_payload("https://bhuiyan.cg.nic.in/khasra?id=12") is None
    later = parse_payload("SCANPIPE:1;kind=separator;colour=blue")  # a later v1 addition
    assert later == Sheet(SheetKind.SEPARATOR)
    for bad in (
        "SCANPIPE:2;kind=cover;file=X",  # a format this version does not know
        "SCANPIPE:1;kind=folder",
        "SCANPIPE:1;kind=part;part=volume-2",
        "SCANPIPE:1;kind=cover;file=X;pages=twelve",
        "SCANPIPE:1;kind=cover;subject=no file number",
    ):
        with pytest.raises(SheetError):
            parse_payload(bad)


def test_too_long_subject_is_refused_not_truncated() -> None:
    sheet = Sheet(SheetKind.COVER, file_no="8/3/11-Adm", subject="अभिलेख " * 120)
    with pytest.raises(ValueError, match="shorten the subject"):
        render_sheet(sheet)


# --- reading scans -------------------------------------------------------------------------


@pytest.mark.parametrize(("skew", "turn"), [(4.0, 0), (-15.0, 180), (15.0, 90), (-9.0, 270)])
def test_read_sheet_on_degraded_scans(skew: float, turn: int) -> None:
    gray = np.asarray(scan(render_sheet(COVER_B), seed=7, skew=skew, turn=turn))
    assert read_sheet(gray, dpi=300) == COVER_B
    assert read_sheet(gray) == COVER_B  # dpi guessed from the A4 size


def test_read_sheet_ignores_letters_and_foreign_qr_codes() -> None:
    assert read_sheet(np.asarray(scan(letter(3), seed=3, skew=2))) is None
    foreign = np.asarray(qr_page("https://igrs.cg.gov.in/verify?stamp=IN-CG12345"))
    assert read_sheet(foreign, dpi=150) is None


# --- planning ------------------------------------------------------------------------------

COVER_C = Sheet(SheetKind.COVER, file_no="8/3/11-Adm")
SEP = Sheet(SheetKind.SEPARATOR)


def test_plan_stack_rules() -> None:
    notes = Sheet(SheetKind.PART, part="notes", declared_pages=2)
    corr = Sheet(SheetKind.PART, part="correspondence")
    # loose page, cover, duplicate cover, part sheet restating the cover's part, pages,
    # part sheet, page, separator, page, trailing separator
    plan = plan_stack([None, COVER_A, COVER_A, notes, None, None, corr, None, SEP, None, SEP])
    assert [s.pages for s in plan] == [[0], [4, 5, 7], [9]]
    assert plan[0].metadata() == FileMetadata()  # no sheet: the caller's defaults apply
    meta = plan[1].metadata()
    assert (meta.file_no, meta.origin, meta.part) == (COVER_A.file_no, "qr", "notes")
    assert meta.parts == (PartStart("notes", 1, 2), PartStart("correspondence", 3, None))
    assert plan[2].metadata() == FileMetadata()
    # No part for page 1 when the first part sheet comes after it.
    (late,) = plan_stack([COVER_C, None, notes, None, None])
    assert (late.metadata().part, late.metadata().parts) == (None, (PartStart("notes", 2, 2),))


def test_plan_stack_refuses_a_cover_without_pages() -> None:
    with pytest.raises(InputFileError, match=r"8/3/11-Adm \(stack page 3\) has no pages"):
        plan_stack([COVER_A, None, COVER_C, COVER_B, None])
    with pytest.raises(InputFileError, match="has no pages"):
        plan_stack([COVER_A, None, COVER_C])


def test_page_count_mismatch_reasons() -> None:
    meta = FileMetadata(
        declared_pages=5,
        parts=(PartStart("notes", 1, 2), PartStart("correspondence", 3, 3)),
    )
    assert page_count_mismatch(meta, 5) is None
    reason = page_count_mismatch(meta, 4)
    assert reason is not None
    assert "declares 5 pages but 4 were scanned (1 missing)" in reason
    assert "part 'correspondence' declares 3 pages but 2 were scanned" in reason
    assert "notes" not in reason
    assert "2 extra" in (page_count_mismatch(FileMetadata(declared_pages=3), 5) or "")
    assert page_count_mismatch(FileMetadata(), 7) is None  # nothing declared, nothing to flag


# --- splitting stacks ----------------------------------------------------------------------


@dataclass(frozen=True)
class Stack:
    path: Path
    plan: tuple[str, ...]  # what each stack page is: "A", "B", "part" or "page"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Stack:
    """Cover A (skewed 3°) + 3 pages, cover B (upside down) + 2 notes pages,
    part sheet (skewed -2°) + 1 correspondence page, as one scanned PDF."""
    pages: list[tuple[str, Image.Image]] = [
        ("A", scan(render_sheet(COVER_A), seed=1, skew=3)),
        *(("page", scan(letter(10 + i), seed=10 + i, skew=i - 1)) for i in range(3)),
        ("B", scan(render_sheet(COVER_B), seed=2, skew=-1.5, turn=180)),
        *(("page", scan(letter(20 + i), seed=20 + i, skew=1)) for i in range(2)),
        ("part", scan(render_sheet(PART_B), seed=3, skew=-2)),
        ("page", scan(letter(30), seed=30, turn=180)),
    ]
    path = tmp_path_factory.mktemp("stack") / "stack.pdf"
    samples.write_pdf(path, [img for _, img in pages])
    return Stack(path, tuple(kind for kind, _ in pages))


def _image_bytes(pdf: pikepdf.Pdf) -> list[bytes]:
    return [next(iter(p.get_images().values())).read_raw_bytes() for p in pdf.pages]


def test_split_stack_on_cover_and_part_sheets(stack: Stack, tmp_path: Path) -> None:
    files = split_stack(stack.path, tmp_path / "out")
    assert [p.name for p, _ in files] == [
        "stack-01-A-21001(3)_5_2008_DFG.pdf",
        "stack-02-45_2019.pdf",
    ]
    (path_a, meta_a), (path_b, meta_b) = files
    assert meta_a == FileMetadata(
        file_no=COVER_A.file_no,
        subject=SUBJECT_A,
        office="Collectorate Mungeli",
        section="Establishment",
        part="notes",
        declared_pages=3,
        origin="qr",
        parts=(PartStart("notes", 1),),
    )
    assert (meta_b.file_no, meta_b.subject, meta_b.origin) == (COVER_B.file_no, SUBJECT_B, "qr")
    assert meta_b.parts == (PartStart("notes", 1), PartStart("correspondence", 3, 1))

    # The pages are the stack's own page objects, in order, sheets left out: same JPEG bytes.
    with pikepdf.open(stack.path) as src:
        originals = _image_bytes(src)
    with pikepdf.open(path_a) as a, pikepdf.open(path_b) as b:
        got = [_image_bytes(a), _image_bytes(b)]
    page_index = [i for i, kind in enumerate(stack.plan) if kind == "page"]
    assert got == [[originals[i] for i in page_index[:3]], [originals[i] for i in page_index[3:]]]

    assert page_count_mismatch(meta_a, len(got[0])) is None
    reason = page_count_mismatch(meta_b, len(got[1]))
    assert reason is not None and "declares 4 pages but 3 were scanned (1 missing)" in reason

    # Splitting again (after a crash, say) writes the very same bytes.
    again = split_stack(stack.path, tmp_path / "again")
    assert [p.read_bytes() for p, _ in again] == [path_a.read_bytes(), path_b.read_bytes()]


def test_stack_without_sheets_is_returned_whole(tmp_path: Path) -> None:
    path = tmp_path / "plain.pdf"
    samples.write_pdf(path, [scan(letter(40), seed=40, skew=1)], dpi=300)
    out = tmp_path / "out"
    assert split_stack(path, out) == [(path, FileMetadata())]
    assert not out.exists()


def test_split_stack_refuses_a_sheet_from_a_newer_version(tmp_path: Path) -> None:
    path = tmp_path / "newer.pdf"
    pages = [qr_page("SCANPIPE:2;kind=cover;file=X"), scan(letter(41), seed=41)]
    samples.write_pdf(path, pages, dpi=150)
    with pytest.raises(SheetError, match=r"page 1: .*format '2'"):
        split_stack(path, tmp_path / "out")


def test_page_gray_renders_pages_without_a_scan_image(tmp_path: Path) -> None:
    path = tmp_path / "blank.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(595, 842))
        pdf.save(path)
    with pikepdf.open(path) as pdf:
        gray, dpi = page_gray(pdf, 0, path)
    assert dpi == 100 and gray.shape == (1170, 827)  # poppler at 100 dpi


# --- command line --------------------------------------------------------------------------


def test_cli_cover_writes_a_printable_pdf_whose_qr_decodes(tmp_path: Path) -> None:
    out = tmp_path / "sheets" / "cover.pdf"
    proc = run_cli(
        tmp_path / "home",
        "sheets",
        "cover",
        "--file-no",
        "फा.क्र. ४५/२०१९/स्था.",
        "--subject",
        SUBJECT_B,
        "--part",
        "notes",
        "--pages",
        "4",
        "-o",
        out,
    )
    assert proc.returncode == 0, proc.stderr
    assert "cover sheet for file फा.क्र. ४५/२०१९/स्था." in proc.stdout
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 1
        box = [float(v) for v in pdf.pages[0].mediabox]
        assert abs(box[2] - 595.3) < 1 and abs(box[3] - 841.9) < 1  # A4
        gray, dpi = page_gray(pdf, 0, out)  # the embedded bilevel image, via pikepdf
    assert read_sheet(gray, dpi=dpi) == COVER_B
    # As printed: poppler's rendering of the page reads back too.
    png = tools.run(["pdftoppm", "-r", "100", "-gray", out]).stdout
    printed = np.asarray(Image.open(io.BytesIO(png)))
    assert read_sheet(printed, dpi=100) == COVER_B


def test_cli_refuses_bad_sheets_with_usage_errors(tmp_path: Path) -> None:
    from scanpipe.cli import cli

    runner = CliRunner(env={"SCANPIPE_HOME": str(tmp_path / "home")})
    too_long = runner.invoke(
        cli,
        [
            "sheets",
            "cover",
            "--file-no",
            "8/3/11-Adm",
            "--subject",
            "अभिलेख " * 120,
            "-o",
            str(tmp_path / "c.pdf"),
        ],
    )
    assert too_long.exit_code == ExitCode.BAD_ARGS
    assert "shorten the subject" in too_long.output
    blank = runner.invoke(
        cli, ["sheets", "cover", "--file-no", " ", "--subject", "x", "-o", str(tmp_path / "b.pdf")]
    )
    assert blank.exit_code == ExitCode.BAD_ARGS and "needs a file number" in blank.output
    assert not (tmp_path / "c.pdf").exists() and not (tmp_path / "b.pdf").exists()
    sep = runner.invoke(
        cli, ["sheets", "separator", "--copies", "2", "-o", str(tmp_path / "s.pdf")]
    )
    assert sep.exit_code == 0, sep.output
    with pikepdf.open(tmp_path / "s.pdf") as pdf:
        assert len(pdf.pages) == 2
        gray, dpi = page_gray(pdf, 1, tmp_path / "s.pdf")
    assert read_sheet(gray, dpi=dpi) == Sheet(SheetKind.SEPARATOR)
