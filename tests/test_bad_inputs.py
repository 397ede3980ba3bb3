"""Bad inputs through the real CLI: each is named, explained and skipped; the rest is registered.

The one good page is read by the real Tesseract; the bad files never reach it.
"""

from __future__ import annotations

import contextlib
import os
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
import pytest
from conftest import json_lines, run_cli
from PIL import Image

from scanpipe import samples
from scanpipe.errors import ExitCode, InputFileError
from scanpipe.registry.store import Registry
from scanpipe.sources import open_source

GOOD_LINES = [
    "कार्यालय कलेक्टर, जिला मुंगेली",
    "Office of the Collector, District Mungeli",
    "प्रशासनिक अभिलेख सुरक्षित रखे जाएं।",
]


# -- fixtures: every bad file is made here ---------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def huge_png_header(width: int = 20_000, height: int = 20_000) -> bytes:
    """A PNG whose IHDR claims ``width`` x ``height`` 8-bit grey, with a tiny IDAT.

    Valid signature and chunk CRCs, so a header reader believes it; never
    allocate the 400 megapixels it claims.
    """
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + _png_chunk(b"IEND", b"")
    )


def _small_pdf(path: Path) -> bytes:
    samples.write_pdf(path, [Image.new("L", (200, 280), 255)], dpi=100)
    return path.read_bytes()


def make_empty(path: Path) -> None:
    path.write_bytes(b"")


def make_truncated(path: Path) -> None:
    whole = _small_pdf(path)
    path.write_bytes(whole[: len(whole) // 2])


def make_encrypted(path: Path) -> None:
    plain = path.with_name("plain-" + path.name)
    _small_pdf(plain)
    with pikepdf.open(plain) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(owner="o", user="u"))
    plain.unlink()


def make_text_named_pdf(path: Path) -> None:
    path.write_text("Minutes of the meeting held on 14.07.2022\n", encoding="utf-8")


def make_huge(path: Path) -> None:
    path.write_bytes(huge_png_header())


BAD: dict[str, tuple[Callable[[Path], None], tuple[str, ...]]] = {
    # name: (maker, words the message must contain to say what is wrong)
    "empty.png": (make_empty, ("empty",)),
    "truncated.pdf": (make_truncated, ("truncated",)),
    "encrypted.pdf": (make_encrypted, ("encrypted", "password")),
    "notes.pdf": (make_text_named_pdf, ("not a PDF",)),
    "huge.png": (make_huge, ("megapixels", "cap")),
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad-inputs")
    paths = {}
    for name, (maker, _) in BAD.items():
        maker(folder / name)
        paths[name] = folder / name
    good = folder / "good.png"
    samples.write_letter(good, seed=5, lines=GOOD_LINES, dpi=200, skew_deg=1.0)
    paths["good.png"] = good
    return paths


def test_fixtures_are_what_they_claim(inputs: dict[str, Path]) -> None:
    """The bad files are bad in exactly the intended way (else the CLI tests prove little)."""
    assert inputs["empty.png"].stat().st_size == 0
    truncated = inputs["truncated.pdf"].read_bytes()
    assert truncated.startswith(b"%PDF-") and b"%%EOF" not in truncated
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(inputs["encrypted.pdf"])
    with pikepdf.open(inputs["encrypted.pdf"], password="u") as pdf:
        assert len(pdf.pages) == 1
    assert inputs["notes.pdf"].read_text(encoding="utf-8").startswith("Minutes")
    cap, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None  # only the header is read
    try:
        with Image.open(inputs["huge.png"]) as im:
            assert im.size == (20_000, 20_000)
    finally:
        Image.MAX_IMAGE_PIXELS = cap
    assert inputs["huge.png"].stat().st_size < 200


def _flat(text: str) -> str:
    """Undo the console's line wrapping, so a long path can be found whole."""
    return text.replace("\n", "")


# -- one run with everything -----------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed_run(
    inputs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    home = tmp_path_factory.mktemp("home-mixed")
    # The good file sits in the middle: bad files before and after it must not stop it.
    order = ["empty.png", "truncated.pdf", "good.png", "encrypted.pdf", "notes.pdf", "huge.png"]
    proc = run_cli(home, "convert", "--json", "--jobs", "2", *(inputs[n] for n in order))
    return home, proc


def test_mixed_run_exits_partial(mixed_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    _, proc = mixed_run
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr
    assert "Traceback" not in proc.stderr


def test_mixed_run_reports_every_bad_file_with_advice(
    mixed_run: tuple[Path, subprocess.CompletedProcess[str]], inputs: dict[str, Path]
) -> None:
    _, proc = mixed_run
    lines = {line["source"]: line for line in json_lines(proc.stdout)}
    assert set(lines) == {str(p) for p in inputs.values()}
    for name in BAD:
        path = str(inputs[name])
        line = lines[path]
        assert line["status"] == "failed", line
        assert line["file_id"] is None and line["pages"] == [], line
        error = line["error"]
        assert error.startswith(f"{path}: "), error
        assert "\n  → " in error, f"{name}: no advice in {error!r}"
        assert len(error.split("→", 1)[1].strip()) > 10, error
        assert path in _flat(proc.stderr), f"stderr does not name {path}"


def test_mixed_run_registers_the_good_file(
    mixed_run: tuple[Path, subprocess.CompletedProcess[str]], inputs: dict[str, Path]
) -> None:
    home, proc = mixed_run
    (good,) = [line for line in json_lines(proc.stdout) if line["status"] == "registered"]
    assert good["source"] == str(inputs["good.png"])
    assert good["error"] is None
    assert [p["status"] for p in good["pages"]] == ["ok"]
    with Registry.open(f"sqlite:///{home / 'registry.sqlite3'}", home / "archive") as registry:
        files = registry.list_files()
        text = registry.page_text(good["file_id"], 1)
    assert [(f.id, f.source_path) for f in files] == [(good["file_id"], inputs["good.png"])]
    assert "Mungeli" in text, text
    search = run_cli(home, "search", "कलेक्टर")
    assert search.returncode == 0, search.stderr
    assert f"file {good['file_id']} page 1" in search.stdout


# -- each bad file alone ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def alone_runs(
    inputs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, subprocess.CompletedProcess[str]]:
    """``scanpipe convert BAD`` for each bad file, run side by side (none reaches Tesseract)."""

    def one(name: str) -> subprocess.CompletedProcess[str]:
        return run_cli(tmp_path_factory.mktemp("home-alone"), "convert", inputs[name], timeout=120)

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(BAD, pool.map(one, BAD), strict=True))


@pytest.mark.parametrize("name", list(BAD))
def test_bad_file_alone_exits_input_file_and_names_it(
    alone_runs: dict[str, subprocess.CompletedProcess[str]], inputs: dict[str, Path], name: str
) -> None:
    proc = alone_runs[name]
    assert proc.returncode == ExitCode.INPUT_FILE, proc.stderr
    stderr = _flat(proc.stderr)
    assert str(inputs[name]) in stderr, proc.stderr
    assert "→" in stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "0 files registered" in stderr and "1 failed" in stderr, proc.stderr


@pytest.mark.parametrize("name", list(BAD))
def test_bad_file_message_says_what_is_wrong(
    alone_runs: dict[str, subprocess.CompletedProcess[str]], name: str
) -> None:
    stderr = " ".join(alone_runs[name].stderr.split())
    for word in BAD[name][1]:
        assert word in stderr, f"{name}: {word!r} not in {stderr!r}"


# -- pipes -----------------------------------------------------------------------------------


@pytest.fixture
def fifos(tmp_path: Path) -> list[Path]:
    """A FIFO named like a scan, and a symlink named like a scan that points to a FIFO."""
    pipe = tmp_path / "scan-0001.png"
    os.mkfifo(pipe)
    target = tmp_path / "hidden-pipe"
    os.mkfifo(target)
    link = tmp_path / "scan-0002.pdf"
    link.symlink_to(target)
    return [pipe, link]


def _unblock(fifo: Path) -> None:
    """Let a reader stuck opening ``fifo`` go on (it then reads end-of-file)."""
    with contextlib.suppress(OSError):  # ENXIO: nobody is reading, nothing to unblock
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


def _open_source_error(path: Path, timeout: float = 5) -> BaseException | None:
    """The error open_source raises for ``path``; fails the test if it blocks on the pipe."""
    errors: list[BaseException] = []

    def check() -> None:
        try:
            open_source(path, max_pixels=120_000_000)
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=check, daemon=True)
    worker.start()
    worker.join(timeout=timeout)
    if worker.is_alive():
        _unblock(path.resolve())
        worker.join(timeout=timeout)
        pytest.fail(f"open_source blocked reading {path}")
    return errors[0] if errors else None


def test_fifo_is_refused_before_it_is_opened(fifos: list[Path]) -> None:
    for path in fifos:
        error = _open_source_error(path)
        assert isinstance(error, InputFileError), error
        assert str(path) in error.render()
        assert "not a regular file" in error.render()
        assert "→" in error.render()


def test_cli_refuses_fifos_without_hanging(tmp_path: Path, fifos: list[Path]) -> None:
    env = {**os.environ, "SCANPIPE_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "scanpipe", "convert", "--json", *map(str, fifos)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    hung = False
    try:
        try:
            stdout, stderr = proc.communicate(timeout=8)
        except subprocess.TimeoutExpired:
            hung = True
            deadline = time.monotonic() + 20
            while proc.poll() is None and time.monotonic() < deadline:
                for path in fifos:  # let it go, so the process ends and nothing leaks
                    _unblock(path.resolve())
                time.sleep(0.1)
            stdout, stderr = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not hung, "scanpipe convert blocked on a FIFO"
    assert proc.returncode == ExitCode.INPUT_FILE, stderr
    lines = {line["source"]: line for line in json_lines(stdout)}
    for path in fifos:
        assert lines[str(path)]["status"] == "failed"
        assert "not a regular file" in lines[str(path)]["error"]
        assert str(path) in _flat(stderr)
